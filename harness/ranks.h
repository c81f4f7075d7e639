/* SPDX-License-Identifier: MIT */
/*
 * sweep --mpi in the runner. Every rank runs the same plan, warm-ups and
 * rounds; this module does what differs from one host: a rank's sources
 * (its own files, or its range of files rank 0 writes), one sample on
 * every rank, and the agreements that keep every rank's run model the
 * same (outcomes, free space, stop requests, time spent).
 *
 * A sample is timed in the rank process itself, between barriers, never
 * in a forked child: fork() after MPI_Init is unsafe with Open MPI (the
 * child shares the library's registered memory and network state). The
 * untimed preparation (sources, cache state, strategy setup) and the
 * verification are done by the rank too; the price is isolation: a rank
 * that crashes ends the job (mpirun stops the others, which write what
 * they measured), and a hung copy is caught by the others' --timeout.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_RANKS_H
#define IOBENCH_RANKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results.h"

struct ranks;
struct copy_strategy;

/*
 * Starts the MPI side of a run on every rank, after each made its own
 * scratch (top: DIR/iobench-XXXXXX, scratch: top/data-RANDOM, open as
 * scratch_fd; ret: how making it went). Agrees on that outcome; with the
 * shared layout, checks every rank sees rank 0's scratch (--dir must be
 * one filesystem for all). NULL with the reason in why (every rank).
 */
struct ranks *ranks_new(const struct run *run, int ret, const char *top,
			const char *scratch, int scratch_fd, char *why,
			size_t len);
void ranks_free(struct ranks *rk);

/* ranks_agree: cluster_agree() with the stop requests and time spent
 * agreed on the way (every exchange carries them). */
int ranks_agree(struct ranks *rk, int ret, char *why, size_t len);
/* The least of every rank's value (free bytes). 0 or a wait's error. */
int ranks_min(struct ranks *rk, uint64_t mine, uint64_t *min, char *why,
	      size_t len);
/* Some rank was asked to stop (agreed at the last exchange). */
bool ranks_stopping(const struct ranks *rk);
/* Seconds spent, on a clock every rank reads alike: the longest rank's
 * time between exchanges, summed. Advances only at an exchange. */
double ranks_clock(const struct ranks *rk);
/* The job broke (a wait gave up): the reason, or NULL. */
const char *ranks_broken(const struct ranks *rk);

/*
 * Sources 0..want-1 of one file size (size_idx names them): a file per
 * process, every rank writes and hashes its own (content from --seed and
 * the rank); shared, rank 0 writes them and the others wait. Untimed,
 * written back. Agreed: 0 or the failing rank's error (why).
 */
int ranks_sources(struct ranks *rk, uint64_t size, size_t size_idx,
		  unsigned want, char *why, size_t len);
void ranks_remove_sources(struct ranks *rk);

/*
 * One sample of cell c with batch k on every rank (the first c->ranks
 * ranks copy, the others wait): cache preparation, strategy setup, two
 * barriers, the timed copy (and, shared, rank 0 creating and pre-sizing
 * the destinations between the first and a third barrier), verification,
 * the exchange. *out on every rank: the time from the first start to the
 * last finish (rank 0's clock), per-rank figures (owned), sums of CPU and
 * page-cache figures; *ru the ranks' rusage summed; *verified the copies
 * checked. 0, a rank's failure (why: "rank N (HOST): ..."), or -EINTR /
 * -EPIPE when the job broke.
 */
int ranks_sample(struct ranks *rk, const struct copy_strategy *s,
		 const struct cell *c, unsigned k, struct sample *out,
		 struct cell_usage *ru, uint64_t *verified, char *why,
		 size_t len);

#endif
