/* SPDX-License-Identifier: MIT */
/*
 * A synthetic struct run with known samples, for the writer tests: sizes
 * 1M and 100M; rw, copy_file_range and odirect, warm and cold; one rw
 * --sync end cell, one rw 1M-buffer cell; one failed, one skipped cell.
 */
#ifndef IOBENCH_TEST_SYNTHETIC_H
#define IOBENCH_TEST_SYNTHETIC_H

#include "results.h"

/* Per-copy medians of the cells the report tests check (seconds). */
#define SYN_RW_1M_WARM 0.0020
#define SYN_CFR_1M_WARM 0.0008
#define SYN_BATCH_1M 4u

/* Fills run (estimates computed); 0 or -ENOMEM. Free with results_free. */
int synthetic_run(struct run *run);
/* Index of the first cell of strategy/size/cache/sync, or -1. */
int synthetic_find(const struct run *run, const char *strategy,
		   uint64_t size, enum cache_mode cache, enum sync_mode sync);

#endif
