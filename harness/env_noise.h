/* SPDX-License-Identifier: MIT */
/*
 * How steady the machine itself was while a run measured: before each
 * round the run times one reference sample on the CPU the round's cells
 * run on (env_noise_pick_cpu()), the same work every time
 * and no strategy, filesystem or allocation in it (1 MiB read from one
 * in-memory file and written over another, repeated for about as long
 * as a sample lasts). The spread of those samples is the machine's own
 * (its memory copies, the hypervisor, other tenants): a cell whose
 * samples spread no more than that is as steady as this machine allows
 * in that run; one that spreads more has a cause of its own.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_ENV_NOISE_H
#define IOBENCH_ENV_NOISE_H

#include <sched.h>
#include <stdio.h>

#include <jansson.h>

#include "env_types.h"

/* What one reference sample lasts, about (a batched sample's length). */
#define ENV_NOISE_SAMPLE_SECONDS 0.010

/* Makes the two in-memory files and sizes the repeats. Without memfd or
 * memory the run goes on unprobed (env_noise_finish leaves "not
 * measured"). 0 or a negative errno. */
int env_noise_start(void);
/* One timed reference sample (nothing when not started): on `cpu` when
 * it is 0 or more (the calling thread bound there, then back to all of
 * `allowed`), where the round's cells run, so the machine's steadiness
 * is the one they met; -1 where the scheduler puts it. */
void env_noise_sample(int cpu, const cpu_set_t *allowed);
/*
 * The CPU the next round runs on: the reference work (a sixth of a
 * sample, best of three passes) timed on each of the allowed CPUs (at most
 * ENV_NOISE_CPUS_PROBED a round: `current` and the next ones in rotation),
 * the calling thread bound to each and then back to all of `allowed`.
 * The fastest wins; `current` (the last round's, -1 none) stays while
 * within ENV_NOISE_CPU_KEEP of it, so equal CPUs do not flip-flop.
 * -1 when not started or fewer than 2 CPUs are allowed: the caller
 * chooses. A round whose slowest probed CPU took ENV_NOISE_CPU_UNEVEN
 * or more of the fastest's time is counted as uneven.
 */
#define ENV_NOISE_CPUS_PROBED 8
#define ENV_NOISE_CPU_KEEP 1.03
#define ENV_NOISE_CPU_UNEVEN 1.10
int env_noise_pick_cpu(const cpu_set_t *allowed, int current);
/* Describes the samples into *out and frees the files. */
void env_noise_finish(struct env_noise *out);

/* Adds "noise" to results.json's environment object (nothing when not
 * measured). 0 or -ENOMEM. */
int env_noise_json_add(json_t *env, const struct env_noise *n);
/* Reads root.environment.noise when present (n stays zeroed otherwise).
 * 0, or -EINVAL with the reason in why. */
int env_noise_json_read(json_t *root, struct env_noise *n, char *why,
			size_t len);
/* A Markdown row for a report's environment table; nothing when not
 * measured. */
void env_noise_markdown_row(FILE *f, const struct env_noise *n);

#endif
