/* SPDX-License-Identifier: MIT */
/*
 * Flame graphs: `perf record --call-graph dwarf` of a process doing work,
 * `perf script` output folded into stacks, self-time hot spots, and a
 * self-contained SVG flame graph with click-to-zoom and search.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_FLAME_H
#define IOBENCH_FLAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "results.h"

/* One distinct call stack, root first: "iobench;main;read;ksys_read". */
struct flame_stack {
	char *frames;
	uint64_t count;
};

/* Folded stacks, sorted by frames, no duplicates; all owned. */
struct flame_profile {
	struct flame_stack *stacks;
	size_t n, cap;
	uint64_t total;			/* samples over all stacks */
};

/* Frees what fp owns and zeroes it. */
void flame_free(struct flame_profile *fp);

/*
 * Folds `perf script` text (the default format, or -F comm,ip,sym,dso):
 * each sample's frames, leaf first, become one "comm;root;...;leaf"
 * stack; offsets (+0x..) are dropped and an unknown symbol is named by
 * its object ("[libc.so.6]"). Adds to fp (which may hold stacks
 * already). 0, or -ENOMEM; -EINVAL when the text has no sample at all.
 */
int flame_fold_perf_script(FILE *in, struct flame_profile *fp);
/* Writes "frames count" lines (the folded format other tools read). */
int flame_write_folded(const struct flame_profile *fp, FILE *out);
/* True when some frame of some stack contains `needle`. */
bool flame_has_frame(const struct flame_profile *fp, const char *needle);

/* The share (0-1) of samples whose stack has a frame perf could not
 * name: "[unknown]" (not even its object: a broken stack walk), and with
 * by_object also one named by its object only ("[liburing.so.2]": code
 * without symbols, its callers intact). */
double flame_unresolved_share(const struct flame_profile *fp,
			      bool by_object);
/* Drops, in every stack, the frames from the root up to and including
 * the first `frame` (the command stays first), then merges the stacks
 * that became equal. Stacks without `frame` are kept whole. 0. */
int flame_trim_below(struct flame_profile *fp, const char *frame);

/* The symbols with the most self (leaf) samples, largest first, as a
 * share of all samples: up to max into out (symbols owned by the
 * caller: free each). Sets *n. 0 or -ENOMEM. */
int flame_top_self(const struct flame_profile *fp, struct hot_spot *out,
		   size_t max, size_t *n);

/* Writes the SVG flame graph (root at the bottom, width by share of
 * samples, a <title> per frame for hover) under `title`. 0 or -errno. */
int flame_write_svg(const struct flame_profile *fp, const char *title,
		    FILE *out);

/* Full path of `perf` on PATH into out; false (and why) when there is
 * none, naming the Debian package to install. */
bool flame_find_perf(char *out, size_t len, char *why, size_t why_len);

/*
 * Samples a child process with `perf record --call-graph dwarf` and
 * folds the samples into fp (stacks start at the work: see
 * flame_trim_below()). The child runs work(ctx, ctl) on a stack of its
 * own and exits with its result (0, or -errno); everything it does is sampled, so work that must not be
 * (cleaning up, evicting the page cache) it asks for with
 * flame_prepare(), which runs prepare(ctx) in the calling process and
 * waits. perf's data file lives in tmpdir and is removed; `timeout`
 * bounds the whole recording. 0, or -errno with why: -ENOENT when perf
 * is missing.
 */
struct flame_ctl;
int flame_record(int (*work)(void *ctx, struct flame_ctl *ctl),
		 int (*prepare)(void *ctx), void *ctx, const char *tmpdir,
		 double timeout, struct flame_profile *fp, char *why,
		 size_t len);
/* Asks a running flame_record() to stop: the worker is killed, perf is
 * stopped the way it cleans up after itself, and flame_record() returns
 * -EINTR. Async-signal-safe: meant for the stop signals' handler. */
void flame_request_stop(void);
/* In work(): runs prepare(ctx) in the parent, unsampled; its result. */
int flame_prepare(struct flame_ctl *ctl);

#endif
