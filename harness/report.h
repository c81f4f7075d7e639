/* SPDX-License-Identifier: MIT */
/* The Markdown report of a run (report.md), rendered from its analysis.
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_REPORT_H
#define IOBENCH_REPORT_H

#include <stdio.h>

#include "analysis.h"

/*
 * Writes report.md for a->run to path atomically: the executive summary
 * ("Change since NAME" right after it, when a baseline was compared),
 * environment, a table per size, page-cache effects, memory,
 * verification, thread scaling, limits, plots (drawn beside it),
 * recommendations, warnings, skipped and failed cells, how to
 * reproduce. 0 or -errno.
 */
int report_write_markdown(const struct analysis *a, const char *path);

/* The executive summary alone, as report.md starts with it
 * (--export-markdown). 0, or -EIO when writing to f failed. */
int report_write_summary(const struct analysis *a, FILE *f);

#endif
