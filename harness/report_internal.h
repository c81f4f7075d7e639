/* SPDX-License-Identifier: MIT */
/*
 * Shared by the files that write report.md (report*.c): the writer's
 * context and the Markdown helpers. Not API: only report*.c include it.
 */
#ifndef IOBENCH_REPORT_INTERNAL_H
#define IOBENCH_REPORT_INTERNAL_H

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

#endif
