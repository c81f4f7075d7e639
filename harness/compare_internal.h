/* SPDX-License-Identifier: MIT */
/*
 * compare's per-cell statistics beyond the single-run time test: a
 * cell's figures grouped by run, Welch's test on the runs' medians, the
 * bootstrap of a difference of medians, and the judgement of one figure
 * (sample_metric.h) of a matched cell (compare_judge.c), the two runs'
 * environments (compare_env.c). Private to the compare module: only
 * harness/compare*.c include it.
 */
#ifndef IOBENCH_COMPARE_INTERNAL_H
#define IOBENCH_COMPARE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare.h"

/* A variant judged across sizes, by name: its first cell's key without
 * the size (compare_across.c). */
const char *compare_across_name(const struct compare_across *a, char *out,
				size_t len);

/* Fields compare_diff_environments() may list: cmp->env_diffs' room. */
#define COMPARE_ENV_FIELDS 9

/* The environment differences of base and new into cmp->env_diffs, and
 * cmp->disturbed (with why) when a side was measured under other load at
 * another time than the other: its time changes are not judged. */
void compare_diff_environments(const struct run *base, const struct run *new,
			       struct comparison *cmp);

/* A cell's known figures of one kind, by run (sample.run), in sample
 * order; runs without a known figure are left out. */
struct run_groups {
	size_t runs;
	double **x;		/* x[r][0..n[r]) */
	size_t *n;
	double *pooled;		/* every value */
	size_t n_pooled;
};

/* 0 (groups may be empty: runs == 0) or -ENOMEM. */
int compare_groups(const struct cell *c, enum sample_metric m,
		   struct run_groups *g);
void compare_groups_free(struct run_groups *g);

/*
 * Welch's two-sided test of the runs' medians of x against y (log
 * medians when log_scale; every value > 0 then), each side >= 2 runs.
 * *p; and the half-width at `level` of the interval of the difference
 * of their means (x - y). Both sides constant: p = 0 when they differ,
 * else 1, and the half-width 0. 0 or -EINVAL/-ENOMEM.
 */
int compare_welch_runs(const struct run_groups *x, const struct run_groups *y,
		       bool log_scale, double level, double *p, double *half);

/*
 * The sides took turns sample by sample: x's sample (pass r, round i)
 * pairs with y's. The ratio x/y is exp(Hodges-Lehmann of the pairs' log
 * ratios); *p the signed-rank test of all of them; *pairs counts them.
 * With one pass, or passes whose log ratios do not differ (*pass_p, the
 * Kruskal-Wallis p over the passes, >= 0.05; NaN with one pass), the CI
 * is stats_paired_ratio's over the passes joined as one series; else
 * stats_hier_ratio's (passes, then rounds, hulled with the t interval on
 * the passes' ratios). 0, -EINVAL (fewer than 2 pairs), -ENOMEM.
 */
int compare_paired_rounds(const struct cell *x, const struct cell *y,
			  double level, unsigned resamples, uint64_t seed,
			  double *ratio, double *lo, double *hi, double *p,
			  size_t *pairs, double *pass_p);

/*
 * Runs measured in pairs (run k of x next to run k of y, the same count
 * on both sides, >= 2): the mean of the pairs' log(median x / median y),
 * *ratio = its exp, [*lo, *hi] the t interval at `level` over the
 * pairs, *p the two-sided one-sample t test of the mean against 0.
 * Constant pairs: the half-width 0, p 1 when the mean is 0, else 0.
 * 0 or -EINVAL (unpaired or a non-positive median), -ENOMEM.
 */
int compare_paired_runs(const struct run_groups *x, const struct run_groups *y,
			double level, double *ratio, double *lo, double *hi,
			double *p);

/* One run per side: the two-sided Mann-Whitney test of xn against xb
 * and the bootstrap of the ratio of their medians into cc (u, p, exact,
 * ratio and its CI). 0, -EINVAL (a side empty) or -ENOMEM. */
int compare_time_single(struct compare_cell *cc, const double *xb, size_t nb,
			const double *xn, size_t nn,
			const struct compare_options *o, uint64_t seed);

/*
 * Before compare_size_shifts(): the cells with one run per side judged
 * again on their samples each over its round's effect. Every cell of a
 * size runs once per round, one after the other, so what moves a round -
 * the vCPU it ran on (runner_sample_cpu()), the host's load over those
 * seconds - moves all of them: a round's effect is the median, over the
 * cells of a shift's group (compare_same_shift_group()) that ran in it,
 * of log(sample / the cell's median), taken from each side's own
 * samples. A change of one cell does not move it; the vCPUs' speeds, a
 * cell's 10 samples half on each, do not widen its test any more. Groups
 * below COMPARE_SHIFT_MIN_CELLS cells, and sides whose rounds are not
 * known (a cell with two samples of one round), stay as measured.
 * Sets round_adjusted and adj_*. 0 or -ENOMEM.
 */
int compare_round_adjust(struct comparison *cmp);
/* Frees a cell's adjusted samples. */
void compare_round_free(struct compare_cell *cc);

/* The variants a comparison with a calibration will judge across their
 * sizes (compare_across.c), into *n, for the floors' family. 0 or
 * -ENOMEM. */
int compare_across_count(struct comparison *cmp, size_t *n);
/* After the cells' verdicts: each variant of one run per side with
 * floors at two sizes or more judged across them (struct
 * compare_across) into cmp->across. 0 or -ENOMEM. */
int compare_across(struct comparison *cmp);

/* Sets each single-run cell's shift and shift_cells (compare_types.h):
 * the median log time ratio of the cells with data, one run per side,
 * of its size, kind of copy (cell_reaches_device) and threads, when they
 * are compare_shift_min_cells() or more; and the same of CPU s/GiB into
 * metric[METRIC_CPU].shift, and of RSS growth (bytes, over the cells of
 * one thread count) into metric[METRIC_RSS].shift. 0 or -ENOMEM. */
int compare_size_shifts(struct comparison *cmp);
/*
 * After compare_size_shifts(): the time p of each cell judged net of its
 * shift (one run per side, unpaired) from its samples net of it, so the
 * test and the interval speak of the same change: a +20% change under a
 * size's -50% has its raw samples 40% faster, and the raw test said
 * nothing or the opposite (planted 20% on rw, 4K: raw -50%, net +14%,
 * p 0.21). Holm again over the time p afterwards. 0 or -ENOMEM.
 */
int compare_retest_net_of_shift(struct comparison *cmp);

/* Judges figure m (not METRIC_TIME) of a matched cell into
 * cc->metric[m], p unadjusted; the verdict comes later
 * (compare_judge_verdict). 0 or -ENOMEM. */
int compare_judge_metric(struct compare_cell *cc, enum sample_metric m,
			 const struct compare_options *o, uint64_t seed);
/* The verdict of a judged figure from its adjusted p and CI, net of its
 * shift, and of CPU's calibrated floor (compare_metric.floor). */
enum compare_verdict compare_judge_verdict(const struct compare_metric *cm,
					   enum sample_metric m,
					   const struct compare_options *o);

#endif
