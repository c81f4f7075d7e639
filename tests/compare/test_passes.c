// SPDX-License-Identifier: MIT
/*
 * compare REF's passes in memory: the A B B A order, and merging passes
 * whose cells chose different batches (files per sample) at the same
 * cost per file.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fixture.h"
#include "passes.h"

static void abba_order(void **state)
{
	static const unsigned want[] = { 0, 1, 1, 0, 0, 1, 1, 0 };

	(void)state;
	for (unsigned k = 0; k < 8; k++)
		assert_int_equal(passes_abba(k), want[k]);
}

/* A pass of one rw cell: per-copy times t, `batch` files per sample,
 * each sample with 3 allocations and 4 source pages per file. */
static void pass_of(struct run *r, const double *t, size_t n,
		    unsigned batch)
{
	struct cell *c;

	fixture_run(r, "pass");
	c = fixture_add_cell(r, "rw", 1 << 20, 1 << 17, t, n, 1);
	for (size_t i = 0; i < c->n_samples; i++) {
		c->samples[i].seconds = t[i] * batch;
		c->samples[i].cpu_sys = t[i] * batch / 2;
		c->samples[i].src_pages = 4 * batch;
		c->samples[i].mem.heap_known = true;
		c->samples[i].mem.allocs = 3 * batch;
		c->samples[i].mem.heap_peak = 4096;
	}
	c->batch = batch;
}

static void merge_rebatches(void **state)
{
	static const double a[] = { 1e-3, 1.1e-3, 0.9e-3 };
	static const double b[] = { 2e-3, 2.2e-3, 1.8e-3 };
	struct run side = { 0 }, p1, p2;
	const struct cell *c;
	double *x;

	(void)state;
	pass_of(&p1, a, 3, 22);
	pass_of(&p2, b, 3, 6);
	assert_int_equal(passes_merge(&side, &p1, 0), 0);
	assert_int_equal(passes_merge(&side, &p2, 1), 0);
	assert_int_equal(side.n_cells, 1);
	c = &side.cells[0];
	assert_int_equal(c->n_samples, 6);
	assert_int_equal(c->batch, 22);
	x = results_per_copy(c);
	assert_non_null(x);
	for (size_t i = 0; i < 3; i++) {
		/* per file, as each pass measured it */
		assert_true(fabs(x[i] - a[i]) < 1e-12);
		assert_true(fabs(x[3 + i] - b[i]) < 1e-12);
		assert_int_equal(c->samples[3 + i].run, 1);
		assert_true(fabs(c->samples[3 + i].cpu_sys - b[i] * 11) <
			    1e-12);
		assert_int_equal(c->samples[3 + i].src_pages, 4 * 22);
		assert_int_equal(c->samples[3 + i].mem.allocs, 3 * 22);
		/* a peak is no sum: it stays */
		assert_int_equal(c->samples[3 + i].mem.heap_peak, 4096);
	}
	free(x);
	results_free(&side);
	results_free(&p1);
	results_free(&p2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(abba_order),
		cmocka_unit_test(merge_rebatches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
