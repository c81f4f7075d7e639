/* SPDX-License-Identifier: MIT */
/*
 * Thread sweeps: the --threads/--parallel/--pin/--prealloc request, the
 * cells they multiply, CPU/NUMA placement plans from an hwloc topology, and
 * the worker pool that copies one sample with N threads behind a barrier.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_THREADS_H
#define IOBENCH_THREADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results.h"

struct cell_kind;
struct io_latency_sample;
struct source_tree;

struct topology_plan;
struct hwloc_topology;

/* Ranges start on multiples of this when each thread gets at least that
 * much, else on 4 KiB (always enough for COPY_RANGES_ALIGNED). */
#define THREADS_RANGE_ALIGN (1u << 20)
#define THREADS_RANGE_MIN_ALIGN 4096u


/* ---- the request and the plan ---- */

/*
 * Fills rq's thread fields from the option values (NULL = the default:
 * "1", "files", "none", "truncate"). 0, or -EINVAL with a one-line reason
 * naming the option in err ("--threads: '0': must be 1 to 256").
 */
int threads_parse_request(const char *threads, const char *parallel,
			  const char *pin, const char *prealloc,
			  struct run_request *rq, char *err, size_t len);
/* Thread configurations a parameter set multiplies into: one for 1
 * thread, one per parallel mode for each count above 1. */
size_t threads_n_configs(const struct run_request *rq);
/*
 * Gives the cells run->cells[first..] (just planned for kind k) the
 * thread configuration `config` (< threads_n_configs): ranges with a
 * strategy without COPY_RANGES are skipped "not range-capable", more
 * than one thread for a reference tool too. 0 or -ENOMEM.
 */
int threads_apply_config(struct run *run, size_t first,
			 const struct cell_kind *k, size_t config);
/* Whether a cell's samples run in the worker pool (threads or pinned). */
bool threads_cell_pooled(const struct cell *c);
/* Files a sample of batch k copies: k, times the threads by files. */
unsigned threads_files_for(const struct cell *c, unsigned k);
/* Adds (once) and returns the run warning when some cell runs more
 * threads than the machine has processing units; NULL when none does. */
const char *threads_oversubscribed(struct run *run);

/*
 * Splits [0, size) into n contiguous ranges (out has n entries): range
 * i starts at i/n of the file rounded down to THREADS_RANGE_ALIGN (to
 * 4 KiB when a share is under that), so ranges differ by at most one
 * alignment unit; in a file of fewer units than n some are empty.
 * size * n must fit in 64 bits. Returns how many are non-empty.
 */
unsigned threads_split_ranges(uint64_t size, unsigned n,
			      struct copy_range *out);

/* ---- one sample with N threads ---- */

/* A tree copied by files (tree_copy.h): the workers share one queue of
 * its files, largest first, and make directories as they go. */
struct threads_tree {
	const struct source_tree *tree;
	bool preserve;
	size_t base_len;	/* strlen of the sample directory */
};

struct threads_job {
	const struct copy_strategy *s;
	/* the strategy's options come from its tunables (NULL: defaults) */
	const struct cell *cell;
	enum parallel_mode parallel;
	enum prealloc_mode prealloc;
	enum sync_mode sync;
	enum strategy_sparse sparse;	/* holes (strategy_copy_sparse()) */
	unsigned threads;
	uint64_t size;			/* bytes per file */
	/* files: threads x per-thread batch, thread t copying files
	 * [t*k, t*k+k); ranges: every thread copies its range of each */
	char *const *src, *const *dst;
	unsigned n_files;
	const struct topology_plan *plan;	/* NULL: not pinned */
	struct hwloc_topology *topo;	/* for membind; NULL: none */
	/* by files: the tree src/dst are the files of (n_files of them,
	 * any count; size unused), or NULL */
	const struct threads_tree *tree;
	/* called in each worker after pinning, before setup (tests) */
	void (*on_start)(unsigned idx, void *ctx);
	void *ctx;
	/* per-I/O latencies: worker i records through recorder i
	 * (io_latency.h); NULL: none */
	struct io_latency_sample *io_lat;
};

struct threads_outcome {
	double seconds;		/* first start to last finish */
	double first_finish;	/* first start to first finish */
	double sync_seconds;	/* the longest thread's fdatasync time */
	double cpu_user, cpu_sys;	/* whole process, timed region */
	bool membind_failed;	/* pinned but buffers not bound */
	struct thread_figure per_thread[THREADS_MAX];
};

/*
 * Copies the job's files with job->threads workers, each with its own
 * strategy state and descriptors. Setup (and pinning) is untimed; the
 * clock starts once every worker is ready and, by ranges, includes
 * creating and pre-sizing the destinations. 0, or -errno with the reason
 * in why.
 */
int threads_run(const struct threads_job *job, struct threads_outcome *out,
		char *why, size_t len);
/* threads_run for a cell's sample of n files (threads_files_for), with
 * the placement plan of the cell's pin mode on this machine; io_lat (or
 * NULL) as threads_job's. */
int threads_measure(const struct copy_strategy *s, const struct cell *c,
		    enum strategy_sparse sparse, const struct threads_tree *tree,
		    char *const *src, char *const *dst, unsigned n,
		    struct io_latency_sample *io_lat,
		    struct threads_outcome *out, char *why, size_t len);

#endif
