/* SPDX-License-Identifier: MIT */
/*
 * Profiling a cell (iobench profile): perf_event_open(2) counters around a
 * sample's timed region, system calls via the raw_syscalls:sys_enter
 * tracepoint, and hot spots from `perf record --call-graph dwarf` of the cell copying.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_PROFILE_H
#define IOBENCH_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "iobench/strategy.h"
#include "flame.h"
#include "results.h"

struct cell_kind;

/* Hot spots kept per cell. */
#define PROFILE_HOT_SPOTS 8
/* Seconds of copying perf samples for a cell's hot spots. */
#define PROFILE_HOT_SECONDS 0.3

/* What a sample child hands back: a fixed-size value, sent through the
 * runner's pipe. err[i] is 0, or the positive errno that kept counter i
 * from being read (PROFILE_ERR_* for the reasons errno cannot say). */
struct profile_sample {
	bool measured;			/* profile_end() filled it */
	uint64_t value[PROFILE_N_COUNTERS];
	int err[PROFILE_N_COUNTERS];
};

/* err[] codes beyond errno */
enum {
	PROFILE_ERR_NO_TRACEFS = 10000,	/* tracepoint id not found */
	PROFILE_ERR_NOT_COUNTED,	/* opened, but never scheduled */
};

/* The counters of one timed region; lives in the sample child. */
struct profile_session {
	bool on;
	int fd[PROFILE_N_COUNTERS];
	int err[PROFILE_N_COUNTERS];
};

/* ---- in the sample child, around the timed region ---- */

/*
 * Opens and starts the counters (nothing when !on). Never fails: a
 * counter that cannot be opened is recorded with its errno. The system
 * call counter starts last so the others' ioctls are not counted.
 */
void profile_begin(struct profile_session *ps, bool on);
/* Stops and reads the counters into out (zeroed when profiling is off),
 * closes them. */
void profile_end(struct profile_session *ps, struct profile_sample *out);

/* ---- in the parent: the cell's figures ---- */

/* Adds one sample's counters (covering `copies` copies) to p; the first
 * error of a counter becomes its reason. 0 or -ENOMEM. */
int profile_add(struct cell_profile *p, const struct profile_sample *s,
		unsigned copies);

/* JSON key of a counter: "task_clock_ns", "syscalls", ... */
const char *profile_counter_key(enum profile_counter i);
/* Counter i per copy; NaN when not known. */
double profile_per_copy(const struct cell_profile *p, enum profile_counter i);
/* System calls per MiB copied; NaN when not known. */
double profile_syscalls_per_mib(const struct cell_profile *p, uint64_t size);
/* task-clock seconds per GiB copied; NaN when not known. */
double profile_cpu_s_per_gib(const struct cell_profile *p, uint64_t size);

/*
 * perf samples of cell c's copying: a child copies src (c->size bytes)
 * into files in dir with c's kind (k) and parameters, batches of
 * c->batch files (one when cold, the source evicted before each), for
 * about `seconds` of copying; only the copies are sampled. Folded into
 * fp. 0, or -errno with why (-ENOENT: perf is missing).
 */
int profile_record_cell(const struct cell_kind *k, const struct cell *c,
			const char *src, const char *dir, double seconds,
			struct flame_profile *fp, char *why, size_t len);
/*
 * A cell's hot spots: profile_record_cell() for PROFILE_HOT_SECONDS, the
 * top symbols by self samples into c->profile.hot. When perf is missing
 * or fails, c->profile.hot_why says why. 0 or -ENOMEM.
 */
int profile_hot_spots(const struct cell_kind *k, struct cell *c,
		      const char *src, const char *dir);

/* ---- results.json and results.csv ---- */

/*
 * A profiled cell's "profile" member of results.json, which the writer
 * places in the cell: {copies, counters {key: count or reason},
 * hot_spots [{symbol, pct}], hot_spots_why}. (request.profile is the
 * writer's own.) New reference; NULL when memory runs out.
 */
json_t *profile_json_cell(const struct cell_profile *p);
/*
 * Reads those fields back into run, whose cells the reader already
 * filled (same order); both are optional, so results written without
 * profiling load. 0, or -EINVAL with "file: cells[2].profile...: what"
 * in err.
 */
int profile_json_read(json_t *root, const char *file, struct run *run,
		      char *err, size_t len);
/* CSV: the profile columns of the header (each after a comma), and a
 * row's (empty fields where not profiled or not known). */
#define PROFILE_CSV_COLUMNS \
	",task_clock_s_per_gib,syscalls_per_copy,syscalls_per_mib," \
	"context_switches_per_copy,cpu_migrations_per_copy," \
	"minor_faults_per_copy,major_faults_per_copy,cycles_per_copy," \
	"instructions_per_copy,cache_misses_per_copy,branch_misses_per_copy"
#define PROFILE_CSV_N_COLUMNS 11
void profile_put_csv(FILE *f, const struct cell *c);
/* "n/a (not supported here)" etc. for a counter that is not known. */
void profile_na_text(const struct cell_profile *p, enum profile_counter i,
		     char *out, size_t len);

/* report.md's "Profile" section (harness/report_profile.c); writes
 * nothing when the run was not profiled. */
void report_profile_section(FILE *f, const struct run *run);

#endif
