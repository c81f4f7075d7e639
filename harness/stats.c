// SPDX-License-Identifier: MIT
/*
 * Sample estimators (median, spread, Tukey outliers), the order-statistics
 * CI of the median and a seeded bootstrap of ratios of medians, over GSL.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"
#include "stats_internal.h"

/*
 * P(k + 1 <= B <= n - 1 - k), B ~ Bin(n, 1/2): the probability that the
 * population median lies between order statistics k and n - 1 - k.
 */
static double rank_pair_coverage(size_t n, size_t k)
{
	double p = gsl_cdf_binomial_P(n - 1 - k, 0.5, n) -
		   gsl_cdf_binomial_P(k, 0.5, n);

	return p > 0.0 ? p : 0.0;
}

void stats_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi,
			   double *coverage)
{
	size_t k = 0, top;

	if (n == 0) {
		*lo = *hi = 0;
		*coverage = 0.0;
		return;
	}
	/*
	 * Coverage shrinks as k grows: bisect for the largest k in
	 * [0, (n - 1) / 2] that still holds; k = 0 when none does.
	 */
	for (top = (n - 1) / 2; k < top;) {
		size_t mid = k + (top - k + 1) / 2;

		if (rank_pair_coverage(n, mid) >= level)
			k = mid;
		else
			top = mid - 1;
	}
	*lo = k;
	*hi = n - 1 - k;
	*coverage = rank_pair_coverage(n, k);
}

/* Tukey counts into the fields of struct estimates. */
static void count_outliers(const double *x, size_t n, struct estimates *e)
{
	unsigned c[4];

	stats_tukey_counts(x, n, e->q1, e->q3, c);
	e->mild_low = c[0];
	e->severe_low = c[1];
	e->mild_high = c[2];
	e->severe_high = c[3];
}

int stats_estimate(const double *x, size_t n, double level,
		   struct estimates *e)
{
	size_t lo, hi;
	double *s;
	int ret;

	if (!stats_level_ok(level))
		return -EINVAL;
	ret = stats_sorted_sample(x, n, &s);
	if (ret)
		return ret;

	*e = (struct estimates){ .n = n, .min = s[0], .max = s[n - 1] };
	e->median = gsl_stats_median_from_sorted_data(s, 1, n);
	e->mean = gsl_stats_mean(s, 1, n);
	e->sd = n > 1 ? gsl_stats_sd_m(s, 1, n, e->mean) : 0.0;
	e->cv = n > 1 && e->mean != 0.0 ? e->sd / e->mean : 0.0;
	e->q1 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.25);
	e->q3 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.75);
	count_outliers(s, n, e);

	ret = stats_raw_mad(s, n, e->median, &e->mad);
	if (ret)
		goto out_free_sorted;

	e->ci_level = level;
	stats_median_ci_ranks(n, level, &lo, &hi, &e->ci_coverage);
	e->median_lo = s[lo];
	e->median_hi = s[hi];
out_free_sorted:
	free(s);
	return ret;
}

/*
 * The median of n draws with replacement from the sorted sample s[0..n),
 * drawn from its exact distribution in O(1) instead of drawing n values
 * and selecting (which made a bootstrap of a million-sample cell take
 * minutes). Draw i picks s[ceil(n U_i) - 1] for U_i uniform on (0, 1),
 * and ceil is monotone, so the resample's k-th smallest value is
 * s[ceil(n U_(k)) - 1], with U_(k) the k-th of n uniform order
 * statistics: U_(k) ~ Beta(k, n - k + 1). For even n the next one,
 * U_(k+1), is U_(k) plus (1 - U_(k)) times the smallest of the n - k
 * uniforms above it, a Beta(1, n - k) variate: 1 - V^(1 / (n - k)).
 * Same distribution as the naive resample, so the CI is unchanged.
 */
static size_t uniform_rank(double u, size_t n)
{
	double r = ceil(u * (double)n);

	if (r < 1)
		return 0;
	return r >= (double)n ? n - 1 : (size_t)r - 1;
}

static double resampled_median(gsl_rng *rng, const double *s, size_t n)
{
	size_t k = (n + 1) / 2;	/* 1-based rank of the (lower) median */
	double u = n > 1 ? gsl_ran_beta(rng, (double)k, (double)(n - k + 1))
			 : gsl_rng_uniform(rng);
	double v;

	if (n % 2)
		return s[uniform_rank(u, n)];
	v = gsl_rng_uniform_pos(rng);
	v = u + (1 - u) * -expm1(log(v) / (double)(n - k));
	return (s[uniform_rank(u, n)] + s[uniform_rank(v, n)]) / 2;
}

static bool all_positive(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0.0))
			return false;
	return true;
}

int stats_bootstrap_ratio(const double *a, size_t na, const double *b,
			  size_t nb, double level, unsigned resamples,
			  uint64_t seed, double *ratio, double *lo,
			  double *hi)
{
	double *sa = NULL, *sb = NULL, *ratios = NULL;
	gsl_rng *rng;
	int ret = -ENOMEM;

	if (!a || !b || !na || !nb || !resamples || !stats_level_ok(level) ||
	    !stats_all_finite(a, na) || !all_positive(b, nb) ||
	    !stats_all_finite(b, nb))
		return -EINVAL;

	sa = stats_sorted_copy(a, na);
	sb = stats_sorted_copy(b, nb);
	ratios = malloc((size_t)resamples * sizeof(*ratios));
	if (!sa || !sb || !ratios)
		goto out_free;
	rng = stats_rng_new(seed);
	if (!rng)
		goto out_free;

	for (unsigned r = 0; r < resamples; r++) {
		double ma = resampled_median(rng, sa, na);
		double mb = resampled_median(rng, sb, nb);

		ratios[r] = ma / mb;
	}
	gsl_sort(ratios, 1, resamples);
	*lo = gsl_stats_quantile_from_sorted_data(ratios, 1, resamples,
						  (1.0 - level) / 2);
	*hi = gsl_stats_quantile_from_sorted_data(ratios, 1, resamples,
						  (1.0 + level) / 2);
	*ratio = gsl_stats_median_from_sorted_data(sa, 1, na) /
		 gsl_stats_median_from_sorted_data(sb, 1, nb);
	gsl_rng_free(rng);
	ret = 0;
out_free:
	free(ratios);
	free(sb);
	free(sa);
	return ret;
}
