// SPDX-License-Identifier: MIT
/*
 * The analysis's rules (analysis.h): the recommendations ranked High /
 * Medium / Low with the figures they cite, and the observations. Every
 * threshold is an ANALYSIS_* constant.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "analysis_internal.h"
#include "fmt.h"
#include "strategies.h"

#define SIZE_SEP '\x1f' /* between the size names of an advice */

/* One piece of advice; with several targets (sweep --dir A,B) it is
 * about the focused one: "On `DIR`: " before it, kept apart from the
 * others' by its key. */
static int advise(struct analysis *a, bool note, enum analysis_impact impact,
		  double payoff, const char *key, const char *head,
		  const char *size, const char *tail, const char *figure)
{
	const char *dir = targets_dir(&a->run->request, a->focus);
	char *k = NULL, *h = NULL;
	int ret = -ENOMEM;

	if (a->n_targets > 1) {
		if (asprintf(&k, "%s@%s", key, dir) < 0)
			return -ENOMEM;
		if (asprintf(&h, "On `%s`: %s", dir, head) < 0)
			goto out_free;
		key = k;
		head = h;
	}
	ret = analysis_advise(note ? &a->notes : &a->recs,
			      note ? &a->n_notes : &a->n_recs, impact, payoff,
			      key, head, size, tail, figure);
out_free:
	free(k);
	free(h);
	return ret;
}

static int recommend(struct analysis *a, enum analysis_impact impact,
		     double payoff, const char *key, const char *head,
		     const char *size, const char *tail, const char *figure)
{
	return advise(a, false, impact, payoff, key, head, size, tail, figure);
}

static int observe(struct analysis *a, const char *key, const char *head,
		   const char *size, const char *tail, const char *figure)
{
	return advise(a, true, IMPACT_LOW, 0, key, head, size, tail, figure);
}

static enum analysis_impact speed_impact(double s)
{
	return s >= ANALYSIS_HIGH_SPEEDUP     ? IMPACT_HIGH
	       : s >= ANALYSIS_MEDIUM_SPEEDUP ? IMPACT_MEDIUM
					      : IMPACT_LOW;
}

/* "4.60 GiB/s" of a measured cell: its rate, or files/s for 0 bytes. */
static const char *rate_of(const struct analysis *a, size_t i, char *out,
			   size_t len)
{
	const struct analysis_cell *ac = &a->cells[i];
	char n[FMT_LEN];

	if (ac->cell->size)
		return fmt_rate(ac->mib_s, out, len);
	snprintf(out, len, "%s files/s", fmt_sig(ac->files_s, n, sizeof(n)));
	return out;
}

/* A group's winner against rw: the speed recommendation, or the
 * observation that rw ties with the best. *spoke: a speed
 * recommendation was made. */
static int rule_winner(struct analysis *a, const struct analysis_group *g,
		       bool *spoke)
{
	const struct analysis_size *s = &a->sizes[g->size];
	char set[512], modes[96], key[1024], head[1024], fig[1024];
	char w[FMT_LEN], r[FMT_LEN], ci[64], lo[FMT_LEN], hi[FMT_LEN];

	*spoke = false;
	/* too few rounds to tell the strategies apart: no advice on
	 * speed (the warnings say how many rounds would do) */
	if (g->best == SIZE_MAX || g->rw == SIZE_MAX || g->rounds_needed)
		return 0;
	analysis_group_modes(g, modes, sizeof(modes));
	analysis_set_names(a, g, true, set, sizeof(set));
	if (a->cells[g->rw].in_best_set) {
		const struct analysis_cell *b = &a->cells[g->best];
		char name[ANALYSIS_NAME_LEN];

		analysis_cell_name(a, g->best, true, name, sizeof(name));
		if (g->best == g->rw)
			snprintf(fig, sizeof(fig),
				 "at %s %s `rw` is the "
				 "fastest",
				 s->name, modes);
		else
			snprintf(fig, sizeof(fig),
				 "at %s %s the fastest, %s, "
				 "is %s `rw`",
				 s->name, modes, name,
				 analysis_fmt_ratio(b->have_speedup, b->speedup,
						    b->speedup_lo,
						    b->speedup_hi, ci,
						    sizeof(ci)));
		return observe(a, "rw-ties",
			       "`rw` ties with the fastest "
			       "(within 3%) for",
			       s->name,
			       " files: plain "
			       "read/write is enough there; ",
			       fig);
	}
	if (!g->have_speedup)
		return 0;
	rate_of(a, g->best, w, sizeof(w));
	rate_of(a, g->rw, r, sizeof(r));
	if (g->speedup_lo > 1) {
		*spoke = true;
		snprintf(key, sizeof(key), "use:%s", set);
		if (g->n_set > 1)
			snprintf(head, sizeof(head),
				 "Use any of %s (they tie "
				 "within 3%%) for",
				 set);
		else
			snprintf(head, sizeof(head), "Use %s for", set);
		snprintf(fig, sizeof(fig),
			 "%sx `rw` at %s %s (%s vs %s; 95%% "
			 "CI [%s, %s])",
			 fmt_sig(g->speedup, ci, sizeof(ci)), s->name, modes, w,
			 r, fmt_sig(g->speedup_lo, lo, sizeof(lo)),
			 fmt_sig(g->speedup_hi, hi, sizeof(hi)));
		return recommend(a, speed_impact(g->speedup), g->speedup, key,
				 head, s->name, " files: ", fig);
	}
	analysis_cell_name(a, g->best, true, set, sizeof(set));
	snprintf(key, sizeof(key), "maybe:%s", set);
	snprintf(head, sizeof(head),
		 "%s measured fastest but is not clearly "
		 "faster than `rw` (keep `rw` unless CPU or cache figures "
		 "favour it) for",
		 set);
	snprintf(fig, sizeof(fig), "%s at %s %s",
		 analysis_fmt_ratio(true, g->speedup, g->speedup_lo,
				    g->speedup_hi, ci, sizeof(ci)),
		 s->name, modes);
	return recommend(a, IMPACT_LOW, g->speedup, key, head, s->name,
			 " files: ", fig);
}

/* Medium: a cell as fast as rw (or faster) that needs far less CPU. */
static int rule_cpu(struct analysis *a, const struct analysis_group *g,
		    bool spoke)
{
	const struct analysis_size *s = &a->sizes[g->size];
	size_t lean = SIZE_MAX;
	double rw_cpu, share;
	char name[ANALYSIS_NAME_LEN], modes[96], key[1024], head[1024];
	char tail[128], fig[1024], p[FMT_LEN], x[FMT_LEN], y[FMT_LEN];
	char sp[FMT_LEN];

	if (g->rw == SIZE_MAX)
		return 0;
	rw_cpu = a->cells[g->rw].cpu_s_per_gib;
	for (size_t k = 0; k < g->n_cells; k++) {
		const struct analysis_cell *ac = &a->cells[g->cells[k]];

		if (!ac->candidate || !ac->have_speedup ||
		    ac->speedup < 1 - ANALYSIS_TIE_MARGIN ||
		    !isfinite(ac->cpu_s_per_gib))
			continue;
		if (lean == SIZE_MAX ||
		    ac->cpu_s_per_gib < a->cells[lean].cpu_s_per_gib)
			lean = g->cells[k];
	}
	if (lean == SIZE_MAX || lean == g->rw || !(rw_cpu > 0))
		return 0;
	share = a->cells[lean].cpu_s_per_gib / rw_cpu;
	/* a speed recommendation already names the set */
	if (share > 1 - ANALYSIS_CPU_SAVING ||
	    (spoke && a->cells[lean].in_best_set))
		return 0;
	analysis_cell_name(a, lean, true, name, sizeof(name));
	analysis_group_modes(g, modes, sizeof(modes));
	snprintf(key, sizeof(key), "cpu:%s:%s", name, modes);
	snprintf(head, sizeof(head), "To spend less CPU, use %s for", name);
	snprintf(tail, sizeof(tail), " files (%s): ", modes);
	snprintf(fig, sizeof(fig),
		 "%s less CPU per GiB than `rw` at %s "
		 "(%s vs %s s/GiB) at %sx its speed",
		 fmt_pct(100 * (1 - share), p, sizeof(p)), s->name,
		 fmt_sig(a->cells[lean].cpu_s_per_gib, x, sizeof(x)),
		 fmt_sig(rw_cpu, y, sizeof(y)),
		 fmt_sig(a->cells[lean].speedup, sp, sizeof(sp)));
	return recommend(a, IMPACT_MEDIUM, 1 - share, key, head, s->name, tail,
			 fig);
}

/* One cell leaves its destination out of the page cache while others
 * fill it: kinder to a busy machine's cache. The fastest such cell;
 * Medium when it is not clearly slower than rw, else Low (the figure
 * says at what speed). */
static int rule_footprint(struct analysis *a, const struct analysis_group *g)
{
	const struct analysis_size *s = &a->sizes[g->size];
	size_t lean = SIZE_MAX;
	double low = INFINITY, high = -1;
	char name[ANALYSIS_NAME_LEN], key[1024], head[1024], fig[1024];
	char l[FMT_LEN], h[FMT_LEN], r[FMT_LEN], sp[64];

	enum analysis_impact impact = IMPACT_LOW;
	const struct analysis_cell *lc;

	/* g->cells is fastest first: the first lean one is the fastest */
	for (size_t k = 0; k < g->n_cells; k++) {
		const struct analysis_cell *ac = &a->cells[g->cells[k]];
		double pct = ac->pct[RESULTS_DST_CACHED];

		if (!ac->candidate || !isfinite(pct))
			continue;
		if (pct <= ANALYSIS_LEAN_CACHE && lean == SIZE_MAX) {
			low = pct;
			lean = g->cells[k];
		}
		if (pct > high)
			high = pct;
	}
	if (lean == SIZE_MAX || high < ANALYSIS_FULL_CACHE)
		return 0;
	lc = &a->cells[lean];
	if (lean == g->rw ||
	    (lc->have_speedup && lc->speedup_hi >= 1 - ANALYSIS_TIE_MARGIN))
		impact = IMPACT_MEDIUM;
	analysis_cell_name(a, lean, true, name, sizeof(name));
	snprintf(key, sizeof(key), "cache:%s", name);
	snprintf(head, sizeof(head),
		 "To keep the page cache for other work, "
		 "use %s for",
		 name);
	/* what it leaves cached, against the most any other leaves */
	if (a->cells[lean].have_speedup)
		snprintf(sp, sizeof(sp), ", %sx `rw`",
			 fmt_sig(a->cells[lean].speedup, r, sizeof(r)));
	else
		sp[0] = '\0';
	snprintf(fig, sizeof(fig), "%s %s: %s vs %s (%s%s)", s->name,
		 cache_mode_name(g->cache), fmt_pct(low, l, sizeof(l)),
		 fmt_pct(high, h, sizeof(h)), rate_of(a, lean, r, sizeof(r)),
		 sp);
	return recommend(a, impact, (high - low) / 100, key, head, s->name,
			 " files (the share of each destination it "
			 "leaves cached, against the most of any other): ",
			 fig);
}

/* The default-buffer cell of c's variant and modes, or SIZE_MAX. */
static size_t default_buffer_of(const struct analysis *a, size_t i)
{
	const struct analysis_group *g = &a->groups[a->cells[i].group];
	int buffer = tunable_index("buffer");

	for (size_t k = 0; buffer >= 0 && k < g->n_cells; k++) {
		const struct cell *o = a->cells[g->cells[k]].cell;

		if (cell_same_key(o, a->cells[i].cell, 1u << buffer) &&
		    cell_tunable(o, "buffer", 0) == STRATEGY_DEFAULT_BUFFER)
			return g->cells[k];
	}
	return SIZE_MAX;
}

/* Low: buffers above the default barely help; Medium: they clearly do. */
static int rule_buffers(struct analysis *a, size_t i)
{
	const struct cell *c = a->cells[i].cell;
	const struct analysis_size *s = analysis_size_of(a, c->size);
	size_t base;
	double r, lo, hi;
	char key[1024], head[1024], fig[1024], bs[FMT_LEN], def[FMT_LEN];
	char g[FMT_LEN], x[FMT_LEN], y[FMT_LEN];
	int ret;

	if (!a->cells[i].candidate ||
	    cell_tunable(c, "buffer", 0) <= STRATEGY_DEFAULT_BUFFER)
		return 0;
	base = default_buffer_of(a, i);
	if (base == SIZE_MAX)
		return 0;
	ret = analysis_paired_cells(a, base, i, &r, &lo, &hi);
	if (ret)
		return ret == -ENOMEM ? ret : 0;
	fmt_size(cell_tunable(c, "buffer", 0), bs, sizeof(bs));
	fmt_size(STRATEGY_DEFAULT_BUFFER, def, sizeof(def));
	snprintf(fig, sizeof(fig), "%s%s at %s %s (%s vs %s)",
		 r >= 1 ? "+" : "", fmt_pct(100 * (r - 1), g, sizeof(g)),
		 s->name, cache_mode_name(c->cache),
		 rate_of(a, i, x, sizeof(x)), rate_of(a, base, y, sizeof(y)));
	if (fabs(r - 1) < ANALYSIS_SMALL_GAIN) {
		snprintf(key, sizeof(key), "buf-keep:%s:%s", c->strategy, bs);
		snprintf(head, sizeof(head),
			 "Keep %s buffers for `%s`: %s "
			 "buffers change its speed by less than 2%% for",
			 def, c->strategy, bs);
		return recommend(a, IMPACT_LOW, 0, key, head, s->name,
				 " files: ", fig);
	}
	if (r < ANALYSIS_MEDIUM_SPEEDUP || lo <= 1)
		return 0;
	snprintf(key, sizeof(key), "buf-use:%s:%s", c->strategy, bs);
	snprintf(head, sizeof(head), "Use %s buffers with `%s` for", bs,
		 c->strategy);
	return recommend(
		a, speed_impact(r) == IMPACT_HIGH ? IMPACT_HIGH : IMPACT_MEDIUM,
		r, key, head, s->name, " files: ", fig);
}

/* Threads: the best threaded speed-up of each size. */
static int rule_threads(struct analysis *a, const struct analysis_size *s)
{
	size_t best = SIZE_MAX;
	const struct analysis_cell *b;
	char name[ANALYSIS_NAME_LEN], key[1024], head[1024], tail[96];
	char fig[1024], ci[64], x[FMT_LEN], y[FMT_LEN], t[96];

	for (size_t i = 0; i < a->n_cells; i++) {
		const struct analysis_cell *ac = &a->cells[i];

		if (ac->have_scaling && ac->cell->size == s->size &&
		    analysis_in_focus(a, ac->cell) &&
		    ac->cell->threads > 1 &&
		    (best == SIZE_MAX || ac->scaling > a->cells[best].scaling))
			best = i;
	}
	if (best == SIZE_MAX)
		return 0;
	b = &a->cells[best];
	analysis_fmt_ratio(true, b->scaling, b->scaling_lo, b->scaling_hi, ci,
			   sizeof(ci));
	if (!(b->scaling_lo > 1 && b->scaling >= ANALYSIS_NO_GAIN)) {
		snprintf(fig, sizeof(fig), "best %s over 1 thread at %s", ci,
			 s->name);
		return observe(a, "threads-no",
			       "More threads did not speed up "
			       "copies measurably for",
			       s->name,
			       " files; one "
			       "thread per copy is enough here: ",
			       fig);
	}
	snprintf(name, sizeof(name), "`%s`", b->cell->strategy);
	cell_threads_desc(b->cell, "", t, sizeof(t));
	snprintf(key, sizeof(key), "threads:%s:%s", name, t);
	snprintf(head, sizeof(head), "Copy with %s and %s for", name, t);
	snprintf(tail, sizeof(tail),
		 " files (%s cache): ", cache_mode_name(b->cell->cache));
	snprintf(fig, sizeof(fig),
		 "%s over 1 thread at %s (%s vs %s, "
		 "efficiency %.0f%%)",
		 ci, s->name, fmt_rate(b->mib_s, x, sizeof(x)),
		 fmt_rate(a->cells[b->scaling_base].mib_s, y, sizeof(y)),
		 100 * b->scaling / b->cell->threads);
	return recommend(a, speed_impact(b->scaling), b->scaling, key, head,
			 s->name, tail, fig);
}

/* Observations: cold copies much slower than warm ones; the cost of
 * durability. */
static int notes_of_size(struct analysis *a, const struct analysis_size *s)
{
	size_t wg = s->summary[CACHE_WARM];
	const struct analysis_cell *warm, *cold = NULL, *end = NULL;
	char name[ANALYSIS_NAME_LEN], fig[1024], p[FMT_LEN], x[FMT_LEN];
	char y[FMT_LEN];
	int ret = 0;

	if (wg == SIZE_MAX || a->groups[wg].best == SIZE_MAX)
		return 0;
	warm = &a->cells[a->groups[wg].best];
	analysis_cell_name(a, a->groups[wg].best, true, name, sizeof(name));
	for (size_t i = 0; i < a->n_cells; i++) {
		const struct analysis_cell *o = &a->cells[i];

		if (!o->measured ||
		    !cell_same_variant(o->cell, warm->cell, 0) ||
		    !cell_same_threads(o->cell, warm->cell))
			continue;
		if (o->cell->cache == CACHE_COLD &&
		    o->cell->sync == warm->cell->sync)
			cold = o;
		if (o->cell->cache == warm->cell->cache &&
		    o->cell->sync == SYNC_END && warm->cell->sync == SYNC_NONE)
			end = o;
	}
	if (cold && warm->median / cold->median < ANALYSIS_COLD_GAP) {
		snprintf(fig, sizeof(fig),
			 "%s runs at %s of its warm speed at "
			 "%s (%s vs %s)",
			 name,
			 fmt_pct(100 * warm->median / cold->median, p,
				 sizeof(p)),
			 s->name, fmt_rate(cold->mib_s, x, sizeof(x)),
			 fmt_rate(warm->mib_s, y, sizeof(y)));
		ret = observe(a, "cold-gap",
			      "Cold copies (source not cached) "
			      "are much slower for",
			      s->name,
			      " files: expect "
			      "the cold figure for data not read recently: ",
			      fig);
	}
	if (!ret && end) {
		snprintf(fig, sizeof(fig),
			 "%sx the time of an unsynced copy "
			 "at %s (%s, %s vs %s)",
			 fmt_sig(end->median / warm->median, p, sizeof(p)),
			 s->name, name, fmt_rate(end->mib_s, x, sizeof(x)),
			 fmt_rate(warm->mib_s, y, sizeof(y)));
		ret = observe(a, "durability",
			      "Durability (fdatasync at the "
			      "end) costs, for",
			      s->name, " files: ", fig);
	}
	return ret;
}

/* The rules of every size, for the focused target. */
static int rules_of_target(struct analysis *a)
{
	int ret = 0;

	analysis_pick_summary(a);
	for (size_t k = 0; !ret && k < a->n_sizes; k++) {
		struct analysis_size *s = &a->sizes[k];

		for (int m = CACHE_WARM; !ret && m <= CACHE_COLD; m++) {
			const struct analysis_group *g;
			bool spoke;

			if (s->summary[m] == SIZE_MAX)
				continue;
			g = &a->groups[s->summary[m]];
			ret = rule_winner(a, g, &spoke);
			if (!ret)
				ret = rule_cpu(a, g, spoke);
			if (!ret)
				ret = rule_footprint(a, g);
		}
		if (!ret)
			ret = rule_threads(a, s);
		if (!ret)
			ret = notes_of_size(a, s);
	}
	return ret;
}

int analysis_apply_rules(struct analysis *a)
{
	int ret = analysis_warn(a);

	/* with several targets, each its own advice; the summary groups
	 * are the first target's again after */
	for (a->focus = 0; !ret && a->focus < a->n_targets; a->focus++)
		ret = rules_of_target(a);
	a->focus = 0;
	analysis_pick_summary(a);
	for (size_t i = 0; !ret && i < a->n_cells; i++) {
		a->focus = targets_of_cell(&a->run->request,
					   a->cells[i].cell);
		ret = rule_buffers(a, i);
	}
	a->focus = 0;
	if (!ret)
		ret = analysis_devices(a);
	return ret ? ret : analysis_finish_advice(a);
}
