// SPDX-License-Identifier: MIT
/*
 * The wall-time model of a planned sweep, calibrated from the sample
 * start times results.json keeps (each sample's wall cost is the gap to
 * the next one): see the constants below.
 */
#include <stdlib.h>
#include <unistd.h>

#include "estimate.h"
#include "cell.h"
#include "runner_policy.h"
#include "strategies.h"
#include "threads.h"
#include "workload.h"

/*
 * Calibration: `sweep --sizes 1K,1M,100M` on the 2-CPU development VM,
 * from the gaps between the samples' start times (a sample's whole wall
 * time). A sample's wall time is its timed copies plus a fixed cost
 * (fork, sample directory, syncfs, cache preparation), a cost per file
 * of the batch (paths, eviction checks, hashing, unlinking) and its
 * bytes read again at the verify bandwidth (verification, eviction of
 * cold sources, dropping the destination's pages). One copy costs a
 * per-file time (open, create, close) plus its bytes at the copy
 * bandwidth (cold or O_DIRECT copies: the cold ones); small files are
 * batched up to BATCH_TARGET_SECONDS.
 *
 * Quiet (load average about 1 on 2 CPUs, two runs of 119 and 122 s),
 * medians in seconds per sample, warm / cold: 1K 0.038-0.040 (256 files,
 * 0.015-0.017 timed) / 0.078-0.079 (0.054-0.055 timed); 1M 0.023-0.025
 * (16 files, 0.010-0.011 timed) / 0.044-0.049 (0.031-0.034 timed); 100M
 * 0.087-0.090 (0.045-0.048 timed) / 0.139-0.143 (0.097-0.102 timed).
 * O_DIRECT copies write to the device: 100M 0.30-0.33 s timed, about
 * 0.5 s a sample with the verification read back from the device; 1M
 * 2.6-3.5 ms per file.
 * Busy (load averages of 8-11 per CPU, three runs of 233-271 s): 1K
 * 0.11-0.59 (165-405 files: 0.3-1.8 ms per file) / 0.04-0.15 (5-70); 1M
 * 0.07-0.13 (6) / 0.07-0.08 (2); 100M 0.31-0.48 / 0.39-0.63 (1): syncfs
 * and unlinking wait for the machine's other writers. The model goes
 * from the quiet figures to the busy ones with busyness() below.
 */
struct cost_model {
	double sample_fixed, file, verify_bandwidth;
	double copy_file, copy_bandwidth, cold_file, cold_bandwidth;
	double direct_bandwidth; /* O_DIRECT writes reach the device */
};

static const struct cost_model quiet = {
	.sample_fixed = 0.0065,
	.file = 0.00006,
	.verify_bandwidth = 3e9,
	.copy_file = 0.00006,
	.copy_bandwidth = 2e9,
	.cold_file = 0.0002,
	.cold_bandwidth = 800e6,
	.direct_bandwidth = 330e6,
}, busy = {
	.sample_fixed = 0.030,
	.file = 0.0012,
	.verify_bandwidth = 700e6,
	.copy_file = 0.00004,
	.copy_bandwidth = 1024.0 * 1024 * 1024,
	.cold_file = 0.0008,
	.cold_bandwidth = 500e6,
	.direct_bandwidth = 300e6,
};

/* the runner's batch and rounds rules (runner.h) */
#define BATCH_TARGET_SECONDS RUNNER_BATCH_TARGET_SECONDS
#define BATCH_MAX_FILES ((double)RUNNER_BATCH_MAX_FILES)
#define BATCH_MAX_BYTES ((double)RUNNER_BATCH_MAX_BYTES)
#define MIN_SAMPLES RUNNER_MIN_SAMPLES
#define EXTEND_FACTOR ((double)RUNNER_EXTEND_FACTOR)
/* writing and hashing sources, and writing them back */
#define SOURCE_BANDWIDTH (300e6)
/*
 * Rounds beyond --samples: a size's rounds are extended (up to
 * RUNNER_EXTEND_FACTOR x) while some cell's median is imprecise. Batched small files on a busy
 * machine nearly always are (1K and 1M ran 30 rounds of 10 at a load
 * average of 8 per CPU; 100M ran 12), so the expected rounds grow with
 * the load per CPU up to these factors. (Budgets cut them too: 1K's
 * biggest batches spent their 10 s after 9-14 rounds in two runs.)
 */
#define BUSY_SMALL_FACTOR 3.0
#define BUSY_LARGE_FACTOR 1.2
#define QUIET_SMALL_FACTOR 1.3
/* quiet, the large sizes' O_DIRECT cells are extended too (64M and 100M
 * ran 11-18 rounds of 10 in three runs) */
#define QUIET_LARGE_FACTOR 1.4

static double busyness(void);

/* The costs at the machine's load now: the quiet figures, moving
 * linearly (times: per second; bandwidths: per byte) to the busy ones. */
static struct cost_model model(void)
{
	double b = busyness();
#define MIX(f) (quiet.f + b * (busy.f - quiet.f))
#define MIX_BW(f) (1 / (1 / quiet.f + b * (1 / busy.f - 1 / quiet.f)))
	return (struct cost_model){
		.sample_fixed = MIX(sample_fixed),
		.file = MIX(file),
		.verify_bandwidth = MIX_BW(verify_bandwidth),
		.copy_file = MIX(copy_file),
		.copy_bandwidth = MIX_BW(copy_bandwidth),
		.cold_file = MIX(cold_file),
		.cold_bandwidth = MIX_BW(cold_bandwidth),
		.direct_bandwidth = MIX_BW(direct_bandwidth),
	};
#undef MIX
#undef MIX_BW
}

/* Whether a cell is still to run (a later --runs pass reruns the ok). */
static bool will_run(const struct cell *c)
{
	return c->status == CELL_PENDING || c->status == CELL_OK;
}

/* Files one copy copies: one, or a whole tree's. */
static double files_per_copy(const struct run *run, const struct cell *c)
{
	const struct workload_tree *t = workload_tree_of(run->workload,
							 c->size);

	if (t)
		return (double)t->files;
	if (run->request.source)
		return (double)run->request.source_files;
	return 1;
}

/* Seconds of one copy (of a tree: all its files) by the model; a cold
 * source is read from the device, an O_DIRECT copy also writes to it. */
static double copy_seconds(const struct run *run, const struct cell *c)
{
	bool direct = cell_direct(c), cold = c->cache == CACHE_COLD;
	struct cost_model m = model();

	return files_per_copy(run, c) *
		       (cold || direct ? m.cold_file : m.copy_file) +
	       (double)c->size / (direct ? m.direct_bandwidth :
				  cold	 ? m.cold_bandwidth :
					   m.copy_bandwidth);
}

/* The batch the runner's calibration would choose (1 for trees). */
static double batch_of(const struct run *run, const struct cell *c)
{
	double lim = BATCH_MAX_FILES;

	/* the runner's own once its warm-up has calibrated it */
	if (c->batch && c->warmup_seconds > 0)
		return c->batch;
	if (run->request.source || run->workload)
		return 1;
	if (c->size && lim > BATCH_MAX_BYTES / c->size)
		lim = BATCH_MAX_BYTES / c->size;
	/* the runner's rule (by size, halved for a slow strategy), with
	 * the model's copy time; the free-space bound is the run's */
	return runner_batch_for(&run->request, c->size, copy_seconds(run, c),
				lim < 1 ? 1 : (unsigned)lim);
}

double estimate_sample_seconds(const struct run *run, const struct cell *c)
{
	double k = batch_of(run, c);
	/* by files, N threads copy N batches a sample */
	double per_thread = threads_files_for(c, 1);
	double copies = k * per_thread;
	double timed = k * copy_seconds(run, c);
	double files = copies * files_per_copy(run, c);
	double bytes = copies * (double)c->size;
	struct cost_model m = model();

	if (timed < BATCH_TARGET_SECONDS)
		timed = BATCH_TARGET_SECONDS;
	/* an O_DIRECT copy's destination is verified from the device */
	return timed + m.sample_fixed + files * m.file +
	       bytes / (cell_direct(c) ? m.cold_bandwidth :
					   m.verify_bandwidth);
}

unsigned estimate_warmups(const struct run *run, const struct cell *c,
			  bool later_pass)
{
	if (later_pass)
		return 1;
	return batch_of(run, c) > 1 ? 2 : 1;
}

/* 0 on an idle machine to 1 from two runnable tasks per CPU on. */
static double busyness(void)
{
	double load[1];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double b;

	if (getloadavg(load, 1) < 1 || cpus < 1)
		return 0;
	b = load[0] / cpus - 1;
	return b < 0 ? 0 : b > 1 ? 1 : b;
}

double estimate_rounds(const struct run *run, uint64_t size)
{
	double n = run->request.samples, f, b = busyness();
	bool small = false;

	for (size_t i = 0; i < run->n_cells && !small; i++)
		small = run->cells[i].size == size &&
			will_run(&run->cells[i]) &&
			batch_of(run, &run->cells[i]) > 1;
	if (small)
		f = QUIET_SMALL_FACTOR + b * (BUSY_SMALL_FACTOR -
					      QUIET_SMALL_FACTOR);
	else
		f = QUIET_LARGE_FACTOR +
		    b * (BUSY_LARGE_FACTOR - QUIET_LARGE_FACTOR);
	if (n < MIN_SAMPLES)
		return n;
	return f * n > EXTEND_FACTOR * n ? EXTEND_FACTOR * n : f * n;
}

double estimate_size_setup(const struct run *run, uint64_t size)
{
	double files = 0;

	if (run->request.source || run->workload)
		return 0;
	/* the largest batch of the size is what gets written */
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		double f;

		if (c->size != size || !will_run(c))
			continue;
		f = batch_of(run, c) * threads_files_for(c, 1);
		if (f > files)
			files = f;
	}
	return files * (double)size / SOURCE_BANDWIDTH;
}

/*
 * A size's cells stop together: after the expected rounds, or earlier
 * once some cell has spent its --budget (never before MIN_SAMPLES).
 */
double estimate_size_seconds(const struct run *run, uint64_t size,
			     bool later_pass)
{
	double rounds = estimate_rounds(run, size), round_cost = 0;
	double warm = 0, cap = rounds, budget = run->request.budget;
	bool any = false;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		double per;

		if (c->size != size || !will_run(c))
			continue;
		any = true;
		per = estimate_sample_seconds(run, c);
		round_cost += per;
		warm += estimate_warmups(run, c, later_pass) * per;
		/* a cell's budget also pays for its warm-ups */
		if (budget > 0 && budget / per -
		    estimate_warmups(run, c, later_pass) < cap)
			cap = budget / per - estimate_warmups(run, c,
							      later_pass);
	}
	if (!any)
		return 0;
	if (cap < rounds)
		rounds = cap < MIN_SAMPLES ? MIN_SAMPLES : cap;
	return (later_pass ? 0 : estimate_size_setup(run, size)) + warm +
	       rounds * round_cost;
}

double estimate_run_seconds(const struct run *run)
{
	const struct run_request *rq = &run->request;
	unsigned runs = rq->runs ? rq->runs : 1;
	double t = 0;

	for (unsigned p = 0; p < runs; p++)
		for (size_t z = 0; z < rq->n_sizes; z++)
			t += estimate_size_seconds(run, rq->sizes[z], p > 0);
	return t;
}
