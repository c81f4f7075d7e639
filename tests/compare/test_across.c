// SPDX-License-Identifier: MIT
/*
 * compare's verdict on a variant across its sizes: with one run per side
 * and a calibrated floor, a strategy 10% slower at each of three sizes -
 * inside every cell's floor - is regressed across them and fails the
 * comparison; at one size only, it is not; without a calibration nothing
 * is judged across sizes, nor where a size has no shift or a shift of
 * two cells, nor a change inside the cells' own within-run spread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "calibration.h"
#include "compare.h"
#include "fixture.h"

static const uint64_t sizes[3] = { 64 << 10, 1 << 20, 16 << 20 };
#define SIGMA 0.045

/* A calibration whose three sizes have an A/A SD of SIGMA. */
static void calibrated(struct calibration *cal)
{
	for (int s = 0; s < 3; s++)
		for (int k = 0; k < 6; k++)
			assert_int_equal(calibration_add_change(
				cal, sizes[s], false,
				(k % 2 ? 1 : -1) * SIGMA / 1.4826), 0);
	assert_int_equal(calibration_finish(cal), 0);
}

/* The six at the three sizes; splice's time x factor at sizes whose bit
 * is in `at`. */
static void runs(struct run *b, struct run *n, double factor, unsigned at)
{
	fixture_run(b, "base");
	fixture_run(n, "new");
	for (int s = 0; s < 3; s++)
		for (size_t i = 0; i < 6; i++) {
			bool slow = i == 5 && (at >> s & 1);

			fixture_add_cell(b, fixture_six[i], sizes[s], 131072,
					 fixture_tight, 10, 1);
			fixture_add_cell(n, fixture_six[i], sizes[s], 131072,
					 fixture_tight, 10, slow ? factor : 1);
		}
}

static void done(struct comparison *cmp, struct run *b, struct run *n)
{
	compare_free(cmp);
	results_free(b);
	results_free(n);
}

static const struct compare_across *splice(const struct comparison *cmp)
{
	for (size_t i = 0; i < cmp->n_across; i++)
		if (!strcmp(cmp->across[i].first->base->strategy, "splice"))
			return &cmp->across[i];
	fail_msg("splice not judged across its sizes");
	return NULL;
}

static void test_slower_everywhere(void **state)
{
	struct calibration cal = { 0 };
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;
	const struct compare_across *a;
	char line[512];

	(void)state;
	calibrated(&cal);
	runs(&b, &n, 1.10, 7);
	compare_default_options(&o);
	o.floors = &cal;
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	/* 18 cells and 6 variants in the floors' family */
	assert_int_equal(cmp.family, 24);
	assert_int_equal(cmp.n_across, 6);
	/* every splice cell is inside its floor, z(0.05 / 48) x SIGMA */
	for (size_t i = 0; i < cmp.n_cells; i++) {
		const struct compare_cell *cc = &cmp.cells[i];

		assert_float_equal(cc->floor,
				   3.0775 * SIGMA, 0.001);
		assert_int_not_equal(cc->verdict, VERDICT_REGRESSED);
	}
	assert_int_equal(cmp.n_regressed, 0);
	/* together, z = log(1.1) x sqrt(3) / SIGMA = 3.67 */
	a = splice(&cmp);
	assert_int_equal(a->cells, 3);
	assert_float_equal(a->change, 0.10, 1e-3);
	assert_float_equal(a->z, log(1.1) * sqrt(3) / SIGMA, 0.01);
	assert_true(a->lo > 0 && a->hi > a->change);
	assert_int_equal(a->verdict, VERDICT_REGRESSED);
	assert_int_equal(cmp.n_across_regressed, 1);
	assert_int_equal(cmp.n_across_improved, 0);
	for (size_t i = 0; i < cmp.n_across; i++)
		if (&cmp.across[i] != a)
			assert_int_equal(cmp.across[i].verdict, VERDICT_SAME);
	assert_true(compare_failed(&cmp));
	compare_summary(&cmp, line, sizeof(line));
	assert_non_null(strstr(line, "across sizes: `splice buffer=128K"));
	assert_non_null(strstr(line, "regressed +10%"));
	done(&cmp, &b, &n);

	/* 10% faster everywhere: improved, and the gate passes */
	runs(&b, &n, 1 / 1.10, 7);
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_int_equal(splice(&cmp)->verdict, VERDICT_IMPROVED);
	assert_false(compare_failed(&cmp));
	done(&cmp, &b, &n);
	calibration_free(&cal);
}

static void test_slower_once(void **state)
{
	struct calibration cal = { 0 };
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;
	const struct compare_across *a;

	(void)state;
	calibrated(&cal);
	/* at 1M only: z = log(1.1) / (sqrt(3) x SIGMA) = 1.22 */
	runs(&b, &n, 1.10, 2);
	compare_default_options(&o);
	o.floors = &cal;
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	a = splice(&cmp);
	assert_float_equal(a->z, log(1.1) / (sqrt(3) * SIGMA), 0.01);
	assert_int_equal(a->verdict, VERDICT_SAME);
	assert_int_equal(cmp.n_regressed, 0);
	assert_false(compare_failed(&cmp));
	done(&cmp, &b, &n);

	/* without a calibration: the cells alone, none across sizes */
	runs(&b, &n, 1.10, 7);
	o.floors = NULL;
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_int_equal(cmp.n_across, 0);
	assert_int_equal(cmp.n_regressed, 3);
	done(&cmp, &b, &n);
	calibration_free(&cal);
}

/* Per-copy times spread over 0.5x-1.5x: a median's CI of about +-40%. */
static const double wide[10] = { 0.5e-3, 1.5e-3, 0.7e-3, 1.3e-3, 0.9e-3,
				 1.1e-3, 0.6e-3, 1.4e-3, 0.8e-3, 1.2e-3 };

/* splice 10% slower at each size as above, but its samples spread wide
 * in both runs: each cell is held to its within-run standard error where
 * that is above the calibrated SD, and the 10% is not told apart. */
static void test_wide_within(void **state)
{
	struct calibration cal = { 0 };
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;
	const struct compare_across *a;

	(void)state;
	calibrated(&cal);
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	for (int s = 0; s < 3; s++)
		for (size_t i = 0; i < 6; i++) {
			const double *t = i == 5 ? wide : fixture_tight;

			fixture_add_cell(&b, fixture_six[i], sizes[s], 131072,
					 t, 10, 1);
			fixture_add_cell(&n, fixture_six[i], sizes[s], 131072,
					 t, 10, i == 5 ? 1.10 : 1);
		}
	compare_default_options(&o);
	o.floors = &cal;
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	a = splice(&cmp);
	assert_int_equal(a->cells, 3);
	assert_float_equal(a->change, 0.10, 0.02);
	/* the tight case's z was 3.67 */
	assert_true(fabs(a->z) < 2);
	assert_true(a->lo < 0 && a->hi > 0.2);
	assert_int_equal(a->verdict, VERDICT_SAME);
	assert_false(compare_failed(&cmp));
	done(&cmp, &b, &n);
	calibration_free(&cal);
}

/* Cells without a shift (3 of a size, below COMPARE_SHIFT_MIN_CELLS)
 * carry the run's level, which moves all sizes together: no variant of
 * them is judged across sizes. */
static void test_no_shift_no_across(void **state)
{
	struct calibration cal = { 0 };
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;

	(void)state;
	calibrated(&cal);
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	for (int s = 0; s < 3; s++)
		for (size_t i = 3; i < 6; i++) {
			fixture_add_cell(&b, fixture_six[i], sizes[s], 131072,
					 fixture_tight, 10, 1);
			fixture_add_cell(&n, fixture_six[i], sizes[s], 131072,
					 fixture_tight, 10,
					 i == 5 ? 1.10 : 1);
		}
	compare_default_options(&o);
	o.floors = &cal;
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	/* counted in the family (as calibrate counts them), not judged */
	assert_int_equal(cmp.family, 9 + 3);
	assert_int_equal(cmp.n_across, 0);
	assert_false(compare_failed(&cmp));
	done(&cmp, &b, &n);
	calibration_free(&cal);
}

/*
 * Two copies that wait for the device a size (cold sources), splice 12%
 * slower at each of three sizes: their shift is of two cells, and net of
 * it splice is +5.7% and sendfile, unchanged, -5.7% at every size. Which
 * of them moved cannot be told: neither is judged across sizes (each
 * would be, splice "regressed" and sendfile "improved").
 */
static void test_two_cells_no_across(void **state)
{
	static const char *const two[] = { "sendfile", "splice" };
	struct calibration cal = { 0 };
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;

	(void)state;
	for (int s = 0; s < 3; s++)
		for (int k = 0; k < 6; k++)
			assert_int_equal(
				calibration_add_change(&cal, sizes[s], true,
						       (k % 2 ? 1 : -1) * 0.02 /
							       1.4826),
				0);
	assert_int_equal(calibration_finish(&cal), 0);
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	for (int s = 0; s < 3; s++)
		for (size_t i = 0; i < 2; i++) {
			fixture_add_cell(&b, two[i], sizes[s], 0, fixture_tight,
					 10, 1)
				->cache = CACHE_COLD;
			fixture_add_cell(&n, two[i], sizes[s], 0, fixture_tight,
					 10, i ? 1.12 : 1)
				->cache = CACHE_COLD;
		}
	compare_default_options(&o);
	o.floors = &cal;
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	for (size_t i = 0; i < cmp.n_cells; i++) {
		assert_int_equal(cmp.cells[i].shift_cells, 2);
		assert_false(cmp.cells[i].apart);
		assert_float_equal(
			fabs(log(cmp.cells[i].ratio) - cmp.cells[i].shift),
			log(1.12) / 2, 0.01);
	}
	assert_int_equal(cmp.n_across, 0);
	assert_int_equal(cmp.n_regressed + cmp.n_improved, 0);
	assert_false(compare_failed(&cmp));
	done(&cmp, &b, &n);
	calibration_free(&cal);
}

/* The variants a calibration has at two sizes or more: what calibrate
 * counts into the floors' family beside the cells. */
static void test_calibration_variants(void **state)
{
	static const char *const keys[] = {
		"rw 4K buffer=128K warm sync=none random",
		"rw 1M buffer=128K warm sync=none random",
		"rw 64M buffer=128K warm sync=none random",
		"rw 1M buffer=1M warm sync=none random",
		"sendfile 4K warm sync=none random",
		"stdio 4K buffer=128K warm sync=none random",
		"sendfile 1M cold sync=none random",
		"splice 4K buffer=128K warm sync=none random",
		"splice 1M buffer=128K warm sync=none random",
	};
	struct calibration cal = { 0 };

	(void)state;
	assert_int_equal(calibration_variants(&cal), 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_int_equal(calibration_add_cell_change(&cal, keys[i],
							     0.01), 0);
	/* rw at 128K (three sizes) and splice: not rw's 1M buffer, not
	 * sendfile warm and cold, not stdio */
	assert_int_equal(calibration_variants(&cal), 2);
	calibration_free(&cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slower_everywhere),
		cmocka_unit_test(test_slower_once),
		cmocka_unit_test(test_wide_within),
		cmocka_unit_test(test_no_shift_no_across),
		cmocka_unit_test(test_two_cells_no_across),
		cmocka_unit_test(test_calibration_variants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
