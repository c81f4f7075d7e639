/* SPDX-License-Identifier: MIT */
/*
 * The Memory table of report.md and compare.md: per measured cell the
 * strategy, size, heap allocations per copy, peak heap, peak RSS growth
 * and page-cache footprint (medians over its samples, sample_metric.h),
 * and, when comparing, what changed.
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_REPORT_MEMORY_H
#define IOBENCH_REPORT_MEMORY_H

#include <stdio.h>

#include "results.h"

struct comparison;

/*
 * The heading (a Markdown line: "## Memory") and the table into f. With cmp (NULL: none) the rows are
 * its matched cells, new side's figures, and a change column with each
 * memory figure's verdict; run is then ignored. Reference tools copy in
 * their own processes: they have no row.
 */
void report_memory_table(FILE *f, const struct run *run,
			 const struct comparison *cmp, const char *heading);

#endif
