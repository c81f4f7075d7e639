// SPDX-License-Identifier: MIT
/*
 * report.md's closing sections: the recommendations and observations
 * (ranked and worded by the analysis), the warnings table, the cells
 * that were not measured, and the command that reproduces the run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "report_clients.h"
#include "report_internal.h"
#include "shell.h"
#include "strategies.h"
#include "targets.h"
#include "workload.h"

/* ---- recommendations ---- */

void report_recommendations(struct report *rp)
{
	const struct analysis *a = rp->a;

	fputs("## Recommendations\n\n", rp->f);
	if (!a->n_recs)
		fputs("No rule fired: no strategy beat `rw` measurably, and "
		      "no CPU, page-cache, buffer or thread figure stood "
		      "out.\n",
		      rp->f);
	for (size_t i = 0; i < a->n_recs; i++)
		fprintf(rp->f, "%zu. **%s**: %s\n", i + 1,
			analysis_impact_name(a->recs[i].impact),
			a->recs[i].text);
	fputs("\nHigh: a clear win of 1.5x or more, or a regression; "
	      "Medium: a 10-50% win, or a large CPU or page-cache saving; "
	      "Low: small or uncertain effects.\n\n",
	      rp->f);
	if (!a->n_notes)
		return;
	fputs("### Observations\n\n", rp->f);
	for (size_t i = 0; i < a->n_notes; i++)
		fprintf(rp->f, "- %s\n", a->notes[i].text);
	fputs("\n", rp->f);
}

/* ---- warnings ---- */

static void warning_row(struct report *rp, const struct analysis_warning *w)
{
	const struct analysis *a = rp->a;
	const struct analysis_cell *ac = &a->cells[w->cell];
	char label[ANALYSIS_NAME_LEN], modes[96], cell[320];

	cell_label(ac->cell, label, sizeof(label));
	snprintf(cell, sizeof(cell), "%s, %s %s", label,
		 report_size_name(rp, ac->cell->size),
		 analysis_group_modes(&a->groups[ac->group], modes,
				      sizeof(modes)));
	fputs("|", rp->f);
	report_md_cell(rp->f, cell);
	fprintf(rp->f, " %s | %s |\n", analysis_warning_name(w->kind),
		w->figure);
}

/* A kind that hit many cells: one row, the count and the worst. */
static void collapsed_row(struct report *rp, enum analysis_warning_kind k,
			  size_t hits)
{
	const struct analysis *a = rp->a;
	const struct analysis_warning *worst = NULL;
	size_t measured = 0;

	for (size_t i = 0; i < a->n_cells; i++)
		measured += a->cells[i].measured;
	for (size_t i = 0; i < a->n_warnings; i++)
		if (a->warnings[i].kind == k &&
		    (!worst || a->warnings[i].value > worst->value))
			worst = &a->warnings[i];
	fprintf(rp->f,
		"| %zu of %zu measured cells (each in results.json) "
		"| %s | worst: %s |\n",
		hits, measured, analysis_warning_name(k), worst->figure);
}

void report_warnings(struct report *rp)
{
	const struct analysis *a = rp->a;
	size_t hits[WARN_N_KINDS] = { 0 };

	fputs("## Warnings\n\n", rp->f);
	for (size_t i = 0; i < rp->run->n_warnings; i++) {
		fputs("- ", rp->f);
		report_md_text(rp->f, rp->run->warnings[i]);
		fputs("\n", rp->f);
	}
	for (size_t i = 0; i < a->n_run_warnings; i++) {
		fputs("- ", rp->f);
		report_md_text(rp->f, a->run_warnings[i]);
		fputs("\n", rp->f);
	}
	if (a->n_run_warnings || rp->run->n_warnings)
		fputs("\n", rp->f);
	if (!a->n_warnings) {
		fprintf(rp->f, "%s\n\n",
			a->n_run_warnings || rp->run->n_warnings
				? "No cell has a warning of its "
				  "own."
				: "None.");
		return;
	}
	for (size_t i = 0; i < a->n_warnings; i++)
		hits[a->warnings[i].kind]++;
	fputs("| cell | problem | figure |\n|---|---|---|\n", rp->f);
	for (int k = 0; k < WARN_N_KINDS; k++)
		if (hits[k] > ANALYSIS_WARN_ROWS)
			collapsed_row(rp, k, hits[k]);
	for (size_t i = 0; i < a->n_warnings; i++)
		if (hits[a->warnings[i].kind] <= ANALYSIS_WARN_ROWS)
			warning_row(rp, &a->warnings[i]);
	fputs("\n", rp->f);
	for (int k = 0; k < WARN_N_KINDS; k++)
		if (hits[k])
			fprintf(rp->f, "- **%s**: %s\n",
				analysis_warning_name(k),
				analysis_warning_sentence(k));
	fputs("\n", rp->f);
}

void report_not_measured(struct report *rp)
{
	const struct run *run = rp->run;
	char t[128];
	size_t rows = 0;

	fputs("## Skipped and failed cells\n\n", rp->f);
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (c->status == CELL_OK)
			continue;
		/* --dir A,B: a target column, only with several */
		if (!rows++)
			fprintf(rp->f, "| strategy | tunables | size | cache | "
				"sync |%s status | reason |\n"
				"|---|---|---|---|---|%s---|---|\n",
				c->target ? " target |" : "",
				c->target ? "---|" : "");
		fprintf(rp->f, "| `%s` | %s | %s | %s | %s |", c->strategy,
			cell_tunables_desc(c, t, sizeof(t)),
			report_size_name(rp, c->size),
			cache_mode_name(c->cache), sync_mode_name(c->sync));
		if (c->target)
			report_md_cell(rp->f, c->target);
		fprintf(rp->f, " %s |", cell_status_name(c->status));
		report_md_cell(rp->f, c->reason ? c->reason
				      : c->status == CELL_PENDING
					      ? "not run (interrupted)"
					      : "no reason recorded");
		fputs("\n", rp->f);
	}
	if (!rows)
		fputs("None: every cell ran.\n", rp->f);
	fputs("\n", rp->f);
}

static void opt_sizes(FILE *f, const char *opt, const uint64_t *v, size_t n,
		      bool as_size)
{
	char sz[32];

	if (!n)
		return;
	fprintf(f, " %s ", opt);
	for (size_t i = 0; i < n; i++) {
		if (as_size)
			fprintf(f, "%s%s", i ? "," : "",
				fmt_size(v[i], sz, sizeof(sz)));
		else
			fprintf(f, "%s%" PRIu64, i ? "," : "", v[i]);
	}
}

static void opt_word(FILE *f, const char *opt, const char *value)
{
	if (!value)
		return;
	fprintf(f, " %s ", opt);
	shell_quote(f, value);
}

static void opt_pair(FILE *f, const char *opt, bool a, const char *an, bool b,
		     const char *bn)
{
	if (a || b)
		fprintf(f, " %s %s%s%s", opt, a ? an : "", a && b ? "," : "",
			b ? bn : "");
}

/* " --buffers 128K,1M --direct no,yes": every swept tunable; one the
 * table gained from a plugin goes through --opt NAME=LIST. */
static void opt_tunables(FILE *f, const struct run_request *q)
{
	for (size_t i = 0; i < tunable_count(); i++) {
		const struct tunable *t = tunable_at(i);
		char v[FMT_LEN];

		if (!q->tune[i].n)
			continue;
		if (t->sweep_flag)
			fprintf(f, " --%s ", t->sweep_flag);
		else
			fprintf(f, " --opt %s=", t->name);
		for (size_t k = 0; k < q->tune[i].n; k++)
			fprintf(f, "%s%s", k ? "," : "",
				tunable_format(t, q->tune[i].v[k], v,
					       sizeof(v)));
	}
}

/* " --plugin PATH" for each plugin a requested strategy came from (the
 * same file once). */
static void opt_plugins(FILE *f, const struct run_request *q)
{
	for (size_t i = 0; i < q->n_strategies; i++) {
		const struct copy_strategy *s = strategy_find(q->strategies[i]);
		const char *path = s ? strategy_plugin_path(s) : NULL;
		bool seen = false;

		for (size_t k = 0; path && k < i && !seen; k++) {
			const struct copy_strategy *o =
				strategy_find(q->strategies[k]);

			seen = o && strategy_plugin_path(o) == path;
		}
		if (path && !seen)
			opt_word(f, "--plugin", path);
	}
}

void report_reproduce(struct report *rp)
{
	const struct run_request *q = &rp->run->request;
	FILE *f = rp->f;

	fputs("## Reproduce\n\n", f);
	if (rp->run->command_line)
		fprintf(f, "Recorded command line:\n\n```sh\n%s\n```\n\n",
			rp->run->command_line);
	fputs("The same request with every option explicit:\n\n```sh\n", f);
	report_clients_launcher(q, f);
	fputs("iobench sweep", f);
	opt_plugins(f, q);
	/* --source, --dataset: the tree decides the sizes (exclusive) */
	if (!q->source && !rp->run->workload)
		opt_sizes(f, "--sizes", q->sizes, q->n_sizes, true);
	if (q->n_strategies) {
		fputs(" --strategies ", f);
		for (size_t i = 0; i < q->n_strategies; i++)
			fprintf(f, "%s%s", i ? "," : "", q->strategies[i]);
	}
	opt_tunables(f, q);
	opt_pair(f, "--cache", q->cache_warm, "warm", q->cache_cold, "cold");
	opt_pair(f, "--sync", q->sync_none, "none", q->sync_end, "end");
	/* a dataset sets each file's content */
	if (!rp->run->workload)
		fprintf(f, " --content %s", content_kind_name(q->content));
	fprintf(f, " --sparse %s", strategy_sparse_name(q->sparse));
	if (q->samples)
		fprintf(f, " --samples %u", q->samples);
	if (q->runs > 1)
		fprintf(f, " --runs %u", q->runs);
	if (q->timeout > 0)
		fprintf(f, " --timeout %g", q->timeout);
	if (q->budget > 0)
		fprintf(f, " --budget %g", q->budget);
	fprintf(f, " --seed %" PRIu64, q->seed);
	opt_word(f, "--source", q->source);
	if (rp->run->workload)
		opt_word(f, "--dataset", rp->run->workload->arg);
	/* --dir A,B as --dir repeated: a name with a comma stays whole */
	for (size_t t = 0; t < targets_count(q); t++)
		opt_word(f, "--dir", targets_dir(q, t));
	opt_word(f, "--src-dir", q->src_dir);
	opt_word(f, "--out", q->out);
	if (q->cold_metadata)
		fputs(" --cold metadata", f);
	else if (q->drop_caches)
		fputs(" --drop-caches", f);
	if (q->profile)
		fputs(" --profile", f);
	report_scaling_options(q, f);
	report_clients_options(q, f);
	report_extra_options(q, f);
	fputs("\n```\n", f);
}
