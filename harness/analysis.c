// SPDX-License-Identifier: MIT
/*
 * The analysis of a run (analysis.h): its sizes and their rounds, and
 * each cell's own figures; then the comparisons (analysis_compare.c) and
 * the rules (analysis_rules.c), in analysis_build().
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analysis.h"
#include "analysis_internal.h"
#include "fmt.h"
#include "mem_free.h"
#include "reference.h"
#include "source_tree.h"
#include "strategies.h"
#include "workload.h"

#define GIB (1024.0 * 1024 * 1024)

static bool measured(const struct cell *c)
{
	return c->status == CELL_OK && c->n_samples && c->est.n &&
	       c->est.median > 0;
}

uint64_t analysis_seed(const struct analysis *a, enum analysis_stream stream,
		       uint64_t index)
{
	/* one number per (stream, index): index x the streams + stream */
	uint64_t what = index * ANALYSIS_SEED_STREAMS + stream;
	uint64_t z = a->run->request.seed + (what + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The median of x[0..n) (sorted in place); NaN for n == 0. */
static double median_of(double *x, size_t n)
{
	if (!n)
		return NAN;
	gsl_sort(x, 1, n);
	return gsl_stats_median_from_sorted_data(x, 1, n);
}

/* ---- sizes and their rounds ---- */

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t x = *(const uint64_t *)pa, y = *(const uint64_t *)pb;

	return x < y ? -1 : x > y;
}

static int collect_sizes(struct analysis *a)
{
	const struct run *run = a->run;

	a->sizes = calloc(run->n_cells ? run->n_cells : 1, sizeof(*a->sizes));
	if (!a->sizes)
		return -ENOMEM;
	for (size_t i = 0; i < run->n_cells; i++) {
		size_t k;

		for (k = 0;
		     k < a->n_sizes && a->sizes[k].size != run->cells[i].size;
		     k++)
			;
		if (k == a->n_sizes)
			a->sizes[a->n_sizes++].size = run->cells[i].size;
	}
	qsort(a->sizes, a->n_sizes, sizeof(*a->sizes), cmp_u64);
	return 0;
}

static void name_size(const struct analysis *a, struct analysis_size *s)
{
	const struct run *run = a->run;
	const struct workload_tree *t =
		workload_tree_of(run->workload, s->size);

	s->files_per_copy = 1;
	if (run->workload) {
		workload_label(run->workload, s->size, s->name,
			       sizeof(s->name));
		if (t)
			s->files_per_copy = t->files;
	} else if (run->request.source) {
		/* "include (8517 files, 114 MiB)", as everywhere */
		s->files_per_copy = run->request.source_files;
		source_tree_label(run->request.source, s->files_per_copy,
				  s->size, s->name, sizeof(s->name));
	} else {
		fmt_size(s->size, s->name, sizeof(s->name));
	}
}

/* A sample's place in its size's round order: its run and round, or
 * (by_index) its run and its ordinal among that run's samples, for
 * results whose samples carry no distinct rounds. */
static uint64_t sample_key(const struct cell *c, size_t i, bool by_index)
{
	uint64_t ordinal = 0;

	if (!by_index)
		return (uint64_t)c->samples[i].run << 32 | c->samples[i].round;
	for (size_t j = 0; j < i; j++)
		ordinal += c->samples[j].run == c->samples[i].run;
	return (uint64_t)c->samples[i].run << 32 | ordinal;
}

/* Whether some cell of size s has two samples in one round. */
static bool rounds_repeat(const struct analysis *a, uint64_t size,
			  uint64_t *scratch)
{
	const struct run *run = a->run;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (c->size != size || !measured(c))
			continue;
		for (size_t j = 0; j < c->n_samples; j++)
			scratch[j] = sample_key(c, j, false);
		qsort(scratch, c->n_samples, sizeof(*scratch), cmp_u64);
		for (size_t j = 1; j < c->n_samples; j++)
			if (scratch[j] == scratch[j - 1])
				return true;
	}
	return false;
}

/* Lays one cell's per-copy seconds out on its size's rounds. */
static int place_samples(struct analysis_cell *ac, const uint64_t *keys,
			 size_t n_keys, bool by_index)
{
	const struct cell *c = ac->cell;
	unsigned files = results_files_per_sample(c);

	ac->by_round = malloc((n_keys ? n_keys : 1) * sizeof(double));
	ac->cpu_by_round = malloc((n_keys ? n_keys : 1) * sizeof(int));
	if (!ac->by_round || !ac->cpu_by_round)
		return -ENOMEM;
	for (size_t r = 0; r < n_keys; r++) {
		ac->by_round[r] = NAN;
		ac->cpu_by_round[r] = -1;
	}
	for (size_t j = 0; j < c->n_samples; j++) {
		uint64_t key = sample_key(c, j, by_index);
		const uint64_t *at =
			bsearch(&key, keys, n_keys, sizeof(*keys), cmp_u64);

		if (at && isnan(ac->by_round[at - keys])) {
			ac->by_round[at - keys] = c->samples[j].seconds / files;
			if (c->samples[j].cpu_known)
				ac->cpu_by_round[at - keys] =
					(int)c->samples[j].cpu;
		}
	}
	return 0;
}

/* The rounds of size s (every run's, in order) and each measured cell's
 * samples on them. */
static int size_rounds(struct analysis *a, struct analysis_size *s)
{
	const struct run *run = a->run;
	size_t total = 0, n = 0;
	uint64_t *keys;
	bool by_index;
	int ret = 0;

	for (size_t i = 0; i < run->n_cells; i++)
		if (run->cells[i].size == s->size && measured(&run->cells[i]))
			total += run->cells[i].n_samples;
	keys = malloc((total ? total : 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	by_index = rounds_repeat(a, s->size, keys);
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (c->size == s->size && measured(c))
			for (size_t j = 0; j < c->n_samples; j++)
				keys[n++] = sample_key(c, j, by_index);
	}
	qsort(keys, n, sizeof(*keys), cmp_u64);
	for (size_t j = 0; j < n; j++)
		if (!s->n_rounds || keys[j] != keys[s->n_rounds - 1])
			keys[s->n_rounds++] = keys[j];
	s->run_start = calloc(s->n_rounds + 2, sizeof(*s->run_start));
	if (!s->run_start) {
		free(keys);
		return -ENOMEM;
	}
	for (size_t r = 0; r < s->n_rounds; r++)
		if (!r || keys[r] >> 32 != keys[r - 1] >> 32)
			s->run_start[s->runs++] = r;
	s->run_start[s->runs] = s->n_rounds;
	for (size_t i = 0; i < run->n_cells && !ret; i++)
		if (run->cells[i].size == s->size && a->cells[i].measured)
			ret = place_samples(&a->cells[i], keys, s->n_rounds,
					    by_index);
	free(keys);
	return ret;
}

/* ---- one cell's own figures ---- */

static double cpu_s_per_gib(const struct cell *c)
{
	double bytes = (double)c->size * results_files_per_sample(c);
	double *x = malloc(c->n_samples * sizeof(*x));
	double m;
	size_t n = 0;

	if (!x || !(bytes > 0)) {
		free(x);
		return NAN;
	}
	for (size_t i = 0; i < c->n_samples; i++) {
		double cpu = c->samples[i].cpu_user + c->samples[i].cpu_sys;

		if (isfinite(cpu))
			x[n++] = cpu / (bytes / GIB);
	}
	m = median_of(x, n);
	free(x);
	return m;
}

/* The round-ordered values of a cell without the missing rounds. */
static size_t present(const struct analysis_cell *ac, size_t n_rounds,
		      double *out)
{
	size_t n = 0;

	for (size_t r = 0; r < n_rounds; r++)
		if (!isnan(ac->by_round[r]))
			out[n++] = ac->by_round[r];
	return n;
}

static void trend_of(struct analysis_cell *ac, const double *x, size_t n)
{
	struct stats_trend t;

	if (n < 3 || n > STATS_TREND_MAX_N || stats_trend(x, n, &t))
		return;
	ac->drift_rel = t.sen_slope_rel * (double)(n - 1) / 100;
	ac->drift = t.mk_p < ANALYSIS_DRIFT_P &&
		    fabs(ac->drift_rel) >= ANALYSIS_DRIFT_MIN;
	ac->step_ratio = t.step_ratio;
	ac->step_round = t.change_at;
	ac->step = t.pettitt_p < ANALYSIS_DRIFT_P &&
		   (t.step_ratio < 1 - ANALYSIS_DRIFT_MIN ||
		    t.step_ratio > 1 + ANALYSIS_DRIFT_MIN);
}

/* Run r's values of a round-ordered series, NaNs dropped, into out;
 * lens[r] their count. */
static void split_runs(const struct analysis_size *s, const double *series,
		       double *out, const double **per_run, size_t *lens)
{
	size_t n = 0;

	for (size_t r = 0; r < s->runs; r++) {
		per_run[r] = out + n;
		lens[r] = 0;
		for (size_t k = s->run_start[r]; k < s->run_start[r + 1]; k++)
			if (!isnan(series[k])) {
				out[n++] = series[k];
				lens[r]++;
			}
	}
}

static size_t lens_total(const size_t *lens, size_t runs)
{
	size_t n = 0;

	for (size_t r = 0; r < runs; r++)
		n += lens[r];
	return n;
}

/* The median's CI across runs (hierarchical bootstrap, in log space). */
static void median_between_runs(const struct analysis *a,
				const struct analysis_size *s,
				struct analysis_cell *ac, size_t index)
{
	double *vals = malloc((s->n_rounds + 1) * sizeof(*vals));
	const double **per_run = calloc(s->runs, sizeof(*per_run));
	size_t *lens = calloc(s->runs, sizeof(*lens));
	struct stats_hier h;

	size_t empty = 0;

	if (vals && per_run && lens) {
		split_runs(s, ac->by_round, vals, per_run, lens);
		for (size_t r = 0; r < s->runs; r++)
			empty += !lens[r];
		/* in log space: times are positive, and a run-level
		 * interval on few runs must not reach below 0 */
		for (size_t k = 0; k < lens_total(lens, s->runs); k++)
			vals[k] = log(vals[k]);
		/* a run without this cell (it failed there): within-run */
		if (!empty &&
		    !stats_hier_median(
			    per_run, lens, s->runs, ANALYSIS_LEVEL,
			    ANALYSIS_RESAMPLES,
			    analysis_seed(a, ANALYSIS_SEED_MEDIAN, index),
			    &h)) {
			ac->median_lo = fmin(exp(h.lo), ac->median);
			ac->median_hi = fmax(exp(h.hi), ac->median);
			ac->between_runs = true;
			/* the runs' medians differ by this share */
			ac->between_rel = exp(h.run_max) / exp(h.run_min) - 1;
		}
	}
	free(vals);
	free(per_run);
	free(lens);
}

static int describe_cell(struct analysis *a, size_t index)
{
	struct analysis_cell *ac = &a->cells[index];
	const struct cell *c = ac->cell;
	const struct analysis_size *s = analysis_size_of(a, c->size);
	double *x = malloc(s->n_rounds * sizeof(*x) + sizeof(*x));
	size_t n;
	int ret;

	if (!x)
		return -ENOMEM;
	n = present(ac, s->n_rounds, x);
	ret = n ? stats_describe(x, n, &ac->dist) : -EINVAL;
	if (!ret)
		trend_of(ac, x, n);
	free(x);
	if (ret)
		return ret == -ENOMEM ? ret : 0;
	ac->median = c->est.median;
	ac->median_lo = c->est.median_lo;
	ac->median_hi = c->est.median_hi;
	ac->between_rel = NAN;
	if (s->runs >= 2)
		median_between_runs(a, s, ac, index);
	ac->mib_s = results_mib_s(c->size, ac->median);
	ac->mib_s_lo = results_mib_s(c->size, ac->median_hi);
	ac->mib_s_hi = results_mib_s(c->size, ac->median_lo);
	ac->files_s = (double)s->files_per_copy / ac->median;
	ac->cpu_s_per_gib = cpu_s_per_gib(c);
	for (int f = 0; f <= RESULTS_DST_WRITEBACK; f++)
		ac->pct[f] = results_sample_pct(c, f);
	return 0;
}

/* Each size's fastest threaded, unsynced strategy cell per cache mode
 * (struct analysis_size's threaded[]). */
static void find_threaded(struct analysis *a)
{
	for (size_t k = 0; k < a->n_sizes; k++)
		a->sizes[k].threaded[CACHE_WARM] =
			a->sizes[k].threaded[CACHE_COLD] = SIZE_MAX;
	for (size_t i = 0; i < a->n_cells; i++) {
		const struct cell *c = a->cells[i].cell;
		size_t k, *best;

		if (c->status != CELL_OK || !(c->est.median > 0) ||
		    a->cells[i].reference || c->threads < 2 ||
		    c->sync != SYNC_NONE)
			continue;
		for (k = 0; k < a->n_sizes && a->sizes[k].size != c->size; k++)
			;
		if (k == a->n_sizes)
			continue;
		best = &a->sizes[k].threaded[c->cache];
		if (*best == SIZE_MAX ||
		    c->est.median < a->cells[*best].cell->est.median)
			*best = i;
	}
}

static int build_cells(struct analysis *a)
{
	int ret = 0;

	a->cells = calloc(a->n_cells ? a->n_cells : 1, sizeof(*a->cells));
	if (!a->cells)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_cells; i++) {
		struct analysis_cell *ac = &a->cells[i];

		ac->cell = &a->run->cells[i];
		ac->measured = measured(ac->cell);
		ac->reference = reference_cell(ac->cell);
		ac->candidate = ac->measured && !ac->reference;
		ac->median = ac->median_lo = ac->median_hi = NAN;
		ac->mib_s = ac->mib_s_lo = ac->mib_s_hi = NAN;
		ac->files_s = ac->cpu_s_per_gib = ac->between_rel = NAN;
		ac->drift_rel = ac->step_ratio = NAN;
		ac->scaling_base = ac->cold = ac->synced = SIZE_MAX;
	}
	ret = collect_sizes(a);
	for (size_t k = 0; !ret && k < a->n_sizes; k++) {
		name_size(a, &a->sizes[k]);
		ret = size_rounds(a, &a->sizes[k]);
		if (a->sizes[k].runs > a->runs)
			a->runs = (unsigned)a->sizes[k].runs;
	}
	for (size_t i = 0; !ret && i < a->n_cells; i++)
		if (a->cells[i].measured)
			ret = describe_cell(a, i);
	if (!ret)
		find_threaded(a);
	return ret;
}

int analysis_build(const struct run *run, struct analysis *a)
{
	int ret;

	memset(a, 0, sizeof(*a));
	a->run = run;
	a->n_cells = run->n_cells;
	a->n_targets = targets_count(&run->request);
	ret = build_cells(a);
	if (!a->runs)
		a->runs = 1;
	a->within_run = a->runs < 2;
	if (!ret)
		ret = analysis_compare(a);
	if (!ret)
		ret = analysis_round_spread(a);
	if (!ret)
		ret = analysis_apply_rules(a);
	if (ret)
		analysis_free(a);
	return ret;
}

static void free_advice(struct analysis_advice *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].figures);
		free(v[i].text);
	}
	free(v);
}

void analysis_free(struct analysis *a)
{
	if (!a)
		return;
	for (size_t i = 0; a->cells && i < a->n_cells; i++) {
		free(a->cells[i].by_round);
		free(a->cells[i].cpu_by_round);
	}
	free(a->cells);
	for (size_t g = 0; a->groups && g < a->n_groups; g++)
		free(a->groups[g].cells);
	free(a->groups);
	for (size_t k = 0; a->sizes && k < a->n_sizes; k++)
		free(a->sizes[k].run_start);
	free(a->sizes);
	free(a->warnings);
	free_advice(a->recs, a->n_recs);
	free_advice(a->notes, a->n_notes);
	mem_free_strings(a->run_warnings, a->n_run_warnings);
	MEM_FREE_ALL(a->overall, a->baseline, a->device_rows, a->band_started);
	memset(a, 0, sizeof(*a));
}
