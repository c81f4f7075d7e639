// SPDX-License-Identifier: MIT
/*
 * The analysis in results.json: the "summary" object (per size the best
 * set, speed-ups with CIs, the verdict line and the recommendation; the
 * ranked recommendations, observations and warnings) and each cell's
 * "analysis" figures. Derived only: the reader restores nothing from
 * them, a run is analysed again when it is read.
 */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "analysis.h"
#include "json_num.h"

/* Appends v (stolen) to array a; on failure frees a and returns NULL. */
static json_t *append(json_t *a, json_t *v)
{
	if (!a || !v || json_array_append_new(a, v)) {
		json_decref(a);
		if (!a)
			json_decref(v);
		return NULL;
	}
	return a;
}

/* {"ratio", "lo", "hi", "level"} or null. */
static json_t *ratio_json(bool have, double r, double lo, double hi)
{
	if (!have || !isfinite(r))
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:f}", "ratio", json_num(r), "lo",
			 json_num(lo), "hi", json_num(hi), "level", ANALYSIS_LEVEL);
}

/* A cell as the summary names it: index, strategy, tunables, label. */
static json_t *cell_ref(const struct analysis *a, size_t i)
{
	char name[ANALYSIS_NAME_LEN];

	return json_pack("{s:I, s:s, s:o, s:s}", "cell", (json_int_t)i,
			 "strategy", a->cells[i].cell->strategy, "tunables",
			 results_json_cell_tunables(a->cells[i].cell), "name",
			 analysis_cell_name(a, i, false, name, sizeof(name)));
}

static json_t *index_or_null(size_t i)
{
	return i == SIZE_MAX ? json_null() : json_integer((json_int_t)i);
}

/* sweep --dir A,B: each variant's cell on every target (null: not
 * measured) and each target against the first (null for the first). */
static json_t *devices_json(const struct analysis *a)
{
	json_t *v = json_array();

	for (size_t r = 0; v && r < a->n_device_rows; r++) {
		const struct analysis_device_row *row = &a->device_rows[r];
		json_t *cells = json_array(), *vs = json_array();

		for (size_t t = 0; t < a->n_targets; t++) {
			cells = append(cells, index_or_null(row->cell[t]));
			vs = append(vs, ratio_json(row->have[t], row->ratio[t],
						   row->lo[t], row->hi[t]));
		}
		v = append(v, cells && vs ? json_pack("{s:o, s:o}", "cells",
						      cells, "vs_first", vs) :
			   NULL);
		if (!v)
			json_decref(cells), json_decref(vs);
	}
	return v;
}

static json_t *group_json(const struct analysis *a, size_t gi)
{
	const struct analysis_group *g = &a->groups[gi];
	json_t *best = json_array(), *speedups = json_array(), *o;

	for (size_t k = 0; k < g->n_cells; k++) {
		size_t i = g->cells[k];
		const struct analysis_cell *ac = &a->cells[i];
		json_t *s;

		if (ac->in_best_set)
			best = append(best, cell_ref(a, i));
		if (!ac->have_speedup)
			continue;
		s = cell_ref(a, i);
		if (s && json_object_update_new(s, ratio_json(true, ac->speedup,
							      ac->speedup_lo,
							      ac->speedup_hi)))
			json_decref(s), s = NULL;
		speedups = append(speedups, s);
	}
	o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:b, s:o, s:o, s:o, s:I,"
			 " s:I, s:o, s:o, s:o, s:o}",
			 "cache", cache_mode_name(g->cache),
			 "sync", sync_mode_name(g->sync),
			 "threads", (json_int_t)(g->like->threads ?
						 g->like->threads : 1),
			 "parallel", parallel_mode_name(g->like->parallel),
			 "pin", pin_mode_name(g->like->pin),
			 "headline", a->sizes[g->size].headline == gi,
			 "best_set", best ? best : json_null(),
			 "winner", index_or_null(g->best),
			 "rw", index_or_null(g->rw),
			 "rounds", (json_int_t)g->rounds,
			 "rounds_needed", (json_int_t)g->rounds_needed,
			 "round_spread", json_num(g->round_spread),
			 "cpu_gap", g->cpu_slow < 0 ? json_null() :
				json_pack("{s:o, s:i, s:i}", "slower",
					  json_num(g->cpu_gap), "slow_cpu",
					  g->cpu_slow, "fast_cpu", g->cpu_fast),
			 "winner_vs_rw", ratio_json(g->have_speedup, g->speedup,
						    g->speedup_lo,
						    g->speedup_hi),
			 "speedups_vs_rw", speedups ? speedups : json_null());
	/* sweep --dir A,B: the group's target, only with several */
	if (o && g->like->target &&
	    json_object_set_new(o, "target", results_json_text(
				g->like->target)))
		json_decref(o), o = NULL;
	return o;
}

/* The highest-ranked recommendation that names size s, or NULL. */
static const char *size_advice(const struct analysis *a,
			       const struct analysis_size *s)
{
	size_t n = strlen(s->name);

	for (size_t i = 0; i < a->n_recs; i++) {
		const char *p = a->recs[i].sizes;

		while (*p) {
			const char *end = strchr(p, '\x1f');
			size_t k = end ? (size_t)(end - p) : strlen(p);

			if (k == n && !strncmp(p, s->name, n))
				return a->recs[i].text;
			p += k + (end != NULL);
		}
	}
	return NULL;
}

static json_t *sizes_json(const struct analysis *a)
{
	json_t *v = json_array();

	for (size_t k = 0; v && k < a->n_sizes; k++) {
		const struct analysis_size *s = &a->sizes[k];
		char line[ANALYSIS_LINE_LEN];
		json_t *groups = json_array();

		for (size_t g = 0; groups && g < a->n_groups; g++)
			if (a->groups[g].size == k)
				groups = append(groups, group_json(a, g));
		v = append(v, json_pack("{s:I, s:o, s:I, s:o, s:o, s:o}",
			"size", (json_int_t)s->size,
			"name", results_json_text(s->name),
			"files_per_copy", (json_int_t)s->files_per_copy,
			"line", results_json_text(analysis_size_line(
				a, s, false, line, sizeof(line))),
			"groups", groups ? groups : json_null(),
			"recommendation", results_json_text(size_advice(a,
									s))));
	}
	return v;
}

static json_t *advice_json(const struct analysis_advice *v, size_t n,
			   bool impact)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++)
		arr = append(arr, impact ?
			     json_pack("{s:s, s:o}", "impact",
				       analysis_impact_name(v[i].impact),
				       "text", results_json_text(v[i].text)) :
			     results_json_text(v[i].text));
	return arr;
}

static json_t *warnings_json(const struct analysis *a)
{
	json_t *v = json_array();

	for (size_t i = 0; v && i < a->n_warnings; i++) {
		const struct analysis_warning *w = &a->warnings[i];

		v = append(v, json_pack("{s:I, s:s, s:s}", "cell",
					(json_int_t)w->cell, "problem",
					analysis_warning_name(w->kind),
					"figure", w->figure));
	}
	return v;
}

/* The run's warnings, then the analysis's (paths may not be UTF-8). */
static json_t *run_warnings_json(const struct analysis *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < a->run->n_warnings; i++)
		arr = append(arr, results_json_text(a->run->warnings[i]));
	for (size_t i = 0; arr && i < a->n_run_warnings; i++)
		arr = append(arr, results_json_text(a->run_warnings[i]));
	return arr;
}

json_t *analysis_json_summary(const struct analysis *a)
{
	char line[ANALYSIS_CI_LINE_LEN];
	json_t *o = json_pack("{s:f, s:f, s:s, s:I, s:s, s:o, s:o, s:o, s:o, "
			 "s:o, s:o}",
			 "tie_margin", ANALYSIS_TIE_MARGIN,
			 "level", ANALYSIS_LEVEL,
			 "ci", a->within_run ? "within-run" : "between-runs",
			 "runs", (json_int_t)a->runs,
			 "ci_line", analysis_ci_line(a, line, sizeof(line)),
			 "overall", results_json_text(a->overall),
			 "sizes", sizes_json(a),
			 "recommendations", advice_json(a->recs, a->n_recs,
							true),
			 "observations", advice_json(a->notes, a->n_notes,
						     false),
			 "warnings", warnings_json(a),
			 "run_warnings", run_warnings_json(a));

	if (o && a->n_targets > 1 &&
	    json_object_set_new(o, "devices", devices_json(a)))
		json_decref(o), o = NULL;
	return o;
}

json_t *analysis_json_cell(const struct analysis *a, size_t i)
{
	const struct analysis_cell *ac = &a->cells[i];
	const struct stats_distribution *d = &ac->dist;
	json_t *o;

	if (!ac->measured)
		return json_null();
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o,"
			 " s:o, s:o, s:o, s:s, s:o, s:b, s:o, s:b, s:o, s:o,"
			 " s:o, s:b}",
			 "spread", json_num(d->spread),
			 "spread_net", json_num(ac->spread_net),
			 "mad_rel", json_num(d->mad_rel),
			 "p90", json_num(d->p90),
			 "max", json_num(d->max),
			 "slow_share", json_num(d->slow_share),
			 "tukey", json_pack("{s:I, s:I, s:I, s:I}",
				"low_mild", (json_int_t)d->tukey_low_mild,
				"low_severe", (json_int_t)d->tukey_low_severe,
				"high_mild", (json_int_t)d->tukey_high_mild,
				"high_severe",
				(json_int_t)d->tukey_high_severe),
			 "bimodal", d->bimodal,
			 "slow_mode_share", json_num(d->slow_mode_share),
			 "slow_mode_ratio", json_num(d->slow_mode_ratio),
			 "median_ci", json_pack("[o, o]", json_num(ac->median_lo),
						json_num(ac->median_hi)),
			 "between_rel", json_num(ac->between_rel),
			 "run_band", json_num(ac->run_band > 0 ?
					      expm1(ac->run_band) : NAN),
			 "ci", ac->between_runs ? "between-runs" :
						  "within-run",
			 "cpu_s_per_gib", json_num(ac->cpu_s_per_gib),
			 "drift", ac->drift,
			 "drift_rel", json_num(ac->drift_rel),
			 "step", ac->step,
			 "step_ratio", json_num(ac->step_ratio),
			 "speedup_vs_rw", ratio_json(ac->have_speedup,
						     ac->speedup,
						     ac->speedup_lo,
						     ac->speedup_hi),
			 "vs_best", ratio_json(ac->have_vs_best, ac->vs_best,
					       ac->vs_best_lo,
					       ac->vs_best_hi),
			 "best_set", ac->in_best_set);
	/* the band is the cell's own, not the calibration's (analysis.h) */
	if (o && ac->run_band > 0 &&
	    json_object_set_new(o, "run_band_own",
				json_boolean(ac->run_band_own)))
		json_decref(o), o = NULL;
	return o;
}
