// SPDX-License-Identifier: MIT
/*
 * The runner's batch rule (runner_policy.h): files per sample for a size,
 * which the runner follows and the estimate predicts with.
 */
#include <math.h>

#include "runner_policy.h"

#define BATCH_TARGET_SECONDS RUNNER_BATCH_TARGET_SECONDS

/* A fast strategy's copy on this kind of machine, for the batch size: a
 * fixed cost (open, create, close) and page-cache bandwidth. And the
 * longest a slow strategy's sample may last: long enough that a busy
 * machine's calibration (400 us for a 4K copy under a load of 15 on 2
 * CPUs) does not halve a fast strategy's batch. */
#define BATCH_MODEL_FIXED_SECONDS 20e-6
#define BATCH_MODEL_BANDWIDTH (2.0 * 1024 * 1024 * 1024)
#define BATCH_MAX_SECONDS 0.25

/*
 * Files per sample: enough for BATCH_TARGET_SECONDS of a fast strategy's
 * copies (the model above: 256 files of 1K-4K, 16 of 1M, 1 from 16M),
 * rounded down to a power of two, halved while the calibration says a
 * sample would last more than BATCH_MAX_SECONDS; 1..lim. The count
 * depends on the size, not on one timed copy: a batch calibrated from a
 * single copy moved 10x between runs of a busy machine (4K rw: 24 files
 * in one run, 230 in the next), and a copy's median time moves with its
 * batch (a short sample escapes preemption a long one averages in), so
 * the same cell measured twice, or two copies of one strategy, did not
 * agree. Only a strategy far slower than the page cache gets a smaller
 * batch, in steps of 2x that a noisy calibration rarely crosses.
 * With --stonewall S a sample is sized to last 4 S, so every rank is
 * still copying when the wall stops it: the calibration decides (1..lim).
 * (2 S was too thin: ranks sharing 2 CPUs copied twice as fast in the
 * samples as in the calibration, and in 1 sweep of 8 no sample reached
 * the wall. The wall ends the sample, so the margin costs no time.)
 */
unsigned runner_batch_for(const struct run_request *rq, uint64_t size,
			  double per_copy, unsigned lim)
{
	double want = BATCH_TARGET_SECONDS /
		      (BATCH_MODEL_FIXED_SECONDS + size / BATCH_MODEL_BANDWIDTH);
	unsigned k = 1;

	if (rq->stonewall > 0) {
		want = per_copy > 0 ? ceil(4 * rq->stonewall / per_copy) : lim;
		return want < 1 ? 1 : want > lim ? lim : (unsigned)want;
	}
	while (k * 2 <= want && k * 2 <= lim)
		k *= 2;
	while (k > 1 && per_copy * k > BATCH_MAX_SECONDS)
		k /= 2;
	return k;
}
