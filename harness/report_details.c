// SPDX-License-Identifier: MIT
/*
 * report.md's detail sections: page-cache effects, memory and
 * verification. Each shows a table only where the strategies differ,
 * and says in one sentence that they do not otherwise.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "report_internal.h"

#define MIB (1024.0 * 1024)

/* ---- page cache ---- */

/* The typical value of a figure over a group's cells: the one most
 * cells share (within ANALYSIS_DIFFERS points; the larger on a tie),
 * NaN when no cell knows it. */
static double typical(const struct analysis *a, const struct analysis_group *g,
		      enum results_figure fig)
{
	double best = NAN;
	size_t most = 0;

	for (size_t k = 0; k < g->n_cells; k++) {
		double v = a->cells[g->cells[k]].pct[fig];
		size_t near = 0;

		if (!isfinite(v))
			continue;
		for (size_t j = 0; j < g->n_cells; j++)
			near += fabs(a->cells[g->cells[j]].pct[fig] - v) <
				ANALYSIS_DIFFERS;
		if (near > most || (near == most && v > best)) {
			most = near;
			best = v;
		}
	}
	return best;
}

/* ", except `odirect` 0%, `libaio` 0%": the cells that differ from the
 * typical value by ANALYSIS_DIFFERS points or more. */
static void exceptions(struct report *rp, const struct analysis_group *g,
		       enum results_figure fig, double usual)
{
	const struct analysis *a = rp->a;
	size_t shown = 0;

	for (size_t k = 0; k < g->n_cells; k++) {
		const struct analysis_cell *ac = &a->cells[g->cells[k]];
		char name[ANALYSIS_NAME_LEN], p[FMT_LEN];

		if (!isfinite(ac->pct[fig]) ||
		    fabs(ac->pct[fig] - usual) < ANALYSIS_DIFFERS)
			continue;
		fprintf(rp->f, "%s%s %s", shown++ ? ", " : ", except ",
			analysis_cell_name(a, g->cells[k], true, name,
					   sizeof(name)),
			fmt_pct(ac->pct[fig], p, sizeof(p)));
	}
}

/* The dirty share's range over the cells that cache their destination
 * as usual. */
static void dirty_range(struct report *rp, const struct analysis_group *g,
			double usual)
{
	const struct analysis *a = rp->a;
	double lo = INFINITY, hi = -INFINITY;
	char x[FMT_LEN], y[FMT_LEN];

	for (size_t k = 0; k < g->n_cells; k++) {
		const double *pct = a->cells[g->cells[k]].pct;

		if (!isfinite(pct[RESULTS_DST_DIRTY]) ||
		    fabs(pct[RESULTS_DST_CACHED] - usual) >= ANALYSIS_DIFFERS)
			continue;
		lo = fmin(lo, pct[RESULTS_DST_DIRTY]);
		hi = fmax(hi, pct[RESULTS_DST_DIRTY]);
	}
	if (!isfinite(lo))
		return;
	if (hi - lo < 0.5)
		fprintf(rp->f, " (%s dirty)", fmt_pct(lo, x, sizeof(x)));
	else
		fprintf(rp->f, " (%s to %s dirty)", fmt_pct(lo, x, sizeof(x)),
			fmt_pct(hi, y, sizeof(y)));
}

static void footprint_line(struct report *rp, const struct analysis_group *g)
{
	const struct analysis *a = rp->a;
	double src = typical(a, g, RESULTS_SRC_RESIDENT_AFTER);
	double dst = typical(a, g, RESULTS_DST_CACHED);
	char modes[96], x[FMT_LEN], y[FMT_LEN];

	fprintf(rp->f, "- **%s, %s**: source %s cached after the copy",
		a->sizes[g->size].name,
		analysis_group_modes(g, modes, sizeof(modes)),
		fmt_pct(src, x, sizeof(x)));
	exceptions(rp, g, RESULTS_SRC_RESIDENT_AFTER, src);
	fprintf(rp->f, "; destination %s cached", fmt_pct(dst, y, sizeof(y)));
	dirty_range(rp, g, dst);
	exceptions(rp, g, RESULTS_DST_CACHED, dst);
	fputs(".\n", rp->f);
}

/* One line per group: what is typical, and the strategies that differ
 * from it (the only rows a table would need). */
static void footprints(struct report *rp)
{
	const struct analysis *a = rp->a;

	fputs("### Cache footprint\n\nRight after each copy, as a share of "
	      "the file: the source's pages still cached, and the "
	      "destination's cached (and of those, dirty: not yet on the "
	      "device). Strategies are named only where they differ.\n\n",
	      rp->f);
	for (size_t g = 0; g < a->n_groups; g++)
		if (a->groups[g].sequential)
			footprint_line(rp, &a->groups[g]);
	fputs("\n", rp->f);
}

static size_t cold_warm_table(struct report *rp)
{
	const struct analysis *a = rp->a;
	size_t rows = 0;

	for (size_t i = 0; i < a->n_cells; i++) {
		const struct analysis_cell *w = &a->cells[i], *c;
		char name[ANALYSIS_NAME_LEN], r1[96], r2[96], share[64];

		if (!w->have_cold || !w->candidate)
			continue;
		c = &a->cells[w->cold];
		if (!rows++)
			fputs("### Cold vs warm\n\n"
			      "| size | strategy | warm MiB/s [95% CI] | cold "
			      "MiB/s [95% CI] | cold / warm speed [95% CI] |\n"
			      "|---|---|---:|---:|---:|\n",
			      rp->f);
		cell_label(w->cell, name, sizeof(name));
		fprintf(rp->f, "| %s | %s%s | %s | %s | %s |\n",
			report_size_name(rp, w->cell->size), name,
			w->cell->sync == SYNC_END ? ", sync" : "",
			report_rate_ci(w, r1, sizeof(r1)),
			report_rate_ci(c, r2, sizeof(r2)),
			report_ratio_ci(true, w->cold_share, w->cold_share_lo,
					w->cold_share_hi, share,
					sizeof(share)));
	}
	return rows;
}

static size_t durability_table(struct report *rp)
{
	const struct analysis *a = rp->a;
	size_t rows = 0;

	for (size_t i = 0; i < a->n_cells; i++) {
		const struct analysis_cell *n = &a->cells[i], *e;
		char name[ANALYSIS_NAME_LEN], r1[96], r2[96], cost[64];

		if (!n->have_sync || !n->candidate)
			continue;
		e = &a->cells[n->synced];
		if (!rows++)
			fputs("### Durability cost\n\n"
			      "| size | strategy | cache | no sync MiB/s | "
			      "fdatasync MiB/s | time with / without "
			      "[95% CI] |\n|---|---|---|---:|---:|---:|\n",
			      rp->f);
		cell_label(n->cell, name, sizeof(name));
		fprintf(rp->f, "| %s | %s | %s | %s | %s | %s |\n",
			report_size_name(rp, n->cell->size), name,
			cache_mode_name(n->cell->cache),
			report_rate_ci(n, r1, sizeof(r1)),
			report_rate_ci(e, r2, sizeof(r2)),
			report_ratio_ci(true, n->sync_cost, n->sync_cost_lo,
					n->sync_cost_hi, cost, sizeof(cost)));
	}
	return rows;
}

void report_page_cache(struct report *rp)
{
	fputs("## Page-cache effects\n\n", rp->f);
	footprints(rp);
	/* the comparisons only where a variant was measured both ways */
	if (cold_warm_table(rp))
		/* what "cold" meant in this run: it is guest-cold either way */
		fprintf(rp->f, "\nCold here: %s. Cold is guest-cold: a host "
			"cache under a virtual disk may still hold the data."
			"\n\n", rp->run->request.cold_metadata ?
			"**metadata-cold**: every cache dropped, dentries and "
			"inodes included (`--cold metadata`, drop_caches 3), "
			"before each cold sample" :
			rp->run->request.drop_caches ?
			"every page cache dropped (drop_caches 1) before each "
			"cold sample; dentries and inodes stay cached" :
			"the sources' pages evicted before each cold sample; "
			"dentries and inodes stay cached");
	if (durability_table(rp))
		fputs("\n", rp->f);
}

/* ---- memory ---- */

/* Whether the strategies' peak RSS differs within some size: by a MiB
 * and a quarter at least. */
static bool memory_differs(const struct analysis *a)
{
	for (size_t k = 0; k < a->n_sizes; k++) {
		long lo = -1, hi = -1;

		for (size_t i = 0; i < a->n_cells; i++) {
			long kb = a->cells[i].cell->usage.maxrss_kb;

			if (!a->cells[i].candidate ||
			    a->cells[i].cell->size != a->sizes[k].size ||
			    kb <= 0)
				continue;
			lo = lo < 0 || kb < lo ? kb : lo;
			hi = kb > hi ? kb : hi;
		}
		if (lo > 0 && hi - lo >= 1024 && hi >= lo * 5 / 4)
			return true;
	}
	return false;
}

/* A memory table row: a 1-thread, unsynced cell in the run's first
 * cache mode (one row per strategy and tunables). */
static bool memory_row_cell(const struct analysis *a, size_t i,
			    enum cache_mode cache)
{
	const struct analysis_cell *ac = &a->cells[i];

	return ac->candidate && a->groups[ac->group].sequential &&
	       ac->cell->sync == SYNC_NONE && ac->cell->cache == cache;
}

/* Whether an earlier row cell has c's strategy and tunables. */
static bool variant_seen(const struct analysis *a, size_t i,
			 enum cache_mode cache)
{
	const struct cell *c = a->cells[i].cell;

	for (size_t j = 0; j < i; j++) {
		const struct cell *o = a->cells[j].cell;

		if (memory_row_cell(a, j, cache) &&
		    !strcmp(o->strategy, c->strategy) &&
		    !memcmp(&o->tun, &c->tun, sizeof(o->tun)))
			return true;
	}
	return false;
}

static void memory_row(struct report *rp, size_t i)
{
	const struct analysis *a = rp->a;
	const struct cell *c = a->cells[i].cell;
	char t[128], b[FMT_LEN];

	fprintf(rp->f, "| `%s` | %s |", c->strategy,
		cell_options_desc(c, t, sizeof(t)));
	for (size_t k = 0; k < a->n_sizes; k++) {
		const struct cell *m = NULL;

		for (size_t j = 0; j < a->n_cells && !m; j++) {
			const struct cell *o = a->cells[j].cell;

			if (a->cells[j].candidate &&
			    o->size == a->sizes[k].size &&
			    o->cache == c->cache && o->sync == c->sync &&
			    !strcmp(o->strategy, c->strategy) &&
			    !memcmp(&o->tun, &c->tun, sizeof(o->tun)) &&
			    cell_same_threads(o, c))
				m = o;
		}
		fprintf(rp->f, " %s |",
			m && m->usage.maxrss_kb > 0
				? fmt_bytes((uint64_t)m->usage.maxrss_kb * 1024,
					    b, sizeof(b))
				: "-");
	}
	fputs("\n", rp->f);
}

void report_memory(struct report *rp)
{
	const struct analysis *a = rp->a;
	enum cache_mode cache = CACHE_COLD;
	char lo[FMT_LEN], hi[FMT_LEN];

	fputs("## Memory\n\n", rp->f);
	if (a->rss_max == SIZE_MAX) {
		fputs("No cell was measured.\n\n", rp->f);
		return;
	}
	if (!memory_differs(a)) {
		fprintf(rp->f,
			"Peak RSS of a sample process: %s to %s, alike "
			"for every strategy.\n\n",
			fmt_bytes((uint64_t)a->cells[a->rss_min]
						  .cell->usage.maxrss_kb *
					  1024,
				  lo, sizeof(lo)),
			fmt_bytes((uint64_t)a->cells[a->rss_max]
						  .cell->usage.maxrss_kb *
					  1024,
				  hi, sizeof(hi)));
		return;
	}
	fputs("Peak RSS of a sample process (it copies one batch; buffers, "
	      "rings and mappings count, the page cache does not):\n\n"
	      "| strategy | tunables |",
	      rp->f);
	for (size_t k = 0; k < a->n_sizes; k++)
		fprintf(rp->f, " %s |", a->sizes[k].name);
	fputs("\n|---|---|", rp->f);
	for (size_t k = 0; k < a->n_sizes; k++)
		fputs("---:|", rp->f);
	fputs("\n", rp->f);
	/* warm rows when warm cells were measured, else cold ones */
	for (size_t i = 0; i < a->n_cells && cache == CACHE_COLD; i++)
		if (a->cells[i].candidate &&
		    a->cells[i].cell->cache == CACHE_WARM)
			cache = CACHE_WARM;
	for (size_t i = 0; i < a->n_cells; i++)
		if (memory_row_cell(a, i, cache) && !variant_seen(a, i, cache))
			memory_row(rp, i);
	fputs("\n", rp->f);
}

/* ---- verification ---- */

void report_verification(struct report *rp)
{
	const struct analysis *a = rp->a;
	uint64_t copies = 0;
	size_t bad = 0;

	for (size_t i = 0; i < a->n_cells; i++) {
		if (!a->cells[i].measured)
			continue;
		copies += a->cells[i].cell->copies_verified;
		bad += !a->cells[i].cell->verified;
	}
	fputs("## Verification\n\n", rp->f);
	if (!bad) {
		fprintf(rp->f,
			"Every copy was checked after its timed region "
			"(size and XXH3 against the source): %llu copies, all "
			"identical.\n\n",
			(unsigned long long)copies);
		return;
	}
	fputs("| strategy | tunables | size | cache | copies verified |\n"
	      "|---|---|---|---|---:|\n",
	      rp->f);
	for (size_t i = 0; i < a->n_cells; i++) {
		const struct cell *c = a->cells[i].cell;
		char t[128];

		if (!a->cells[i].measured || c->verified)
			continue;
		fprintf(rp->f, "| `%s` | %s | %s | %s | **%llu, not all** |\n",
			c->strategy, cell_tunables_desc(c, t, sizeof(t)),
			report_size_name(rp, c->size),
			cache_mode_name(c->cache),
			(unsigned long long)c->copies_verified);
	}
	fputs("\n", rp->f);
}
