/* SPDX-License-Identifier: MIT */
/*
 * The device ceilings' private pieces: the I/O engines (device_io.c: one
 * repeat of a job on one target, time-based, with every completion
 * counted and its latency recorded), and what device.c (jobs, rounds,
 * results) and device_target.c (a target made ready to measure) share.
 * Not a public API: only device*.c and the engines' unit test include it.
 */
#ifndef IOBENCH_DEVICE_INTERNAL_H
#define IOBENCH_DEVICE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "device.h"
#include "scratch.h"

/* ---- the I/O engines (device_io.c) ---- */

/* A target while it is measured: its scratch directory and files. */
struct device_io_target {
	struct device_target *t;
	struct scratch scratch;
	int direct_fd;	/* the O_DIRECT file */
	int cache_fd;	/* the cached-read file (buffered) */
	bool read_only; /* device_measure_file: never write */
	unsigned mem_align, off_align;
	unsigned seq; /* unique names for new files */
	gsl_rng *rng;
};

/* What one repeat (or a layout pass) produced. */
struct device_io_out {
	struct device_repeat rep;
	uint64_t issued_ios, issued_bytes;
	struct histogram *lat; /* NULL: latencies not kept */
	bool closed;	       /* the window closed: later I/O not counted */
};

/*
 * Time limits of one repeat, in device_io_now_ns() time. Completions
 * from ramp_end on count; the window closes at the first completion at
 * or after end once at least min_ios have counted (a slow device at a
 * deep queue completes nothing in a short window), and rep.seconds is
 * from ramp_end to that completion.
 */
struct device_io_window {
	uint64_t start, ramp_end, end;
	uint64_t min_ios;
	bool one_pass; /* layout: one pass over the file, untimed */
};

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t device_io_now_ns(void);
/* The window of a repeat of job starting now: o->ramp, then o->runtime
 * and at least two queues' worth of I/Os (8 at the least). */
struct device_io_window device_io_window(const struct device_options *o,
					 const struct device_job *job);
/* device_request_stop() was called since the last reset. */
bool device_io_stopped(void);
void device_io_reset_stop(void);

/*
 * The I/O buffers of an O_DIRECT job: size bytes of fresh, page-aligned
 * anonymous memory, filled with a non-repeating pattern when writes, and
 * otherwise left untouched (not even zeroed) so that registering them
 * faults them in, as fio's are. NULL with errno set (EINVAL: size 0 or
 * mem_align above the page size). Free with device_io_free_buffers().
 */
void *device_io_alloc_buffers(size_t size, unsigned mem_align, bool writes);
void device_io_free_buffers(void *bufs, size_t size);

/*
 * The engines. Each runs one repeat of job within w (device_io_uring with
 * w->one_pass: one sequential pass over the file, untimed, to lay it
 * out) and adds what completed to out. 0, -errno (an I/O error; a short
 * transfer is -EIO) or -EINTR when stopped.
 */
/* O_DIRECT through io_uring, job->qd I/Os in flight on ts->direct_fd. */
int device_io_uring(struct device_io_target *ts, const struct device_job *job,
		    uint64_t file_size, const struct device_io_window *w,
		    struct device_io_out *out);
/* Buffered sequential preads over the resident ts->cache_fd. */
int device_io_cached_read(struct device_io_target *ts,
			  const struct device_job *job,
			  const struct device_io_window *w,
			  struct device_io_out *out);
/* Buffered pwrites into new files of ts->t->cache_set bytes. */
int device_io_cached_write(struct device_io_target *ts,
			   const struct device_job *job,
			   const struct device_io_window *w,
			   struct device_io_out *out);
/* create + close + unlink of empty files in the scratch directory. */
int device_io_metadata(struct device_io_target *ts,
		       const struct device_io_window *w,
		       struct device_io_out *out);

/* ---- targets and results (device.c, device_target.c) ---- */

/* Whether a kind needs the O_DIRECT file (read, write, randread,
 * randwrite). */
bool device_kind_is_direct(enum device_kind k);

/* *dst (freed first) = the formatted text. 0 or -ENOMEM. */
int device_set_reason(char **dst, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A caveat for people, appended to t->notes (dropped on ENOMEM). */
void device_add_note(struct device_target *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A pending result skipped with why; any result failed with what and
 * err (-errno). */
void device_skip_result(struct device_result *r, const char *why);
void device_fail_result(struct device_result *r, int err, const char *what);

/* t->results for the jobs, each with room for `repeats` repeats and an
 * empty latency histogram. 0 or -ENOMEM. */
int device_init_results(struct device_target *t, const struct device_job *jobs,
			size_t n_jobs, unsigned repeats);
/*
 * Scratch, files and facts of one directory: the scratch directory, the
 * O_DIRECT file laid out (when a direct kind is asked), the resident
 * page-cache file, the device chain, storage facts and notes. Failures
 * to lay out a file become skip reasons of the jobs needing it, not
 * errors. 0, or -errno with the reason in err.
 */
int device_prepare_target(struct device_io_target *ts, const char *dir,
			  const struct device_options *o,
			  const struct device_job *jobs, size_t n_jobs,
			  char *err, size_t len);
/* Re-reads the cached-read file when something evicted part of it. */
int device_ensure_resident(struct device_io_target *ts);
/* Closes a target's files and removes its scratch directory. */
void device_target_close(struct device_io_target *ts);

#endif
