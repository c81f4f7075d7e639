/* SPDX-License-Identifier: MIT */
/*
 * How steady the machine itself was while a run measured: before each
 * round the run times one reference sample, the same work every time
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

#include <stdio.h>

#include <jansson.h>

#include "env_types.h"

/* What one reference sample lasts, about (a batched sample's length). */
#define ENV_NOISE_SAMPLE_SECONDS 0.010

/* Makes the two in-memory files and sizes the repeats. Without memfd or
 * memory the run goes on unprobed (env_noise_finish leaves "not
 * measured"). 0 or a negative errno. */
int env_noise_start(void);
/* One timed reference sample (nothing when not started). */
void env_noise_sample(void);
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
