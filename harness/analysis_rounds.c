// SPDX-License-Identifier: MIT
/*
 * The part of a cell's spread that is the machine's. Each round of a size
 * runs every cell of a group once, one after the other, on one CPU (the
 * rounds alternate between them, runner_sample.c); what moves a round -
 * that CPU's speed, the host's load over those seconds - moves all of its
 * cells. A round's effect is the median, over the group's cells that ran
 * in it (ANALYSIS_ROUND_MIN_CELLS or more), of log(time / the cell's
 * median): one cell's own slow copy does not move it. A cell's net spread
 * is the spread of its times over their rounds' effects, the group's
 * round spread that of the effects themselves. The same effects make
 * compare's judgement of two single runs (compare_rounds.c); here they
 * only describe: the medians, CIs and paired ratios stay as measured.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analysis.h"
#include "analysis_internal.h"

/* IQR / median of x[0..n) (sorted here), NaN below 4 values. */
static double iqr_rel(double *x, size_t n)
{
	double med;

	if (n < 4)
		return NAN;
	gsl_sort(x, 1, n);
	med = gsl_stats_median_from_sorted_data(x, 1, n);
	if (!(med > 0))
		return NAN;
	return (gsl_stats_quantile_from_sorted_data(x, 1, n, 0.75) -
		gsl_stats_quantile_from_sorted_data(x, 1, n, 0.25)) / med;
}

/* The CPU round r of group g ran on: its cells' (sequential cells run a
 * round on one CPU), -1 when none says or they disagree. */
static int round_cpu(const struct analysis *a,
		     const struct analysis_group *g, size_t r)
{
	int cpu = -1;

	for (size_t j = 0; j < g->n_cells; j++) {
		int c = a->cells[g->cells[j]].cpu_by_round[r];

		if (c < 0)
			continue;
		if (cpu >= 0 && c != cpu)
			return -1;
		cpu = c;
	}
	return cpu;
}

/* g's cpu_gap: the median round effect per CPU (ANALYSIS_CPU_MIN_ROUNDS
 * rounds or more each), the slowest against the fastest. x is scratch
 * of the size's rounds. */
static void cpu_gap(const struct analysis *a, struct analysis_group *g,
		    const double *effect, double *x)
{
	const struct analysis_size *s = &a->sizes[g->size];
	double lo = INFINITY, hi = -INFINITY;

	g->cpu_gap = 0;
	g->cpu_slow = g->cpu_fast = -1;
	if (!g->like || g->like->threads > 1)
		return;
	for (int cpu = 0; cpu < ANALYSIS_MAX_CPU; cpu++) {
		size_t n = 0;
		double m;

		for (size_t r = 0; r < s->n_rounds; r++)
			if (isfinite(effect[r]) && round_cpu(a, g, r) == cpu)
				x[n++] = effect[r];
		if (n < ANALYSIS_CPU_MIN_ROUNDS)
			continue;
		gsl_sort(x, 1, n);
		m = gsl_stats_median_from_sorted_data(x, 1, n);
		if (m < lo) {
			lo = m;
			g->cpu_fast = cpu;
		}
		if (m > hi) {
			hi = m;
			g->cpu_slow = cpu;
		}
	}
	if (g->cpu_fast >= 0 && g->cpu_slow != g->cpu_fast)
		g->cpu_gap = exp(hi - lo) - 1;
	else
		g->cpu_slow = g->cpu_fast = -1;
}

static int group_rounds(struct analysis *a, struct analysis_group *g)
{
	const struct analysis_size *s = &a->sizes[g->size];
	size_t nr = s->n_rounds, have = 0;
	double *effect = malloc((nr ? nr : 1) * sizeof(*effect));
	double *dev = malloc((g->n_cells ? g->n_cells : 1) * sizeof(*dev));
	double *x = malloc((nr ? nr : 1) * sizeof(*x));
	int ret = 0;

	if (!effect || !dev || !x) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t r = 0; r < nr; r++) {
		size_t m = 0;

		for (size_t j = 0; j < g->n_cells; j++) {
			const struct analysis_cell *ac =
				&a->cells[g->cells[j]];
			double v = ac->by_round[r];

			if (isfinite(v) && v > 0 && ac->median > 0)
				dev[m++] = log(v / ac->median);
		}
		effect[r] = NAN;
		if (m >= ANALYSIS_ROUND_MIN_CELLS) {
			gsl_sort(dev, 1, m);
			effect[r] = gsl_stats_median_from_sorted_data(dev, 1,
								      m);
			x[have++] = exp(effect[r]);
		}
	}
	g->round_spread = iqr_rel(x, have);
	cpu_gap(a, g, effect, x);
	for (size_t j = 0; j < g->n_cells && isfinite(g->round_spread);
	     j++) {
		struct analysis_cell *ac = &a->cells[g->cells[j]];
		size_t n = 0;

		for (size_t r = 0; r < nr; r++)
			if (isfinite(ac->by_round[r]) && isfinite(effect[r]))
				x[n++] = ac->by_round[r] * exp(-effect[r]);
		ac->spread_net = iqr_rel(x, n);
	}
out:
	free(effect);
	free(dev);
	free(x);
	return ret;
}

int analysis_round_spread(struct analysis *a)
{
	int ret = 0;

	for (size_t i = 0; i < a->n_cells; i++)
		a->cells[i].spread_net = NAN;
	for (size_t g = 0; g < a->n_groups && !ret; g++) {
		a->groups[g].round_spread = NAN;
		a->groups[g].cpu_gap = 0;
		a->groups[g].cpu_slow = a->groups[g].cpu_fast = -1;
		if (a->groups[g].n_cells >= ANALYSIS_ROUND_MIN_CELLS)
			ret = group_rounds(a, &a->groups[g]);
	}
	return ret;
}
