// SPDX-License-Identifier: MIT
/*
 * The analysis's comparisons (analysis.h): cells grouped by mode, each
 * group's best set and the winner's margin over rw, every cell's paired
 * speed-up over rw, threads against one thread, cold against warm and
 * fdatasync against none, all paired over the rounds the cells share.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "analysis_internal.h"
#include "strategies.h"

/* ---- paired ratios ---- */

/*
 * time(num) / time(den) over the rounds both have: the per-round paired
 * ratio within a run; with several runs the hierarchical bootstrap. 0, or
 * -EINVAL when the rounds do not allow it (the figure is left out).
 */
static int paired(const struct analysis_size *s, const double *num,
		  const double *den, uint64_t seed, double *ratio, double *lo,
		  double *hi)
{
	struct stats_paired p;
	struct stats_hier h;
	const double **pa, **pb;
	size_t *lens;
	int ret;

	if (s->runs < 2) {
		ret = stats_paired_ratio(num, den, s->n_rounds, ANALYSIS_LEVEL,
					 ANALYSIS_RESAMPLES, seed, &p);
		if (!ret)
			*ratio = p.ratio, *lo = p.lo, *hi = p.hi;
		return ret;
	}
	pa = calloc(s->runs, sizeof(*pa));
	pb = calloc(s->runs, sizeof(*pb));
	lens = calloc(s->runs, sizeof(*lens));
	ret = -ENOMEM;
	if (pa && pb && lens) {
		/* runs keep their NaNs: the rounds pair up within a run */
		for (size_t r = 0; r < s->runs; r++) {
			pa[r] = num + s->run_start[r];
			pb[r] = den + s->run_start[r];
			lens[r] = s->run_start[r + 1] - s->run_start[r];
		}
		ret = stats_hier_ratio(pa, pb, lens, s->runs, ANALYSIS_LEVEL,
				       ANALYSIS_RESAMPLES, seed, &h);
		if (!ret)
			*ratio = h.estimate, *lo = h.lo, *hi = h.hi;
	}
	free(pa);
	free(pb);
	free(lens);
	return ret;
}

int analysis_paired_cells(const struct analysis *a, size_t num, size_t den,
			  double *ratio, double *lo, double *hi)
{
	const struct analysis_cell *x = &a->cells[num], *y = &a->cells[den];

	if (!x->measured || !y->measured || x->cell->size != y->cell->size)
		return -EINVAL;
	return paired(analysis_size_of(a, x->cell->size), x->by_round,
		      y->by_round,
		      analysis_seed(a, ANALYSIS_SEED_PAIRED,
				    (uint64_t)num * a->n_cells + den),
		      ratio, lo, hi);
}

/* ---- groups ---- */

static bool same_group(const struct analysis *a, const struct analysis_group *g,
		       const struct cell *c, size_t size)
{
	return g->size == size && g->cache == c->cache && g->sync == c->sync &&
	       g->target == targets_of_cell(&a->run->request, c) &&
	       cell_same_threads(g->like, c);
}

static int cmp_group(const void *pa, const void *pb)
{
	const struct analysis_group *x = pa, *y = pb;
	const struct cell *p = x->like, *q = y->like;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	if (x->sequential != y->sequential)
		return x->sequential ? -1 : 1;
	if (x->cache != y->cache)
		return (int)x->cache - (int)y->cache;
	if (x->sync != y->sync)
		return (int)x->sync - (int)y->sync;
	if (analysis_threads(p) != analysis_threads(q))
		return analysis_threads(p) < analysis_threads(q) ? -1 : 1;
	if (p->parallel != q->parallel)
		return (int)p->parallel - (int)q->parallel;
	if (p->pin != q->pin)
		return (int)p->pin - (int)q->pin;
	return (int)p->prealloc - (int)q->prealloc;
}

static const struct analysis *sort_ctx;

static int cmp_by_median(const void *pa, const void *pb)
{
	const struct analysis_cell *x = &sort_ctx->cells[*(const size_t *)pa];
	const struct analysis_cell *y = &sort_ctx->cells[*(const size_t *)pb];

	if (x->median != y->median)
		return x->median < y->median ? -1 : 1;
	return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

static int form_groups(struct analysis *a)
{
	a->groups = calloc(a->n_cells ? a->n_cells : 1, sizeof(*a->groups));
	if (!a->groups)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_cells; i++) {
		const struct cell *c = a->cells[i].cell;
		size_t size = analysis_size_of(a, c->size) - a->sizes, g;

		if (!a->cells[i].measured)
			continue;
		for (g = 0; g < a->n_groups &&
			    !same_group(a, &a->groups[g], c, size); g++)
			;
		if (g == a->n_groups) {
			a->groups[g] = (struct analysis_group){
				.size = size,
				.target = targets_of_cell(&a->run->request, c),
				.cache = c->cache,
				.sync = c->sync,
				.like = c,
				.sequential = analysis_sequential(c),
				.rw = SIZE_MAX,
				.best = SIZE_MAX,
			};
			a->n_groups++;
		}
		a->groups[g].n_cells++;
	}
	qsort(a->groups, a->n_groups, sizeof(*a->groups), cmp_group);
	for (size_t g = 0; g < a->n_groups; g++) {
		a->groups[g].cells =
			calloc(a->groups[g].n_cells, sizeof(size_t));
		if (!a->groups[g].cells)
			return -ENOMEM;
		a->groups[g].n_cells = 0;
	}
	for (size_t i = 0; i < a->n_cells; i++) {
		const struct cell *c = a->cells[i].cell;
		size_t size, g;

		if (!a->cells[i].measured)
			continue;
		size = analysis_size_of(a, c->size) - a->sizes;
		for (g = 0; !same_group(a, &a->groups[g], c, size); g++)
			;
		a->groups[g].cells[a->groups[g].n_cells++] = i;
		a->cells[i].group = g;
	}
	sort_ctx = a;
	for (size_t g = 0; g < a->n_groups; g++)
		qsort(a->groups[g].cells, a->groups[g].n_cells, sizeof(size_t),
		      cmp_by_median);
	sort_ctx = NULL;
	return 0;
}

/* rw with its default buffer (the baseline every speed-up is quoted
 * against), else any rw of the group. */
static size_t find_rw(const struct analysis *a, const struct analysis_group *g)
{
	const struct copy_strategy *rw = strategy_find("rw");
	const struct copy_option *o = rw ? strategy_option(rw, "buffer") : NULL;
	uint64_t def = o ? o->def : STRATEGY_DEFAULT_BUFFER;
	size_t any = SIZE_MAX;

	for (size_t k = 0; k < g->n_cells; k++) {
		const struct cell *c = a->cells[g->cells[k]].cell;

		if (strcmp(c->strategy, "rw"))
			continue;
		if (cell_tunable(c, "buffer", 0) == def)
			return g->cells[k];
		if (any == SIZE_MAX)
			any = g->cells[k];
	}
	return any;
}

/* The winner's selection-aware margin over rw; across runs, widened to
 * the hierarchical bootstrap's interval too. */
static void winner_margin(struct analysis *a, struct analysis_group *g,
			  const struct stats_best *b)
{
	const struct analysis_size *s = &a->sizes[g->size];
	double r, lo, hi;

	if (g->rw == SIZE_MAX || g->best == g->rw || !isfinite(b->speedup) ||
	    !isfinite(b->speedup_lo) || !isfinite(b->speedup_hi))
		return;
	g->have_speedup = true;
	g->speedup = b->speedup;
	g->speedup_lo = b->speedup_lo;
	g->speedup_hi = b->speedup_hi;
	if (s->runs >= 2 &&
	    !paired(s, a->cells[g->rw].by_round, a->cells[g->best].by_round,
		    analysis_seed(a, ANALYSIS_SEED_GROUP_VS_RW,
				  (size_t)(g - a->groups)),
		    &r, &lo, &hi)) {
		g->speedup_lo = fmin(g->speedup_lo, lo);
		g->speedup_hi = fmax(g->speedup_hi, hi);
	}
}

size_t analysis_rounds_needed(size_t k, size_t n)
{
	size_t need = 1;

	/* Holm's smallest adjusted p: (k - 1) 2^-n, at best */
	while (need < 64 &&
	       (double)(k - 1) * ldexp(1, -(int)need) >= ANALYSIS_ALPHA)
		need++;
	return k < 2 || n >= need ? 0 : need;
}

static int best_set(struct analysis *a, struct analysis_group *g)
{
	const struct analysis_size *s = &a->sizes[g->size];
	const double **times = calloc(g->n_cells, sizeof(*times));
	size_t *idx = calloc(g->n_cells, sizeof(*idx));
	size_t k = 0, ref = SIZE_MAX;
	struct stats_best b = { 0 };
	int ret = 0;

	if (!times || !idx) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (size_t j = 0; j < g->n_cells; j++) {
		if (!a->cells[g->cells[j]].candidate)
			continue;
		if (g->cells[j] == g->rw)
			ref = k;
		idx[k] = g->cells[j];
		times[k++] = a->cells[g->cells[j]].by_round;
	}
	if (!k)
		goto out_free;
	/* fastest by median first; the set test may not run (one
	 * candidate, no common rounds): then the fastest stands alone */
	g->best = idx[0];
	g->n_set = 1;
	a->cells[g->best].in_best_set = true;
	if (k < 2)
		goto out_free;
	ret = stats_best_set(times, k, s->n_rounds, ref, ANALYSIS_TIE_MARGIN,
			     ANALYSIS_ALPHA, ANALYSIS_LEVEL, ANALYSIS_RESAMPLES,
			     analysis_seed(a, ANALYSIS_SEED_BEST_SET,
					   (size_t)(g - a->groups)),
			     &b);
	if (ret) {
		ret = ret == -ENOMEM ? ret : 0;
		goto out_free;
	}
	a->cells[g->best].in_best_set = false;
	g->best = idx[b.best];
	g->n_set = b.n_set;
	g->rounds = b.n;
	g->n_candidates = k;
	g->rounds_needed = analysis_rounds_needed(k, b.n);
	for (size_t j = 0; j < k; j++)
		a->cells[idx[j]].in_best_set = b.in_set[j];
	winner_margin(a, g, &b);
out_free:
	stats_best_free(&b);
	free(times);
	free(idx);
	return ret;
}

/* Every measured cell of the group against rw, paired over rounds. */
static void speedups(struct analysis *a, const struct analysis_group *g)
{
	const struct analysis_size *s = &a->sizes[g->size];

	if (g->rw == SIZE_MAX)
		return;
	for (size_t j = 0; j < g->n_cells; j++) {
		struct analysis_cell *ac = &a->cells[g->cells[j]];

		if (g->cells[j] == g->rw) {
			ac->have_speedup = true;
			ac->speedup = ac->speedup_lo = ac->speedup_hi = 1;
			continue;
		}
		ac->have_speedup = !paired(
			s, a->cells[g->rw].by_round, ac->by_round,
			analysis_seed(a, ANALYSIS_SEED_VS_RW, g->cells[j]),
			&ac->speedup, &ac->speedup_lo, &ac->speedup_hi);
	}
}

/* Each reference tool of the group against its best strategy. */
static void refs_vs_best(struct analysis *a, const struct analysis_group *g)
{
	const struct analysis_size *s = &a->sizes[g->size];

	if (g->best == SIZE_MAX)
		return;
	for (size_t j = 0; j < g->n_cells; j++) {
		struct analysis_cell *ac = &a->cells[g->cells[j]];

		if (!ac->reference)
			continue;
		ac->have_vs_best = !paired(
			s, ac->by_round, a->cells[g->best].by_round,
			analysis_seed(a, ANALYSIS_SEED_VS_BEST, g->cells[j]),
			&ac->vs_best, &ac->vs_best_lo, &ac->vs_best_hi);
	}
}

/* A threaded or pinned cell against the same variant on 1 thread (the
 * same pinning preferred), paired over rounds. */
static void scaling(struct analysis *a, size_t i)
{
	struct analysis_cell *ac = &a->cells[i];
	const struct cell *c = ac->cell;
	size_t base = SIZE_MAX;

	if (analysis_sequential(c))
		return;
	for (size_t j = 0; j < a->n_cells; j++) {
		const struct cell *b = a->cells[j].cell;

		if (!a->cells[j].measured || analysis_threads(b) != 1 ||
		    j == i || !cell_same_variant(b, c, 0) ||
		    b->cache != c->cache || b->sync != c->sync)
			continue;
		if (b->pin == c->pin) {
			base = j;
			break;
		}
		if (base == SIZE_MAX)
			base = j;
	}
	if (base == SIZE_MAX)
		return;
	ac->scaling_base = base;
	ac->have_scaling = !paired(
		analysis_size_of(a, c->size), a->cells[base].by_round,
		ac->by_round, analysis_seed(a, ANALYSIS_SEED_SCALING, i),
		&ac->scaling, &ac->scaling_lo, &ac->scaling_hi);
}

/* The same variant in another cache or sync mode, same threads. */
static size_t sibling(const struct analysis *a, size_t i, enum cache_mode cache,
		      enum sync_mode sync)
{
	const struct cell *c = a->cells[i].cell;

	for (size_t j = 0; j < a->n_cells; j++) {
		const struct cell *o = a->cells[j].cell;

		if (a->cells[j].measured && o->cache == cache &&
		    o->sync == sync && cell_same_variant(o, c, 0) &&
		    cell_same_threads(o, c))
			return j;
	}
	return SIZE_MAX;
}

/* Cold against warm, fdatasync against none, of each variant. */
static int siblings(struct analysis *a, size_t i)
{
	struct analysis_cell *ac = &a->cells[i];
	int ret = 0;

	if (ac->cell->cache == CACHE_WARM)
		ac->cold = sibling(a, i, CACHE_COLD, ac->cell->sync);
	if (ac->cold != SIZE_MAX) {
		ret = analysis_paired_cells(a, i, ac->cold, &ac->cold_share,
					    &ac->cold_share_lo,
					    &ac->cold_share_hi);
		ac->have_cold = !ret;
	}
	if (ac->cell->sync == SYNC_NONE)
		ac->synced = sibling(a, i, ac->cell->cache, SYNC_END);
	if (ret != -ENOMEM && ac->synced != SIZE_MAX) {
		ret = analysis_paired_cells(a, ac->synced, i, &ac->sync_cost,
					    &ac->sync_cost_lo,
					    &ac->sync_cost_hi);
		ac->have_sync = !ret;
	}
	return ret == -ENOMEM ? ret : 0;
}

/* The summary's groups of each size: warm, no sync, 1 thread first; of
 * target a->focus (sweep --dir A,B; the first but while the rules run
 * for each). */
void analysis_pick_summary(struct analysis *a)
{
	for (size_t k = 0; k < a->n_sizes; k++) {
		struct analysis_size *s = &a->sizes[k];
		int best_rank = 8;

		s->headline = s->summary[0] = s->summary[1] = SIZE_MAX;
		for (size_t g = 0; g < a->n_groups; g++) {
			const struct analysis_group *x = &a->groups[g];
			int rank = !x->sequential * 4 +
				   (x->cache != CACHE_WARM) * 2 +
				   (x->sync != SYNC_NONE);

			if (x->size != k || x->target != a->focus)
				continue;
			if (rank < best_rank) {
				best_rank = rank;
				s->headline = g;
			}
			/* groups are sorted: sync none comes first */
			if (x->sequential && s->summary[x->cache] == SIZE_MAX)
				s->summary[x->cache] = g;
		}
	}
}

static void memory_extremes(struct analysis *a)
{
	a->rss_max = a->rss_min = SIZE_MAX;
	for (size_t i = 0; i < a->n_cells; i++) {
		long kb = a->cells[i].cell->usage.maxrss_kb;

		if (!a->cells[i].candidate || kb <= 0)
			continue;
		if (a->rss_max == SIZE_MAX ||
		    kb > a->cells[a->rss_max].cell->usage.maxrss_kb)
			a->rss_max = i;
		if (a->rss_min == SIZE_MAX ||
		    kb < a->cells[a->rss_min].cell->usage.maxrss_kb)
			a->rss_min = i;
	}
}

int analysis_compare(struct analysis *a)
{
	int ret = form_groups(a);

	for (size_t g = 0; !ret && g < a->n_groups; g++) {
		a->groups[g].rw = find_rw(a, &a->groups[g]);
		ret = best_set(a, &a->groups[g]);
		speedups(a, &a->groups[g]);
		refs_vs_best(a, &a->groups[g]);
	}
	for (size_t i = 0; !ret && i < a->n_cells; i++)
		if (a->cells[i].measured) {
			scaling(a, i);
			ret = siblings(a, i);
		}
	if (!ret) {
		analysis_pick_summary(a);
		memory_extremes(a);
	}
	return ret;
}
