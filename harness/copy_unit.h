/* SPDX-License-Identifier: MIT */
/*
 * The one timed copy every runner uses (samples, threads, profiles):
 * a strategy prepared for a cell, and "open the source, create the
 * destination, copy, fdatasync when asked, close", with the same flags,
 * checks and reasons everywhere.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_COPY_UNIT_H
#define IOBENCH_COPY_UNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "cell.h"
#include "iobench/strategy.h"
#include "strategies.h"

/* A strategy set up for one cell, on one thread. */
struct copy_unit {
	const struct copy_strategy *s;
	void *opts;		/* s->options_size bytes, owned */
	void *state;		/* s->state_size bytes, owned, set up */
	int oflags;		/* O_DIRECT or 0, for both ends */
	bool sync;		/* fdatasync before close (--sync end) */
	/* test-only (IOBENCH_FAULT=slow:NAME:PCT): each copy takes PCT%
	 * longer, spent spinning inside the timed unit */
	double slow;
	/* holes of sparse sources (strategy_copy_sparse()); a run-wide
	 * setting the caller sets after copy_unit_setup() (default auto) */
	enum strategy_sparse sparse;
	/* hears each I/O request's latency during the unit's copies
	 * (iobench/strategy.h); NULL: off. Set after copy_unit_setup() */
	const struct copy_io_observer *io_observer;
};

/*
 * Prepares s for cell c, untimed: its options from c's tunables, its
 * state, setup(). 0, or -errno with the reason in why. Call
 * copy_unit_teardown() afterwards in every case.
 */
int copy_unit_setup(struct copy_unit *u, const struct copy_strategy *s,
		    const struct cell *c, char *why, size_t len);
void copy_unit_teardown(struct copy_unit *u);

/* How the destination is opened. */
enum copy_unit_dst {
	COPY_UNIT_CREATE,	/* created, or truncated when it exists */
	COPY_UNIT_EXISTING,	/* a range into a file that exists */
};

/*
 * The timed unit: opens src read-only (O_NOFOLLOW | src_oflags | the
 * unit's flags), opens dst write-only (O_NOFOLLOW, created per mode),
 * copies r, fdatasyncs when the unit syncs (adding that time to
 * *sync_seconds), and closes both (a failing close counts). 0, or -errno
 * with the reason in why ("creating the destination: No space left").
 */
int copy_unit_file(const struct copy_unit *u, const char *src,
		   int src_oflags, const char *dst, enum copy_unit_dst mode,
		   const struct copy_range *r, double *sync_seconds,
		   char *why, size_t len);
/* The same from a source the caller opened (with the unit's oflags):
 * sfd is closed in every case. */
int copy_unit_fd(const struct copy_unit *u, int sfd, const char *dst,
		 enum copy_unit_dst mode, const struct copy_range *r,
		 double *sync_seconds, char *why, size_t len);

#endif
