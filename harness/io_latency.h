/* SPDX-License-Identifier: MIT */
/*
 * Per-I/O completion latency of a sweep's cells: strategies that time
 * their requests (struct copy_io_observer: io_uring, libaio, odirect)
 * record into a histogram the sample process shares with the runner;
 * kept per cell (cell_io.h), in results.json ("io_latency") and the
 * report, next to the per-copy latency.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_IO_LATENCY_H
#define IOBENCH_IO_LATENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "histogram.h"
#include "iobench/strategy.h"

struct run;
struct run_io;

/* Per-I/O latencies are kept at this precision (0.4%, histogram.h). */
#define IO_LATENCY_BITS HISTOGRAM_DEFAULT_BITS
/* results.json's key in each cell, and its unit. */
#define IO_LATENCY_KEY "io_latency"
#define IO_LATENCY_UNIT "ns"

/* One thread's recorder: its histogram and the observer filling it. */
struct io_latency_recorder {
	struct histogram h;		/* its counters in the same mapping */
	struct copy_io_observer obs;	/* records into h */
};

/*
 * One sample's per-I/O latencies, in memory shared (MAP_SHARED) with the
 * sample process: made before the fork, the child's copying threads
 * record through their own recorder's observer (a histogram is not
 * thread-safe), the parent reads them after the child is gone.
 */
struct io_latency_sample {
	size_t map_len;
	unsigned n;			/* recorders, one per thread */
	struct io_latency_recorder rec[];
};

/* A new, empty one with n recorders (1 to THREADS_MAX), or NULL (out of
 * memory: the sample then records none). Free it with
 * io_latency_sample_free(). */
struct io_latency_sample *io_latency_sample_new(unsigned n);
void io_latency_sample_free(struct io_latency_sample *s);
/* Recorder i's observer (for thread i); NULL when s is NULL or has no
 * recorder i. */
const struct copy_io_observer *io_latency_observer(
	struct io_latency_sample *s, unsigned i);

/* Adds a kept sample's latencies (every recorder's) to cell i of io
 * (nothing when the sample recorded none). 0 or -ENOMEM. */
int io_latency_add_sample(struct run_io *io, size_t i,
			  const struct io_latency_sample *s);

/* results.json: cell i's "io_latency" ({unit, count, min, p50, p90,
 * p99, p99_9, max, mean, histogram}) added to its object as the writer
 * builds it, when it has one. 0 or -ENOMEM. */
int io_latency_json_cell(json_t *cell, const struct run_io *io, size_t i);
/* Reads them back (cells without one, and older files, have none). 0, or
 * -errno with the reason in err. */
int io_latency_json_read(json_t *cells, struct run_io *io, char *err,
			 size_t len);

/* Whether any cell of the run has per-I/O latencies. */
bool io_latency_any(const struct run_io *io);
/* report.md's "Per-I/O latency" part (nothing when no cell has any) and
 * its plot in dir/plots/ (none when dir is NULL). 0 or -errno. */
int io_latency_report(FILE *f, const struct run *run, const char *dir);

#endif
