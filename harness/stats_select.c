// SPDX-License-Identifier: MIT
/*
 * Picking the best of k candidates measured over the same rounds: Holm-
 * adjusted one-sided signed-rank tests against the fastest with a
 * practical-equivalence margin, and a selection-aware bootstrap CI of the
 * winner's advantage over a reference.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"
#include "stats_internal.h"

int stats_holm(const double *p, size_t m, double *adj)
{
	size_t *order;
	double running = 0.0;

	if ((m && (!p || !adj)))
		return -EINVAL;
	for (size_t i = 0; i < m; i++)
		if (!(p[i] >= 0.0 && p[i] <= 1.0))
			return -EINVAL;
	if (!m)
		return 0;
	order = malloc(m * sizeof(*order));
	if (!order)
		return -ENOMEM;
	gsl_sort_index(order, p, 1, m);
	/* each p is read just before its own adj is written: adj may be p */
	for (size_t r = 0; r < m; r++) {
		double v = fmin(1.0, (double)(m - r) * p[order[r]]);

		running = fmax(running, v);
		adj[order[r]] = running;
	}
	free(order);
	return 0;
}

void stats_best_free(struct stats_best *b)
{
	if (!b)
		return;
	free(b->in_set);
	free(b->ratio);
	free(b->p_adj);
	memset(b, 0, sizeof(*b));
}

/* Everything stats_best_set works on, so helpers take one pointer. */
struct best_work {
	const double *const *lt; /* log times, NaN = missing */
	size_t k, n;
	double *buf, *walsh; /* n and stats_walsh_count(n) */
};

/* Log of the median time of candidate j over the rounds idx[0..n)
 * (NULL: all rounds), NaN when it has none there. The median of the
 * times, not of their logs: with an even count they differ (the mean
 * of the middle two against their geometric mean), and the pick must be
 * the cell a table sorted by its median time shows first. */
static double median_over(const struct best_work *w, size_t j,
			  const size_t *idx)
{
	size_t m = 0;

	for (size_t i = 0; i < w->n; i++) {
		double v = w->lt[j][idx ? idx[i] : i];

		if (!isnan(v))
			w->buf[m++] = exp(v);
	}
	return m ? log(gsl_stats_median(w->buf, 1, m)) : NAN;
}

/* Hodges-Lehmann of lt[a] - lt[b] over the rounds idx[0..n) (NULL: all)
 * both have; NaN when none. */
static double advantage_over(const struct best_work *w, size_t a, size_t b,
			     const size_t *idx)
{
	size_t m = 0;

	for (size_t i = 0; i < w->n; i++) {
		size_t r = idx ? idx[i] : i;
		double v = w->lt[a][r] - w->lt[b][r];

		if (!isnan(v))
			w->buf[m++] = v;
	}
	return m ? stats_hodges_lehmann(w->buf, m, w->walsh) : NAN;
}

/* The candidate with the lowest median over idx (NULL: all rounds);
 * SIZE_MAX if none has a sample there. */
static size_t fastest_over(const struct best_work *w, const size_t *idx)
{
	size_t best = SIZE_MAX;
	double best_med = INFINITY;

	for (size_t j = 0; j < w->k; j++) {
		double med = median_over(w, j, idx);

		if (med < best_med) {
			best_med = med;
			best = j;
		}
	}
	return best;
}

/* ratio[] and the Holm-adjusted p_adj[] against b->best; in_set[]. */
static int test_against_best(const struct best_work *w, double margin,
			     double alpha, struct stats_best *b)
{
	double *p = malloc(w->k * sizeof(*p)), *d = b->p_adj;
	size_t m = 0;
	int ret = 0;

	if (!p)
		return -ENOMEM;
	for (size_t j = 0; j < w->k && !ret; j++) {
		if (j == b->best)
			continue;
		b->ratio[j] = exp(advantage_over(w, j, b->best, NULL));
		for (size_t i = 0; i < w->n; i++)
			d[i] = w->lt[j][i] - w->lt[b->best][i];
		ret = stats_signed_rank_greater(d, w->n, log1p(margin),
						&p[m++]);
	}
	if (!ret)
		ret = stats_holm(p, m, p);
	for (size_t j = 0, r = 0; j < w->k && !ret; j++) {
		b->p_adj[j] = j == b->best ? 1.0 : p[r++];
		b->in_set[j] = b->p_adj[j] >= alpha;
		b->n_set += b->in_set[j];
	}
	free(p);
	return ret;
}

/*
 * The selection-aware CI: in each block-bootstrap resample of the rounds,
 * re-pick the fastest and take delta = its advantage in the resample
 * minus its advantage in the data. The data's advantage minus the delta
 * quantiles is the bias-corrected interval: it removes the optimism that
 * picking the best of several noisy candidates puts into the winner's
 * margin, instead of adding it a second time.
 */
static int selection_ci(const struct best_work *w, size_t ref, double level,
			unsigned resamples, uint64_t seed, struct stats_best *b)
{
	double *orig = malloc(w->k * sizeof(*orig));
	double *delta = malloc((size_t)resamples * sizeof(*delta));
	struct stats_block_boot bb;
	double theta, q_lo, q_hi;
	size_t used = 0;
	int ret = stats_block_boot_init(&bb, w->n, seed);

	if (!ret && (!orig || !delta))
		ret = -ENOMEM;
	if (ret)
		goto out_free;
	for (size_t j = 0; j < w->k; j++)
		orig[j] = j == ref ? 0.0 : advantage_over(w, ref, j, NULL);
	theta = orig[b->best];
	for (unsigned r = 0; r < resamples; r++) {
		const size_t *idx = stats_block_boot_draw(&bb);
		size_t pick = fastest_over(w, idx);
		double adv;

		if (pick == SIZE_MAX || isnan(orig[pick]))
			continue;
		adv = pick == ref ? 0.0 : advantage_over(w, ref, pick, idx);
		if (!isnan(adv))
			delta[used++] = adv - orig[pick];
	}
	b->speedup = exp(theta);
	b->speedup_lo = b->speedup_hi = NAN;
	if (used && !isnan(theta)) {
		stats_expanded_interval(delta, used, w->n / bb.len, level,
					&q_lo, &q_hi);
		b->speedup_lo = exp(theta - q_hi);
		b->speedup_hi = exp(theta - q_lo);
	}
out_free:
	stats_block_boot_free(&bb);
	free(delta);
	free(orig);
	return ret;
}

/* Log times of the k candidates into one k x n block; -EINVAL for a time
 * that is infinite or not positive, or a candidate with no sample. */
static int log_times(const double *const *times, size_t k, size_t n, double *lt)
{
	for (size_t j = 0; j < k; j++) {
		size_t have = 0;

		if (!times[j])
			return -EINVAL;
		for (size_t i = 0; i < n; i++) {
			double t = times[j][i];

			if (!isnan(t) && !(isfinite(t) && t > 0.0))
				return -EINVAL;
			have += !isnan(t);
			lt[j * n + i] = log(t);
		}
		if (!have)
			return -EINVAL;
	}
	return 0;
}

int stats_best_set(const double *const *times, size_t k, size_t n, size_t ref,
		   double margin, double alpha, double level,
		   unsigned resamples, uint64_t seed, struct stats_best *out)
{
	struct best_work w = { .k = k, .n = n };
	double *lt = NULL, **rows = NULL;
	int ret = -EINVAL;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!times || !k || !n || !(margin >= 0.0) || !isfinite(margin) ||
	    !stats_level_ok(alpha) || !stats_level_ok(level) ||
	    (ref != SIZE_MAX && (ref >= k || !resamples)))
		return -EINVAL;
	ret = -ENOMEM;
	lt = malloc(k * n * sizeof(*lt));
	rows = malloc(k * sizeof(*rows));
	w.buf = malloc(n * sizeof(*w.buf));
	w.walsh = malloc(stats_walsh_count(n) * sizeof(*w.walsh));
	out->in_set = calloc(k, sizeof(*out->in_set));
	out->ratio = malloc(k * sizeof(*out->ratio));
	/* p_adj doubles as n-long scratch for the differences until the
	 * p-values go in */
	out->p_adj = malloc((k > n ? k : n) * sizeof(*out->p_adj));
	if (!lt || !rows || !w.buf || !w.walsh || !out->in_set || !out->ratio ||
	    !out->p_adj)
		goto out_free;
	ret = log_times(times, k, n, lt);
	if (ret)
		goto out_free;
	for (size_t j = 0; j < k; j++)
		rows[j] = lt + j * n;
	w.lt = (const double *const *)rows;

	out->k = k;
	out->n = n;
	out->ref = ref;
	out->best = fastest_over(&w, NULL);
	out->ratio[out->best] = 1.0;
	out->speedup = out->speedup_lo = out->speedup_hi = NAN;
	ret = test_against_best(&w, margin, alpha, out);
	if (!ret && ref != SIZE_MAX)
		ret = selection_ci(&w, ref, level, resamples, seed, out);
out_free:
	free(w.walsh);
	free(w.buf);
	free(rows);
	free(lt);
	if (ret)
		stats_best_free(out);
	return ret;
}
