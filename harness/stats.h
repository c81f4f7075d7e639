/* SPDX-License-Identifier: MIT */
/*
 * Estimators over a sample of per-copy times (seconds), criterion-style:
 * the median is primary; nothing is ever dropped, outliers are counted.
 *
 * Definitions (so results can be checked with numpy/scipy):
 * - sd is the sample standard deviation (n - 1), numpy.std(x, ddof=1).
 * - mad is the raw median absolute deviation, NOT scaled by 1.4826:
 *   scipy.stats.median_abs_deviation(x) with its default scale=1.0.
 * - q1/q3 are linearly interpolated quantiles at (n - 1) * p, numpy's
 *   default: numpy.percentile(x, 25) and numpy.percentile(x, 75).
 * - Tukey fences: a point below q1 - 3 IQR (above q3 + 3 IQR) is severe;
 *   one below q1 - 1.5 IQR (above q3 + 1.5 IQR) but not severe is mild.
 *   A severe point is counted only as severe. Comparisons are strict.
 * - The median's CI is [x(lo), x(hi)] over the sorted sample with
 *   (lo, hi) = (k, n - 1 - k), k the largest with
 *   P(k + 1 <= B <= n - 1 - k) >= level, B ~ Bin(n, 1/2). When even
 *   (min, max) covers less (n <= 5 at 95%), it is (min, max) with its
 *   lower, true coverage. n = 1: the CI is [x, x] with coverage 0.
 *
 * Layer: model; includes only lib/, copy_strategies/, datasets/ and the model.
 */
#ifndef IOBENCH_STATS_H
#define IOBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct estimates {
	size_t n;
	double median, mean, sd, mad, min, max;
	double cv;		/* sd / mean; 0 when n < 2 */
	double ci_level;	/* 0.95 */
	double median_lo;	/* distribution-free CI of the median by */
	double median_hi;	/* order statistics (binomial) */
	double ci_coverage;	/* the interval's exact coverage (>= level
				 * when n allows; below it for tiny n) */
	unsigned mild_low, mild_high;	  /* Tukey: beyond 1.5 IQR */
	unsigned severe_low, severe_high; /* Tukey: beyond 3 IQR */
	double q1, q3;
};

/* Fills e from x[0..n) (n >= 1; x is not modified). 0 or -EINVAL/-ENOMEM.
 * -EINVAL: n == 0, a NaN or infinite value, or level outside (0, 1).
 * n = 1: sd, cv and mad are 0. */
int stats_estimate(const double *x, size_t n, double level,
		   struct estimates *e);

/*
 * Ratio of medians median(a)/median(b) with a seeded percentile-bootstrap
 * CI (`resamples` resamples of each side with replacement, GSL mt19937).
 * Each resample's median is drawn from its exact distribution through
 * uniform order statistics (Beta variates), so a draw costs O(1) and the
 * whole call O(n log n + resamples), whatever the sample size. The bounds
 * are the (1 -+ level) / 2 quantiles (linear interpolation) of
 * the sorted resampled ratios. mt19937 takes a 32-bit seed: the two
 * halves of `seed` are xor-ed. Same inputs and seed, same CI.
 * 0 or -EINVAL/-ENOMEM; -EINVAL also for non-finite values, b <= 0,
 * resamples == 0 or level outside (0, 1).
 */
int stats_bootstrap_ratio(const double *a, size_t na, const double *b,
			  size_t nb, double level, unsigned resamples,
			  uint64_t seed, double *ratio, double *lo,
			  double *hi);

/* Indices (0-based, into sorted x) of the order statistics bounding the
 * median's CI for n samples: lo <= hi, and the exact coverage. */
void stats_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi,
			   double *coverage);

/*
 * Robust statistics for paired rounds, drift, best sets and several runs
 * ======================================================================
 *
 * Conventions shared by everything below:
 * - Functions return 0 or -errno: -EINVAL for bad input (a NULL pointer,
 *   too few values, an infinite value, a level outside (0, 1)), -ENOMEM.
 *   On error the output is unspecified (but owns no memory).
 * - Times are per-copy seconds, finite and > 0. Where a function says
 *   "NaN = missing", a NaN marks a round that has no sample; a pair with
 *   a NaN on either side is skipped, nothing else.
 * - Quantiles are type 7 (numpy.percentile's default, GSL's
 *   gsl_stats_quantile_from_sorted_data): linear at (n - 1) p.
 * - Randomised results are deterministic given `seed` (GSL mt19937 seeded
 *   with both 32-bit halves of it xor-ed, as stats_bootstrap_ratio).
 * - Ratios are estimated in log space: exp of the Hodges-Lehmann estimate
 *   (median of the Walsh averages (d[i] + d[j]) / 2, i <= j) of the
 *   per-round log ratios. It is the estimate that goes with the signed-
 *   rank test, efficient (95% of the mean's under normal noise) and
 *   robust; a "ratio" is always numerator / denominator in time, so > 1
 *   means the numerator is slower.
 * - Bootstrap CIs resample whole rounds in moving blocks of
 *   round(n^(1/3)) rounds (at least 1), so short-range dependence between
 *   neighbouring rounds survives, and read the bootstrap distribution at
 *   expanded percentiles (stats_expanded_tail() in stats_internal.h: the
 *   t-based small-sample widening of Hesterberg 2015, with the number of
 *   blocks, or runs, as the sample size). Plain percentile intervals
 *   covered a 95% target only 86-89% of the time at n = 10.
 * - Costs: the Hodges-Lehmann estimate is O(n^2); a bootstrap repeats it
 *   `resamples` times. Meant for round counts up to a few hundred.
 */

/*
 * Robust description of one sample set
 * ------------------------------------
 *
 * The slow-mode rule (documented so a report can quote it): with n >= 10,
 * the sorted log-times are split at their largest gap that leaves at
 * least max(2, ceil(n / 10)) samples on each side. The sample is bimodal
 * when that gap is a step of at least 10% between consecutive times AND
 * wider than 4 robust SDs (1.4826 x the median absolute residual of each
 * log-time from its own group's median, both groups pooled). Simulated
 * (stats_sim, n = 10-100): on unimodal times with 5% noise at most 0.1%
 * false alarms for normal noise and 1.4% for an exponential tail; a 20%
 * group 2x slower is found every time.
 */
#define STATS_SLOW_FACTOR	2.0	/* slow_share counts x >= 2 x median */
#define STATS_MODE_MIN_N	10	/* fewer samples: never bimodal */
#define STATS_MODE_MIN_SHARE	0.10	/* each mode holds >= 10%, >= 2 */
#define STATS_MODE_MIN_STEP	0.10	/* the gap is a >= 10% step */
#define STATS_MODE_GAP_SDS	4.0	/* and > 4 pooled robust SDs */

struct stats_distribution {
	size_t n;
	double median, mean, min, max;
	double p10, p90, q1, q3;	/* type-7 quantiles */
	double mad;		/* 1.4826 x raw MAD: scipy's
				 * median_abs_deviation(x, scale='normal') */
	double iqr;		/* q3 - q1 */
	double spread;		/* iqr / median (the full IQR width; a
				 * "±" display would show half of it) */
	double mad_rel;		/* mad / median */
	/* Tukey fences as in struct estimates (1.5 and 3 IQR, strict) */
	unsigned tukey_low_mild, tukey_low_severe;
	unsigned tukey_high_mild, tukey_high_severe;
	double slow_factor;	/* STATS_SLOW_FACTOR */
	double slow_share;	/* share of samples >= slow_factor x median */
	bool bimodal;		/* the slow-mode rule above */
	double slow_mode_share;	/* share of samples in the upper mode */
	double slow_mode_ratio;	/* median(upper mode) / median(lower mode);
				 * both 0 when !bimodal */
};

/*
 * Describes x[0..n) (n >= 1, finite, >= 0; x is not modified). Relative
 * figures (spread, mad_rel, slow_share) are 0 when the median is 0; the
 * mode rule needs every x > 0 (otherwise: not bimodal).
 */
int stats_describe(const double *x, size_t n, struct stats_distribution *d);

/*
 * The standard error of log(median) of x[0..n) (n >= 2, every x > 0 and
 * finite), from the log medians of `resamples` bootstrap resamples
 * (>= 4; seeded: same input, same figure): the half-width of their
 * central STATS_MEDIAN_SE_LEVEL over a normal's (1.96 SDs). Why not
 * their SD: samples in two modes give a bootstrap distribution in two
 * lumps, and a far lump of a few draws would set it. Why not their
 * interquartile range (it was): a median can jump to a second mode
 * that holds a third of the samples, a lump the middle half of the
 * draws never reaches - `io_uring` 100M warm with 7 of 18 samples
 * 2.6-3.8x slower: its IQR a band of 1.13 either way, this 2.23. The
 * band is asked far out in the tail (1 in 1,440 for the headline's 72
 * cells), and the central 95% reaches a lump of 1 draw in 40; it also
 * holds still where the IQR moved with the seed (`odirect` 1K: 1.32 or
 * 1.43 by seed, this 1.60 under each of 8). Over 16 back-to-back A/A
 * pairs of the headline sweep and 58 calibrations from 3 of the others
 * (754 pairings), every warm cell's second median landed in the first
 * run's band (analysis_set_calibration()) in 87.4% of them with the
 * IQR, 96.8% with this; the median band stayed a factor of 1.18 (90th
 * percentile 1.37 -> 1.45). 0, -EINVAL or -ENOMEM.
 */
#define STATS_MEDIAN_SE_LEVEL 0.95 /* stats_median_log_se() */
int stats_median_log_se(const double *x, size_t n, unsigned resamples,
			uint64_t seed, double *se);

/*
 * Drift and steps in a time-ordered series
 * ----------------------------------------
 *
 * For one cell's samples in round order. Flag a cell when a test is
 * significant AND the change matters (e.g. mk_p < 0.01 and the fitted
 * drift |sen_slope_rel| x (n - 1) / 100 > 5%, or pettitt_p < 0.01 and
 * step_ratio outside [0.95, 1.05]): with many samples tiny drifts become
 * significant.
 */
#define STATS_TREND_MAX_N 4096	/* Sen's slope keeps n(n-1)/2 slopes */

struct stats_trend {
	size_t n;
	/* Mann-Kendall: S = sum over i < j of sign(x[j] - x[i]); var with
	 * the tie correction; z with the continuity correction
	 * (S - sign(S)) / sqrt(var); two-sided normal p */
	double mk_s, mk_var, mk_z, mk_p;
	/* Sen's slope (median of (x[j] - x[i]) / (j - i), i < j) x 100 /
	 * median(x): the relative change per 100 samples; 0 if median 0 */
	double sen_slope_rel;
	/* Pettitt: U(t) = sum over i < t <= j of sign(x[i] - x[j]),
	 * K = max |U(t)|, p ~= min(1, 2 exp(-6 K^2 / (n^3 + n^2))) */
	double pettitt_k, pettitt_p;
	size_t change_at;	/* the t of K: first index after the step */
	double step_ratio;	/* median(x[change_at..n)) / median(before) */
	double lag1_rho;	/* stats_lag1_rank_autocorr(x) */
};

/* n >= 3 (-EINVAL below), n <= STATS_TREND_MAX_N (-E2BIG), finite x.
 * step_ratio is 0 when the median before the step is 0. */
int stats_trend(const double *x, size_t n, struct stats_trend *t);

/*
 * Lag-1 rank autocorrelation: Spearman's rho of (x[i], x[i + 1]),
 * i = 0..n-2, each series ranked on its own with mean ranks for ties
 * (scipy.stats.spearmanr(x[:-1], x[1:])). Independent samples give ~0.
 * n >= 3, finite x; *rho = 0 when either series is constant.
 */
int stats_lag1_rank_autocorr(const double *x, size_t n, double *rho);

/*
 * Wilcoxon signed-rank test
 * -------------------------
 *
 * On d[i] - shift, as scipy.stats.wilcoxon(d - shift,
 * zero_method="wilcox", correction=False): NaN entries are skipped
 * (missing), zero differences dropped, |d| ranked with mean ranks. Exact
 * null distribution when the m non-zero differences are at most 50 and
 * have no ties (hand-written: GSL has no signed-rank distribution);
 * otherwise the normal approximation with the tie correction.
 * With zeros but no ties and m <= 50 this stays exact on the non-zero
 * differences (scipy would switch to the approximation): the same as
 * scipy.stats.wilcoxon(d[d != 0], method="exact").
 * m = 0: every p is 1.
 */
struct stats_signed_rank {
	size_t m;		/* non-zero differences used */
	double w_plus;		/* sum of the ranks of positive ones */
	bool exact;
	double z;		/* approximation's z of w_plus; 0 if exact */
	double p_two_sided;	/* H1: the distribution of d - shift is not
				 * symmetric about 0 */
	double p_greater;	/* H1: it lies above 0 */
	double p_less;		/* H1: it lies below 0 */
};

int stats_signed_rank_test(const double *d, size_t n, double shift,
			   struct stats_signed_rank *r);

/*
 * One-sided p for H1: the ratio behind log_ratio[] is above exp(margin):
 * stats_signed_rank_test(log_ratio, n, log_margin) -> p_greater.
 */
int stats_signed_rank_greater(const double *log_ratio, size_t n,
			      double log_margin, double *p);

/*
 * Paired comparison of two cells over the same rounds
 * ---------------------------------------------------
 *
 * a[i] and b[i] come from round i (NaN = missing). ratio estimates the
 * typical a/b; [lo, hi] spans two intervals for it (their hull): the
 * moving-block bootstrap (expanded percentiles) of the estimate, which
 * survives short-range dependence, and the distribution-free interval
 * from the sorted Walsh averages (exact for i.i.d. symmetric log ratios;
 * it keeps tiny n honest, where a bootstrap sees too few patterns).
 * p_two_sided is the signed-rank test of log(a/b). Drift common to both
 * cells cancels in the per-round ratios. Simulated (stats_sim: common
 * drift, 5% noise, 95%): 93-98% coverage for n = 5 to 60 when the
 * residual log ratios are independent; 88-93% when their lag-1
 * correlation is 0.3 and 75-88% at 0.6, where blocks of n^(1/3) rounds
 * are too short (stats_lag1_rank_autocorr of the log ratios tells).
 */
struct stats_paired {
	size_t n;		/* usable pairs */
	double ratio;		/* exp(Hodges-Lehmann of log(a/b)) */
	double lo, hi;		/* CI at `level` */
	double level;
	double p_two_sided;
	size_t block;		/* bootstrap block length, in rounds */
};

/* At least one usable pair; resamples >= 1 (2000 or more advised: small n
 * reads the far tails). */
int stats_paired_ratio(const double *a, const double *b, size_t n,
		       double level, unsigned resamples, uint64_t seed,
		       struct stats_paired *out);

/*
 * Kruskal-Wallis test
 * -------------------
 *
 * Whether k groups x[g][0..n[g]) (finite values, k >= 2, at least 3 in
 * all, each group at least 1) come from one distribution: H on the
 * pooled mid-ranks with the tie correction, p from chi-square with k - 1
 * degrees of freedom, as scipy.stats.kruskal. -EINVAL when every value
 * is equal (no ranking) or the shape is wrong.
 */
int stats_kruskal(const double *const *x, const size_t *n, size_t k,
		  double *h, double *p);

/*
 * Holm-Bonferroni
 * ---------------
 *
 * adj[i] = max over the j ranked at or before p[i] of min(1, (m - r_j) p_j)
 * (r_j = 0-based rank): adjusted p-values, monotone in p, capped at 1, as
 * statsmodels' multipletests(p, method="holm")[1]. p in [0, 1]; adj may
 * be p itself; m = 0 does nothing.
 */
int stats_holm(const double *p, size_t m, double *adj);

/*
 * The best set among k candidates measured over the same n rounds
 * ---------------------------------------------------------------
 *
 * times[j][i]: candidate j in round i, per-copy seconds, lower is better
 * (NaN = missing; every candidate needs one sample).
 * - best: the lowest median time (of the times, not their logs: the
 *   cell a table sorted by median shows first; the first one on equal
 *   medians).
 * - ratio[j]: exp(Hodges-Lehmann of log(t_j / t_best)) over the rounds
 *   both have; 1 for best; NaN when they share no round. (It can be a
 *   little below 1 for a near tie: the pick is by median.)
 * - p_adj[j]: the one-sided signed-rank p of H1: t_j / t_best > 1 +
 *   margin, Holm-adjusted over the k - 1 comparisons; 1 for best.
 * - gap_lo[j]: for a j the test puts out (p_adj[j] < alpha), a one-
 *   sided selection-aware lower bound at alpha of t_j / t_best (the same
 *   bootstrap as the speed-up's below, read for j at the low end of the
 *   two-sided 1 - 2 alpha interval); 1 for best, NaN for the others.
 * - in_set[j]: j == best, or not shown to be slower than the best by
 *   more than the margin: p_adj[j] >= alpha or gap_lo[j] <= 1 + margin.
 *   A candidate is out only when both say so: the signed-rank test alone
 *   does not know the best was picked as the fastest of k and takes
 *   rounds as independent, and on this machine's correlated rounds it put
 *   one of two identical strategies out in 1 of 30 sizes (1M, 10 rounds,
 *   1.12x) while the selection-aware CI held 1. Simulated (stats_sim,
 *   AR(1) noise with lag-1 correlation 0.4 as this machine's, n = 20,
 *   CV 10%): two identical candidates tie in 95% (the test alone 89%),
 *   nine identical ones in 94% (78%); one 20% slower is out in 92% (97%).
 * - With ref < k: speedup = exp(Hodges-Lehmann of log(t_ref / t_best)),
 *   and [speedup_lo, speedup_hi] a selection-aware CI at `level`: the
 *   rounds are block-bootstrapped, the fastest re-picked in each
 *   resample, and the interval is the bias-corrected ("basic") one,
 *   speedup / quantiles of the resample's advantage over the same
 *   candidate's advantage in the data, read at the expanded percentiles.
 *   (A plain percentile of the re-picked advantage counts the winner's
 *   curse twice: with 8 candidates tied for best it covered 74% at
 *   n = 10; this interval 97%, and 93-99% in every stats_sim case.)
 *   With ref == SIZE_MAX the three are NaN. resamples may be 0 only
 *   for k == 1.
 *
 * alpha < 0.5. With the exact test, n rounds give no p below 2^-n: k - 1 comparisons
 * can exclude a candidate only when (k - 1) 2^-n < alpha (n >= 5 for
 * k = 2, n >= 8 for k = 10). Simulated (stats_sim, margin 3%, alpha
 * 0.05, n = 10, independent rounds): two copies of one strategy tie in
 * 100% of cases at CV 5% (99.5% at CV 10%); one 20% slower is out in 99%
 * at CV 5%.
 *
 * The arrays are allocated by stats_best_set and owned by the caller:
 * release them with stats_best_free (also after an error, and safe on a
 * zeroed struct).
 */
struct stats_best {
	size_t k, n;
	size_t best;
	bool *in_set;		/* k */
	size_t n_set;
	double *ratio;		/* k */
	double *gap_lo;		/* k */
	double *p_adj;		/* k */
	size_t ref;		/* as passed */
	double speedup, speedup_lo, speedup_hi;
};

#define STATS_TIE_MARGIN 0.03	/* practical equivalence: 3% */

int stats_best_set(const double *const *times, size_t k, size_t n,
		   size_t ref, double margin, double alpha, double level,
		   unsigned resamples, uint64_t seed, struct stats_best *out);
void stats_best_free(struct stats_best *b);

/*
 * Several runs: the hierarchical bootstrap
 * ----------------------------------------
 *
 * Run r holds n[r] values in round order (runs >= 2, n[r] >= 1). Each
 * resample draws `runs` runs with replacement, then the rounds of each
 * drawn run in moving blocks (length from n[r]), and pools them; the
 * interval reads the expanded percentiles with the number of runs as the
 * sample size. A bootstrap cannot reach beyond the runs it has (with 2
 * runs it covered about 65%), so [lo, hi] is the hull of that interval
 * and the t interval on the per-run estimates (mean +- t(runs - 1) SD /
 * sqrt(runs); in log space for ratios), exact for normal run-level
 * estimates: with 2 or 3 runs it is wide, because the run-to-run variance
 * then rests on 1 or 2 degrees of freedom. Simulated (run-level SD 5%,
 * sample SD 3%, 15 rounds, stats_sim): 95-99% coverage at 95% for 2 to
 * 8 runs.
 * estimate is computed on all values pooled; run_min/run_max are the
 * lowest and highest per-run estimates, between_rel = (run_max -
 * run_min) / estimate (0 if estimate is 0): the between-run spread a
 * report shows.
 */
struct stats_hier {
	size_t runs, n;		/* runs, values pooled */
	double estimate, lo, hi, level;
	double run_min, run_max;
	double between_rel;
};

/* The median of x[r][i] (finite values). */
int stats_hier_median(const double *const *x, const size_t *n, size_t runs,
		      double level, unsigned resamples, uint64_t seed,
		      struct stats_hier *out);

/*
 * The paired ratio a/b of two cells measured in the same rounds of each
 * run (a[r][i], b[r][i]; NaN = missing; each run needs a usable pair):
 * exp(Hodges-Lehmann of the pooled log ratios); n counts usable pairs.
 */
int stats_hier_ratio(const double *const *a, const double *const *b,
		     const size_t *n, size_t runs, double level,
		     unsigned resamples, uint64_t seed,
		     struct stats_hier *out);

/*
 * Unpaired: median(x pooled) / median(y pooled) for one cell measured in
 * independent runs on each side (compare of saved runs, >= 2 runs per
 * side), each side resampled as in stats_hier_median, independently,
 * expanded with the smaller side's run count; the hull with Welch's
 * interval on the per-run log medians. run_min/run_max are NaN;
 * between_rel is the larger side's between-run spread; runs and n add
 * both sides. Every value finite and > 0.
 */
int stats_hier_median_ratio(const double *const *x, const size_t *nx,
			    size_t runs_x, const double *const *y,
			    const size_t *ny, size_t runs_y, double level,
			    unsigned resamples, uint64_t seed,
			    struct stats_hier *out);

/*
 * Noise floor from an A/A calibration
 * -----------------------------------
 *
 * abs_changes[0..n): for many cells of one size (or class), the relative
 * change between two back-to-back runs of identical code, in the unit the
 * caller compares with later (|new/old - 1| or |log(new/old)|; the sign
 * is ignored). *noise_floor = their type-7 `quantile` (e.g. 0.95): a change
 * below it is within this host's run-to-run noise. n >= 1, finite,
 * quantile in [0, 1]. Few cells make a high quantile noisy: with fewer
 * than 20, the 95th percentile is nearly the largest change.
 */
int stats_noise_floor(const double *abs_changes, size_t n, double quantile,
		      double *noise_floor);

#endif
