/* SPDX-License-Identifier: MIT */
/* Runs built in memory for the compare tests: known per-copy times. */
#ifndef IOBENCH_TEST_COMPARE_FIXTURE_H
#define IOBENCH_TEST_COMPARE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

/* A complete, empty run with a fixed environment; free with
 * results_free(). Aborts on allocation failure (tests only). */
void fixture_run(struct run *r, const char *id);
/* Appends an ok cell of `strategy` (a buffer tunable unless buffer is 0, warm, sync none, random)
 * whose per-copy times are t[i] * scale; batch 2, so the samples hold
 * twice that. Returns the cell. */
struct cell *fixture_add_cell(struct run *r, const char *strategy,
			      uint64_t size, size_t buffer, const double *t,
			      size_t n, double scale);

/* 10 per-copy times spread over 0.9% */
extern const double fixture_tight[10];
/* six page-cache strategies: a size with a shift of its own */
extern const char *const fixture_six[6];

#endif
