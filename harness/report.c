// SPDX-License-Identifier: MIT
/*
 * report.md: the Markdown report of a run, rendered from its analysis
 * (analysis.h) and laid out for GitHub: the executive summary first, then
 * the environment, one compact table per size, and the details. This
 * file writes the top of the report; report_details.c and report_advice.c
 * the sections after the tables.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env_load.h"
#include "env_noise.h"
#include "env_storage.h"
#include "fmt.h"
#include "parse.h"
#include "profile.h"
#include "report.h"
#include "source_tree.h"
#include "report_memory.h"
#include "report_clients.h"
#include "report_internal.h"
#include "workload_report.h"

/* ---- helpers shared by report*.c ---- */

void report_md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			/* a control byte from a path (ESC...) is shown, not
			 * passed to whatever renders the report */
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

void report_md_cell(FILE *f, const char *s)
{
	fputs(" ", f);
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			/* a control byte from a path (ESC...) is shown, not
			 * passed to whatever renders the report */
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputs(" |", f);
}

/* A figure with its interval kept on one line in a table: the spaces
 * become no-break spaces (U+00A0), which Markdown leaves alone and a
 * browser does not wrap at. In place; out has len bytes. */
static const char *keep_together(char *out, size_t len)
{
	size_t n = strlen(out), spaces = 0;

	for (size_t i = 0; i < n; i++)
		spaces += out[i] == ' ';
	if (n + spaces + 1 > len)
		return out;
	for (size_t i = n + 1, j = n + spaces + 1; i-- > 0;) {
		if (out[i] == ' ') {
			out[--j] = (char)0xa0;
			out[--j] = (char)0xc2;
		} else {
			out[--j] = out[i];
		}
	}
	return out;
}

const char *report_rate_ci(const struct analysis_cell *ac, char *out,
			   size_t len)
{
	char m[FMT_LEN], lo[FMT_LEN], hi[FMT_LEN];

	if (!ac->cell->size) {
		/* 0-byte files move no MiB: their rate is files per second */
		snprintf(out, len, "%s files/s [%s, %s]",
			 fmt_sig(ac->files_s, m, sizeof(m)),
			 fmt_sig(ac->files_s * ac->median / ac->median_hi, lo,
				 sizeof(lo)),
			 fmt_sig(ac->files_s * ac->median / ac->median_lo, hi,
				 sizeof(hi)));
		return keep_together(out, len);
	}
	snprintf(out, len, "%s [%s, %s]", fmt_sig(ac->mib_s, m, sizeof(m)),
		 fmt_sig(ac->mib_s_lo, lo, sizeof(lo)),
		 fmt_sig(ac->mib_s_hi, hi, sizeof(hi)));
	return keep_together(out, len);
}

const char *report_ratio_ci(bool have, double r, double lo, double hi,
			    char *out, size_t len)
{
	analysis_fmt_ratio(have, r, lo, hi, out, len);
	return keep_together(out, len);
}

const char *report_size_name(const struct report *rp, uint64_t size)
{
	const struct analysis_size *s = analysis_size_of(rp->a, size);

	return s ? s->name : "?";
}

/* ---- title and executive summary ---- */

static void count_status(const struct run *run, size_t count[4])
{
	memset(count, 0, 4 * sizeof(*count));
	for (size_t i = 0; i < run->n_cells; i++)
		if (run->cells[i].status <= CELL_SKIPPED)
			count[run->cells[i].status]++;
}

static void section_title(struct report *rp)
{
	const struct run *run = rp->run;
	const struct analysis *a = rp->a;
	char took[FMT_LEN];
	size_t count[4];

	count_status(run, count);
	fprintf(rp->f, "# iobench report: run %s\n\n",
		run->id ? run->id : "unknown");
	if (run->incomplete)
		fputs("> **Incomplete run**: the sweep was interrupted; "
		      "pending cells were not measured.\n\n",
		      rp->f);
	fprintf(rp->f, "%zu cells (%zu ok, %zu failed, %zu skipped",
		run->n_cells, count[CELL_OK], count[CELL_FAILED],
		count[CELL_SKIPPED]);
	if (count[CELL_PENDING])
		fprintf(rp->f, ", %zu not run", count[CELL_PENDING]);
	if (run->workload)
		fprintf(rp->f, ") copying the dataset %s",
			report_size_name(rp, run->workload->sum.bytes));
	else if (run->request.source)
		fprintf(rp->f, ") copying the tree %s at %s",
			a->n_sizes ? a->sizes[0].name : "", run->request.source);
	else {
		fputs(") over file sizes ", rp->f);
		for (size_t k = 0; k < a->n_sizes; k++)
			fprintf(rp->f, "%s%s", k ? ", " : "", a->sizes[k].name);
	}
	fprintf(rp->f, " on %s (%s), started %s, took %s; iobench %s (%s).\n\n",
		run->env.fs_type ? run->env.fs_type : "unknown",
		run->env.device ? run->env.device : "unknown",
		run->started ? run->started : "unknown",
		fmt_seconds(run->duration, took, sizeof(took)),
		run->version ? run->version : "unknown",
		run->commit ? run->commit : "unknown");
}

/* One row per size and cache mode: the best set and its margin. */
static void summary_table(const struct analysis *a, FILE *f)
{
	fputs("| size | cache | fastest (and those within 3%) | MiB/s [95% CI] | "
	      "vs `rw` [95% CI] |\n|---|---|---|---:|---:|\n",
	      f);
	for (size_t k = 0; k < a->n_sizes; k++) {
		const struct analysis_size *s = &a->sizes[k];
		bool any = false;

		for (int m = CACHE_WARM; m <= CACHE_COLD; m++) {
			const struct analysis_group *g;
			char set[1024], modes[96], rate[96], ci[64];

			if (s->summary[m] == SIZE_MAX)
				continue;
			g = &a->groups[s->summary[m]];
			if (g->best == SIZE_MAX)
				continue;
			any = true;
			analysis_cell_name(a, g->best, true, set, sizeof(set));
			/* the whole set is in the line below the table */
			if (g->rounds_needed)
				snprintf(set + strlen(set),
					 sizeof(set) - strlen(set),
					 " (%zu rounds cannot rank %zu)",
					 g->rounds, g->n_candidates);
			else if (g->n_set > 1)
				snprintf(set + strlen(set),
					 sizeof(set) - strlen(set),
					 " and %zu more", g->n_set - 1);
			fprintf(f, "| %s | %s | %s | %s | ", s->name,
				analysis_group_modes(g, modes, sizeof(modes)),
				set,
				report_rate_ci(&a->cells[g->best], rate,
					       sizeof(rate)));
			if (g->best == g->rw)
				fputs("`rw` itself |\n", f);
			else if (g->rw != SIZE_MAX &&
				 a->cells[g->rw].in_best_set &&
				 !g->rounds_needed)
				fputs("ties |\n", f);
			else
				fprintf(f, "%s |\n",
					report_ratio_ci(g->have_speedup,
							g->speedup,
							g->speedup_lo,
							g->speedup_hi, ci,
							sizeof(ci)));
		}
		if (!any)
			fprintf(f, "| %s | - | no cell measured | - | - |\n",
				s->name);
	}
	fputs("\n", f);
}

/* "; up 35% since main (`mmap` at 64M)", or unchanged within 10%. */
static void memory_change(const struct analysis *a, FILE *f)
{
	char pct[FMT_LEN], name[ANALYSIS_NAME_LEN];
	const struct cell *c;

	if (!a->compared)
		return;
	if (a->rss_change_cell == SIZE_MAX || fabs(a->rss_change - 1) < 0.10) {
		fprintf(f, "; unchanged since %s (within 10%%)", a->baseline);
		return;
	}
	c = a->cells[a->rss_change_cell].cell;
	fprintf(f, "; %s %s since %s (%s at %s %s)",
		a->rss_change > 1 ? "up" : "down",
		fmt_pct(100 * fabs(a->rss_change - 1), pct, sizeof(pct)),
		a->baseline, cell_label(c, name, sizeof(name)),
		analysis_size_of(a, c->size)->name, cache_mode_name(c->cache));
}

static void memory_line(const struct analysis *a, FILE *f)
{
	char hi[FMT_LEN], lo[FMT_LEN], name[ANALYSIS_NAME_LEN];
	const struct analysis_cell *x, *y;

	if (a->rss_max == SIZE_MAX)
		return;
	x = &a->cells[a->rss_max];
	y = &a->cells[a->rss_min];
	fprintf(f,
		"- **Memory**: peak RSS of a sample process %s to %s "
		"(most: %s at %s)",
		fmt_bytes((uint64_t)y->cell->usage.maxrss_kb * 1024, lo,
			  sizeof(lo)),
		fmt_bytes((uint64_t)x->cell->usage.maxrss_kb * 1024, hi,
			  sizeof(hi)),
		analysis_cell_name(a, a->rss_max, true, name, sizeof(name)),
		analysis_size_of(a, x->cell->size)->name);
	memory_change(a, f);
	fputs(".\n", f);
}

static void ci_line(const struct analysis *a, FILE *f)
{
	double spread = 0;
	char s[FMT_LEN];

	if (a->within_run) {
		report_within_run_line(a, f);
		return;
	}
	for (size_t i = 0; i < a->n_cells; i++)
		if (a->cells[i].between_runs &&
		    a->cells[i].between_rel > spread)
			spread = a->cells[i].between_rel;
	fprintf(f,
		"- **Uncertainty**: CIs span %u independent runs "
		"(hierarchical bootstrap: runs, then rounds); the medians of "
		"one cell's runs differ by up to %s.%s\n",
		a->runs, fmt_pct(100 * spread, s, sizeof(s)),
		a->runs < 3 ? " Two runs give the run-to-run variance one "
			      "degree of freedom, so these CIs are wide; "
			      "`--runs 3` or more narrows them." : "");
}

static void summary_body(const struct analysis *a, FILE *f)
{
	char line[ANALYSIS_LINE_LEN];

	if (a->compared && a->overall)
		fprintf(f, "**Overall**: %s\n\n", a->overall);
	fputs("**Best performer** per size (the fastest, and those that cannot "
	      "be told from it within 3%):\n\n",
	      f);
	summary_table(a, f);
	for (size_t k = 0; k < a->n_sizes; k++)
		fprintf(f, "- %s.\n",
			analysis_size_line(a, &a->sizes[k], true, line,
					   sizeof(line)));
	memory_line(a, f);
	ci_line(a, f);
	if (a->n_recs)
		fprintf(f, "- **Top recommendation** (%s): %s\n",
			analysis_impact_name(a->recs[0].impact),
			a->recs[0].text);
	fputs("\n", f);
}

int report_write_summary(const struct analysis *a, FILE *f)
{
	fputs("## Executive summary\n\n", f);
	summary_body(a, f);
	return ferror(f) ? -EIO : 0;
}

/* ---- environment ---- */

static void env_row(FILE *f, const char *key, const char *value)
{
	fprintf(f, "| %s |", key);
	report_md_cell(f, value && *value ? value : "unknown");
	fputs("\n", f);
}

/* What --sparse did to the copies, in words. */
static const char *sparse_policy(enum strategy_sparse m)
{
	switch (m) {
	case STRATEGY_SPARSE_AUTO:
		return "auto: a source that looks sparse keeps its holes "
		       "(SEEK_DATA/SEEK_HOLE, data extents copied by the "
		       "strategy)";
	case STRATEGY_SPARSE_ALWAYS:
		return "always: holes kept and 4 KiB blocks of zeros made "
		       "holes";
	case STRATEGY_SPARSE_NEVER:
		break;
	}
	return "never: every byte written";
}

static void section_environment(struct report *rp)
{
	const struct environment *e = &rp->run->env;
	char buf[256], b[FMT_LEN];
	FILE *f = rp->f;

	fputs("## Environment\n\n| what | this machine |\n|---|---|\n", f);
	env_row(f, "host", e->hostname);
	env_row(f, "kernel", e->kernel);
	env_row(f, "CPU", e->cpu_model);
	snprintf(buf, sizeof(buf),
		 "%u package(s), %u NUMA node(s), "
		 "%u core(s), %u PU(s)",
		 e->packages, e->numa_nodes, e->cores, e->pus);
	if (e->l3_per_package) {
		size_t used = strlen(buf);

		snprintf(buf + used, sizeof(buf) - used, ", L3 %s per package",
			 fmt_bytes(e->l3_per_package, b, sizeof(b)));
	}
	env_row(f, "topology", buf);
	env_row(f, "memory", fmt_bytes(e->mem_total, b, sizeof(b)));
	env_row(f, "filesystem", e->fs_type);
	env_row(f, "mount options", e->mount_options);
	if (rp->run->request.src_dir) {
		snprintf(buf, sizeof(buf), "%s (%s on %s)",
			 rp->run->request.src_dir,
			 e->src_fs_type ? e->src_fs_type : "unknown",
			 e->src_device ? e->src_device : "unknown");
		env_row(f, "sources (--src-dir)", buf);
	}
	snprintf(buf, sizeof(buf), "%s (%s, %s, scheduler %s)",
		 e->device ? e->device : "unknown",
		 e->device_model ? e->device_model : "unknown",
		 e->rotational < 0 ? "rotational unknown"
		 : e->rotational   ? "rotational"
				   : "non-rotational",
		 e->scheduler ? e->scheduler : "unknown");
	env_row(f, "device", buf);
	snprintf(buf, sizeof(buf),
		 "logical block %u B; O_DIRECT memory %u B, "
		 "offset %u B",
		 e->logical_block_size, e->dio_mem_align, e->dio_offset_align);
	env_row(f, "alignment", buf);
	env_row(f, "CPU governor", e->governor);
	env_row(f, "page-cache probe", e->cache_probe);
	env_storage_markdown_rows(f, &e->storage);
	env_load_markdown_row(f, &e->load);
	env_noise_markdown_row(f, &e->noise);
	env_row(f, "sparse sources (--sparse)",
		sparse_policy(rp->run->request.sparse));
	fputs("\n", f);
}

/* ---- one table per size ---- */

/* Files per second earn a column only where a copy is small or many
 * files: for big single files it is MiB/s over the size. */
static bool show_files_s(const struct analysis_size *s)
{
	return s->files_per_copy > 1 || s->size < 1024 * 1024;
}

/* A cell's spread: net of its rounds' effects, and as measured in
 * brackets where the two differ by a point or more. */
static const char *spread_text(const struct analysis_cell *ac, char *buf,
			       size_t len)
{
	char raw[FMT_LEN];

	fmt_pct(100 * ac->dist.spread, raw, sizeof(raw));
	if (!isfinite(ac->spread_net) ||
	    fabs(ac->spread_net - ac->dist.spread) < 0.01) {
		snprintf(buf, len, "%s", raw);
		return buf;
	}
	fmt_pct(100 * ac->spread_net, buf, len);
	snprintf(buf + strlen(buf), len - strlen(buf), " (%s)", raw);
	return buf;
}

static void size_row(struct report *rp, const struct analysis_size *s, size_t i)
{
	const struct analysis *a = rp->a;
	const struct analysis_cell *ac = &a->cells[i];
	const struct analysis_group *g = &a->groups[ac->group];
	char t[128], rate[96], fs[FMT_LEN], vs[64], cpu[FMT_LEN], sp[2 * FMT_LEN + 4];
	char st[FMT_LEN];
	FILE *f = rp->f;

	cell_options_desc(ac->cell, t, sizeof(t));
	/* a tool's row says its time includes the tool's start-up */
	if (ac->cell->tool_start > 0) {
		size_t u = strcmp(t, "-") ? strlen(t) : 0;

		snprintf(t + u, sizeof(t) - u, "%sincl. start-up %s",
			 u ? ", " : "",
			 fmt_seconds(ac->cell->tool_start, st, sizeof(st)));
	}
	fprintf(f,
		ac->in_best_set ? "| **`%s`** | %s | %s |"
				: "| `%s` | %s | %s |",
		ac->cell->strategy, t, report_rate_ci(ac, rate, sizeof(rate)));
	if (show_files_s(s))
		fprintf(f, " %s |", fmt_sig(ac->files_s, fs, sizeof(fs)));
	if (i == g->rw)
		fputs(" baseline |", f);
	else
		fprintf(f, " %s |",
			report_ratio_ci(ac->have_speedup, ac->speedup,
					   ac->speedup_lo, ac->speedup_hi, vs,
					   sizeof(vs)));
	fprintf(f, " %s | %s | %zu |\n",
		fmt_sig(ac->cpu_s_per_gib, cpu, sizeof(cpu)),
		spread_text(ac, sp, sizeof(sp)), ac->cell->n_samples);
}

static void size_heading(struct report *rp, const struct analysis_size *s)
{
	const struct run_request *q = &rp->run->request;

	if (rp->run->workload)
		fprintf(rp->f, "## Dataset %s\n\n", s->name);
	else if (q->source)
		/* the tree is the one "size": a copy is all of its files */
		fprintf(rp->f, "## Source tree %s\n\nAt %s: %" PRIu64
			" files, %" PRIu64 " bytes.\n\n", s->name, q->source,
			q->source_files, s->size);
	else
		fprintf(rp->f, "## Size %s\n\n", s->name);
}

/* One table per mode group: strategies are compared within it. */
static void group_table(struct report *rp, const struct analysis_size *s,
			const struct analysis_group *g)
{
	bool files = show_files_s(s);
	char modes[96];

	fprintf(rp->f,
		"### %s, %s\n\n| strategy | tunables | MiB/s "
		"[95%% CI] |%s vs `rw` [95%% CI] | CPU s/GiB | spread | n |\n"
		"|---|---|---:|%s---:|---:|---:|---:|\n",
		s->name, analysis_group_modes(g, modes, sizeof(modes)),
		files ? " files/s |" : "", files ? "---:|" : "");
	for (size_t j = 0; j < g->n_cells; j++)
		size_row(rp, s, g->cells[j]);
	fputs("\n", rp->f);
}

/* The rounds' own spread of each of size k's tables. */
static void round_spreads(struct report *rp, size_t k)
{
	const struct analysis *a = rp->a;
	bool first = true;
	char pct[32], modes[96];

	for (size_t g = 0; g < a->n_groups; g++) {
		const struct analysis_group *gr = &a->groups[g];

		if (gr->size != k || !isfinite(gr->round_spread))
			continue;
		fprintf(rp->f, "%s%s %s", first ? " The rounds' effects "
			"spread (IQR / median): " : "; ",
			analysis_group_modes(gr, modes, sizeof(modes)),
			fmt_pct(100 * gr->round_spread, pct, sizeof(pct)));
		first = false;
	}
	if (!first)
		fputs(".", rp->f);
	for (size_t g = 0; g < a->n_groups; g++) {
		const struct analysis_group *gr = &a->groups[g];

		if (gr->size != k || gr->cpu_gap < ANALYSIS_CPU_GAP_SAY)
			continue;
		fprintf(rp->f, " In the %s table the rounds on CPU %d ran %s "
			"slower than those on CPU %d, the cells alike: the "
			"machine's (each cell met both CPUs equally; its median "
			"mixes them).", analysis_group_modes(gr, modes,
							     sizeof(modes)),
			gr->cpu_slow, fmt_pct(100 * gr->cpu_gap, pct,
					      sizeof(pct)), gr->cpu_fast);
	}
}

static void section_size(struct report *rp, const struct analysis_size *s)
{
	const struct analysis *a = rp->a;
	size_t k = (size_t)(s - a->sizes), tables = 0;

	size_heading(rp, s);
	for (size_t g = 0; g < a->n_groups; g++)
		if (a->groups[g].size == k) {
			group_table(rp, s, &a->groups[g]);
			tables++;
		}
	if (!tables) {
		fputs("No cell of this size was measured (see skipped and "
		      "failed cells).\n\n",
		      rp->f);
		return;
	}
	fprintf(rp->f,
		"**Bold**: the best set (the fastest, and those within "
		"3%% of it). MiB/s: the median copy and its 95%% CI; vs `rw`: "
		"paired per-round speed-up over `rw`%s; spread: IQR / "
		"median of the copies each over its round's effect (the "
		"median change of all the table's cells in that round: the "
		"machine's, not the strategy's), in brackets as measured "
		"where that differs.",
		a->within_run ? " (CIs within-run)" : "");
	round_spreads(rp, k);
	fputs("\n\n", rp->f);
	report_extra_size(rp->f, a, s->size);
}

/* ---- the whole report ---- */

static int write_sections(struct report *rp)
{
	const struct analysis *a = rp->a;
	int ret;

	section_title(rp);
	report_write_summary(a, rp->f);
	/* a product team reads "what changed" right after the answer */
	if (rp->run->report_appendix)
		fprintf(rp->f, "%s\n", rp->run->report_appendix);
	section_environment(rp);
	ret = workload_report_section(rp->f, a, rp->path);
	if (ret)
		return ret;
	for (size_t k = 0; k < a->n_sizes; k++)
		section_size(rp, &a->sizes[k]);
	report_page_cache(rp);
	report_memory(rp);
	/* heap and RSS growth of the timed copy (memcount.h) */
	report_memory_table(rp->f, rp->run, NULL,
			    "### Allocations and RSS of the timed copy");
	report_verification(rp);
	report_scaling_section(a, rp->f);
	ret = report_clients_section(rp->run, rp->f); /* sweep --mpi only */
	if (ret)
		return ret;
	report_profile_section(rp->f, rp->run); /* iobench profile only */
	ret = report_extra_sections(rp->f, a, rp->path);
	if (ret)
		return ret;
	report_recommendations(rp);
	report_warnings(rp);
	report_not_measured(rp);
	report_reproduce(rp);
	return 0;
}

int report_write_markdown(const struct analysis *a, const char *path)
{
	struct report rp = { .a = a, .run = a->run, .path = path };
	char *buf = NULL;
	size_t len = 0;
	int ret;

	rp.f = open_memstream(&buf, &len);
	if (!rp.f)
		return -errno;
	ret = write_sections(&rp);
	if (fclose(rp.f) && !ret)
		ret = -ENOMEM;
	if (!ret)
		ret = results_write_file_atomic(path, buf, len);
	free(buf);
	return ret;
}
