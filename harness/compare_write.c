// SPDX-License-Identifier: MIT
/*
 * compare's reports (compare.h): the verdicts of a comparison as Markdown
 * (compare.md: both sides, the test, one row per matched cell, what did
 * not match, the environments' differences) and as JSON (compare.json).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <jansson.h>

#include "calibration.h"
#include "compare.h"
#include "compare_internal.h"
#include "fmt.h"
#include "json_num.h"
#include "report_memory.h"

/* The verdict with its sign for the table: the eye finds ❌ first. */
static const char *verdict_label(enum compare_verdict v)
{
	switch (v) {
	case VERDICT_SAME:
		return "~";
	case VERDICT_NOISE:
		return "⚠️ within noise";
	case VERDICT_IMPROVED:
		return "✅ improved";
	case VERDICT_REGRESSED:
		return "❌ regressed";
	case VERDICT_NO_DATA:
		break;
	}
	return "no data";
}

/* compare.md's variants judged across their sizes (compare_across.c). */
static void md_across(FILE *f, const struct comparison *cmp, const char *h)
{
	char key[256];

	if (!cmp->n_across)
		return;
	fprintf(f, "\n%s Across sizes\n\nWith one run per side, a change "
		   "to a strategy's code moves it at every size, while "
		   "the noise of its cells at different sizes is close to "
		   "independent: each variant measured at two sizes or "
		   "more is also judged on all of them together. Its "
		   "change is the mean of its cells' changes net of their "
		   "sizes' shifts, each weighted by 1 / its A/A variance "
		   "(sigma = its floor / z); z is that mean over its "
		   "standard error, against the floors' z (%.2f, "
		   "family-wise over %zu cells and variants); the "
		   "interval is mean ± that z × the standard error. A "
		   "variant beyond it and beyond ±%g%% is regressed or "
		   "improved, and a regression fails the comparison like "
		   "a cell's.\n\n| variant | sizes | change | interval | z | "
		   "verdict |\n|---|--:|--:|--:|--:|---|\n", h,
		gsl_cdf_ugaussian_Qinv(cmp->opts.alpha /
				       (2.0 * (double)cmp->family)),
		cmp->family, 100 * cmp->opts.threshold);
	for (size_t i = 0; i < cmp->n_across; i++) {
		const struct compare_across *a = &cmp->across[i];

		fprintf(f, "| `%s` | %zu | %+.1f%% | [%+.1f%%, %+.1f%%] | "
			   "%+.1f | %s |\n",
			compare_across_name(a, key, sizeof(key)), a->cells,
			100 * a->change, 100 * a->lo, 100 * a->hi, a->z,
			verdict_label(a->verdict));
	}
}

/* compare.json's "across_sizes". */
static json_t *json_across(const struct comparison *cmp)
{
	json_t *arr = json_array();
	char key[256];

	for (size_t i = 0; arr && i < cmp->n_across; i++) {
		const struct compare_across *a = &cmp->across[i];

		json_array_append_new(arr, json_pack(
			"{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:s}",
			"variant", compare_across_name(a, key, sizeof(key)),
			"strategy", a->first->base->strategy,
			"cells", (json_int_t)a->cells,
			"change", json_num(a->change),
			"change_lo", json_num(a->lo),
			"change_hi", json_num(a->hi),
			"z", json_num(a->z),
			"verdict", compare_verdict_name(a->verdict)));
	}
	return arr;
}

static void md_side(FILE *f, const char *what, const char *label,
		    const struct run *r)
{
	fprintf(f, "- %s: %s — run `%s`, %s, host %s, iobench %s (%s)\n",
		what, label, r->id ? r->id : "?",
		r->started ? r->started : "?",
		r->env.hostname ? r->env.hostname : "?",
		r->version ? r->version : "?", r->commit ? r->commit : "?");
}

/* "+20.1 [+18.0, +22.4]": the change of the median time in percent. */
static void format_change(const struct compare_cell *cc, char *buf,
			  size_t len)
{
	snprintf(buf, len, "%+.1f [%+.1f, %+.1f]", 100 * (cc->ratio - 1),
		 100 * (cc->ratio_lo - 1), 100 * (cc->ratio_hi - 1));
}

static void format_p(double p, char *buf, size_t len)
{
	if (p < 0.0001)
		snprintf(buf, len, "<0.0001");
	else
		snprintf(buf, len, "%.4f", p);
}

static void md_row(FILE *f, const struct compare_cell *cc)
{
	const struct cell *c = cc->base;
	char size[32], tun[200], tun_new[96], change[64], p[16], mb[32],
		mn[32];

	fmt_size(c->size, size, sizeof(size));
	cell_options_desc(c, tun, sizeof(tun));
	/* cells matched with --ignore may differ in what was ignored */
	cell_options_desc(cc->new, tun_new, sizeof(tun_new));
	if (strcmp(tun, tun_new) && strlen(tun) + strlen(tun_new) + 6 <
	    sizeof(tun)) {
		strcat(tun, " → ");
		strcat(tun, tun_new);
	}
	fprintf(f, "| %s | %s | %s | %s | %s | ", c->strategy, size, tun,
		cache_mode_name(c->cache), sync_mode_name(c->sync));
	if (cc->verdict == VERDICT_NO_DATA) {
		fprintf(f, "- | - | - | - | %zu/%zu | no data (base %s, "
			   "new %s) |\n", cc->n_base, cc->n_new,
			cell_status_name(cc->base->status),
			cell_status_name(cc->new->status));
		return;
	}
	format_change(cc, change, sizeof(change));
	format_p(cc->p_adj, p, sizeof(p));
	fmt_sig(cc->base_mib_s, mb, sizeof(mb));
	fmt_sig(cc->new_mib_s, mn, sizeof(mn));
	fprintf(f, "%s | %s | %s | %s | %zu/%zu%s | %s |\n",
		mb, mn, change, p, cc->n_base,
		cc->n_new, cc->few_samples ? " ⚠️" : "",
		verdict_label(cc->verdict));
}

static void md_unmatched(FILE *f, const char *side,
			 const struct cell *const *cells, size_t n)
{
	char key[256];

	for (size_t i = 0; i < n; i++) {
		cell_key(cells[i], key, sizeof(key));
		fprintf(f, "- only in %s: `%s`\n", side, key);
	}
}

/* Cells judged over their rounds' effects (compare_round_adjust()). */
static size_t n_round_adjusted(const struct comparison *cmp)
{
	size_t n = 0;

	for (size_t i = 0; i < cmp->n_cells; i++)
		n += cmp->cells[i].round_adjusted;
	return n;
}

/* How the cells were judged: within one run per side, across runs. */
static void md_test(FILE *f, const struct comparison *cmp)
{
	const struct compare_options *o = &cmp->opts;
	size_t judged = cmp->n_cells - cmp->n_no_data;
	size_t across = cmp->n_hierarchical + cmp->n_rounds_paired;
	/* judged within one run per side */
	size_t single = judged > across ? judged - across : 0;

	fprintf(f, "- test: change of the median time new/base with its "
		   "%g%% CI, alpha %g%s, threshold ±%g%%", 100 * o->level,
		o->alpha, o->holm ? " (Holm-adjusted p)" : "",
		100 * o->threshold);
	if (cmp->n_rounds_paired)
		fprintf(f, "; %zu of %zu cells measured taking turns sample by "
			   "sample (sweep --lockstep): on the pairs of samples "
			   "(pass, round), the Hodges-Lehmann ratio, its CI "
			   "from the moving-block bootstrap over the passes "
			   "as one series (when their ratios do not differ: "
			   "Kruskal-Wallis p >= 0.05; else over passes, then "
			   "rounds, with the t interval on the passes' "
			   "ratios) and the signed-rank test",
			cmp->n_rounds_paired, judged);
	if (cmp->n_paired)
		fprintf(f, "; %zu of %zu cells over runs measured in pairs "
			   "(interleaved passes): the mean of the pairs' log "
			   "ratios of medians, its t interval and one-sample t "
			   "test (drift between passes cancels)",
			cmp->n_paired, judged);
	if (cmp->n_hierarchical > cmp->n_paired)
		fprintf(f, "; %zu of %zu cells over several runs per side: "
			   "hierarchical bootstrap (runs, then rounds) and "
			   "Welch's test on the runs' log medians",
			cmp->n_hierarchical - cmp->n_paired, judged);
	if (single) {
		if (cmp->runs[0] != cmp->runs[1])
			fprintf(f, "; %zu cells with one run on one side only "
				   "(base %u, new %u runs; the runs' samples "
				   "pooled), judged as with one run per side:",
				single, cmp->runs[0], cmp->runs[1]);
		else
			fprintf(f, "; %zu cells with one run per side:",
				single);
		fprintf(f, " two-sided Mann-Whitney U on per-copy times and a "
			   "seeded bootstrap%s (within-run: run-to-run "
			   "variation is %s",
			n_round_adjusted(cmp) ?
				", each time over its round's effect (the "
				"median change, from the cells' medians, of "
				"its size's cells in that round)" : "",
			cmp->n_floored ? "covered by this host's noise floor "
					 "below" :
					 "not in these CIs; `iobench "
					 "calibrate` measures it");
		/* a floor for some sizes only: say which cells lack one */
		if (cmp->n_floored && cmp->n_floored < single)
			fprintf(f, " for %zu of them; the other %zu are of "
				   "sizes the calibration lacks, their "
				   "run-to-run variation not in these CIs",
				cmp->n_floored, single - cmp->n_floored);
		fputc(')', f);
	}
	fputs("\n", f);
}

static void md_env(FILE *f, const struct comparison *cmp)
{
	if (!cmp->n_env_diffs)
		return;
	fprintf(f, "\n> ⚠️ The environments differ: changes may come from "
		   "them, not from the code.\n\n| | base | new |\n|---|---|"
		   "---|\n");
	for (size_t i = 0; i < cmp->n_env_diffs; i++)
		fprintf(f, "| %s | %s | %s |\n", cmp->env_diffs[i].field,
			cmp->env_diffs[i].base, cmp->env_diffs[i].new);
	if (cmp->disturbed) {
		fprintf(f, "\n> Time changes of cells with one run per side are "
			   "not judged");
		if (cmp->n_disturbed)
			fprintf(f, " (%zu shown as within noise, %zu of them "
				   "regressed)",
				cmp->n_disturbed, cmp->n_disturbed_regressed);
		fprintf(f, ": %s%s. Measure both on a quiet machine, or both "
			   "interleaved (`iobench compare REF`).\n",
			cmp->disturbed_why,
			cmp->disturbed_both ? "" :
			", at another time than the other side, so that load "
			"fell on one side only");
	}
}

static void md_warnings(FILE *f, const struct comparison *cmp, const char *h2)
{
	char key[256];

	if (!cmp->n_few_samples)
		return;
	fprintf(f, "\n%s Warnings\n\n", h2);
	for (size_t i = 0; i < cmp->n_cells; i++) {
		const struct compare_cell *cc = &cmp->cells[i];

		if (!cc->few_samples || cc->verdict == VERDICT_NO_DATA)
			continue;
		cell_key(cc->base, key, sizeof(key));
		fprintf(f, "- `%s`: %zu/%zu samples (fewer than %d on a side):"
			   " the test can miss real changes\n", key,
			cc->n_base, cc->n_new, RESULTS_MIN_SAMPLES);
	}
}

char *compare_markdown(const struct comparison *cmp,
		       const struct compare_sides *s)
{
	const char *h2 = s->title ? "###" : "##";
	char line[1024], *doc = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&doc, &size);

	if (!f)
		return NULL;
	compare_summary(cmp, line, sizeof(line));
	if (s->title)
		fprintf(f, "## %s\n\n", s->title);
	else
		fprintf(f, "# iobench compare\n\n");
	fprintf(f, "**%s** (%zu matched cells: %zu "
		   "regressed, %zu improved, %zu within noise, %zu ~",
		line, cmp->n_cells, cmp->n_regressed, cmp->n_improved,
		cmp->n_noise, cmp->n_same);
	if (cmp->n_no_data)
		fprintf(f, ", %zu without data", cmp->n_no_data);
	if (cmp->n_only_base || cmp->n_only_new)
		fprintf(f, "; %zu unmatched", cmp->n_only_base +
			cmp->n_only_new);
	fprintf(f, ")\n\n");
	md_side(f, "base", s->base_label, s->base);
	md_side(f, "new", s->new_label, s->new);
	md_test(f, cmp);
	md_env(f, cmp);

	fputs("\n", f);
	compare_md_headline(f, cmp, s);
	compare_md_figures(f, cmp, s, h2);
	compare_md_floors(f, cmp, h2);
	compare_md_shifts(f, cmp, h2);
	md_across(f, cmp, h2);
	report_memory_table(f, NULL, cmp, s->title ? "### Memory" : "## Memory");

	fprintf(f, "\n%s Details\n\n| strategy | size | tunables | cache | sync | base "
		   "MiB/s | new MiB/s | time change %% [%g%% CI] | p | n "
		   "base/new | verdict |\n|---|---|---|---|---|--:|--:|--:|"
		   "--:|--:|---|\n", h2, 100 * cmp->opts.level);
	for (size_t i = 0; i < cmp->n_cells; i++)
		md_row(f, &cmp->cells[i]);
	if (cmp->n_geomean)
		fprintf(f, "| **geometric mean** | | | | | | | %+.1f | | "
			   "%zu cells | |\n",
			100 * (cmp->geomean_ratio - 1), cmp->n_geomean);
	fprintf(f, "\nA positive change is slower (more time per copy). "
		   "`~`: no significant change; ⚠️ within noise: significant"
		   " but the CI reaches inside ±%g%%.\n",
		100 * cmp->opts.threshold);

	if (cmp->n_only_base || cmp->n_only_new) {
		fprintf(f, "\n%s Unmatched cells\n\n", h2);
		md_unmatched(f, "base", cmp->only_base, cmp->n_only_base);
		md_unmatched(f, "new", cmp->only_new, cmp->n_only_new);
	}
	md_warnings(f, cmp, h2);
	fprintf(f, "\n%s\n", line);
	if (fclose(f)) {
		free(doc);
		return NULL;
	}
	return doc;
}

/* Everything cell_same_key() matches on, threads included. */
static json_t *json_cell_key(const struct cell *c)
{
	json_t *o = json_pack("{s:s, s:I, s:o, s:s, s:s, s:s, s:I, s:s, s:s, "
			      "s:s}",
			      "strategy", c->strategy,
			      "size", (json_int_t)c->size,
			      "tunables", results_json_cell_tunables(c),
			      "cache", cache_mode_name(c->cache),
			      "sync", sync_mode_name(c->sync), "content",
			      content_kind_name(c->content),
			      "threads",
			      (json_int_t)(c->threads ? c->threads : 1),
			      "parallel", parallel_mode_name(c->parallel),
			      "pin", pin_mode_name(c->pin),
			      "prealloc", prealloc_mode_name(c->prealloc));

	/* sweep --dir A,B: the target is part of the key */
	if (o && c->target &&
	    json_object_set_new(o, "target", results_json_text(c->target)))
		json_decref(o), o = NULL;
	return o;
}

/* The other figures of a cell: {"cpu": {...}, "rss": ...}, each with
 * its medians, change and CI (CPU as a ratio - 1, like time), p, verdict
 * (null: a side does not know the figure). */
static json_t *json_metrics(const struct compare_cell *cc)
{
	json_t *o = json_object();

	for (int m = METRIC_TIME + 1; o && m < METRIC_COUNT; m++) {
		const struct compare_metric *cm = &cc->metric[m];

		json_object_set_new(o, sample_metric_name(m), !cm->have ?
			json_null() :
			json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o, "
				  "s:o}",
				  "base", json_num(cm->base),
				  "new", json_num(cm->new),
				  "change", json_num(cm->change),
				  "change_lo", json_num(cm->lo),
				  "change_hi", json_num(cm->hi),
				  "p", json_num(cm->p),
				  "p_adjusted", json_num(cm->p_adj),
				  "verdict",
				  compare_verdict_name(cm->verdict),
				  "size_shift", !cm->shift ? json_null() :
				  m == METRIC_RSS ? json_real(cm->shift) :
				  json_real(expm1(cm->shift)),
				  "floor", json_real(expm1(cm->floor))));
	}
	return o;
}

static json_t *json_compare_cell(const struct comparison *cmp,
				 const struct compare_cell *cc)
{
	json_t *o = json_cell_key(cc->base);
	char op[320];

	if (!o)
		return NULL;
	json_object_set_new(o, "operation", json_string(
		compare_operation_name(cmp, cc->base, op, sizeof(op))));
	json_object_set_new(o, "status", json_string(
		compare_status_sign(cc->verdict)));
	json_object_set_new(o, "verdict",
			    json_string(compare_verdict_name(cc->verdict)));
	json_object_set_new(o, "n_base", json_integer(cc->n_base));
	json_object_set_new(o, "n_new", json_integer(cc->n_new));
	if (cc->verdict == VERDICT_NO_DATA) {
		json_object_set_new(o, "base_status", json_string(
				cell_status_name(cc->base->status)));
		json_object_set_new(o, "new_status", json_string(
				cell_status_name(cc->new->status)));
		return o;
	}
	json_object_set_new(o, "base_median_s", json_num(cc->base_median));
	json_object_set_new(o, "new_median_s", json_num(cc->new_median));
	json_object_set_new(o, "base_median_mib_s", json_num(cc->base_mib_s));
	json_object_set_new(o, "new_median_mib_s", json_num(cc->new_mib_s));
	json_object_set_new(o, "time_ratio", json_num(cc->ratio));
	json_object_set_new(o, "time_ratio_lo", json_num(cc->ratio_lo));
	json_object_set_new(o, "time_ratio_hi", json_num(cc->ratio_hi));
	json_object_set_new(o, "u", json_num(cc->u));
	json_object_set_new(o, "p", json_num(cc->p));
	json_object_set_new(o, "p_adjusted", json_num(cc->p_adj));
	json_object_set_new(o, "exact", json_boolean(cc->exact));
	json_object_set_new(o, "few_samples", json_boolean(cc->few_samples));
	json_object_set_new(o, "runs_base", json_integer(cc->runs_base));
	json_object_set_new(o, "runs_new", json_integer(cc->runs_new));
	json_object_set_new(o, "hierarchical", json_boolean(cc->hierarchical));
	json_object_set_new(o, "paired_runs", json_boolean(cc->paired));
	json_object_set_new(o, "paired_samples", json_integer(cc->pairs));
	json_object_set_new(o, "pass_effect_p",
			    cc->rounds_paired ? json_num(cc->pass_effect_p) :
						json_null());
	json_object_set_new(o, "base_median_ci_half_s",
			    json_num(cc->base_half));
	json_object_set_new(o, "new_median_ci_half_s",
			    json_num(cc->new_half));
	json_object_set_new(o, "noise_floor", cc->floor > 0 ?
			    json_real(exp(cc->floor) - 1) : json_null());
	json_object_set_new(o, "size_shift", cc->shift_cells ?
			    json_real(exp(cc->shift) - 1) : json_null());
	json_object_set_new(o, "size_spread", cc->shift_cells ?
			    json_real(expm1(cc->shift_spread)) : json_null());
	json_object_set_new(o, "round_adjusted",
			    json_boolean(cc->round_adjusted));
	/* why its time change was not judged: its side measured under
	 * load (time_not_judged), or its size's cells moved apart
	 * (time_apart); null when it was */
	json_object_set_new(o, "time_not_judged",
			    cmp->disturbed && !compare_across_runs(cc)
				    ? json_string("load")
			    : cc->apart ? json_string("apart")
					: json_null());
	json_object_set_new(o, "size_shift_cells",
			    json_integer((json_int_t)cc->shift_cells));
	json_object_set_new(o, "metrics", json_metrics(cc));
	return o;
}

static json_t *json_side(const char *label, const struct run *r)
{
	/* the label may be a path: bytes, maybe not UTF-8 */
	return json_pack("{s:o, s:s?, s:s?, s:o, s:s?, s:s?}", "label",
			 results_json_text(label), "id", r->id, "started",
			 r->started, "hostname",
			 results_json_text(r->env.hostname), "version",
			 r->version,
			 "commit", r->commit);
}

static json_t *json_key_list(const struct cell *const *cells, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_cell_key(cells[i]));
	return a;
}

static json_t *json_fail_on(unsigned bits)
{
	json_t *a = json_array();

	/* in the bits' order: --fail-on's list order */
	for (unsigned bit = 1; a && bit; bit <<= 1)
		if ((bits & bit) && compare_fail_name(bit))
			json_array_append_new(a, json_string(
						      compare_fail_name(bit)));
	return a;
}

/* {"time": {"regressed": 0, "improved": 2}, "cpu": ...} */
static json_t *json_figure_counts(const struct comparison *cmp)
{
	json_t *o = json_object();

	for (int m = 0; o && m < METRIC_COUNT; m++)
		json_object_set_new(o, sample_metric_name(m), json_pack(
			"{s:I, s:I}", "regressed",
			(json_int_t)cmp->metric_regressed[m], "improved",
			(json_int_t)cmp->metric_improved[m]));
	return o;
}

char *compare_json(const struct comparison *cmp,
		   const struct compare_sides *s)
{
	json_t *root, *cells, *env;
	char line[1024], *doc;

	compare_summary(cmp, line, sizeof(line));
	cells = json_array();
	env = json_array();
	for (size_t i = 0; cells && i < cmp->n_cells; i++)
		json_array_append_new(cells,
				      json_compare_cell(cmp, &cmp->cells[i]));
	for (size_t i = 0; env && i < cmp->n_env_diffs; i++)
		json_array_append_new(env, json_pack("{s:s, s:o, s:o}",
			"field", cmp->env_diffs[i].field,
			"base", results_json_text(cmp->env_diffs[i].base),
			"new", results_json_text(cmp->env_diffs[i].new)));
	root = json_pack("{s:s, s:o, s:o, s:{s:f, s:f, s:b, s:f, s:i, s:I},"
			 " s:s, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:o,"
			 " s:o}",
			 "schema", "iobench-compare/1",
			 "base", json_side(s->base_label, s->base),
			 "new", json_side(s->new_label, s->new),
			 "options", "alpha", cmp->opts.alpha, "threshold",
			 cmp->opts.threshold, "holm", cmp->opts.holm,
			 "level", cmp->opts.level, "resamples",
			 (int)cmp->opts.resamples, "seed",
			 (json_int_t)cmp->opts.seed,
			 "summary", line,
			 "regressed", (int)cmp->n_regressed,
			 "improved", (int)cmp->n_improved,
			 "within_noise", (int)cmp->n_noise,
			 "unchanged", (int)cmp->n_same,
			 "no_data", (int)cmp->n_no_data,
			 "geomean_time_ratio",
			 cmp->n_geomean ? json_num(cmp->geomean_ratio) :
					  json_null(),
			 "cells", cells ? cells : json_null(),
			 "only_in_base",
			 json_key_list(cmp->only_base, cmp->n_only_base),
			 "only_in_new",
			 json_key_list(cmp->only_new, cmp->n_only_new),
			 "environment_differences", env ? env : json_null());
	if (!root)
		return NULL;
	if (s->extra)
		json_object_update(root, s->extra);
	json_object_set_new(root, "failed", json_boolean(compare_failed(cmp)));
	json_object_set_new(
		root, "time_not_judged",
		cmp->disturbed
			? json_pack("{s:I, s:I, s:s}", "cells",
				    (json_int_t)cmp->n_disturbed, "regressed",
				    (json_int_t)cmp->n_disturbed_regressed,
				    "why", cmp->disturbed_why)
			: json_null());
	json_object_set_new(root, "unjudged",
			    json_boolean(compare_unjudged(cmp)));
	json_object_set_new(
		root, "time_apart",
		cmp->n_apart ? json_pack("{s:I, s:I, s:I, s:f}", "cells",
					 (json_int_t)cmp->n_apart, "regressed",
					 (json_int_t)cmp->n_apart_regressed,
					 "size", (json_int_t)cmp->apart_size,
					 "spread", expm1(cmp->apart_spread))
			     : json_null());
	json_object_set_new(root, "across_sizes", json_across(cmp));
	json_object_set_new(root, "fail_on", json_fail_on(cmp->opts.fail_on));
	json_object_set_new(root, "figures", json_figure_counts(cmp));
	doc = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(root);
	return doc;
}
