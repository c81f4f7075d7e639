// SPDX-License-Identifier: MIT
/* compare's verdicts on the figures beside time (harness/compare_judge.c):
 * peak RSS growth against its slack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "compare.h"
#include "fixture.h"

static const double wide[] = { 0.0100, 0.0107, 0.0103, 0.0109, 0.0101,
			       0.0105, 0.0108, 0.0102, 0.0106, 0.0104 };

/* RSS growth judged beside time: every sample of the new side 68 KiB
 * higher (one fault-around window and a page, as another library layout
 * gives an A/A run) is no regression; 1 MiB more is. */
static void test_rss_layout_shift(void **state)
{
	static const double more[] = { 68.0 * 1024, 1024.0 * 1024 };
	struct compare_options o;

	(void)state;
	compare_default_options(&o);
	for (int k = 0; k < 2; k++) {
		struct comparison cmp;
		struct run b, n;
		struct cell *cb, *cn;

		fixture_run(&b, "base");
		fixture_run(&n, "new");
		cb = fixture_add_cell(&b, "rw", 1 << 20, 4096, wide, 10, 1);
		cn = fixture_add_cell(&n, "rw", 1 << 20, 4096, wide, 10, 1);
		for (size_t i = 0; i < 10; i++) {
			struct sample_memory m = { .rss_known = true,
						   .rss_before = 4 << 20 };

			m.rss_peak = m.rss_before + 136 * 1024;
			cb->samples[i].mem = m;
			m.rss_peak += (uint64_t)more[k];
			cn->samples[i].mem = m;
		}
		assert_int_equal(compare_runs(&b, &n, &o, &cmp), 0);
		assert_true(cmp.cells[0].metric[METRIC_RSS].have);
		assert_int_equal(cmp.cells[0].metric[METRIC_RSS].verdict,
				 k ? VERDICT_REGRESSED : VERDICT_NOISE);
		compare_free(&cmp);
		results_free(&b);
		results_free(&n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss_layout_shift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
