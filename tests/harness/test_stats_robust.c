// SPDX-License-Identifier: MIT
/*
 * stats_describe, stats_trend and stats_lag1_rank_autocorr against
 * reference values computed with numpy 1.24 and scipy 1.10 (Debian 12
 * python3-numpy / python3-scipy; np = numpy, ss = scipy.stats).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"
#include "stats_check.h"

/*
 * For x as listed: np.median(x), np.mean(x), np.percentile(x, [10, 25,
 * 75, 90]), ss.median_abs_deviation(x, scale='normal'), iqr = q3 - q1,
 * spread = iqr / median, mad_rel = mad / median; Tukey counts as in
 * test_stats.c (low mild, low severe, high mild, high severe);
 * slow_share = np.mean(x >= 2 * median). The mode: the rule of stats.h
 * written in numpy: y = np.sort(np.log(x)); m = max(2, ceil(n / 10));
 * gaps = y[m:n-m+1] - y[m-1:n-m]; cut = argmax(gaps) + m; pooled SD =
 * 1.482602218505602 * median(|y - median(own group)|); bimodal iff
 * gap >= log(1.1) and gap > 4 SD; share = (n - cut) / n, ratio =
 * np.median(sorted x[cut:]) / np.median(sorted x[:cut]).
 */
struct describe_case {
	const char *name;
	const double *x;
	size_t n;
	double median, mean, p10, q1, q3, p90, mad, iqr, spread, mad_rel;
	unsigned tukey[4];
	double slow_share;
	bool bimodal;
	double mode_share, mode_ratio;
};

/* one sample 2.5x slower: a Tukey outlier, not a mode */
static const double slow_tail[] = { 1.02, 0.98, 1.01, 0.99, 1.00,
				    1.03, 0.97, 1.01, 1.00, 2.50 };
/* 30% of samples in a mode 2.3x slower */
static const double two_modes[] = { 1.00, 1.02, 0.99, 1.01, 2.31, 1.03, 0.98,
				    2.25, 1.00, 1.02, 2.40, 0.97, 1.01, 2.28,
				    1.00, 0.99, 2.35, 1.02, 2.30, 1.01 };
static const double unimodal[] = { 0.101, 0.097, 0.105, 0.099,
				   0.103, 0.098, 0.102, 0.100,
				   0.104, 0.096, 0.101, 0.099 };
/* two slow samples of nine: below STATS_MODE_MIN_N, never a mode */
static const double nine[] = { 1.0, 1.01, 0.99, 1.02, 2.0,
			       2.02, 1.0, 0.98, 1.01 };

static const struct describe_case describe_cases[] = {
	{ "slow_tail", slow_tail, N_OF(slow_tail), 1.005, 1.151, 0.979,
	  0.9924999999999999, 1.0175, 1.1769999999999996,
	  0.022239033277584048, 0.025000000000000133, 0.0248756218905474,
	  0.022128391320979154, { 0, 0, 0, 1 }, 0.1, false, 0, 0 },
	{ "two_modes", two_modes, N_OF(two_modes), 1.0150000000000001,
	  1.3970000000000002, 0.989, 1.0, 2.2575, 2.314,
	  0.02965204437011223, 1.2574999999999998, 1.2389162561576352,
	  0.02921383681784456, { 0, 0, 0, 0 }, 0.3, true, 0.3,
	  2.2935323383084576 },
	{ "unimodal", unimodal, N_OF(unimodal), 0.1005, 0.10041666666666667,
	  0.0971, 0.09875, 0.10225, 0.10389999999999999,
	  0.0029652044370111963, 0.0034999999999999892,
	  0.03482587064676606, 0.029504521761305434, { 0, 0, 0, 0 }, 0.0,
	  false, 0, 0 },
	{ "nine", nine, N_OF(nine), 1.01, 1.2255555555555555, 0.988, 1.0,
	  1.02, 2.004, 0.014826022185056032, 0.020000000000000018,
	  0.01980198019801982, 0.01467922988619409, { 0, 0, 0, 2 },
	  0.1111111111111111, false, 0, 0 },
};

static void test_describe(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(describe_cases); i++) {
		const struct describe_case *c = &describe_cases[i];
		struct stats_distribution d;

		assert_int_equal(stats_describe(c->x, c->n, &d), 0);
		assert_int_equal(d.n, c->n);
		ASSERT_FIELD_CLOSE(d, c, median);
		ASSERT_FIELD_CLOSE(d, c, mean);
		ASSERT_FIELD_CLOSE(d, c, p10);
		ASSERT_FIELD_CLOSE(d, c, q1);
		ASSERT_FIELD_CLOSE(d, c, q3);
		ASSERT_FIELD_CLOSE(d, c, p90);
		ASSERT_FIELD_CLOSE(d, c, mad);
		ASSERT_FIELD_CLOSE(d, c, iqr);
		ASSERT_FIELD_CLOSE(d, c, spread);
		ASSERT_FIELD_CLOSE(d, c, mad_rel);
		assert_int_equal(d.tukey_low_mild, c->tukey[0]);
		assert_int_equal(d.tukey_low_severe, c->tukey[1]);
		assert_int_equal(d.tukey_high_mild, c->tukey[2]);
		assert_int_equal(d.tukey_high_severe, c->tukey[3]);
		assert_true(d.slow_factor == 2.0);
		assert_close(d.slow_share, c->slow_share, "slow_share",
			     c->name);
		if (d.bimodal != c->bimodal)
			fail_msg("%s: bimodal = %d", c->name, d.bimodal);
		assert_close(d.slow_mode_share, c->mode_share, "mode share",
			     c->name);
		assert_close(d.slow_mode_ratio, c->mode_ratio, "mode ratio",
			     c->name);
		for (size_t j = 0; j < c->n; j++)
			assert_true(d.min <= c->x[j] && c->x[j] <= d.max);
	}
}

static void test_describe_edges(void **state)
{
	const double one[] = { 0.25 };
	const double zeros[] = { 0.0, 0.0, 0.0 };
	const double bad[] = { 1.0, NAN };
	const double negative[] = { 1.0, -1.0 };
	struct stats_distribution d;

	(void)state;
	assert_int_equal(stats_describe(one, 1, &d), 0);
	assert_true(d.median == 0.25 && d.min == 0.25 && d.max == 0.25 &&
		    d.p10 == 0.25 && d.p90 == 0.25 && d.mad == 0.0 &&
		    d.spread == 0.0 && !d.bimodal);
	/* a zero median: relative figures are 0, nothing divides by it */
	assert_int_equal(stats_describe(zeros, 3, &d), 0);
	assert_true(d.spread == 0.0 && d.mad_rel == 0.0 &&
		    d.slow_share == 0.0);
	assert_int_equal(stats_describe(bad, 2, &d), -EINVAL);
	assert_int_equal(stats_describe(negative, 2, &d), -EINVAL);
	assert_int_equal(stats_describe(one, 0, &d), -EINVAL);
	assert_int_equal(stats_describe(NULL, 1, &d), -EINVAL);
}

/*
 * For x as listed, n = len(x): S = sum(np.sign(x[j] - x[i]), i < j);
 * t = np.unique(x, return_counts=True)[1]; var = (n(n-1)(2n+5) -
 * sum(t(t-1)(2t+5))) / 18 (the variance scipy uses: its
 * ss.kendalltau(np.arange(n), x).pvalue equals 2 ss.norm.sf(|S| /
 * sqrt(var)) for each series here); z = (S - sign(S)) / sqrt(var);
 * p = 2 ss.norm.sf(|z|); sen = ss.theilslopes(x)[0] * 100 / np.median(x);
 * U(t) = np.sum(np.sign(x[:t, None] - x[None, t:])), t = 1..n-1;
 * K = max |U|, at = first argmax + 1, p_K = min(1, 2 exp(-6 K^2 /
 * (n^3 + n^2))), step = np.median(x[at:]) / np.median(x[:at]);
 * rho = ss.spearmanr(x[:-1], x[1:]).correlation.
 */
struct trend_case {
	const char *name;
	const double *x;
	size_t n;
	double s, var, z, p, sen_rel, k, pettitt_p;
	size_t at;
	double step, rho;
};

/* +15% from round 10 on */
static const double step_series[] = { 1.00, 1.02, 0.99, 1.01, 0.98, 1.03,
				      1.00, 0.99, 1.01, 1.00, 1.16, 1.14,
				      1.17, 1.15, 1.13, 1.16, 1.18, 1.14,
				      1.15, 1.17 };
/* a trend with ties */
static const double ties_trend[] = { 5, 5, 6, 5, 7, 6, 8, 8, 7, 9, 9, 10 };
static const double flat[] = { 2.0, 2.1, 1.9, 2.05, 1.95, 2.0,
			       2.02, 1.98, 2.01, 1.99, 2.03, 1.97 };
static const double alternating[] = { 1.0, 1.2, 1.0, 1.2, 1.0,
				      1.2, 1.0, 1.2, 1.0, 1.2 };

static const struct trend_case trend_cases[] = {
	{ "step", step_series, N_OF(step_series), 103, 940.3333333333334,
	  3.326283458276941, 0.000880123752785945, 0.9259259259259267, 100,
	  0.0015809806462399323, 10, 1.1549999999999998,
	  0.5331274165020792 },
	{ "ties_trend", ties_trend, N_OF(ties_trend), 51, 205.0,
	  3.492151478847891, 0.0004791464345873001, 6.349206349206349, 35,
	  0.03943368531462139, 6, 1.5454545454545454, 0.709619387627045 },
	{ "flat", flat, N_OF(flat), -5, 211.66666666666666,
	  -0.2749373586493883, 0.7833643646826537, -0.1250000000000001, 11,
	  1.0, 2, 0.9731707317073172, -0.7972685832618591 },
	{ "alternating", alternating, N_OF(alternating), 5,
	  91.66666666666667, 0.4177863742936748, 0.6761033140231469, 0.0, 5,
	  1.0, 1, 1.2, -1.0 },
};

static void test_trend(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(trend_cases); i++) {
		const struct trend_case *c = &trend_cases[i];
		struct stats_trend t;
		double rho;

		assert_int_equal(stats_trend(c->x, c->n, &t), 0);
		assert_int_equal(t.n, c->n);
		assert_close(t.mk_s, c->s, "S", c->name);
		assert_close(t.mk_var, c->var, "var", c->name);
		assert_close(t.mk_z, c->z, "z", c->name);
		assert_close(t.mk_p, c->p, "p", c->name);
		assert_close(t.sen_slope_rel, c->sen_rel, "sen", c->name);
		assert_close(t.pettitt_k, c->k, "K", c->name);
		assert_close(t.pettitt_p, c->pettitt_p, "pettitt p", c->name);
		assert_int_equal(t.change_at, c->at);
		assert_close(t.step_ratio, c->step, "step", c->name);
		assert_close(t.lag1_rho, c->rho, "rho", c->name);
		assert_int_equal(stats_lag1_rank_autocorr(c->x, c->n, &rho),
				 0);
		assert_close(rho, c->rho, "lag1", c->name);
	}
}

static void test_trend_edges(void **state)
{
	const double two[] = { 1.0, 2.0 };
	const double constant[] = { 3.0, 3.0, 3.0, 3.0 };
	const double bad[] = { 1.0, INFINITY, 2.0 };
	struct stats_trend t;
	double rho;

	(void)state;
	assert_int_equal(stats_trend(two, 2, &t), -EINVAL);
	assert_int_equal(stats_trend(bad, 3, &t), -EINVAL);
	assert_int_equal(stats_lag1_rank_autocorr(two, 2, &rho), -EINVAL);
	assert_int_equal(stats_trend(flat, STATS_TREND_MAX_N + 1, &t),
			 -E2BIG);
	/* all ties: no trend, no step, no correlation, nothing divides by 0 */
	assert_int_equal(stats_trend(constant, 4, &t), 0);
	assert_true(t.mk_s == 0 && t.mk_var == 0 && t.mk_z == 0 &&
		    t.mk_p == 1.0 && t.sen_slope_rel == 0 &&
		    t.pettitt_p == 1.0 && t.step_ratio == 1.0 &&
		    t.lag1_rho == 0.0);
}

/* Kruskal-Wallis against its formula (scipy.stats.kruskal's: the chi-
 * square p is exp(-H/2) at 2 degrees of freedom, erfc(sqrt(H/2)) at 1),
 * with and without ties; and the refusals. */
static void test_kruskal(void **state)
{
	static const double g1[] = { 1, 2, 3, 4, 5 }, g2[] = { 2, 3, 4, 5, 6, 7 },
			    g3[] = { 10, 11, 12 };
	static const double t1[] = { 1, 1, 2, 2, 3 }, t2[] = { 2, 2, 3, 3, 4 };
	static const double same[] = { 5, 5, 5 };
	const double *three[] = { g1, g2, g3 }, *two[] = { t1, t2 };
	const double *flat[] = { same, same };
	size_t n3[] = { 5, 6, 3 }, n2[] = { 5, 5 }, nf[] = { 3, 3 };
	size_t none[] = { 5, 0 };
	double h, p;

	(void)state;
	assert_int_equal(stats_kruskal(three, n3, 3, &h, &p), 0);
	assert_true(fabs(h - 7.694308943089429) < 1e-9);
	assert_true(fabs(p - 0.021340374767062555) < 1e-9);
	assert_int_equal(stats_kruskal(two, n2, 2, &h, &p), 0);
	assert_true(fabs(h - 2.7) < 1e-9);
	assert_true(fabs(p - 0.10034824646229079) < 1e-9);
	assert_int_equal(stats_kruskal(flat, nf, 2, &h, &p), -EINVAL);
	assert_int_equal(stats_kruskal(two, none, 2, &h, &p), -EINVAL);
	assert_int_equal(stats_kruskal(two, n2, 1, &h, &p), -EINVAL);
}

/*
 * stats_median_log_se: steady samples give about the normal theory's
 * 1.2533 sd / sqrt(n); samples split evenly between two modes 2.5x apart
 * give a standard error of the order of the gap (the median jumps
 * between them); 20% of them in the slow mode leave the median, and its
 * error, in the fast one. Seeded: the same figure twice.
 */
static void test_median_log_se(void **state)
{
	double x[40], se, again;
	const double sd = 0.05, theory = 1.2533 * sd / sqrt(40.0);

	(void)state;
	/* log-normal by quantiles: x_i = exp(sd z_i), z_i at (i + 0.5) / n */
	for (size_t i = 0; i < 40; i++) {
		double p = (i + 0.5) / 40.0, z = 0;

		/* the normal quantile by bisection on erfc (libm only) */
		for (double lo = -5, hi = 5, k = 0; k < 60; k++) {
			z = (lo + hi) / 2;
			if (0.5 * erfc(-z / M_SQRT2) < p)
				lo = z;
			else
				hi = z;
		}
		x[(i * 17) % 40] = exp(sd * z);
	}
	assert_int_equal(stats_median_log_se(x, 40, 2000, 7, &se), 0);
	assert_true(se > 0.5 * theory && se < 2 * theory);
	assert_int_equal(stats_median_log_se(x, 40, 2000, 7, &again), 0);
	assert_true(se == again);
	for (size_t i = 0; i < 40; i++)
		x[i] = (i % 2 ? 2.5 : 1.0) * (1 + 0.002 * (double)(i % 5));
	assert_int_equal(stats_median_log_se(x, 40, 2000, 7, &se), 0);
	/* a band of 3 such errors of the difference reaches the other
	 * mode */
	assert_true(M_SQRT2 * 3 * se > log(2.5));
	for (size_t i = 0; i < 40; i++)
		x[i] = (i % 5 ? 1.0 : 2.5) * (1 + 0.002 * (double)(i % 7));
	assert_int_equal(stats_median_log_se(x, 40, 2000, 7, &se), 0);
	assert_true(se < 0.02);
	/* 7 of 18 in a mode 2.6-3.8x slower (`io_uring` 100M warm of a
	 * headline sweep): a median that may jump to it in another run,
	 * which the bootstrap's middle half never does (its IQR gave
	 * 0.021, a band of x1.09) */
	for (size_t i = 0; i < 18; i++)
		x[i] = i < 11 ? 0.95 + 0.01 * (double)i
			      : 2.6 + 0.2 * (double)(i - 11);
	assert_int_equal(stats_median_log_se(x, 18, 2000, 7, &se), 0);
	assert_true(M_SQRT2 * 3 * se > log(2.6));
	assert_int_equal(stats_median_log_se(x, 1, 2000, 7, &se), -EINVAL);
	assert_int_equal(stats_median_log_se(x, 40, 3, 7, &se), -EINVAL);
	x[3] = 0;
	assert_int_equal(stats_median_log_se(x, 40, 2000, 7, &se), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_describe_edges),
		cmocka_unit_test(test_trend),
		cmocka_unit_test(test_trend_edges),
		cmocka_unit_test(test_kruskal),
		cmocka_unit_test(test_median_log_se),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
