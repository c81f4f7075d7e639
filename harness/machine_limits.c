// SPDX-License-Identifier: MIT
/*
 * Machine limits: memcpy bandwidth per working set and chunk, and
 * sequential O_DIRECT write / read bandwidth of the scratch directory;
 * the ceiling each cell is set against and why a cell is above it. In
 * results.json: machine_limits_json.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "cell_io.h"
#include "clock.h"
#include "device.h"
#include "fmt.h"
#include "machine_limits.h"
#include "strategies.h"

/* Each memcpy figure: the best of timed rounds within this budget. */
#define MEMCPY_SECONDS 0.030
/* A round lasts at least this long (timer resolution, noise). */
#define MEMCPY_ROUND_SECONDS 0.002
#define MIB (1024.0 * 1024.0)

/* Set by a stop signal and never cleared: a stop that came before a
 * phase began skips it (device_measure() resets its own flag). */
static volatile sig_atomic_t limits_stop;

/* Keeps the copies observable so the compiler cannot drop them. */
static volatile unsigned char memcpy_sink;

/*
 * Bandwidth of memcpy copying `set` bytes from src to dst in chunks of
 * `chunk` bytes, MiB/s: the best round, since interference only ever
 * slows a round down.
 */
static double memcpy_bandwidth(char *dst, const char *src, size_t set,
			       size_t chunk)
{
	double best = 0, deadline = clock_now() + MEMCPY_SECONDS;

	do {
		double t0 = clock_now(), t;
		size_t passes = 0;

		do {
			for (size_t off = 0; off < set; off += chunk) {
				size_t n = set - off < chunk ? set - off :
							       chunk;

				memcpy(dst + off, src + off, n);
			}
			__asm__ volatile("" : : "r"(dst) : "memory");
			passes++;
			t = clock_now() - t0;
		} while (t < MEMCPY_ROUND_SECONDS);
		memcpy_sink ^= dst[set - 1];
		if (passes * (double)set / t > best)
			best = passes * (double)set / t;
	} while (clock_now() < deadline);
	return best / MIB;
}

static bool have_memcpy(const struct run_limits *l, uint64_t set,
			uint64_t chunk)
{
	for (size_t i = 0; i < l->n_memcpy; i++)
		if (l->memcpy[i].size == set && l->memcpy[i].buffer == chunk)
			return true;
	return false;
}

static uint64_t working_set(uint64_t size)
{
	if (size < 4096)
		return 4096;
	return size > LIMITS_MEMCPY_MAX_SET ? LIMITS_MEMCPY_MAX_SET : size;
}

static int measure_memcpy(struct run_limits *l, const struct run_request *rq)
{
	const struct tunable_values *bufs = &rq->tune[tunable_index("buffer")];
	uint64_t max_set = 0;
	size_t cap = rq->n_sizes * (bufs->n ? bufs->n : 1);
	char *src, *dst;

	for (size_t z = 0; z < rq->n_sizes; z++)
		if (working_set(rq->sizes[z]) > max_set)
			max_set = working_set(rq->sizes[z]);
	if (!cap)
		return 0;
	l->memcpy = calloc(cap, sizeof(*l->memcpy));
	src = strategy_alloc_aligned(0, max_set);
	dst = strategy_alloc_aligned(0, max_set);
	if (!l->memcpy || !src || !dst) {
		free(src);
		free(dst);
		return -ENOMEM;
	}
	/* distinct, touched pages: no zero-page or first-fault effects */
	for (uint64_t i = 0; i < max_set; i++)
		src[i] = (char)(i * 131 + 7);
	memset(dst, 1, max_set);
	for (size_t z = 0; z < rq->n_sizes; z++) {
		uint64_t set = working_set(rq->sizes[z]);

		for (size_t b = 0; b < (bufs->n ? bufs->n : 1); b++) {
			uint64_t buf = bufs->n ? bufs->v[b] :
						 STRATEGY_DEFAULT_BUFFER;
			uint64_t chunk = buf < set ? buf : set;
			struct limit_memcpy *m = &l->memcpy[l->n_memcpy];

			if (have_memcpy(l, set, chunk))
				continue;
			m->size = set;
			m->buffer = chunk;
			m->mib_s = memcpy_bandwidth(dst, src, set, chunk);
			l->n_memcpy++;
		}
	}
	free(src);
	free(dst);
	return 0;
}

/* pread all of len at off, retrying EINTR and short reads; -EIO at an
 * early end of file. Returns 0 or -errno. */
static int pread_all(int fd, char *buf, size_t len, uint64_t off)
{
	for (size_t got = 0; got < len;) {
		ssize_t n = pread(fd, buf + got, len - got, off + got);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -EIO;
		if (n > 0)
			got += n;
	}
	return 0;
}

/*
 * One timed O_DIRECT pass over fd from offset 0: writes buf (a write
 * ends with fdatasync) or reads into it, `block` bytes at a time, until
 * `bytes`, LIMITS_DIRECT_SECONDS or a stop. *done gets the bytes moved,
 * *seconds the time taken. 0 or -errno.
 */
static int direct_pass(int fd, bool write, char *buf, size_t block,
		       uint64_t bytes, uint64_t *done, double *seconds)
{
	double t0 = clock_now();
	int ret;

	*done = 0;
	do {
		ret = write ? strategy_pwrite_all(fd, buf, block, *done)
			    : pread_all(fd, buf, block, *done);
		if (ret)
			break;
		*done += block;
	} while (*done < bytes && clock_now() - t0 < LIMITS_DIRECT_SECONDS &&
		 !limits_stop);
	if (!ret && write && fdatasync(fd))
		ret = -errno;
	*seconds = clock_now() - t0;
	return ret;
}

/*
 * Sequential O_DIRECT bandwidth on an unnamed file in dir: writes up to
 * `bytes` in `block` chunks (stopping at LIMITS_DIRECT_SECONDS), with a
 * final fdatasync, then reads back what was written. 0, or -errno with
 * the reason in l->direct_reason.
 */
static int measure_direct(struct run_limits *l, const char *dir)
{
	uint64_t bytes = LIMITS_DIRECT_BYTES, written = 0, got = 0;
	size_t block = LIMITS_DIRECT_BLOCK;
	struct statvfs vfs;
	double t;
	char *buf = NULL;
	int fd, ret = 0;

	/* never crowd the run's own files: a quarter of the free space */
	if (!statvfs(dir, &vfs) &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize / 4 < bytes)
		bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize / 4 /
			block * block;
	if (bytes < block) {
		if (asprintf(&l->direct_reason, "not enough free space in %s",
			     dir) < 0)
			l->direct_reason = NULL;
		return -ENOSPC;
	}
	fd = strategy_tmpfile(dir, O_DIRECT);
	if (fd < 0) {
		if (asprintf(&l->direct_reason, "O_DIRECT not supported by %s "
			     "(%s)", strategy_fs_name(dir),
			     strerror(-fd)) < 0)
			l->direct_reason = NULL;
		return fd;
	}
	buf = strategy_alloc_aligned(0, block);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}
	for (size_t i = 0; i < block; i++)
		buf[i] = (char)(i * 251 + 3);
	ret = direct_pass(fd, true, buf, block, bytes, &written, &t);
	if (ret)
		goto out_failed;
	l->direct_write_mib_s = written / MIB / t;
	ret = direct_pass(fd, false, buf, block, written, &got, &t);
	if (ret)
		goto out_failed;
	l->direct_read_mib_s = got / MIB / t;
	l->direct_bytes = written;
	l->direct_block = block;
	goto out_free;
out_failed:
	if (asprintf(&l->direct_reason, "O_DIRECT %s in %s failed: %s",
		     isfinite(l->direct_write_mib_s) ? "read" : "write",
		     dir, strerror(-ret)) < 0)
		l->direct_reason = NULL;
out_free:
	free(buf);
out_close:
	close(fd);
	return ret;
}

void limits_no_ceilings(struct run_limits *l)
{
	l->dev_read_mib_s = l->pc_read_mib_s = l->pc_write_mib_s = NAN;
	l->meta_files_s = NAN;
}

/* "why" of every job that did not run, joined with "; " (or NULL). */
static char *ceilings_why(const struct device_target *t)
{
	char *why = t->direct_why ? strdup(t->direct_why) : NULL;

	for (size_t i = 0; i < t->n_results; i++) {
		const struct device_result *r = &t->results[i];
		char *more;

		if (r->status == DEVICE_OK || !r->reason ||
		    (why && strstr(why, r->reason)))
			continue;
		if (asprintf(&more, "%s%s%s: %s", why ? why : "",
			     why ? "; " : "", device_kind_name(r->job.kind),
			     r->reason) < 0)
			break;
		free(why);
		why = more;
	}
	return why;
}

/*
 * The device ceilings of --dir (device.h), short and fio-like: O_DIRECT
 * sequential 1M reads through io_uring at QD 1, 8 and 32, page-cache
 * read and write, metadata. Nothing measurable is not an error
 * (ceilings_why says why); 0, -EINTR or -ENOMEM.
 */
static int measure_ceilings(struct run_limits *l, const char *dir)
{
	struct device_run *dr = calloc(1, sizeof(*dr));
	char *dirs[1] = { (char *)dir }, err[512] = "";
	const struct device_result *which;
	const struct device_target *t;
	double v;
	int ret;

	limits_no_ceilings(l);
	if (!dr)
		return -ENOMEM;
	dr->opts = (struct device_options){
		.runtime = LIMITS_DEVICE_RUNTIME,
		.ramp = LIMITS_DEVICE_RAMP,
		.repeats = LIMITS_DEVICE_REPEATS,
		.size = LIMITS_DEVICE_SIZE,
		.kinds = DEVICE_KIND_BIT(DEVICE_READ) |
			 DEVICE_KIND_BIT(DEVICE_CACHED_READ) |
			 DEVICE_KIND_BIT(DEVICE_CACHED_WRITE) |
			 DEVICE_KIND_BIT(DEVICE_METADATA),
		.seq_bs = { 1u << 20 },
		.n_seq_bs = 1,
		.seq_qd = { 1, 8, 32 },
		.n_seq_qd = 3,
	};
	ret = device_measure(dr, dirs, 1, NULL, err, sizeof(err));
	if (ret == -ENOMEM || !dr->n_targets) {
		device_run_free(dr);
		free(dr);
		if (ret == -ENOMEM)
			return ret;
		l->ceilings_why = strdup(err[0] ? err : "not measured");
		return l->ceilings_why ? 0 : -ENOMEM;
	}
	t = &dr->targets[0];
	v = device_ceiling(t, DEVICE_READ, &which);
	if (isfinite(v)) {
		l->dev_read_mib_s = v / MIB;
		l->dev_read_bs = which->job.bs;
		l->dev_read_qd = which->job.qd;
	}
	l->pc_read_mib_s = device_ceiling(t, DEVICE_CACHED_READ, NULL) / MIB;
	l->pc_write_mib_s = device_ceiling(t, DEVICE_CACHED_WRITE, NULL) /
			    MIB;
	l->meta_files_s = device_ceiling(t, DEVICE_METADATA, NULL);
	l->cache_set = t->cache_set;
	l->llc = t->llc;
	l->ceilings_why = ceilings_why(t);
	if (!l->ceilings_why && ret)
		l->ceilings_why = strdup(err[0] ? err : strerror(-ret));
	l->device = dr;
	l->free_device = device_run_free;
	l->ceilings = true;
	return ret == -EINTR ? ret : 0;
}


void limits_request_stop(void)
{
	limits_stop = 1;
	device_request_stop();
}

/*
 * --sustained: buffered 1 MiB writes into one unnamed new file in dir
 * for `seconds` (at most a quarter of the free space): the rate of the
 * first window (burst: free page cache takes it) and of the last half
 * (writeback throttles the writer once dirty pages reach the dirty
 * limits). The file's pages are dropped afterwards, never written
 * back on purpose. 0, or -errno with the reason in sustained_why.
 */
static int measure_sustained(struct run_limits *l, const char *dir,
			     double seconds)
{
	double burst = seconds / 4 < LIMITS_BURST_SECONDS ? seconds / 4 :
		       LIMITS_BURST_SECONDS;
	double t0, t = 0, t_burst = -1, t_half = -1;
	uint64_t written = 0, at_burst = 0, at_half = 0, cap;
	size_t block = 1u << 20;
	struct statvfs vfs;
	char *buf;
	int fd, ret = 0;

	l->sus_burst_mib_s = l->sus_mib_s = NAN;
	cap = statvfs(dir, &vfs) ? 0 :
	      (uint64_t)vfs.f_bavail * vfs.f_frsize / 4;
	fd = strategy_tmpfile(dir, 0);
	buf = strategy_alloc_aligned(0, block);
	if (fd < 0 || !buf || cap < 16 * block) {
		ret = fd < 0 ? fd : !buf ? -ENOMEM : -ENOSPC;
		if (asprintf(&l->sustained_why, "%s", fd < 0 ?
			     "cannot create a file in --dir" : !buf ?
			     strerror(ENOMEM) : "not enough free space") < 0)
			l->sustained_why = NULL;
		goto out;
	}
	memset(buf, 0x5a, block);
	t0 = clock_now();
	while ((t = clock_now() - t0) < seconds && written + block <= cap &&
	       !limits_stop) {
		if (t_burst < 0 && t >= burst) {
			t_burst = t;
			at_burst = written;
		}
		if (t_half < 0 && t >= seconds / 2) {
			t_half = t;
			at_half = written;
		}
		ret = strategy_pwrite_all(fd, buf, block, written);
		if (ret)
			break;
		written += block;
	}
	t = clock_now() - t0;
	if (ret) {
		if (asprintf(&l->sustained_why, "writing in %s: %s", dir,
			     strerror(-ret)) < 0)
			l->sustained_why = NULL;
		goto out;
	}
	if (written + block > cap && t < seconds &&
	    asprintf(&l->sustained_why, "stopped after %.1f s: a quarter of "
		     "the free space written", t) < 0)
		l->sustained_why = NULL;
	l->sus_seconds = t;
	l->sus_bytes = written;
	l->sus_burst_seconds = t_burst > 0 ? t_burst : t;
	l->sus_burst_mib_s = (t_burst > 0 ? at_burst / t_burst :
			      written / t) / MIB;
	if (t_half >= 0 && t > t_half)
		l->sus_mib_s = (written - at_half) / (t - t_half) / MIB;
out:
	/* drop the dirty pages rather than write them back */
	if (fd >= 0) {
		(void)!ftruncate(fd, 0);
		close(fd);
	}
	free(buf);
	return ret == -ENOMEM ? ret : 0;
}

int limits_measure(struct run *run)
{
	struct run_limits *l = &run->limits;
	const char *dir = run->request.dir ? run->request.dir : ".";
	int ret;

	limits_free(l);
	l->direct_read_mib_s = NAN;
	l->direct_write_mib_s = NAN;
	limits_no_ceilings(l);
	ret = measure_memcpy(l, &run->request);
	if (ret)
		return ret;
	ret = measure_direct(l, dir);
	if (ret == -ENOMEM)
		return ret;
	l->measured = true;
	l->sus_burst_mib_s = l->sus_mib_s = NAN;
	if (limits_stop)
		return -EINTR;
	if (run->request.sustained > 0) {
		ret = measure_sustained(l, dir, run->request.sustained);
		if (ret)
			return ret;
	}
	return limits_stop ? -EINTR : measure_ceilings(l, dir);
}

static double best_memcpy(const struct run_limits *l, uint64_t size)
{
	double best = NAN;

	for (size_t i = 0; i < l->n_memcpy; i++)
		if (l->memcpy[i].size == working_set(size) &&
		    !(l->memcpy[i].mib_s <= best))
			best = l->memcpy[i].mib_s;
	return best;
}

double limits_ceiling_kind(const struct run_limits *l, uint64_t size,
			   enum cache_mode cache, enum limit_kind *kind)
{
	enum limit_kind k = LIMIT_NONE;
	double data = NAN;

	if (l->measured && cache == CACHE_COLD) {
		if (l->ceilings && l->dev_read_mib_s > 0) {
			data = l->dev_read_mib_s;
			k = LIMIT_DEVICE_READ;
		} else if (isfinite(l->direct_read_mib_s)) {
			data = l->direct_read_mib_s;
			k = LIMIT_DIRECT_STREAM;
		}
	} else if (l->measured) {
		/* a buffered copy reads cached pages and fills new ones:
		 * both, one after the other */
		if (l->ceilings && l->pc_read_mib_s > 0 &&
		    l->pc_write_mib_s > 0) {
			data = 1 / (1 / l->pc_read_mib_s +
				    1 / l->pc_write_mib_s);
			k = LIMIT_PAGE_CACHE;
		} else if (isfinite(best_memcpy(l, size))) {
			data = best_memcpy(l, size);
			k = LIMIT_MEMCPY;
		}
	}
	/* every copy creates a file: small files hit this first */
	if (l->measured && l->ceilings && l->meta_files_s > 0 && size) {
		double meta = l->meta_files_s * (double)size / MIB;

		if (!(data <= meta)) {
			data = meta;
			k = LIMIT_METADATA;
		}
	}
	if (kind)
		*kind = k;
	return k == LIMIT_NONE ? NAN : data;
}

double limits_ceiling(const struct run_limits *l, uint64_t size,
		      enum cache_mode cache, const char **what)
{
	static const char *const names[] = {
		[LIMIT_NONE] = "no ceiling",
		[LIMIT_DEVICE_READ] = "device read",
		[LIMIT_DIRECT_STREAM] = "O_DIRECT read",
		[LIMIT_PAGE_CACHE] = "page cache",
		[LIMIT_MEMCPY] = "memcpy",
		[LIMIT_METADATA] = "metadata",
	};
	enum limit_kind k;
	double v = limits_ceiling_kind(l, size, cache, &k);

	if (what)
		*what = names[k];
	return v;
}

static bool in_kernel_copy(const char *strategy)
{
	static const char *const names[] = { "copy_file_range", "sendfile",
					     "splice", "reflink" };

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(strategy, names[i]))
			return true;
	return false;
}

static const char *explain_cold(const struct run *run, const struct cell *c,
				const char *noise, char *out, size_t len)
{
	const struct run_limits *l = &run->limits;
	size_t i = (size_t)(c - run->cells);
	double cached = results_sample_pct(c, RESULTS_SRC_RESIDENT_BEFORE);
	double rpb = run->io && i < run->io->n_cells ?
		     cell_io_read_per_byte(run->io, &run->io->cells[i]) : NAN;

	if (cached >= 1)
		snprintf(out, len, "%s%.0f%% of the source pages were cached "
			 "before the copy: page-cache hits", noise, cached);
	else if (rpb < 0.9)
		snprintf(out, len, "%sthe device read %.2f bytes per byte "
			 "copied: the rest never came from it (page-cache "
			 "hits, or extents shared or copied inside the "
			 "filesystem)", noise, rpb);
	else if (in_kernel_copy(c->strategy))
		snprintf(out, len, "%sthe filesystem may copy or share "
			 "extents without reading them into the page cache",
			 noise);
	else if (l->dev_read_qd)
		snprintf(out, len, "%sreadahead kept more I/O in flight than "
			 "the ceiling's best queue depth (%u), or other I/O "
			 "slowed the ceiling's measurement", noise,
			 l->dev_read_qd);
	else
		snprintf(out, len, "%sreadahead keeps several requests in "
			 "flight, the one-stream O_DIRECT figure only one",
			 noise);
	return out;
}

static const char *explain_warm(const struct run *run, const struct cell *c,
				const char *noise, char *out, size_t len)
{
	const struct run_limits *l = &run->limits;
	char set[FMT_LEN];

	if (in_kernel_copy(c->strategy))
		snprintf(out, len, "%sa copy inside the kernel: the data never "
			 "passes through user memory, while the ceiling reads "
			 "into it and writes out of it", noise);
	else if (!strcmp(c->strategy, "mmap"))
		snprintf(out, len, "%sthe source is mapped, not read: one "
			 "copy of the data, not two", noise);
	else if (l->llc && 2 * c->size <= l->llc)
		snprintf(out, len, "%sthis size's copies run from the CPU "
			 "caches; the ceiling's working set (%s) does not fit "
			 "in them", noise, fmt_bytes(l->cache_set, set,
						      sizeof(set)));
	else
		snprintf(out, len, "%sreading and writing overlap in this "
			 "copy; the ceiling adds them one after the other",
			 noise);
	return out;
}

const char *limits_explain_above(const struct run *run, const struct cell *c,
				 double mib_s, double lim,
				 enum limit_kind kind, char *out, size_t len)
{
	const char *noise = mib_s / lim <= LIMITS_NOISE ?
			    "within 10%, the noise of measuring both; " : "";

	if (!(lim > 0) || !(mib_s > lim))
		return NULL;
	switch (kind) {
	case LIMIT_DEVICE_READ:
	case LIMIT_DIRECT_STREAM:
		return explain_cold(run, c, noise, out, len);
	case LIMIT_PAGE_CACHE:
	case LIMIT_MEMCPY:
		return explain_warm(run, c, noise, out, len);
	case LIMIT_METADATA:
		snprintf(out, len, "%sthe metadata ceiling's files/s include an "
			 "unlink, which a copy's timed region does not",
			 noise);
		return out;
	case LIMIT_NONE:
		break;
	}
	return NULL;
}
