// SPDX-License-Identifier: MIT
/*
 * One sample of sweep --mpi (ranks.h ranks_sample()): this rank's part of
 * the batch prepared, the copy timed between barriers in the rank process
 * itself, its copies verified, and the exchange that gives every rank the
 * sample's figures.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY	/* XXH3_state_t on the stack */
#include <xxhash.h>

#include "cache.h"
#include "clock.h"
#include "cluster.h"
#include "copy_unit.h"
#include "dataset.h"
#include "mem_free.h"
#include "ranks_internal.h"
#include "sample_files.h"
#include "strategies.h"
#include "threads.h"
#include "tree_copy.h"

#define HASH_CHUNK (1u << 20)

/* The longest a rank waits for the others within a sample: their
 * preparation, or their copy and verification, may each take up to the
 * per-sample --timeout. */
static double sample_timeout(const struct ranks *rk)
{
	return 2 * rk->run->request.timeout;
}

/* This rank's part of the sample: whole files (a file per process) or
 * one range of each shared file. */
struct part {
	unsigned k;
	char **src, **dst;
	struct copy_range range;	/* shared; whole file otherwise */
	char dir[PATH_MAX];		/* the sample directory ("" none) */
	bool owns_dir;			/* made here, removed here */
};

static void free_part(struct part *p)
{
	mem_free_strings(p->src, p->k);
	mem_free_strings(p->dst, p->k);
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * The sample directory, a random name under the TOPDIR-flagged top (see
 * runner_scratch.c). Shared, rank 0 makes it under its top with a name
 * every rank derives alike.
 */
static int make_dir(struct ranks *rk, struct part *p, char *why, size_t len)
{
	const char *top = ranks_shared(rk) ? rk->root_top : rk->top;
	uint32_t salt;

	if (ranks_shared(rk))
		salt = (uint32_t)mix(rk->run->request.seed ^
				     ((uint64_t)rk->samples << 20));
	else if (getrandom(&salt, sizeof(salt), 0) != sizeof(salt))
		salt = (uint32_t)mix((uint64_t)getpid() ^ rk->samples);
	if (strlen(top) + 12 > sizeof(p->dir))
		return strategy_why(why, len, -ENAMETOOLONG, "%s: %s", top,
				    strerror(ENAMETOOLONG));
	snprintf(p->dir, sizeof(p->dir), "%.*s/s-%08x",
		 (int)(sizeof(p->dir) - 12), top, salt);
	p->owns_dir = !ranks_shared(rk) || rk->rank == 0;
	if (p->owns_dir && mkdir(p->dir, 0700)) {
		int ret = -errno;

		p->owns_dir = false;
		return strategy_why(why, len, ret, "creating a sample "
				    "directory %s: %s", p->dir,
				    strerror(-ret));
	}
	return 0;
}

static int make_part(struct ranks *rk, const struct cell *c, unsigned k,
		     struct part *p, char *why, size_t len)
{
	char path[FILE_PATH_MAX];
	int ret;

	memset(p, 0, sizeof(*p));
	p->range = (struct copy_range){ 0, 0, c->size };
	if (ranks_shared(rk)) {
		struct copy_range *r = calloc(c->ranks, sizeof(*r));

		if (!r)
			return strategy_why(why, len, -ENOMEM, "%s",
					    strerror(ENOMEM));
		threads_split_ranges(c->size, c->ranks, r);
		p->range = r[rk->rank];
		free(r);
	}
	ret = make_dir(rk, p, why, len);
	if (ret)
		return ret;
	p->src = calloc(k, sizeof(*p->src));
	p->dst = calloc(k, sizeof(*p->dst));
	if (!p->src || !p->dst)
		return strategy_why(why, len, -ENOMEM, "%s", strerror(ENOMEM));
	p->k = k;
	for (unsigned i = 0; i < k; i++) {
		ranks_src_path(rk, i, path, sizeof(path));
		p->src[i] = strdup(path);
		snprintf(path, sizeof(path), "%s/dst-%u", p->dir, i);
		p->dst[i] = strdup(path);
		if (!p->src[i] || !p->dst[i])
			return strategy_why(why, len, -ENOMEM, "%s",
					    strerror(ENOMEM));
	}
	return 0;
}

/* Puts this rank's part of the sources in the cell's cache state: its
 * host's page cache, whatever the others do with theirs. */
static int prepare_cache(const struct ranks *rk, const struct cell *c,
			 const struct part *p, char *why, size_t len)
{
	if (c->cache == CACHE_COLD && rk->run->request.drop_caches) {
		int ret = cache_drop_all();

		return ret ? strategy_why(why, len, ret, "dropping caches: %s",
					  strerror(-ret)) : 0;
	}
	for (unsigned i = 0; i < p->k; i++) {
		int fd = open(p->src[i], O_RDONLY | O_CLOEXEC), ret;

		if (fd < 0)
			return strategy_why(why, len, -errno, "opening %s: %s",
					    p->src[i], strerror(errno));
		ret = c->cache == CACHE_WARM ?
		      cache_warm_range(fd, p->range.src_off, p->range.len) :
		      cache_evict_range(fd, p->range.src_off, p->range.len);
		close(fd);
		if (ret)
			return strategy_why(why, len, ret, "%s the source: %s",
					    c->cache == CACHE_WARM ? "warming" :
					    "evicting", strerror(-ret));
	}
	return 0;
}

/* Page-cache figures of this rank's part of k files. */
static int part_pages(const struct part *p, char *const *paths, unsigned k,
		      uint64_t *span, struct cache_pages *sum)
{
	*sum = (struct cache_pages){ 0 };
	if (span)
		*span = 0;
	for (unsigned i = 0; i < k; i++) {
		struct cache_pages cp;
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		int ret;

		if (fd < 0)
			return -errno;
		ret = cache_pages_range(fd, p->range.dst_off, p->range.len, &cp);
		if (!ret && span)
			*span += p->range.len ?
				 cache_range_pages(fd, p->range.dst_off,
						   p->range.len) : 0;
		close(fd);
		if (ret)
			return ret;
		sum->cached += p->range.len ? cp.cached : 0;
		sum->dirty = cp.dirty < 0 || sum->dirty < 0 ?
			     -1 : sum->dirty + (p->range.len ? cp.dirty : 0);
		sum->writeback = cp.writeback < 0 || sum->writeback < 0 ?
				 -1 : sum->writeback +
				      (p->range.len ? cp.writeback : 0);
	}
	return 0;
}

/* XXH3 of the content dataset_fill writes at [off, off + len) of shared
 * source i: what this rank's range of the destination must hold. */
static int expected_range_hash(const struct ranks *rk, unsigned i,
			       uint64_t off, uint64_t len, uint64_t *hash)
{
	const struct run_request *rq = &rk->run->request;
	XXH3_state_t st;
	char *buf = malloc(HASH_CHUNK);

	if (!buf)
		return -ENOMEM;
	XXH3_64bits_reset(&st);
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < HASH_CHUNK ? len - done : HASH_CHUNK;

		dataset_generate(buf, off + done, n, rk->file_size, rq->content,
				 rq->seed, ranks_content_index(rk, i));
		XXH3_64bits_update(&st, buf, n);
		done += n;
	}
	*hash = XXH3_64bits_digest(&st);
	free(buf);
	return 0;
}

/* Checks this rank's finished copies: whole files against the sources'
 * hashes, or its range of each shared file against the content. */
static int verify_part(const struct ranks *rk, const struct cell *c,
		       const struct part *p, unsigned done, char *why,
		       size_t len)
{
	for (unsigned i = 0; i < done; i++) {
		uint64_t want = 0, got = 0;
		int ret = sample_files_hash_copy(p->dst[i], i, c->size,
						 p->range.dst_off,
						 p->range.len, &got, why, len);

		if (ret)
			return ret;
		if (ranks_shared(rk))
			ret = expected_range_hash(rk, i, p->range.src_off,
						  p->range.len, &want);
		else
			want = rk->hashes[i];
		if (ret)
			return strategy_why(why, len, ret, "%s",
					    strerror(-ret));
		if (got != want)
			return strategy_why(why, len, -EBADMSG, "verification "
					    "failed: dst %u bytes %llu-%llu "
					    "differ from the source", i,
					    (unsigned long long)
					    p->range.dst_off,
					    (unsigned long long)
					    (p->range.dst_off + p->range.len));
	}
	return 0;
}

/* By ranges rank 0 makes the destinations, pre-sized as --prealloc
 * says, inside the timed region (a real N-1 writer must too). */
static int create_destinations(const struct cell *c, const struct part *p,
			       char *why, size_t len)
{
	for (unsigned i = 0; i < p->k; i++) {
		int ret = tree_copy_presize(p->dst[i], c->prealloc, c->size,
					    why, len);

		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Test-only (tests/mpi): IOBENCH_FAULT=stall:R:MS makes rank R spend MS
 * milliseconds inside its timed region before copying, a planted
 * straggler.
 */
static void planted_stall(int rank)
{
	const char *f = getenv("IOBENCH_FAULT");
	unsigned r, ms;

	if (!f || sscanf(f, "stall:%u:%u", &r, &ms) != 2 || (int)r != rank)
		return;
	nanosleep(&(struct timespec){ ms / 1000, (ms % 1000) * 1000000L },
		  NULL);
}

/*
 * Test-only (tests/mpi): IOBENCH_FAULT=corrupt:R makes rank R flip the
 * first byte of its part of its first destination after the copy, before
 * verification, which must catch it.
 */
static void planted_corruption(int rank, const struct part *p)
{
	const char *f = getenv("IOBENCH_FAULT");
	unsigned r;
	char c;
	int fd;

	if (!f || sscanf(f, "corrupt:%u", &r) != 1 || (int)r != rank ||
	    !p->k || !p->range.len)
		return;
	fd = open(p->dst[0], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	if (pread(fd, &c, 1, (off_t)p->range.dst_off) == 1) {
		c ^= 0x5a;
		(void)!pwrite(fd, &c, 1, (off_t)p->range.dst_off);
	}
	close(fd);
}

static void add_rusage(struct cell_usage *u, const struct rusage *a,
		       const struct rusage *b)
{
	u->user = clock_tv_seconds(&b->ru_utime) -
		  clock_tv_seconds(&a->ru_utime);
	u->sys = clock_tv_seconds(&b->ru_stime) -
		 clock_tv_seconds(&a->ru_stime);
	u->minflt = b->ru_minflt - a->ru_minflt;
	u->majflt = b->ru_majflt - a->ru_majflt;
	u->nvcsw = b->ru_nvcsw - a->ru_nvcsw;
	u->nivcsw = b->ru_nivcsw - a->ru_nivcsw;
	u->maxrss_kb = b->ru_maxrss;
}

/*
 * The timed part on one rank: two barriers (the first absorbs the ranks'
 * different preparation times, the second, all ranks there, releases
 * them together), then the clock, (shared: rank 0 makes the destinations,
 * a third barrier), the copies. A rank whose preparation failed (ret)
 * still takes part in every barrier. Fills m's times and counts; returns
 * the copy's outcome, or a wait's error in *wait.
 */
static int timed_copy(struct ranks *rk, const struct copy_strategy *s,
		      const struct cell *c, const struct part *p, int ret,
		      struct rank_msg *m, int *wait, char *why, size_t len)
{
	double timeout = sample_timeout(rk);
	double stonewall = rk->run->request.stonewall;
	bool active = rk->rank < (int)c->ranks;
	struct rusage ru0, ru1;
	struct copy_unit u = { 0 };
	double t0;

	if (!ret && active)
		ret = copy_unit_setup(&u, s, c, why, len);
	*wait = cluster_barrier(CLUSTER_LOOSE, timeout, rk->broken,
				sizeof(rk->broken));
	if (!*wait)
		*wait = cluster_barrier(CLUSTER_TIGHT, timeout, rk->broken,
					sizeof(rk->broken));
	getrusage(RUSAGE_SELF, &ru0);
	t0 = m->start = cluster_now();
	if (!*wait && ranks_shared(rk)) {
		int made = rk->rank == 0 && !ret ?
			   create_destinations(c, p, why, len) : 0;

		*wait = cluster_barrier(CLUSTER_TIGHT, timeout, rk->broken,
					sizeof(rk->broken));
		ret = ret ? ret : made;
	}
	if (!*wait && active && !ret)
		planted_stall(rk->rank);
	for (unsigned i = 0; !*wait && active && !ret && i < p->k; i++) {
		if (stonewall > 0 && cluster_now() - t0 >= stonewall) {
			m->stonewalled = 1;
			break;
		}
		if (p->range.len || !ranks_shared(rk))
			ret = copy_unit_file(&u, p->src[i], 0, p->dst[i],
					     ranks_shared(rk) ?
					     COPY_UNIT_EXISTING :
					     COPY_UNIT_CREATE, &p->range,
					     &m->sync_seconds, why, len);
		if (ret)
			snprintf(why + strlen(why), len - strlen(why),
				 " (file %u of %u)", i + 1, p->k);
		else
			m->files++, m->bytes += p->range.len;
	}
	m->finish = cluster_now();
	getrusage(RUSAGE_SELF, &ru1);
	m->cpu_user = clock_tv_seconds(&ru1.ru_utime) -
		      clock_tv_seconds(&ru0.ru_utime);
	m->cpu_sys = clock_tv_seconds(&ru1.ru_stime) -
		     clock_tv_seconds(&ru0.ru_stime);
	copy_unit_teardown(&u);
	return ret;
}

/* One rank's figures into the sample (every rank computes it alike). */
static int aggregate(const struct ranks *rk, const struct cell *c,
		     struct sample *out, struct cell_usage *ru,
		     uint64_t *verified)
{
	unsigned n = c->ranks;
	double first = INFINITY, last = -INFINITY, done = INFINITY;
	bool walled = false;
	uint64_t bytes = 0, fewest = UINT64_MAX;

	memset(out, 0, sizeof(*out));
	memset(ru, 0, sizeof(*ru));
	*verified = 0;
	out->per_rank = calloc(n, sizeof(*out->per_rank));
	if (!out->per_rank)
		return -ENOMEM;
	for (unsigned r = 0; r < n; r++) {
		const struct rank_msg *m = &rk->all[r];

		first = fmin(first, m->start);
		last = fmax(last, m->finish);
		done = fmin(done, m->finish);
	}
	for (unsigned r = 0; r < n; r++) {
		const struct rank_msg *m = &rk->all[r];

		out->per_rank[r] = (struct rank_figure){
			m->start - first, m->finish - m->start, m->bytes,
			m->files };
		out->cpu_user += m->cpu_user;
		out->cpu_sys += m->cpu_sys;
		out->sync_seconds = fmax(out->sync_seconds, m->sync_seconds);
		out->src_pages += m->src_pages;
		out->src_resident_before += m->src_before;
		out->src_resident_after = out->src_resident_after < 0 ||
					  m->src_after < 0 ? -1 :
					  out->src_resident_after +
					  m->src_after;
		out->dst.cached += m->dst.cached;
		out->dst.dirty = out->dst.dirty < 0 || m->dst.dirty < 0 ? -1 :
				 out->dst.dirty + m->dst.dirty;
		out->dst.writeback = out->dst.writeback < 0 ||
				     m->dst.writeback < 0 ? -1 :
				     out->dst.writeback + m->dst.writeback;
		ru->user += m->ru.user;
		ru->sys += m->ru.sys;
		ru->minflt += m->ru.minflt;
		ru->majflt += m->ru.majflt;
		ru->nvcsw += m->ru.nvcsw;
		ru->nivcsw += m->ru.nivcsw;
		ru->maxrss_kb = ru->maxrss_kb > m->ru.maxrss_kb ?
				ru->maxrss_kb : m->ru.maxrss_kb;
		walled |= m->stonewalled;
		bytes += m->bytes;
		*verified += m->files;
		if (m->files < fewest)
			fewest = m->files;
	}
	/* a shared file is whole (and verified) once every range is */
	if (ranks_shared(rk))
		*verified = fewest;
	out->seconds = last - first;
	out->first_finish = done - first;
	out->residency_ok = c->cache == CACHE_WARM ?
			    (uint64_t)out->src_resident_before ==
			    out->src_pages : out->src_resident_before == 0;
	/* a stonewall cut the batch: count what was copied */
	if (walled)
		out->copies = c->size ? (double)bytes / (double)c->size :
			      (double)*verified;
	return 0;
}

int ranks_sample(struct ranks *rk, const struct copy_strategy *s,
		 const struct cell *c, unsigned k, struct sample *out,
		 struct cell_usage *ru, uint64_t *verified, char *why,
		 size_t len)
{
	bool active = rk->rank < (int)c->ranks;
	struct rusage ru0, ru1;
	struct cache_pages before, after;
	struct rank_msg m;
	struct part p = { 0 };
	int ret = 0, wait = 0;

	memset(&m, 0, sizeof(m));
	rk->samples++;
	getrusage(RUSAGE_SELF, &ru0);
	if (active) {
		ret = make_part(rk, c, k, &p, why, len);
		if (!ret)
			ret = prepare_cache(rk, c, &p, why, len);
		/* the previous sample's unlinked files: committed, so no
		 * journal work from them lands in this timed region */
		syncfs(rk->scratch_fd);
		if (!ret) {
			ret = part_pages(&p, p.src, k, &m.src_pages, &before);
			if (ret)
				strategy_why(why, len, ret, "reading source "
					     "residency: %s", strerror(-ret));
			m.src_before = before.cached;
		}
	}
	ret = timed_copy(rk, s, c, &p, ret, &m, &wait, why, len);
	if (wait) {
		ret = wait == -EINTR ? wait : -EPIPE;
		strategy_why(why, len, ret, "%s", rk->broken);
		goto out_free;
	}
	if (active && !ret) {
		m.src_after = part_pages(&p, p.src, k, NULL, &after) ? -1 :
			      after.cached;
		if (part_pages(&p, p.dst, m.files, NULL, &m.dst))
			m.dst = (struct cache_pages){ -1, -1, -1 };
		planted_corruption(rk->rank, &p);
		ret = verify_part(rk, c, &p, m.files, why, len);
	}
	getrusage(RUSAGE_SELF, &ru1);
	add_rusage(&m.ru, &ru0, &ru1);
	ranks_set_status(rk, &m, ret, why);
	wait = ranks_exchange(rk, &m, sample_timeout(rk));
	if (wait) {
		ret = wait;
		strategy_why(why, len, ret, "%s", rk->broken);
		goto out_free;
	}
	ret = ranks_first_failure(rk, why, len);
	if (!ret && aggregate(rk, c, out, ru, verified))
		ret = strategy_why(why, len, -ENOMEM, "%s", strerror(ENOMEM));
out_free:
	/* also removes a failed copy's partial output (ENOSPC); shared:
	 * rank 0, after the exchange: every rank is done with them */
	if (p.owns_dir && (!ranks_shared(rk) || !wait))
		tree_copy_remove(AT_FDCWD, p.dir);
	free_part(&p);
	return ret;
}
