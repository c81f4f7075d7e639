/* SPDX-License-Identifier: MIT */
/* The Markdown report of a run (report.md). */
#ifndef IOBENCH_REPORT_H
#define IOBENCH_REPORT_H

#include "results.h"

/*
 * Writes report.md for run to path atomically: executive summary,
 * environment, a table per size, page-cache effects, recommendations,
 * warnings, skipped/failed cells, how to reproduce. 0 or -errno.
 */
int report_write_markdown(const struct run *run, const char *path);

#endif
