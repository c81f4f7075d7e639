// SPDX-License-Identifier: MIT
/*
 * The sweep runner: plans the cells, generates each size's sources once and
 * runs every sample in a forked child, round-robin over the cells of a size,
 * with the page cache prepared and the copies verified outside the timing.
 */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cache.h"
#include "cell_io.h"
#include "clock.h"
#include "cluster.h"
#include "copy_unit.h"
#include "dataset.h"
#include "estimate.h"
#include "fmt.h"
#include "memcount.h"
#include "profile.h"
#include "ranks.h"
#include "reference.h"
#include "runner_internal.h"
#include "scratch.h"
#include "signals.h"
#include "source_tree.h"
#include "tree_copy.h"
#include "stats.h"
#include "strategies.h"
#include "threads.h"
#include "workload.h"

/* runner.h: the batch rules, shared with the estimate */
#define BATCH_TARGET_SECONDS RUNNER_BATCH_TARGET_SECONDS
#define BATCH_MAX_FILES RUNNER_BATCH_MAX_FILES
#define BATCH_MAX_BYTES RUNNER_BATCH_MAX_BYTES
/* A fast strategy's copy on this kind of machine, for the batch size: a
 * fixed cost (open, create, close) and page-cache bandwidth. And the
 * longest a slow strategy's sample may last: long enough that a busy
 * machine's calibration (400 us for a 4K copy under a load of 15 on 2
 * CPUs) does not halve a fast strategy's batch. */
#define BATCH_MODEL_FIXED_SECONDS 20e-6
#define BATCH_MODEL_BANDWIDTH (2.0 * 1024 * 1024 * 1024)
#define BATCH_MAX_SECONDS 0.25
/* Files copied by the calibration sample of sizes up to this. */
#define CALIBRATION_SMALL_SIZE (64ull << 10)
#define CALIBRATION_FILES 16u
#define MIN_SAMPLES RUNNER_MIN_SAMPLES

volatile sig_atomic_t runner_stop_level;

void runner_request_stop(void)
{
	if (runner_stop_level < 2)
		runner_stop_level++;
	cluster_request_stop();
}

/* Asked between the files of untimed work (writing a dataset). */
static bool stopping(void *ctx)
{
	(void)ctx;
	return runner_stop_level > 0;
}

/* When a cell's median 95% CI reaches further than this share of the
 * median after n rounds, every cell of the size gets more rounds, up to
 * EXTEND_FACTOR x n (budget permitting): all cells keep the same rounds,
 * so they stay paired. */
#define PRECISION_TARGET 0.05
#define EXTEND_FACTOR RUNNER_EXTEND_FACTOR

/* A stop was asked for; with MPI, as every rank agreed at the last
 * exchange, so all of them stop at the same point. */
static bool stop_asked(const struct runner *r)
{
	return r->ranks ? ranks_stopping(r->ranks) : runner_stop_level > 0;
}

/* Seconds on the clock budgets are counted with: with MPI, one every
 * rank reads alike (ranks_clock()), so they all end a cell together. */
double runner_clock(const struct runner *r)
{
	return r->ranks ? ranks_clock(r->ranks) : clock_now();
}

void runner_set_reason(struct cell *c, enum cell_status st, const char *fmt,
		       ...)
{
	va_list ap;
	char *r = NULL;

	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		r = NULL;
	va_end(ap);
	free(c->reason);
	c->reason = r;
	c->status = st;
}

/* Makes room for one more element after n in *array (capacity *cap),
 * doubling it. 0 or -ENOMEM (the array is left as it was). */
int runner_grow(void **array, size_t *cap, size_t n, size_t elem)
{
	size_t want = *cap ? 2 * *cap : 16;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*array, want * elem);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = want;
	return 0;
}

/* ---- estimates and progress ---- */

double runner_estimate_seconds(const struct run *run)
{
	return estimate_run_seconds(run);
}

/* Measured seconds per timed sample of a cell, NAN before its first
 * (a warm-up's batch may differ from the samples'). */
static double measured_cost(const struct cell_state *cs)
{
	return cs->timed ? cs->timed_wall / cs->timed : NAN;
}

/*
 * The model's cost of a sample of cell i, scaled by how the samples run
 * so far compared with the model's figures for them: half-way (the
 * square root of the ratio) and by at most 1.5x either way, as the
 * model's error on one size (per-file costs of 1K batches) says little
 * about the next (100M is bytes).
 */
static double scaled_cost(const struct runner *r, size_t i)
{
	double k = r->model_done > 0 ? sqrt(r->wall_done / r->model_done) :
				       1;

	k = k > 1.5 ? 1.5 : k < 1 / 1.5 ? 1 / 1.5 : k;
	return k * estimate_sample_seconds(r->run, &r->run->cells[i]);
}

static double cost_of(const struct runner *r, size_t i)
{
	double m = measured_cost(&r->cs[i]);

	return isnan(m) ? scaled_cost(r, i) : m;
}

/* The half-width of the 95% CI of the cell's median per-copy time as a
 * share of the median (the larger side); 0 when it cannot be told. */
static double median_ci_share(const struct cell *c)
{
	double *x = results_per_copy(c), h = 0;
	struct estimates e;

	if (x && !stats_estimate(x, c->n_samples, 0.95, &e) && e.median > 0) {
		h = e.median_hi - e.median;
		if (e.median - e.median_lo > h)
			h = e.median - e.median_lo;
		h /= e.median;
	}
	free(x);
	return h;
}

/*
 * Rounds the running size will end with, as size_finished() will decide:
 * --samples; more while a cell's median is imprecise (its CI narrows as
 * 1/sqrt(rounds), so the noisiest cell needs rounds x (share / target)^2),
 * at most EXTEND_FACTOR x; fewer once a cell spends its budget. At least
 * the round under way.
 */
static double rounds_expected(const struct runner *r)
{
	const struct run *run = r->run;
	unsigned n = run->request.samples, min = n < MIN_SAMPLES ? n :
						 MIN_SAMPLES;
	double want = n, cap = INFINITY;

	if (r->round >= min)
		for (size_t i = 0; i < run->n_cells; i++) {
			double h, need;

			if (!r->cs[i].running)
				continue;
			h = median_ci_share(&run->cells[i]);
			need = r->round * (h / PRECISION_TARGET) *
			       (h / PRECISION_TARGET);
			if (need > want)
				want = need;
		}
	if (want > EXTEND_FACTOR * n)
		want = EXTEND_FACTOR * n;
	for (size_t i = 0; i < run->n_cells; i++) {
		double per = cost_of(r, i), b;

		if (!r->cs[i].running || !(per > 0))
			continue;
		b = r->round + (run->request.budget - r->cs[i].wall) / per;
		if (b < cap)
			cap = b;
	}
	if (cap < want)
		want = cap < min ? min : ceil(cap);
	return want < r->round + 1 ? r->round + 1 : want;
}

/* The size index of a cell, or n_sizes when none. */
static size_t size_index(const struct run *run, const struct cell *c)
{
	size_t z;

	for (z = 0; z < run->request.n_sizes; z++)
		if (run->request.sizes[z] == c->size)
			break;
	return z;
}

/*
 * Samples and seconds still to run: the size under way from its cells'
 * measured costs (the rest of this round, then the rounds it is expected
 * to end with), and every size and --runs pass after it from the model
 * (a size cut short by its budget says nothing of the next one's rounds),
 * its costs scaled by how the measured samples compared with it.
 */
static void work_left(const struct runner *r, double *samples,
		      double *seconds)
{
	const struct run *run = r->run;
	unsigned runs = run->request.runs ? run->request.runs : 1;
	double this_size = r->in_rounds ? rounds_expected(r) - r->round - 1 :
					  0;
	bool later_pass = r->pass > 0;
	/* the model's rounds per size: once per call, not per cell */
	size_t nz = run->request.n_sizes;
	double *by_size = calloc(nz + 1, sizeof(*by_size));

	*samples = *seconds = 0;
	for (size_t z = 0; by_size && z < nz; z++)
		by_size[z] = estimate_rounds(run, run->request.sizes[z]);
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		const struct cell_state *cs = &r->cs[i];
		size_t z = size_index(run, c);
		double rounds, n = 0;

		if (c->status != CELL_PENDING && c->status != CELL_OK)
			continue;
		rounds = by_size && z < nz ? by_size[z] :
			 estimate_rounds(run, c->size);
		if (cs->running && r->in_rounds)
			n = this_size + !cs->sampled_this_round;
		else if (cs->running)
			n = (cs->warmed ? 0 : estimate_warmups(run, c,
							       later_pass)) +
			    rounds;
		else if (z > r->size_idx)
			n = estimate_warmups(run, c, later_pass) + rounds;
		/* the --runs passes after this one */
		n += (runs - r->pass - 1) *
		     (estimate_warmups(run, c, true) + rounds);
		*samples += n;
		*seconds += n * cost_of(r, i);
	}
	for (size_t z = r->size_idx + 1; !later_pass && z < nz; z++)
		*seconds += estimate_size_setup(run, run->request.sizes[z]);
	free(by_size);
}

static void report_progress(struct runner *r, size_t ci)
{
	const struct runner_progress *p = r->progress;
	double samples, seconds;

	if (!p || !p->update)
		return;
	work_left(r, &samples, &seconds);
	p->update(p->ctx, r->run, ci, r->samples_done,
		  r->samples_done + (size_t)ceil(samples), seconds);
}

/* Counts a timed sample of cell i that took `wall` s, all in. */
static void count_sample(struct runner *r, size_t i, double wall)
{
	struct cell_state *cs = &r->cs[i];

	cs->timed_wall += wall;
	cs->timed++;
	r->samples_done++;
	r->wall_done += wall;
	r->model_done += estimate_sample_seconds(r->run, &r->run->cells[i]);
}

/* Puts the sources of a batch in the cell's cache state. */
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

/* Checks every destination against its source's hash (and size). */
static int verify_batch(const struct runner *r, const struct cell *c,
			char *const *dst, unsigned k, char *why, size_t len)
{
	for (unsigned i = 0; i < k; i++) {
		uint64_t size = r->tree ? r->tree->files[i].size : c->size;
		struct stat st;
		uint64_t h = 0;
		int fd = open(dst[i], O_RDONLY | O_CLOEXEC);
		int ret = 0;

		if (fd < 0)
			return strategy_why(why, len, -errno,
					    "verification failed: dst %u: %s",
					    i, strerror(errno));
		if (fstat(fd, &st))
			ret = -errno;
		else if ((uint64_t)st.st_size != size)
			ret = -EBADMSG;
		else
			ret = dataset_hash_fd(fd, size, &h);
		close(fd);
		if (ret == -EBADMSG)
			return strategy_why(why, len, ret,
					    "verification failed: dst %u is "
					    "%lld bytes, expected %llu", i,
					    (long long)st.st_size,
					    (unsigned long long)size);
		if (ret)
			return strategy_why(why, len, ret,
					    "verification failed: dst %u: %s",
					    i, strerror(-ret));
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
		      bool by_name, char ***src, char ***dst)
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
			runner_src_path(r, i, p, sizeof(p));
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
	ret = ranks_sample(r->ranks, r->cs[ci].s, c, k, out, &u, &verified,
			   why, len);
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
 * sample, which is then not a measurement: run it again.
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
	size_t lat_len = 0;
	bool disturbed;
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
			     "%s: %s", r->top, strerror(-ret));
		return ret;
	}
	ret = make_paths(r, dir, k, !r->tree && reference_batches(r->cs[ci].s),
			 &src, &dst);
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
	have_disk = io && io->chain.n &&
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
			.s = r->cs[ci].s, .c = c,
			.sparse = r->run->request.sparse, .tree = r->tree,
			.preserve = r->run->request.preserve, .dir = dir,
			.reference = reference_cell(c),
			.src = src, .dst = dst, .k = k, .lat = lat,
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
		.residency_ok = c->cache == CACHE_WARM ?
				(uint64_t)m.src_before == m.src_pages :
				m.src_before == 0,
		.first_finish = m.first_finish,
		.round = r->round,
		.run = r->pass,
		.start = start,
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
	if (r->keep_io)
		cell_io_add_sample(io, ci, lat, k, have_disk ? &delta : NULL,
				   r->tree ? c->size : (uint64_t)k * c->size);
out_free:
	if (lat)
		munmap(lat, lat_len);
	/* also removes a failed copy's partial output (ENOSPC) */
	runner_remove_sample_dir(dir);
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

/*
 * Files per sample: enough for BATCH_TARGET_SECONDS of a fast strategy's
 * copies (the model above: 256 files of 1K-4K, 16 of 1M, 1 from 16M),
 * rounded down to a power of two, halved while the calibration says a
 * sample would last more than BATCH_MAX_SECONDS; 1..lim. The count
 * depends on the size, not on one timed copy: a batch calibrated from a
 * single copy moved 10x between runs of a busy machine (4K rw: 24 files
 * in one run, 230 in the next), and a copy's median time moves with its
 * batch (a short sample escapes preemption a long one averages in), so
 * the same cell measured twice, or two copies of one strategy, did not
 * agree. Only a strategy far slower than the page cache gets a smaller
 * batch, in steps of 2x that a noisy calibration rarely crosses.
 * With --stonewall S a sample must last 2 S, so every rank is still
 * copying when the wall stops it: the calibration decides (1..lim).
 */
static unsigned batch_for(const struct run_request *rq, uint64_t size,
			  double per_copy, unsigned lim)
{
	double want = BATCH_TARGET_SECONDS /
		      (BATCH_MODEL_FIXED_SECONDS + size / BATCH_MODEL_BANDWIDTH);
	unsigned k = 1;

	if (rq->stonewall > 0) {
		want = per_copy > 0 ? ceil(2 * rq->stonewall / per_copy) : lim;
		return want < 1 ? 1 : want > lim ? lim : (unsigned)want;
	}
	while (k * 2 <= want && k * 2 <= lim)
		k *= 2;
	while (k > 1 && per_copy * k > BATCH_MAX_SECONDS)
		k /= 2;
	return k;
}

/*
 * run_sample(), taken again (up to 10 tries) while job control stopped
 * the sample process during it: such a sample is no measurement. *t_last
 * (when not NULL) is when the last try began: the time before it went to
 * stopped samples, not to the cell.
 */
int runner_run_sample_again(struct runner *r, size_t ci, unsigned k,
			    struct sample *out, struct rusage *ru,
			    double *t_last, char *why, size_t len)
{
	int ret, tries = 0;

	do {
		if (t_last)
			*t_last = runner_clock(r);
		ret = run_sample(r, ci, k, out, ru, why, len);
	} while (ret == -EAGAIN && ++tries < 10 && !runner_stop_level);
	return ret == -EAGAIN && runner_stop_level ? -EINTR : ret;
}

/*
 * Warm-up of one cell: a calibration sample, then the batch size k from
 * the size (batch_for(): smaller only for a slow strategy); when k
 * differs, a second warm-up with the full batch touches every file the
 * samples will use.
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
	if (!r->tree && reference_batches(r->cs[ci].s) && c->tool_start > 0)
		work = fmax(s.seconds - c->tool_start, s.seconds / 10);
	k = r->tree ? 1 : batch_for(&r->run->request, c->size, work / k0,
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
out:
	r->cs[ci].wall += runner_clock(r) - t0;
	r->samples_done += r->cs[ci].seq - seq0;
	if (ret == -EPIPE && r->ranks)
		return ret;	/* the job broke: no cell's fault */
	if (ret && ret != -EINTR)
		runner_fail_cell(r, ci, why);
	return ret == -EINTR ? ret : 0;
}

/* Whether the 95% CI of the cell's median per-copy time is within
 * PRECISION_TARGET of the median on both sides. */
static bool median_precise(const struct cell *c)
{
	return median_ci_share(c) <= PRECISION_TARGET;
}

/*
 * Whether the running cells of a size have enough rounds. All of them
 * stop together, so every cell has the same rounds (failed ones drop
 * out): at least RESULTS_MIN_SAMPLES; then --samples; then more, up to
 * EXTEND_FACTOR x --samples, while some cell's median is imprecise; and
 * no more once some cell has used its --budget.
 */
static bool size_finished(const struct runner *r)
{
	const struct run *run = r->run;
	unsigned n = run->request.samples;
	unsigned min = n < RESULTS_MIN_SAMPLES ? n : RESULTS_MIN_SAMPLES;
	bool precise = true, spent = false;

	if (r->round < min)
		return false;
	for (size_t i = 0; i < run->n_cells; i++) {
		if (!r->cs[i].running)
			continue;
		spent |= r->cs[i].wall >= run->request.budget;
		if (r->round >= n && precise)
			precise = median_precise(&run->cells[i]);
	}
	if (spent || r->round >= EXTEND_FACTOR * n)
		return true;
	return r->round >= n && precise;
}

/* A finished cell of the size: ok, and profiled when asked. */
static void finish_cell(struct runner *r, size_t ci)
{
	struct cell *c = &r->run->cells[ci];
	struct cell_state *cs = &r->cs[ci];

	c->status = CELL_OK;
	c->verified = true;
	cs->running = false;
	/* iobench profile: perf samples of the cell copying; its problems
	 * are recorded in the cell, not failures */
	if (r->run->request.profile && !stop_asked(r) && !r->tree) {
		char src[FILE_PATH_MAX];

		runner_src_path(r, 0, src, sizeof(src));
		(void)profile_hot_spots(cs->s, c, src, r->scratch);
	}
}

/* One timed sample of a running cell in the current round. */
static int sample_cell(struct runner *r, size_t ci)
{
	struct cell *c = &r->run->cells[ci];
	struct cell_state *cs = &r->cs[ci];
	struct sample s;
	struct rusage ru;
	char why[REASON_LEN];
	double t0 = runner_clock(r);
	int ret;

	/* a sample stopped by job control is taken again, in this round,
	 * and its time is not the cell's */
	r->keep_io = true;
	ret = runner_run_sample_again(r, ci, c->batch, &s, &ru, &t0, why,
				      sizeof(why));
	r->keep_io = false;
	cs->wall += runner_clock(r) - t0;
	if (ret == -EINTR || (ret == -EPIPE && r->ranks))
		return ret;
	if (!ret)
		count_sample(r, ci, runner_clock(r) - t0);
	if (!ret) {
		ret = runner_record_sample(c, cs, &s, &ru);
		if (ret)
			free(s.per_thread), free(s.per_rank);
	}
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(why, sizeof(why), "%s", strerror(ENOMEM));
		runner_fail_cell(r, ci, why);
	}
	return 0;
}

/* The order of one round: the running cells of the size, shuffled from
 * the seed, the size and the round, so position effects (the first cell
 * after a warm-up, the one after the biggest writer) move around. */
static size_t round_order(const struct runner *r, size_t *order)
{
	const struct run *run = r->run;
	uint64_t x = run->request.seed ^ (0x9e3779b97f4a7c15ull *
					  (r->size_idx + 1)) ^
		     ((uint64_t)r->round << 32);
	size_t n = 0;

	for (size_t i = 0; i < run->n_cells; i++)
		if (r->cs[i].running)
			order[n++] = i;
	/* Fisher-Yates with splitmix64: a few numbers per round, no need
	 * for GSL's generators here */
	for (size_t i = n; i > 1; i--) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ull);
		size_t j, t;

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		j = z % i;
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	return n;
}

/* A stopped sweep keeps what it measured: a cell with samples is ok (the
 * report warns about its sample count), one without stays pending. True
 * when some cell was cut short or never ran. */
static bool settle_interrupted(struct runner *r)
{
	bool cut = false;

	for (size_t i = 0; i < r->run->n_cells; i++) {
		struct cell *c = &r->run->cells[i];

		cut |= c->status == CELL_PENDING;
		if (!r->cs[i].running)
			continue;
		r->cs[i].running = false;
		if (c->n_samples) {
			c->status = CELL_OK;
			c->verified = true;
		}
	}
	return cut;
}

static void fail_size(struct runner *r, const char *why)
{
	for (size_t i = 0; i < r->run->n_cells; i++)
		if (r->cs[i].running)
			runner_fail_cell(r, i, why);
}

uint64_t runner_bytes_needed(uint64_t size)
{
	/* one source and one destination at least, with 1% slack */
	return size * 2 + size / 50 + 65536;
}

static int use_tree(struct runner *r, const struct source_tree *t, char *err,
		    size_t len);

/* Runs every pending cell of one size: warm-ups, then rounds. */
static int run_size(struct runner *r, uint64_t size, size_t size_idx)
{
	struct run *run = r->run;
	struct statvfs vfs;
	size_t active = 0, *order;
	char why[REASON_LEN];
	int ret = 0;

	r->size = size;
	r->size_idx = size_idx;
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		/* a later pass (--runs) runs the cells the first finished */
		r->cs[i].running = c->size == size &&
				   c->status == (r->pass ? CELL_OK :
							   CELL_PENDING);
		r->cs[i].wall = 0;
		r->cs[i].warmed = false;
		active += r->cs[i].running;
	}
	if (!active)
		return 0;
	r->in_rounds = false;
	r->round = 0;
	/* --dataset: each size is one of its trees */
	if (run->workload) {
		const struct workload_tree *t =
			workload_tree_of(run->workload, size);

		ret = use_tree(r, t ? t->tree : NULL, why, sizeof(why));
		if (ret) {
			fail_size(r, why);
			return ret == -ENOMEM ? ret : 0;
		}
	}
	r->avail = 0;
	if (!fstatvfs(r->scratch_fd, &vfs))
		r->avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	/* --src-dir: the sources take room there, the copies here; the
	 * smaller room bounds both */
	if (r->src_top[0] && !fstatvfs(r->src_fd, &vfs) &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < r->avail)
		r->avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	/* with MPI, the least any rank has: every rank decides alike */
	if (r->ranks) {
		ret = ranks_min(r->ranks, r->avail, &r->avail, why,
				sizeof(why));
		if (ret)
			return ret;
	}
	if (r->avail < runner_bytes_needed(size)) {
		char need[32], have[32];

		fmt_bytes(size * 2, need, sizeof(need));
		fmt_bytes(r->avail, have, sizeof(have));
		snprintf(why, sizeof(why),
			 "%s: needs %s in --dir%s, %s available",
			 strerror(ENOSPC), need,
			 r->src_top[0] ? " and --src-dir" : "", have);
		fail_size(r, why);
		return 0;
	}
	for (size_t i = 0; i < run->n_cells && !ret; i++) {
		if (!r->cs[i].running)
			continue;
		if (stop_asked(r))
			ret = -EINTR;
		else
			ret = runner_warm_up(r, i);
		r->cs[i].warmed = true;
		report_progress(r, i);
	}
	order = malloc(run->n_cells * sizeof(*order));
	if (!order)
		ret = -ENOMEM;
	r->in_rounds = true;
	for (r->round = 0; !ret; r->round++) {
		size_t n = round_order(r, order);

		if (!n || size_finished(r))
			break;
		for (size_t k = 0; k < n; k++)
			r->cs[order[k]].sampled_this_round = false;
		for (size_t k = 0; k < n && !ret; k++) {
			if (stop_asked(r)) {
				ret = -EINTR;
				break;
			}
			ret = sample_cell(r, order[k]);
			r->cs[order[k]].sampled_this_round = true;
			report_progress(r, order[k]);
		}
	}
	for (size_t i = 0; !ret && i < run->n_cells; i++) {
		if (!r->cs[i].running)
			continue;
		finish_cell(r, i);
		report_progress(r, i);
	}
	free(order);
	runner_remove_sources(r);
	return ret == -ENOMEM ? (fail_size(r, strerror(ENOMEM)), 0) : ret;
}

/* --source, --dataset: the scanned tree's files are the sources and
 * their hashes, taken before the run, what every copy is verified
 * against. */
static int use_tree(struct runner *r, const struct source_tree *t, char *err,
		    size_t len)
{
	if (!t)
		return strategy_why(err, len, -EINVAL, "the tree was not "
				    "scanned");
	free(r->hashes);
	r->hashes = malloc(t->n_files * sizeof(*r->hashes));
	if (!r->hashes)
		return strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
	for (size_t i = 0; i < t->n_files; i++)
		r->hashes[i] = t->files[i].hash;
	r->cap_sources = t->n_files;
	r->tree = t;
	return 0;
}

int runner_run(struct run *run, const struct runner_progress *progress,
	       char *err, size_t len)
{
	const char *dir = run->request.dir ? run->request.dir : ".";
	struct runner r = {
		.run = run,
		.progress = progress,
		.scratch_fd = -1,
		.src_fd = -1,
		.t_start = clock_now(),
	};
	unsigned runs = run->request.runs ? run->request.runs : 1, passes = 0;
	int ret = 0;

	if (len)
		err[0] = '\0';
	r.cs = calloc(run->n_cells ? run->n_cells : 1, sizeof(*r.cs));
	if (!r.cs || (!run->io && run_io_init(run))) {
		free(r.cs);
		return strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
	}
	for (size_t i = 0; i < run->n_cells; i++) {
		r.cs[i].s = strategy_find(run->cells[i].strategy);
		if (!r.cs[i].s)
			r.cs[i].s = reference_find(run->cells[i].strategy);
		if (!r.cs[i].s && run->cells[i].status == CELL_PENDING)
			runner_set_reason(&run->cells[i], CELL_FAILED,
					  "%s: unknown strategy",
					  run->cells[i].strategy);
	}
	if (run->request.source) {
		ret = use_tree(&r, run->source_tree, err, len);
		if (ret)
			goto out_free;
	}
	/* marked with this process: a run killed outright leaves it for
	 * the next one to remove (scratch.h) */
	ret = runner_make_scratch(dir, r.top, r.scratch, sizeof(r.top),
				  &r.scratch_fd, err, len);
	if (!ret && run->request.src_dir) {
		ret = runner_make_scratch(run->request.src_dir, r.src_top,
					  r.src_scratch, sizeof(r.src_top),
					  &r.src_fd, err, len);
		if (ret)
			runner_remove_scratch(&r);
	}
	/* sweep --mpi: every rank made its own, or none goes on */
	if (cluster_on()) {
		r.ranks = ranks_new(run, ret, r.top, r.scratch, r.scratch_fd,
				    err, len);
		if (!r.ranks) {
			ret = ret ? ret : -EIO;
			runner_remove_scratch(&r);
			goto out_free;
		}
	}
	if (ret)
		goto out_free;
	/* --dataset: written and scanned before the first cell, untimed */
	if (run->workload)
		ret = workload_materialize(run->workload, r.top, stopping, NULL,
					   err, len);
	/* --runs N: N independent passes over every size, each with fresh
	 * sources and its own warm-ups and rounds */
	for (r.pass = 0; r.pass < runs && !ret; r.pass++) {
		for (size_t z = 0; z < run->request.n_sizes && !ret; z++)
			ret = run_size(&r, run->request.sizes[z], z);
		passes += !ret;
	}
	if (r.ranks && ranks_broken(r.ranks))
		/* a rank died, hung or was stopped: what the others measured
		 * until then is kept, marked incomplete */
		results_add_warning(run, "the MPI job broke: %s",
				    ranks_broken(r.ranks));
	if (ret == -EPIPE && r.ranks) {
		run->incomplete = true;
		settle_interrupted(&r);
		strategy_why(err, len, ret, "%s", ranks_broken(r.ranks) ?
			     ranks_broken(r.ranks) : "the MPI job broke");
	} else if (ret == -EINTR || runner_stop_level) {
		/* a stop after the last sample cut nothing short; one before
		 * the last pass ended leaves fewer runs than asked */
		run->incomplete = settle_interrupted(&r) || passes < runs;
		ret = -EINTR;
		strategy_why(err, len, ret, "interrupted");
	}
	workload_remove(run->workload);
	ranks_free(r.ranks);
	runner_remove_scratch(&r);
	results_estimate(run);
out_free:
	free(r.hashes);
	free(r.cs);
	return ret;
}
