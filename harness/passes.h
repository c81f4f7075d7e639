/* SPDX-License-Identifier: MIT */
/*
 * Whole sweep passes of an iobench binary - this one or another commit's
 * - each in a child process writing its results.json into a directory of
 * its own, read back and merged into one run per side with the pass as
 * the samples' run index: what compare REF and calibrate measure with.
 * Every iobench version can run `sweep` and write results.json, so this
 * interleaves at the level every version supports.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_PASSES_H
#define IOBENCH_PASSES_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "results.h"

/* What one pass left behind. */
struct passes_outcome {
	int code;			/* the sweep's exit code (-1: none) */
	double seconds;			/* wall time of the pass */
	char log[4096];			/* its stdout and stderr */
	char results[4096];		/* its results.json */
};

/*
 * Runs `bin sweep ARGS... --out out_dir --quiet` (cwd unchanged), its
 * output into out_dir/pass.log, and reads its results.json into *run.
 * A stop signal stored in *stop is passed on. 0 with *run (exit 0 or
 * 3: some cells failed); -EINTR when it was stopped, -EINVAL (exit 1:
 * the options; its message in err), -EIO otherwise; err says why.
 */
int passes_run_one(const char *bin, char *const *args, size_t n_args,
		   const char *out_dir, volatile sig_atomic_t *stop,
		   struct run *run, struct passes_outcome *o, char *err,
		   size_t len);

/*
 * Runs the same sweep with two binaries at once, taking turns one sample
 * process at a time (sweep --lockstep, lockstep.h; A B B A ... with A =
 * bins[first]): bins[i] writes into out_dirs[i], read back into runs[i].
 * *turns counts the turns given. 0 when both ended with exit 0 or 3;
 * else as passes_run_one() (the first failure's reason in err; runs
 * left empty).
 */
int passes_run_pair(const char *const bins[2], char *const *args,
		    size_t n_args, const char *const out_dirs[2],
		    unsigned first, volatile sig_atomic_t *stop,
		    struct run runs[2], struct passes_outcome o[2],
		    unsigned *turns, char *err, size_t len);

/*
 * Adds pass (a finished run of the same sweep) to side as run `index`:
 * with side empty, pass becomes it; else each cell's samples move to
 * the cell of side with the same key (a cell side lacks moves over
 * whole). pass is left empty either way (results_free() it). Every
 * sample of the pass gets run = index; a sample from a pass that chose
 * another batch (files per sample) is restated at side's batch, the
 * same cost per file. 0 or -ENOMEM.
 */
int passes_merge(struct run *side, struct run *pass, unsigned index);

/* The side (0 or 1) of pass k in the order A B B A A B B A ...: drift
 * that is linear in time hits both sides alike over each four passes. */
unsigned passes_abba(unsigned k);

/* Whether bin's sweep knows a long option (its --help names it). */
bool passes_binary_has_option(const char *bin, const char *option);
/*
 * Checks the sweep every pass will run before any is: `bin sweep
 * ARGS... --out out --dry-run --quiet` (out: where the passes' results
 * will go), which reads and checks every option and creates nothing; its
 * message goes to stderr. 0 when it took them, -EINVAL when it refused them
 * (exit 1), -errno when it could not run. Why: a bad value found by the first
 * pass had created the verb's directory and pass log, and compare REF had built
 * the commit first.
 */
int passes_check_args(const char *bin, char *const *args, size_t n_args,
		      const char *out);

#endif
