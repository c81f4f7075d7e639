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
	free(b->gap_lo);
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
 * The selection-aware bootstrap: in each block-bootstrap resample of the
 * rounds, re-pick the fastest; for a candidate a (ref, or one the test
 * put out of the set) take delta = a's advantage over the pick in the
 * resample minus its advantage over the same candidate in the data. The
 * data's figure minus the delta quantiles is the bias-corrected interval:
 * it removes the optimism that picking the best of several noisy
 * candidates puts into the winner's margin, instead of adding it a
 * second time. Read off for ref: the winner's speed-up CI at `level`; for
 * each candidate in check[]: the low end of its gap to the best (gap_lo),
 * a one-sided bound at alpha as the test is (the low end of the two-sided
 * 1 - 2 alpha interval).
 */
static int selection_boot(const struct best_work *w, size_t ref, double level,
			  double alpha, unsigned resamples, uint64_t seed,
			  const bool *check, struct stats_best *b)
{
	size_t k = w->k, *used = calloc(k, sizeof(*used));
	/* adv[a * k + p]: a's advantage over p in the data */
	double *adv = malloc(k * k * sizeof(*adv));
	double *delta = malloc((k * (size_t)resamples + 1) * sizeof(*delta));
	struct stats_block_boot bb;
	double q_lo, q_hi;
	int ret = stats_block_boot_init(&bb, w->n, seed);

	if (!ret && (!used || !adv || !delta))
		ret = -ENOMEM;
	if (ret)
		goto out_free;
	for (size_t a = 0; a < k; a++)
		for (size_t p = 0; p < k && (a == ref || check[a]); p++)
			adv[a * k + p] =
				a == p ? 0.0 : advantage_over(w, a, p, NULL);
	for (unsigned r = 0; r < resamples; r++) {
		const size_t *idx = stats_block_boot_draw(&bb);
		size_t pick = fastest_over(w, idx);

		for (size_t a = 0; a < k && pick != SIZE_MAX; a++) {
			double orig, now;

			if (a != ref && !check[a])
				continue;
			orig = adv[a * k + pick];
			now = a == pick ? 0.0 : advantage_over(w, a, pick, idx);
			if (!isnan(orig) && !isnan(now))
				delta[a * resamples + used[a]++] = now - orig;
		}
	}
	for (size_t a = 0; a < k; a++) {
		double theta;

		if ((a != ref && !check[a]) || !used[a])
			continue;
		theta = adv[a * k + b->best];
		if (isnan(theta))
			continue;
		/* ref can be checked too: each figure at its own level */
		if (a == ref) {
			stats_expanded_interval(delta + a * resamples, used[a],
						w->n / bb.len, level, &q_lo,
						&q_hi);
			b->speedup_lo = exp(theta - q_hi);
			b->speedup_hi = exp(theta - q_lo);
		}
		if (check[a]) {
			stats_expanded_interval(delta + a * resamples, used[a],
						w->n / bb.len,
						1.0 - 2.0 * alpha, &q_lo,
						&q_hi);
			b->gap_lo[a] = exp(theta - q_hi);
		}
	}
out_free:
	stats_block_boot_free(&bb);
	free(delta);
	free(adv);
	free(used);
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
	bool *check = NULL, boot = false;
	int ret = -EINVAL;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!times || !k || !n || !(margin >= 0.0) || !isfinite(margin) ||
	    !stats_level_ok(alpha) || !(alpha < 0.5) || !stats_level_ok(level) ||
	    (ref != SIZE_MAX && (ref >= k || !resamples)) ||
	    (k >= 2 && !resamples))
		return -EINVAL;
	ret = -ENOMEM;
	lt = malloc(k * n * sizeof(*lt));
	rows = malloc(k * sizeof(*rows));
	w.buf = malloc(n * sizeof(*w.buf));
	w.walsh = malloc(stats_walsh_count(n) * sizeof(*w.walsh));
	out->in_set = calloc(k, sizeof(*out->in_set));
	out->ratio = malloc(k * sizeof(*out->ratio));
	out->gap_lo = malloc(k * sizeof(*out->gap_lo));
	check = calloc(k, sizeof(*check));
	/* p_adj doubles as n-long scratch for the differences until the
	 * p-values go in */
	out->p_adj = malloc((k > n ? k : n) * sizeof(*out->p_adj));
	if (!lt || !rows || !w.buf || !w.walsh || !out->in_set || !out->ratio ||
	    !out->gap_lo || !out->p_adj || !check)
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
	for (size_t j = 0; j < k && !ret; j++) {
		/* the candidates the test put out are checked again */
		check[j] = !out->in_set[j];
		boot |= check[j];
		out->gap_lo[j] = j == out->best ? 1.0 : NAN;
	}
	if (!ret && (boot || ref != SIZE_MAX))
		ret = selection_boot(&w, ref, level, alpha, resamples, seed,
				     check, out);
	if (!ret && ref != SIZE_MAX)
		out->speedup = exp(advantage_over(&w, ref, out->best, NULL));
	/* out only when both say so: the test, and the selection-aware
	 * interval's low end beyond the margin */
	for (size_t j = 0; j < k && !ret; j++) {
		if (check[j] && !(out->gap_lo[j] > 1.0 + margin)) {
			out->in_set[j] = true;
			out->n_set++;
		}
	}
out_free:
	free(check);
	free(w.walsh);
	free(w.buf);
	free(rows);
	free(lt);
	if (ret)
		stats_best_free(out);
	return ret;
}
