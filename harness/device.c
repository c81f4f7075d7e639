// SPDX-License-Identifier: MIT
/*
 * Device ceilings: the jobs, the targets (scratch directory, the laid-out
 * O_DIRECT file, the resident page-cache file, device chain and storage
 * facts), repeats in rounds across jobs and targets with their diskstats
 * deltas, and the results' summaries. The engines are in device_io.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>


#include "cache.h"
#include "config.h"
#include "device.h"
#include "device_io.h"
#include "env.h"
#include "strategies.h"
#include "topology.h"

#define MIB (1ull << 20)
/* The smallest O_DIRECT file worth measuring. */
#define DEVICE_MIN_FILE (16 * MIB)
/* Laying out the O_DIRECT file: 1 MiB writes, 16 in flight. */
#define LAYOUT_BS MIB
#define LAYOUT_QD 16u
#define DIRECT_NAME "direct.dat"
#define CACHED_NAME "cached.dat"

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

static bool kind_is_direct(enum device_kind k)
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

/* ---- machine facts ---- */

/* cpu0's last-level cache from sysfs (the highest cache/indexN/level,
 * its size "32768K"): one package's only, so topology.h's is preferred.
 * 0 when unknown. */
static uint64_t llc_bytes_sysfs(void)
{
	unsigned best_level = 0;
	uint64_t best = 0;

	for (unsigned i = 0; i < 16; i++) {
		char path[96], buf[32];
		unsigned long long kb;
		unsigned level;

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu0/"
			 "cache/index%u/level",
			 i);
		if (!env_read_line(path, buf, sizeof(buf)))
			break;
		level = (unsigned)strtoul(buf, NULL, 10);
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu0/"
			 "cache/index%u/size",
			 i);
		if (level < best_level ||
		    !env_read_line(path, buf, sizeof(buf)) ||
		    sscanf(buf, "%lluK", &kb) != 1)
			continue;
		best_level = level;
		best = kb * 1024;
	}
	return best;
}

/* Bytes of last-level cache in the whole machine: L3 per package times
 * the packages (topology.h), else cpu0's from sysfs; 0 when unknown. */
static uint64_t llc_bytes(void)
{
	struct topology_counts c;

	topology_counts(&c);
	if (c.l3_per_package)
		return c.l3_per_package * (c.packages ? c.packages : 1);
	return llc_bytes_sysfs();
}

static uint64_t free_bytes(const char *dir)
{
	struct statvfs v;

	if (statvfs(dir, &v))
		return 0;
	return (uint64_t)v.f_bavail * v.f_frsize;
}

static int64_t read_proc_number(const char *path)
{
	FILE *f = fopen(path, "re");
	long long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kb = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* Dirty bytes past which the flusher starts writeback (approximately:
 * the kernel takes the ratio of dirtyable memory). 0 when unknown. */
static uint64_t dirty_background_threshold(void)
{
	int64_t bytes = read_proc_number("/proc/sys/vm/dirty_background_bytes");
	int64_t ratio = read_proc_number("/proc/sys/vm/dirty_background_ratio");

	if (bytes > 0)
		return (uint64_t)bytes;
	if (ratio > 0)
		return mem_available() / 100 * (uint64_t)ratio;
	return 0;
}

/* ---- results ---- */

static int set_reason(char **dst, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int set_reason(char **dst, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static void add_note(struct device_target *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_note(struct device_target *t, const char *fmt, ...)
{
	char **more = realloc(t->notes, (t->n_notes + 1) * sizeof(*more));
	va_list ap;

	if (!more)
		return;
	t->notes = more;
	va_start(ap, fmt);
	if (vasprintf(&t->notes[t->n_notes], fmt, ap) >= 0)
		t->n_notes++;
	va_end(ap);
}

static void skip_result(struct device_result *r, const char *why)
{
	if (r->status != DEVICE_PENDING)
		return;
	r->status = DEVICE_SKIPPED;
	(void)set_reason(&r->reason, "%s", why);
}

static void fail_result(struct device_result *r, int err, const char *what)
{
	r->status = DEVICE_FAILED;
	(void)set_reason(&r->reason, "%s: %s", what, strerror(-err));
}

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

/* ---- preparing a target ---- */

static bool is_memory_fs(const char *dir)
{
	struct statfs sf;

	return !statfs(dir, &sf) &&
	       (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC);
}

/* The O_DIRECT file: sized, laid out with real data (reads of holes or
 * unwritten extents never reach the device), synced. Sets direct_why
 * when O_DIRECT cannot be measured here. */
static int prepare_direct(struct device_io_target *ts,
			  const struct device_options *o)
{
	struct device_target *t = ts->t;
	uint64_t size = o->size, cap = free_bytes(t->dir) / 4, biggest = 0;
	struct device_job layout = { DEVICE_WRITE, LAYOUT_BS, LAYOUT_QD };
	struct device_io_window w = { .one_pass = true };
	struct device_io_out out = { 0 };
	int fd, ret;

	if (!HAVE_LIBURING)
		return set_reason(&t->direct_why,
				  "built without liburing: the O_DIRECT jobs "
				  "need io_uring (install liburing-dev and "
				  "rebuild)");
	if (is_memory_fs(t->dir))
		return set_reason(&t->direct_why,
				  "%s has no block device: "
				  "O_DIRECT there is served from memory",
				  t->fs_type);
	for (size_t i = 0; i < o->n_seq_bs; i++)
		if (o->seq_bs[i] > biggest)
			biggest = o->seq_bs[i];
	if (biggest < LAYOUT_BS)
		biggest = LAYOUT_BS;
	if (size > cap)
		size = cap;
	size = size / biggest * biggest;
	if (size < DEVICE_MIN_FILE || size < 4 * biggest)
		return set_reason(&t->direct_why,
				  "not enough free space in "
				  "%s for a %llu MiB O_DIRECT file",
				  t->dir,
				  (unsigned long long)(DEVICE_MIN_FILE / MIB));
	fd = openat(ts->scratch.fd, DIRECT_NAME,
		    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW |
			    O_DIRECT,
		    0600);
	if (fd < 0 && errno == EINVAL)
		return set_reason(&t->direct_why,
				  "O_DIRECT not supported by %s (%s)",
				  t->fs_type, strerror(errno));
	if (fd < 0)
		return set_reason(&t->direct_why,
				  "creating the O_DIRECT file: %s",
				  strerror(errno));
	strategy_dio_alignment(fd, &ts->mem_align, &ts->off_align);
	ts->direct_fd = fd;
	/* allocated up front, as fio lays out its files */
	if (fallocate(fd, 0, 0, (off_t)size) && errno != EOPNOTSUPP)
		return set_reason(&t->direct_why, "allocating %llu MiB: %s",
				  (unsigned long long)(size / MIB),
				  strerror(errno));
	ret = device_io_uring(ts, &layout, size, &w, &out);
	if (!ret && fdatasync(fd))
		ret = -errno;
	if (ret == -EINTR)
		return 0; /* stopped: the jobs stay pending */
	if (ret)
		return set_reason(&t->direct_why,
				  "laying out the O_DIRECT "
				  "file: %s",
				  strerror(-ret));
	t->file_size = size;
	return 0;
}

/* The page-cache working set: 4 x LLC, at least 64 MiB; at most a
 * quarter of the available memory, half of the dirty background
 * threshold (cached-write must not start writeback) and an eighth of
 * the free space. */
static uint64_t cache_set_size(struct device_target *t,
			       const struct device_options *o)
{
	uint64_t set = o->cache_set, cap;

	if (!set) {
		set = 4 * t->llc;
		if (set < 64 * MIB)
			set = 64 * MIB;
	}
	cap = mem_available() / 4;
	if (dirty_background_threshold() &&
	    dirty_background_threshold() / 2 < cap)
		cap = dirty_background_threshold() / 2;
	if (free_bytes(t->dir) / 8 < cap)
		cap = free_bytes(t->dir) / 8;
	if (cap && set > cap)
		set = cap;
	return set / MIB * MIB;
}

/* The resident file cached-read reads. */
static int prepare_cached(struct device_io_target *ts,
			  const struct device_options *o)
{
	struct device_target *t = ts->t;
	char *buf;
	int fd, ret = 0;

	t->cache_set = cache_set_size(t, o);
	if (t->llc && t->cache_set < t->llc)
		add_note(t,
			 "the page-cache working set (%llu MiB) is smaller "
			 "than the last-level cache (%llu MiB): memory, free "
			 "space or the dirty limits allow no more",
			 (unsigned long long)(t->cache_set / MIB),
			 (unsigned long long)(t->llc / MIB));
	if (!(o->kinds & DEVICE_KIND_BIT(DEVICE_CACHED_READ)))
		return 0;
	if (t->cache_set < MIB)
		return -ENOSPC;
	fd = openat(ts->scratch.fd, CACHED_NAME,
		    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	ts->cache_fd = fd;
	buf = strategy_alloc_aligned(0, MIB);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < MIB; i++)
		buf[i] = (char)(i * 251 + 3);
	for (uint64_t off = 0; off < t->cache_set && !ret; off += MIB)
		ret = strategy_pwrite_all(fd, buf, MIB, off);
	free(buf);
	/* written back once, so later repeats read clean resident pages */
	if (!ret && fdatasync(fd))
		ret = -errno;
	return ret ? ret : cache_warm_fd(fd);
}

/* Re-reads the cached file when something evicted part of it. */
static int ensure_resident(struct device_io_target *ts)
{
	struct cache_pages p;

	if (!cache_pages_of(ts->cache_fd, &p) &&
	    (uint64_t)p.cached >= cache_file_pages(ts->cache_fd))
		return 0;
	return cache_warm_fd(ts->cache_fd);
}

static void target_state_close(struct device_io_target *ts)
{
	if (ts->direct_fd >= 0)
		close(ts->direct_fd);
	if (ts->cache_fd >= 0)
		close(ts->cache_fd);
	ts->direct_fd = ts->cache_fd = -1;
	if (!ts->read_only)
		scratch_remove(&ts->scratch);
	if (ts->rng)
		gsl_rng_free(ts->rng);
	ts->rng = NULL;
}

static int init_results(struct device_target *t, const struct device_job *jobs,
			size_t n_jobs, unsigned repeats)
{
	t->results = calloc(n_jobs ? n_jobs : 1, sizeof(*t->results));
	if (!t->results)
		return -ENOMEM;
	t->n_results = n_jobs;
	for (size_t i = 0; i < n_jobs; i++) {
		struct device_result *r = &t->results[i];

		r->job = jobs[i];
		r->repeats = calloc(repeats, sizeof(*r->repeats));
		if (!r->repeats ||
		    histogram_init(&r->lat, HISTOGRAM_DEFAULT_BITS))
			return -ENOMEM;
	}
	return 0;
}

static void note_environment(struct device_target *t)
{
	const struct env_storage *s = &t->storage;

	if (t->file_size && s->virtualization &&
	    strcmp(s->virtualization, "none"))
		add_note(t,
			 "a %s guest: O_DIRECT bypasses this kernel's page "
			 "cache only; the host may still cache the virtual "
			 "disk",
			 s->virtualization);
	if (s->ext4_journal == 0)
		add_note(t, "ext4 without a journal: a create right after "
			    "unlinks skips the recently deleted inodes, which "
			    "the metadata figure includes");
	for (size_t i = 0; i < t->chain.n; i++) {
		char path[96], v[8] = "";
		FILE *f;

		if (strncmp(t->chain.dev[i].name, "loop", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/dio",
			 t->chain.dev[i].name);
		f = fopen(path, "re");
		if (f && fgets(v, sizeof(v), f) && v[0] == '0' && t->file_size)
			add_note(t,
				 "%s does buffered I/O on its backing file "
				 "(loop dio off): its O_DIRECT figures include "
				 "the backing filesystem's page cache",
				 t->chain.dev[i].name);
		if (f)
			fclose(f);
	}
}

/* Scratch, files and facts of one directory. Failures to lay out a file
 * become skip reasons of the jobs needing it, not errors. */
static int prepare_target(struct device_io_target *ts, const char *dir,
			  const struct device_options *o,
			  const struct device_job *jobs, size_t n_jobs,
			  char *err, size_t len)
{
	struct device_target *t = ts->t;
	char why[512];
	int ret;

	t->dir = strdup(dir);
	t->fs_type = strdup(strategy_fs_name(dir));
	ts->rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!t->dir || !t->fs_type || !ts->rng ||
	    init_results(t, jobs, n_jobs, o->repeats))
		return strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
	gsl_rng_set(ts->rng, o->seed);
	t->llc = llc_bytes();
	if (diskstats_resolve_dir(dir, &t->chain, why, sizeof(why)))
		(void)set_reason(&t->chain_why, "%s", why);
	ret = env_storage_probe(dir, &t->storage);
	if (ret)
		return strategy_why(err, len, ret, "%s", strerror(-ret));
	ret = scratch_create(dir, &ts->scratch, err, len);
	if (ret)
		return ret;
	if (o->kinds & DEVICE_DIRECT_KINDS) {
		ret = prepare_direct(ts, o);
		if (ret)
			return strategy_why(err, len, ret, "%s",
					    strerror(-ret));
	}
	ret = prepare_cached(ts, o);
	if (ret) {
		for (size_t i = 0; i < t->n_results; i++)
			if (t->results[i].job.kind == DEVICE_CACHED_READ)
				fail_result(&t->results[i], ret,
					    "writing the cached file");
	}
	for (size_t i = 0; i < t->n_results; i++) {
		struct device_result *r = &t->results[i];

		if (kind_is_direct(r->job.kind) && t->direct_why)
			skip_result(r, t->direct_why);
		else if (kind_is_direct(r->job.kind) &&
			 r->job.bs % ts->off_align)
			skip_result(r, "block size not a multiple of the "
				       "O_DIRECT alignment");
	}
	note_environment(t);
	return 0;
}

/* ---- running ---- */

/* One repeat of one job on one target, with its diskstats delta. */
static void run_repeat(struct device_io_target *ts, struct device_result *r,
		       const struct device_options *o)
{
	struct device_io_out out = { .lat = &r->lat };
	struct diskstats_snapshot before, after, delta;
	bool counters = ts->t->chain.n &&
			!diskstats_snapshot(&ts->t->chain, NULL, &before);
	struct device_io_window w;
	int ret;

	if (r->job.kind == DEVICE_CACHED_READ) {
		ret = ensure_resident(ts);
		if (ret) {
			fail_result(r, ret, "reading the cached file");
			return;
		}
		counters = counters &&
			   !diskstats_snapshot(&ts->t->chain, NULL, &before);
	}
	/* free space or memory may leave a working set below one block:
	 * nothing to time, which the time-based loops could not end on */
	if ((r->job.kind == DEVICE_CACHED_READ ||
	     r->job.kind == DEVICE_CACHED_WRITE) &&
	    ts->t->cache_set < r->job.bs) {
		r->status = DEVICE_FAILED;
		(void)set_reason(&r->reason, "the page-cache working set "
				 "(%llu KiB) is smaller than one block: too "
				 "little free space or memory",
				 (unsigned long long)(ts->t->cache_set / 1024));
		return;
	}
	w = device_io_window(o, &r->job);
	switch (r->job.kind) {
	case DEVICE_CACHED_READ:
		ret = device_io_cached_read(ts, &r->job, &w, &out);
		break;
	case DEVICE_CACHED_WRITE:
		ret = device_io_cached_write(ts, &r->job, &w, &out);
		break;
	case DEVICE_METADATA:
		ret = device_io_metadata(ts, &w, &out);
		break;
	default:
		ret = device_io_uring(ts, &r->job, ts->t->file_size, &w, &out);
		break;
	}
	if (counters && !diskstats_snapshot(&ts->t->chain, NULL, &after)) {
		diskstats_delta(&before, &after, &delta);
		diskstats_add(&r->disk, &delta);
	}
	r->issued_ios += out.issued_ios;
	r->issued_bytes += out.issued_bytes;
	if (ret == -EINTR)
		return;
	if (ret) {
		fail_result(r, ret, device_kind_name(r->job.kind));
		return;
	}
	out.rep.rate = out.rep.seconds > 0
			       ? (device_kind_is_bandwidth(r->job.kind)
					  ? (double)out.rep.bytes
					  : (double)out.rep.ios) /
					 out.rep.seconds
			       : NAN;
	r->repeats[r->n_repeats++] = out.rep;
}

static void finish_results(struct device_run *run)
{
	for (size_t t = 0; t < run->n_targets; t++) {
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
	device_resolve_options(&run->opts);
	device_io_reset_stop();
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
		ret = prepare_target(&ts[i], dirs[i], &run->opts, jobs, n_jobs,
				     err, len);
		if (!ret && device_io_stopped())
			ret = strategy_why(err, len, -EINTR, "interrupted");
	}
	if (!ret)
		ret = run_rounds(run, ts, progress);
	end_run(run, ret, err, len);
out_free:
	for (i = 0; ts && i < run->n_targets; i++)
		target_state_close(&ts[i]);
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
	    init_results(t, jobs, n_jobs, run->opts.repeats)) {
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
		(void)set_reason(&t->chain_why, "%s", why);
	for (size_t i = 0; i < t->n_results; i++) {
		if (!HAVE_LIBURING)
			skip_result(&t->results[i], "built without liburing");
		else if (t->file_size / t->results[i].job.bs < 4)
			skip_result(&t->results[i], "the file is too small");
	}
	ret = run_rounds(run, ts, progress);
	end_run(run, ret, err, len);
out_free:
	if (ts)
		target_state_close(ts);
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
		for (size_t i = 0; i < d->n_notes; i++)
			free(d->notes[i]);
		free(d->notes);
		free(d->results);
		free(d->dir);
		free(d->fs_type);
		free(d->chain_why);
		free(d->direct_why);
		env_storage_free(&d->storage);
	}
	free(run->targets);
	free(run->id);
	free(run->started);
	free(run->command_line);
	free(run->version);
	free(run->commit);
	memset(run, 0, sizeof(*run));
}
