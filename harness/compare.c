// SPDX-License-Identifier: MIT
/*
 * compare: matches the cells of two runs, tests each pair (two-sided
 * Mann-Whitney U and a bootstrap of the change of the median within one
 * run per side, the hierarchical bootstrap across several), judges the
 * other figures (compare_judge.c) and renders the verdicts as Markdown
 * and JSON.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_cdf.h>
#include <jansson.h>

#include "calibration.h"
#include "compare.h"
#include "compare_internal.h"
#include "env_load.h"
#include "fmt.h"
#include "parse.h"
#include "report_memory.h"
#include "strlist.h"

/* Any fixed seed makes reruns of a comparison give the same CIs. */
#define COMPARE_SEED 20240229

void compare_default_options(struct compare_options *o)
{
	o->alpha = 0.05;
	o->threshold = 0.03;
	/* a sweep has dozens of cells: without it some "regress" by chance */
	o->holm = true;
	o->level = 0.95;
	o->resamples = 10000;
	o->seed = COMPARE_SEED;
	o->ignore = 0;
	o->fail_on = COMPARE_FAIL_TIME;
	o->floors = NULL;
}

static const struct {
	const char *name;
	unsigned bit;
} fail_names[] = {
	{ "time", COMPARE_FAIL_TIME },
	{ "cpu", COMPARE_FAIL_CPU },
	{ "memory", COMPARE_FAIL_MEMORY },
	{ "cache", COMPARE_FAIL_CACHE },
};

struct fail_ctx {
	unsigned bits;
	char *err;
	size_t len;
};

static int one_fail_on(const char *name, void *p)
{
	struct fail_ctx *ctx = p;

	for (size_t i = 0; i < sizeof(fail_names) / sizeof(fail_names[0]);
	     i++) {
		if (!strcmp(name, fail_names[i].name)) {
			ctx->bits |= fail_names[i].bit;
			return 0;
		}
	}
	snprintf(ctx->err, ctx->len, "'%s': not one of time, cpu, memory, "
		 "cache", name);
	return -EINVAL;
}

int compare_fail_on_parse(const char *list, unsigned *bits, char *err,
			  size_t len)
{
	struct fail_ctx ctx = { 0, err, len };
	int ret = strlist_each(list, ',', STRLIST_NO_EMPTY | STRLIST_UNIQUE,
			       one_fail_on, &ctx, err, len);

	if (!ret)
		*bits = ctx.bits;
	return ret;
}

unsigned compare_fail_bit(enum sample_metric m)
{
	switch (m) {
	case METRIC_TIME:
		return COMPARE_FAIL_TIME;
	case METRIC_CPU:
		return COMPARE_FAIL_CPU;
	case METRIC_RSS:
	case METRIC_HEAP:
	case METRIC_ALLOCS:
		return COMPARE_FAIL_MEMORY;
	case METRIC_CACHE:
		return COMPARE_FAIL_CACHE;
	case METRIC_COUNT:
		break;
	}
	return 0;
}

bool compare_failed(const struct comparison *cmp)
{
	for (int m = 0; m < METRIC_COUNT; m++)
		if ((cmp->opts.fail_on & compare_fail_bit(m)) &&
		    cmp->metric_regressed[m])
			return true;
	return false;
}

const char *compare_verdict_name(enum compare_verdict v)
{
	switch (v) {
	case VERDICT_SAME:
		return "~";
	case VERDICT_NOISE:
		return "within noise";
	case VERDICT_IMPROVED:
		return "improved";
	case VERDICT_REGRESSED:
		return "regressed";
	case VERDICT_NO_DATA:
		break;
	}
	return "no data";
}

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

struct ignore_ctx {
	uint32_t bits;
	char *err;
	size_t len;
};

static int one_ignored(const char *name, void *p)
{
	struct ignore_ctx *ctx = p;
	int i = tunable_index(name);

	if (!strcmp(name, "content")) {
		ctx->bits |= CELL_IGNORE_CONTENT;
		return 0;
	}
	if (i < 0) {
		size_t used = snprintf(ctx->err, ctx->len, "'%s': not a key "
				       "part (", name);

		for (size_t k = 0; k < tunable_count() && used < ctx->len; k++)
			used += snprintf(ctx->err + used, ctx->len - used,
					 "%s, ", tunable_at(k)->name);
		if (used < ctx->len)
			snprintf(ctx->err + used, ctx->len - used, "content)");
		return -EINVAL;
	}
	ctx->bits |= 1u << i;
	return 0;
}

int compare_ignore_parse(const char *list, uint32_t *bits, char *err,
			 size_t len)
{
	struct ignore_ctx ctx = { 0, err, len };
	/* as every other list: an empty item or a duplicate is a mistake */
	int ret = strlist_each(list, ',', STRLIST_NO_EMPTY | STRLIST_UNIQUE,
			       one_ignored, &ctx, err, len);

	if (!ret)
		*bits = ctx.bits;
	return ret;
}

/* ---- Mann-Whitney U ------------------------------------------------ */

struct ranked {
	double v;
	bool from_x;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *ra = a, *rb = b;

	return (ra->v > rb->v) - (ra->v < rb->v);
}

/*
 * Ranks the pooled sample (ties get their mean rank): the rank sum of x
 * and sum(t^3 - t) over the tie groups. 0 or -ENOMEM.
 */
static int rank_sum(const double *x, size_t nx, const double *y, size_t ny,
		    double *rx, double *tie_term)
{
	size_t n = nx + ny;
	struct ranked *all = malloc(n * sizeof(*all));

	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < nx; i++)
		all[i] = (struct ranked){ x[i], true };
	for (size_t i = 0; i < ny; i++)
		all[nx + i] = (struct ranked){ y[i], false };
	qsort(all, n, sizeof(*all), cmp_ranked);

	*rx = 0;
	*tie_term = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double t, mean_rank;

		while (j + 1 < n && all[j + 1].v == all[i].v)
			j++;
		t = (double)(j - i + 1);
		mean_rank = (double)(i + j) / 2 + 1;	/* ranks are 1-based */
		for (size_t k = i; k <= j; k++)
			if (all[k].from_x)
				*rx += mean_rank;
		*tie_term += t * t * t - t;
		i = j + 1;
	}
	free(all);
	return 0;
}

/*
 * P(U >= u) under H0 for sizes m, n without ties, by the classic
 * recursion on the largest pooled value: f(m, n, k) = f(m-1, n, k-n) +
 * f(m, n-1, k), counting arrangements in doubles (only additions, so the
 * relative error stays tiny). Hand-written: GSL has no Mann-Whitney
 * distribution. NaN on allocation failure.
 */
static double mw_exact_sf(size_t m, size_t n, size_t u)
{
	size_t width = m * n + 1;
	double *prev = calloc((n + 1) * width, sizeof(double));
	double *cur = calloc((n + 1) * width, sizeof(double));
	double tail = 0, total = 0, *t;

	if (!prev || !cur) {
		free(prev);
		free(cur);
		return NAN;
	}
	/* no x values: U is 0 whatever the y values */
	for (size_t j = 0; j <= n; j++)
		prev[j * width] = 1;
	for (size_t i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * width * sizeof(double));
		cur[0] = 1;
		for (size_t j = 1; j <= n; j++) {
			double *row = cur + j * width;
			const double *left = cur + (j - 1) * width;
			const double *up = prev + j * width;

			for (size_t k = 0; k <= i * j; k++)
				row[k] = (k >= j ? up[k - j] : 0) + left[k];
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	for (size_t k = 0; k < width; k++) {
		total += prev[n * width + k];
		if (k >= u)
			tail += prev[n * width + k];
	}
	free(prev);
	free(cur);
	return tail / total;
}

int compare_mann_whitney(const double *x, size_t nx, const double *y,
			 size_t ny, double *u, double *p, bool *exact)
{
	double m = (double)nx, n = (double)ny, rx, tie_term, u_max, prob;
	int ret;

	if (!nx || !ny)
		return -EINVAL;
	ret = rank_sum(x, nx, y, ny, &rx, &tie_term);
	if (ret)
		return ret;
	*u = rx - m * (m + 1) / 2;
	/* two-sided: the larger of U_x and U_y, doubled tail (scipy's way) */
	u_max = fmax(*u, m * n - *u);

	*exact = tie_term == 0 && nx <= COMPARE_EXACT_MAX &&
		 ny <= COMPARE_EXACT_MAX;
	if (*exact) {
		prob = mw_exact_sf(nx, ny, (size_t)llround(u_max));
		if (isnan(prob))
			return -ENOMEM;
	} else {
		double N = m + n;
		double var = m * n / 12 *
			     ((N + 1) - tie_term / (N * (N - 1)));

		/* all values equal: nothing can be told apart */
		if (!(var > 0)) {
			*p = 1;
			return 0;
		}
		prob = gsl_cdf_ugaussian_Q((u_max - m * n / 2 - 0.5) /
					   sqrt(var));
	}
	*p = fmin(1, 2 * prob);
	return 0;
}

struct indexed_p {
	double p;
	size_t i;
};

static int cmp_indexed_p(const void *a, const void *b)
{
	const struct indexed_p *pa = a, *pb = b;

	if (pa->p != pb->p)
		return (pa->p > pb->p) - (pa->p < pb->p);
	return (pa->i > pb->i) - (pa->i < pb->i);
}

int compare_holm(const double *p, size_t n, double *adj)
{
	struct indexed_p *s = malloc((n ? n : 1) * sizeof(*s));
	double running = 0;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		s[i] = (struct indexed_p){ p[i], i };
	qsort(s, n, sizeof(*s), cmp_indexed_p);
	/* step-down: (m - k) p_(k), made monotone, capped at 1 */
	for (size_t k = 0; k < n; k++) {
		running = fmax(running, fmin(1, (double)(n - k) * s[k].p));
		adj[s[k].i] = running;
	}
	free(s);
	return 0;
}

/* ---- matching and verdicts ----------------------------------------- */

static void add_env_diff(struct comparison *cmp, const char *field,
			 const char *base, const char *new)
{
	struct compare_env_diff *d;

	base = base ? base : "unknown";
	new = new ? new : "unknown";
	if (!strcmp(base, new))
		return;
	d = &cmp->env_diffs[cmp->n_env_diffs++];
	d->field = field;
	d->base = base;
	d->new = new;
}

#define N_ENV_FIELDS 8

/* Whether the two runs were measured at the same time (one sweep split
 * in two, interleaved passes): their [start, start + duration] overlap.
 * Unknown start times: no. */
static bool measured_together(const struct run *a, const struct run *b)
{
	struct tm ta = { 0 }, tb = { 0 };
	double sa, sb;

	if (!a->started || !b->started ||
	    !strptime(a->started, "%Y-%m-%dT%H:%M:%SZ", &ta) ||
	    !strptime(b->started, "%Y-%m-%dT%H:%M:%SZ", &tb))
		return false;
	sa = (double)timegm(&ta);
	sb = (double)timegm(&tb);
	/* started has whole seconds */
	return sa <= sb + b->duration + 1 && sb <= sa + a->duration + 1;
}

/*
 * A side measured while other processes kept the CPUs busy, at another
 * time than the other side: that load fell on it alone, and its times
 * moved by an amount no within-run CI holds (back-to-back A/A runs of
 * `iobench quick` here: 1.6x for 4K rw when others used 1.3 of 2 CPUs
 * during the first). Its time changes are not judged.
 */
static void mark_disturbed(const struct run *base, const struct run *new,
			   struct comparison *cmp)
{
	const struct run *side =
		env_load_disturbed(&base->env.load, NULL, 0) ? base :
		env_load_disturbed(&new->env.load, NULL, 0) ? new : NULL;

	if (!side || measured_together(base, new))
		return;
	cmp->disturbed = true;
	snprintf(cmp->disturbed_why, sizeof(cmp->disturbed_why),
		 "the %s run was measured while other processes kept %.2f "
		 "of %u CPUs busy", side == base ? "base" : "new",
		 side->env.load.other_cpus + fmax(side->env.load.steal_cpus, 0),
		 side->env.load.cpus);
}

static void diff_environments(const struct run *base, const struct run *new,
			      struct comparison *cmp)
{
	add_env_diff(cmp, "hostname", base->env.hostname, new->env.hostname);
	add_env_diff(cmp, "kernel", base->env.kernel, new->env.kernel);
	add_env_diff(cmp, "fs_type", base->env.fs_type, new->env.fs_type);
	add_env_diff(cmp, "mount_options", base->env.mount_options,
		     new->env.mount_options);
	add_env_diff(cmp, "device_model", base->env.device_model,
		     new->env.device_model);
	add_env_diff(cmp, "cpu_model", base->env.cpu_model,
		     new->env.cpu_model);
	add_env_diff(cmp, "version", base->version, new->version);
	/* a side measured while other processes were busy: its times
	 * include them (env_load.h) */
	if (env_load_disturbed(&base->env.load, NULL, 0) ||
	    env_load_disturbed(&new->env.load, NULL, 0))
		add_env_diff(cmp, "other load while measuring",
			     base->env.load.measured ? base->env.load.text :
						       NULL,
			     new->env.load.measured ? new->env.load.text :
						      NULL);
	mark_disturbed(base, new, cmp);
}

static bool has_samples(const struct cell *c)
{
	return c->status == CELL_OK && c->n_samples > 0;
}

/* Within one run per side: the two-sided Mann-Whitney test and the
 * bootstrap of the ratio of medians over the pooled per-copy times. */
static int test_time_single(struct compare_cell *cc, const double *xb,
			    size_t nb, const double *xn, size_t nn,
			    const struct compare_options *o, uint64_t seed)
{
	int ret = compare_mann_whitney(xn, nn, xb, nb, &cc->u, &cc->p,
				       &cc->exact);

	if (ret)
		return ret;
	return stats_bootstrap_ratio(xn, nn, xb, nb, o->level, o->resamples,
				     seed, &cc->ratio, &cc->ratio_lo,
				     &cc->ratio_hi);
}

/*
 * Several runs per side: the ratio of the pooled medians with the
 * hierarchical bootstrap's CI (runs, then rounds), which holds run-to-run
 * variation; p from Welch's test on the runs' log medians, the same
 * model as the interval's t part. The "±" of each side is half the
 * hierarchical CI of its median.
 */
static int test_time_runs(struct compare_cell *cc, const struct run_groups *gb,
			  const struct run_groups *gn,
			  const struct compare_options *o, uint64_t seed)
{
	struct stats_hier h;
	double half;
	int ret;

	ret = stats_hier_median_ratio((const double *const *)gn->x, gn->n,
				      gn->runs, (const double *const *)gb->x,
				      gb->n, gb->runs, o->level, o->resamples,
				      seed, &h);
	if (ret)
		return ret;
	cc->ratio = h.estimate;
	cc->ratio_lo = h.lo;
	cc->ratio_hi = h.hi;
	cc->u = NAN;
	cc->exact = false;
	ret = compare_welch_runs(gn, gb, true, o->level, &cc->p, &half);
	if (ret)
		return ret;
	ret = stats_hier_median((const double *const *)gb->x, gb->n, gb->runs,
				o->level, o->resamples, seed + 1, &h);
	if (ret)
		return ret;
	cc->base_half = (h.hi - h.lo) / 2;
	ret = stats_hier_median((const double *const *)gn->x, gn->n, gn->runs,
				o->level, o->resamples, seed + 2, &h);
	cc->new_half = (h.hi - h.lo) / 2;
	cc->hierarchical = true;
	return ret;
}

/* Time (single run or several) and the other figures of a matched pair;
 * the verdicts come after the Holm adjustment. */
static int test_cell(struct compare_cell *cc, const struct compare_options *o,
		     uint64_t seed)
{
	struct run_groups gb = { 0 }, gn = { 0 };
	struct estimates eb, en;
	int ret;

	cc->n_base = cc->base->n_samples;
	cc->n_new = cc->new->n_samples;
	for (int m = 0; m < METRIC_COUNT; m++)
		cc->metric[m].verdict = VERDICT_NO_DATA;
	if (!has_samples(cc->base) || !has_samples(cc->new)) {
		cc->verdict = VERDICT_NO_DATA;
		return 0;
	}
	cc->few_samples = cc->n_base < RESULTS_MIN_SAMPLES ||
			  cc->n_new < RESULTS_MIN_SAMPLES;
	ret = compare_groups(cc->base, METRIC_TIME, &gb);
	if (!ret)
		ret = compare_groups(cc->new, METRIC_TIME, &gn);
	if (ret)
		goto out_free;
	cc->runs_base = gb.runs;
	cc->runs_new = gn.runs;
	ret = stats_estimate(gb.pooled, gb.n_pooled, o->level, &eb);
	if (!ret)
		ret = stats_estimate(gn.pooled, gn.n_pooled, o->level, &en);
	if (ret)
		goto out_free;
	cc->base_median = eb.median;
	cc->new_median = en.median;
	cc->base_half = (eb.median_hi - eb.median_lo) / 2;
	cc->new_half = (en.median_hi - en.median_lo) / 2;
	cc->base_mib_s = results_mib_s(cc->base->size, cc->base_median);
	cc->new_mib_s = results_mib_s(cc->new->size, cc->new_median);
	if (gb.runs >= 2 && gn.runs >= 2)
		ret = test_time_runs(cc, &gb, &gn, o, seed);
	else
		ret = test_time_single(cc, gb.pooled, gb.n_pooled, gn.pooled,
				       gn.n_pooled, o, seed);
	if (ret)
		goto out_free;
	cc->p_adj = cc->p;
	for (int m = METRIC_TIME + 1; m < METRIC_COUNT && !ret; m++)
		ret = compare_judge_metric(cc, m, o, seed + 7919 * m);
out_free:
	compare_groups_free(&gb);
	compare_groups_free(&gn);
	return ret;
}

/*
 * The verdict from the (adjusted) p and the CI of the time ratio; with a
 * noise floor (one run per side, a calibrated size), a change smaller
 * than the floor is within noise whatever the within-run test says.
 */
static enum compare_verdict verdict_of(const struct compare_cell *cc,
				       const struct compare_options *o)
{
	if (cc->verdict == VERDICT_NO_DATA)
		return VERDICT_NO_DATA;
	if (cc->p_adj >= o->alpha)
		return VERDICT_SAME;
	if (cc->floor > 0 && fabs(log(cc->ratio)) < cc->floor)
		return VERDICT_NOISE;
	if (cc->ratio_lo - 1 > o->threshold)
		return VERDICT_REGRESSED;
	if (cc->ratio_hi - 1 < -o->threshold)
		return VERDICT_IMPROVED;
	return VERDICT_NOISE;
}

/* Holm over the cells that have figure m (time: cc->p, the others:
 * their own), in place. 0 or -ENOMEM. */
static int holm_metric(struct comparison *cmp, enum sample_metric m)
{
	size_t cap = cmp->n_cells ? cmp->n_cells : 1, n = 0, *idx;
	double *p = malloc(cap * sizeof(*p));
	int ret = 0;

	idx = malloc(cap * sizeof(*idx));
	if (!p || !idx) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < cmp->n_cells; i++) {
		const struct compare_cell *cc = &cmp->cells[i];

		if (m == METRIC_TIME ? cc->verdict == VERDICT_NO_DATA :
				       !cc->metric[m].have)
			continue;
		idx[n] = i;
		p[n++] = m == METRIC_TIME ? cc->p : cc->metric[m].p;
	}
	ret = compare_holm(p, n, p);
	for (size_t k = 0; !ret && k < n; k++) {
		if (m == METRIC_TIME)
			cmp->cells[idx[k]].p_adj = p[k];
		else
			cmp->cells[idx[k]].metric[m].p_adj = p[k];
	}
out_free:
	free(p);
	free(idx);
	return ret;
}

/* The floors of the cells with one run per side: family-wise over them. */
static void apply_floors(struct comparison *cmp)
{
	size_t m = 0;

	for (size_t i = 0; i < cmp->n_cells; i++)
		m += cmp->cells[i].verdict != VERDICT_NO_DATA &&
		     !cmp->cells[i].hierarchical;
	for (size_t i = 0; i < cmp->n_cells; i++) {
		struct compare_cell *cc = &cmp->cells[i];

		if (cc->verdict == VERDICT_NO_DATA || cc->hierarchical)
			continue;
		cc->floor = calibration_floor(cmp->opts.floors, cc->base->size,
					      m, cmp->opts.alpha);
		cmp->n_floored += cc->floor > 0;
	}
}

/* [METRIC_TIME] of a cell: the time figures in the common shape. */
static void mirror_time(struct compare_cell *cc)
{
	struct compare_metric *t = &cc->metric[METRIC_TIME];

	t->have = cc->verdict != VERDICT_NO_DATA;
	t->base = cc->base_median;
	t->new = cc->new_median;
	t->change = cc->ratio - 1;
	t->lo = cc->ratio_lo - 1;
	t->hi = cc->ratio_hi - 1;
	t->p = cc->p;
	t->p_adj = cc->p_adj;
	t->verdict = cc->verdict;
}

static void count_verdict(struct comparison *cmp, struct compare_cell *cc)
{
	switch (cc->verdict) {
	case VERDICT_SAME:
		cmp->n_same++;
		break;
	case VERDICT_NOISE:
		cmp->n_noise++;
		break;
	case VERDICT_IMPROVED:
		cmp->n_improved++;
		break;
	case VERDICT_REGRESSED:
		cmp->n_regressed++;
		break;
	case VERDICT_NO_DATA:
		cmp->n_no_data++;
		break;
	}
}

static int adjust_and_judge(struct comparison *cmp)
{
	const struct compare_options *o = &cmp->opts;
	double log_sum = 0;
	int ret = 0;

	for (int m = 0; m < METRIC_COUNT && o->holm && !ret; m++)
		ret = holm_metric(cmp, m);
	if (ret)
		return ret;
	apply_floors(cmp);
	for (size_t i = 0; i < cmp->n_cells; i++) {
		struct compare_cell *cc = &cmp->cells[i];

		cc->verdict = verdict_of(cc, o);
		if (cmp->disturbed && !cc->hierarchical &&
		    (cc->verdict == VERDICT_REGRESSED ||
		     cc->verdict == VERDICT_IMPROVED)) {
			cc->verdict = VERDICT_NOISE;
			cmp->n_disturbed++;
		}
		mirror_time(cc);
		count_verdict(cmp, cc);
		for (int m = METRIC_TIME + 1; m < METRIC_COUNT; m++) {
			struct compare_metric *cm = &cc->metric[m];

			cm->verdict = compare_judge_verdict(cm, m, o);
			cmp->metric_regressed[m] +=
				cm->verdict == VERDICT_REGRESSED;
			cmp->metric_improved[m] +=
				cm->verdict == VERDICT_IMPROVED;
		}
		if (cc->verdict == VERDICT_NO_DATA)
			continue;
		cmp->n_hierarchical += cc->hierarchical;
		cmp->n_few_samples += cc->few_samples;
		log_sum += log(cc->ratio);
		cmp->n_geomean++;
	}
	cmp->metric_regressed[METRIC_TIME] = cmp->n_regressed;
	cmp->metric_improved[METRIC_TIME] = cmp->n_improved;
	cmp->geomean_ratio = cmp->n_geomean ? exp(log_sum / cmp->n_geomean) :
					      NAN;
	return 0;
}

static bool options_ok(const struct compare_options *o)
{
	return o->alpha > 0 && o->alpha < 1 && o->threshold >= 0 &&
	       o->level > 0 && o->level < 1 && o->resamples > 0;
}

int compare_runs(const struct run *base, const struct run *new,
		 const struct compare_options *o, struct comparison *cmp)
{
	bool *used = NULL;
	int ret = -ENOMEM;

	memset(cmp, 0, sizeof(*cmp));
	if (!options_ok(o))
		return -EINVAL;
	cmp->opts = *o;
	used = calloc(new->n_cells + 1, sizeof(*used));
	cmp->cells = calloc(base->n_cells + 1, sizeof(*cmp->cells));
	cmp->only_base = calloc(base->n_cells + 1, sizeof(*cmp->only_base));
	cmp->only_new = calloc(new->n_cells + 1, sizeof(*cmp->only_new));
	cmp->env_diffs = calloc(N_ENV_FIELDS, sizeof(*cmp->env_diffs));
	if (!used || !cmp->cells || !cmp->only_base || !cmp->only_new ||
	    !cmp->env_diffs)
		goto out_fail;

	diff_environments(base, new, cmp);
	/* quadratic, but runs have hundreds of cells, not millions */
	for (size_t i = 0; i < base->n_cells; i++) {
		const struct cell *b = &base->cells[i];
		size_t j;

		for (j = 0; j < new->n_cells; j++)
			if (!used[j] && cell_same_key(b, &new->cells[j],
							    o->ignore))
				break;
		if (j == new->n_cells) {
			cmp->only_base[cmp->n_only_base++] = b;
			continue;
		}
		used[j] = true;
		cmp->cells[cmp->n_cells].base = b;
		cmp->cells[cmp->n_cells].new = &new->cells[j];
		/* a seed per cell keeps each CI independent of the others */
		ret = test_cell(&cmp->cells[cmp->n_cells], o,
				o->seed + cmp->n_cells);
		if (ret)
			goto out_fail;
		cmp->n_cells++;
	}
	for (size_t j = 0; j < new->n_cells; j++)
		if (!used[j])
			cmp->only_new[cmp->n_only_new++] = &new->cells[j];
	ret = adjust_and_judge(cmp);
	if (ret)
		goto out_fail;
	free(used);
	return 0;

out_fail:
	free(used);
	compare_free(cmp);
	return ret;
}

void compare_free(struct comparison *cmp)
{
	free(cmp->cells);
	free(cmp->only_base);
	free(cmp->only_new);
	free(cmp->env_diffs);
	memset(cmp, 0, sizeof(*cmp));
}

size_t compare_tested(const struct comparison *cmp)
{
	return cmp->n_cells - cmp->n_no_data;
}

void compare_summary(const struct comparison *cmp, char *buf, size_t len)
{
	static const struct {
		const char *name;
		unsigned bit;
	} groups[] = {
		{ "CPU", COMPARE_FAIL_CPU },
		{ "memory", COMPARE_FAIL_MEMORY },
		{ "page cache", COMPARE_FAIL_CACHE },
	};
	size_t used;

	if (!compare_tested(cmp))
		used = snprintf(buf, len, "Nothing compared: no matched cell "
				"has samples on both sides");
	else if (!cmp->n_regressed && !cmp->n_improved)
		used = snprintf(buf, len, "No regressions detected");
	else if (!cmp->n_regressed)
		used = snprintf(buf, len, "No regressions detected, %zu "
				"improvement%s", cmp->n_improved,
				cmp->n_improved == 1 ? "" : "s");
	else
		used = snprintf(buf, len, "%zu regression%s, %zu improvement%s",
				cmp->n_regressed,
				cmp->n_regressed == 1 ? "" : "s",
				cmp->n_improved,
				cmp->n_improved == 1 ? "" : "s");
	if (cmp->n_disturbed && used < len)
		used += snprintf(buf + used, len - used,
				 "; %zu time change%s not judged: %s",
				 cmp->n_disturbed,
				 cmp->n_disturbed == 1 ? "" : "s",
				 cmp->disturbed_why);
	/* the other figures, only when some regressed: cells, not figures */
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		size_t n = 0;

		for (size_t i = 0; cmp->cells && i < cmp->n_cells; i++)
			for (int m = METRIC_TIME + 1; m < METRIC_COUNT; m++)
				if (compare_fail_bit(m) == groups[g].bit &&
				    cmp->cells[i].metric[m].verdict ==
				    VERDICT_REGRESSED) {
					n++;
					break;
				}
		if (n && used < len)
			used += snprintf(buf + used, len - used,
					 "; %s: %zu regression%s",
					 groups[g].name, n, n == 1 ? "" : "s");
	}
}

/* ---- writers -------------------------------------------------------- */

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

/* How the cells were judged: within one run per side, across runs. */
static void md_test(FILE *f, const struct comparison *cmp)
{
	const struct compare_options *o = &cmp->opts;
	size_t judged = cmp->n_cells - cmp->n_no_data;

	fprintf(f, "- test: change of the median time new/base with its "
		   "%g%% CI, alpha %g%s, threshold ±%g%%", 100 * o->level,
		o->alpha, o->holm ? " (Holm-adjusted p)" : "",
		100 * o->threshold);
	if (cmp->n_hierarchical)
		fprintf(f, "; %zu of %zu cells over several runs per side: "
			   "hierarchical bootstrap (runs, then rounds) and "
			   "Welch's test on the runs' log medians",
			cmp->n_hierarchical, judged);
	if (judged > cmp->n_hierarchical)
		fprintf(f, "; %s%zu cells with one run per side: two-sided "
			   "Mann-Whitney U on per-copy times and a seeded "
			   "bootstrap (within-run: run-to-run variation is "
			   "%s)", cmp->n_hierarchical ? "" : "",
			judged - cmp->n_hierarchical,
			cmp->n_floored ? "covered by this host's noise floor "
					 "below" :
					 "not in these CIs; `iobench "
					 "calibrate` measures it");
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
	if (cmp->disturbed)
		fprintf(f, "\n> Time changes of cells with one run per side are "
			   "not judged (%zu shown as within noise): %s, at "
			   "another time than the other side, so that load fell "
			   "on one side only. Measure both on a quiet machine, "
			   "or both interleaved (`iobench compare REF`).\n",
			cmp->n_disturbed, cmp->disturbed_why);
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
	char line[256], *doc = NULL;
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
	report_memory_table(f, NULL, cmp, h2);

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
	return json_pack("{s:s, s:I, s:o, s:s, s:s, s:s, s:I, s:s, s:s, s:s}",
			 "strategy", c->strategy, "size", (json_int_t)c->size,
			 "tunables", results_json_cell_tunables(c),
			 "cache", cache_mode_name(c->cache),
			 "sync", sync_mode_name(c->sync), "content",
			 content_kind_name(c->content),
			 "threads", (json_int_t)(c->threads ? c->threads : 1),
			 "parallel", parallel_mode_name(c->parallel),
			 "pin", pin_mode_name(c->pin),
			 "prealloc", prealloc_mode_name(c->prealloc));
}

/* NaN and infinities are not JSON: they become null. */
static json_t *json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
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
			json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}",
				  "base", json_num(cm->base),
				  "new", json_num(cm->new),
				  "change", json_num(cm->change),
				  "change_lo", json_num(cm->lo),
				  "change_hi", json_num(cm->hi),
				  "p", json_num(cm->p),
				  "p_adjusted", json_num(cm->p_adj),
				  "verdict",
				  compare_verdict_name(cm->verdict)));
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
	json_object_set_new(o, "base_median_ci_half_s",
			    json_num(cc->base_half));
	json_object_set_new(o, "new_median_ci_half_s",
			    json_num(cc->new_half));
	json_object_set_new(o, "noise_floor", cc->floor > 0 ?
			    json_real(exp(cc->floor) - 1) : json_null());
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

	for (size_t i = 0; a && i < sizeof(fail_names) / sizeof(fail_names[0]);
	     i++)
		if (bits & fail_names[i].bit)
			json_array_append_new(a,
					      json_string(fail_names[i].name));
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
	char line[256], *doc;

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
	json_object_set_new(root, "time_not_judged",
			    cmp->disturbed ?
			    json_pack("{s:I, s:s}", "cells",
				      (json_int_t)cmp->n_disturbed, "why",
				      cmp->disturbed_why) : json_null());
	json_object_set_new(root, "fail_on", json_fail_on(cmp->opts.fail_on));
	json_object_set_new(root, "figures", json_figure_counts(cmp));
	doc = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(root);
	return doc;
}
