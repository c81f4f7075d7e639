/* SPDX-License-Identifier: MIT */
/*
 * Reference tools (GNU cp, dd, rsync, tar) measured beside the strategies:
 * one table of tools (reference_tools.c), each planning cells named
 * "ref:..." whose timed unit runs the tool as a process (reference.c), a
 * --source tree read through a read-only view (reference_view.c).
 *
 * Adding a tool is one entry in the table plus its argv builders.
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

/* ---- commands: what one timed step runs ---- */

/* A command line being built: argv-style, NULL-terminated after every
 * reference_argv_add(); the strings and the array are owned. */
struct reference_argv {
	char **v;
	size_t n, cap;
};

/* Appends one formatted argument. 0 or -ENOMEM. */
int reference_argv_add(struct reference_argv *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What one process (or one pipeline of two) of a sample runs. */
struct reference_cmd {
	struct reference_argv argv;	/* the program: argv.v[0] on PATH */
	/* a second program reading argv's output (tar -x), or empty */
	struct reference_argv reader;
	/* the file argv's output goes to (cat SRC > DST), or NULL */
	char *stdout_path;
	/* a directory made first, inside the timed region as cp and rsync
	 * make theirs (tar -x needs its own), or NULL */
	char *make_dir;
};

/* Frees what a builder filled; cmd is empty afterwards. */
void reference_cmd_free(struct reference_cmd *cmd);

/* ---- the table ---- */

/* One way a tool is run: the cells named after it. */
struct reference_variant {
	const char *name;	/* the cell's name: "ref:cp-reflink-never" */
	const char *arg;	/* its own option for the builders
				 * ("--reflink=never", "-a"), or NULL */
	bool tree;		/* copies a --source tree, else generated
				 * files */
	const char *command;	/* shown by list and the report */
};

/* Variants a tool may have (generated files and trees together). */
#define REFERENCE_VARIANTS_MAX 4

struct reference_tool {
	/* --reference's name, and the program run and probed (on PATH,
	 * answers --version; its start-up is measured the same way) */
	const char *name;
	const char *package;	/* the Debian package, for the probe */
	/* what it plans: the files variants without --source, the tree
	 * ones with it, in this order (an empty name ends the list) */
	struct reference_variant variants[REFERENCE_VARIANTS_MAX];
	/* the tunables it reads (dd: bs = the buffer), or NULL */
	const struct copy_option *options;
	/* Argv builders (0 or -ENOMEM), for variant v of cell c:
	 * one file, src to dst: */
	int (*file)(struct reference_cmd *cmd,
		    const struct reference_variant *v, const struct cell *c,
		    const char *src, const char *dst);
	/* a batch in one process, src[0..n) into dir (the copies are
	 * dir/<basename of src[i]>); NULL: one process per file */
	int (*batch)(struct reference_cmd *cmd,
		     const struct reference_variant *v, const struct cell *c,
		     char *const *src, unsigned n, const char *dir);
	/* a whole tree, view copied to out (which it creates); NULL when
	 * it has no tree variant */
	int (*tree)(struct reference_cmd *cmd,
		    const struct reference_variant *v, const struct cell *c,
		    const char *view, const char *out);
};

size_t reference_tool_count(void);
const struct reference_tool *reference_tool_at(size_t i);
/* The tool of --reference's name ("cp"), or NULL. */
const struct reference_tool *reference_tool_find(const char *name);
/* The tool a variant belongs to (never NULL for a table variant). */
const struct reference_tool *reference_tool_of(
	const struct reference_variant *v);

/* True when the cell (or cell name) is a reference tool's: saved runs
 * name their cells, so the outputs tell them apart by name. */
bool reference_cell(const struct cell *c);
bool reference_name(const char *cell_strategy);

/*
 * Parses --reference: a comma list of tools, or "none". Appends the tool
 * names to *names (malloc'd strings; the caller owns them). 0, or -EINVAL
 * with "what is wrong" in err, or -ENOMEM.
 */
int reference_parse(const char *list, char ***names, size_t *n, char *err,
		    size_t len);

/* The i-th variant the request's tools plan (cp plans two: "ref:cp" and
 * "ref:cp-reflink-never"; with --source its tree ones), or NULL past the
 * last. */
const struct reference_variant *reference_at(const struct run_request *rq,
					     size_t i);
/* The i-th of every tool's variants (generated files, then trees), or
 * NULL past the last: what `iobench list` shows. */
const struct reference_variant *reference_nth(size_t i);
/* The variant of a cell name ("ref:dd"), or NULL. */
const struct reference_variant *reference_find(const char *cell_strategy);
/* Whether the variant copies a sample's batch of generated files in one
 * process (its destinations are then DIR/<the source's name>). */
bool reference_batches(const struct reference_variant *v);
/*
 * Whether the variant's tool runs here: on PATH and answering --version
 * with status 0 ("cp not found on PATH (install coreutils)"). Probed
 * once per process and tool. 0, or -errno with the reason in why.
 */
int reference_probe(const struct reference_variant *v, char *why,
		    size_t len);

/* ---- running the tools (reference.c) ---- */

/*
 * Runs argv[0] (searched on PATH) in cwd (NULL: here) with stdin and
 * stdout on /dev/null and stderr collected into msg (one line, cut to
 * len). The program dies with its caller (PR_SET_PDEATHSIG): a sample
 * killed on timeout takes its tool with it. Returns the wait status
 * (>= 0; 127 when it could not be started) or -errno.
 */
int harness_run_program(char *const argv[], const char *cwd, char *msg,
			size_t len);

/*
 * One file through the tool (its file argv, process start included),
 * then fdatasync of dst when the cell syncs (time in *sync_seconds): the
 * unit `iobench profile` samples. 0, or -errno with the tool's message.
 */
int reference_copy_file(const struct reference_variant *v,
			const struct cell *c, const char *src, const char *dst,
			double *sync_seconds, char *why, size_t len);

/*
 * The start-up cost of a variant's program: the median wall time of 9
 * runs of `TOOL --version` (after one untimed), as hyperfine measures a
 * shell's; measured once per program and process. Seconds, or 0 when the
 * tool does not run.
 */
double reference_start_seconds(const struct reference_variant *v);

struct source_tree;

/* One sample of a reference cell: the tools' own runner. */
struct reference_job {
	const struct reference_variant *v;
	const struct cell *c;
	const struct source_tree *tree;	/* --source: the tree, or NULL */
	const char *dir;		/* the sample directory */
	char *const *src, *const *dst;	/* the k files to copy */
	unsigned k;
};

/*
 * The timed part of a reference cell's sample, in the sample process:
 * untimed, a tree's read-only view and the commands (the tree in one
 * process, the batch in one per 2048 files, or one per file); timed,
 * running them and fdatasyncing what they wrote when the cell syncs.
 * The wall time (tool start-up and fdatasync included) in *seconds, the
 * fdatasync part also in *sync_seconds. 0, or -errno with the tool's
 * message in why.
 */
int reference_sample(const struct reference_job *j, double *seconds,
		     double *sync_seconds, char *why, size_t len);

/* Adds the CPU time of this process's waited-for children (the tools a
 * reference sample ran) to *user / *sys. */
void reference_add_children_cpu(double *user, double *sys);

/* ---- a --source tree's read-only view (reference_view.c) ---- */

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

#endif
