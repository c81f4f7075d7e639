// SPDX-License-Identifier: MIT
/*
 * Profiling a cell: perf_event_open(2) counters (software, hardware and
 * the raw_syscalls:sys_enter tracepoint) around a sample's timed region,
 * their per-cell sums, hot spots from perf record, JSON and CSV.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "cache.h"
#include "clock.h"
#include "cell_kind.h"
#include "copy_unit.h"
#include "profile.h"
#include "reference.h"
#include "strategies.h"

#define MIB (1024.0 * 1024)
/* destinations of the hot-spot copies kept on disk at most (and no more
 * than a quarter of the free space) */
#define PROFILE_KEEP_BYTES (256ull << 20)
#define GIB (1024.0 * 1024 * 1024)

static const struct counter_def {
	const char *key;
	uint32_t type;
	uint64_t config;	/* tracepoints: looked up at run time */
} counters[PROFILE_N_COUNTERS] = {
#define SW(key, config) { key, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_##config }
#define HW(key, config) { key, PERF_TYPE_HARDWARE, PERF_COUNT_HW_##config }
	[PROFILE_TASK_CLOCK] = SW("task_clock_ns", TASK_CLOCK),
	[PROFILE_CONTEXT_SWITCHES] = SW("context_switches", CONTEXT_SWITCHES),
	[PROFILE_CPU_MIGRATIONS] = SW("cpu_migrations", CPU_MIGRATIONS),
	[PROFILE_MINOR_FAULTS] = SW("minor_faults", PAGE_FAULTS_MIN),
	[PROFILE_MAJOR_FAULTS] = SW("major_faults", PAGE_FAULTS_MAJ),
	[PROFILE_CYCLES] = HW("cycles", CPU_CYCLES),
	[PROFILE_INSTRUCTIONS] = HW("instructions", INSTRUCTIONS),
	[PROFILE_CACHE_MISSES] = HW("cache_misses", CACHE_MISSES),
	[PROFILE_BRANCH_MISSES] = HW("branch_misses", BRANCH_MISSES),
	[PROFILE_SYSCALLS] = { "syscalls", PERF_TYPE_TRACEPOINT, 0 },
#undef SW
#undef HW
};

const char *profile_counter_key(enum profile_counter i)
{
	return i < PROFILE_N_COUNTERS ? counters[i].key : "?";
}

/* ---- the sample child ---- */

static const char *const tracepoint_ids[] = {
	"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
	"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
};

static int read_tracepoint_id(uint64_t *id)
{
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(tracepoint_ids[i], "re");
		unsigned long long v;
		int n;

		if (!f)
			continue;
		n = fscanf(f, "%llu", &v);
		fclose(f);
		if (n == 1) {
			*id = v;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The raw_syscalls:sys_enter id, from tracefs. Where tracefs is not
 * mounted and we may, it is mounted in a mount namespace of this (sample)
 * process only, as perf itself mounts it when it needs it: the system's
 * mounts are left alone.
 */
static int syscall_tracepoint_id(uint64_t *id)
{
	if (!read_tracepoint_id(id))
		return 0;
	if (geteuid() || unshare(CLONE_NEWNS))
		return -ENOENT;
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) ||
	    mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL))
		return -ENOENT;
	return read_tracepoint_id(id);
}

static int open_counter(enum profile_counter i)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = counters[i].type,
		.config = counters[i].config,
		.disabled = 1,
		/* threads a strategy starts count too */
		.inherit = 1,
		.exclude_hv = 1,
		.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			       PERF_FORMAT_TOTAL_TIME_RUNNING,
	};
	uint64_t id;
	int fd;

	if (counters[i].type == PERF_TYPE_TRACEPOINT) {
		if (syscall_tracepoint_id(&id))
			return -PROFILE_ERR_NO_TRACEFS;
		attr.config = id;
	}
	/* no glibc wrapper for perf_event_open */
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1,
		     PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

void profile_begin(struct profile_session *ps, bool on)
{
	memset(ps, 0, sizeof(*ps));
	ps->on = on;
	for (int i = 0; i < PROFILE_N_COUNTERS; i++)
		ps->fd[i] = -1;
	if (!on)
		return;
	for (int i = 0; i < PROFILE_N_COUNTERS; i++) {
		int fd = open_counter(i);

		if (fd < 0)
			ps->err[i] = -fd;
		else
			ps->fd[i] = fd;
	}
	/* the system call counter last: it must not count these ioctls */
	for (int i = 0; i < PROFILE_N_COUNTERS; i++)
		if (i != PROFILE_SYSCALLS && ps->fd[i] >= 0)
			ioctl(ps->fd[i], PERF_EVENT_IOC_ENABLE, 0);
	if (ps->fd[PROFILE_SYSCALLS] >= 0)
		ioctl(ps->fd[PROFILE_SYSCALLS], PERF_EVENT_IOC_ENABLE, 0);
}

void profile_end(struct profile_session *ps, struct profile_sample *out)
{
	memset(out, 0, sizeof(*out));
	if (!ps->on)
		return;
	out->measured = true;
	/* first, so only its own ioctl counts (subtracted below) */
	if (ps->fd[PROFILE_SYSCALLS] >= 0)
		ioctl(ps->fd[PROFILE_SYSCALLS], PERF_EVENT_IOC_DISABLE, 0);
	for (int i = 0; i < PROFILE_N_COUNTERS; i++)
		if (i != PROFILE_SYSCALLS && ps->fd[i] >= 0)
			ioctl(ps->fd[i], PERF_EVENT_IOC_DISABLE, 0);
	for (int i = 0; i < PROFILE_N_COUNTERS; i++) {
		uint64_t v[3];	/* value, time enabled, time running */

		out->err[i] = ps->err[i];
		if (ps->fd[i] < 0)
			continue;
		if (read(ps->fd[i], v, sizeof(v)) != sizeof(v)) {
			out->err[i] = errno ? errno : EIO;
		} else if (!v[2]) {
			out->err[i] = PROFILE_ERR_NOT_COUNTED;
		} else {
			/* multiplexed hardware counters: scale up */
			if (v[2] < v[1])
				v[0] = (uint64_t)((double)v[0] * v[1] / v[2]);
			out->value[i] = v[0];
		}
		close(ps->fd[i]);
		ps->fd[i] = -1;
	}
	if (out->value[PROFILE_SYSCALLS])
		out->value[PROFILE_SYSCALLS]--;
	ps->on = false;
}

/* ---- the parent ---- */

static int paranoid_level(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int v = -100;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -100;
		fclose(f);
	}
	return v;
}

static void reason_of(int err, char *out, size_t len)
{
	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		snprintf(out, len, "not supported here");
		break;
	case EACCES:
	case EPERM:
		snprintf(out, len, "perf_event_paranoid=%d", paranoid_level());
		break;
	case ENOSYS:
		snprintf(out, len, "the kernel has no perf events");
		break;
	case PROFILE_ERR_NO_TRACEFS:
		snprintf(out, len, "raw_syscalls tracepoint not found: tracefs "
			 "not mounted");
		break;
	case PROFILE_ERR_NOT_COUNTED:
		snprintf(out, len, "never counted: hardware counters busy");
		break;
	default:
		snprintf(out, len, "%s", strerror(err));
	}
}

int profile_add(struct cell_profile *p, const struct profile_sample *s,
		unsigned copies)
{
	p->on = true;
	p->copies += copies;
	for (int i = 0; i < PROFILE_N_COUNTERS; i++) {
		char why[128];

		if (s->measured && !s->err[i]) {
			p->value[i] += s->value[i];
			continue;
		}
		/* a counter missing from one sample is not known for the cell */
		if (p->na[i])
			continue;
		if (s->measured)
			reason_of(s->err[i], why, sizeof(why));
		else
			snprintf(why, sizeof(why), "not counted in thread-pool "
				 "cells");
		p->na[i] = strdup(why);
		if (!p->na[i])
			return -ENOMEM;
	}
	return 0;
}

double profile_per_copy(const struct cell_profile *p, enum profile_counter i)
{
	if (!p->on || !p->copies || p->na[i])
		return NAN;
	return (double)p->value[i] / p->copies;
}

double profile_syscalls_per_mib(const struct cell_profile *p, uint64_t size)
{
	if (!size)
		return NAN;
	return profile_per_copy(p, PROFILE_SYSCALLS) / (size / MIB);
}

double profile_cpu_s_per_gib(const struct cell_profile *p, uint64_t size)
{
	if (!size)
		return NAN;
	return profile_per_copy(p, PROFILE_TASK_CLOCK) / 1e9 / (size / GIB);
}

void profile_na_text(const struct cell_profile *p, enum profile_counter i,
		     char *out, size_t len)
{
	snprintf(out, len, "n/a (%s)",
		 !p->on ? "not profiled" :
		 p->na[i] ? p->na[i] : !p->copies ? "no samples" : "?");
}

/* ---- hot spots ---- */

struct copy_job {
	const struct cell_kind *k;
	const struct cell *c;
	const char *src, *dir;
	double seconds;
	unsigned batch;			/* copies between preparations */
	int tag;			/* names the destinations */
	/* in the parent: batches prepared, the first still on disk, and
	 * the bytes on disk since */
	unsigned seq, first_kept;
	uint64_t kept, keep_limit;
};

/* Copies src to path through the cell's timed unit: the copy unit
 * (copy_unit.h) with a prepared strategy, or the tool's process for one
 * file (its own process is sampled). 0 or -errno. */
static int copy_file(const struct copy_job *j, const struct copy_unit *u,
		     const char *path)
{
	struct copy_range range = { 0, 0, j->c->size };
	double sync_seconds = 0;
	char why[256];

	if (j->k->type == CELL_KIND_REFERENCE)
		return reference_copy_file(j->k->ref, j->c, j->src, path,
					   &sync_seconds, why, sizeof(why));
	return copy_unit_file(u, j->src, 0, path, COPY_UNIT_CREATE, &range,
			      &sync_seconds, why, sizeof(why));
}

static void dst_path(const struct copy_job *j, unsigned seq, unsigned i,
		     char *out, size_t len)
{
	snprintf(out, len, "%s/hot-%d-%u-%u", j->dir, j->tag, seq, i);
}

/* Removes the destinations of the batches still on disk. */
static void remove_kept(struct copy_job *j)
{
	char path[4096];

	for (unsigned seq = j->first_kept; seq < j->seq; seq++) {
		for (unsigned i = 0; i < j->batch; i++) {
			dst_path(j, seq, i, path, sizeof(path));
			unlink(path);
		}
	}
	j->first_kept = j->seq;
	j->kept = 0;
}

/*
 * In the parent, unsampled: puts the source in the cell's cache state
 * and returns the next batch's number. Destinations get fresh names and
 * stay on disk up to keep_limit bytes, as in the runner: ext4 slows
 * down creating files right after deleting others (recently_deleted()),
 * which would otherwise top the hot spots.
 */
static int copy_job_prepare(void *ctx)
{
	struct copy_job *j = ctx;
	uint64_t bytes = (uint64_t)j->batch * j->c->size;
	int fd, ret;

	if (j->kept && j->kept + bytes > j->keep_limit)
		remove_kept(j);
	fd = open(j->src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = j->c->cache == CACHE_WARM ? cache_warm_fd(fd)
					: cache_evict_fd(fd);
	close(fd);
	if (ret)
		return ret;
	j->kept += bytes;
	return (int)(j->seq++ & INT_MAX);
}

/* The sampled child: batches of copies, each after a preparation, until
 * enough copying was sampled (or, for tiny files, enough time passed). */
static int copy_job_work(void *ctx, struct flame_ctl *ctl)
{
	const struct copy_job *j = ctx;
	double copying = 0, start = clock_now();
	char path[4096], why[256];
	struct copy_unit u;
	int ret;

	memset(&u, 0, sizeof(u));
	ret = j->k->type == CELL_KIND_STRATEGY ?
	      copy_unit_setup(&u, j->k->strategy, j->c, why, sizeof(why)) : 0;
	while (!ret && copying < j->seconds &&
	       clock_now() - start < 4 * j->seconds + 1) {
		double t0;

		int seq = flame_prepare(ctl);

		if (seq < 0) {
			ret = seq;
			break;
		}
		t0 = clock_now();
		for (unsigned i = 0; i < j->batch && !ret; i++) {
			dst_path(j, seq, i, path, sizeof(path));
			ret = copy_file(j, &u, path);
		}
		copying += clock_now() - t0;
	}
	copy_unit_teardown(&u);
	return ret;
}

int profile_record_cell(const struct cell_kind *k, const struct cell *c,
			const char *src, const char *dir, double seconds,
			struct flame_profile *fp, char *why, size_t len)
{
	struct copy_job j = {
		.k = k, .c = c, .src = src, .dir = dir, .seconds = seconds,
		/* cold: the source is evicted before every copy */
		.batch = c->cache == CACHE_WARM && c->batch > 1 ? c->batch : 1,
		.tag = (int)getpid(),
		.keep_limit = PROFILE_KEEP_BYTES,
	};
	struct statvfs vfs;
	int ret;

	if (!statvfs(dir, &vfs) &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize / 4 < j.keep_limit)
		j.keep_limit = (uint64_t)vfs.f_bavail * vfs.f_frsize / 4;

	/* perf's start-up and perf script take a few seconds at most */
	ret = flame_record(copy_job_work, copy_job_prepare, &j, dir,
			   8 * seconds + 60, fp, why, len);
	remove_kept(&j);
	return ret;
}

int profile_hot_spots(const struct cell_kind *k, struct cell *c,
		      const char *src, const char *dir)
{
	struct cell_profile *p = &c->profile;
	struct flame_profile fp = { 0 };
	char why[512];
	int ret;

	p->on = true;
	profile_free_hot(p);
	free(p->hot_why);
	p->hot_why = NULL;
	p->hot_samples = 0;
	ret = profile_record_cell(k, c, src, dir, PROFILE_HOT_SECONDS, &fp,
				  why, sizeof(why));
	if (!ret) {
		p->hot = calloc(PROFILE_HOT_SPOTS, sizeof(*p->hot));
		ret = p->hot ? flame_top_self(&fp, p->hot, PROFILE_HOT_SPOTS,
					      &p->n_hot) : -ENOMEM;
		p->hot_samples = fp.total;
		if (ret)
			snprintf(why, sizeof(why), "%s", strerror(-ret));
	}
	flame_free(&fp);
	if (ret) {
		profile_free_hot(p);
		p->hot_why = strdup(why);
		if (!p->hot_why)
			return -ENOMEM;
	}
	return ret == -ENOMEM ? ret : 0;
}

/* ---- JSON ---- */

json_t *profile_json_cell(const struct cell_profile *p)
{
	json_t *o, *cnt, *hot;

	cnt = json_object();
	hot = json_array();
	if (!cnt || !hot)
		goto out_free;
	for (int i = 0; i < PROFILE_N_COUNTERS; i++) {
		json_t *v = p->na[i] ? json_string(p->na[i]) :
			    json_integer((json_int_t)p->value[i]);

		if (json_object_set_new(cnt, counters[i].key, v))
			goto out_free;
	}
	for (size_t i = 0; i < p->n_hot; i++) {
		/* a symbol is bytes from perf, maybe not UTF-8 */
		json_t *h = json_pack("{s:o, s:f}", "symbol",
				      results_json_text(p->hot[i].symbol ?
							p->hot[i].symbol : ""),
				      "pct", p->hot[i].pct);

		if (json_array_append_new(hot, h))
			goto out_free;
	}
	o = json_pack("{s:I, s:o, s:o, s:I, s:o}", "copies",
		      (json_int_t)p->copies, "counters", cnt, "hot_spots", hot,
		      "hot_spots_samples", (json_int_t)p->hot_samples,
		      "hot_spots_why", results_json_text(p->hot_why));
	return o;
out_free:
	json_decref(cnt);
	json_decref(hot);
	return NULL;
}

static int dup_str(const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int profile_from_json(json_t *o, struct cell_profile *p, char *err,
			     size_t len)
{
	json_t *copies, *cnt, *hot, *why, *h, *hs;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->on = true;
	copies = json_object_get(o, "copies");
	cnt = json_object_get(o, "counters");
	hot = json_object_get(o, "hot_spots");
	why = json_object_get(o, "hot_spots_why");
	hs = json_object_get(o, "hot_spots_samples");
	if (!json_is_integer(copies) || json_integer_value(copies) < 0)
		return strategy_why(err, len, -EINVAL, "copies: expected a "
				    "non-negative integer");
	p->copies = json_integer_value(copies);
	if (!json_is_integer(hs) || json_integer_value(hs) < 0)
		return strategy_why(err, len, -EINVAL, "hot_spots_samples: "
				    "expected a non-negative integer");
	p->hot_samples = json_integer_value(hs);
	if (!json_is_object(cnt))
		return strategy_why(err, len, -EINVAL, "counters: expected an "
				    "object");
	for (int k = 0; k < PROFILE_N_COUNTERS; k++) {
		json_t *v = json_object_get(cnt, counters[k].key);

		if (json_is_integer(v) && json_integer_value(v) >= 0)
			p->value[k] = json_integer_value(v);
		else if (!json_is_string(v))
			return strategy_why(err, len, -EINVAL, "counters.%s: "
					    "expected a count or a reason",
					    counters[k].key);
		else if (dup_str(json_string_value(v), &p->na[k]))
			return strategy_why(err, len, -EINVAL, "out of memory");
	}
	if (!json_is_array(hot))
		return strategy_why(err, len, -EINVAL, "hot_spots: expected "
				    "an array");
	p->hot = calloc(json_array_size(hot) + 1, sizeof(*p->hot));
	if (!p->hot)
		return strategy_why(err, len, -EINVAL, "out of memory");
	json_array_foreach(hot, i, h) {
		json_t *sym = json_object_get(h, "symbol");
		json_t *pct = json_object_get(h, "pct");

		if (!json_is_string(sym) || !json_is_number(pct))
			return strategy_why(err, len, -EINVAL, "hot_spots[%zu]:"
					    " expected symbol and pct", i);
		if (dup_str(json_string_value(sym), &p->hot[i].symbol))
			return strategy_why(err, len, -EINVAL, "out of memory");
		p->hot[i].pct = json_number_value(pct);
		p->n_hot = i + 1;
	}
	if (json_is_string(why) &&
	    dup_str(json_string_value(why), &p->hot_why))
		return strategy_why(err, len, -EINVAL, "out of memory");
	if (why && !json_is_string(why) && !json_is_null(why))
		return strategy_why(err, len, -EINVAL, "hot_spots_why: "
				    "expected a string or null");
	return 0;
}

int profile_json_read(json_t *root, const char *file, struct run *run,
		      char *err, size_t len)
{
	json_t *cells = json_object_get(root, "cells");
	json_t *v = json_object_get(json_object_get(root, "request"),
				    "profile");
	char what[256];

	if (v && !json_is_boolean(v))
		return strategy_why(err, len, -EINVAL, "%s: request.profile: "
				    "expected true or false", file);
	run->request.profile = json_is_true(v);
	for (size_t i = 0; i < run->n_cells; i++) {
		json_t *o = json_object_get(json_array_get(cells, i),
					    "profile");

		if (!o)
			continue;
		if (!json_is_object(o))
			return strategy_why(err, len, -EINVAL, "%s: cells[%zu]."
					    "profile: expected an object",
					    file, i);
		if (profile_from_json(o, &run->cells[i].profile, what,
				      sizeof(what)))
			return strategy_why(err, len, -EINVAL, "%s: cells[%zu]."
					    "profile.%s", file, i, what);
	}
	return 0;
}

/* ---- CSV ---- */

static void put_num(FILE *f, double v)
{
	fputc(',', f);
	if (isfinite(v))
		fprintf(f, "%.9g", v);
}

void profile_put_csv(FILE *f, const struct cell *c)
{
	static const enum profile_counter per_copy[] = {
		PROFILE_CONTEXT_SWITCHES, PROFILE_CPU_MIGRATIONS,
		PROFILE_MINOR_FAULTS, PROFILE_MAJOR_FAULTS, PROFILE_CYCLES,
		PROFILE_INSTRUCTIONS, PROFILE_CACHE_MISSES,
		PROFILE_BRANCH_MISSES,
	};
	const struct cell_profile *p = &c->profile;

	put_num(f, profile_cpu_s_per_gib(p, c->size));
	put_num(f, profile_per_copy(p, PROFILE_SYSCALLS));
	put_num(f, profile_syscalls_per_mib(p, c->size));
	for (size_t i = 0; i < sizeof(per_copy) / sizeof(per_copy[0]); i++)
		put_num(f, profile_per_copy(p, per_copy[i]));
}
