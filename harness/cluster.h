/* SPDX-License-Identifier: MIT */
/*
 * The MPI layer of `iobench sweep --mpi` (Open MPI; Debian libopenmpi-dev):
 * start and end, the barrier before every sample, a clock common to all
 * ranks, per-sample exchanges through rank 0, every host's facts, and who
 * writes (rank 0). Only the main thread calls MPI.
 *
 * Every wait polls its request, so a stop signal or a timeout ends it.
 * A stop ends a wait at once: mpirun sends every rank SIGTERM and SIGKILL
 * a second later (less once one has exited), which leaves no time to wait
 * for peers; rank 0 has every finished sample already. After a wait gave
 * up the job is "broken": no MPI call is made any more, cluster_finish()
 * skips MPI_Finalize, and mpirun ends the others.
 *
 * Without MPI (a build where it was missing) cluster_start() fails with
 * -ENOTSUP and cluster_on() is false; nothing else is to be called.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_CLUSTER_H
#define IOBENCH_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "results.h"

/* How a wait for the other ranks polls. */
enum cluster_wait {
	/* sleeps between polls: ranks arrive far apart (preparation) or the
	 * time was taken already; a waiting rank leaves the CPU to others */
	CLUSTER_LOOSE,
	/* yields between polls: everyone is there, the release must be
	 * prompt (the start of a timed sample) */
	CLUSTER_TIGHT,
};

#if HAVE_MPI

/*
 * MPI_Init_thread (funneled), this rank's number and the job's size, a
 * node-local communicator, and this rank's clock offset to rank 0 (exact
 * on rank 0's boot, from CLOCK_MONOTONIC; elsewhere a ping-pong, the
 * round trip that took least). 0, or -errno
 * with the reason in why.
 */
int cluster_start(int *argc, char ***argv, char *why, size_t len);
/* MPI_Finalize when the job is whole; nothing when it broke (a wait gave
 * up), left (cluster_leave()) or never started. Safe to call twice. */
void cluster_finish(void);
/* Ends this rank's part without MPI_Finalize: after a stop signal
 * mpirun is ending the job, and MPI_Finalize would wait for it (seconds
 * measured, while mpirun kills every rank one second after SIGTERM). */
void cluster_leave(void);
/* Ends the whole job now (MPI_Abort with code): after a fatal error on
 * one rank that the others cannot learn of in time. */
void cluster_abort(int code) __attribute__((noreturn));

/* cluster_start() succeeded and MPI_Finalize has not run (a job that
 * broke or left never finalizes). */
bool cluster_on(void);
/* This rank and the job's size (0 and 1 without MPI). */
int cluster_rank(void);
int cluster_size(void);
/* Whether this process writes results and talks to the user: rank 0, or
 * any process without MPI. */
bool cluster_writer(void);
/* The lowest rank on this host (it alone removes stale scratch). */
bool cluster_host_leader(void);
/* A wait gave up: the job cannot communicate any more. */
bool cluster_broken(void);
/* Async-signal-safe: a stop signal arrived. */
void cluster_request_stop(void);

/* A stop signal arrived here (cluster_request_stop()). */
bool cluster_stop_requested(void);

/*
 * Waits until every rank has called it. timeout seconds at most (0: no
 * limit); 0, -EINTR (a stop: see above) or -ETIMEDOUT, with the reason
 * in why. Either error breaks the job.
 */
int cluster_barrier(enum cluster_wait how, double timeout, char *why,
		    size_t len);
/*
 * Every rank contributes `len` bytes from mine; every rank receives
 * all ranks' blocks in rank order in all (size() * len bytes): rank 0
 * collects them and sends the whole set to everyone. Errors as for the
 * barrier; rank 0's reason names the ranks that never answered.
 */
int cluster_exchange(const void *mine, void *all, size_t len,
		     double timeout, char *why, size_t wlen);
/*
 * Every rank's outcome of one step: 0 on every rank when all succeeded,
 * else on every rank the lowest failing rank's ret, with "rank N (HOST):
 * its reason" in why (which holds this rank's reason on the way in).
 * A wait's own error (-EINTR, -ETIMEDOUT) comes back as it is.
 */
int cluster_agree(int ret, double timeout, char *why, size_t len);
/* MPI_Wtime() on rank 0's clock (this rank's offset added), seconds. */
double cluster_now(void);
/* This rank's offset to rank 0's clock, seconds (0 on rank 0). */
double cluster_clock_offset(void);

/*
 * Every rank's host facts from env (hostname, kernel, CPU, filesystem,
 * mount source and options of --dir as that rank sees them, the error
 * bound of its clock offset) into env->hosts on every rank: ranks whose facts are all equal
 * share one entry. 0, -ENOMEM, or a wait's error (why).
 */
int cluster_gather_hosts(struct environment *env, char *why, size_t len);

#else /* !HAVE_MPI: sweep --mpi is refused before any of these runs */

#include <errno.h>
#include <stdlib.h>

static inline int cluster_start(int *argc, char ***argv, char *why,
				size_t len)
{
	(void)argc, (void)argv;
	if (len)
		why[0] = '\0';
	return -ENOTSUP;
}
static inline void cluster_finish(void) {}
static inline void cluster_leave(void) {}
static inline void cluster_abort(int code) { exit(code); }
static inline bool cluster_on(void) { return false; }
static inline int cluster_rank(void) { return 0; }
static inline int cluster_size(void) { return 1; }
static inline bool cluster_writer(void) { return true; }
static inline bool cluster_host_leader(void) { return true; }
static inline bool cluster_broken(void) { return false; }
static inline void cluster_request_stop(void) {}
static inline bool cluster_stop_requested(void) { return false; }
static inline int cluster_barrier(enum cluster_wait how, double timeout,
				  char *why, size_t len)
{
	(void)how, (void)timeout, (void)why, (void)len;
	return -ENOTSUP;
}
static inline int cluster_exchange(const void *mine, void *all, size_t len,
				   double timeout, char *why, size_t wlen)
{
	(void)mine, (void)all, (void)len, (void)timeout, (void)why,
	(void)wlen;
	return -ENOTSUP;
}
static inline int cluster_agree(int ret, double timeout, char *why,
				size_t len)
{
	(void)timeout, (void)why, (void)len;
	return ret;
}
static inline double cluster_now(void) { return 0; }
static inline double cluster_clock_offset(void) { return 0; }
static inline int cluster_gather_hosts(struct environment *env, char *why,
				       size_t len)
{
	(void)env, (void)why, (void)len;
	return -ENOTSUP;
}

#endif /* HAVE_MPI */

#endif
