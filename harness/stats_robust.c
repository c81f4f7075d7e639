// SPDX-License-Identifier: MIT
/*
 * Robust description of one set of per-copy times: quantiles, scaled MAD,
 * Tukey counts, the share of slow samples and a documented slow-mode rule.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"
#include "stats_internal.h"

/*
 * Pooled robust SD of the log-times y[0..n) split at `cut`: 1.4826 x the
 * median of |y - median(own group)|. y is sorted, so each group's median
 * comes straight from it.
 */
static int pooled_log_sd(const double *y, size_t n, size_t cut, double *sd)
{
	double m_lo = gsl_stats_median_from_sorted_data(y, 1, cut);
	double m_hi = gsl_stats_median_from_sorted_data(y + cut, 1, n - cut);
	double *r = malloc(n * sizeof(*r));

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		r[i] = fabs(y[i] - (i < cut ? m_lo : m_hi));
	*sd = STATS_MAD_NORMAL * gsl_stats_median(r, 1, n);
	free(r);
	return 0;
}

/*
 * The slow-mode rule of stats.h (a gap test, hand-written: GSL has no
 * mode test) over the sorted, positive times s[0..n).
 */
static int find_slow_mode(const double *s, size_t n,
			  struct stats_distribution *d)
{
	size_t min_side = (size_t)ceil(STATS_MODE_MIN_SHARE * (double)n);
	size_t cut = 0;
	double gap = -1.0, sd;
	double *y;
	int ret;

	if (min_side < 2)
		min_side = 2;
	if (n < STATS_MODE_MIN_N || s[0] <= 0.0)
		return 0;
	y = malloc(n * sizeof(*y));
	if (!y)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		y[i] = log(s[i]);
	for (size_t i = min_side; i + min_side <= n; i++) {
		if (y[i] - y[i - 1] > gap) {
			gap = y[i] - y[i - 1];
			cut = i;
		}
	}
	ret = 0;
	if (gap < log1p(STATS_MODE_MIN_STEP))
		goto out_free_logs;
	ret = pooled_log_sd(y, n, cut, &sd);
	if (ret || !(gap > STATS_MODE_GAP_SDS * sd))
		goto out_free_logs;
	d->bimodal = true;
	d->slow_mode_share = (double)(n - cut) / (double)n;
	d->slow_mode_ratio =
		gsl_stats_median_from_sorted_data(s + cut, 1, n - cut) /
		gsl_stats_median_from_sorted_data(s, 1, cut);
out_free_logs:
	free(y);
	return ret;
}

/* Share of s[0..n) at or above `threshold`. */
static double share_at_least(const double *s, size_t n, double threshold)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] >= threshold;
	return (double)k / (double)n;
}

int stats_describe(const double *x, size_t n, struct stats_distribution *d)
{
	unsigned tukey[4];
	double *s, raw_mad;
	int ret;

	if (!d)
		return -EINVAL;
	ret = stats_sorted_sample(x, n, &s);
	if (ret)
		return ret;
	/* no value may be negative: the smallest comes first */
	if (s[0] < 0.0) {
		free(s);
		return -EINVAL;
	}

	*d = (struct stats_distribution){
		.n = n,
		.min = s[0],
		.max = s[n - 1],
	};
	d->mean = gsl_stats_mean(s, 1, n);
	d->median = gsl_stats_median_from_sorted_data(s, 1, n);
	d->p10 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.10);
	d->q1 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.25);
	d->q3 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.75);
	d->p90 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.90);
	d->iqr = d->q3 - d->q1;
	ret = stats_raw_mad(s, n, d->median, &raw_mad);
	if (ret)
		goto out_free_sorted;
	d->mad = STATS_MAD_NORMAL * raw_mad;

	stats_tukey_counts(s, n, d->q1, d->q3, tukey);
	d->tukey_low_mild = tukey[0];
	d->tukey_low_severe = tukey[1];
	d->tukey_high_mild = tukey[2];
	d->tukey_high_severe = tukey[3];

	d->slow_factor = STATS_SLOW_FACTOR;
	if (d->median > 0.0) {
		d->spread = d->iqr / d->median;
		d->mad_rel = d->mad / d->median;
		d->slow_share =
			share_at_least(s, n, d->slow_factor * d->median);
	}
	ret = find_slow_mode(s, n, d);
out_free_sorted:
	free(s);
	return ret;
}

int stats_kruskal(const double *const *x, const size_t *n, size_t k,
		  double *h, double *p)
{
	size_t total = 0, at = 0;
	double *all, *rank, ties, sum = 0, nn;
	int ret;

	if (k < 2)
		return -EINVAL;
	for (size_t g = 0; g < k; g++) {
		if (!n[g])
			return -EINVAL;
		total += n[g];
	}
	if (total < 3)
		return -EINVAL;
	all = malloc(total * sizeof(*all));
	rank = malloc(total * sizeof(*rank));
	if (!all || !rank) {
		free(all);
		free(rank);
		return -ENOMEM;
	}
	for (size_t g = 0; g < k; g++)
		for (size_t i = 0; i < n[g]; i++)
			all[at++] = x[g][i];
	ret = stats_midranks(all, total, rank, &ties);
	nn = (double)total;
	if (!ret && ties >= nn * nn * nn - nn)
		ret = -EINVAL;	/* one value throughout */
	if (!ret) {
		at = 0;
		for (size_t g = 0; g < k; g++) {
			double r = 0;

			for (size_t i = 0; i < n[g]; i++)
				r += rank[at++];
			sum += r * r / (double)n[g];
		}
		*h = (12.0 / (nn * (nn + 1)) * sum - 3 * (nn + 1)) /
		     (1 - ties / (nn * nn * nn - nn));
		*p = gsl_cdf_chisq_Q(fmax(*h, 0), (double)(k - 1));
	}
	free(all);
	free(rank);
	return ret;
}

int stats_median_log_se(const double *x, size_t n, unsigned resamples,
			uint64_t seed, double *se)
{
	double *logs, *draw, *med, tail;
	gsl_rng *rng;
	int ret = 0;

	if (n < 2 || resamples < 4 || !se)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0) || !isfinite(x[i]))
			return -EINVAL;
	logs = malloc(n * sizeof(*logs));
	draw = malloc(n * sizeof(*draw));
	med = malloc(resamples * sizeof(*med));
	rng = stats_rng_new(seed);
	if (!logs || !draw || !med || !rng) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		logs[i] = log(x[i]);
	for (unsigned b = 0; b < resamples; b++) {
		for (size_t i = 0; i < n; i++)
			draw[i] = logs[gsl_rng_uniform_int(rng, n)];
		gsl_sort(draw, 1, n);
		med[b] = gsl_stats_median_from_sorted_data(draw, 1, n);
	}
	gsl_sort(med, 1, resamples);
	tail = (1 - STATS_MEDIAN_SE_LEVEL) / 2;
	*se = (gsl_stats_quantile_from_sorted_data(med, 1, resamples,
						   1 - tail) -
	       gsl_stats_quantile_from_sorted_data(med, 1, resamples, tail)) /
	      (2 * gsl_cdf_ugaussian_Qinv(tail));
out:
	if (rng)
		gsl_rng_free(rng);
	free(logs);
	free(draw);
	free(med);
	return ret;
}
