/* SPDX-License-Identifier: MIT */
/*
 * sweep --dir A,B,...: the same plan measured on several directories
 * (targets: devices, filesystems) in one run, interleaved by round. The
 * list and its checks, each target's description and limits, where a
 * cell belongs, and the order a round visits the targets' cells in.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_TARGETS_H
#define IOBENCH_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results.h"

/* At most this many targets in one run. */
#define TARGETS_MAX 8

/*
 * A path option's directory must exist and take files: an empty path,
 * a missing one, not a directory, or one where no file can be made
 * (probed with an unnamed file: access(2) says yes to root on a
 * read-only mount) is refused, printed as "sweep: OPT DIR: why".
 * 0 or -EINVAL.
 */
int targets_check_dir(const char *opt, const char *dir);
/* An empty path option is bad input, never "here" or "/" (printed).
 * 0 or -EINVAL. */
int targets_check_not_empty(const char *opt, const char *path);

/*
 * --dir's values (given[0..n), each a comma list; a value naming an
 * existing directory is taken whole, commas and all) into rq->dirs and
 * rq->dir (the first). Every target checked like one --dir; two naming
 * one directory (same device and inode, links resolved) refused; with
 * several, --mpi and --dataset are refused (a rank's or a dataset's
 * files live in one directory), and --src-dir may be none of them.
 * Creates nothing. 0, -EINVAL (printed) or -ENOMEM.
 */
int targets_parse(const char *const *given, size_t n, bool mpi,
		  const char *dataset, const char *src_dir,
		  struct run_request *rq);

/* Targets of a request: 1 with one --dir. */
size_t targets_count(const struct run_request *rq);
/* The directory of target t (t < targets_count()). */
const char *targets_dir(const struct run_request *rq, size_t t);
/* The target a cell belongs to: its index in rq->dirs, 0 when the run
 * has one target (or the cell names none). */
size_t targets_of_cell(const struct run_request *rq, const struct cell *c);
/* Whether two cells are one variant in one mode on two targets (their
 * whole identity but the target). */
bool targets_same_but_target(const struct cell *a, const struct cell *b);

/*
 * compare: whether cell a of run ra and cell b of run rb are one cell
 * (cell_same_key() with ignore). A run with one --dir names no target:
 * against a run with several, its cells are on its --dir.
 */
bool targets_same_cell(const struct run *ra, const struct cell *a,
		       const struct run *rb, const struct cell *b,
		       uint32_t ignore);

/*
 * run->targets from the request: each target's filesystem, device and
 * mount (env_probe() of its directory). Nothing with one target.
 * 0 or -ENOMEM.
 */
int targets_describe(struct run *run);
/*
 * --limits with several targets: the limits of targets 1.. into their
 * run_target (target 0's are run->limits, measured as with one --dir).
 * 0, -EINVAL (stopped) or -ENOMEM.
 */
int targets_measure_limits(struct run *run);
/* Target t's limits: run->limits for the first (or a run with one). */
const struct run_limits *targets_limits(const struct run *run, size_t t);
/* "`/var/tmp` (ext4)": a target for people, into out. */
const char *targets_label(const struct run *run, size_t t, bool md,
			  char *out, size_t len);

/*
 * A round's order over several targets: the shuffled cells in order[0..n)
 * regrouped so that one variant's cells on every target run back to
 * back, the target going first rotating with the round (drift and
 * position effects fall on every target alike). Unchanged with one
 * target. 0 or -ENOMEM.
 */
int targets_round_order(const struct run *run, size_t *order, size_t n,
			unsigned round);

#endif
