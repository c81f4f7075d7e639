// SPDX-License-Identifier: MIT
/*
 * stats_* against reference values computed independently with numpy 1.24
 * and scipy 1.10 (Debian 12 python3-numpy / python3-scipy).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"
#include "stats_check.h"

/*
 * Reference values, for x as listed (python3, numpy as np, scipy.stats
 * as ss): np.median(x), np.mean(x), np.std(x, ddof=1),
 * ss.median_abs_deviation(x) (scale=1.0: raw), x.min(), x.max(),
 * np.std(x, ddof=1) / np.mean(x), np.percentile(x, 25),
 * np.percentile(x, 75) (numpy's default 'linear' method); outliers with
 * iqr = q3 - q1: severe low  np.sum(x < q1 - 3*iqr),
 * mild low np.sum((x < q1 - 1.5*iqr) & (x >= q1 - 3*iqr)), and the
 * mirror images for high.
 */
struct ref_case {
	const char *name;
	const double *x;
	size_t n;
	double median, mean, sd, mad, min, max, cv, q1, q3;
	unsigned mild_low, mild_high, severe_low, severe_high;
};

static const double ten_outlier[] = { 1.02, 0.98, 1.01, 0.99, 1.00,
				      1.03, 0.97, 1.01, 1.00, 2.50 };
static const double odd7[] = { 3.1, 2.7, 2.9, 3.4, 2.8, 3.0, 2.1 };
static const double six[] = { 5.0, 1.0, 4.0, 2.0, 6.0, 3.0 };
static const double one[] = { 0.5 };
static const double mixed[] = { 10.0, 10.1, 10.2, 10.3, 10.4, 10.5,
				10.6, 10.7, 11.6, 13.5, 9.0, 6.0 };

static const struct ref_case cases[] = {
	{ "ten_outlier", ten_outlier, N_OF(ten_outlier),
	  1.0049999999999999, 1.151, 0.4743287654968627,
	  0.015000000000000013, 0.97, 2.5, 0.41210144699988072,
	  0.99249999999999994, 1.0175000000000001, 0, 0, 0, 1 },
	{ "odd7", odd7, N_OF(odd7),
	  2.8999999999999999, 2.8571428571428577, 0.40355562548072954,
	  0.19999999999999973, 2.1, 3.4, 0.14124446891825532,
	  2.75, 3.0499999999999998, 1, 0, 0, 0 },
	{ "six", six, N_OF(six),
	  3.5, 3.5, 1.8708286933869707, 1.5, 1, 6, 0.53452248382484879,
	  2.25, 4.75, 0, 0, 0, 0 },
	/* n = 1: sd and cv are defined as 0 here (numpy gives nan) */
	{ "one", one, N_OF(one),
	  0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0.5, 0.5, 0, 0, 0, 0 },
	/* one of each outlier kind */
	{ "mixed", mixed, N_OF(mixed),
	  10.350000000000001, 10.241666666666665, 1.7191215163212832,
	  0.29999999999999982, 6.0, 13.5, 0.16785564032429129,
	  10.074999999999999, 10.625, 1, 1, 1, 1 },
};

static void test_estimators(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		const struct ref_case *c = &cases[i];
		struct estimates e;

		assert_int_equal(stats_estimate(c->x, c->n, 0.95, &e), 0);
		assert_int_equal(e.n, c->n);
		ASSERT_FIELD_CLOSE(e, c, median);
		ASSERT_FIELD_CLOSE(e, c, mean);
		ASSERT_FIELD_CLOSE(e, c, sd);
		ASSERT_FIELD_CLOSE(e, c, mad);
		ASSERT_FIELD_CLOSE(e, c, min);
		ASSERT_FIELD_CLOSE(e, c, max);
		ASSERT_FIELD_CLOSE(e, c, cv);
		ASSERT_FIELD_CLOSE(e, c, q1);
		ASSERT_FIELD_CLOSE(e, c, q3);
		assert_int_equal(e.mild_low, c->mild_low);
		assert_int_equal(e.mild_high, c->mild_high);
		assert_int_equal(e.severe_low, c->severe_low);
		assert_int_equal(e.severe_high, c->severe_high);
		assert_true(e.ci_level == 0.95);
	}
}

/*
 * (lo, hi, coverage) for n at 95%: k the largest with
 * cov = ss.binom.cdf(n-1-k, n, 0.5) - ss.binom.cdf(k, n, 0.5) >= 0.95,
 * else k = 0 with its cov; lo = k, hi = n-1-k.
 */
static const struct {
	size_t n, lo, hi;
	double coverage;
} ranks[] = {
	{ 1, 0, 0, 0 },
	{ 2, 0, 1, 0.5 },
	{ 3, 0, 2, 0.75 },
	{ 5, 0, 4, 0.9375 },
	{ 6, 0, 5, 0.96875 },
	{ 10, 1, 8, 0.978515625 },
	{ 20, 5, 14, 0.95861053466796875 },
	{ 50, 17, 32, 0.96716086243573152 },
	{ 1000, 468, 531, 0.95370880263950175 },
};

static void test_median_ci_ranks(void **state)
{
	size_t lo, hi;
	double cov;

	(void)state;
	for (size_t i = 0; i < N_OF(ranks); i++) {
		stats_median_ci_ranks(ranks[i].n, 0.95, &lo, &hi, &cov);
		assert_int_equal(lo, ranks[i].lo);
		assert_int_equal(hi, ranks[i].hi);
		assert_close(cov, ranks[i].coverage, "coverage", "ranks");
	}
	/* another level: n = 10 at 50% (same expression with >= 0.5) */
	stats_median_ci_ranks(10, 0.5, &lo, &hi, &cov);
	assert_int_equal(lo, 3);
	assert_int_equal(hi, 6);
	assert_close(cov, 0.65625, "coverage", "n=10@50%");
}

/* The CI in stats_estimate is those order statistics of the sorted data. */
static void test_median_ci_values(void **state)
{
	struct estimates e;

	(void)state;
	/* sorted ten_outlier: 0.97 0.98 0.99 1.00 1.00 1.01 1.01 1.02 ... */
	assert_int_equal(stats_estimate(ten_outlier, 10, 0.95, &e), 0);
	assert_true(e.median_lo == 0.98 && e.median_hi == 1.03);
	assert_close(e.ci_coverage, 0.978515625, "coverage", "ten");
	/* n = 6 at 95%: (min, max) */
	assert_int_equal(stats_estimate(six, 6, 0.95, &e), 0);
	assert_true(e.median_lo == 1.0 && e.median_hi == 6.0);
	/* n = 1: [x, x] with coverage 0 */
	assert_int_equal(stats_estimate(one, 1, 0.95, &e), 0);
	assert_true(e.median_lo == 0.5 && e.median_hi == 0.5);
	assert_true(e.ci_coverage == 0.0);
}

static void test_bad_input(void **state)
{
	const double with_nan[] = { 1.0, NAN, 2.0 };
	const double with_inf[] = { 1.0, INFINITY, 2.0 };
	const double b_zero[] = { 1.0, 0.0, 2.0 };
	struct estimates e;
	double r, lo, hi;

	(void)state;
	assert_int_equal(stats_estimate(with_nan, 3, 0.95, &e), -EINVAL);
	assert_int_equal(stats_estimate(with_inf, 3, 0.95, &e), -EINVAL);
	assert_int_equal(stats_estimate(six, 0, 0.95, &e), -EINVAL);
	assert_int_equal(stats_estimate(six, 6, 1.0, &e), -EINVAL);
	assert_int_equal(stats_bootstrap_ratio(with_nan, 3, six, 6, 0.95, 100,
					       1, &r, &lo, &hi), -EINVAL);
	assert_int_equal(stats_bootstrap_ratio(six, 6, with_inf, 3, 0.95, 100,
					       1, &r, &lo, &hi), -EINVAL);
	assert_int_equal(stats_bootstrap_ratio(six, 6, b_zero, 3, 0.95, 100,
					       1, &r, &lo, &hi), -EINVAL);
	assert_int_equal(stats_bootstrap_ratio(six, 6, six, 6, 0.95, 0, 1,
					       &r, &lo, &hi), -EINVAL);
}

/* 30 distinct times, so resampled medians take many values. */
static void make_sample(double *x, size_t n, double scale)
{
	for (size_t i = 0; i < n; i++)
		x[i] = scale * (1.0 + 0.01 * (double)((i * 7) % n) +
				0.001 * (double)(i % 3));
}

static void test_bootstrap_determinism(void **state)
{
	double a[30], b[30], r1, lo1, hi1, r2, lo2, hi2;
	bool differs = false;

	(void)state;
	make_sample(a, 30, 1.1);
	make_sample(b, 30, 1.0);
	assert_int_equal(stats_bootstrap_ratio(a, 30, b, 30, 0.95, 10000, 42,
					       &r1, &lo1, &hi1), 0);
	assert_int_equal(stats_bootstrap_ratio(a, 30, b, 30, 0.95, 10000, 42,
					       &r2, &lo2, &hi2), 0);
	assert_true(r1 == r2 && lo1 == lo2 && hi1 == hi2);
	assert_true(lo1 < r1 && r1 < hi1);
	/* any of a few other seeds must move the interval */
	for (uint64_t seed = 43; seed < 46; seed++) {
		assert_int_equal(stats_bootstrap_ratio(a, 30, b, 30, 0.95,
						       10000, seed, &r2, &lo2,
						       &hi2), 0);
		differs |= lo1 != lo2 || hi1 != hi2;
	}
	assert_true(differs);
	/* seeds differing only in their high 32 bits differ too */
	assert_int_equal(stats_bootstrap_ratio(a, 30, b, 30, 0.95, 10000,
					       42 | (1ull << 40), &r2, &lo2,
					       &hi2), 0);
	assert_true(lo1 != lo2 || hi1 != hi2);
}

static void test_bootstrap_scaled(void **state)
{
	double a[30], b[30], r, lo, hi;

	(void)state;
	make_sample(a, 30, 2.0);
	make_sample(b, 30, 1.0);
	assert_int_equal(stats_bootstrap_ratio(a, 30, b, 30, 0.95, 10000, 7,
					       &r, &lo, &hi), 0);
	assert_close(r, 2.0, "ratio", "scaled");
	assert_true(lo < 2.0 && 2.0 < hi);
	/* spread of x is ~15%: the CI must be narrower than that */
	assert_true(hi - lo < 0.3 * 2.0);
	/* identical samples: ratio 1 inside its CI */
	assert_int_equal(stats_bootstrap_ratio(b, 30, b, 30, 0.95, 10000, 7,
					       &r, &lo, &hi), 0);
	assert_true(r == 1.0 && lo <= 1.0 && 1.0 <= hi);
}

/* The percentile bootstrap done the obvious way: draw n values, take
 * their median, for each side and resample. */
static void naive_bootstrap(const double *a, size_t na, const double *b,
			    size_t nb, unsigned resamples, double *lo,
			    double *hi)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double *buf = malloc((na > nb ? na : nb) * sizeof(*buf));
	double *r = malloc(resamples * sizeof(*r));

	assert_non_null(rng);
	assert_non_null(buf);
	assert_non_null(r);
	gsl_rng_set(rng, 12345);
	for (unsigned k = 0; k < resamples; k++) {
		double ma, mb;

		for (size_t i = 0; i < na; i++)
			buf[i] = a[gsl_rng_uniform_int(rng, na)];
		ma = gsl_stats_median(buf, 1, na);
		for (size_t i = 0; i < nb; i++)
			buf[i] = b[gsl_rng_uniform_int(rng, nb)];
		mb = gsl_stats_median(buf, 1, nb);
		r[k] = ma / mb;
	}
	gsl_sort(r, 1, resamples);
	*lo = gsl_stats_quantile_from_sorted_data(r, 1, resamples, 0.025);
	*hi = gsl_stats_quantile_from_sorted_data(r, 1, resamples, 0.975);
	free(r);
	free(buf);
	gsl_rng_free(rng);
}

/*
 * The bootstrap draws each resample's median from its exact distribution
 * (order statistics) rather than drawing n values: its CI must be the
 * one the obvious resampling gives, for odd and even sizes, up to the
 * Monte Carlo error of 4000 resamples.
 */
static void test_bootstrap_matches_naive_resampling(void **state)
{
	static const size_t sizes[][2] = { { 1001, 999 }, { 1000, 1200 },
					   { 7, 8 } };

	(void)state;
	for (size_t t = 0; t < N_OF(sizes); t++) {
		size_t na = sizes[t][0], nb = sizes[t][1];
		double *a = malloc(na * sizeof(*a)), *b = malloc(nb * sizeof(*b));
		double r, lo, hi, nlo, nhi;

		assert_non_null(a);
		assert_non_null(b);
		/* skewed, with ties: a stretched square of a permutation */
		for (size_t i = 0; i < na; i++) {
			double u = (double)((i * 7919) % na) / na;

			a[i] = 1.1 * (1 + 0.4 * u * u);
		}
		for (size_t i = 0; i < nb; i++) {
			double u = (double)((i * 104729) % nb) / nb;

			b[i] = 1 + 0.4 * u * u;
		}
		assert_int_equal(stats_bootstrap_ratio(a, na, b, nb, 0.95, 4000,
						       99, &r, &lo, &hi), 0);
		naive_bootstrap(a, na, b, nb, 4000, &nlo, &nhi);
		/* the CI's half-widths agree within a tenth (Monte Carlo) */
		if (fabs((r - lo) - (r - nlo)) > 0.1 * (r - nlo) ||
		    fabs((hi - r) - (nhi - r)) > 0.1 * (nhi - r))
			fail_msg("n %zu/%zu: CI [%g, %g] around %g, naive "
				 "resampling [%g, %g]", na, nb, lo, hi, r, nlo,
				 nhi);
		free(a);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_estimators),
		cmocka_unit_test(test_median_ci_ranks),
		cmocka_unit_test(test_median_ci_values),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_bootstrap_determinism),
		cmocka_unit_test(test_bootstrap_scaled),
		cmocka_unit_test(test_bootstrap_matches_naive_resampling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
