/* SPDX-License-Identifier: MIT */
/*
 * What a planned sweep will cost in wall time, before anything runs:
 * the model behind `sweep --dry-run`, the "planned: ~N s" line and the
 * live ETA's guess for the sizes not measured yet.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_ESTIMATE_H
#define IOBENCH_ESTIMATE_H

#include <stdbool.h>
#include <stdint.h>

#include "results.h"

/* Wall seconds of one sample of c: its timed copies (a batch of small
 * files lasts at least the batch target) and what surrounds them (cache
 * preparation, fork, verification, unlinking). */
double estimate_sample_seconds(const struct run *run, const struct cell *c);
/* Warm-up samples c runs before its rounds: a calibration sample, and a
 * second one with the full batch when the batch is more than one file;
 * one in a later --runs pass. */
unsigned estimate_warmups(const struct run *run, const struct cell *c,
			  bool later_pass);
/* Rounds the cells of one size are expected to run: --samples, more
 * (up to 2x) where cells are expected to be noisy: batched small files
 * on a busy machine (load average above the CPUs). */
double estimate_rounds(const struct run *run, uint64_t size);
/* Seconds a size costs besides its samples: writing its sources. */
double estimate_size_setup(const struct run *run, uint64_t size);
/* One size of the plan, seconds: its sources, warm-ups and rounds (a
 * later --runs pass warms up once). */
double estimate_size_seconds(const struct run *run, uint64_t size,
			     bool later_pass);
/* The whole planned run (every pass), seconds. */
double estimate_run_seconds(const struct run *run);

#endif
