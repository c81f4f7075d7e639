/* SPDX-License-Identifier: MIT */
/*
 * Taking turns with another sweep: compare REF runs the sweeps of both
 * binaries at once, each given one end of a socket (sweep --lockstep FD),
 * and hands the turn to one at a time in the order A B B A A B ..., one
 * turn per warm-up or sample. Sample k of one binary so runs right next
 * to sample k of the other, and what the machine does over seconds (the
 * host taking CPU, other guests' I/O) falls on both alike instead of on
 * one whole pass - the pairs compare judges (compare_paired_rounds()).
 *
 * Protocol, one byte each way: the sweep writes 'w' when its turn is
 * over and it wants the next, then waits for 'g'; it ends by exiting
 * (the coordinator sees end-of-file and gives the other every turn).
 * The sweep's start-up up to its first turn is serialized too: it asks
 * right after reading its options.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_LOCKSTEP_H
#define IOBENCH_LOCKSTEP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* The sweep side: takes descriptor fd (a connected socket) for this
 * process; 0, or -EBADF / -ENOTSOCK with the reason in why. */
int lockstep_attach(int fd, char *why, size_t len);
/* Whether this process takes turns (--lockstep was given). */
bool lockstep_on(void);
/* Ends this process's turn and waits for its next (returns at once
 * without --lockstep). The wait is not this run's time (env_load.h).
 * 0, or -EPIPE when the coordinator has gone, -EPROTO on a wrong byte. */
int lockstep_turn(void);

/*
 * The coordinator side: hands turns to the sweeps at the other ends of
 * fds[0] and fds[1], one at a time, in the order A B B A ... where A is
 * fds[first], until both have closed their ends (a sweep that ended
 * early leaves every turn to the other). *turns counts the turns given.
 * 0; -EINTR when *stop was set (stop the children then); -errno on a
 * socket error.
 */
int lockstep_coordinate(const int fds[2], unsigned first,
			volatile sig_atomic_t *stop, unsigned *turns);

#endif
