// SPDX-License-Identifier: MIT
/*
 * The signed-rank test, stats_paired_ratio and stats_holm against
 * reference values from numpy 1.24 / scipy 1.10 (Debian 12; np = numpy,
 * ss = scipy.stats), and the paired CI's coverage under drift, simulated
 * with a fixed seed.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats.h"
#include "stats_check.h"

/* distinct magnitudes, no zeros: exact */
static const double d15[] = { 0.031,  -0.012, 0.045, 0.027, 0.008,
			      -0.021, 0.052,  0.039, 0.017, -0.004,
			      0.061,  0.023,  0.036, -0.015, 0.049 };
/* tied magnitudes (0.02 and -0.02, ...): the normal approximation */
static const double ties[] = { 0.02, -0.01, 0.02, 0.03, 0.01, -0.02,
			       0.04, 0.03,  0.02, 0.05, -0.01, 0.03 };
/* two zeros, dropped; the rest distinct: exact on the eight others */
static const double zeros[] = { 0.013, 0.0,   -0.007, 0.021, 0.0,
				0.034, 0.018, -0.002, 0.027, 0.009 };
/* 60 distinct values: above 50, the normal approximation */
static const double d60[] = {
	0.011026,  0.050792,  0.046742,  -0.005309, 0.001061,  -0.005822,
	0.027092,  0.008318,  0.032407,  -0.045420, 0.056996,  0.007107,
	0.030411,  0.005903,  -0.001373, 0.023893,  0.034735,  0.003924,
	0.005416,  0.030571,  -0.016110, -0.035432, 0.021849,  -0.010117,
	-0.047610, -0.014422, -0.004028, -0.025796, -0.034774, 0.011099,
	0.036917,  0.003006,  -0.012308, 0.021550,  0.031517,  0.001000,
	0.026340,  0.041286,  0.003791,  -0.014405, 0.020430,  0.017426,
	0.042964,  -0.028537, -0.009848, -0.015145, -0.042020, 0.013793,
	0.025834,  -0.012164, 0.051569,  0.034658,  0.028821,  0.022051,
	0.038670,  -0.029959, 0.028418,  0.028083,  -0.043032, 0.020411,
};

/*
 * p = ss.wilcoxon(d - shift, alternative=A).pvalue for A = two-sided,
 * greater, less; w_plus = ss.wilcoxon(d - shift,
 * alternative='greater').statistic. "ties": method='approx' (scipy's
 * default would run its exact path on tied ranks); "zeros":
 * ss.wilcoxon(d[d != 0], method='exact').
 */
static const struct {
	const char *name;
	const double *d;
	size_t n;
	double shift;
	size_t m;
	bool exact;
	double w_plus, two, greater, less;
} rank_cases[] = {
	{ "d15", d15, N_OF(d15), 0.0, 15, true, 106, 0.0067138671875,
	  0.00335693359375, 0.997314453125 },
	/* shift = np.log(1.03): the tie margin */
	{ "d15-margin", d15, N_OF(d15), 0.029558802241544429, 15, true, 45,
	  0.42120361328125, 0.8052978515625, 0.210601806640625 },
	{ "ties", ties, N_OF(ties), 0.0, 12, false, 68.5,
	  0.01978713776596774, 0.00989356888298387, 0.9901064311170161 },
	{ "zeros", zeros, N_OF(zeros), 0.0, 8, true, 33, 0.0390625,
	  0.01953125, 0.98828125 },
	{ "d60", d60, N_OF(d60), 0.0, 60, false, 1223,
	  0.023367405214037344, 0.011683702607018672,
	  0.9883162973929813 },
};

static void test_signed_rank(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(rank_cases); i++) {
		struct stats_signed_rank r;
		double p;

		assert_int_equal(stats_signed_rank_test(rank_cases[i].d,
							rank_cases[i].n,
							rank_cases[i].shift,
							&r),
				 0);
		assert_int_equal(r.m, rank_cases[i].m);
		assert_true(r.exact == rank_cases[i].exact);
		assert_close(r.w_plus, rank_cases[i].w_plus, "w+",
			     rank_cases[i].name);
		assert_close(r.p_two_sided, rank_cases[i].two, "two-sided",
			     rank_cases[i].name);
		assert_close(r.p_greater, rank_cases[i].greater, "greater",
			     rank_cases[i].name);
		assert_close(r.p_less, rank_cases[i].less, "less",
			     rank_cases[i].name);
		assert_int_equal(stats_signed_rank_greater(rank_cases[i].d,
							   rank_cases[i].n,
							   rank_cases[i].shift,
							   &p),
				 0);
		assert_close(p, rank_cases[i].greater, "wrapper",
			     rank_cases[i].name);
	}
}

static void test_signed_rank_edges(void **state)
{
	const double with_nan[] = { 0.031, NAN, -0.012, 0.045 };
	const double without[] = { 0.031, -0.012, 0.045 };
	const double all_zero[] = { 0.0, 0.0 };
	const double with_inf[] = { 0.1, INFINITY };
	struct stats_signed_rank a, b;
	double p;

	(void)state;
	/* NaN is a missing round: the same as leaving it out */
	assert_int_equal(stats_signed_rank_test(with_nan, 4, 0, &a), 0);
	assert_int_equal(stats_signed_rank_test(without, 3, 0, &b), 0);
	assert_true(a.m == 3 && a.w_plus == b.w_plus &&
		    a.p_two_sided == b.p_two_sided);
	/* nothing left: no evidence either way */
	assert_int_equal(stats_signed_rank_test(all_zero, 2, 0, &a), 0);
	assert_true(a.m == 0 && a.p_two_sided == 1.0 && a.p_greater == 1.0);
	assert_int_equal(stats_signed_rank_greater(all_zero, 0, 0, &p), 0);
	assert_true(p == 1.0);
	assert_int_equal(stats_signed_rank_test(with_inf, 2, 0, &a), -EINVAL);
	assert_int_equal(stats_signed_rank_greater(d15, 15, NAN, &p),
			 -EINVAL);
}

/* b: times with drift; a = b * exp(d15[i]), so log(a/b) = d15. */
static void make_pair(double *a, double *b)
{
	for (size_t i = 0; i < N_OF(d15); i++) {
		b[i] = 0.01 * (1.0 + 0.02 * (double)i);
		a[i] = b[i] * exp(d15[i]);
	}
}

/*
 * ratio = exp(hl(d15)) with hl(d) = np.median of (d[i] + d[j]) / 2 over
 * np.triu_indices(15); p = ss.wilcoxon(d15).pvalue. The distribution-free
 * interval: c = 26, the smallest c with P(T+ <= c) >= 0.025 (T+'s pmf by
 * counting subsets of 1..15 by their sum), W = np.sort(Walsh averages):
 * [exp(W[c-1]), exp(W[M-c])], M = 120.
 */
static void test_paired_ratio(void **state)
{
	double a[N_OF(d15) + 1], b[N_OF(d15) + 1];
	struct stats_paired p, q;

	(void)state;
	make_pair(a, b);
	assert_int_equal(stats_paired_ratio(a, b, 15, 0.95, 2000, 1, &p), 0);
	assert_int_equal(p.n, 15);
	assert_int_equal(p.block, 2);
	assert_true(p.level == 0.95);
	assert_close(p.ratio, 1.0232665395472176, "ratio", "d15");
	assert_close(p.p_two_sided, 0.0067138671875, "p", "d15");
	/* never narrower than the distribution-free interval */
	assert_true(p.lo <= 1.0075281954445339 + 1e-12);
	assert_true(p.hi >= 1.0397704836501578 - 1e-12);
	assert_true(p.lo > 1.0 && p.hi < 1.06);

	/* deterministic given the seed; another seed moves the bootstrap */
	assert_int_equal(stats_paired_ratio(a, b, 15, 0.95, 2000, 1, &q), 0);
	assert_true(q.lo == p.lo && q.hi == p.hi && q.ratio == p.ratio);

	/* a missing round (NaN on one side) is skipped, nothing else */
	a[15] = NAN;
	b[15] = 0.5;
	assert_int_equal(stats_paired_ratio(a, b, 16, 0.95, 2000, 1, &q), 0);
	assert_true(q.n == 15 && q.ratio == p.ratio && q.lo == p.lo &&
		    q.hi == p.hi && q.p_two_sided == p.p_two_sided);

	/* swapping the sides inverts the ratio */
	assert_int_equal(stats_paired_ratio(b, a, 15, 0.95, 2000, 1, &q), 0);
	assert_close(q.ratio, 1.0 / p.ratio, "inverse", "d15");
}

static void test_paired_ratio_bad_input(void **state)
{
	static const double x[] = { 1.0, 2.0 }, nan2[] = { NAN, NAN };
	static const double zero[] = { 1.0, 0.0 }, inf[] = { 1.0, INFINITY };
	/* each refused: NaN, zero or infinite times, a level of 1, no
	 * resamples, no pairs */
	static const struct {
		const double *a, *b;
		size_t n;
		double level;
		unsigned resamples;
	} bad[] = {
		{ x, nan2, 2, 0.95, 100 },
		{ x, zero, 2, 0.95, 100 },
		{ inf, x, 2, 0.95, 100 },
		{ x, x, 2, 1.0, 100 },
		{ x, x, 2, 0.95, 0 },
		{ x, x, 0, 0.95, 100 },
	};
	struct stats_paired p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(stats_paired_ratio(bad[i].a, bad[i].b,
						    bad[i].n, bad[i].level,
						    bad[i].resamples, 1, &p),
				 -EINVAL);
	/* one pair: a point, with a degenerate interval */
	assert_int_equal(stats_paired_ratio(x, x, 1, 0.95, 100, 1, &p), 0);
	assert_true(p.ratio == 1.0 && p.lo == 1.0 && p.hi == 1.0 &&
		    p.p_two_sided == 1.0);
}

/*
 * 400 simulated pairs of cells over n rounds, the second 10% faster
 * (true ratio 1.1), both riding the same drift (+15% linear, +10% step,
 * 2% random walk) with independent 5% noise: the 95% CI must cover 1.1
 * in 90-99% of cases.
 */
static double coverage(size_t n, unsigned cases, unsigned resamples)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	unsigned hit = 0;

	gsl_rng_set(rng, 12345 + n);
	for (unsigned c = 0; c < cases; c++) {
		double a[64], b[64], walk = 0;
		struct stats_paired p;

		for (size_t i = 0; i < n; i++) {
			double drift;

			walk += gsl_ran_gaussian(rng, 0.02);
			drift = 0.15 * (double)i / (double)n +
				(i > n / 2 ? 0.1 : 0) + walk;
			a[i] = 1.1 * exp(drift + gsl_ran_gaussian(rng, 0.05));
			b[i] = exp(drift + gsl_ran_gaussian(rng, 0.05));
		}
		assert_int_equal(stats_paired_ratio(a, b, n, 0.95, resamples,
						    c, &p),
				 0);
		hit += p.lo <= 1.1 && 1.1 <= p.hi;
	}
	gsl_rng_free(rng);
	return (double)hit / cases;
}

static void test_paired_coverage(void **state)
{
	double c10 = coverage(10, 400, 1000), c20 = coverage(20, 400, 500);

	(void)state;
	if (c10 < 0.90 || c10 > 0.99 || c20 < 0.90 || c20 > 0.99)
		fail_msg("coverage n=10 %.3f, n=20 %.3f", c10, c20);
}

/*
 * o = np.argsort(p, kind='stable'); adj = np.maximum.accumulate(
 * np.minimum(1, (m - np.arange(m)) * p[o]))[np.argsort(o)], the same as
 * statsmodels' multipletests(p, method='holm')[1].
 */
static void test_holm(void **state)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.005, 0.5, 0.04 };
	const double want[] = { 0.05, 0.12, 0.12, 0.03, 0.5, 0.12 };
	const double big[] = { 0.3, 0.6 }, bad[] = { 0.1, 1.5 };
	double adj[N_OF(p)], inplace[N_OF(p)];

	(void)state;
	assert_int_equal(stats_holm(p, N_OF(p), adj), 0);
	for (size_t i = 0; i < N_OF(p); i++)
		assert_close(adj[i], want[i], "adj", "holm");
	/* adj may be p itself */
	for (size_t i = 0; i < N_OF(p); i++)
		inplace[i] = p[i];
	assert_int_equal(stats_holm(inplace, N_OF(p), inplace), 0);
	for (size_t i = 0; i < N_OF(p); i++)
		assert_true(inplace[i] == adj[i]);
	/* capped at 1 */
	assert_int_equal(stats_holm(big, 2, adj), 0);
	assert_true(adj[0] == 0.6 && adj[1] == 0.6);
	assert_int_equal(stats_holm(bad, 2, adj), -EINVAL);
	assert_int_equal(stats_holm(NULL, 0, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_rank),
		cmocka_unit_test(test_signed_rank_edges),
		cmocka_unit_test(test_paired_ratio),
		cmocka_unit_test(test_paired_ratio_bad_input),
		cmocka_unit_test(test_paired_coverage),
		cmocka_unit_test(test_holm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
