// SPDX-License-Identifier: MIT
/*
 * Run-to-run uncertainty: the hierarchical bootstrap over several
 * independent runs (runs, then rounds within a run, in moving blocks) and
 * the noise floor of an A/A calibration. Hand-written over GSL's RNG and
 * quantiles: GSL has no multi-level bootstrap.
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

/* One level-two sample: runs of values, and how a run is summarised. */
struct hier_side {
	double **x; /* x[r][0..n[r]), owned */
	size_t *n;  /* owned */
	size_t runs, total, max_n;
	bool paired; /* values are log ratios: Hodges-Lehmann */
};

static void hier_side_free(struct hier_side *s)
{
	if (s->x)
		for (size_t r = 0; r < s->runs; r++)
			free(s->x[r]);
	free(s->x);
	free(s->n);
	memset(s, 0, sizeof(*s));
}

static int hier_side_alloc(struct hier_side *s, size_t runs)
{
	memset(s, 0, sizeof(*s));
	s->x = calloc(runs, sizeof(*s->x));
	s->n = calloc(runs, sizeof(*s->n));
	if (!s->x || !s->n) {
		hier_side_free(s);
		return -ENOMEM;
	}
	s->runs = runs;
	return 0;
}

/* A side of plain values: copies x[r][0..n[r]), all finite, n[r] >= 1. */
static int hier_side_values(struct hier_side *s, const double *const *x,
			    const size_t *n, size_t runs)
{
	int ret;

	if (!x || !n || runs < 2)
		return -EINVAL;
	ret = hier_side_alloc(s, runs);
	for (size_t r = 0; r < runs && !ret; r++) {
		if (!x[r] || !n[r] || !stats_all_finite(x[r], n[r])) {
			ret = -EINVAL;
			break;
		}
		s->x[r] = malloc(n[r] * sizeof(**s->x));
		if (!s->x[r]) {
			ret = -ENOMEM;
			break;
		}
		memcpy(s->x[r], x[r], n[r] * sizeof(**s->x));
		s->n[r] = n[r];
	}
	return ret;
}

/* A side of per-round log ratios log(a/b), usable pairs only. */
static int hier_side_log_ratios(struct hier_side *s, const double *const *a,
				const double *const *b, const size_t *n,
				size_t runs)
{
	int ret;

	if (!a || !b || !n || runs < 2)
		return -EINVAL;
	ret = hier_side_alloc(s, runs);
	s->paired = true;
	for (size_t r = 0; r < runs && !ret; r++) {
		double *d;
		size_t m = 0;

		if (!a[r] || !b[r] || !n[r]) {
			ret = -EINVAL;
			break;
		}
		d = s->x[r] = malloc(n[r] * sizeof(*d));
		if (!d) {
			ret = -ENOMEM;
			break;
		}
		for (size_t i = 0; i < n[r] && !ret; i++) {
			if (isnan(a[r][i]) || isnan(b[r][i]))
				continue;
			if (!(a[r][i] > 0.0 && isfinite(a[r][i]) &&
			      b[r][i] > 0.0 && isfinite(b[r][i])))
				ret = -EINVAL;
			else
				d[m++] = log(a[r][i] / b[r][i]);
		}
		s->n[r] = m;
		if (!m)
			ret = -EINVAL;
	}
	return ret;
}

static bool side_positive(const struct hier_side *s)
{
	for (size_t r = 0; r < s->runs; r++)
		for (size_t i = 0; i < s->n[r]; i++)
			if (!(s->x[r][i] > 0.0))
				return false;
	return true;
}

static void hier_side_sizes(struct hier_side *s)
{
	s->total = s->max_n = 0;
	for (size_t r = 0; r < s->runs; r++) {
		s->total += s->n[r];
		if (s->n[r] > s->max_n)
			s->max_n = s->n[r];
	}
}

/* Scratch big enough for any pooled resample of the side. */
struct hier_scratch {
	double *pool, *walsh;
	double *run_est; /* one estimate per run */
	size_t *idx;
};

static int hier_scratch_alloc(struct hier_scratch *h, const struct hier_side *s)
{
	size_t most = s->runs * s->max_n;

	h->pool = malloc(most * sizeof(*h->pool));
	h->idx = malloc(s->max_n * sizeof(*h->idx));
	h->run_est = malloc(s->runs * sizeof(*h->run_est));
	h->walsh = s->paired
			   ? malloc(stats_walsh_count(most) * sizeof(*h->walsh))
			   : NULL;
	if (!h->pool || !h->idx || !h->run_est || (s->paired && !h->walsh))
		return -ENOMEM;
	return 0;
}

static void hier_scratch_free(struct hier_scratch *h)
{
	free(h->pool);
	free(h->idx);
	free(h->run_est);
	free(h->walsh);
}

/* The side's estimate of pool[0..m): the median, or for log ratios their
 * Hodges-Lehmann estimate (still in log space). */
static double summarise(const struct hier_side *s, double *pool, size_t m,
			double *walsh)
{
	if (s->paired)
		return stats_hodges_lehmann(pool, m, walsh);
	return gsl_stats_median(pool, 1, m);
}

/* The estimate of all values pooled, and of each run into h->run_est. */
static double hier_point(const struct hier_side *s, struct hier_scratch *h)
{
	size_t m = 0;

	for (size_t r = 0; r < s->runs; r++) {
		memcpy(h->pool, s->x[r], s->n[r] * sizeof(*h->pool));
		h->run_est[r] = summarise(s, h->pool, s->n[r], h->walsh);
	}
	for (size_t r = 0; r < s->runs; r++) {
		memcpy(h->pool + m, s->x[r], s->n[r] * sizeof(*h->pool));
		m += s->n[r];
	}
	return summarise(s, h->pool, m, h->walsh);
}

static void min_max(const double *v, size_t n, double *lo, double *hi)
{
	gsl_stats_minmax(lo, hi, v, 1, n);
}

/*
 * The t interval on per-run estimates v[0..k) (k >= 2): mean +- t(k - 1)
 * sd / sqrt(k). Exact for normal run-level estimates whatever k, so with
 * 2 or 3 runs it is as wide as the evidence demands, where a bootstrap
 * cannot reach beyond the runs it has.
 */
static void run_t_interval(const double *v, size_t k, double level, double *lo,
			   double *hi)
{
	double mean = gsl_stats_mean(v, 1, k);
	double half = gsl_cdf_tdist_Qinv((1.0 - level) / 2, (double)(k - 1)) *
		      gsl_stats_sd_m(v, 1, k, mean) / sqrt((double)k);

	*lo = mean - half;
	*hi = mean + half;
}

/* One hierarchical resample: runs with replacement, then rounds of each
 * drawn run in moving blocks; its estimate. */
static double hier_draw(const struct hier_side *s, struct hier_scratch *h,
			gsl_rng *rng)
{
	size_t m = 0;

	for (size_t k = 0; k < s->runs; k++) {
		size_t r = gsl_rng_uniform_int(rng, s->runs);

		stats_block_draw(rng, s->n[r], stats_block_length(s->n[r]),
				 h->idx);
		for (size_t i = 0; i < s->n[r]; i++)
			h->pool[m++] = s->x[r][h->idx[i]];
	}
	return summarise(s, h->pool, m, h->walsh);
}

/* Estimates of one side, or of x-side / y-side when y is not NULL (then
 * in log space), into est[0..resamples). */
static int hier_resample(const struct hier_side *x, const struct hier_side *y,
			 unsigned resamples, uint64_t seed, double *est)
{
	struct hier_scratch hx = { 0 }, hy = { 0 };
	gsl_rng *rng = stats_rng_new(seed);
	int ret = -ENOMEM;

	if (!rng || hier_scratch_alloc(&hx, x) ||
	    (y && hier_scratch_alloc(&hy, y)))
		goto out_free;
	for (unsigned r = 0; r < resamples; r++) {
		est[r] = hier_draw(x, &hx, rng);
		if (y)
			est[r] = log(est[r]) - log(hier_draw(y, &hy, rng));
	}
	ret = 0;
out_free:
	hier_scratch_free(&hy);
	hier_scratch_free(&hx);
	if (rng)
		gsl_rng_free(rng);
	return ret;
}

static double relative(double range, double estimate)
{
	return estimate != 0.0 ? range / fabs(estimate) : 0.0;
}

/* stats_hier_median and stats_hier_ratio once their side is built: the
 * hull of the bootstrap and per-run t intervals. */
static int hier_one_side(struct hier_side *s, double level, unsigned resamples,
			 uint64_t seed, struct stats_hier *out)
{
	struct hier_scratch h = { 0 };
	double *est = malloc((size_t)resamples * sizeof(*est));
	double all, lo, hi, t_lo, t_hi;
	int ret = -ENOMEM;

	hier_side_sizes(s);
	if (!est || hier_scratch_alloc(&h, s))
		goto out_free;
	ret = hier_resample(s, NULL, resamples, seed, est);
	if (ret)
		goto out_free;
	all = hier_point(s, &h);
	min_max(h.run_est, s->runs, &lo, &hi);
	memset(out, 0, sizeof(*out));
	out->runs = s->runs;
	out->n = s->total;
	out->level = level;
	stats_expanded_interval(est, resamples, s->runs, level, &out->lo,
				&out->hi);
	run_t_interval(h.run_est, s->runs, level, &t_lo, &t_hi);
	out->lo = fmin(out->lo, t_lo);
	out->hi = fmax(out->hi, t_hi);
	if (s->paired) {
		all = exp(all);
		lo = exp(lo);
		hi = exp(hi);
		out->lo = exp(out->lo);
		out->hi = exp(out->hi);
	}
	out->estimate = all;
	out->run_min = lo;
	out->run_max = hi;
	out->between_rel = relative(hi - lo, all);
out_free:
	hier_scratch_free(&h);
	free(est);
	return ret;
}

int stats_hier_median(const double *const *x, const size_t *n, size_t runs,
		      double level, unsigned resamples, uint64_t seed,
		      struct stats_hier *out)
{
	struct hier_side s = { 0 };
	int ret;

	if (!out || !stats_level_ok(level) || !resamples)
		return -EINVAL;
	ret = hier_side_values(&s, x, n, runs);
	if (!ret)
		ret = hier_one_side(&s, level, resamples, seed, out);
	hier_side_free(&s);
	return ret;
}

int stats_hier_ratio(const double *const *a, const double *const *b,
		     const size_t *n, size_t runs, double level,
		     unsigned resamples, uint64_t seed, struct stats_hier *out)
{
	struct hier_side s = { 0 };
	int ret;

	if (!out || !stats_level_ok(level) || !resamples)
		return -EINVAL;
	ret = hier_side_log_ratios(&s, a, b, n, runs);
	if (!ret)
		ret = hier_one_side(&s, level, resamples, seed, out);
	hier_side_free(&s);
	return ret;
}

/*
 * A side's pooled median, between-run spread, and the mean and variance
 * of its per-run log medians (for the Welch interval).
 */
struct side_summary {
	double median, between, log_mean, log_var;
};

static int summarise_side(const struct hier_side *s, struct side_summary *o)
{
	struct hier_scratch h = { 0 };
	double lo, hi;
	int ret = hier_scratch_alloc(&h, s);

	if (ret)
		goto out_free;
	o->median = hier_point(s, &h);
	min_max(h.run_est, s->runs, &lo, &hi);
	o->between = relative(hi - lo, o->median);
	for (size_t r = 0; r < s->runs; r++) {
		if (!(h.run_est[r] > 0.0)) {
			ret = -EINVAL;
			goto out_free;
		}
		h.run_est[r] = log(h.run_est[r]);
	}
	o->log_mean = gsl_stats_mean(h.run_est, 1, s->runs);
	o->log_var = gsl_stats_variance_m(h.run_est, 1, s->runs, o->log_mean);
out_free:
	hier_scratch_free(&h);
	return ret;
}

/*
 * Welch's interval for the difference of the two sides' mean per-run log
 * medians: the unpaired counterpart of run_t_interval.
 */
static void welch_interval(const struct side_summary *x, size_t kx,
			   const struct side_summary *y, size_t ky,
			   double level, double *lo, double *hi)
{
	double vx = x->log_var / (double)kx, vy = y->log_var / (double)ky;
	double se2 = vx + vy, diff = x->log_mean - y->log_mean, half = 0.0;

	if (se2 > 0.0) {
		double df = se2 * se2 /
			    (vx * vx / (double)(kx - 1) +
			     vy * vy / (double)(ky - 1));

		half = gsl_cdf_tdist_Qinv((1.0 - level) / 2, df) * sqrt(se2);
	}
	*lo = diff - half;
	*hi = diff + half;
}

int stats_hier_median_ratio(const double *const *x, const size_t *nx,
			    size_t runs_x, const double *const *y,
			    const size_t *ny, size_t runs_y, double level,
			    unsigned resamples, uint64_t seed,
			    struct stats_hier *out)
{
	struct hier_side sx = { 0 }, sy = { 0 };
	struct side_summary ox, oy;
	double *est = NULL, t_lo, t_hi;
	int ret;

	if (!out || !stats_level_ok(level) || !resamples)
		return -EINVAL;
	ret = hier_side_values(&sx, x, nx, runs_x);
	if (!ret)
		ret = hier_side_values(&sy, y, ny, runs_y);
	if (!ret && !(side_positive(&sx) && side_positive(&sy)))
		ret = -EINVAL;
	if (ret)
		goto out_free;
	hier_side_sizes(&sx);
	hier_side_sizes(&sy);
	ret = summarise_side(&sx, &ox);
	if (!ret)
		ret = summarise_side(&sy, &oy);
	est = malloc((size_t)resamples * sizeof(*est));
	if (!ret && !est)
		ret = -ENOMEM;
	if (!ret)
		ret = hier_resample(&sx, &sy, resamples, seed, est);
	if (ret)
		goto out_free;
	memset(out, 0, sizeof(*out));
	out->runs = runs_x + runs_y;
	out->n = sx.total + sy.total;
	out->level = level;
	out->estimate = ox.median / oy.median;
	stats_expanded_interval(est, resamples,
				runs_x < runs_y ? runs_x : runs_y, level,
				&out->lo, &out->hi);
	welch_interval(&ox, runs_x, &oy, runs_y, level, &t_lo, &t_hi);
	out->lo = exp(fmin(out->lo, t_lo));
	out->hi = exp(fmax(out->hi, t_hi));
	out->run_min = out->run_max = NAN;
	out->between_rel = fmax(ox.between, oy.between);
out_free:
	free(est);
	hier_side_free(&sy);
	hier_side_free(&sx);
	return ret;
}

int stats_noise_floor(const double *abs_changes, size_t n, double quantile,
		      double *noise_floor)
{
	double *s;

	if (!abs_changes || !noise_floor || !n ||
	    !stats_all_finite(abs_changes, n) ||
	    !(quantile >= 0.0 && quantile <= 1.0))
		return -EINVAL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		s[i] = fabs(abs_changes[i]);
	gsl_sort(s, 1, n);
	*noise_floor = gsl_stats_quantile_from_sorted_data(s, 1, n, quantile);
	free(s);
	return 0;
}
