// SPDX-License-Identifier: MIT
/*
 * compare's environments (compare_env.c): a side of one run measured
 * under other load at another time gets no time verdict, and a
 * regression so left unjudged is never "no regressions"; sides of
 * different run counts are named, and so are sizes no floor covers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calibration.h"
#include "compare.h"
#include "fixture.h"

/* A single-run side measured under other load at another time: its time
 * changes are not judged (within noise, gate passes, said why); the same
 * two runs measured together (overlapping times) are judged.
 * The sentence names both: other processes and the hypervisor's steal. */
static void test_disturbed_side(void **state)
{
	struct compare_options o;
	char line[1024];

	(void)state;
	compare_default_options(&o);
	/* 0: apart, regressed; 1: together; 2: apart, improved; 3: apart,
	 * both sides busy; 4: back to back (new started 1 s after base
	 * ended), regressed: not together */
	for (int k = 0; k < 5; k++) {
		struct comparison cmp;
		struct run b, n;

		fixture_run(&b, "base");
		fixture_run(&n, "new");
		b.env.load.measured = true;
		b.env.load.other_cpus = 1.3;
		b.env.load.steal_cpus = 0.1;
		b.env.load.cpus = 2;
		n.env.load.measured = true;
		n.env.load.cpus = 2;
		n.env.load.other_cpus = k == 3 ? 0.6 : 0;
		b.duration = n.duration = 60;
		if (k != 1) {
			free(n.started);
			n.started = strdup(k == 4 ? "2026-01-02T03:05:06Z"
						  : "2026-01-02T03:06:05Z");
		}
		fixture_add_cell(&b, "rw", 1 << 20, 4096, fixture_tight, 10, 1);
		fixture_add_cell(&n, "rw", 1 << 20, 4096, fixture_tight, 10,
				 k == 2 ? 0.8 : 1.2);
		assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
		compare_summary(&cmp, line, sizeof(line));
		if (k == 1) {
			assert_false(cmp.disturbed);
			assert_int_equal(cmp.cells[0].verdict,
					 VERDICT_REGRESSED);
			assert_true(compare_failed(&cmp));
			assert_false(compare_unjudged(&cmp));
		} else if (k == 2) {
			/* an improvement not judged: nothing would fail */
			assert_true(cmp.disturbed);
			assert_int_equal(cmp.n_disturbed, 1);
			assert_int_equal(cmp.n_disturbed_regressed, 0);
			assert_false(compare_unjudged(&cmp));
			assert_non_null(strstr(line,
					       "No regressions detected; "
					       "1 time change not judged"));
		} else {
			/* a regression not judged: never "no regressions",
			 * and the gate says it could not look (exit 2) */
			assert_true(cmp.disturbed);
			assert_int_equal(cmp.n_disturbed, 1);
			assert_int_equal(cmp.n_disturbed_regressed, 1);
			assert_int_equal(cmp.cells[0].verdict, VERDICT_NOISE);
			assert_false(compare_failed(&cmp));
			assert_true(compare_unjudged(&cmp));
			assert_null(strstr(line, "No regressions"));
			assert_non_null(strstr(line,
					       "Not judged: 1 time change "
					       "that regressed: "));
			assert_non_null(strstr(
				line, k == 3 ? "both runs were measured while "
					       "other processes "
					       "kept CPUs busy, each at its "
					       "own time (base 1.30, "
					       "new 0.60 of 2 CPUs"
					     : "the base run was measured "
					       "while other processes "
					       "kept 1.30 of 2 CPUs busy and "
					       "the hypervisor took "
					       "0.10 (steal)"));
		}
		compare_free(&cmp);
		results_free(&b);
		results_free(&n);
	}
}

/* compare.md of base b and new n (you free it). */
static char *markdown(const struct comparison *cmp, const struct run *b,
		      const struct run *n)
{
	char *md = compare_markdown(
		cmp, &(struct compare_sides){ .base_label = "base",
					      .new_label = "new",
					      .base = b,
					      .new = n });

	assert_non_null(md);
	return md;
}

/* A side of one run against one of two: the two are pooled and judged
 * as one run per side, and compare.md says so, with the runs among the
 * environment differences. */
static void test_runs_differ(void **state)
{
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;
	struct cell *c;
	bool listed = false;
	char *md;

	(void)state;
	compare_default_options(&o);
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	fixture_add_cell(&b, "rw", 1 << 20, 4096, fixture_tight, 10, 1);
	c = fixture_add_cell(&n, "rw", 1 << 20, 4096, fixture_tight, 10, 1);
	for (size_t j = 0; j < c->n_samples; j++)
		c->samples[j].run = j % 2;
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	for (size_t i = 0; i < cmp.n_env_diffs; i++)
		listed |= !strcmp(cmp.env_diffs[i].field, "runs (--runs)") &&
			  !strcmp(cmp.env_diffs[i].base, "1") &&
			  !strcmp(cmp.env_diffs[i].new, "2");
	assert_true(listed);
	md = markdown(&cmp, &b, &n);
	assert_non_null(strstr(md, "1 cells with one run on one side only "
				   "(base 1, new 2 runs; the runs' samples "
				   "pooled), judged as with one run per "
				   "side: two-sided"));
	free(md);
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
}

/* A calibration of 1M only, two sizes compared with one run per side:
 * the 4K shift's floor is "not calibrated" (it read ±0.0%), and the
 * test line says which cells' run-to-run variation no floor covers. */
static void test_floor_partial(void **state)
{
	struct calibration cal = { 0 };
	struct compare_options o;
	struct comparison cmp;
	struct run b, n;
	char *md;

	(void)state;
	for (int i = 0; i < 10; i++)
		assert_int_equal(calibration_add_change(&cal, 1 << 20, false,
							i % 2 ? 0.02 : -0.02),
				 0);
	assert_int_equal(calibration_finish(&cal), 0);
	assert_int_equal(calibration_add_shift(&cal, 1 << 20, false, 0.05), 0);
	fixture_run(&b, "base");
	fixture_run(&n, "new");
	for (size_t k = 0; k < 6; k++)
		for (int s = 0; s < 2; s++) {
			uint64_t size = s ? 1 << 20 : 4096;

			fixture_add_cell(&b, fixture_six[k], size, 4096,
					 fixture_tight, 10, 1);
			fixture_add_cell(&n, fixture_six[k], size, 4096,
					 fixture_tight, 10, 1.05);
		}
	compare_default_options(&o);
	o.floors = &cal;
	assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
	assert_int_equal(cmp.n_floored, 6);
	md = markdown(&cmp, &b, &n);
	assert_non_null(strstr(md, "| 4K | page cache | 1 | 6 | +5.0% | not "
				   "calibrated |"));
	assert_null(strstr(md, "±0.0%"));
	assert_non_null(strstr(md, "covered by this host's noise floor below "
				   "for 6 of them; the other 6 are of sizes "
				   "the calibration lacks"));
	free(md);
	compare_free(&cmp);
	results_free(&b);
	results_free(&n);
	calibration_free(&cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disturbed_side),
		cmocka_unit_test(test_runs_differ),
		cmocka_unit_test(test_floor_partial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
