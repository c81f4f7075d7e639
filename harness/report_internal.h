/* SPDX-License-Identifier: MIT */
/*
 * Shared by the files that write report.md (report.c and the report_*.c
 * without a header of their own): the writer's context, the Markdown
 * helpers and the sections each file writes. Not API: only those files
 * include it.
 */
#ifndef IOBENCH_REPORT_INTERNAL_H
#define IOBENCH_REPORT_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "analysis.h"

struct report {
	const struct analysis *a;
	const struct run *run;
	FILE *f;
	const char *path; /* report.md: plots are drawn beside it */
};

/* Writes s as a table cell (" s |"): '|' escaped, line breaks as
 * spaces. */
/* s as one line of Markdown text: newlines become spaces, other control
 * bytes \xNN. */
void report_md_text(FILE *f, const char *s);
void report_md_cell(FILE *f, const char *s);
/* "1230 [1200, 1250]": a cell's median rate and CI in MiB/s; files/s
 * for 0-byte files; kept on one line in a table cell (no-break spaces).
 * Into out. */
const char *report_rate_ci(const struct analysis_cell *ac, char *out,
			   size_t len);
/* "1.25x [1.12, 1.37]" (analysis_fmt_ratio()) kept on one line in a
 * table cell. Into out. */
const char *report_ratio_ci(bool have, double r, double lo, double hi,
			    char *out, size_t len);
/* "1M", a tree by name: the size's heading name. */
const char *report_size_name(const struct report *rp, uint64_t size);

/* Sections after the per-size tables (report_details.c). */
void report_page_cache(struct report *rp);
void report_memory(struct report *rp);
void report_verification(struct report *rp);
/* (report_advice.c) */
void report_recommendations(struct report *rp);
void report_warnings(struct report *rp);
void report_not_measured(struct report *rp);
void report_reproduce(struct report *rp);

/* ---- limits, reference tools and plots (report_extra.c) ---- */

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

/* ---- thread scaling (report_scaling.c) ---- */

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

/*
 * report.md's "Devices" section of sweep --dir A,B (report_devices.c):
 * with several targets, the section, its plot drawn into DIR/plots/
 * (the report's directory); nothing with one target. 0 or -errno.
 */
int report_devices_section(FILE *f, const struct analysis *a,
			   const char *dir);

/*
 * The summary's uncertainty line of one run: the CIs are within-run; with
 * the host's calibration (analysis_set_calibration()) the band, per size
 * and kind of copy, another run's medians land in (report_extra.c).
 */
void report_within_run_line(const struct analysis *a, FILE *f);

#endif
