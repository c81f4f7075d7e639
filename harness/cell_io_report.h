/* SPDX-License-Identifier: MIT */
/*
 * The per-cell latency and device I/O figures of a sweep (cell_io.h) in
 * report.md (cell_io_report.c).
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_CELL_IO_REPORT_H
#define IOBENCH_CELL_IO_REPORT_H

#include <stdio.h>

#include "cell_io.h"

/* report.md's "Latency and device I/O" section (nothing without
 * run->io), its latency plots drawn into dir/plots/ (none when dir is
 * NULL; without gnuplot the section says why). 0 or -errno. */
int cell_io_report(FILE *f, const struct run *run, const char *dir);

#endif
