/* SPDX-License-Identifier: MIT */
/*
 * Comparison of two runs (baseline vs new): cells matched by their full
 * parameter key; per cell the change of the median time with its CI and a
 * verdict - within one run per side Mann-Whitney U and a bootstrap (and
 * this host's noise floor, when calibrated), across several runs per side
 * the hierarchical bootstrap - and the same for CPU per GiB, peak RSS,
 * heap and page-cache footprint (sample_metric.h).
 */
#ifndef IOBENCH_COMPARE_H
#define IOBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "results.h"
#include "sample_metric.h"

struct calibration;
struct json_t;

/* Exact Mann-Whitney p-values up to this many samples per side (no ties). */
#define COMPARE_EXACT_MAX 50

struct compare_options {
	double alpha;		/* significance level, default 0.05 */
	double threshold;	/* relevant change as a fraction, 0.03 = 3% */
	bool holm;		/* Holm-adjust p over the tested cells */
	double level;		/* CI level, 0.95 */
	unsigned resamples;	/* bootstrap draws per cell */
	uint64_t seed;		/* bootstrap seed (cell i uses seed + i) */
	/* key parts not matched on (cell_same_key()'s ignore bits), so a
	 * run with another buffer size can be compared as if it were a
	 * code change */
	uint32_t ignore;
	/* which figures' regressions fail the comparison (COMPARE_FAIL_*);
	 * default time only */
	unsigned fail_on;
	/* this host's A/A noise floors (calibration.h), borrowed; NULL:
	 * none. Used for cells with one run per side. */
	const struct calibration *floors;
};

/* --fail-on: the figures whose regressions fail the comparison. */
#define COMPARE_FAIL_TIME	(1u << 0)
#define COMPARE_FAIL_CPU	(1u << 1)
#define COMPARE_FAIL_MEMORY	(1u << 2)	/* RSS, heap, allocations */
#define COMPARE_FAIL_CACHE	(1u << 3)

/* "time,cpu,memory,cache" -> COMPARE_FAIL_* bits; 0, or -EINVAL with
 * the bad word named in err. */
int compare_fail_on_parse(const char *list, unsigned *bits, char *err,
			  size_t len);
/* The --fail-on name of one COMPARE_FAIL_* bit ("time"), or NULL. */
const char *compare_fail_name(unsigned bit);
/* The --fail-on bit a figure belongs to. */
unsigned compare_fail_bit(enum sample_metric m);

/* Below this relative change of the median, CPU per GiB, RSS and heap
 * changes are not judged (besides the absolute floors below). */
#define COMPARE_OTHER_THRESHOLD 0.10
#define COMPARE_RSS_MIN		(64.0 * 1024)	/* bytes: counter slack */
#define COMPARE_HEAP_MIN	1024.0		/* bytes */
#define COMPARE_ALLOCS_MIN	0.5		/* allocations per copy */
#define COMPARE_CACHE_MIN	5.0		/* points of the file's share */

/* "buffer,qd,content" -> ignore bits: tunable names (cell.h) and
 * "content"; 0, or -EINVAL naming the bad word in err. */
int compare_ignore_parse(const char *list, uint32_t *bits, char *err,
			 size_t len);

/* Fills the documented defaults. */
void compare_default_options(struct compare_options *o);

enum compare_verdict {
	VERDICT_SAME,		/* "~": no significant change (p >= alpha) */
	VERDICT_NOISE,		/* significant, CI crosses +/- threshold */
	VERDICT_IMPROVED,	/* time CI wholly below -threshold */
	VERDICT_REGRESSED,	/* time CI wholly above +threshold */
	VERDICT_NO_DATA,	/* a side has no samples (skipped, failed) */
};

/* "~", "within noise", "improved", "regressed", "no data". */
const char *compare_verdict_name(enum compare_verdict v);

/*
 * A figure besides time for one matched cell: medians, the change new -
 * base (in the figure's unit; CPU per GiB as a ratio - 1, like time) with
 * its CI, the test's p and a verdict. A regression is an increase.
 */
struct compare_metric {
	bool have;			/* both sides know the figure */
	double base, new;		/* medians */
	double change, lo, hi;		/* and its CI */
	double p, p_adj;
	enum compare_verdict verdict;
};

/* One matched cell. base/new point into the runs given to compare_runs():
 * they must outlive the comparison. */
struct compare_cell {
	const struct cell *base, *new;
	size_t n_base, n_new;		/* samples (per-copy times) */
	double base_median, new_median;	/* per-copy seconds */
	double base_mib_s, new_mib_s;	/* throughput of the medians */
	double u;			/* Mann-Whitney U of the new side */
	double p;			/* two-sided p, unadjusted */
	double p_adj;			/* Holm-adjusted (== p without holm) */
	bool exact;			/* p from the exact distribution */
	double ratio, ratio_lo, ratio_hi; /* median time new/base, CI */
	enum compare_verdict verdict;
	bool few_samples;		/* a side below RESULTS_MIN_SAMPLES */
	/* runs with samples on each side; with >= 2 on both, the time CI
	 * is the hierarchical bootstrap's (stats_hier_median_ratio) and p
	 * Welch's test on the runs' log medians */
	size_t runs_base, runs_new;
	bool hierarchical;
	/* half the CI of each side's median time (the table's "±") */
	double base_half, new_half;
	/* the noise floor applied to the time change, as |log ratio|; 0
	 * when none (several runs, or no calibration for the size) */
	double floor;
	/* the other figures; [METRIC_TIME] mirrors the fields above */
	struct compare_metric metric[METRIC_COUNT];
};

/* A field of the environment (or the iobench version) that differs. */
struct compare_env_diff {
	const char *field;		/* "kernel", "fs_type", ... */
	const char *base, *new;		/* borrowed from the runs */
};

struct comparison {
	struct compare_options opts;
	struct compare_cell *cells;	/* in the base run's cell order */
	size_t n_cells;
	const struct cell **only_base;	/* unmatched, never dropped */
	size_t n_only_base;
	const struct cell **only_new;
	size_t n_only_new;
	struct compare_env_diff *env_diffs;
	size_t n_env_diffs;
	double geomean_ratio;		/* of ratio over cells with data */
	size_t n_geomean;		/* 0: geomean_ratio undefined */
	size_t n_regressed, n_improved, n_noise, n_same, n_no_data;
	size_t n_few_samples;
	/* per figure: cells regressed and improved ([METRIC_TIME] equals
	 * n_regressed and n_improved) */
	size_t metric_regressed[METRIC_COUNT], metric_improved[METRIC_COUNT];
	/* cells compared with a noise floor; with several runs per side */
	size_t n_floored, n_hierarchical;
	/* a side of one run was measured while other processes were busy
	 * (env_load.h), and the two sides at different times: the time
	 * changes of single-run cells are not judged (within noise), as
	 * that load fell on one side only; disturbed_why says which side
	 * and how busy. n_disturbed: cells whose change was so demoted. */
	bool disturbed;
	char disturbed_why[192];
	size_t n_disturbed;
};

/* Whether the comparison fails: some figure that opts.fail_on names
 * regressed (exit 4). */
bool compare_failed(const struct comparison *cmp);

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

/* ---- the tables (compare_table.c) ---- */

/* "✅", "❌", "≈" (no change or within noise), "no data". */
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

#endif
