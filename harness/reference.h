/* SPDX-License-Identifier: MIT */
/*
 * Reference tools (GNU cp, dd, rsync) measured like strategies: each is a
 * cell named "ref:TOOL" whose timed unit runs the tool as a process.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_REFERENCE_H
#define IOBENCH_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "iobench/strategy.h"
#include "results.h"

/* Cell names of reference tools start with this. */
#define REFERENCE_PREFIX "ref:"
/* The tools --reference accepts, comma-separated, for messages. */
#define REFERENCE_TOOLS "cp,dd,rsync,tar"

/* True when the cell is a reference tool's, not a strategy's. */
bool reference_cell(const struct cell *c);
bool reference_name(const char *cell_strategy);

/*
 * Parses --reference: a comma list of tools, or "none". Appends the tool
 * names to *names (malloc'd strings; the caller owns them). 0, or -EINVAL
 * with "what is wrong" in err, or -ENOMEM.
 */
int reference_parse(const char *list, char ***names, size_t *n, char *err,
		    size_t len);

/*
 * The i-th placeholder strategy the request's tools plan (cp plans two:
 * "ref:cp" and "ref:cp-reflink-never"), or NULL past the last. They carry
 * the name, the tunables (dd: TUNE_BUF, its bs) and a probe (the tool is
 * on PATH and answers --version); their copy hook is never called: the
 * runner calls reference_copy() instead.
 */
const struct copy_strategy *reference_at(const struct run_request *rq,
					 size_t i);
/* The i-th of every tool's placeholders (generated files, then trees),
 * or NULL past the last: what `iobench list` shows. */
const struct copy_strategy *reference_nth(size_t i);
/* The placeholder of a cell name ("ref:dd"), or NULL. */
const struct copy_strategy *reference_find(const char *cell_strategy);
/* True when s is one of the placeholders. */
bool reference_is(const struct copy_strategy *s);
/* The command line a placeholder runs, for the report ("cp --reflink=never
 * SRC DST"); static storage. */
const char *reference_command(const struct copy_strategy *s);

/*
 * The timed unit of a reference cell: runs the tool copying src to dst in
 * a forked process (process start included), waits for it, then
 * fdatasyncs dst when the cell's sync mode asks (time in *sync_seconds).
 * 0, or -errno with the tool's own message in why.
 */
int reference_copy(const struct copy_strategy *s, const struct cell *c,
		   const char *src, const char *dst, double *sync_seconds,
		   char *why, size_t len);

/*
 * Runs argv[0] (searched on PATH) in cwd (NULL: here) with stdin and
 * stdout on /dev/null and stderr collected into msg (one line, cut to
 * len). The program dies with its caller (PR_SET_PDEATHSIG): a sample
 * killed on timeout takes its tool with it. Returns the wait status
 * (>= 0; 127 when it could not be started) or -errno.
 */
int harness_run_program(char *const argv[], const char *cwd, char *msg,
			size_t len);

struct source_tree;

/* ---- generated files: one process for the whole batch ---- */

/* Whether the tool copies a sample's batch in one process (cp, rsync);
 * dd copies one file per process. */
bool reference_batches(const struct copy_strategy *s);
/*
 * The timed unit of a batching reference cell: `cp -t DIR SRC...` or
 * `rsync --whole-file SRC... DIR/`, one process per 2048 files; the
 * copies are DIR/<basename of src[i]> (dst[i], fdatasynced when the cell
 * syncs). 0, or -errno with the tool's message.
 */
int reference_batch_copy(const struct copy_strategy *s, const struct cell *c,
			 char *const *src, char *const *dst, unsigned k,
			 const char *dir, double *sync_seconds, char *why,
			 size_t len);
/*
 * The start-up cost of the program a placeholder runs: the median wall
 * time of 9 runs of `TOOL --version` (after one untimed), as hyperfine
 * measures a shell's; measured once per program and process. Seconds, or
 * 0 when the tool does not run.
 */
double reference_start_seconds(const struct copy_strategy *s);

/* ---- a --source tree (cp -r, cp -a, rsync -a, tar | tar) ---- */

/*
 * In a sample process, untimed: makes a read-only view of the tree at
 * DIR/src in a private mount namespace (as root, or in a user namespace),
 * so the tool reading it cannot change the tree's access times (nor
 * write into it). view receives the path the tool reads: DIR/src, or
 * the tree itself when no view can be made but its filesystem is mounted
 * noatime. 0, or -errno with one line in why. The process's mounts are
 * its own from then on.
 */
int reference_tree_view(const struct source_tree *t, const char *dir,
			char *view, size_t vlen, char *why, size_t len);
/* Whether reference_tree_view() works here (tried in a forked process,
 * in a temporary directory under dir): 0, or -errno with why. */
int reference_tree_probe(const struct source_tree *t, const char *dir,
			 char *why, size_t len);
/*
 * The timed unit of a tree reference cell: the tool copies view into
 * DIR/tree in one process (dst[0..k) are the files it must have written,
 * fdatasynced when the cell syncs). 0, or -errno with the tool's message.
 */
int reference_tree_copy(const struct copy_strategy *s, const struct cell *c,
			const char *view, const char *dir, char *const *dst,
			unsigned k, double *sync_seconds, char *why, size_t len);

/* ---- one sample of a reference cell: the tools' own runner ---- */

struct reference_job {
	const struct copy_strategy *s;	/* a placeholder (reference_at) */
	const struct cell *c;
	const struct source_tree *tree;	/* --source: the tree, or NULL */
	const char *dir;		/* the sample directory */
	char *const *src, *const *dst;	/* the k files to copy */
	unsigned k;
};

/*
 * The timed part of a reference cell's sample, in the sample process: a
 * tree's read-only view first (untimed), then the tool copies the tree
 * (one process), the batch (cp, rsync: one process) or each file (dd).
 * The wall time of the copies (tool start-up and fdatasync included) in
 * *seconds, the fdatasync part also in *sync_seconds. 0, or -errno with
 * the tool's message in why.
 */
int reference_sample(const struct reference_job *j, double *seconds,
		     double *sync_seconds, char *why, size_t len);

/* Adds the CPU time of this process's waited-for children (the tools a
 * reference sample ran) to *user / *sys; nothing for strategies, which
 * start no process. */
void reference_add_children_cpu(double *user, double *sys);

#endif
