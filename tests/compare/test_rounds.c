// SPDX-License-Identifier: MIT
/* compare of two single runs: samples over their rounds' effects, a
 * floor of its own for a cell that moves more than its size, a size
 * whose cells moved apart left unjudged, and two copies that wait for the
 * device moving as one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "calibration.h"
#include "compare.h"
#include "fixture.h"


#define MIB (1u << 20)

/* A cell of `size` whose sample i ran in round i (rounds known unless
 * !rounds: every sample round 0, as a file from before rounds), the odd
 * rounds `slow` times slower (the other vCPU), all of it x scale. */
static void add(struct run *r, const char *strategy, uint64_t size,
		double scale, double slow, bool rounds)
{
	/* each strategy its own order of the times: cells of one round
	 * differ by their own noise too */
	size_t rot = r->n_cells * 3;
	double t[10];
	struct cell *c;

	for (size_t i = 0; i < 10; i++)
		t[i] = fixture_tight[(i + rot) % 10];
	c = fixture_add_cell(r, strategy, size, 131072, t, 10, scale);

	for (size_t i = 0; i < c->n_samples; i++) {
		c->samples[i].round = rounds ? (unsigned)i : 0;
		if (i % 2)
			c->samples[i].seconds *= slow;
	}
}

/*
 * Every round of both runs ran on one of two vCPUs, the odd ones 30%
 * slower, and splice is 20% slower in the second run. A cell's 10
 * samples hold both speeds: compared as measured, splice's two modes
 * overlap the base's (p about 0.06, the interval of medians that jump
 * between modes wide) and nothing is found; over their rounds' effects
 * the samples are as tight as each vCPU's, and splice alone regressed,
 * by 20%.
 */
static void test_round_effects(void **state)
{
	(void)state;
	for (int known = 0; known < 2; known++) {
		struct compare_options o;
		struct comparison cmp;
		struct run b, n;

		fixture_run(&b, "base");
		fixture_run(&n, "new");
		for (size_t i = 0; i < 6; i++) {
			add(&b, fixture_six[i], MIB, 1, 1.3, known);
			add(&n, fixture_six[i], MIB, i == 5 ? 1.2 : 1, 1.3, known);
		}
		compare_default_options(&o);
		assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
		for (size_t i = 0; i < 6; i++) {
			const struct compare_cell *cc = &cmp.cells[i];

			assert_int_equal(cc->round_adjusted, known);
			if (i == 5 && known) {
				assert_int_equal(cc->verdict,
						 VERDICT_REGRESSED);
				assert_float_equal(cc->ratio, 1.2, 0.01);
				assert_true(cc->ratio_lo > 1.15 &&
					    cc->ratio_hi < 1.25);
			} else {
				assert_true(cc->verdict != VERDICT_REGRESSED &&
					    cc->verdict != VERDICT_IMPROVED);
			}
		}
		assert_int_equal(cmp.n_regressed, known ? 1 : 0);
		compare_free(&cmp);
		results_free(&b);
		results_free(&n);
	}
}

/*
 * Three A/A pairs in which mmap moved by -20%, +1%, -6% and the others
 * by 0.2-2.5%: mmap's floor is its own (z x its RMS change, about 11%),
 * rw (the least moved) keeps its size's, and the file keeps both. Then
 * a compare of two runs in which mmap and rw are each 20% slower:
 * mmap's is within its floor, rw's regressed.
 */
static void test_cell_floor(void **state)
{
	static const double mmap_moves[] = { -0.20, 0.01, -0.06 };
	/* the others: each its own small move, alternating in sign */
	static const double others[] = { 0.002, -0.01, 0, 0.015, -0.025,
					 0.005 };
	struct calibration cal = { 0 }, back;
	struct compare_options o;
	struct comparison cmp;
	char path[64], err[256], *doc, key[256];
	double own, size_floor;
	struct run b, n;
	FILE *f;

	(void)state;
	for (int p = 0; p < 3; p++) {
		fixture_run(&b, "a");
		fixture_run(&n, "b");
		for (size_t i = 0; i < 6; i++) {
			double m = i == 2 ? mmap_moves[p] :
				   others[i] * (p % 2 ? 1 : -1);

			add(&b, fixture_six[i], MIB, 1, 1, true);
			add(&n, fixture_six[i], MIB, exp(m), 1, true);
		}
		assert_int_equal(compare_calibration_pair(&cal, &b, &n), 0);
		results_free(&b);
		results_free(&n);
	}
	assert_int_equal(calibration_finish(&cal), 0);
	assert_int_equal(cal.n_cells, 6);
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	for (size_t i = 0; i < 6; i++) {
		add(&b, fixture_six[i], MIB, 1, 1, true);
		add(&n, fixture_six[i], MIB, i == 0 || i == 2 ? 1.2 : 1, 1, true);
	}
	size_floor = calibration_floor(&cal, MIB, false, 6, 0.05);
	own = calibration_cell_floor(&cal, MIB, false,
				     cell_key(&b.cells[2], key, sizeof(key)),
				     6, 0.05);
	assert_true(size_floor > 0 && size_floor < log(1.1));
	assert_true(own > log(1.2));
	assert_float_equal(calibration_cell_floor(
				   &cal, MIB, false,
				   cell_key(&b.cells[0], key, sizeof(key)), 6,
				   0.05),
			   size_floor, 1e-12);
	/* a cell the calibration never saw: its size's */
	assert_float_equal(calibration_cell_floor(&cal, MIB, false, "none",
						  6, 0.05),
			   size_floor, 1e-12);
	doc = calibration_json(&cal);
	assert_non_null(doc);
	snprintf(path, sizeof(path), "/tmp/iobench-test-rounds-XXXXXX");
	assert_int_not_equal(close(mkstemp(path)), -1);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(doc, f);
	fclose(f);
	assert_int_equal(calibration_read(path, &back, err, sizeof(err)), 0);
	assert_int_equal(back.n_cells, 6);
	assert_float_equal(calibration_cell_floor(
				   &back, MIB, false,
				   cell_key(&b.cells[2], key, sizeof(key)), 6,
				   0.05),
			   own, 1e-12);
	calibration_free(&back);
	unlink(path);
	free(doc);
	compare_default_options(&o);
	o.floors = &cal;
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_int_equal(cmp.cells[0].verdict, VERDICT_REGRESSED);
	assert_int_equal(cmp.cells[2].verdict, VERDICT_NOISE);
	assert_float_equal(cmp.cells[2].floor, own, 1e-12);
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
	calibration_free(&cal);
}

/* Two runs whose 4K copies took longer by an added cost, not a factor:
 * three of six cells 2x slower, three 0.7x (test_apart*). */
static void apart_4k(struct run *b, struct run *n)
{
	fixture_run(b, "base");
	fixture_run(n, "new");
	for (size_t i = 0; i < 6; i++) {
		add(b, fixture_six[i], 4096, 1, 1, true);
		add(n, fixture_six[i], 4096, i < 3 ? 2.0 : 0.7, 1, true);
	}
}

/*
 * One run's 4K copies each took longer by an added cost, not a factor:
 * three cells 2x slower, three 0.7x. Net of the size's shift half of
 * them "changed" by 40% or more; the cells did not move together, so
 * none is judged, and the summary says why. The 1M cells of the same
 * runs, one 20% slower, are judged as usual.
 */
static void test_apart(void **state)
{
	struct compare_options o;
	struct comparison cmp;
	char line[512];
	struct run b, n;

	(void)state;
	apart_4k(&b, &n);
	for (size_t i = 0; i < 6; i++) {
		add(&b, fixture_six[i], MIB, 1, 1, true);
		add(&n, fixture_six[i], MIB, i == 1 ? 1.2 : 1, 1, true);
	}
	compare_default_options(&o);
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	for (size_t i = 0; i < 12; i++) {
		const struct compare_cell *cc = &cmp.cells[i];

		if (cc->base->size == 4096) {
			assert_true(cc->shift_spread > log1p(COMPARE_APART));
			assert_int_equal(cc->verdict, VERDICT_NOISE);
		} else {
			assert_true(cc->shift_spread < 0.01);
			assert_int_equal(cc->verdict, i == 7 ?
					 VERDICT_REGRESSED : VERDICT_SAME);
		}
	}
	assert_int_equal(cmp.n_apart, 6);
	assert_int_equal(cmp.apart_size, 4096);
	compare_summary(&cmp, line, sizeof(line));
	assert_non_null(strstr(line, "6 time changes not judged: the cells "
				     "of a size moved apart (4K: spread"));
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
}

/*
 * The same 4K cells with nothing else changed: three of them had
 * regressed, and a regression the gate could not judge does not pass
 * for none - the summary says "Not judged" and why, and the comparison
 * is unjudged (exit 2), not failed (4) nor clean (0).
 */
static void test_apart_unjudged(void **state)
{
	struct compare_options o;
	struct comparison cmp;
	char line[512], *md;
	struct run b, n;

	(void)state;
	apart_4k(&b, &n);
	compare_default_options(&o);
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_int_equal(cmp.n_apart, 6);
	assert_int_equal(cmp.n_apart_regressed, 3);
	assert_int_equal(cmp.n_regressed, 0);
	assert_false(compare_failed(&cmp));
	assert_true(compare_unjudged(&cmp));
	assert_int_equal(compare_unjudged_regressed(&cmp), 3);
	compare_summary(&cmp, line, sizeof(line));
	assert_non_null(strstr(line, "Not judged: 3 time changes that "
				     "regressed (and the others): the cells "
				     "of a size moved apart (4K: spread"));
	assert_null(strstr(line, "No regressions"));
	md = compare_markdown(&cmp,
			      &(struct compare_sides){ .base_label = "base",
						       .new_label = "new",
						       .base = &b,
						       .new = &n });
	assert_non_null(md);
	assert_non_null(strstr(md, "> 6 time changes not judged (shown as "
				   "within noise, 3 of them regressed): the "
				   "cells of a size moved apart (the widest, "
				   "4K: "));
	free(md);
	md = compare_json(&cmp, &(struct compare_sides){ .base_label = "base",
							 .new_label = "new",
							 .base = &b,
							 .new = &n });
	assert_non_null(md);
	assert_non_null(strstr(md, "\"unjudged\": true"));
	assert_non_null(strstr(md, "\"time_not_judged\": \"apart\""));
	free(md);
	/* the other way round the other three had regressed */
	compare_free(&cmp);
	assert_int_equal(compare_runs(&n, &b, &o, &cmp), 0);
	assert_int_equal(cmp.n_apart, 6);
	assert_int_equal(cmp.n_apart_regressed, 3);
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
}

/* Two runs of six page-cache 1M cells, unchanged, and two 1M copies that
 * wait for the device (cold sources), the second run's x dev0 and x dev1. */
static void device_pair(struct run *b, struct run *n, double dev0, double dev1)
{
	static const char *const cold[] = { "rw", "sendfile" };

	fixture_run(b, "base");
	fixture_run(n, "new");
	for (size_t i = 0; i < 6; i++) {
		add(b, fixture_six[i], MIB, 1, 1, true);
		add(n, fixture_six[i], MIB, 1, 1, true);
	}
	for (size_t i = 0; i < 2; i++) {
		add(b, cold[i], MIB, 3, 1, true);
		add(n, cold[i], MIB, 3 * (i ? dev1 : dev0), 1, true);
		b->cells[b->n_cells - 1].cache = CACHE_COLD;
		n->cells[n->n_cells - 1].cache = CACHE_COLD;
	}
}

/*
 * The device became 30% slower between two runs: both of its copies of
 * a size moved together, as two O_DIRECT cells of `iobench quick` do
 * here (-33% to +47% together, each 2-6% about their mean). Two cells
 * are enough for a shift of copies that wait for the device: neither is
 * "regressed". When only one of the two moved, the two cannot say which:
 * they moved apart, and its regression is not judged (exit 2) - never
 * one "regressed" and the other "improved".
 */
static void test_device_shift(void **state)
{
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;

	(void)state;
	compare_default_options(&o);
	device_pair(&b, &n, 1.3, 1.3);
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	for (size_t i = 6; i < 8; i++) {
		assert_int_equal(cmp.cells[i].shift_cells, 2);
		assert_float_equal(cmp.cells[i].shift, log(1.3), 0.01);
		assert_false(cmp.cells[i].apart);
	}
	assert_int_equal(cmp.cells[0].shift_cells, 6);
	assert_int_equal(cmp.n_regressed + cmp.n_improved, 0);
	assert_false(compare_unjudged(&cmp));
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);

	device_pair(&b, &n, 1.3, 1);
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_true(cmp.cells[6].apart && cmp.cells[7].apart);
	assert_int_equal(cmp.n_regressed + cmp.n_improved, 0);
	assert_int_equal(cmp.n_apart_regressed, 1);
	assert_true(compare_unjudged(&cmp));
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);

	/* one 9% faster: net of the shift its partner, unchanged, is 4.8%
	 * slower, a spread below COMPARE_APART - still not "regressed" */
	device_pair(&b, &n, 0.91, 1);
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_true(cmp.cells[7].shift_spread < log1p(COMPARE_APART));
	assert_true(cmp.cells[6].apart && cmp.cells[7].apart);
	assert_int_equal(cmp.n_regressed + cmp.n_improved, 0);
	assert_int_equal(cmp.n_apart_regressed, 1);
	assert_false(compare_failed(&cmp));
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_effects),
		cmocka_unit_test(test_cell_floor),
		cmocka_unit_test(test_apart),
		cmocka_unit_test(test_apart_unjudged),
		cmocka_unit_test(test_device_shift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
