/* SPDX-License-Identifier: MIT */
/* The "Thread scaling" section of report.md, rendered from the analysis. */
#ifndef IOBENCH_REPORT_SCALING_H
#define IOBENCH_REPORT_SCALING_H

#include <stdio.h>

#include "analysis.h"

/*
 * Writes "## Thread scaling" to f: per size, per strategy variant and
 * parallel mode, throughput at each thread count, speed-up over the same
 * variant with 1 thread (paired over rounds, 95% CI), parallel
 * efficiency, and imbalance (slowest / fastest thread). A run of 1
 * unpinned thread gets a one-line note instead.
 */
void report_scaling_section(const struct analysis *a, FILE *f);

/* Appends " --threads 1,2 --parallel files,ranges --pin compact
 * --prealloc fallocate" (only when threads were swept or pinned) to a
 * reproducing command line. */
void report_scaling_options(const struct run_request *q, FILE *f);

#endif
