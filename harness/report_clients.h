/* SPDX-License-Identifier: MIT */
/* The "Clients" section of report.md for MPI runs (sweep --mpi).
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_REPORT_CLIENTS_H
#define IOBENCH_REPORT_CLIENTS_H

#include <stdio.h>

#include "results.h"

/*
 * Writes "## Clients" to f for an MPI run (nothing otherwise): the job
 * and its layout, every host (name, ranks, kernel, CPU, filesystem and
 * mount of --dir, clock offset), then per size each variant's aggregate
 * MiB/s and files/s at every rank count, its speed-up over the same
 * variant on 1 rank (one client: the single-host figure; bootstrap 95%
 * CI), efficiency, one rank's share, imbalance (slowest / fastest rank),
 * first finish and the straggler. 0 or -ENOMEM.
 */
int report_clients_section(const struct run *run, FILE *f);

/* "mpirun -n N " before a reproducing command line of an MPI run;
 * nothing otherwise. */
void report_clients_launcher(const struct run_request *q, FILE *f);
/* " --mpi --mpi-layout L [--ranks LIST] [--stonewall S]" for an MPI
 * run's reproducing command line; nothing otherwise. */
void report_clients_options(const struct run_request *q, FILE *f);

#endif
