/* SPDX-License-Identifier: MIT */
/*
 * The runner's sampling policy: how long a sample should last, how many
 * files it copies, how many rounds a size gets. The runner follows it and
 * the estimate (estimate.h) predicts with it, so both include this and not
 * each other.
 *
 * Layer: run; includes only the model (results.h).
 */
#ifndef IOBENCH_RUNNER_POLICY_H
#define IOBENCH_RUNNER_POLICY_H

#include <stdint.h>

#include "results.h"

/* A sample should last at least this long: shorter ones are dominated by
 * clock and scheduling noise, so small files are copied in batches of at
 * most so many files and bytes. */
#define RUNNER_BATCH_TARGET_SECONDS 0.010
#define RUNNER_BATCH_MAX_FILES 1024u
#define RUNNER_BATCH_MAX_BYTES (256ull << 20)
/* Rounds per size: at least this many; at most EXTEND_FACTOR x --samples
 * when some cell's median stays imprecise. Twice, not more: past that the
 * run-to-run shift dominates what one run's CI can still gain (A/A pairs
 * of `iobench quick` here: the page-cache cells of a size move together
 * from run to run by a shift of SD 10%, ranging -21% to +24%, against a
 * median CI of about +-6% at 20 rounds and +-5% at 30), and the third
 * ten rounds of 1K cost the headline sweep 20 s of its 2 minutes. */
#define RUNNER_MIN_SAMPLES ((unsigned)RESULTS_MIN_SAMPLES)
#define RUNNER_EXTEND_FACTOR 2
/* ... and only while the size has taken at most this share of the time
 * the plan gave it (estimate_size_seconds()): on a busy machine the
 * noisier cells asked for every extra round while each round cost more,
 * and the headline sweep ran 117 s against a plan of 96 s right after the
 * test suite (1K 19 rounds, 1M 16, planned 13 and 10). The CIs of the
 * rounds not run stay as wide as measured, and the report shows them. */
#define RUNNER_PLAN_SLACK 1.25

struct run_request;
/* Files per sample for a size (runner_policy.c): the batch rule the
 * runner follows and the estimate predicts with; per_copy is one copy's
 * calibrated (or modelled) seconds, lim the most files the sample may
 * have. 1..lim. */
unsigned runner_batch_for(const struct run_request *rq, uint64_t size,
			  double per_copy, unsigned lim);

#endif
