/* SPDX-License-Identifier: MIT */
/*
 * What else the machine did while a run measured: the CPUs other
 * processes kept busy, the CPU time the hypervisor took (steal), the load
 * average, and the memory the guest's free page reporting handed back to
 * the host. Figures a run cannot remove, recorded so a reader (and
 * compare) can tell a quiet measurement from a disturbed one.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_ENV_LOAD_H
#define IOBENCH_ENV_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "env_types.h"

/* A point in time: the counters env_load_finish() takes differences of. */
struct env_load_mark {
	double wall;	      /* monotonic seconds */
	double busy, steal;   /* all CPUs, seconds (/proc/stat) */
	double own;	      /* this process and its waited children */
	double kernel;	      /* kernel threads (writeback, I/O), seconds */
	int64_t reported_kib; /* -1: no free page reporting counter */
	double loadavg;	      /* 1-minute load average, -1 unknown */
	/* env_load_pause()'s running totals when the mark was taken */
	double paused_wall, paused_busy, paused_kernel;
};

/* Above this many CPUs kept busy by others, a run's figures include
 * their interference (the report warns). */
#define ENV_LOAD_BUSY_CPUS 0.25

/* Reads the counters now. */
void env_load_mark(struct env_load_mark *m);
/*
 * This process waits while another measured process runs in its place
 * (sweep --lockstep, harness/lockstep.h): from env_load_pause() to
 * env_load_resume() neither the wall time nor the CPU time the machine
 * was busy counts, so the peer's work is not "other load" of this run.
 * Two reads of /proc/stat and two of the kernel threads' times.
 */
void env_load_pause(void);
void env_load_resume(void);
/* Fills l with the figures since m (measured true). */
void env_load_finish(const struct env_load_mark *m, struct env_load *l);
/* True when other processes or the hypervisor took enough CPU to
 * disturb the measurement; *why (when not NULL) gets one sentence
 * with the figures. */
bool env_load_disturbed(const struct env_load *l, char *why, size_t len);

/* Adds "load" to results.json's environment object as the writer builds
 * it (nothing when not measured). 0 or -ENOMEM. */
int env_load_json_add(json_t *env, const struct env_load *l);
/* Reads root.environment.load when present (l stays zeroed otherwise).
 * 0, or -EINVAL with the reason in why. */
int env_load_json_read(json_t *root, struct env_load *l, char *why, size_t len);
/* A Markdown table row for a report's environment table; nothing when
 * not measured. */
void env_load_markdown_row(FILE *f, const struct env_load *l);

#endif
