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
 */
#ifndef IOBENCH_STATS_H
#define IOBENCH_STATS_H

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
 * CI (`resamples` draws of each side with replacement, GSL mt19937).
 * The bounds are the (1 -+ level) / 2 quantiles (linear interpolation) of
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

#endif
