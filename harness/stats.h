/* SPDX-License-Identifier: MIT */
/*
 * Estimators over a sample of per-copy times (seconds), criterion-style:
 * the median is primary; nothing is ever dropped, outliers are counted.
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

/* Fills e from x[0..n) (n >= 1; x is not modified). 0 or -EINVAL/-ENOMEM. */
int stats_estimate(const double *x, size_t n, double level,
		   struct estimates *e);

/*
 * Ratio of medians median(a)/median(b) with a seeded percentile-bootstrap
 * CI (`resamples` draws of each side with replacement, GSL mt19937).
 * 0 or -EINVAL/-ENOMEM.
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
