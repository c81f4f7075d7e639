/* SPDX-License-Identifier: MIT */
/*
 * The sweep pipeline: request -> plan -> run -> analyse -> write. The
 * verbs (sweep, quick, full, profile) parse argv into a request_opts
 * (request.h), then call these in order; bench/ keeps only argv, usage,
 * progress display and signals. Messages go through lib/msg.h; the
 * functions that end the verb return its exit code (lib/exitcode.h).
 *
 * Layer: pipeline; includes any harness layer, never bench/.
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
	/* --export-markdown, --export-json FILE ("-": stdout), or NULL */
	const char *export_markdown, *export_json;
	const struct run *batches;	/* --batch-from's run, or NULL */
	/* markdown the verb adds to report.md after the cells (profile
	 * --memory's heap profiles), or NULL */
	const char *appendix;
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
/* --batch-from: each planned cell that `from` has (same key) copies
 * from's batch of files per sample instead of calibrating its own; the
 * cells from lacks calibrate. Returns how many cells took a batch. */
size_t pipeline_fix_batches(struct run *run, const struct run *from);
/* Everything before the first cell once planned: the environment, the
 * machine's limits, the run warnings. EXIT_OK or EXIT_RUNTIME (printed). */
int pipeline_prepare(struct run *run, bool quiet);
/* The cells (runner.h), with the run's duration. 0, -EINTR when a stop
 * signal cut it short, -EPIPE when an MPI job broke (printed: what was
 * measured is written), or EXIT_RUNTIME when nothing could be measured
 * (printed). */
int pipeline_measure(struct run *run, const struct runner_progress *progress);
/*
 * After the cells: the --source tree check, the analysis (analysis.h),
 * the baseline comparison, the verb's appendix and the outputs
 * (results.json first, then the baseline, CSV, report; OUT/latest last),
 * then the end of the run on the terminal (outputs_show(): the summary,
 * the exports, the report's path). A stop signal while they are written
 * does not cut them short: they are finished, written again marked
 * incomplete, and the exit status is the signal's. *written: every
 * output file is there. Returns the verb's exit code.
 */
int pipeline_finish(struct run *run, const struct pipeline_opts *po,
		    bool interrupted, bool *written);

/*
 * sweep --mpi (cluster.h). Samples run in the rank process itself, never
 * in a forked child: forking after MPI_Init is unsafe with Open MPI (the
 * child shares its transports), so each rank prepares its caches, copies
 * between barriers and verifies in its own process (harness/ranks_sample.c).
 *
 * pipeline_mpi_start(): MPI_Init, before the request is validated; the
 * ranks but 0 are then quiet (*quiet set) and keep their errors for rank
 * 0 to say. Nothing without mpi. 0 or -errno (printed).
 */
int pipeline_mpi_start(bool mpi, bool *quiet);
/* Every rank's verdict on a step that printed its own error (the
 * request, the free-space check): a fault on any rank is a fault on all,
 * rank 0 names it when it was another's. ret as it is without MPI. */
int pipeline_mpi_agree(int ret);
/*
 * The end of an MPI run on every rank, once pipeline_measure() returned
 * ret (0, -EINTR, -EPIPE: the job broke, or EXIT_RUNTIME). A whole job
 * finalizes MPI before rank 0 writes (plots start gnuplot); a stopped or
 * broken one leaves without MPI_Finalize (mpirun is ending it), and rank
 * 0 writes what was measured, marked incomplete. *ended: the job did not
 * end whole (the caller removes this host's stale scratch, and the ranks
 * but 0 linger so mpirun does not kill rank 0 mid-write). Returns the
 * exit code: rank 0's as one host's, EXIT_RUNTIME for a broken job
 * without a stop signal; the other ranks' EXIT_OK when the job ended
 * whole (its status is rank 0's).
 */
int pipeline_mpi_finish(struct run *run, const struct pipeline_opts *po,
			int ret, bool *written, bool *ended);

#endif
