// SPDX-License-Identifier: MIT
/*
 * The analysis's advice (analysis.h): merging the same advice across
 * sizes into one line, ranking it, the verdict line of each size, and a
 * baseline's Overall line and regressions.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "analysis_internal.h"
#include "compare_types.h"
#include "fmt.h"

#define SIZE_SEP '\x1f' /* between the size names of an advice */

/* ---- advice ---- */

/* Appends name to a SIZE_SEP-separated list unless it is there. */
static void add_size(char *list, size_t len, const char *name)
{
	size_t used = strlen(list), n = strlen(name);
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, SIZE_SEP);
		size_t k = end ? (size_t)(end - p) : strlen(p);

		if (k == n && !strncmp(p, name, n))
			return;
		p += k + (end != NULL);
	}
	if (used + n + 2 > len)
		return;
	if (used)
		list[used++] = SIZE_SEP;
	memcpy(list + used, name, n + 1);
}

int analysis_advise(struct analysis_advice **list, size_t *n,
		    enum analysis_impact impact, double payoff, const char *key,
		    const char *head, const char *size, const char *tail,
		    const char *figure)
{
	struct analysis_advice *v = NULL, *grown;
	char *figures;

	for (size_t i = 0; i < *n && !v; i++)
		if (!strcmp((*list)[i].key, key))
			v = &(*list)[i];
	if (!v) {
		grown = realloc(*list, (*n + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		*list = grown;
		v = &grown[(*n)++];
		memset(v, 0, sizeof(*v));
		v->impact = impact;
		v->payoff = payoff;
		snprintf(v->key, sizeof(v->key), "%s", key);
		snprintf(v->head, sizeof(v->head), "%s", head);
		snprintf(v->tail, sizeof(v->tail), "%s", tail);
	}
	if (impact < v->impact)
		v->impact = impact;
	if (payoff > v->payoff)
		v->payoff = payoff;
	if (size && *size)
		add_size(v->sizes, sizeof(v->sizes), size);
	if (asprintf(&figures, "%s%s%s", v->figures ? v->figures : "",
		     v->figures ? "; " : "", figure) < 0)
		return -ENOMEM;
	free(v->figures);
	v->figures = figures;
	return 0;
}

static int cmp_advice(const void *pa, const void *pb)
{
	const struct analysis_advice *x = pa, *y = pb;

	if (x->impact != y->impact)
		return (int)x->impact - (int)y->impact;
	if (x->payoff != y->payoff)
		return x->payoff > y->payoff ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* "1M", "1M and 100M", "4K, 1M and 100M" from the SIZE_SEP list. */
static void join_sizes(const char *list, char *out, size_t len)
{
	size_t total = 1, k = 0, used = 0;

	for (const char *p = list; *p; p++)
		total += *p == SIZE_SEP;
	out[0] = '\0';
	if (!*list)
		return;
	for (const char *p = list; used < len; k++) {
		const char *end = strchr(p, SIZE_SEP);
		int n = end ? (int)(end - p) : (int)strlen(p);

		used += snprintf(out + used, len - used, "%s%.*s",
				 !k		  ? ""
				 : k + 1 == total ? " and "
						  : ", ",
				 n, p);
		if (!end)
			break;
		p = end + 1;
	}
}

/* The largest size an advice names (bytes), and how many it names. */
static uint64_t advice_reach(const struct analysis *a,
			     const struct analysis_advice *v, size_t *count)
{
	uint64_t most = 0;

	*count = 0;
	for (const char *p = v->sizes; *p;) {
		const char *end = strchr(p, SIZE_SEP);
		size_t k = end ? (size_t)(end - p) : strlen(p);

		(*count)++;
		for (size_t i = 0; i < a->n_sizes; i++)
			if (strlen(a->sizes[i].name) == k &&
			    !strncmp(a->sizes[i].name, p, k) &&
			    a->sizes[i].size > most)
				most = a->sizes[i].size;
		p += k + (end != NULL);
	}
	return most;
}

/*
 * The top recommendation, stable from run to run: speed advice ("Use X
 * for", key "use:") of the first's impact whose speed-ups over rw lie
 * within the tie margin of the first's cannot be told apart by them -
 * two back-to-back headline sweeps put "1.18x at 100M" and "1.19x at
 * 1M" first in turn - so of those the one naming the most sizes, then
 * the largest, leads. Other advice ranks by its payoff alone (a share
 * of CPU or cache, not a ratio to hold to the margin).
 */
#define SPEED_KEY "use:"

static void lead_stable(const struct analysis *a, struct analysis_advice *v,
			size_t n)
{
	size_t lead = 0, lead_count, count;
	uint64_t lead_reach, reach;

	if (strncmp(v[0].key, SPEED_KEY, strlen(SPEED_KEY)))
		return;
	lead_reach = advice_reach(a, &v[0], &lead_count);
	for (size_t i = 1; i < n && v[i].impact == v[0].impact; i++) {
		if (strncmp(v[i].key, SPEED_KEY, strlen(SPEED_KEY)) ||
		    !(v[i].payoff > 0) ||
		    v[0].payoff / v[i].payoff > 1 + ANALYSIS_TIE_MARGIN)
			continue;
		reach = advice_reach(a, &v[i], &count);
		if (count > lead_count ||
		    (count == lead_count && reach > lead_reach)) {
			lead = i;
			lead_count = count;
			lead_reach = reach;
		}
	}
	if (lead) {
		struct analysis_advice first = v[lead];

		memmove(v + 1, v, lead * sizeof(*v));
		v[0] = first;
	}
}

static int finish_list(const struct analysis *a, struct analysis_advice *v,
		       size_t n, bool lead)
{
	if (n)
		qsort(v, n, sizeof(*v), cmp_advice);
	if (n && lead)
		lead_stable(a, v, n);
	for (size_t i = 0; i < n; i++) {
		char sizes[300];

		join_sizes(v[i].sizes, sizes, sizeof(sizes));
		free(v[i].text);
		if (asprintf(&v[i].text, "%s%s%s%s%s.", v[i].head,
			     *sizes ? " " : "", sizes, v[i].tail,
			     v[i].figures ? v[i].figures : "") < 0) {
			v[i].text = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

int analysis_finish_advice(struct analysis *a)
{
	int ret = finish_list(a, a->recs, a->n_recs, true);

	return ret ? ret : finish_list(a, a->notes, a->n_notes, false);
}

/* ---- the line per size ---- */

const char *analysis_size_line(const struct analysis *a,
			       const struct analysis_size *s, bool md,
			       char *out, size_t len)
{
	const struct analysis_group *g;
	const char *rw = md ? "`rw`" : "rw";
	char set[1024], modes[96], ci[64], pre[ANALYSIS_NAME_LEN + 100];
	size_t groups = 0;
	int n;

	if (s->headline == SIZE_MAX) {
		snprintf(out, len, "%s: no cell was measured", s->name);
		return out;
	}
	for (size_t k = 0; k < a->n_groups; k++)
		groups += a->groups[k].size == (size_t)(s - a->sizes);
	g = &a->groups[s->headline];
	analysis_group_modes(g, modes, sizeof(modes));
	snprintf(pre, sizeof(pre), "%s%s%s%s", s->name, groups > 1 ? " (" : "",
		 groups > 1 ? modes : "", groups > 1 ? ")" : "");
	if (g->best == SIZE_MAX) {
		snprintf(out, len, "%s: only reference tools were measured",
			 pre);
		return out;
	}
	if (g->rounds_needed) {
		/* the set is every candidate: say why, name the fastest */
		const char *q = md ? "`" : "";
		char how[64];

		/* asked for enough: the budget cut the rounds short */
		if (a->run->request.samples >= g->rounds_needed)
			snprintf(how, sizeof(how), "a larger %s--budget%s", q,
				 q);
		else
			snprintf(how, sizeof(how), "%s--samples %zu%s", q,
				 g->rounds_needed, q);
		analysis_cell_name(a, g->best, md, set, sizeof(set));
		n = snprintf(out, len,
			     "%s: %zu rounds cannot tell %zu "
			     "strategies apart (%zu needed: %s); fastest "
			     "median %s",
			     pre, g->rounds, g->n_candidates, g->rounds_needed,
			     how, set);
		if (n < 0 || (size_t)n >= len || g->best == g->rw)
			return out;
		if (g->rw == SIZE_MAX)
			snprintf(out + n, len - n, "; %s was not measured", rw);
		else
			snprintf(out + n, len - n, ", %s vs %s",
				 analysis_fmt_ratio(g->have_speedup, g->speedup,
						    g->speedup_lo,
						    g->speedup_hi, ci,
						    sizeof(ci)),
				 rw);
		return out;
	}
	analysis_set_names(a, g, md, set, sizeof(set));
	n = snprintf(out, len, "%s: %s %s", pre, set,
		     g->n_set < 2 ? "is fastest"
		     : md	  ? "tie (within 3%); any of them"
				  : "tie (within 3%)");
	if (n < 0 || (size_t)n >= len)
		return out;
	if (g->rw == SIZE_MAX)
		snprintf(out + n, len - n, "; %s was not measured", rw);
	else if (a->cells[g->rw].in_best_set && g->n_set > 1)
		snprintf(out + n, len - n,
			 md ? ", %s included" : "; %s is among them", rw);
	else if (a->cells[g->rw].in_best_set)
		snprintf(out + n, len - n, ": plain read/write is enough");
	else if (!g->have_speedup)
		snprintf(out + n, len - n,
			 "; too few paired rounds for a CI "
			 "against %s",
			 rw);
	else
		snprintf(out + n, len - n, "; %s %s%s%s",
			 analysis_fmt_ratio(true, g->speedup, g->speedup_lo,
					    g->speedup_hi, ci, sizeof(ci)),
			 g->speedup_lo > 1 ? "faster than " : "", rw,
			 g->speedup_lo > 1 ? "" : " (not clearly faster)");
	return out;
}

/* ---- a baseline compared ---- */

/* The matched cell whose peak RSS moved most (in either direction). */
static void memory_change(struct analysis *a, const struct comparison *cmp)
{
	a->rss_change = 1;
	a->rss_change_cell = SIZE_MAX;
	for (size_t i = 0; i < cmp->n_cells; i++) {
		const struct compare_cell *c = &cmp->cells[i];
		double r;

		if (!c->base || !c->new || c->base->usage.maxrss_kb <= 0 ||
		    c->new->usage.maxrss_kb <= 0 || c->new < a->run->cells ||
		    c->new >= a->run->cells + a->run->n_cells)
			continue;
		r = (double)c->new->usage.maxrss_kb / c->base->usage.maxrss_kb;
		if (fabs(log(r)) > fabs(log(a->rss_change))) {
			a->rss_change = r;
			a->rss_change_cell = (size_t)(c->new - a->run->cells);
		}
	}
}

int analysis_set_baseline(struct analysis *a, const struct comparison *cmp,
			  const char *name)
{
	char *list = NULL, label[ANALYSIS_NAME_LEN], pct[FMT_LEN];
	char head[1024], fig[1024];
	int ret = 0;

	a->compared = true;
	free(a->overall);
	a->overall = NULL;
	free(a->baseline);
	a->baseline = strdup(name);
	if (!a->baseline)
		return -ENOMEM;
	memory_change(a, cmp);
	for (size_t i = 0; i < cmp->n_cells && !ret; i++) {
		const struct compare_cell *c = &cmp->cells[i];
		const struct analysis_size *s;
		char *grown;

		if (c->verdict != VERDICT_REGRESSED)
			continue;
		s = analysis_size_of(a, c->new->size);
		cell_label(c->new, label, sizeof(label));
		snprintf(fig, sizeof(fig), "%s %s %s %s+%s slower", label,
			 s ? s->name : "?", cache_mode_name(c->new->cache),
			 c->new->sync == SYNC_END ? "fdatasync " : "",
			 fmt_pct(100 * (c->ratio - 1), pct, sizeof(pct)));
		snprintf(head, sizeof(head), "Regressions since %s: ", name);
		ret = analysis_advise(&a->recs, &a->n_recs, IMPACT_HIGH, 1e9,
				      "regressed", head, NULL, "", fig);
		if (!ret && asprintf(&grown, "%s%s%s", list ? list : "",
				     list ? ", " : "", fig) < 0)
			ret = -ENOMEM;
		if (!ret) {
			free(list);
			list = grown;
		}
	}
	if (!ret &&
	    (list ? asprintf(&a->overall,
			     "❌ %zu regression%s since "
			     "%s: %s",
			     cmp->n_regressed, cmp->n_regressed == 1 ? "" : "s",
			     name, list)
	     /* never "no regressions" where some were not judged */
	     : compare_unjudged_regressed(cmp)
		     ? asprintf(&a->overall,
				"⚠️ %zu time change%s since %s that "
				"regressed "
				"not judged: %s",
				compare_unjudged_regressed(cmp),
				compare_unjudged_regressed(cmp) == 1 ? "" : "s",
				name, cmp->unjudged_why)
		     : asprintf(&a->overall,
				"✅ no regressions since %s "
				"(%zu cells compared)",
				name, cmp->n_cells - cmp->n_no_data)) < 0) {
		a->overall = NULL;
		ret = -ENOMEM;
	}
	free(list);
	return ret ? ret : analysis_finish_advice(a);
}
