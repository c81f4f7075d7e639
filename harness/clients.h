/* SPDX-License-Identifier: MIT */
/*
 * What the figures of an MPI run (sweep --mpi) say, computed once for
 * every output: whether the hosts differ, and per cell the straggling
 * rank. The report's "Clients" section renders them (report_clients.h).
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_CLIENTS_H
#define IOBENCH_CLIENTS_H

#include <stdbool.h>

#include "results.h"

/* Whether the run's hosts (env.hosts) differ in kernel, CPU, or the
 * filesystem, mount source or options of --dir. */
bool clients_hosts_differ(const struct run *run);
/*
 * Adds the run warning naming each fact that differs and what each host
 * has ("the hosts differ: kernel (a: 6.1.0, b: 5.10.0); ..."), when they
 * do. 0 or -ENOMEM.
 */
int clients_warn_hosts(struct run *run);

/* The rank slowest in the most of a cell's MPI samples (ties: the lower
 * rank) and the share of samples it was slowest in; false when the cell
 * has no per-rank figures or runs one rank. */
bool clients_straggler(const struct cell *c, unsigned *rank, double *share);
/* The host a rank ran on ("?" when unknown). */
const char *clients_host_of(const struct run *run, unsigned rank);

#endif
