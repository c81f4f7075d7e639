// SPDX-License-Identifier: MIT
/*
 * Device ceilings: the jobs, repeats in rounds across jobs and targets
 * with their diskstats deltas (a repeat the process was stopped in is
 * measured again), and the results' summaries. Targets are made ready in
 * device_target.c; the engines are in device_io.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config.h"
#include "device_internal.h"
#include "job_control.h"
#include "mem_free.h"
#include "strategies.h"

/* ---- kinds and options ---- */

static const char *const kind_names[DEVICE_N_KINDS] = {
	[DEVICE_READ] = "read",
	[DEVICE_WRITE] = "write",
	[DEVICE_RANDREAD] = "randread",
	[DEVICE_RANDWRITE] = "randwrite",
	[DEVICE_CACHED_READ] = "cached-read",
	[DEVICE_CACHED_WRITE] = "cached-write",
	[DEVICE_METADATA] = "metadata",
};

const char *device_kind_name(enum device_kind k)
{
	return k < DEVICE_N_KINDS ? kind_names[k] : "unknown";
}

int device_kind_parse(const char *s, enum device_kind *k)
{
	for (unsigned i = 0; i < DEVICE_N_KINDS; i++) {
		if (!strcmp(s, kind_names[i])) {
			*k = (enum device_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool device_kind_is_bandwidth(enum device_kind k)
{
	return k == DEVICE_READ || k == DEVICE_WRITE ||
	       k == DEVICE_CACHED_READ || k == DEVICE_CACHED_WRITE;
}

bool device_kind_is_direct(enum device_kind k)
{
	return DEVICE_KIND_BIT(k) & DEVICE_DIRECT_KINDS;
}

bool device_kind_writes(enum device_kind k)
{
	return k == DEVICE_WRITE || k == DEVICE_RANDWRITE ||
	       k == DEVICE_CACHED_WRITE;
}

void device_resolve_options(struct device_options *o)
{
	static const uint64_t seq_bs[] = { 128 << 10, 1 << 20 };
	static const unsigned seq_qd[] = { 1, 4, 16, 32 };
	static const unsigned rand_qd[] = { 1, 32 };

	if (!(o->runtime > 0))
		o->runtime = DEVICE_DEFAULT_RUNTIME;
	if (!(o->ramp >= 0))
		o->ramp = DEVICE_DEFAULT_RAMP;
	if (!o->repeats)
		o->repeats = DEVICE_DEFAULT_REPEATS;
	if (!o->size)
		o->size = DEVICE_DEFAULT_SIZE;
	if (!o->kinds)
		o->kinds = DEVICE_ALL_KINDS;
	if (!o->n_seq_bs) {
		memcpy(o->seq_bs, seq_bs, sizeof(seq_bs));
		o->n_seq_bs = sizeof(seq_bs) / sizeof(*seq_bs);
	}
	if (!o->n_seq_qd) {
		memcpy(o->seq_qd, seq_qd, sizeof(seq_qd));
		o->n_seq_qd = sizeof(seq_qd) / sizeof(*seq_qd);
	}
	if (!o->n_rand_qd) {
		memcpy(o->rand_qd, rand_qd, sizeof(rand_qd));
		o->n_rand_qd = sizeof(rand_qd) / sizeof(*rand_qd);
	}
	if (!o->seed)
		o->seed = 42;
}

int device_plan_jobs(const struct device_options *o, struct device_job **jobs,
		     size_t *n)
{
	size_t cap = 2 * o->n_seq_bs * o->n_seq_qd + 2 * o->n_rand_qd +
		     2 * o->n_seq_bs + 1;
	struct device_job *j = calloc(cap, sizeof(*j));

	*n = 0;
	*jobs = j;
	if (!j)
		return -ENOMEM;
	for (unsigned k = 0; k < DEVICE_N_KINDS; k++) {
		if (!(o->kinds & DEVICE_KIND_BIT(k)))
			continue;
		switch ((enum device_kind)k) {
		case DEVICE_READ:
		case DEVICE_WRITE:
			for (size_t b = 0; b < o->n_seq_bs; b++)
				for (size_t q = 0; q < o->n_seq_qd; q++)
					j[(*n)++] = (struct device_job){
						k, o->seq_bs[b], o->seq_qd[q]
					};
			break;
		case DEVICE_RANDREAD:
		case DEVICE_RANDWRITE:
			for (size_t q = 0; q < o->n_rand_qd; q++)
				j[(*n)++] = (struct device_job){
					k, DEVICE_RANDOM_BS, o->rand_qd[q]
				};
			break;
		case DEVICE_CACHED_READ:
		case DEVICE_CACHED_WRITE:
			for (size_t b = 0; b < o->n_seq_bs; b++)
				j[(*n)++] =
					(struct device_job){ k, o->seq_bs[b],
							     1 };
			break;
		case DEVICE_METADATA:
			j[(*n)++] = (struct device_job){ k, 0, 1 };
			break;
		case DEVICE_N_KINDS:
			break;
		}
	}
	return 0;
}

/* ---- results ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median, min and max of the repeats' rates */
static void summarize_result(struct device_result *r)
{
	double v[64];
	size_t n = r->n_repeats < 64 ? r->n_repeats : 64;

	r->median = r->min = r->max = NAN;
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = r->repeats[i].rate;
	qsort(v, n, sizeof(*v), cmp_double);
	r->min = v[0];
	r->max = v[n - 1];
	r->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double device_ceiling(const struct device_target *t, enum device_kind kind,
		      const struct device_result **which)
{
	const struct device_result *best = NULL;

	for (size_t i = 0; i < t->n_results; i++) {
		const struct device_result *r = &t->results[i];

		if (r->job.kind != kind || r->status != DEVICE_OK ||
		    !isfinite(r->median))
			continue;
		if (!best || r->median > best->median)
			best = r;
	}
	if (which)
		*which = best;
	return best ? best->median : NAN;
}

double device_bytes_per_byte(const struct device_result *r, size_t i)
{
	const struct diskstats_counters *c;
	uint64_t dev;

	if (i >= r->disk.n || !r->disk.dev[i].present || !r->issued_bytes)
		return NAN;
	c = &r->disk.dev[i];
	dev = device_kind_writes(r->job.kind) ? diskstats_write_bytes(c)
					      : diskstats_read_bytes(c);
	return (double)dev / (double)r->issued_bytes;
}

/* ---- running ---- */

/* A repeat the process was stopped in is tried again, this many times
 * at most (as the sweep takes a stopped sample again). */
#define STOPPED_TRIES 10

/* What one try of a repeat measured, before it is kept. */
struct repeat_try {
	struct device_io_out out;
	struct histogram lat;
	struct diskstats_snapshot delta;
	bool have_delta;
};

/* Why a job cannot run at all on ts (r failed with the reason): 1, else
 * 0. */
static int cannot_run(struct device_io_target *ts, struct device_result *r)
{
	int ret;

	if (r->job.kind == DEVICE_CACHED_READ) {
		ret = device_ensure_resident(ts);
		if (ret) {
			device_fail_result(r, ret, "reading the cached file");
			return 1;
		}
	}
	/* free space or memory may leave a working set below one block:
	 * nothing to time, which the time-based loops could not end on */
	if ((r->job.kind == DEVICE_CACHED_READ ||
	     r->job.kind == DEVICE_CACHED_WRITE) &&
	    ts->t->cache_set < r->job.bs) {
		r->status = DEVICE_FAILED;
		(void)device_set_reason(&r->reason, "the page-cache working set "
				 "(%llu KiB) is smaller than one block: too "
				 "little free space or memory",
				 (unsigned long long)(ts->t->cache_set / 1024));
		return 1;
	}
	return 0;
}

/* One try of a repeat of r's job on ts, into t: 0, -errno or -EINTR. */
static int try_repeat(struct device_io_target *ts,
		      const struct device_result *r,
		      const struct device_options *o, struct repeat_try *t)
{
	struct diskstats_snapshot before, after;
	bool counters = ts->t->chain.n &&
			!diskstats_snapshot(&ts->t->chain, NULL, &before);
	struct device_io_window w = device_io_window(o, &r->job);
	int ret;

	t->out.lat = &t->lat;
	switch (r->job.kind) {
	case DEVICE_CACHED_READ:
		ret = device_io_cached_read(ts, &r->job, &w, &t->out);
		break;
	case DEVICE_CACHED_WRITE:
		ret = device_io_cached_write(ts, &r->job, &w, &t->out);
		break;
	case DEVICE_METADATA:
		ret = device_io_metadata(ts, &w, &t->out);
		break;
	default:
		ret = device_io_uring(ts, &r->job, ts->t->file_size, &w,
				      &t->out);
		break;
	}
	if (counters && !diskstats_snapshot(&ts->t->chain, NULL, &after)) {
		diskstats_delta(&before, &after, &t->delta);
		t->have_delta = true;
	}
	return ret;
}

/* Adds a try to r: its latencies and counters, and its repeat unless it
 * ended in ret (an error, or -EINTR: stopped). */
static void keep_try(struct device_result *r, struct repeat_try *t, int ret)
{
	struct device_repeat *rep = &t->out.rep;

	histogram_merge(&r->lat, &t->lat);
	if (t->have_delta)
		diskstats_add(&r->disk, &t->delta);
	r->issued_ios += t->out.issued_ios;
	r->issued_bytes += t->out.issued_bytes;
	if (ret == -EINTR)
		return;
	if (ret) {
		device_fail_result(r, ret, device_kind_name(r->job.kind));
		return;
	}
	rep->rate = rep->seconds > 0 ?
		    (device_kind_is_bandwidth(r->job.kind) ?
		     (double)rep->bytes : (double)rep->ios) / rep->seconds :
		    NAN;
	r->repeats[r->n_repeats++] = *rep;
}

/*
 * One repeat of one job on one target, with its diskstats delta. A try
 * the process was stopped in (job_control.h: SIGSTOP, Ctrl-Z) is no
 * measurement, its window including the stop: it is dropped whole
 * (latencies and counters too) and the repeat measured again.
 */
static void run_repeat(struct device_io_target *ts, struct device_result *r,
		       const struct device_options *o)
{
	struct repeat_try t;

	for (unsigned tries = 1;; tries++) {
		unsigned long continues;
		int ret;

		if (cannot_run(ts, r))
			return;
		continues = job_control_continues();
		memset(&t, 0, sizeof(t));
		if (histogram_init(&t.lat, HISTOGRAM_DEFAULT_BITS)) {
			device_fail_result(r, -ENOMEM, "latency histogram");
			return;
		}
		ret = try_repeat(ts, r, o, &t);
		if (ret || job_control_continues() == continues) {
			keep_try(r, &t, ret);
			histogram_free(&t.lat);
			return;
		}
		histogram_free(&t.lat);
		ts->t->stopped_repeats++;
		if (device_io_stopped())
			return;
		if (tries == STOPPED_TRIES) {
			r->status = DEVICE_FAILED;
			(void)device_set_reason(&r->reason, "the process was "
						"stopped during each of %u "
						"tries of a repeat",
						STOPPED_TRIES);
			return;
		}
	}
}

static void finish_results(struct device_run *run)
{
	for (size_t t = 0; t < run->n_targets; t++) {
		unsigned stopped = run->targets[t].stopped_repeats;

		if (stopped)
			device_add_note(&run->targets[t],
					"%u repeat%s stopped (SIGSTOP, Ctrl-Z) "
					"while measuring, and measured again: "
					"a stopped repeat's time includes the "
					"stop", stopped,
					stopped == 1 ? " was" : "s were");
		for (size_t i = 0; i < run->targets[t].n_results; i++) {
			struct device_result *r = &run->targets[t].results[i];

			summarize_result(r);
			if (r->status == DEVICE_PENDING &&
			    r->n_repeats == run->opts.repeats)
				r->status = DEVICE_OK;
		}
	}
}

/* Rounds: each repeat runs every job, in an order rotated from round to
 * round, on every target in turn (also rotated). */
static int run_rounds(struct device_run *run, struct device_io_target *ts,
		      const struct device_progress *p)
{
	const struct device_options *o = &run->opts;
	size_t n_jobs = run->targets[0].n_results, nt = run->n_targets;
	size_t done = 0, total = n_jobs * nt * o->repeats;

	for (unsigned rep = 0; rep < o->repeats; rep++) {
		size_t shift = n_jobs ? rep * (n_jobs / o->repeats + 1) : 0;

		for (size_t k = 0; k < n_jobs; k++) {
			size_t j = (k + shift) % n_jobs;

			for (size_t m = 0; m < nt; m++, done++) {
				size_t ti = (m + rep) % nt;
				struct device_result *r =
					&run->targets[ti].results[j];

				if (device_io_stopped())
					return -EINTR;
				if (r->status != DEVICE_PENDING)
					continue;
				if (p && p->update)
					p->update(p->ctx, run, ti, j, rep, done,
						  total);
				run_repeat(&ts[ti], r, o);
			}
		}
	}
	return device_io_stopped() ? -EINTR : 0;
}

/* Summaries of what ran; an interrupted run is marked incomplete. */
static void end_run(struct device_run *run, int ret, char *err, size_t len)
{
	if (ret == -EINTR) {
		run->incomplete = true;
		strategy_why(err, len, ret, "interrupted");
	}
	finish_results(run);
}

static int begin_run(struct device_run *run, size_t n_targets,
		     struct device_job **jobs, size_t *n_jobs,
		     struct device_io_target **ts)
{
	int ret;

	device_resolve_options(&run->opts);
	device_io_reset_stop();
	/* repeats the process is stopped in are measured again */
	ret = job_control_watch();
	if (ret)
		return ret;
	if (device_plan_jobs(&run->opts, jobs, n_jobs))
		return -ENOMEM;
	run->targets = calloc(n_targets, sizeof(*run->targets));
	*ts = calloc(n_targets, sizeof(**ts));
	if (!run->targets || !*ts)
		return -ENOMEM;
	run->n_targets = n_targets;
	for (size_t i = 0; i < n_targets; i++) {
		(*ts)[i].t = &run->targets[i];
		(*ts)[i].direct_fd = (*ts)[i].cache_fd = -1;
		(*ts)[i].scratch.fd = -1;
	}
	return 0;
}

int device_measure(struct device_run *run, char *const *dirs, size_t n_dirs,
		   const struct device_progress *progress, char *err,
		   size_t len)
{
	struct device_io_target *ts = NULL;
	struct device_job *jobs = NULL;
	size_t n_jobs = 0, i;
	int ret;

	if (len)
		err[0] = '\0';
	ret = begin_run(run, n_dirs, &jobs, &n_jobs, &ts);
	if (ret) {
		strategy_why(err, len, ret, "%s", strerror(-ret));
		goto out_free;
	}
	for (i = 0; i < n_dirs && !ret; i++) {
		ret = device_prepare_target(&ts[i], dirs[i], &run->opts, jobs, n_jobs,
				     err, len);
		if (!ret && device_io_stopped())
			ret = strategy_why(err, len, -EINTR, "interrupted");
	}
	if (!ret)
		ret = run_rounds(run, ts, progress);
	end_run(run, ret, err, len);
out_free:
	for (i = 0; ts && i < run->n_targets; i++)
		device_target_close(&ts[i]);
	free(ts);
	free(jobs);
	return ret;
}

int device_measure_file(struct device_run *run, const char *path,
			const struct device_progress *progress, char *err,
			size_t len)
{
	const unsigned reads =
		DEVICE_KIND_BIT(DEVICE_READ) | DEVICE_KIND_BIT(DEVICE_RANDREAD);
	struct device_io_target *ts = NULL;
	struct device_job *jobs = NULL;
	struct device_target *t;
	size_t n_jobs = 0;
	struct stat st;
	char why[512];
	int ret;

	if (len)
		err[0] = '\0';
	if (!run->opts.kinds)
		run->opts.kinds = reads;
	if (run->opts.kinds & ~reads)
		return strategy_why(err, len, -EINVAL,
				    "a file is measured "
				    "with read and randread jobs only");
	ret = begin_run(run, 1, &jobs, &n_jobs, &ts);
	if (ret) {
		strategy_why(err, len, ret, "%s", strerror(-ret));
		goto out_free;
	}
	t = ts->t;
	ts->read_only = true;
	ts->rng = gsl_rng_alloc(gsl_rng_mt19937);
	t->dir = strdup(path);
	t->fs_type = strdup(strategy_fs_name(path));
	if (!ts->rng || !t->dir || !t->fs_type ||
	    device_init_results(t, jobs, n_jobs, run->opts.repeats)) {
		ret = strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
		goto out_free;
	}
	gsl_rng_set(ts->rng, run->opts.seed);
	ts->direct_fd =
		open(path, O_RDONLY | O_DIRECT | O_NOFOLLOW | O_CLOEXEC);
	if (ts->direct_fd < 0 || fstat(ts->direct_fd, &st) ||
	    !S_ISREG(st.st_mode)) {
		ret = strategy_why(err, len,
				   ts->direct_fd < 0 ? -errno : -EINVAL,
				   "%s: %s", path,
				   ts->direct_fd < 0 ? strerror(errno)
						     : "not a regular file");
		goto out_free;
	}
	strategy_dio_alignment(ts->direct_fd, &ts->mem_align, &ts->off_align);
	t->file_size = (uint64_t)st.st_size;
	if (diskstats_resolve_dev(NULL, major(st.st_dev), minor(st.st_dev),
				  &t->chain, why, sizeof(why)))
		(void)device_set_reason(&t->chain_why, "%s", why);
	for (size_t i = 0; i < t->n_results; i++) {
		if (!HAVE_LIBURING)
			device_skip_result(&t->results[i], "built without liburing");
		else if (t->file_size / t->results[i].job.bs < 4)
			device_skip_result(&t->results[i], "the file is too small");
	}
	ret = run_rounds(run, ts, progress);
	end_run(run, ret, err, len);
out_free:
	if (ts)
		device_target_close(ts);
	free(ts);
	free(jobs);
	return ret;
}

void device_run_free(struct device_run *run)
{
	for (size_t t = 0; t < run->n_targets; t++) {
		struct device_target *d = &run->targets[t];

		for (size_t i = 0; i < d->n_results; i++) {
			free(d->results[i].reason);
			free(d->results[i].repeats);
			histogram_free(&d->results[i].lat);
		}
		mem_free_strings(d->notes, d->n_notes);
		MEM_FREE_ALL(d->results, d->dir, d->fs_type, d->chain_why,
			     d->direct_why);
		env_storage_free(&d->storage);
	}
	MEM_FREE_ALL(run->targets, run->id, run->started, run->command_line,
		     run->version, run->commit);
	memset(run, 0, sizeof(*run));
}
