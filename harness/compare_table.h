/* SPDX-License-Identifier: MIT */
/*
 * The comparison's tables in Markdown (compare_table.c), shared by
 * compare.md and the report's memory table.
 *
 * Layer: output; includes only the comparison's types (compare_types.h)
 * and the model.
 */
#ifndef IOBENCH_COMPARE_TABLE_H
#define IOBENCH_COMPARE_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "compare_types.h"

struct json_t;

/* Labels shown for each side, e.g. "baseline main" / "results/latest". */
struct compare_sides {
	const char *base_label, *new_label;
	const struct run *base, *new;
	/* NULL: a whole document under "# iobench compare"; else a section
	 * of another document, "## <title>" with ### subsections */
	const char *title;
	/* the table's column names: "main", "current"; NULL: base, new */
	const char *base_short, *new_short;
	/* more top-level fields for compare.json (borrowed), or NULL */
	struct json_t *extra;
};

/* A verdict's name in results: "~", "within noise", "improved",
 * "regressed", "no data". */
const char *compare_verdict_name(enum compare_verdict v);
/* Its sign in tables: "✅", "❌", "≈" (no change or within noise), "no
 * data". */
const char *compare_status_sign(enum compare_verdict v);
/* "copy_1M rw warm", with the tunables when another matched cell of the
 * strategy, size and modes has others ("copy_1M rw (buf 1M) warm"),
 * " fdatasync" and the threads when there are. Into out. */
const char *compare_operation_name(const struct comparison *cmp,
				   const struct cell *c, char *out,
				   size_t len);
/* "+12.0% [+5.1%, +19.0%]", "+128 KiB [+120 KiB, +136 KiB]": a figure's
 * change and CI in its unit. Into out. */
const char *compare_metric_change(enum sample_metric m,
				  const struct compare_metric *cm, char *out,
				  size_t len);
/* The main-vs-current table: | operation | time (main) | time (current)
 * | change | status |, one row per matched cell, and its legend. */
void compare_md_headline(FILE *f, const struct comparison *cmp,
			 const struct compare_sides *s);
/* "<h> CPU, memory and page cache": the figures that regressed or
 * improved, one row each (or one sentence), and how they are judged. */
void compare_md_figures(FILE *f, const struct comparison *cmp,
			const struct compare_sides *s, const char *h);
/* "<h> Noise floor": the calibration's floor per size when one was
 * given; nothing otherwise. */
void compare_md_floors(FILE *f, const struct comparison *cmp, const char *h);
/* The section "Shifts common to a size" (heading level h): each size
 * whose single-run cells were judged net of their common shift, and by
 * how much it moved; nothing when none was. */
void compare_md_shifts(FILE *f, const struct comparison *cmp, const char *h);
/* The cell whose size moved most as a whole (compare_types.h: shift),
 * NULL when no size has a shift. */
const struct compare_cell *compare_largest_shift(const struct comparison *cmp);

#endif
