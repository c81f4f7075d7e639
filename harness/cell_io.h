/* SPDX-License-Identifier: MIT */
/*
 * What a sweep's copies looked like one level down: per-copy latency
 * (each file of a batch timestamped on its own) and what the block
 * devices under --dir did while each sample ran (/proc/diskstats
 * deltas), per cell; in results.json and the report.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_CELL_IO_H
#define IOBENCH_CELL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "diskstats.h"
#include "histogram.h"
#include "results.h"

/* Per-copy latencies are kept at this precision (0.4%, histogram.h). */
#define CELL_IO_BITS HISTOGRAM_DEFAULT_BITS

/*
 * One cell. lat holds the time of every copy of the cell's samples
 * (warm-ups excluded), in nanoseconds: one clock read after each file, so
 * a batch of k files gives k values. Cells whose samples run a thread
 * pool record none (their files overlap). disk sums the deltas taken
 * around each sample process: its whole life, so it includes the
 * residency checks but not writeback of dirty destinations after it
 * ended (unless --sync end made it part of the copy); other processes'
 * I/O to the same devices lands in it too.
 */
struct cell_io {
	struct histogram lat;
	/* per-I/O completion latency (io_latency.h), nanoseconds; zeroed
	 * (no counters) for cells whose strategy reports none */
	struct histogram io_lat;
	struct diskstats_snapshot disk;
	unsigned disk_samples;	/* samples the deltas cover */
	uint64_t disk_bytes;	/* bytes those samples copied */
};

/* A run's per-cell figures, parallel to run->cells. Owned by the run. */
struct run_io {
	struct diskstats_chain chain;	/* under --dir */
	char *chain_why;		/* why there are no counters, or NULL */
	/* cost of one clock read (the per-file timestamp), nanoseconds,
	 * the best of a few rounds of many reads */
	double timestamp_ns;
	struct cell_io *cells;
	size_t n_cells;
};

/*
 * Creates run->io for the run's cells (after planning): resolves the
 * device chain under the run's --dir and measures the timestamp cost.
 * A directory on no block device is not an error (chain_why says so).
 * 0 or -ENOMEM.
 */
int run_io_init(struct run *run);
/* Frees io and everything it owns; NULL is fine. */
void run_io_free(struct run_io *io);

/* Cost of one clock_now() in nanoseconds (best of a few rounds). */
double cell_io_timestamp_ns(void);

/* Adds one kept sample of cell i: its k per-copy seconds (lat may be
 * NULL: not recorded) and, when delta is not NULL, the devices' delta
 * over `bytes` copied. */
void cell_io_add_sample(struct run_io *io, size_t i, const double *lat,
			unsigned k, const struct diskstats_snapshot *delta,
			uint64_t bytes);

/* The physical device's delta of a cell (the last in the chain with
 * counters), or NULL when none; *idx (may be NULL) gets its index. */
const struct diskstats_counters *cell_io_device(const struct run_io *io,
						const struct cell_io *c,
						size_t *idx);
/* Device bytes read (or written) per byte the cell copied; NaN when
 * unknown. */
double cell_io_read_per_byte(const struct run_io *io, const struct cell_io *c);
double cell_io_write_per_byte(const struct run_io *io,
			      const struct cell_io *c);

/* results.json's section writers (json_write.c calls them as it builds
 * the document; nothing without io): "io" at the top ({chain, chain_why,
 * timestamp_ns}), and cell i's "latency_ns", "diskstats" and "io_latency"
 * (io_latency.h) added to its object. 0 or -ENOMEM. */
int cell_io_json_run(json_t *root, const struct run_io *io);
int cell_io_json_cell(json_t *cell, const struct run_io *io, size_t i);
/* Reads them back (optional: older files have none). 0, or -errno with
 * the reason in err. */
int cell_io_json_read(json_t *root, struct run *run, char *err, size_t len);

#endif
