/* SPDX-License-Identifier: MIT */
/*
 * The sweep runner: turns a request into cells, runs every sample in a
 * forked child, measures, verifies, and fills a struct run.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_RUNNER_H
#define IOBENCH_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "results.h"
#include "runner_policy.h"

struct runner_progress {
	/*
	 * Called after every sample and at cell state changes; may be NULL.
	 * samples_done counts every sample run so far (warm-ups included,
	 * all cells and passes); samples_total is the samples expected in
	 * all, which grows when noisy cells get more rounds; eta_seconds is
	 * the work left at the samples' measured cost (runner.c).
	 */
	void (*update)(void *ctx, const struct run *run, size_t cell,
		       size_t samples_done, size_t samples_total,
		       double eta_seconds);
	void *ctx;
};

/* Builds run->cells from run->request (strategy x size x tunables x cache
 * x sync); a strategy's tunables multiply only its own cells. */
int runner_plan(struct run *run);
/* Free bytes --dir needs to run the cells of one file size. */
uint64_t runner_bytes_needed(uint64_t size);
/* Estimated wall time of the planned cells, seconds (estimate.h). */
double runner_estimate_seconds(const struct run *run);
/*
 * Runs every cell. Returns 0 when all cells ran (some may have failed),
 * -EINTR when interrupted (run->incomplete set), other -errno when
 * nothing could be measured (why in err).
 */
int runner_run(struct run *run, const struct runner_progress *progress,
	       char *err, size_t len);
/*
 * Asks a running runner_run to stop after the current sample; a second
 * call also kills the sample in flight. Async-signal-safe: meant for
 * SIGINT/SIGTERM handlers.
 */
void runner_request_stop(void);

#endif
