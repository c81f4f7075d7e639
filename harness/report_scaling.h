/* SPDX-License-Identifier: MIT */
/* The "Thread scaling" section of report.md and its recommendations. */
#ifndef IOBENCH_REPORT_SCALING_H
#define IOBENCH_REPORT_SCALING_H

#include <stdio.h>

#include "results.h"

/*
 * Writes "## Thread scaling" to f: per size, per strategy variant and
 * parallel mode, throughput at each thread count, speed-up over the same
 * variant with 1 thread (bootstrap 95% CI), parallel efficiency, and
 * imbalance (slowest / fastest thread). A run of 1 unpinned thread gets a
 * one-line note instead. 0 or -ENOMEM.
 */
int report_scaling_section(const struct run *run, FILE *f);

/* Appends " --threads 1,2 --parallel files,ranges --pin compact
 * --prealloc fallocate" (only when threads were swept or pinned) to a
 * reproducing command line. */
void report_scaling_options(const struct run_request *q, FILE *f);

/* Impact of a recommendation, as report.c ranks them. */
enum report_scaling_impact {
	SCALING_HIGH, SCALING_MEDIUM, SCALING_LOW
};

/*
 * Calls add() once per recommendation the thread figures support: per
 * size, the best speed-up over 1 thread when its CI is above 1 ("Copy 1G
 * files with `copy_file_range` and 4 threads by ranges: 1.80x over 1
 * thread ..."), or a note that threads did not help.
 */
void report_scaling_recommend(const struct run *run,
			      void (*add)(void *ctx,
					  enum report_scaling_impact impact,
					  const char *text),
			      void *ctx);

#endif
