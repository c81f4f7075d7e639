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
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

static bool all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

static bool level_ok(double level)
{
	return level > 0.0 && level < 1.0;
}

/* A sorted, malloc'd copy of x[0..n); NULL when out of memory. */
static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof(*s));
	gsl_sort(s, 1, n);
	return s;
}

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

/* Raw (unscaled) median absolute deviation around `median`. */
static int median_abs_deviation(const double *x, size_t n, double median,
				double *mad)
{
	double *d = malloc(n * sizeof(*d));

	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		d[i] = fabs(x[i] - median);
	gsl_sort(d, 1, n);
	*mad = gsl_stats_median_from_sorted_data(d, 1, n);
	free(d);
	return 0;
}

/* Tukey fences from q1/q3: severe points are not counted as mild too. */
static void count_outliers(const double *x, size_t n, struct estimates *e)
{
	double iqr = e->q3 - e->q1;
	double mild_lo = e->q1 - 1.5 * iqr, severe_lo = e->q1 - 3.0 * iqr;
	double mild_hi = e->q3 + 1.5 * iqr, severe_hi = e->q3 + 3.0 * iqr;

	e->mild_low = e->mild_high = e->severe_low = e->severe_high = 0;
	for (size_t i = 0; i < n; i++) {
		if (x[i] < severe_lo)
			e->severe_low++;
		else if (x[i] < mild_lo)
			e->mild_low++;
		else if (x[i] > severe_hi)
			e->severe_high++;
		else if (x[i] > mild_hi)
			e->mild_high++;
	}
}

int stats_estimate(const double *x, size_t n, double level,
		   struct estimates *e)
{
	size_t lo, hi;
	double *s;
	int ret;

	if (!x || !n || !level_ok(level) || !all_finite(x, n))
		return -EINVAL;
	s = sorted_copy(x, n);
	if (!s)
		return -ENOMEM;

	memset(e, 0, sizeof(*e));
	e->n = n;
	e->min = s[0];
	e->max = s[n - 1];
	e->median = gsl_stats_median_from_sorted_data(s, 1, n);
	e->mean = gsl_stats_mean(s, 1, n);
	e->sd = n > 1 ? gsl_stats_sd_m(s, 1, n, e->mean) : 0.0;
	e->cv = n > 1 && e->mean != 0.0 ? e->sd / e->mean : 0.0;
	e->q1 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.25);
	e->q3 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.75);
	count_outliers(s, n, e);

	ret = median_abs_deviation(s, n, e->median, &e->mad);
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

/* Median of n draws (with replacement) from x, using scratch buf[n]. */
static double resampled_median(gsl_rng *rng, const double *x, size_t n,
			       double *buf)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = x[gsl_rng_uniform_int(rng, n)];
	/* gsl_stats_median selects in place: no full sort needed */
	return gsl_stats_median(buf, 1, n);
}

static double median_of(const double *x, size_t n, double *buf)
{
	memcpy(buf, x, n * sizeof(*buf));
	return gsl_stats_median(buf, 1, n);
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
	double *buf, *ratios;
	gsl_rng *rng;
	int ret = -ENOMEM;

	/* gsl_rng_uniform_int draws below 2^32 only */
	if (!a || !b || !na || !nb || na > UINT32_MAX || nb > UINT32_MAX ||
	    !resamples || !level_ok(level) ||
	    !all_finite(a, na) || !all_positive(b, nb) || !all_finite(b, nb))
		return -EINVAL;

	buf = malloc((na > nb ? na : nb) * sizeof(*buf));
	ratios = malloc((size_t)resamples * sizeof(*ratios));
	if (!buf || !ratios)
		goto out_free;
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rng)
		goto out_free;
	/* mt19937 keeps 32 bits of its seed: fold the high half in */
	gsl_rng_set(rng, (unsigned long)(uint32_t)(seed ^ (seed >> 32)));

	for (unsigned r = 0; r < resamples; r++) {
		double ma = resampled_median(rng, a, na, buf);
		double mb = resampled_median(rng, b, nb, buf);

		ratios[r] = ma / mb;
	}
	gsl_sort(ratios, 1, resamples);
	*lo = gsl_stats_quantile_from_sorted_data(ratios, 1, resamples,
						  (1.0 - level) / 2);
	*hi = gsl_stats_quantile_from_sorted_data(ratios, 1, resamples,
						  (1.0 + level) / 2);
	*ratio = median_of(a, na, buf) / median_of(b, nb, buf);
	gsl_rng_free(rng);
	ret = 0;
out_free:
	free(ratios);
	free(buf);
	return ret;
}
