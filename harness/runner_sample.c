// SPDX-License-Identifier: MIT
/*
 * One sample of a cell (runner_internal.h): the sources' cache state,
 * the forked child, verification against the sources' hashes, cleanup;
 * the batch size, and the warm-ups that calibrate it.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "cell_io.h"
#include "clock.h"
#include "cluster.h"
#include "dataset.h"
#include "diskstats.h"
#include "io_latency.h"
#include "lockstep.h"
#include "profile.h"
#include "ranks.h"
#include "runner_internal.h"
#include "sample_files.h"
#include "source_tree.h"
#include "strategies.h"
#include "threads.h"
#include "tree_copy.h"

/* runner_policy.h: the batch rules, shared with the estimate */
#define BATCH_MAX_FILES RUNNER_BATCH_MAX_FILES
#define BATCH_MAX_BYTES RUNNER_BATCH_MAX_BYTES
/* Files copied by the calibration sample of sizes up to this. */
#define CALIBRATION_SMALL_SIZE (64ull << 10)
#define CALIBRATION_FILES 16u

/*
 * Puts one source in the cache state and checks it took: eviction can
 * leave a page behind (a racing reader, a page under writeback), so it is
 * retried a few times. A state that still does not hold is not an error
 * here: the child's check right before the clock records it on the
 * sample and the report warns.
 */
static int settle_source_cache(int fd, enum cache_mode mode, bool user_file)
{
	uint64_t pages = cache_file_pages(fd);

	for (int attempt = 0; attempt < 3; attempt++) {
		struct cache_pages cp;
		int ret;

		if (mode == CACHE_WARM)
			ret = cache_warm_fd(fd);
		else if (user_file)
			/* no fdatasync: a user's dirty pages are not ours to
			 * flush; the residency check records what stays */
			ret = -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		else
			ret = cache_evict_fd(fd);

		if (ret)
			return ret;
		if (cache_pages_of(fd, &cp))
			return 0;
		if (mode == CACHE_WARM ? (uint64_t)cp.cached >= pages
				       : cp.cached == 0)
			return 0;
	}
	return 0;
}

/* Puts the sources of a batch in the cell's cache state. */
static int prepare_cache(const struct runner *r, const struct cell *c,
			 char *const *src, unsigned k, char *why, size_t len)
{
	if (c->cache == CACHE_COLD && r->run->request.drop_caches) {
		int ret = r->run->request.cold_metadata ?
			  cache_drop_all_metadata() : cache_drop_all();

		if (ret)
			return strategy_why(why, len, ret,
					    "dropping caches: %s",
					    strerror(-ret));
		return 0;
	}
	for (unsigned i = 0; i < k; i++) {
		int fd = r->tree ? source_tree_open(r->tree, i, 0)
				 : open(src[i], O_RDONLY | O_CLOEXEC);
		int ret;

		if (fd < 0)
			return strategy_why(why, len, r->tree ? fd : -errno,
					    "opening %s: %s", src[i],
					    strerror(r->tree ? -fd : errno));
		ret = settle_source_cache(fd, c->cache, r->tree);
		close(fd);
		if (ret)
			return strategy_why(why, len, ret, "%s the source: %s",
					    c->cache == CACHE_WARM ?
					    "warming" : "evicting",
					    strerror(-ret));
	}
	return 0;
}

/*
 * A cold sample leaves its sources as it found them: not cached. Its
 * copy read them into the page cache in its own pattern - readahead
 * through splice, mmap's faults, read(2)'s buffer - and the page cache
 * keeps a file in folios of the sizes that reading made, so a warm cell
 * sampled next in the round (the order is shuffled) found the source in
 * the folios of whichever cold copy ran last, and copied it at its
 * speed. Measured, `mmap` 100M warm in a headline sweep: 22-26 ms after
 * a cold `sendfile`, `splice` or `copy_file_range`, 33-39 ms after a
 * cold `odirect` or `libaio` (which cache nothing, so the warm-up read
 * the source itself), 39-48 ms after a cold `stdio`: one cell, two or
 * three levels. Evicted, the next warm sample reads it back the one way
 * settle_source_cache() does (sources are evicted once made too:
 * runner_ensure_sources()). Untimed; a failure changes no figure.
 */
static void leave_sources_cold(const struct runner *r, char *const *src,
			       unsigned k)
{
	for (unsigned i = 0; i < k; i++)
		runner_evict_source(r, i, src[i]);
}

/* Checks every destination against its source's hash (and size). */
static int verify_batch(const struct runner *r, const struct cell *c,
			char *const *dst, unsigned k, char *why, size_t len)
{
	for (unsigned i = 0; i < k; i++) {
		uint64_t size = r->tree ? r->tree->files[i].size : c->size;
		uint64_t h = 0;
		int ret = sample_files_hash_copy(dst[i], i, size, 0, size, &h,
						 why, len);

		if (ret)
			return ret;
		if (h != r->hashes[i])
			return strategy_why(why, len, -EBADMSG,
					    "verification failed: dst %u "
					    "differs from source (hash "
					    "%016llx != %016llx)", i,
					    (unsigned long long)h,
					    (unsigned long long)r->hashes[i]);
	}
	return 0;
}

static void free_paths(char **p, unsigned k)
{
	if (!p)
		return;
	for (unsigned i = 0; i < k; i++)
		free(p[i]);
	free(p);
}

/* The sample's sources and destinations: dir/dst-I, a tree's mirror
 * dir/tree/REL, or dir/<the source's name> for a tool given the whole
 * batch (cp -t dir SRC...). */
static int make_paths(const struct runner *r, const char *dir, unsigned k,
		      bool by_name, bool cold, char ***src, char ***dst)
{
	char **s = calloc(k, sizeof(*s)), **d = calloc(k, sizeof(*d));
	char p[FILE_PATH_MAX];

	*src = s;
	*dst = d;
	if (!s || !d)
		return -ENOMEM;
	for (unsigned i = 0; i < k; i++) {
		if (r->tree)
			snprintf(p, sizeof(p), "%s", r->tree->files[i].path);
		else
			runner_src_path(r, i, cold && r->cold_pool, p,
					sizeof(p));
		s[i] = strdup(p);
		/* a tree's copy mirrors it below SAMPLE/tree */
		if (r->tree)
			snprintf(p, sizeof(p), "%s/" TREE_COPY_DIR "/%s", dir,
				 r->tree->files[i].rel);
		else if (by_name && s[i])
			snprintf(p, sizeof(p), "%s/%s", dir,
				 strrchr(s[i], '/') + 1);
		else
			snprintf(p, sizeof(p), "%s/dst-%u", dir, i);
		d[i] = strdup(p);
		if (!s[i] || !d[i])
			return -ENOMEM;
	}
	return 0;
}

static void add_usage(struct cell_usage *u, const struct rusage *ru)
{
	u->user += clock_tv_seconds(&ru->ru_utime);
	u->sys += clock_tv_seconds(&ru->ru_stime);
	u->minflt += ru->ru_minflt;
	u->majflt += ru->ru_majflt;
	u->nvcsw += ru->ru_nvcsw;
	u->nivcsw += ru->ru_nivcsw;
	if (ru->ru_maxrss > u->maxrss_kb)
		u->maxrss_kb = ru->ru_maxrss;
}

/*
 * Every sample of a sequential cell (one thread, not pinned, a reference
 * tool too) in a round runs on one CPU: the fastest of those this
 * process may use, as a probe before the round found them
 * (env_noise_pick_cpu() says why); unprobed (no reference samples, and
 * taking turns with --lockstep, where both sweeps must run a turn's
 * samples on one CPU), the (r mod n)-th of the n in round r, and so
 * are the warm-ups. Why one CPU a round: on the development VM the two
 * vCPUs ran the same copy at speeds 10-45% apart, for tens of seconds at
 * a time, which one was slower changing over minutes (1M rw, 16 files a
 * sample: 301-318 us on CPU 0 against 341-460 us on CPU 1, back to
 * back). Left to the scheduler, a run's samples settle on whichever CPU,
 * and every cell of a size moves with that CPU's speed; compare REF's
 * two sweeps may each sit on its own (one side 20% slower in every cell
 * of a pass). The cells of one round (and compare REF's two samples of a
 * turn pair) share theirs, and the round's CPU is recorded with the
 * sample. Threaded and pinned cells bind their own threads (threads.h).
 */
int runner_sample_cpu(const struct runner *r, const struct cell *c)
{
	unsigned want, seen = 0;

	if (r->n_cpus < 2 || r->ranks || threads_cell_pooled(c))
		return -1;
	if (r->in_rounds && r->round_cpu >= 0)
		return r->round_cpu;
	want = r->round % r->n_cpus;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &r->cpus) && seen++ == want)
			return cpu;
	return -1;
}

/* A rusage holding what the ranks of an MPI sample used. */
static void usage_to_rusage(const struct cell_usage *u, struct rusage *ru)
{
	memset(ru, 0, sizeof(*ru));
	ru->ru_utime.tv_sec = (time_t)u->user;
	ru->ru_utime.tv_usec = (suseconds_t)((u->user - (time_t)u->user) * 1e6);
	ru->ru_stime.tv_sec = (time_t)u->sys;
	ru->ru_stime.tv_usec = (suseconds_t)((u->sys - (time_t)u->sys) * 1e6);
	ru->ru_minflt = u->minflt;
	ru->ru_majflt = u->majflt;
	ru->ru_nvcsw = u->nvcsw;
	ru->ru_nivcsw = u->nivcsw;
	ru->ru_maxrss = u->maxrss_kb;
}

/* sweep --mpi: one sample on every rank, in this process (ranks.h says
 * why there is no child), as run_sample() returns it. */
static int rank_sample(struct runner *r, size_t ci, unsigned k,
		       struct sample *out, struct rusage *ru, char *why,
		       size_t len)
{
	struct cell *c = &r->run->cells[ci];
	double start = clock_now() - r->t_start;
	struct cell_usage u;
	uint64_t verified = 0;
	int ret;

	r->cs[ci].seq++;
	/* request.c refuses --reference with --mpi */
	if (r->cs[ci].kind.type != CELL_KIND_STRATEGY)
		return strategy_why(why, len, -EINVAL, "%s: not with --mpi",
				    c->strategy);
	ret = ranks_sample(r->ranks, r->cs[ci].kind.strategy, c, k, out, &u,
			   &verified, why, len);
	if (ret)
		return ret;
	usage_to_rusage(&u, ru);
	c->copies_verified += verified;
	out->round = r->round;
	out->run = r->pass;
	out->start = start;
	return 0;
}

/*
 * Runs one sample of cell ci copying k files: cache preparation, the
 * forked child, verification, cleanup. 0 with *out filled (and rusage in
 * *ru), or -errno with the reason in why; -EINTR when stopped hard;
 * -EAGAIN when the sample process was stopped (job control) during the
 * sample, which is then not a measurement: run it again; -EAGAIN too when
 * a warm sample's sources were not all cached before the clock.
 */
static int run_sample(struct runner *r, size_t ci, unsigned k,
		      struct sample *out, struct rusage *ru, char *why,
		      size_t len)
{
	struct cell *c = &r->run->cells[ci];
	struct cell_state *cs = &r->cs[ci];
	struct sample_msg m;
	char **src = NULL, **dst = NULL, dir[PATH_MAX];
	struct diskstats_snapshot disk0, disk1, delta;
	struct run_io *io = r->run->io;
	bool have_disk = false;
	double start, *lat = NULL;
	struct io_latency_sample *io_lat = NULL;
	size_t lat_len = 0;
	bool disturbed, settled;
	int pfd[2], ret;
	pid_t pid;

	if (r->ranks)
		return rank_sample(r, ci, k, out, ru, why, len);
	/* by files, N threads copy N batches: k counts every file; a
	 * --source sample copies the whole tree */
	k = r->tree ? r->tree->n_files : threads_files_for(c, k);
	cs->seq++;
	ret = runner_make_sample_dir(r, dir, sizeof(dir));
	if (ret) {
		strategy_why(why, len, ret, "creating a sample directory in "
			     "%s: %s", r->scratch, strerror(-ret));
		return ret;
	}
	ret = make_paths(r, dir, k, !r->tree && cell_kind_batches(&cs->kind),
			 c->cache == CACHE_COLD, &src, &dst);
	if (ret) {
		strategy_why(why, len, ret, "%s", strerror(-ret));
		goto out_free;
	}
	ret = prepare_cache(r, c, src, k, why, len);
	if (ret)
		goto out_free;
	/* the previous sample's destinations are unlinked (their dirty
	 * pages dropped); commit that so no journal or writeback work
	 * from it lands in this timed region */
	syncfs(r->scratch_fd);
	runner_sync_sites(r);	/* --dir A,B: the other targets' too */
	if (pipe2(pfd, O_CLOEXEC)) {
		ret = strategy_why(why, len, -errno, "pipe: %s",
				   strerror(errno));
		goto out_free;
	}
	/* iobench profile: the child counts its timed region */
	c->profile.on = r->run->request.profile;
	/* per-copy times come back through shared memory; a pool's files
	 * overlap, so it has none */
	if (io && !threads_cell_pooled(c)) {
		lat_len = k * sizeof(*lat);
		lat = mmap(NULL, lat_len, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (lat == MAP_FAILED)
			lat = NULL;
		for (unsigned i = 0; lat && i < k; i++)
			lat[i] = -1;
	}
	/* per-I/O latencies too, one recorder per copying thread */
	if (io)
		io_lat = io_latency_sample_new(threads_cell_pooled(c) &&
					       c->threads ? c->threads : 1);
	/* the counters are of --dir's device: the first target's */
	have_disk = io && io->chain.n && !r->site &&
		    !diskstats_snapshot(&io->chain, NULL, &disk0);
	fflush(NULL);
	start = clock_now() - r->t_start;
	pid = fork();
	if (pid < 0) {
		ret = strategy_why(why, len, -errno, "fork: %s",
				   strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		goto out_free;
	}
	if (!pid) {
		close(pfd[0]);
		struct child_job j = {
			.kind = &cs->kind, .c = c,
			.sparse = r->run->request.sparse, .tree = r->tree,
			.preserve = r->run->request.preserve, .dir = dir,
			.src = src, .dst = dst, .k = k, .lat = lat,
			.io_lat = io_lat, .cpu = runner_sample_cpu(r, c),
			.seq = cs->seq,
		};

		runner_child_main(&j, pfd[1]);
	}
	close(pfd[1]);
	memset(ru, 0, sizeof(*ru));
	ret = runner_wait_child(pid, pfd[0], r->run->request.timeout, &m, ru,
				&disturbed, why, len);
	close(pfd[0]);
	if (have_disk && !diskstats_snapshot(&io->chain, NULL, &disk1))
		diskstats_delta(&disk0, &disk1, &delta);
	else
		have_disk = false;
	if (!ret && disturbed)
		/* its time includes the stop: measure it again */
		ret = strategy_why(why, len, -EAGAIN, "the sample process was "
				   "stopped during the sample");
	if (ret)
		goto out_free;
	if (m.status) {
		ret = m.status;
		snprintf(why, len, "%s", m.reason);
		goto out_free;
	}
	ret = verify_batch(r, c, dst, k, why, len);
	if (ret)
		goto out_free;
	c->copies_verified += k;
	/* a warm sample whose sources were not all cached right before the
	 * clock read part of them from the device: no warm measurement.
	 * prepare_cache() had checked them; something evicted pages in
	 * between (memory reclaim - a VM's balloon - or another process).
	 * Verified, then taken again, a few times per cell at most (not
	 * where the residency could not be counted). */
	settled = c->cache == CACHE_WARM ?
		  (uint64_t)m.src_before == m.src_pages : m.src_before == 0;
	if (!settled && c->cache == CACHE_WARM && m.src_before >= 0 &&
	    cs->unsettled < RUNNER_UNSETTLED_RETAKES) {
		cs->unsettled++;
		ret = strategy_why(why, len, -EAGAIN, "%" PRId64 " of %" PRIu64
				   " source pages cached before the clock",
				   m.src_before, m.src_pages);
		goto out_free;
	}
	if (c->profile.on && profile_add(&c->profile, &m.prof, k)) {
		ret = strategy_why(why, len, -ENOMEM, "%s", strerror(ENOMEM));
		goto out_free;
	}
	*out = (struct sample){
		.seconds = m.seconds,
		.sync_seconds = m.sync_seconds,
		.cpu_user = m.cpu_user,
		.cpu_sys = m.cpu_sys,
		.src_pages = m.src_pages,
		.src_resident_before = m.src_before,
		.src_resident_after = m.src_after,
		.dst = m.dst,
		.residency_ok = settled,
		.first_finish = m.first_finish,
		.round = r->round,
		.run = r->pass,
		.start = start,
		.cpu_known = m.cpu >= 0,
		.cpu = m.cpu >= 0 ? (unsigned)m.cpu : 0,
		.mem = m.mem,
	};
	/* the caller owns the per-thread figures (free them if unkept) */
	if (threads_cell_pooled(c)) {
		unsigned n = c->threads ? c->threads : 1;

		out->per_thread = malloc(n * sizeof(*out->per_thread));
		if (!out->per_thread) {
			ret = strategy_why(why, len, -ENOMEM, "%s",
					   strerror(ENOMEM));
			goto out_free;
		}
		memcpy(out->per_thread, m.per_thread,
		       n * sizeof(*out->per_thread));
	}
	/* a timed sample's copies, one level down (warm-ups are not) */
	if (r->keep_io) {
		cell_io_add_sample(io, ci, lat, k, have_disk ? &delta : NULL,
				   r->tree ? c->size : (uint64_t)k * c->size);
		ret = io_latency_add_sample(io, ci, io_lat);
		if (ret)
			strategy_why(why, len, ret, "%s", strerror(-ret));
	}
out_free:
	if (lat)
		munmap(lat, lat_len);
	io_latency_sample_free(io_lat);
	/* sources of their own (cold_pool): evicted right before the next
	 * cold sample instead, so the pages it reads into are those just
	 * freed, not ones a VM's free page reporting gave back meanwhile */
	if (c->cache == CACHE_COLD && src && !r->cold_pool)
		leave_sources_cold(r, src, k);
	/* also removes a failed copy's partial output (ENOSPC) */
	runner_retire_sample_dir(r, dir);
	free_paths(src, k);
	free_paths(dst, k);
	return ret;
}

int runner_record_sample(struct cell *c, struct cell_state *cs,
			 const struct sample *s, const struct rusage *ru)
{
	if (runner_grow((void **)&c->samples, &cs->cap, c->n_samples,
			sizeof(*c->samples)))
		return -ENOMEM;
	c->samples[c->n_samples++] = *s;
	add_usage(&c->usage, ru);
	return 0;
}

void runner_fail_cell(struct runner *r, size_t ci, const char *why)
{
	struct cell *c = &r->run->cells[ci];

	runner_set_reason(c, CELL_FAILED, "%s: %s", c->strategy, why);
	c->verified = false;
	r->cs[ci].running = false;
}

/* The most files a batch of this size may have: bounded in count, in
 * bytes, and by a quarter of the free space (sources + destinations). */
static unsigned batch_limit(const struct runner *r)
{
	/* with MPI every rank may write on the same filesystem */
	uint64_t size = (r->size > 4096 ? r->size : 4096) *
			(r->ranks ? (uint64_t)cluster_size() : 1);
	uint64_t lim = BATCH_MAX_FILES;

	if (r->size && BATCH_MAX_BYTES / r->size < lim)
		lim = BATCH_MAX_BYTES / r->size;
	if (r->avail / (4 * size) < lim)
		lim = r->avail / (4 * size);
	return lim ? lim : 1;
}

uint64_t runner_size_files_bound(const struct runner *r)
{
	const struct run *run = r->run;
	uint64_t samples = (uint64_t)RUNNER_EXTEND_FACTOR *
			   run->request.samples +
			   4 /* warm-ups, stopped samples */ +
			   RUNNER_UNSETTLED_RETAKES, files = 0;
	unsigned lim = batch_limit(r);

	for (size_t i = 0; i < run->n_cells; i++) {
		uint64_t per;

		if (!r->cs[i].running)
			continue;
		per = r->tree ? r->tree->n_files :
			threads_files_for(&run->cells[i], lim);
		files += samples * (per + 1);
	}
	return files + r->n_sources * (r->cold_pool ? 2 : 1);
}

/*
 * run_sample(), taken again (up to 10 tries) while job control stopped
 * the sample process during it, or a warm sample found its sources not
 * all cached: such a sample is no measurement. *t_last
 * (when not NULL) is when the last try began: the time before it went to
 * stopped samples, not to the cell.
 */
int runner_run_sample_again(struct runner *r, size_t ci, unsigned k,
			    struct sample *out, struct rusage *ru,
			    double *t_last, char *why, size_t len)
{
	int ret, tries = 0;

	/* sweep --lockstep: every sample process is one turn; a
	 * coordinator that has gone stops the run as a signal would */
	if (lockstep_turn()) {
		snprintf(why, len, "compare's coordinator has gone");
		return -EINTR;
	}
	do {
		if (t_last)
			*t_last = runner_clock(r);
		ret = run_sample(r, ci, k, out, ru, why, len);
	} while (ret == -EAGAIN && ++tries < 10 && !runner_stop_level);
	return ret == -EAGAIN && runner_stop_level ? -EINTR : ret;
}

/*
 * Warm-up of one cell: a calibration sample, then the batch size k from
 * the size (runner_batch_for(): smaller only for a slow strategy); when k
 * differs, a second warm-up with the full batch touches every file the
 * samples will use (with --stonewall, a third when the second ended
 * before the wall).
 */
int runner_warm_up(struct runner *r, size_t ci)
{
	struct cell *c = &r->run->cells[ci];
	unsigned lim = batch_limit(r), k0 = 1, k;
	struct sample s;
	struct rusage ru;
	char why[REASON_LEN];
	double t0 = runner_clock(r), work;
	unsigned seq0 = r->cs[ci].seq;
	int ret;

	runner_use_target(r, ci);
	/* a later pass (--runs) keeps the batch of the first; --batch-from
	 * gave one (within this size's bound) */
	if (c->batch_fixed && !r->pass && !r->tree)
		c->batch = c->batch < lim ? c->batch : lim;
	if (r->pass || (c->batch_fixed && !r->tree)) {
		ret = r->tree ? 0 :
		      runner_ensure_sources(r, threads_files_for(c, c->batch),
					    why, sizeof(why));
		if (!ret)
			ret = runner_run_sample_again(r, ci, c->batch, &s, &ru,
						      NULL, why, sizeof(why));
		if (!ret)
			free(s.per_thread), free(s.per_rank);
		goto out;
	}
	if (c->size <= CALIBRATION_SMALL_SIZE && !r->tree)
		k0 = lim < CALIBRATION_FILES ? lim : CALIBRATION_FILES;
	/* --source: the tree is there already, and one copy of it is the
	 * batch (1): times, MiB/s and CPU per GiB are per tree */
	ret = r->tree ? 0 :
	      runner_ensure_sources(r, threads_files_for(c, k0), why,
				    sizeof(why));
	if (!ret)
		ret = runner_run_sample_again(r, ci, k0, &s, &ru, NULL, why,
					      sizeof(why));
	if (ret)
		goto out;
	free(s.per_thread);
	free(s.per_rank);
	work = s.seconds;
	/* a tool copying the batch in one process: the batch is sized by
	 * its copy work, so its one start-up is spread over as many files
	 * as a strategy's sample holds */
	if (!r->tree && cell_kind_batches(&r->cs[ci].kind) &&
	    c->tool_start > 0)
		work = fmax(s.seconds - c->tool_start, s.seconds / 10);
	k = r->tree ? 1 : runner_batch_for(&r->run->request, c->size, work / k0,
				    lim);
	c->batch = k;
	c->warmup_seconds = s.seconds;
	if (k != k0) {
		ret = runner_ensure_sources(r, threads_files_for(c, k), why,
					    sizeof(why));
		if (!ret)
			ret = runner_run_sample_again(r, ci, k, &s, &ru, NULL,
						      why, sizeof(why));
		if (ret)
			goto out;
		free(s.per_thread);
		free(s.per_rank);
		c->warmup_seconds = s.seconds;
	}
	/* --stonewall: a batch sized from the first copies (first touch
	 * included) can end before the wall in every sample, and then no
	 * sample is cut; sized again, once, from the full batch's warm-up
	 * when that one ended before the wall */
	if (!r->tree && r->run->request.stonewall > 0 && k < lim &&
	    s.seconds > 0 && s.seconds < r->run->request.stonewall) {
		unsigned k2 = runner_batch_for(&r->run->request, c->size,
					       s.seconds / k, lim);

		if (k2 > k) {
			k = c->batch = k2;
			ret = runner_ensure_sources(r, threads_files_for(c, k),
						    why, sizeof(why));
			if (!ret)
				ret = runner_run_sample_again(r, ci, k, &s,
							      &ru, NULL, why,
							      sizeof(why));
			if (ret)
				goto out;
			free(s.per_thread);
			free(s.per_rank);
			c->warmup_seconds = s.seconds;
		}
	}
out:
	r->cs[ci].wall += runner_clock(r) - t0;
	r->samples_done += r->cs[ci].seq - seq0;
	if (ret == -EPIPE && r->ranks)
		return ret;	/* the job broke: no cell's fault */
	if (ret && ret != -EINTR)
		runner_fail_cell(r, ci, why);
	return ret == -EINTR ? ret : 0;
}
