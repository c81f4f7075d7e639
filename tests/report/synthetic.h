/* SPDX-License-Identifier: MIT */
/*
 * A synthetic struct run with known samples, for the writer tests: sizes
 * 1M and 100M; rw, copy_file_range and odirect, warm and cold; one rw
 * --sync end cell, one rw 1M-buffer cell; one failed, one skipped cell.
 */
#ifndef IOBENCH_TEST_SYNTHETIC_H
#define IOBENCH_TEST_SYNTHETIC_H

#include <stddef.h>

#include "results.h"

/* Per-copy medians of the cells the report tests check (seconds). */
#define SYN_RW_1M_WARM 0.0020
#define SYN_CFR_1M_WARM 0.0008
#define SYN_BATCH_1M 4u

/* Fills run (estimates computed); 0 or -ENOMEM. Free with results_free. */
int synthetic_run(struct run *run);
/* report.md / results.csv of a run through its analysis (analysis_build,
 * the writer, analysis_free): 0 or -errno. */
int synthetic_write_report(const struct run *run, const char *path);
int synthetic_write_csv(const struct run *run, const char *path);
/* synthetic_write_report() to path, then the report's text (you free it);
 * aborts with the reason when either fails: a test has nothing to check. */
char *synthetic_report_md(const struct run *run, const char *path);
/* Index of the first cell of strategy/size/cache/sync, or -1. */
int synthetic_find(const struct run *run, const char *strategy,
		   uint64_t size, enum cache_mode cache, enum sync_mode sync);

/* A cmocka fixture: a private directory under TMPDIR (else /tmp) and the
 * synthetic run. synthetic_setup() makes it (*state, -1 when it cannot);
 * synthetic_teardown() removes the directory's files and frees it. */
struct synthetic_fixture {
	char dir[64];
	struct run run;
};
int synthetic_setup(void **state);
int synthetic_teardown(void **state);
/* DIR/name of the fixture's directory, into out. */
void synthetic_path(const struct synthetic_fixture *fx, const char *name,
		    char *out, size_t len);

/* ---- runs built cell by cell (the analysis tests) ---- */

/* One cell of a built run: rounds x runs samples of batch 1, each's
 * seconds from time(run, round, ctx) (the warm-up from (0, 0)); CPU is
 * 0.1 + cpu_share (default 0.4) of the time; the source is resident when
 * warm; the destination cached (half dirty) unless uncached. */
struct synthetic_cell {
	const char *strategy;
	uint64_t size;
	enum cache_mode cache;
	enum sync_mode sync;
	uint64_t buffer;		/* 0: the strategy's default */
	size_t rounds;
	unsigned runs;			/* 0 reads as 1 */
	double (*time)(unsigned run, unsigned round, void *ctx);
	void *ctx;
	double cpu_share;
	bool uncached;
	long rss_kb;			/* 0: 2048 */
};

/* The synthetic run's header and request, without cells; 0 or -ENOMEM. */
int synthetic_base(struct run *run);
/* Appends a cell (estimates are not computed: results_estimate()). */
int synthetic_add(struct run *run, const struct synthetic_cell *sc);
/* A standard normal draw from a splitmix64 state: same state, same
 * sequence. */
double synthetic_normal(uint64_t *state);

#endif
