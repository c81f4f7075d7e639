// SPDX-License-Identifier: MIT
/*
 * Two single runs: each cell's samples over their rounds' effects (see
 * compare_round_adjust() in compare_internal.h), and the time test of a
 * single-run cell on whichever samples it is judged by.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "cell.h"
#include "compare_internal.h"
#include "stats.h"

int compare_time_single(struct compare_cell *cc, const double *xb, size_t nb,
			const double *xn, size_t nn,
			const struct compare_options *o, uint64_t seed)
{
	int ret = compare_mann_whitney(xn, nn, xb, nb, &cc->u, &cc->p,
				       &cc->exact);

	if (ret)
		return ret;
	return stats_bootstrap_ratio(xn, nn, xb, nb, o->level, o->resamples,
				     seed, &cc->ratio, &cc->ratio_lo,
				     &cc->ratio_hi);
}

/* A cell's sample, the key of its round: (pass, round) as one number. */
static size_t round_key(const struct sample *s, unsigned max_round)
{
	return (size_t)s->run * ((size_t)max_round + 1) + s->round;
}

/* One side of a group: the cells (cells[k] is group member k's cell on
 * this side), and each round's effect, effect[key]. */
struct side {
	const struct cell **cells;
	size_t n;
	unsigned max_round, max_run;
	double *effect;		/* per key; 0 where too few cells ran it */
};

struct keyed {
	size_t key;
	double dev;
};

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* The cell's median per-copy time, NaN when it has none. */
static double cell_median(const struct cell *c, double *scratch)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_samples; i++) {
		double v = sample_metric_value(c, &c->samples[i], METRIC_TIME);

		if (isfinite(v) && v > 0)
			scratch[n++] = v;
	}
	if (!n)
		return NAN;
	gsl_sort(scratch, 1, n);
	return gsl_stats_median_from_sorted_data(scratch, 1, n);
}

/*
 * The side's round effects: each round's median, over the cells that ran
 * in it (COMPARE_SHIFT_MIN_CELLS or more), of log(sample / the cell's
 * median). 0 on success, 1 when the rounds are not known (a cell with two
 * samples of one round: a file from before rounds, or a hand-made run),
 * -ENOMEM.
 */
static int round_effects(struct side *sd)
{
	size_t total = 0, n = 0, keys;
	struct keyed *kv;
	double *scratch, *dev;
	int ret = 0;

	sd->max_round = sd->max_run = 0;
	for (size_t k = 0; k < sd->n; k++) {
		total += sd->cells[k]->n_samples;
		for (size_t i = 0; i < sd->cells[k]->n_samples; i++) {
			const struct sample *s = &sd->cells[k]->samples[i];

			if (s->round > sd->max_round)
				sd->max_round = s->round;
			if (s->run > sd->max_run)
				sd->max_run = s->run;
		}
	}
	keys = ((size_t)sd->max_run + 1) * ((size_t)sd->max_round + 1);
	sd->effect = calloc(keys, sizeof(*sd->effect));
	kv = malloc((total ? total : 1) * sizeof(*kv));
	scratch = malloc((total ? total : 1) * sizeof(*scratch));
	dev = malloc((sd->n ? sd->n : 1) * sizeof(*dev));
	if (!sd->effect || !kv || !scratch || !dev) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < sd->n && !ret; k++) {
		const struct cell *c = sd->cells[k];
		double med = cell_median(c, scratch);
		size_t first = n;

		for (size_t i = 0; i < c->n_samples && isfinite(med); i++) {
			const struct sample *s = &c->samples[i];
			double v = sample_metric_value(c, s, METRIC_TIME);

			if (!(isfinite(v) && v > 0))
				continue;
			kv[n].key = round_key(s, sd->max_round);
			kv[n++].dev = log(v / med);
			for (size_t j = first; j + 1 < n; j++)
				if (kv[j].key == kv[n - 1].key)
					ret = 1;	/* rounds not known */
		}
	}
	if (ret)
		goto out;
	qsort(kv, n, sizeof(*kv), by_key);
	for (size_t i = 0; i < n;) {
		size_t j = i, m = 0;

		while (j < n && kv[j].key == kv[i].key)
			dev[m++] = kv[j++].dev;
		gsl_sort(dev, 1, m);
		if (m >= COMPARE_SHIFT_MIN_CELLS)
			sd->effect[kv[i].key] =
				gsl_stats_median_from_sorted_data(dev, 1, m);
		i = j;
	}
out:
	free(kv);
	free(scratch);
	free(dev);
	return ret;
}

/* Cell c's per-copy times, each over its round's effect, into *out
 * (malloc'd), their count into *n. 0 or -ENOMEM. */
static int adjusted(const struct side *sd, const struct cell *c,
		    double **out, size_t *n)
{
	*n = 0;
	*out = malloc((c->n_samples ? c->n_samples : 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_samples; i++) {
		const struct sample *s = &c->samples[i];
		double v = sample_metric_value(c, s, METRIC_TIME);

		if (isfinite(v))
			(*out)[(*n)++] =
				v * exp(-sd->effect[round_key(s, sd->max_round)]);
	}
	return 0;
}

static bool takes_part(const struct compare_cell *cc)
{
	return cc->verdict != VERDICT_NO_DATA && !compare_across_runs(cc) &&
	       cc->runs_base == 1 && cc->runs_new == 1;
}

/* The group of cell i (its members' indices into idx): judged again on
 * round-adjusted samples when both sides' rounds are known. */
static int adjust_group(struct comparison *cmp, const size_t *idx, size_t n)
{
	const struct cell **cells = malloc(2 * n * sizeof(*cells));
	struct side sb = { 0 }, sn = { 0 };
	int ret = -ENOMEM;

	if (!cells)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		cells[k] = cmp->cells[idx[k]].base;
		cells[n + k] = cmp->cells[idx[k]].new;
	}
	sb = (struct side){ .cells = cells, .n = n };
	sn = (struct side){ .cells = cells + n, .n = n };
	ret = round_effects(&sb);
	if (!ret)
		ret = round_effects(&sn);
	for (size_t k = 0; k < n && !ret; k++) {
		struct compare_cell *cc = &cmp->cells[idx[k]];

		ret = adjusted(&sb, cc->base, &cc->adj_base, &cc->n_adj_base);
		if (!ret)
			ret = adjusted(&sn, cc->new, &cc->adj_new,
				       &cc->n_adj_new);
		if (!ret)
			ret = compare_time_single(cc, cc->adj_base,
						  cc->n_adj_base, cc->adj_new,
						  cc->n_adj_new, &cmp->opts,
						  cmp->opts.seed + idx[k]);
		cc->round_adjusted = !ret;
		cc->p_adj = cc->p;
	}
	free(sb.effect);
	free(sn.effect);
	free(cells);
	return ret < 0 ? ret : 0;	/* 1: rounds not known, as measured */
}

int compare_round_adjust(struct comparison *cmp)
{
	size_t *idx = malloc((cmp->n_cells ? cmp->n_cells : 1) * sizeof(*idx));
	bool *done = calloc(cmp->n_cells ? cmp->n_cells : 1, sizeof(*done));
	int ret = idx && done ? 0 : -ENOMEM;

	for (size_t i = 0; i < cmp->n_cells && !ret; i++) {
		size_t n = 0;

		if (done[i] || !takes_part(&cmp->cells[i]))
			continue;
		for (size_t j = i; j < cmp->n_cells; j++)
			if (!done[j] && takes_part(&cmp->cells[j]) &&
			    compare_same_shift_group(&cmp->cells[i],
						     &cmp->cells[j])) {
				done[j] = true;
				idx[n++] = j;
			}
		if (n >= COMPARE_SHIFT_MIN_CELLS)
			ret = adjust_group(cmp, idx, n);
	}
	free(idx);
	free(done);
	return ret;
}

void compare_round_free(struct compare_cell *cc)
{
	free(cc->adj_base);
	free(cc->adj_new);
	cc->adj_base = cc->adj_new = NULL;
	cc->n_adj_base = cc->n_adj_new = 0;
}
