// SPDX-License-Identifier: MIT
/*
 * Lookups and names the outputs share (analysis.h): a size, the best
 * cell of a strategy, and the words for cells, best sets, modes and
 * ratios.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "analysis_internal.h"
#include "fmt.h"

const struct analysis_size *analysis_size_of(const struct analysis *a,
					     uint64_t size)
{
	for (size_t k = 0; k < a->n_sizes; k++)
		if (a->sizes[k].size == size)
			return &a->sizes[k];
	return NULL;
}

const struct analysis_cell *
analysis_best_of(const struct analysis *a, uint64_t size, enum cache_mode cache,
		 const char *strategy, bool reference)
{
	const struct analysis_cell *best = NULL;
	int best_rank = 4;

	for (size_t i = 0; i < a->n_cells; i++) {
		const struct analysis_cell *ac = &a->cells[i];
		const struct cell *c = ac->cell;
		/* sequential, unsynced cells first: threaded ones have
		 * their own section and plot */
		int rank =
			(c->sync != SYNC_NONE) + 2 * (analysis_threads(c) > 1);

		/* --dir A,B: the first target's (Devices compares them) */
		if (!ac->measured || c->size != size || c->cache != cache ||
		    !analysis_in_focus(a, c))
			continue;
		if (strategy ? strcmp(c->strategy, strategy) != 0
			     : ac->reference != reference)
			continue;
		if (rank < best_rank ||
		    (rank == best_rank && ac->median < best->median)) {
			best = ac;
			best_rank = rank;
		}
	}
	return best;
}

const struct analysis_cell *
analysis_best_threaded(const struct analysis *a, uint64_t size,
		       enum cache_mode cache, const char *strategy,
		       enum parallel_mode mode, unsigned t)
{
	const struct analysis_cell *best = NULL;

	for (size_t i = 0; i < a->n_cells; i++) {
		const struct analysis_cell *ac = &a->cells[i];
		const struct cell *c = ac->cell;

		if (!ac->measured || c->size != size || c->cache != cache ||
		    !analysis_in_focus(a, c) ||
		    analysis_threads(c) != t || strcmp(c->strategy, strategy) ||
		    (t > 1 && c->parallel != mode))
			continue;
		if (!best || ac->median < best->median)
			best = ac;
	}
	return best;
}

const char *analysis_cell_name(const struct analysis *a, size_t cell, bool md,
			       char *out, size_t len)
{
	const struct analysis_cell *ac = &a->cells[cell];
	const struct cell *c = ac->cell;
	const char *q = md ? "`" : "";
	char tun[96] = "";
	bool twin = false;

	if (ac->measured) {
		const struct analysis_group *g = &a->groups[ac->group];

		for (size_t k = 0; k < g->n_cells && !twin; k++)
			twin = g->cells[k] != cell &&
			       !strcmp(a->cells[g->cells[k]].cell->strategy,
				       c->strategy);
	}
	if (twin)
		cell_options_desc(c, tun, sizeof(tun));
	snprintf(out, len, "%s%s%s%s%s%s", q, c->strategy, q, *tun ? " (" : "",
		 tun, *tun ? ")" : "");
	return out;
}

const char *analysis_set_names(const struct analysis *a,
			       const struct analysis_group *g, bool md,
			       char *out, size_t len)
{
	size_t shown = 0, used = 0, gi = (size_t)(g - a->groups);

	out[0] = '\0';
	/* in the run's order (the plan's), not fastest first: the members
	 * of a tie have no order, and their medians' order changes from
	 * run to run (two back-to-back headline sweeps' 1M sets read
	 * "copy_file_range, sendfile and splice" and "sendfile,
	 * copy_file_range and splice") - the same set, the same words */
	for (size_t i = 0; i < a->n_cells && used < len; i++) {
		char name[ANALYSIS_NAME_LEN];

		if (!a->cells[i].measured || a->cells[i].group != gi ||
		    !a->cells[i].in_best_set)
			continue;
		analysis_cell_name(a, i, md, name, sizeof(name));
		shown++;
		used += snprintf(out + used, len - used, "%s%s",
				 shown == 1	     ? ""
				 : shown == g->n_set ? " and "
						     : ", ",
				 name);
	}
	return out;
}

const char *analysis_group_modes(const struct analysis_group *g, char *out,
				 size_t len)
{
	int n = snprintf(out, len, "%s%s", cache_mode_name(g->cache),
			 g->sync == SYNC_END ? ", fdatasync at end" : "");

	if (n >= 0 && (size_t)n < len)
		n += cell_threads_desc(g->like, ", ", out + n, len - n);
	/* sweep --dir A,B: the target, only when there are several */
	if (g->like->target && n >= 0 && (size_t)n < len)
		snprintf(out + n, len - n, ", on %s", g->like->target);
	return out;
}

const char *analysis_fmt_ratio(bool have, double r, double lo, double hi,
			       char *out, size_t len)
{
	char x[FMT_LEN], l[FMT_LEN], h[FMT_LEN];

	if (!have || !isfinite(r)) {
		snprintf(out, len, "-");
		return out;
	}
	snprintf(out, len, "%sx [%s, %s]", fmt_sig(r, x, sizeof(x)),
		 fmt_sig(lo, l, sizeof(l)), fmt_sig(hi, h, sizeof(h)));
	return out;
}
