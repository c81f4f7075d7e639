// SPDX-License-Identifier: MIT
/*
 * compare's statistics and verdicts on runs built in memory: Mann-Whitney
 * p-values and the bootstrap CI against scipy 1.10.1 reference values,
 * Holm, matching, verdicts, the geometric mean and the writers.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "compare.h"
#include "fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* cmocka 1.1 has no assert_double_equal */
#define assert_near(a, b, tol)                                           \
	do {                                                             \
		double a_ = (a), b_ = (b);                               \
		if (!(fabs(a_ - b_) <= (tol)))                           \
			fail_msg("%s = %.17g, expected %.17g (+/- %g)",  \
				 #a, a_, b_, (double)(tol));             \
	} while (0)

static const double x5[] = { 1.1, 2.3, 3.5, 4.2, 5.9 };
static const double y6[] = { 2.0, 6.1, 7.3, 8.4, 9.0, 10.2 };
static const double x6[] = { 10.1, 10.4, 9.8, 10.0, 10.3, 10.2 };
static const double y6b[] = { 10.5, 10.9, 10.6, 11.0, 10.45, 10.8 };
static const double x3[] = { 5.25, 7.25, 9.0 };
static const double y15[] = { 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0,
			      5.5, 6.0, 6.5, 7.0, 7.5, 8.0 };
static const double x2[] = { 1, 4 };
static const double y2[] = { 2, 3 };
static const double x20[] = {
	1.0, 1.027, 1.054, 1.046, 1.073, 1.065, 1.092, 1.119, 1.111, 1.138,
	1.13, 1.157, 1.184, 1.176, 1.203, 1.195, 1.222, 1.249, 1.241, 1.268 };
static const double y20[] = {
	1.0505, 1.0795, 1.1085, 1.0955, 1.1245, 1.1115, 1.1405, 1.1275,
	1.1565, 1.1855, 1.1725, 1.2015, 1.1885, 1.2175, 1.2045, 1.2335,
	1.2625, 1.2495, 1.2785, 1.2655 };
static const double x40[] = {
	2.0, 2.17, 2.34, 2.1, 2.27, 2.03, 2.2, 2.37, 2.13, 2.3, 2.06, 2.23,
	2.4, 2.16, 2.33, 2.09, 2.26, 2.02, 2.19, 2.36, 2.12, 2.29, 2.05, 2.22,
	2.39, 2.15, 2.32, 2.08, 2.25, 2.01, 2.18, 2.35, 2.11, 2.28, 2.04,
	2.21, 2.38, 2.14, 2.31, 2.07 };
static const double y45[] = {
	2.0305, 2.1606, 2.2907, 2.4208, 2.1209, 2.251, 2.3811, 2.0812,
	2.2113, 2.3414, 2.0415, 2.1716, 2.3017, 2.4318, 2.1319, 2.262,
	2.3921, 2.0922, 2.2223, 2.3524, 2.0525, 2.1826, 2.3127, 2.4428,
	2.1429, 2.273, 2.4031, 2.1032, 2.2333, 2.3634, 2.0635, 2.1936,
	2.3237, 2.4538, 2.1539, 2.284, 2.4141, 2.1142, 2.2443, 2.3744,
	2.0745, 2.2046, 2.3347, 2.0348, 2.1649 };
static const double t8[] = { 1, 2, 2, 3, 3, 3, 4, 5 };
static const double t9[] = { 3, 4, 4, 5, 5, 6, 7, 7, 8 };
static const double xt[] = {
	1.0, 1.7, 1.5, 1.3, 1.1, 1.8, 1.6, 1.4, 1.2, 1.0, 1.7, 1.5, 1.3, 1.1,
	1.8, 1.6, 1.4, 1.2, 1.0, 1.7, 1.5, 1.3, 1.1, 1.8, 1.6 };
static const double yt[] = {
	1.2, 1.7, 1.4, 1.9, 1.6, 1.3, 1.8, 1.5, 1.2, 1.7, 1.4, 1.9, 1.6, 1.3,
	1.8, 1.5, 1.2, 1.7, 1.4, 1.9, 1.6, 1.3, 1.8, 1.5, 1.2, 1.7, 1.4, 1.9,
	1.6, 1.3 };

/*
 * Reference values from scipy 1.10.1 (python3-scipy, Debian 12):
 *   r = scipy.stats.mannwhitneyu(x, y, alternative='two-sided',
 *                                method=M, use_continuity=True)
 *   (r.statistic, r.pvalue)
 * with M = 'exact' for the tie-free rows, 'asymptotic' for the rows with
 * ties. The 60-value row is generated (see test_mw_large_no_ties).
 */
static const struct mw_case {
	const char *name;
	const double *x, *y;
	size_t nx, ny;
	double u, p;
	bool exact;
} mw_cases[] = {
	{ "5 vs 6", x5, y6, N(x5), N(y6), 4.0, 0.05194805194805195, true },
	{ "6 vs 6 separated", x6, y6b, N(x6), N(y6b), 0.0,
	  0.0021645021645021645, true },
	{ "3 vs 15", x3, y15, N(x3), N(y15), 37.0, 0.10049019607843138,
	  true },
	{ "2 vs 2 centred", x2, y2, N(x2), N(y2), 2.0, 1.0, true },
	{ "20 vs 20", x20, y20, N(x20), N(y20), 148.0, 0.16534001940492238,
	  true },
	{ "40 vs 45", x40, y45, N(x40), N(y45), 741.0, 0.16366211018604104,
	  true },
	{ "8 vs 9 ties", t8, t9, N(t8), N(t9), 7.5, 0.006373133838085873,
	  false },
	{ "25 vs 30 ties", xt, yt, N(xt), N(yt), 270.0, 0.07559266091714517,
	  false },
};

static void test_mw_reference(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(mw_cases); i++) {
		const struct mw_case *c = &mw_cases[i];
		double u, p;
		bool exact;

		assert_int_equal(compare_mann_whitney(c->x, c->nx, c->y, c->ny,
						      &u, &p, &exact), 0);
		if (fabs(u - c->u) > 1e-9 || fabs(p - c->p) > 1e-12 * c->p ||
		    exact != c->exact)
			fail_msg("%s: U %g p %.17g exact %d; scipy U %g p "
				 "%.17g exact %d", c->name, u, p, exact, c->u,
				 c->p, c->exact);
	}
}

/*
 * 60 vs 60 without ties is past COMPARE_EXACT_MAX: normal approximation.
 *   x = [1.0 + 0.001*((i*37) % 61) for i in range(60)]
 *   y = [1.0125 + 0.001*((i*23) % 59) + 0.00001*i for i in range(60)]
 *   mannwhitneyu(x, y, alternative='two-sided', method='asymptotic')
 *   -> (1204.0, 0.0017746420088559569)
 * The ranks, hence U and p, do not depend on the last bit of each value.
 */
static void test_mw_large_no_ties(void **state)
{
	double x[60], y[60], u, p;
	bool exact;

	(void)state;
	for (int i = 0; i < 60; i++) {
		x[i] = 1.0 + 0.001 * ((i * 37) % 61);
		y[i] = 1.0125 + 0.001 * ((i * 23) % 59) + 0.00001 * i;
	}
	assert_int_equal(compare_mann_whitney(x, 60, y, 60, &u, &p, &exact),
			 0);
	assert_false(exact);
	assert_near(u, 1204.0, 1e-9);
	assert_near(p, 0.0017746420088559569, 1e-15);
}

static void test_mw_degenerate(void **state)
{
	const double same[] = { 3, 3, 3, 3 };
	double u, p;
	bool exact;

	(void)state;
	assert_int_equal(compare_mann_whitney(x5, 0, y6, 6, &u, &p, &exact),
			 -EINVAL);
	/* all equal: no evidence of any difference */
	assert_int_equal(compare_mann_whitney(same, 4, same, 4, &u, &p,
					      &exact), 0);
	assert_near(p, 1.0, 0);
	assert_near(u, 8.0, 0);
}

/* Holm by hand: sorted p 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 =
 * 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06. */
static void test_holm(void **state)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, q[5];
	const double want4[] = { 0.03, 0.06, 0.06, 0.02 };
	/* with a fifth p of 0.9: 0.025, 0.04, 0.09, 0.08, 0.9 made monotone */
	const double p5[] = { 0.01, 0.04, 0.03, 0.005, 0.9 };
	const double want5[] = { 0.04, 0.09, 0.09, 0.025, 0.9 };

	(void)state;
	assert_int_equal(compare_holm(p, 4, p), 0);	/* in place */
	for (size_t i = 0; i < 4; i++)
		assert_near(p[i], want4[i], 1e-15);
	assert_int_equal(compare_holm(p5, 5, q), 0);
	for (size_t i = 0; i < 5; i++)
		assert_near(q[i], want5[i], 1e-15);
}

/*
 * scipy 1.10.1, the percentile bootstrap of the ratio of medians:
 *   base = [round(0.0100 + 0.00007*((i*11) % 31), 6) for i in range(31)]
 *   new = [round(0.0120 + 0.00009*((i*7) % 29), 6) for i in range(31)]
 *   scipy.stats.bootstrap((new, base), lambda a, b, axis=-1:
 *       np.median(a, axis=axis) / np.median(b, axis=axis),
 *       method='percentile', n_resamples=100000, vectorized=True,
 *       paired=False, random_state=1)
 *   -> CI (1.135791366906475, 1.2488687782805428), ratio
 *      1.1918552036199093. Other random states move the upper bound by
 *      up to 0.55% (the resampled medians are discrete): 1% tolerance.
 */
static void test_bootstrap_ci_reference(void **state)
{
	double base[31], new[31];
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;

	(void)state;
	for (int i = 0; i < 31; i++) {
		base[i] = round((0.0100 + 0.00007 * ((i * 11) % 31)) * 1e6) /
			  1e6;
		new[i] = round((0.0120 + 0.00009 * ((i * 7) % 29)) * 1e6) /
			 1e6;
	}
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	fixture_add_cell(&b, "rw", 1 << 20, 131072, base, 31, 1);
	fixture_add_cell(&n, "rw", 1 << 20, 131072, new, 31, 1);
	compare_default_options(&o);
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_int_equal(cmp.n_cells, 1);
	assert_near(cmp.cells[0].ratio, 1.1918552036199093, 1e-12);
	assert_true(fabs(cmp.cells[0].ratio_lo / 1.135791366906475 - 1) <
		    0.01);
	assert_true(fabs(cmp.cells[0].ratio_hi / 1.2488687782805428 - 1) <
		    0.01);
	assert_int_equal(cmp.cells[0].verdict, VERDICT_REGRESSED);
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
}

/* 10 per-copy times spread over 9%, and a tight set spread over 0.9% */
static const double wide[] = { 0.0100, 0.0107, 0.0103, 0.0109, 0.0101,
			       0.0105, 0.0108, 0.0102, 0.0106, 0.0104 };
static const double tight[] = { 1.000, 1.007, 1.003, 1.009, 1.001,
				1.005, 1.008, 1.002, 1.006, 1.004 };

static const struct shift_case {
	const double *t;
	double scale;
	enum compare_verdict want, or_want;
} shift_cases[] = {
	{ wide, 1.20, VERDICT_REGRESSED, VERDICT_REGRESSED },
	{ wide, 0.80, VERDICT_IMPROVED, VERDICT_IMPROVED },
	{ wide, 1.01, VERDICT_SAME, VERDICT_NOISE },
	{ wide, 1.00, VERDICT_SAME, VERDICT_SAME },
	/* significant, but +2% cannot be told from the 3% threshold */
	{ tight, 1.02, VERDICT_NOISE, VERDICT_NOISE },
	{ tight, 0.98, VERDICT_NOISE, VERDICT_NOISE },
	{ tight, 1.10, VERDICT_REGRESSED, VERDICT_REGRESSED },
};

static void test_verdicts(void **state)
{
	struct compare_options o;

	(void)state;
	compare_default_options(&o);
	for (size_t i = 0; i < N(shift_cases); i++) {
		const struct shift_case *c = &shift_cases[i];
		struct comparison cmp;
		struct run b, n;
		enum compare_verdict v;

		fixture_run(&b, "base");
		fixture_run(&n, "new");
		fixture_add_cell(&b, "rw", 1 << 20, 4096, c->t, 10, 1);
		fixture_add_cell(&n, "rw", 1 << 20, 4096, c->t, 10, c->scale);
		assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
		v = cmp.cells[0].verdict;
		if (v != c->want && v != c->or_want)
			fail_msg("case %zu (x%.2f): verdict '%s' (p %g, CI "
				 "%g..%g)", i, c->scale,
				 compare_verdict_name(v), cmp.cells[0].p,
				 cmp.cells[0].ratio_lo, cmp.cells[0].ratio_hi);
		assert_near(cmp.cells[0].ratio, c->scale, 1e-9);
		assert_int_equal(cmp.n_regressed, v == VERDICT_REGRESSED);
		assert_int_equal(cmp.n_improved, v == VERDICT_IMPROVED);
		assert_false(cmp.cells[0].few_samples);
		compare_free(&cmp);
		results_free(&b);
		results_free(&n);
	}
}

/* Cells only on one side are listed; environments differences too. */
static void test_matching(void **state)
{
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;
	char key[256];

	(void)state;
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	free(n.env.kernel);
	n.env.kernel = strdup("6.19.0");
	fixture_add_cell(&b, "rw", 4096, 4096, wide, 10, 1);
	fixture_add_cell(&b, "rw", 1 << 20, 4096, wide, 10, 1);
	fixture_add_cell(&n, "rw", 1 << 20, 4096, wide, 10, 1);
	/* same strategy and size, other buffer: another cell */
	fixture_add_cell(&n, "rw", 1 << 20, 65536, wide, 10, 1);
	fixture_add_cell(&n, "sendfile", 1 << 20, 0, wide, 10, 1);
	compare_default_options(&o);
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_int_equal(cmp.n_cells, 1);
	assert_int_equal(cmp.cells[0].base->size, 1 << 20);
	assert_int_equal(cmp.n_only_base, 1);
	cell_key(cmp.only_base[0], key, sizeof(key));
	assert_string_equal(key, "rw 4K buffer=4K warm sync=none random");
	assert_int_equal(cmp.n_only_new, 2);
	cell_key(cmp.only_new[0], key, sizeof(key));
	assert_string_equal(key, "rw 1M buffer=64K warm sync=none random");
	cell_key(cmp.only_new[1], key, sizeof(key));
	assert_string_equal(key, "sendfile 1M warm sync=none random");
	assert_int_equal(cmp.n_env_diffs, 1);
	assert_string_equal(cmp.env_diffs[0].field, "kernel");
	assert_string_equal(cmp.env_diffs[0].base, "6.18.0");
	assert_string_equal(cmp.env_diffs[0].new, "6.19.0");
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
}

/*
 * Four passes a side whose levels drift together (x1.0, x1.4, x0.8,
 * x1.2, as from one pass to the next on a busy VM), the new side 20%
 * slower in every pair: judged on the pairs it is regressed with a
 * narrow CI; unpaired (runs as independent samples) the drift hides it.
 * The same drift with no change: the same, also paired.
 */
static void test_paired_runs(void **state)
{
	static const double drift[] = { 1.0, 1.4, 0.8, 1.2 };
	static const double t[] = { 10.0, 10.2, 9.9, 10.1, 10.05, 9.95 };
	struct compare_options o;

	(void)state;
	compare_default_options(&o);
	for (int paired = 0; paired < 2; paired++) {
		for (int slower = 0; slower < 2; slower++) {
			struct comparison cmp;
			struct run b, n;
			double tb[24], tn[24];
			struct cell *cb, *cn;

			fixture_run(&b, "base");
			fixture_run(&n, "new");
			for (size_t i = 0; i < 24; i++) {
				tb[i] = t[i % 6] * drift[i / 6];
				tn[i] = tb[i] * (slower ? 1.2 : 1);
			}
			cb = fixture_add_cell(&b, "rw", 1 << 20, 4096, tb, 24,
					      1);
			cn = fixture_add_cell(&n, "rw", 1 << 20, 4096, tn, 24,
					      1);
			for (size_t i = 0; i < 24; i++)
				cb->samples[i].run = cn->samples[i].run =
					(unsigned)(i / 6);
			o.paired_runs = paired;
			assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
			assert_int_equal(cmp.cells[0].paired, paired);
			if (slower && paired) {
				assert_int_equal(cmp.cells[0].verdict,
						 VERDICT_REGRESSED);
				assert_true(cmp.cells[0].ratio_lo > 1.15 &&
					    cmp.cells[0].ratio_hi < 1.25);
			} else if (slower) {
				assert_int_not_equal(cmp.cells[0].verdict,
						     VERDICT_REGRESSED);
			} else {
				assert_int_equal(cmp.cells[0].verdict,
						 VERDICT_SAME);
			}
			compare_free(&cmp);
			results_free(&b);
			results_free(&n);
		}
	}
}

/*
 * Samples taken in turns (compare REF's sweep --lockstep): each round's
 * level swings as much as 2x (a busy host, the same for both sides of a
 * round), with 1% noise of its own. New 10% slower in every round: on
 * the pairs it is regressed with a CI inside [1.05, 1.15], in one pass
 * (moving-block bootstrap) and in two (hierarchical); unpaired the swings
 * hide it. No change: the same, paired.
 */
static void test_paired_rounds(void **state)
{
	static const double swing[] = { 1.0, 2.0, 0.7, 1.5, 1.1, 0.8, 1.9,
					1.0, 1.3, 0.9 };
	static const double noise[] = { 1.0, 1.01, 0.99, 1.005, 0.995 };
	struct compare_options o;

	(void)state;
	compare_default_options(&o);
	for (int mode = 0; mode < 3; mode++) {	/* unpaired, 1 pass, 2 */
		for (int slower = 0; slower < 2; slower++) {
			struct comparison cmp;
			struct run b, n;
			double tb[20], tn[20];
			struct cell *cb, *cn;

			fixture_run(&b, "base");
			fixture_run(&n, "new");
			for (size_t i = 0; i < 20; i++) {
				tb[i] = 10 * swing[i % 10] * noise[i % 5];
				tn[i] = 10 * swing[i % 10] *
					noise[(i + 2) % 5] * (slower ? 1.1 : 1);
			}
			cb = fixture_add_cell(&b, "rw", 1 << 20, 4096, tb, 20,
					      1);
			cn = fixture_add_cell(&n, "rw", 1 << 20, 4096, tn, 20,
					      1);
			for (unsigned i = 0; i < 20; i++) {
				unsigned run = mode == 2 ? i / 10 : 0;

				cb->samples[i].run = cn->samples[i].run = run;
				cb->samples[i].round = cn->samples[i].round =
					mode == 2 ? i % 10 : i;
			}
			o.paired_rounds = mode > 0;
			assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
			assert_int_equal(cmp.cells[0].rounds_paired, mode > 0);
			assert_int_equal(cmp.cells[0].pairs, mode ? 20 : 0);
			/* two passes alike: joined as one series */
			if (mode == 2)
				assert_true(cmp.cells[0].pass_effect_p >= 0.25);
			if (slower && mode) {
				assert_int_equal(cmp.cells[0].verdict,
						 VERDICT_REGRESSED);
				assert_true(cmp.cells[0].ratio_lo > 1.05 &&
					    cmp.cells[0].ratio_hi < 1.15);
			} else if (slower) {
				assert_int_not_equal(cmp.cells[0].verdict,
						     VERDICT_REGRESSED);
			} else {
				assert_int_not_equal(cmp.cells[0].verdict,
						     VERDICT_REGRESSED);
				assert_int_not_equal(cmp.cells[0].verdict,
						     VERDICT_IMPROVED);
				assert_true(cmp.cells[0].ratio_lo < 1 &&
					    cmp.cells[0].ratio_hi > 1);
			}
			compare_free(&cmp);
			results_free(&b);
			results_free(&n);
		}
	}
}

/* Two passes whose pairs differ (new 10% faster in one, 30% slower in
 * the other): kept apart, the interval holds both and nothing is
 * called regressed on two passes that disagree. */
static void test_paired_rounds_apart(void **state)
{
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;
	double tb[20], tn[20];
	struct cell *cb, *cn;

	(void)state;
	compare_default_options(&o);
	o.paired_rounds = true;
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	for (size_t i = 0; i < 20; i++) {
		tb[i] = 10 + 0.1 * (double)(i % 7);
		tn[i] = tb[i] * (i < 10 ? 0.9 : 1.3) * (1 + 0.003 * (i % 3));
	}
	cb = fixture_add_cell(&b, "rw", 1 << 20, 4096, tb, 20, 1);
	cn = fixture_add_cell(&n, "rw", 1 << 20, 4096, tn, 20, 1);
	for (unsigned i = 0; i < 20; i++) {
		cb->samples[i].run = cn->samples[i].run = i / 10;
		cb->samples[i].round = cn->samples[i].round = i % 10;
	}
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_true(cmp.cells[0].rounds_paired);
	assert_true(cmp.cells[0].pass_effect_p < 0.01);
	assert_true(cmp.cells[0].ratio_lo < 0.95 &&
		    cmp.cells[0].ratio_hi > 1.25);
	assert_int_not_equal(cmp.cells[0].verdict, VERDICT_REGRESSED);
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
}

/* Holm over two identical cells doubles each p; few samples warn; a
 * skipped cell has no data and stays out of the geometric mean. */
static void test_holm_few_no_data_geomean(void **state)
{
	struct compare_options o;
	struct comparison cmp, plain;
	struct run b, n;

	(void)state;
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	fixture_add_cell(&b, "rw", 4096, 4096, wide, 10, 1);
	fixture_add_cell(&n, "rw", 4096, 4096, wide, 10, 1.2);
	fixture_add_cell(&b, "rw", 8192, 4096, wide, 4, 1);
	fixture_add_cell(&n, "rw", 8192, 4096, wide, 4, 0.8);
	fixture_add_cell(&b, "rw", 16384, 4096, wide, 10, 1);
	fixture_add_cell(&n, "rw", 16384, 4096, NULL, 0, 1)->status =
		CELL_SKIPPED;
	compare_default_options(&o);
	/* on by default: a sweep has dozens of cells */
	assert_true(o.holm);
	o.holm = false;
	assert_int_equal(compare_runs(&b, &n, &o, &plain), 0);
	o.holm = true;
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_int_equal(cmp.n_cells, 3);
	assert_near(cmp.cells[0].p_adj,
			    fmin(1, 2 * plain.cells[0].p), 1e-15);
	assert_near(plain.cells[0].p_adj, plain.cells[0].p, 0);
	assert_true(cmp.cells[1].few_samples);
	assert_int_equal(cmp.n_few_samples, 1);
	assert_int_equal(cmp.cells[2].verdict, VERDICT_NO_DATA);
	assert_int_equal(cmp.n_no_data, 1);
	assert_int_equal(cmp.n_geomean, 2);
	assert_near(cmp.geomean_ratio, sqrt(1.2 * 0.8), 1e-9);
	compare_free(&plain);
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
}

static void test_summary(void **state)
{
	struct comparison cmp = { 0 };
	char line[128];

	(void)state;
	compare_summary(&cmp, line, sizeof(line));
	assert_string_equal(line, "Nothing compared: no matched cell has "
			    "samples on both sides");
	cmp.n_cells = cmp.n_no_data = 2;
	compare_summary(&cmp, line, sizeof(line));
	assert_int_equal(compare_tested(&cmp), 0);
	assert_string_equal(line, "Nothing compared: no matched cell has "
			    "samples on both sides");
	cmp.n_cells = 3;
	compare_summary(&cmp, line, sizeof(line));
	assert_int_equal(compare_tested(&cmp), 1);
	assert_string_equal(line, "No regressions detected");
	cmp.n_improved = 1;
	compare_summary(&cmp, line, sizeof(line));
	assert_string_equal(line, "No regressions detected, 1 improvement");
	cmp.n_regressed = 2;
	cmp.n_improved = 5;
	compare_summary(&cmp, line, sizeof(line));
	assert_string_equal(line, "2 regressions, 5 improvements");
	cmp.n_regressed = 1;
	cmp.n_improved = 0;
	compare_summary(&cmp, line, sizeof(line));
	assert_string_equal(line, "1 regression, 0 improvements");
}

/* The Markdown has the table, the geometric-mean row, the unmatched
 * cells and the executive line; the JSON parses and agrees. */
static void test_writers(void **state)
{
	struct compare_options o;
	struct comparison cmp;
	struct compare_sides s;
	struct run b, n;
	json_t *root;
	char *md, *js;

	(void)state;
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	fixture_add_cell(&b, "rw", 1 << 20, 4096, wide, 10, 1);
	fixture_add_cell(&n, "rw", 1 << 20, 4096, wide, 10, 1.2);
	fixture_add_cell(&b, "rw", 4096, 4096, wide, 10, 1);
	compare_default_options(&o);
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	s = (struct compare_sides){ .base_label = "baseline main",
				    .new_label = "results/latest",
				    .base = &b, .new = &n };
	md = compare_markdown(&cmp, &s);
	js = compare_json(&cmp, &s);
	assert_non_null(md);
	assert_non_null(js);
	assert_non_null(strstr(md, "| strategy | size | tunables | cache | "
				   "sync | base MiB/s | new MiB/s |"));
	assert_non_null(strstr(md, "| rw | 1M | buf 4K | warm | none | "
				   "95.7 | 79.7 | +20.0 ["));
	assert_non_null(strstr(md, "❌ regressed |"));
	assert_non_null(strstr(md, "| **geometric mean** | | | | | | | "
				   "+20.0 |"));
	assert_non_null(strstr(md, "- only in base: `rw 4K buffer=4K warm "
				   "sync=none random`"));
	assert_non_null(strstr(md, "\n1 regression, 0 improvements\n"));

	root = json_loads(js, 0, NULL);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root,
				"schema")), "iobench-compare/1");
	assert_int_equal(json_integer_value(json_object_get(root,
				"regressed")), 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(root, "cells"), 0),
		"verdict")), "regressed");
	assert_int_equal(json_array_size(json_object_get(root,
				"only_in_base")), 1);
	json_decref(root);
	free(md);
	free(js);
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mw_reference),
		cmocka_unit_test(test_mw_large_no_ties),
		cmocka_unit_test(test_mw_degenerate),
		cmocka_unit_test(test_holm),
		cmocka_unit_test(test_bootstrap_ci_reference),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_paired_runs),
		cmocka_unit_test(test_paired_rounds),
		cmocka_unit_test(test_paired_rounds_apart),
		cmocka_unit_test(test_holm_few_no_data_geomean),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
