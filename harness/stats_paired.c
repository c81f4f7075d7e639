// SPDX-License-Identifier: MIT
/*
 * Paired comparison of two cells over the same rounds: the Wilcoxon
 * signed-rank test (exact distribution hand-written, GSL has none), the
 * Hodges-Lehmann ratio and its moving-block bootstrap CI.
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

/* The non-NaN, non-zero d[i] - shift into out[]; their count. */
static size_t nonzero_shifted(const double *d, size_t n, double shift,
			      double *out)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		double v = d[i] - shift;

		if (!isnan(d[i]) && v != 0.0)
			out[m++] = v;
	}
	return m;
}

/* The normal approximation with the tie correction (no continuity
 * correction: scipy's default). */
static void signed_rank_normal(size_t m, double tie_sum,
			       struct stats_signed_rank *r)
{
	double mm = (double)m, mean = mm * (mm + 1.0) / 4.0;
	double se = sqrt((mm * (mm + 1.0) * (2.0 * mm + 1.0) - 0.5 * tie_sum) /
			 24.0);
	double w_minus = mm * (mm + 1.0) / 2.0 - r->w_plus;
	double low = r->w_plus < w_minus ? r->w_plus : w_minus;

	r->z = (r->w_plus - mean) / se;
	r->p_greater = gsl_cdf_ugaussian_Q(r->z);
	r->p_less = gsl_cdf_ugaussian_P(r->z);
	r->p_two_sided = 2.0 * gsl_cdf_ugaussian_P((low - mean) / se);
}

/* w_plus and the p-values from the m non-zero differences v[]; scratch
 * mag[m] and rank[m]. */
static int signed_rank_of(const double *v, size_t m, double *mag, double *rank,
			  struct stats_signed_rank *r)
{
	double tie_sum;
	int ret;

	for (size_t i = 0; i < m; i++)
		mag[i] = fabs(v[i]);
	ret = stats_midranks(mag, m, rank, &tie_sum);
	if (ret)
		return ret;
	for (size_t i = 0; i < m; i++)
		if (v[i] > 0.0)
			r->w_plus += rank[i];
	if (m > 50 || tie_sum != 0.0) {
		signed_rank_normal(m, tie_sum, r);
	} else {
		r->exact = true;
		ret = stats_signed_rank_exact(m, r->w_plus, &r->p_less,
					      &r->p_greater);
		r->p_two_sided = 2.0 * fmin(r->p_less, r->p_greater);
	}
	r->p_two_sided = fmin(r->p_two_sided, 1.0);
	return ret;
}

int stats_signed_rank_test(const double *d, size_t n, double shift,
			   struct stats_signed_rank *r)
{
	double *v;
	int ret;

	if (!d || !r || !isfinite(shift))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (isinf(d[i]))
			return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->p_two_sided = r->p_greater = r->p_less = 1.0;
	if (!n)
		return 0;
	v = malloc(3 * n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->m = nonzero_shifted(d, n, shift, v);
	ret = r->m ? signed_rank_of(v, r->m, v + n, v + 2 * n, r) : 0;
	free(v);
	return ret;
}

int stats_signed_rank_greater(const double *log_ratio, size_t n,
			      double log_margin, double *p)
{
	struct stats_signed_rank r;
	int ret;

	if (!p)
		return -EINVAL;
	ret = stats_signed_rank_test(log_ratio, n, log_margin, &r);
	if (!ret)
		*p = r.p_greater;
	return ret;
}

/*
 * log(a[i] / b[i]) of the usable pairs, in round order, into d[]; their
 * count. -EINVAL for an infinite or non-positive time.
 */
static int paired_log_ratios(const double *a, const double *b, size_t n,
			     double *d, size_t *m)
{
	*m = 0;
	for (size_t i = 0; i < n; i++) {
		if (isnan(a[i]) || isnan(b[i]))
			continue;
		if (!isfinite(a[i]) || !isfinite(b[i]) || !(a[i] > 0.0) ||
		    !(b[i] > 0.0))
			return -EINVAL;
		d[(*m)++] = log(a[i] / b[i]);
	}
	return 0;
}

/*
 * The block-bootstrap interval of the Hodges-Lehmann estimate of d[0..m)
 * (expanded percentiles). Scratch: walsh[] of stats_walsh_count(m).
 */
static int block_bootstrap_hl(const double *d, size_t m, double level,
			      unsigned resamples, uint64_t seed, double *walsh,
			      double *lo, double *hi)
{
	double *est = malloc((size_t)resamples * sizeof(*est));
	double *buf = malloc(m * sizeof(*buf));
	struct stats_block_boot bb;
	int ret = stats_block_boot_init(&bb, m, seed);

	if (!ret && (!est || !buf))
		ret = -ENOMEM;
	if (ret)
		goto out_free;
	for (unsigned r = 0; r < resamples; r++) {
		const size_t *idx = stats_block_boot_draw(&bb);

		for (size_t i = 0; i < m; i++)
			buf[i] = d[idx[i]];
		est[r] = stats_hodges_lehmann(buf, m, walsh);
	}
	stats_expanded_interval(est, resamples, m / bb.len, level, lo, hi);
out_free:
	stats_block_boot_free(&bb);
	free(buf);
	free(est);
	return ret;
}

int stats_paired_ratio(const double *a, const double *b, size_t n, double level,
		       unsigned resamples, uint64_t seed,
		       struct stats_paired *out)
{
	struct stats_signed_rank sr;
	double *d, *walsh = NULL, hl, w_lo, w_hi, b_lo, b_hi;
	size_t m, w, c;
	int ret;

	if (!a || !b || !out || !n || !stats_level_ok(level) || !resamples)
		return -EINVAL;
	d = malloc(n * sizeof(*d));
	if (!d)
		return -ENOMEM;
	ret = paired_log_ratios(a, b, n, d, &m);
	if (!ret && !m)
		ret = -EINVAL;
	if (ret)
		goto out_free;
	ret = -ENOMEM;
	w = stats_walsh_count(m);
	walsh = malloc(w * sizeof(*walsh));
	if (!walsh)
		goto out_free;

	memset(out, 0, sizeof(*out));
	out->n = m;
	out->level = level;
	out->block = stats_block_length(m);
	ret = stats_signed_rank_test(d, m, 0.0, &sr);
	if (ret)
		goto out_free;
	out->p_two_sided = sr.p_two_sided;

	hl = stats_hodges_lehmann(d, m, walsh);
	/* the distribution-free interval: order statistics of the Walsh
	 * averages (they are all in walsh[], in some order) */
	gsl_sort(walsh, 1, w);
	c = stats_walsh_ci_rank(m, level);
	if (c > (w + 1) / 2)
		c = (w + 1) / 2;
	w_lo = walsh[c - 1];
	w_hi = walsh[w - c];
	ret = block_bootstrap_hl(d, m, level, resamples, seed, walsh, &b_lo,
				 &b_hi);
	if (ret)
		goto out_free;
	out->ratio = exp(hl);
	out->lo = exp(fmin(w_lo, b_lo));
	out->hi = exp(fmax(w_hi, b_hi));
out_free:
	free(walsh);
	free(d);
	return ret;
}
