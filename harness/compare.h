/* SPDX-License-Identifier: MIT */
/*
 * Comparison of two runs (baseline vs new): cells matched by their full
 * parameter key; per cell the change of the median time with its CI and a
 * verdict - within one run per side Mann-Whitney U and a bootstrap (and
 * this host's noise floor, when calibrated), across several runs per side
 * the hierarchical bootstrap - and the same for CPU per GiB, peak RSS,
 * heap and page-cache footprint (sample_metric.h).
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_COMPARE_H
#define IOBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calibration.h"
#include "compare_table.h"
#include "compare_types.h"
#include "results.h"
#include "sample_metric.h"

/* "time,cpu,memory,cache" -> COMPARE_FAIL_* bits; 0, or -EINVAL with
 * the bad word named in err. */
int compare_fail_on_parse(const char *list, unsigned *bits, char *err,
			  size_t len);
/* The --fail-on name of one COMPARE_FAIL_* bit ("time"), or NULL. */
const char *compare_fail_name(unsigned bit);
/* The --fail-on bit a figure belongs to. */
unsigned compare_fail_bit(enum sample_metric m);

/* "buffer,qd,content" -> ignore bits: tunable names (cell.h) and
 * "content"; 0, or -EINVAL naming the bad word in err. */
int compare_ignore_parse(const char *list, uint32_t *bits, char *err,
			 size_t len);

/* Fills the documented defaults. */
void compare_default_options(struct compare_options *o);

/* Whether the comparison fails: some figure that opts.fail_on names
 * regressed (exit 4). */
bool compare_failed(const struct comparison *cmp);
/* Whether the gate could not judge what it was asked to: no figure
 * failed, but time is in opts.fail_on and a time change that had
 * regressed was not judged, its side measured under other load or its
 * size's cells moved apart (exit 2, never a silent 0). */
bool compare_unjudged(const struct comparison *cmp);

/*
 * Matches the cells of base and new, tests each matched cell with samples
 * on both sides and sets its verdict. The comparison borrows the runs'
 * cells and strings: free it (compare_free()) before the runs.
 * 0, -EINVAL (bad options) or -ENOMEM.
 */
int compare_runs(const struct run *base, const struct run *new,
		 const struct compare_options *o, struct comparison *cmp);
void compare_free(struct comparison *cmp);

/*
 * Adds the A/A pair (a, b) - two single runs of one sweep - to cal as
 * compare judges two single runs: each matched cell's log time change net
 * of its size's shift (compare_size_shifts()), so the floor is of what
 * the floor is applied to. Sets cal->net_of_shift. 0, -EINVAL (no cell
 * matched) or -ENOMEM. calibration_finish() after the last pair.
 */
int compare_calibration_pair(struct calibration *cal, const struct run *a,
			     const struct run *b);

/*
 * Two-sided Mann-Whitney U test of x against y. *u is U of x (the number
 * of pairs with x > y, ties counting one half), as scipy reports it.
 * Exact p when there are no ties and both sides have at most
 * COMPARE_EXACT_MAX values; otherwise the normal approximation with tie
 * and continuity correction. 0, -EINVAL (a side empty) or -ENOMEM.
 */
int compare_mann_whitney(const double *x, size_t nx, const double *y,
			 size_t ny, double *u, double *p, bool *exact);
/* Holm step-down adjustment of p[0..n) into adj[0..n) (may alias p).
 * 0 or -ENOMEM. */
int compare_holm(const double *p, size_t n, double *adj);

/* Renders the comparison: a Markdown document / a JSON document
 * ("schema": "iobench-compare/1"). Malloc'd, NUL-terminated; the caller
 * frees. NULL on allocation failure. */
char *compare_markdown(const struct comparison *cmp,
		       const struct compare_sides *s);
char *compare_json(const struct comparison *cmp,
		   const struct compare_sides *s);
/* The executive line: "No regressions detected" or
 * "2 regressions, 5 improvements"; other figures' regressions follow
 * ("; memory: 1 regression"); "Nothing compared: ..." when no matched
 * cell has samples on both sides. */
void compare_summary(const struct comparison *cmp, char *buf, size_t len);
/* How many matched cells were tested (samples on both sides). 0 means the
 * comparison checked nothing: no verdict, never "no regression". */
size_t compare_tested(const struct comparison *cmp);

#endif
