// SPDX-License-Identifier: MIT
/*
 * A single run's run-to-run band (analysis_band.c): the calibration's,
 * per cell and as the summary states it, and a cell's own where its
 * median is less steady in the run than the calibration's cells.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>

#include "analysis.h"
#include "built.h"
#include "calibration.h"
#include "cell.h"
#include "outputs.h"

/* `mmap` 1M warm with every second sample 2.5x slower; b analysed, cal
 * applied. */
static void add_two_modes(struct built *b, const struct calibration *cal)
{
	built_add(b, "mmap", MIB, CACHE_WARM, 20, 1,
		  (struct gen){ .median = 2e-3,
				.cv = 0.02,
				.still = true,
				.slow_every = 2,
				.slow_factor = 2.5 });
	built_analyse(b);
	assert_int_equal(analysis_set_calibration(&b->a, cal), 0);
}

/*
 * A cell whose samples split evenly between two modes 2.5x apart: its
 * median jumps between them, so its band is its own (wider than the
 * calibration's, run_band_own), named in the summary; the five steady
 * cells keep the calibration's, and the size's stated band is theirs.
 */
static void run_band_own(const struct calibration *cal)
{
	struct built *b = built_begin();
	char key[256], want[64], *md;
	double calibrated = 0;
	size_t own = 0;

	built_add_five(b, true);
	add_two_modes(b, cal);
	for (size_t i = 0; i < b->a.n_cells; i++) {
		const struct analysis_cell *ac = &b->a.cells[i];
		double c = calibration_run_band(
			cal, MIB, false, cell_key(ac->cell, key, sizeof(key)),
			6, ANALYSIS_ALPHA);

		if (!strcmp(ac->cell->strategy, "mmap")) {
			assert_true(ac->run_band_own);
			assert_true(ac->run_band > c + log(1.2));
			own++;
		} else {
			assert_false(ac->run_band_own);
			assert_float_equal(ac->run_band, c, 1e-12);
			calibrated = c;
		}
	}
	assert_int_equal(own, 1);
	md = built_summary(b);
	assert_non_null(strstr(md, "The median of 1 cell was less steady"));
	assert_non_null(strstr(md, "`mmap` 1M warm"));
	snprintf(want, sizeof(want), "either way, of %.2f at 1M ",
		 exp(calibrated));
	assert_non_null(strstr(md, want));
	free(md);
	built_finish(b);

	/* that cell alone: every band its own, the host still calibrated */
	b = built_begin();
	add_two_modes(b, cal);
	assert_true(b->a.cells[0].run_band_own);
	md = built_summary(b);
	assert_non_null(strstr(md, "**Run to run** on this host"));
	assert_non_null(strstr(md, "The median of 1 cell was less steady"));
	assert_null(strstr(md, "not calibrated"));
	assert_null(strstr(md, "`--runs 3` measures them"));
	free(md);
	/* the terminal summary too: the size's band, the cell's own */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		assert_non_null(f);
		outputs_print_summary(f, &b->a);
		assert_int_equal(fclose(f), 0);
		assert_non_null(strstr(text, "medians within a factor of"));
		assert_non_null(strstr(text, "1 cell less steady, wider"));
		free(text);
	}
	built_finish(b);
}

/*
 * One run's run-to-run band, from a calibration of its size: changes of
 * +-2% about the shift (SD 3%) and shifts of +-10%. Every measured cell
 * of 1M gets calibration_run_band()'s figure, about +-32% for five
 * cells (the shift's part the most of it), and the summary states it
 * per size; a size the calibration lacks gets none, and without a
 * calibration the summary says how to measure the band.
 */
static void test_run_band(void **state)
{
	struct calibration cal = { 0 };
	struct built *b;
	char key[256], *md;
	double band;

	(void)state;
	for (int i = 0; i < 10; i++)
		assert_int_equal(calibration_add_change(&cal, MIB, false,
							i % 2 ? 0.02 : -0.02),
				 0);
	assert_int_equal(calibration_finish(&cal), 0);
	/* no shifts (a file from before): no band */
	assert_true(calibration_run_band(&cal, MIB, false, "k", 5, 0.05) == 0);
	assert_int_equal(calibration_add_shift(&cal, MIB, false, 0.1), 0);
	assert_int_equal(calibration_add_shift(&cal, MIB, false, -0.1), 0);
	cal.pairs = 2;
	cal.started = strdup("2026-12-03T05:00:00Z");
	assert_non_null(cal.started);
	band = calibration_run_band(&cal, MIB, false, "k", 5, 0.05);
	assert_true(band > log(1.28) && band < log(1.36));
	assert_true(calibration_run_band(&cal, 4096, false, "k", 5, 0.05) == 0);

	b = built_begin();
	built_add_five(b, true);
	built_add(b, "rw", 4096, CACHE_WARM, 20, 1,
		  (struct gen){ .median = 1e-4, .cv = 0.02, .still = true });
	built_analyse(b);
	md = built_summary(b);
	assert_non_null(strstr(md, "`iobench calibrate` with this sweep's "
				   "options this host's band"));
	free(md);
	/* one of the five measured by the calibration (one change: no
	 * floor of its own yet); the other four are variants it lacks */
	assert_int_equal(calibration_add_cell_change(
				 &cal,
				 cell_key(b->a.cells[0].cell, key, sizeof(key)),
				 0.01),
			 0);
	assert_int_equal(analysis_set_calibration(&b->a, &cal), 0);
	assert_int_equal(b->a.band_pairs, 2);
	assert_int_equal(b->a.band_unmeasured, 4);
	for (size_t i = 0; i < b->a.n_cells; i++) {
		const struct analysis_cell *ac = &b->a.cells[i];

		if (ac->cell->size == 4096) {
			assert_true(ac->run_band == 0);
			continue;
		}
		assert_float_equal(ac->run_band,
				   calibration_run_band(
					   &cal, MIB, false,
					   cell_key(ac->cell, key, sizeof(key)),
					   6, ANALYSIS_ALPHA),
				   1e-12);
	}
	md = built_summary(b);
	assert_non_null(strstr(md, "**Run to run** on this host (`iobench "
				   "calibrate`, 2 A/A pairs, "
				   "2026-12-03T05:00:00Z)"));
	{
		char want[64];

		snprintf(want, sizeof(want),
			 "either way, of %.2f at 1M of "
			 "this one's",
			 exp(calibration_run_band(&cal, MIB, false, "k", 6,
						  ANALYSIS_ALPHA)));
		assert_non_null(strstr(md, want));
	}
	assert_null(strstr(md, " at 4K"));
	assert_non_null(strstr(md, "Sizes without a band were not "
				   "calibrated."));
	assert_non_null(strstr(md, " 4 cells of variants the calibration did "
				   "not measure (another buffer, strategy or "
				   "option) have their size's band."));
	assert_null(strstr(md, "less steady"));
	free(md);
	built_finish(b);
	run_band_own(&cal);
	calibration_free(&cal);
}

/*
 * A size's shifts drawn toward every size's (CALIBRATION_SHIFT_POOL): 4K
 * moved +-0.5% in its two pairs, 1M +-10%; 4K's band takes s^2 = (2 x
 * 0.005^2 + 3 x the pooled mean square) / (2 + 3), wider than its own
 * shifts give, and a size whose shifts are the pool's keeps them.
 */
static void test_shift_pool(void **state)
{
	struct calibration cal = { 0 };
	const double k = CALIBRATION_SHIFT_K, pool = 3.0;
	double z = gsl_cdf_ugaussian_Qinv(0.05 / (2.0 * 5)), f, s, own;

	(void)state;
	for (int i = 0; i < 10; i++) {
		assert_int_equal(calibration_add_change(&cal, MIB, false,
							i % 2 ? 0.02 : -0.02),
				 0);
		assert_int_equal(calibration_add_change(&cal, 4096, false,
							i % 2 ? 0.02 : -0.02),
				 0);
	}
	assert_int_equal(calibration_finish(&cal), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
			calibration_add_shift(&cal, MIB, false, i ? 0.1 : -0.1),
			0);
		assert_int_equal(calibration_add_shift(&cal, 4096, false,
						       i ? 0.005 : -0.005),
				 0);
	}
	f = calibration_cell_floor(&cal, 4096, false, "k", 5, 0.05);
	assert_true(f > 0);
	s = sqrt((2 * 0.005 * 0.005 +
		  pool * (2 * 0.1 * 0.1 + 2 * 0.005 * 0.005) / 4) /
		 (2 + pool));
	own = sqrt(f * f + z * z * 0.005 * 0.005 + z * z * k * k * 0.005);
	assert_float_equal(
		calibration_run_band(&cal, 4096, false, "k", 5, 0.05),
		sqrt(f * f + z * z * s * s + z * z * k * k * s), 1e-12);
	assert_true(calibration_run_band(&cal, 4096, false, "k", 5, 0.05) >
		    own + 0.05);
	calibration_free(&cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_band),
		cmocka_unit_test(test_shift_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
