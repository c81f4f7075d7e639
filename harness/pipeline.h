/* SPDX-License-Identifier: MIT */
/*
 * The sweep pipeline: request -> plan -> run -> analyse -> write. The
 * verbs (sweep, quick, full, profile) parse argv into a request_opts
 * (request.h), then call these in order; bench/ keeps only argv, usage,
 * progress display and signals. Messages go through lib/msg.h; the
 * functions that end the verb return its exit code (lib/exitcode.h).
 */
#ifndef IOBENCH_PIPELINE_H
#define IOBENCH_PIPELINE_H

#include <signal.h>
#include <stdbool.h>

#include "results.h"
#include "runner.h"

struct pipeline_opts {
	bool quiet;
	const char *save_baseline;	/* --save-baseline NAME, or NULL */
	const char *baseline;		/* --baseline NAME, or NULL */
	const struct run *base;		/* that baseline, loaded */
	/* the stop signal the verb caught (0: none), read as it changes */
	const volatile sig_atomic_t *stop_signal;
};

/* The run's id, start time, command line, version and commit. 0 or
 * -ENOMEM. */
int pipeline_identity(struct run *run, int argc, char **argv);
/* --baseline NAME: reads OUT/baselines/NAME.json before anything runs,
 * so a missing or broken baseline is bad input. 0 or -errno (printed). */
int pipeline_load_baseline(const struct run_request *rq, const char *name,
			   struct run *base);
/* The plan (cells) and the free-space check, creating nothing (also for
 * --dry-run). EXIT_OK, or the exit code (printed). */
int pipeline_plan(struct run *run, bool quiet);
/* Everything before the first cell once planned: the environment, the
 * machine's limits, the run warnings. EXIT_OK or EXIT_RUNTIME (printed). */
int pipeline_prepare(struct run *run, bool quiet);
/* The cells (runner.h), with the run's duration. 0, -EINTR when a stop
 * signal cut it short, or EXIT_RUNTIME when nothing could be measured
 * (printed). */
int pipeline_measure(struct run *run, const struct runner_progress *progress);
/*
 * After the cells: the --source tree check, the baseline comparison and
 * the outputs (results.json first, then the baseline, CSV, report; OUT/
 * latest last). A stop signal while they are written does not cut them
 * short: they are finished, written again marked incomplete, and the
 * exit status is the signal's. *written: every output is there. Returns
 * the verb's exit code.
 */
int pipeline_finish(struct run *run, const struct pipeline_opts *po,
		    bool interrupted, bool *written);

#endif
