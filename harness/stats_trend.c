// SPDX-License-Identifier: MIT
/*
 * Drift and step detection on a time-ordered series: Mann-Kendall trend
 * test, Sen's slope, Pettitt's change-point test, lag-1 rank
 * autocorrelation. Hand-written over GSL's sorting and normal
 * distribution: GSL has none of these tests.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"
#include "stats_internal.h"

static double sign_of(double v)
{
	return (v > 0.0) - (v < 0.0);
}

/*
 * Sum over the groups of equal values in sorted s[0..n) of
 * t (t - 1) (2t + 5): the Mann-Kendall variance's tie term.
 */
static double mk_tie_term(const double *s, size_t n)
{
	double sum = 0.0;

	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		double t;

		while (j < n && s[j] == s[i])
			j++;
		t = (double)(j - i);
		sum += t * (t - 1.0) * (2.0 * t + 5.0);
		i = j;
	}
	return sum;
}

/* O(n^2): exact, and n is a cell's sample count. */
static void mann_kendall(const double *x, const double *sorted, size_t n,
			 struct stats_trend *t)
{
	double s = 0.0, nn = (double)n;

	for (size_t i = 0; i + 1 < n; i++)
		for (size_t j = i + 1; j < n; j++)
			s += sign_of(x[j] - x[i]);
	t->mk_s = s;
	t->mk_var =
		(nn * (nn - 1.0) * (2.0 * nn + 5.0) - mk_tie_term(sorted, n)) /
		18.0;
	t->mk_z = t->mk_var > 0.0 ? (s - sign_of(s)) / sqrt(t->mk_var) : 0.0;
	t->mk_p = 2.0 * gsl_cdf_ugaussian_Q(fabs(t->mk_z));
	if (t->mk_p > 1.0)
		t->mk_p = 1.0;
}

static int sen_slope(const double *x, size_t n, double *slope)
{
	double *d = malloc(n * (n - 1) / 2 * sizeof(*d));
	size_t k = 0;

	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i + 1 < n; i++)
		for (size_t j = i + 1; j < n; j++)
			d[k++] = (x[j] - x[i]) / (double)(j - i);
	*slope = gsl_stats_median(d, 1, k);
	free(d);
	return 0;
}

static double median_of(const double *x, size_t n, double *buf)
{
	memcpy(buf, x, n * sizeof(*buf));
	return gsl_stats_median(buf, 1, n);
}

/*
 * Pettitt (1979) from mean ranks: U(t) = 2 sum_{i<t} r_i - t (n + 1)
 * equals sum over i < t <= j of sign(x[i] - x[j]), ties included.
 */
static int pettitt(const double *x, size_t n, struct stats_trend *t)
{
	double *r = malloc(n * sizeof(*r));
	double nn = (double)n, cum = 0.0, before, after;
	int ret;

	if (!r)
		return -ENOMEM;
	ret = stats_midranks(x, n, r, NULL);
	if (ret)
		goto out_free_ranks;
	t->pettitt_k = -1.0;
	for (size_t k = 1; k < n; k++) {
		double u;

		cum += r[k - 1];
		u = fabs(2.0 * cum - (double)k * (nn + 1.0));
		if (u > t->pettitt_k) {
			t->pettitt_k = u;
			t->change_at = k;
		}
	}
	t->pettitt_p = 2.0 * exp(-6.0 * t->pettitt_k * t->pettitt_k /
				 (nn * nn * nn + nn * nn));
	if (t->pettitt_p > 1.0)
		t->pettitt_p = 1.0;
	/* r is no longer needed: reuse it as scratch for the medians */
	before = median_of(x, t->change_at, r);
	after = median_of(x + t->change_at, n - t->change_at, r);
	t->step_ratio = before != 0.0 ? after / before : 0.0;
out_free_ranks:
	free(r);
	return ret;
}

static double pearson(const double *a, const double *b, size_t n)
{
	double va = gsl_stats_variance(a, 1, n);
	double vb = gsl_stats_variance(b, 1, n);

	if (!(va > 0.0) || !(vb > 0.0))
		return 0.0;
	return gsl_stats_covariance(a, 1, b, 1, n) / sqrt(va * vb);
}

int stats_lag1_rank_autocorr(const double *x, size_t n, double *rho)
{
	double *r;
	int ret;

	if (!x || !rho || n < 3 || !stats_all_finite(x, n))
		return -EINVAL;
	r = malloc(2 * (n - 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = stats_midranks(x, n - 1, r, NULL);
	if (!ret)
		ret = stats_midranks(x + 1, n - 1, r + n - 1, NULL);
	if (!ret)
		*rho = pearson(r, r + n - 1, n - 1);
	free(r);
	return ret;
}

int stats_trend(const double *x, size_t n, struct stats_trend *t)
{
	double *s, slope, median;
	int ret;

	if (n > STATS_TREND_MAX_N)
		return -E2BIG;
	if (!t || n < 3)
		return -EINVAL;
	ret = stats_sorted_sample(x, n, &s);
	if (ret)
		return ret;
	*t = (struct stats_trend){ .n = n };
	mann_kendall(x, s, n, t);
	ret = sen_slope(x, n, &slope);
	if (ret)
		goto out_free_sorted;
	median = gsl_stats_median_from_sorted_data(s, 1, n);
	t->sen_slope_rel = median != 0.0 ? slope * 100.0 / median : 0.0;
	ret = pettitt(x, n, t);
	if (!ret)
		ret = stats_lag1_rank_autocorr(x, n, &t->lag1_rho);
out_free_sorted:
	free(s);
	return ret;
}
