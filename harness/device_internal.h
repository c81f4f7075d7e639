/* SPDX-License-Identifier: MIT */
/*
 * The device ceilings' private pieces shared by device.c (jobs, rounds,
 * results) and device_target.c (a target made ready to measure). Not a
 * public API: only device*.c include it.
 */
#ifndef IOBENCH_DEVICE_INTERNAL_H
#define IOBENCH_DEVICE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "device.h"
#include "device_io.h"

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
