// SPDX-License-Identifier: MIT
/*
 * stats_best_set, the hierarchical bootstrap and the noise floor: values
 * against numpy 1.24 / scipy 1.10 (Debian 12; np = numpy, ss =
 * scipy.stats), and the best set's tie rate, power and selection-aware
 * coverage simulated with fixed seeds.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats.h"
#include "stats_check.h"

/*
 * Three candidates over 10 rounds: A; B = A * exp(eB) (within the
 * margin); C = A * 1.2 * exp(eC) (20% slower). With eB = [0.012, -0.008,
 * 0.021, 0.004, -0.015, 0.017, 0.009, -0.003, 0.026, 0.006] and eC =
 * [0.031, -0.012, 0.045, 0.027, 0.008, -0.021, 0.052, 0.039, 0.017,
 * -0.004], printed with '%.17g'.
 */
static const double cand_a[] = { 1.00, 1.04, 0.98, 1.10, 1.07,
				 1.02, 0.97, 1.12, 1.05, 1.01 };
static const double cand_b[] = {
	1.0120722888660778, 1.0317131914305431, 1.000797610604778,
	1.1044088117450761, 1.054069775375277,	1.0374882287717455,
	0.97876940312065186, 1.1166450349637778, 1.0776579958971142,
	1.0160782164146056,
};
static const double cand_c[] = {
	1.2377826046638272, 1.2331134976516893, 1.230128763252651,
	1.356125499647806,  1.2943131977874871, 1.1985640126330184,
	1.2261293642855564, 1.3974515300258121, 1.2816031061298032,
	1.2071616830849177,
};

/*
 * best = A (medians 1.03, 1.0346, 1.2354); pB = ss.wilcoxon(log(B/A) -
 * log(1.03), alternative='greater').pvalue = 1.0, pC likewise =
 * 0.0009765625; Holm over both: [1.0, 0.001953125]; ratios exp(hl(log
 * (X/A))), hl = np.median of the Walsh averages: B 1.0070245572668486,
 * C 1.2211848265809142 (= the speedup of A over the reference C).
 */
static void test_best_set(void **state)
{
	const double *times[] = { cand_a, cand_b, cand_c };
	struct stats_best b, again;

	(void)state;
	assert_int_equal(stats_best_set(times, 3, 10, 2, STATS_TIE_MARGIN,
					0.05, 0.95, 2000, 7, &b),
			 0);
	assert_int_equal(b.k, 3);
	assert_int_equal(b.n, 10);
	assert_int_equal(b.best, 0);
	assert_true(b.in_set[0] && b.in_set[1] && !b.in_set[2]);
	assert_int_equal(b.n_set, 2);
	assert_true(b.ratio[0] == 1.0 && b.p_adj[0] == 1.0);
	assert_close(b.ratio[1], 1.0070245572668486, "ratio B", "best");
	assert_close(b.ratio[2], 1.2211848265809142, "ratio C", "best");
	assert_close(b.p_adj[1], 1.0, "p_adj B", "best");
	assert_close(b.p_adj[2], 0.001953125, "p_adj C", "best");
	assert_int_equal(b.ref, 2);
	assert_close(b.speedup, 1.2211848265809142, "speedup", "best");
	assert_true(b.speedup_lo > 1.15 && b.speedup_lo < b.speedup &&
		    b.speedup < b.speedup_hi && b.speedup_hi < 1.3);

	/* deterministic given the seed */
	assert_int_equal(stats_best_set(times, 3, 10, 2, STATS_TIE_MARGIN,
					0.05, 0.95, 2000, 7, &again),
			 0);
	assert_true(again.speedup_lo == b.speedup_lo &&
		    again.speedup_hi == b.speedup_hi);
	stats_best_free(&again);
	stats_best_free(&b);
	assert_null(b.in_set);

	/* no reference: no speedup; C is out by the test and by its
	 * selection-aware gap (1.22x, its low end past the margin) */
	assert_int_equal(stats_best_set(times, 3, 10, SIZE_MAX,
					STATS_TIE_MARGIN, 0.05, 0.95, 500, 7,
					&b),
			 0);
	assert_true(isnan(b.speedup) && isnan(b.speedup_lo) &&
		    b.n_set == 2 && !b.in_set[2]);
	assert_true(b.gap_lo[0] == 1.0 && isnan(b.gap_lo[1]) &&
		    b.gap_lo[2] > 1.1 && b.gap_lo[2] < b.ratio[2]);
	stats_best_free(&b);
	/* more than one candidate needs resamples */
	assert_int_equal(stats_best_set(times, 3, 10, SIZE_MAX,
					STATS_TIE_MARGIN, 0.05, 0.95, 0, 7,
					&b),
			 -EINVAL);

	/* one candidate: it is the set */
	assert_int_equal(stats_best_set(times + 2, 1, 10, 0, 0.03, 0.05,
					0.95, 100, 7, &b),
			 0);
	assert_true(b.best == 0 && b.n_set == 1 && b.speedup == 1.0 &&
		    b.speedup_lo == 1.0 && b.speedup_hi == 1.0);
	stats_best_free(&b);
}

/*
 * Two copies of one strategy at this machine's per-round noise (CV about
 * 20%): b is 1.126x a over the rounds and slower in 8 of 10, so the
 * signed-rank test alone puts it out (Holm p 0.019), but the selection-
 * aware gap's low end (0.98) holds 1: a tie, as it is.
 */
static void test_best_set_needs_both(void **state)
{
	static const double a[] = { 0.945, 0.951, 0.939, 1.197, 0.963,
				    0.638, 1.110, 1.073, 1.034, 1.011 };
	static const double b[] = { 1.064, 0.903, 1.091, 1.332, 1.309,
				    0.714, 1.101, 1.400, 1.320, 0.996 };
	const double *times[] = { a, b };
	struct stats_best r;

	(void)state;
	assert_int_equal(stats_best_set(times, 2, 10, SIZE_MAX, 0.03, 0.05,
					0.95, 2000, 7, &r),
			 0);
	assert_true(r.best == 0 && r.ratio[1] > 1.1 && r.p_adj[1] < 0.05);
	assert_true(r.gap_lo[1] < 1.03 && r.in_set[1] && r.n_set == 2);
	stats_best_free(&r);
}

static void test_best_set_missing_and_bad(void **state)
{
	double a[10], c[10], empty[10];
	const double *times[] = { a, cand_b, c };
	struct stats_best b;

	(void)state;
	memcpy(a, cand_a, sizeof(a));
	memcpy(c, cand_c, sizeof(c));
	/* a missing round on the slow one: still out, on 9 pairs */
	c[3] = NAN;
	assert_int_equal(stats_best_set(times, 3, 10, SIZE_MAX, 0.03, 0.05,
					0.95, 500, 1, &b),
			 0);
	assert_true(b.best == 0 && !b.in_set[2] && b.in_set[1]);
	/* 2 x 2^-9, Holm over two */
	assert_close(b.p_adj[2], 0.00390625, "p_adj 9 pairs", "missing");
	stats_best_free(&b);

	for (size_t i = 0; i < 10; i++)
		empty[i] = NAN;
	times[2] = empty;
	assert_int_equal(stats_best_set(times, 3, 10, SIZE_MAX, 0.03, 0.05,
					0.95, 0, 1, &b),
			 -EINVAL);
	assert_null(b.in_set);
	a[0] = 0.0;
	times[2] = c;
	assert_int_equal(stats_best_set(times, 3, 10, SIZE_MAX, 0.03, 0.05,
					0.95, 0, 1, &b),
			 -EINVAL);
	a[0] = 1.0;
	assert_int_equal(stats_best_set(times, 3, 10, 3, 0.03, 0.05, 0.95,
					100, 1, &b),
			 -EINVAL);
	assert_int_equal(stats_best_set(times, 3, 10, 0, 0.03, 0.05, 0.95, 0,
					1, &b),
			 -EINVAL);
	assert_int_equal(stats_best_set(times, 3, 10, SIZE_MAX, -0.01, 0.05,
					0.95, 0, 1, &b),
			 -EINVAL);
	stats_best_free(&b);
}

#define SIM_K 9
#define SIM_N 10

/* k candidates, log-medians mu[], CV sd, SIM_N rounds, common drift. */
static void simulate(gsl_rng *rng, double t[][SIM_N], const double *mu,
		     size_t k, double sd)
{
	double walk = 0, drift[SIM_N];

	for (size_t i = 0; i < SIM_N; i++) {
		walk += gsl_ran_gaussian(rng, 0.02);
		drift[i] = 0.1 * (double)i / SIM_N + walk;
	}
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i < SIM_N; i++)
			t[j][i] = exp(mu[j] + drift[i] +
				      gsl_ran_gaussian(rng, sd));
}

/*
 * Two copies of one strategy (CV 5%, n = 10) tie in >= 99% of 1000
 * cases; a candidate 20% slower among three is out in >= 99% of 500.
 */
static void test_tie_rate_and_power(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double t[SIM_K][SIM_N];
	const double *rows[] = { t[0], t[1], t[2] };
	const double same[] = { 0, 0 }, slow[] = { 0, 0, log(1.2) };
	unsigned ties = 0, caught = 0;

	(void)state;
	gsl_rng_set(rng, 99);
	for (unsigned c = 0; c < 1000; c++) {
		struct stats_best b;

		simulate(rng, t, same, 2, 0.05);
		assert_int_equal(stats_best_set(rows, 2, SIM_N, SIZE_MAX,
						0.03, 0.05, 0.95, 200, c, &b),
				 0);
		ties += b.n_set == 2;
		stats_best_free(&b);
		if (c % 2)
			continue;
		simulate(rng, t, slow, 3, 0.05);
		assert_int_equal(stats_best_set(rows, 3, SIM_N, SIZE_MAX,
						0.03, 0.05, 0.95, 200, c, &b),
				 0);
		caught += !b.in_set[2];
		stats_best_free(&b);
	}
	gsl_rng_free(rng);
	if (ties < 990 || caught < 495)
		fail_msg("ties %u/1000, slow one out %u/500", ties, caught);
}

/*
 * Winner's curse: 8 tied candidates 1.2x faster than the reference. The
 * selection-aware 95% CI must cover the winner's true speedup (1.2) in
 * >= 90% of 100 cases; a percentile CI of the re-picked winner did not.
 */
static void test_selection_coverage(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double t[SIM_K][SIM_N], mu[SIM_K];
	const double *rows[SIM_K];
	unsigned hit = 0;

	(void)state;
	gsl_rng_set(rng, 2024);
	mu[0] = log(1.2);
	for (size_t j = 0; j < SIM_K; j++) {
		rows[j] = t[j];
		if (j)
			mu[j] = 0;
	}
	for (unsigned c = 0; c < 100; c++) {
		struct stats_best b;

		simulate(rng, t, mu, SIM_K, 0.05);
		assert_int_equal(stats_best_set(rows, SIM_K, SIM_N, 0, 0.03,
						0.05, 0.95, 500, c, &b),
				 0);
		hit += b.speedup_lo <= 1.2 && 1.2 <= b.speedup_hi;
		stats_best_free(&b);
	}
	gsl_rng_free(rng);
	if (hit < 90)
		fail_msg("selection-aware CI covered %u/100", hit);
}

/* Three runs of one cell, unequal lengths. */
static const double run0[] = { 1.00, 1.02, 0.99, 1.01, 1.03 };
static const double run1[] = { 1.05, 1.07, 1.04, 1.06 };
static const double run2[] = { 0.97, 0.99, 0.98, 1.00, 0.96, 1.01 };
/* a = run * exp(e), e = [0.10, 0.12, 0.08, 0.11, 0.09], [0.13, 0.15,
 * 0.14, 0.12], [0.07, 0.09, 0.10, 0.08, 0.06, 0.11] ('%.17g') */
static const double a0[] = { 1.1051709180756477, 1.1500467886109633,
			     1.0724541969982091, 1.1274408511634599,
			     1.1269995122163667 };
static const double a1[] = { 1.195769802490853, 1.243162639719263,
			     1.1962847508115164, 1.1951466626741383 };
static const double a2[] = { 1.04033293581659,	 1.0832325408681582,
			     1.0830674997141347, 1.0832870676749586,
			     1.0193630846835453, 1.1274408511634599 };

/*
 * Median: np.median(all 15) = 1.01; per-run medians 1.01, 1.055, 0.985:
 * run_min 0.985, run_max 1.0550000000000002, between_rel
 * 0.06930693069306948; the t interval mean(meds) +- ss.t.ppf(0.975, 2) *
 * np.std(meds, ddof=1) / sqrt(3) = [0.9285468634684991,
 * 1.1047864698648344], inside the hull.
 * Ratio: exp(hl(pooled log(a/b))) = 1.1107106103557052; per run
 * 1.0887170666983987 .. 1.1445367843513146; the t interval on per-run
 * log estimates [1.0438634056257652, 1.1857846293627117].
 * Unpaired: np.median(all a) / np.median(all b) = 1.1158411012043234.
 */
/* GSL's gsl_cdf_tdist_Qinv and scipy's t.ppf agree to ~1e-11 */
#define T_QUANTILE_TOL 1e-9

static void test_hier(void **state)
{
	const double *x[] = { run0, run1, run2 }, *a[] = { a0, a1, a2 };
	const size_t n[] = { 5, 4, 6 };
	struct stats_hier h, again;

	(void)state;
	assert_int_equal(stats_hier_median(x, n, 3, 0.95, 2000, 3, &h), 0);
	assert_true(h.runs == 3 && h.n == 15 && h.level == 0.95);
	assert_close(h.estimate, 1.01, "median", "hier");
	assert_close(h.run_min, 0.985, "run_min", "hier");
	assert_close(h.run_max, 1.0550000000000002, "run_max", "hier");
	assert_close(h.between_rel, 0.06930693069306948, "between", "hier");
	assert_true(h.lo <= 0.9285468634684991 + T_QUANTILE_TOL &&
		    h.hi >= 1.1047864698648344 - T_QUANTILE_TOL);
	assert_int_equal(stats_hier_median(x, n, 3, 0.95, 2000, 3, &again),
			 0);
	assert_true(again.lo == h.lo && again.hi == h.hi);

	assert_int_equal(stats_hier_ratio(a, x, n, 3, 0.95, 2000, 3, &h), 0);
	assert_true(h.runs == 3 && h.n == 15);
	assert_close(h.estimate, 1.1107106103557052, "ratio", "hier");
	assert_close(h.run_min, 1.0887170666983987, "ratio min", "hier");
	assert_close(h.run_max, 1.1445367843513146, "ratio max", "hier");
	assert_true(h.lo <= 1.0438634056257652 + T_QUANTILE_TOL &&
		    h.hi >= 1.1857846293627117 - T_QUANTILE_TOL);

	assert_int_equal(stats_hier_median_ratio(a, n, 3, x, n, 3, 0.95,
						 2000, 3, &h),
			 0);
	assert_true(h.runs == 6 && h.n == 30 && isnan(h.run_min));
	assert_close(h.estimate, 1.1158411012043234, "unpaired", "hier");
	assert_true(h.lo < 1.1 && h.hi > 1.12 && h.lo > 1.0);
}

static void test_hier_bad_input(void **state)
{
	const double bad[] = { 1.0, NAN };
	const double *x[] = { run0, bad }, *one[] = { run0 };
	const size_t n[] = { 5, 2 }, none[] = { 5, 0 };
	struct stats_hier h;

	(void)state;
	assert_int_equal(stats_hier_median(x, n, 2, 0.95, 100, 1, &h),
			 -EINVAL);
	assert_int_equal(stats_hier_median(one, n, 1, 0.95, 100, 1, &h),
			 -EINVAL);
	x[1] = run1;
	assert_int_equal(stats_hier_median(x, none, 2, 0.95, 100, 1, &h),
			 -EINVAL);
	assert_int_equal(stats_hier_median(x, n, 2, 0.95, 0, 1, &h),
			 -EINVAL);
	/* a NaN round in a pair is missing, not an error */
	x[1] = bad;
	assert_int_equal(stats_hier_ratio(x, x, n, 2, 0.95, 100, 1, &h), 0);
	assert_true(h.n == 6 && h.estimate == 1.0);
}

/*
 * Runs with a 5% run-level effect and 3% sample noise, 12 rounds each:
 * the 95% CI of the median covers the true median (1) in >= 90% of 200
 * cases, with 2 runs as with 4.
 */
static void test_hier_coverage(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double v[4][12];
	const double *x[] = { v[0], v[1], v[2], v[3] };
	const size_t n[] = { 12, 12, 12, 12 };
	unsigned hit[2] = { 0, 0 };

	(void)state;
	gsl_rng_set(rng, 7);
	for (unsigned c = 0; c < 200; c++) {
		for (size_t k = 0; k < 2; k++) {
			size_t runs = 2 + 2 * k;
			struct stats_hier h;

			for (size_t r = 0; r < runs; r++) {
				double u = gsl_ran_gaussian(rng, 0.05);

				for (size_t i = 0; i < 12; i++)
					v[r][i] = exp(u + gsl_ran_gaussian(
							      rng, 0.03));
			}
			assert_int_equal(stats_hier_median(x, n, runs, 0.95,
							   500, c, &h),
					 0);
			hit[k] += h.lo <= 1.0 && 1.0 <= h.hi;
		}
	}
	gsl_rng_free(rng);
	if (hit[0] < 180 || hit[1] < 180)
		fail_msg("coverage 2 runs %u/200, 4 runs %u/200", hit[0],
			 hit[1]);
}

/* np.percentile(np.abs(changes), 95) and (.., 50) */
static void test_noise_floor(void **state)
{
	const double changes[] = { 0.012,  -0.034, 0.005, 0.021,
				   -0.008, 0.047,  0.015, -0.002,
				   0.029,  0.011,  -0.019, 0.006 };
	const double bad[] = { 0.1, NAN };
	double f;

	(void)state;
	assert_int_equal(stats_noise_floor(changes, 12, 0.95, &f), 0);
	assert_close(f, 0.03984999999999999, "p95", "floor");
	assert_int_equal(stats_noise_floor(changes, 12, 0.5, &f), 0);
	assert_close(f, 0.0135, "p50", "floor");
	assert_int_equal(stats_noise_floor(changes, 12, 1.5, &f), -EINVAL);
	assert_int_equal(stats_noise_floor(bad, 2, 0.95, &f), -EINVAL);
	assert_int_equal(stats_noise_floor(changes, 0, 0.95, &f), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_best_set),
		cmocka_unit_test(test_best_set_needs_both),
		cmocka_unit_test(test_best_set_missing_and_bad),
		cmocka_unit_test(test_tie_rate_and_power),
		cmocka_unit_test(test_selection_coverage),
		cmocka_unit_test(test_hier),
		cmocka_unit_test(test_hier_bad_input),
		cmocka_unit_test(test_hier_coverage),
		cmocka_unit_test(test_noise_floor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
