// SPDX-License-Identifier: MIT
/*
 * A device target made ready to measure: its scratch directory, the
 * laid-out O_DIRECT file, the resident page-cache file, the machine and
 * storage facts and the caveats they imply (device_internal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cache.h"
#include "config.h"
#include "device_internal.h"
#include "env_storage.h"
#include "env_sys.h"
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

/* ---- reasons and notes ---- */

int device_set_reason(char **dst, const char *fmt, ...)
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

void device_add_note(struct device_target *t, const char *fmt, ...)
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

void device_skip_result(struct device_result *r, const char *why)
{
	if (r->status != DEVICE_PENDING)
		return;
	r->status = DEVICE_SKIPPED;
	(void)device_set_reason(&r->reason, "%s", why);
}

void device_fail_result(struct device_result *r, int err, const char *what)
{
	r->status = DEVICE_FAILED;
	(void)device_set_reason(&r->reason, "%s: %s", what, strerror(-err));
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
		return device_set_reason(&t->direct_why,
				  "built without liburing: the O_DIRECT jobs "
				  "need io_uring (install liburing-dev and "
				  "rebuild)");
	if (is_memory_fs(t->dir))
		return device_set_reason(&t->direct_why,
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
		return device_set_reason(&t->direct_why,
				  "not enough free space in "
				  "%s for a %llu MiB O_DIRECT file",
				  t->dir,
				  (unsigned long long)(DEVICE_MIN_FILE / MIB));
	fd = openat(ts->scratch.fd, DIRECT_NAME,
		    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW |
			    O_DIRECT,
		    0600);
	if (fd < 0 && errno == EINVAL)
		return device_set_reason(&t->direct_why,
				  "O_DIRECT not supported by %s (%s)",
				  t->fs_type, strerror(errno));
	if (fd < 0)
		return device_set_reason(&t->direct_why,
				  "creating the O_DIRECT file: %s",
				  strerror(errno));
	strategy_dio_alignment(fd, &ts->mem_align, &ts->off_align);
	ts->direct_fd = fd;
	/* allocated up front, as fio lays out its files */
	if (fallocate(fd, 0, 0, (off_t)size) && errno != EOPNOTSUPP)
		return device_set_reason(&t->direct_why, "allocating %llu MiB: %s",
				  (unsigned long long)(size / MIB),
				  strerror(errno));
	ret = device_io_uring(ts, &layout, size, &w, &out);
	if (!ret && fdatasync(fd))
		ret = -errno;
	if (ret == -EINTR)
		return 0; /* stopped: the jobs stay pending */
	if (ret)
		return device_set_reason(&t->direct_why,
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
		device_add_note(t,
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
	/* up to GiBs: a stop (Ctrl-C) ends it, not the seconds it takes */
	for (uint64_t off = 0; off < t->cache_set && !ret; off += MIB)
		ret = device_io_stopped() ? -EINTR :
		      strategy_pwrite_all(fd, buf, MIB, off);
	free(buf);
	/* written back once, so later repeats read clean resident pages */
	if (!ret && fdatasync(fd))
		ret = -errno;
	return ret ? ret : cache_warm_fd(fd);
}

/* Re-reads the cached file when something evicted part of it. */
int device_ensure_resident(struct device_io_target *ts)
{
	struct cache_pages p;

	if (!cache_pages_of(ts->cache_fd, &p) &&
	    (uint64_t)p.cached >= cache_file_pages(ts->cache_fd))
		return 0;
	return cache_warm_fd(ts->cache_fd);
}

void device_target_close(struct device_io_target *ts)
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

int device_init_results(struct device_target *t, const struct device_job *jobs,
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
		device_add_note(t,
			 "a %s guest: O_DIRECT bypasses this kernel's page "
			 "cache only; the host may still cache the virtual "
			 "disk",
			 s->virtualization);
	if (s->ext4_journal == 0)
		device_add_note(t, "ext4 without a journal: a create right after "
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
			device_add_note(t,
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
int device_prepare_target(struct device_io_target *ts, const char *dir,
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
	    device_init_results(t, jobs, n_jobs, o->repeats))
		return strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
	gsl_rng_set(ts->rng, o->seed);
	t->llc = llc_bytes();
	if (diskstats_resolve_dir(dir, &t->chain, why, sizeof(why)))
		(void)device_set_reason(&t->chain_why, "%s", why);
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
				device_fail_result(&t->results[i], ret,
					    "writing the cached file");
	}
	for (size_t i = 0; i < t->n_results; i++) {
		struct device_result *r = &t->results[i];

		if (device_kind_is_direct(r->job.kind) && t->direct_why)
			device_skip_result(r, t->direct_why);
		else if (device_kind_is_direct(r->job.kind) &&
			 r->job.bs % ts->off_align)
			device_skip_result(r, "block size not a multiple of the "
				       "O_DIRECT alignment");
	}
	note_environment(t);
	return 0;
}

