/* SPDX-License-Identifier: MIT */
/*
 * iobench sweep's options: their codes (getopt_long's values), the table
 * and the usage text (bench/sweep_usage.c), shared with bench/sweep.c.
 */
#ifndef IOBENCH_SWEEP_OPTS_H
#define IOBENCH_SWEEP_OPTS_H

#include <stdio.h>

enum {
	/* with a short form: the letter (-s, -b, -Q, -d, -o, -q, -n, -h) */
	OPT_STRATEGIES = 's', OPT_BUFFERS = 'b', OPT_QD = 'Q', OPT_DIR = 'd',
	OPT_OUT = 'o', OPT_QUIET = 'q', OPT_DRY_RUN = 'n', OPT_HELP = 'h',
};

enum {
	OPT_SIZES = 256, OPT_DIRECT,
	OPT_CACHE, OPT_SYNC, OPT_CONTENT, OPT_SOURCE,
	OPT_SAMPLES, OPT_BUDGET, OPT_TIMEOUT, OPT_SEED, OPT_DROP_CACHES, OPT_COLD, OPT_SUSTAINED,
	OPT_SAVE_BASELINE, OPT_BASELINE,
	OPT_THREADS, OPT_PARALLEL, OPT_PIN, OPT_PREALLOC, OPT_SQPOLL, OPT_OPT,
	OPT_RUNS, OPT_PLUGIN, OPT_SRC_DIR,
};

/* issue 6's limits and reference tools */
enum { OPT_LIMITS = 512, OPT_NO_LIMITS, OPT_REFERENCE };
/* iobench profile (harness/profile.h) */
enum { OPT_PROFILE = 768 };
/* --dataset (harness/workload.h) */
enum { OPT_DATASET = 1024 };
/* holes of sparse sources (strategy_copy_sparse()) */
enum { OPT_SPARSE = 1280 };
/* sweep --mpi (harness/cluster.h, harness/ranks.h) */
enum { OPT_MPI = 1536, OPT_MPI_LAYOUT, OPT_RANKS, OPT_STONEWALL };
/* the end-of-run summary's exports (harness/outputs.h) */
enum { OPT_EXPORT_MARKDOWN = 1792, OPT_EXPORT_JSON };
/* a tree's copies with their attributes (harness/tree_copy.h) */
enum { OPT_PRESERVE = 2048 };
/* batches of an earlier run (compare REF's passes) */
enum { OPT_BATCH_FROM = 2304 };
/* taking turns with another sweep (compare REF, harness/lockstep.h) */
enum { OPT_LOCKSTEP = 2560 };

/* sweep --help: the usage text. */
void bench_sweep_usage(FILE *f);

#endif
