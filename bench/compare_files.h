/* SPDX-License-Identifier: MIT */
/*
 * iobench compare's files (bench/compare_files.c): the two runs found
 * from what was typed and loaded, the baselines listed, this host's
 * noise floor, the output directory and the files written there.
 */
#ifndef IOBENCH_BENCH_COMPARE_FILES_H
#define IOBENCH_BENCH_COMPARE_FILES_H

#include <limits.h>
#include <stdbool.h>

#include "calibration.h"
#include "compare.h"
#include "results.h"

struct compare_request {
	struct compare_options opts;
	const char *results;		/* --results, default "results" */
	const char *out;		/* --out, or NULL: the default */
	const char *base_spec, *new_spec; /* NULL: the defaults */
	bool allow_incomplete;
	bool list;
	bool no_floor;			/* --no-floor */
	/* compare REF */
	bool git;			/* --git: BASE is a commit-ish */
	bool ref_options;		/* --runs, --cache-dir, --preset */
	const char *cache_dir, *preset;
	unsigned runs;
	bool quiet;
};

/* One side of the comparison, as found on disk. */
struct compare_side {
	char path[PATH_MAX];		/* its results.json */
	char label[PATH_MAX];		/* how the report names it */
	bool baseline;			/* from RESULTS/baselines */
	struct run run;
};

/* Finds and loads both sides (rq's specs, else baseline main against
 * RESULTS/latest). 0, or EXIT_USAGE after printing why. */
int bench_compare_resolve_sides(const struct compare_request *rq,
				struct compare_side *base,
				struct compare_side *new);
/* --list: one line per baseline in RESULTS/baselines; the exit code. */
int bench_compare_list_baselines(const char *results);
/* Whether spec names a saved run (what resolving it would find). */
bool bench_compare_names_saved_run(const char *spec, const char *results);
/* This host's calibration into cal when both runs were made on it and
 * rq does not say --no-floor; else cal is left empty. */
void bench_compare_load_floors(const struct compare_request *rq,
			       const struct compare_side *base,
			       const struct compare_side *new,
			       struct calibration *cal);
/* Where compare.md/json go by default, into buf (PATH_MAX): beside NEW's
 * results.json, or "." when NEW is a baseline. */
void bench_compare_default_out(const struct compare_side *new, char *buf);
/* Writes doc as DIR/NAME (dirfd open on DIR) atomically; says why it
 * could not. 0 or -errno. */
int bench_compare_write(int dirfd, const char *dir, const char *name,
			const char *doc);

#endif
