/* SPDX-License-Identifier: MIT */
/* iobench compare REF: the request cmd_compare hands over. */
#ifndef IOBENCH_BENCH_COMPARE_REF_H
#define IOBENCH_BENCH_COMPARE_REF_H

#include <stdbool.h>

#include "compare.h"

struct compare_ref_request {
	const char *ref;		/* the commit-ish as typed */
	struct compare_options opts;
	const char *results;		/* --results: where compare-ID/ goes */
	const char *out;		/* --out: instead of that, or NULL */
	const char *cache_dir;		/* --cache-dir, or NULL: the default */
	const char *preset;		/* "quick", "full", NULL: none */
	unsigned runs;			/* passes per side */
	/* REF was taken for a commit because no saved run has that name:
	 * where compare looked ("RESULTS/baselines/REF.json and ..."), for
	 * the message when it is no commit either; NULL when asked for */
	const char *looked_for;
	char **sweep;			/* sweep options, passed on */
	int n_sweep;
	bool quiet;
};

/* Builds REF, runs the passes, compares, writes; the exit code. */
int bench_compare_ref(const struct compare_ref_request *rq);

#endif
