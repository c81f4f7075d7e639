// SPDX-License-Identifier: MIT
/*
 * histogram_*: bucket layout, recording, merging, percentiles within the
 * documented error bound (against exact nearest-rank order statistics of
 * the same values), and the JSON round trip.
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

#include "histogram.h"

/* cmocka 1.1 has no assert_close */
#define assert_close(a, b, tol)                                                \
	do {                                                                   \
		double a_ = (a), b_ = (b);                                     \
		if (!(fabs(a_ - b_) <= (tol)))                                 \
			fail_msg("%s = %.17g, expected %.17g", #a, a_, b_);    \
	} while (0)

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank over sorted v: the smallest value with at least pct% of
 * the values at or below it. */
static uint64_t exact_percentile(const uint64_t *v, size_t n, double pct)
{
	size_t rank = (size_t)ceil(pct / 100.0 * (double)n - 1e-9);

	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

static void init_rejects_bad_precision(void **state)
{
	struct histogram h;

	(void)state;
	assert_int_equal(histogram_init(&h, 0), -EINVAL);
	assert_int_equal(histogram_init(&h, HISTOGRAM_MAX_BITS + 1), -EINVAL);
	assert_null(h.counts);
	histogram_free(&h);
}

/* Every bucket starts one past the previous one's end, maps back to
 * itself, and the last one ends at UINT64_MAX: the whole range, no gaps,
 * no overlaps, widths within the bound. */
static void buckets_tile_the_whole_range(void **state)
{
	static const unsigned precisions[] = { 1, 2, 5, 8, 12 };

	(void)state;
	for (size_t p = 0; p < sizeof(precisions) / sizeof(*precisions); p++) {
		struct histogram h;
		uint64_t next = 0, lo, hi;

		assert_int_equal(histogram_init(&h, precisions[p]), 0);
		for (size_t i = 0; i < h.n_buckets; i++) {
			histogram_bucket_range(&h, i, &lo, &hi);
			assert_int_equal(lo, next);
			assert_true(hi >= lo);
			assert_int_equal(histogram_bucket_of(&h, lo), i);
			assert_int_equal(histogram_bucket_of(&h, hi), i);
			/* width <= lo / 2^(S-1) above the exact range */
			if (hi > lo)
				assert_true((hi - lo + 1) <= lo >>
					    (precisions[p] - 1));
			next = hi + 1;
		}
		assert_int_equal(hi, UINT64_MAX);
		histogram_free(&h);
	}
}

static void small_values_are_exact(void **state)
{
	struct histogram h;

	(void)state;
	assert_int_equal(histogram_init(&h, 8), 0);
	for (uint64_t v = 1; v <= 200; v++)
		histogram_record(&h, v);
	assert_int_equal(h.total, 200);
	assert_int_equal(histogram_percentile(&h, 50), 100);
	assert_int_equal(histogram_percentile(&h, 90), 180);
	assert_int_equal(histogram_percentile(&h, 99), 198);
	assert_int_equal(histogram_percentile(&h, 99.9), 200);
	assert_int_equal(histogram_percentile(&h, 0), 1);
	assert_int_equal(histogram_percentile(&h, 100), 200);
	assert_close(histogram_mean(&h), 100.5, 1e-12);
	histogram_free(&h);
}

static void empty_histogram_reads_zero(void **state)
{
	struct histogram h;
	struct histogram_summary s;

	(void)state;
	assert_int_equal(histogram_init(&h, 8), 0);
	histogram_summarize(&h, &s);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.p50, 0);
	assert_int_equal(s.max, 0);
	assert_true(isnan(s.mean));
	histogram_free(&h);
}

static void record_n_equals_n_records(void **state)
{
	struct histogram a, b;

	(void)state;
	assert_int_equal(histogram_init(&a, 6), 0);
	assert_int_equal(histogram_init(&b, 6), 0);
	histogram_record_n(&a, 123456, 5);
	histogram_record_n(&a, 7, 0);
	for (int i = 0; i < 5; i++)
		histogram_record(&b, 123456);
	assert_int_equal(a.total, b.total);
	assert_int_equal(a.min, 123456);
	assert_memory_equal(a.counts, b.counts,
			    a.n_buckets * sizeof(*a.counts));
	histogram_free(&a);
	histogram_free(&b);
}

/* Log-uniform values from 1 ns to ~17 s: every percentile the report
 * shows, at several precisions, within 2^-S of the exact order
 * statistic; the mean exact. */
static void percentiles_within_error_bound(void **state)
{
	static const unsigned precisions[] = { 2, 4, 7, 8, 10 };
	static const double pcts[] = { 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99 };
	enum { N = 200000 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	uint64_t *v = malloc(N * sizeof(*v));
	double sum = 0;

	(void)state;
	assert_non_null(rng);
	assert_non_null(v);
	gsl_rng_set(rng, 42);
	for (size_t i = 0; i < N; i++) {
		v[i] = (uint64_t)exp(gsl_rng_uniform(rng) * log(1.7e10));
		sum += (double)v[i];
	}
	for (size_t p = 0; p < sizeof(precisions) / sizeof(*precisions); p++) {
		struct histogram h;
		double bound = histogram_error_bound(precisions[p]);

		assert_int_equal(histogram_init(&h, precisions[p]), 0);
		for (size_t i = 0; i < N; i++)
			histogram_record(&h, v[i]);
		if (!p)
			qsort(v, N, sizeof(*v), cmp_u64);
		for (size_t k = 0; k < sizeof(pcts) / sizeof(*pcts); k++) {
			double exact = (double)exact_percentile(v, N, pcts[k]);
			double got = (double)histogram_percentile(&h, pcts[k]);

			if (fabs(got - exact) > exact * bound)
				fail_msg("bits %u p%g: %.0f vs exact %.0f "
					 "(bound %g)",
					 precisions[p], pcts[k], got, exact,
					 bound);
		}
		assert_int_equal(histogram_percentile(&h, 100), v[N - 1]);
		assert_int_equal(histogram_percentile(&h, 0), v[0]);
		assert_close(histogram_mean(&h), sum / N, sum / N * 1e-9);
		histogram_free(&h);
	}
	free(v);
	gsl_rng_free(rng);
}

/* Two halves merged equal the whole; mismatched precisions refused. */
static void merge_equals_recording_everything(void **state)
{
	struct histogram all, a, b, other;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	(void)state;
	gsl_rng_set(rng, 7);
	assert_int_equal(histogram_init(&all, 8), 0);
	assert_int_equal(histogram_init(&a, 8), 0);
	assert_int_equal(histogram_init(&b, 8), 0);
	assert_int_equal(histogram_init(&other, 9), 0);
	for (int i = 0; i < 10000; i++) {
		uint64_t x = gsl_rng_uniform_int(rng, 5000000) + 1000;

		histogram_record(&all, x);
		histogram_record(i % 3 ? &a : &b, x);
	}
	assert_int_equal(histogram_merge(&a, &b), 0);
	assert_int_equal(a.total, all.total);
	assert_int_equal(a.min, all.min);
	assert_int_equal(a.max, all.max);
	assert_close(a.sum, all.sum, 1e-3);
	assert_memory_equal(a.counts, all.counts,
			    a.n_buckets * sizeof(*a.counts));
	assert_int_equal(histogram_merge(&other, &a), -EINVAL);
	assert_int_equal(other.total, 0);
	/* merging into an empty histogram takes min and max as they are */
	histogram_reset(&b);
	assert_int_equal(histogram_merge(&b, &a), 0);
	assert_int_equal(b.min, all.min);
	assert_int_equal(b.max, all.max);
	histogram_free(&all);
	histogram_free(&a);
	histogram_free(&b);
	histogram_free(&other);
	gsl_rng_free(rng);
}

static void json_round_trip_keeps_everything(void **state)
{
	struct histogram h, back;
	char why[256];
	json_t *j;

	(void)state;
	assert_int_equal(histogram_init(&h, 8), 0);
	histogram_record(&h, 0);
	histogram_record_n(&h, 4096, 3);
	histogram_record(&h, 987654321);
	histogram_record(&h, UINT64_MAX); /* a string in JSON */
	j = histogram_to_json(&h);
	assert_non_null(j);
	assert_int_equal(histogram_from_json(j, &back, why, sizeof(why)), 0);
	assert_int_equal(back.bits, h.bits);
	assert_int_equal(back.total, h.total);
	assert_int_equal(back.min, 0);
	assert_int_equal(back.max, UINT64_MAX);
	assert_memory_equal(back.counts, h.counts,
			    h.n_buckets * sizeof(*h.counts));
	assert_int_equal(histogram_percentile(&back, 50),
			 histogram_percentile(&h, 50));
	json_decref(j);
	histogram_free(&back);
	histogram_free(&h);
}

static void json_reader_rejects_defects(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"bits\": 0, \"count\": 0, \"min\": 0, \"max\": 0, "
		"\"sum\": 0, \"buckets\": []}",
		"{\"bits\": 8, \"count\": 2, \"min\": 5, \"max\": 5, "
		"\"sum\": 5, \"buckets\": [[5, 1]]}",
		/* 257 is inside bucket [256, 257] */
		"{\"bits\": 8, \"count\": 1, \"min\": 257, \"max\": 257, "
		"\"sum\": 257, \"buckets\": [[257, 1]]}",
		"{\"bits\": 8, \"count\": 1, \"min\": 9, \"max\": 5, "
		"\"sum\": 5, \"buckets\": [[5, 1]]}",
		"{\"bits\": 8, \"count\": 1, \"min\": 5, \"max\": 5, "
		"\"sum\": 5, \"buckets\": [[5, -1]]}",
		"{\"bits\": 8, \"count\": 1, \"min\": 5, \"max\": 5, "
		"\"buckets\": [[5, 1]]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		json_t *j = json_loads(bad[i], 0, NULL);
		struct histogram h;
		char why[256] = "";

		assert_non_null(j);
		if (histogram_from_json(j, &h, why, sizeof(why)) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(why[0]);
		assert_null(h.counts);
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rejects_bad_precision),
		cmocka_unit_test(buckets_tile_the_whole_range),
		cmocka_unit_test(small_values_are_exact),
		cmocka_unit_test(empty_histogram_reads_zero),
		cmocka_unit_test(record_n_equals_n_records),
		cmocka_unit_test(percentiles_within_error_bound),
		cmocka_unit_test(merge_equals_recording_everything),
		cmocka_unit_test(json_round_trip_keeps_everything),
		cmocka_unit_test(json_reader_rejects_defects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
