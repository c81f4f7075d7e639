/* SPDX-License-Identifier: MIT */
/* report.md's limits, reference-tool and plot parts (report.c hooks). */
#ifndef IOBENCH_REPORT_EXTRA_H
#define IOBENCH_REPORT_EXTRA_H

#include <stdint.h>
#include <stdio.h>

#include "analysis.h"

/* After a size's table: its best results as a share of the machine's
 * limits and against the reference tools, in a few sentences. */
void report_extra_size(FILE *f, const struct analysis *a, uint64_t size);

/*
 * The "Limits", "Reference tools" and "Plots" sections. The plots are
 * drawn into plots/ beside report_path (see plots.h) and embedded with
 * relative links; without gnuplot the section says why there are none.
 * 0 or -errno.
 */
int report_extra_sections(FILE *f, const struct analysis *a,
			  const char *report_path);

/* The --limits / --reference options of the request, for the report's
 * "Reproduce" command line (" --no-limits --reference cp,dd"). */
void report_extra_options(const struct run_request *q, FILE *f);

#endif
