/* SPDX-License-Identifier: MIT */
/*
 * Inside sweep --mpi's runner side (ranks.h): what every rank sends at an
 * exchange, the state of a run's ranks, and the pieces ranks.c (exchanges,
 * start, sources) and ranks_sample.c (one sample) share. Not for use
 * outside ranks*.c.
 */
#ifndef IOBENCH_RANKS_INTERNAL_H
#define IOBENCH_RANKS_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "ranks.h"
#include "results.h"

#define REASON_LEN 256
#define FILE_PATH_MAX (PATH_MAX + 64)

/* What every rank reports at an exchange; the same type for every step
 * (ranks_agree uses status, reason, stop and elapsed only). */
struct rank_msg {
	int32_t status;			/* 0 or -errno */
	uint32_t stop;			/* a stop signal arrived here */
	uint32_t stonewalled;		/* stopped at --stonewall */
	uint32_t files;			/* files (or ranges) finished */
	double elapsed;			/* local seconds since the last one */
	double start, finish;		/* rank 0's clock */
	double sync_seconds, cpu_user, cpu_sys;
	uint64_t bytes, src_pages, value;
	int64_t src_before, src_after;
	struct cache_pages dst;
	struct cell_usage ru;
	char reason[REASON_LEN];	/* "rank N (HOST): ..." when status */
};

struct ranks {
	const struct run *run;
	int rank, size;
	char host[64];
	const char *top, *scratch;	/* this rank's scratch */
	int scratch_fd;
	char root_top[PATH_MAX], root_scratch[PATH_MAX];	/* rank 0's */
	struct rank_msg *all;		/* one per rank, for exchanges */
	/* the sources of the size being run */
	uint64_t file_size;
	size_t size_idx;
	unsigned n_sources;
	uint64_t *hashes;		/* a file per process: whole files */
	/* agreed at every exchange */
	bool stop;
	double clock, last_local;
	char broken[REASON_LEN];
	unsigned samples;		/* samples run: shared names */
};

static inline bool ranks_shared(const struct ranks *rk)
{
	return rk->run->request.layout == CLUSTER_SHARED;
}

/*
 * Sends mine (status and reason filled by the caller), receives every
 * rank's message into rk->all, and agrees on the stop requests and time
 * spent. 0, or the wait's error (the job is broken; rk->broken says why).
 */
int ranks_exchange(struct ranks *rk, struct rank_msg *mine, double timeout);
/* The lowest failing rank's status and reason (already "rank N (HOST):
 * ..."), or 0. */
int ranks_first_failure(const struct ranks *rk, char *why, size_t len);
/* mine's status and reason, the reason naming this rank and host. */
void ranks_set_status(const struct ranks *rk, struct rank_msg *m, int ret,
		      const char *why);
/* The path of source i of the size being run (rank 0's when shared). */
void ranks_src_path(const struct ranks *rk, unsigned i, char *out,
		    size_t len);
/* Content index of source i (dataset_fill()). */
uint64_t ranks_content_index(const struct ranks *rk, unsigned i);

#endif
