/* SPDX-License-Identifier: MIT */
/*
 * The conformance matrix: does a strategy (built in or a plugin's) keep
 * the vtable's contract (iobench/strategy.h)? Whole files of awkward
 * sizes, byte ranges, a file split across threads, sparse sources, a
 * longer existing destination and a full filesystem, over the option
 * sets the strategy declares, each copy compared byte for byte. Used by
 * `iobench check` and the conformance tests; the file helpers below serve
 * the tests too.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_CONFORM_H
#define IOBENCH_CONFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iobench/strategy.h"

/* The groups of cases, each run in a child process of its own. */
enum conform_group {
	CONFORM_WHOLE = 1u << 0,	/* whole files: 0, 1, odd tails, > buffer */
	CONFORM_RANGES = 1u << 1,	/* ranges (COPY_RANGES strategies) */
	CONFORM_SPLIT = 1u << 2,	/* one file split across 3 threads */
	CONFORM_SPARSE = 1u << 3,	/* sparse and all-hole sources */
	CONFORM_LONGER = 1u << 4,	/* over a longer existing file */
	CONFORM_ENOSPC = 1u << 5,	/* onto a full tmpfs: must fail */
	CONFORM_ALL = (1u << 6) - 1,
};

enum conform_status { CONFORM_PASS, CONFORM_FAIL, CONFORM_SKIP };

/* One case's outcome, as reported. */
struct conform_case {
	char group[24];		/* "whole file", "range", ... */
	char name[112];		/* "4097 bytes", "src_off=1 dst_off=0 len=4095" */
	enum conform_status status;
	unsigned copies;	/* copies verified */
	unsigned failures;	/* failed checks (first one in detail) */
	/* FAIL: the first failure and the options it ran with; SKIP: why;
	 * PASS: a note or "" */
	char detail[400];
};

struct conform_request {
	const struct copy_strategy *s;
	/* where the scratch directory "iobench-check-XXXXXX" is made */
	const char *dir;
	unsigned groups;	/* enum conform_group bits; 0: all */
	unsigned timeout;	/* seconds per group; 0: 600 */
	/* called in this process for every case, in order */
	void (*report)(void *ctx, const struct conform_case *c);
	void *ctx;
};

struct conform_totals {
	unsigned pass, fail, skip;
};

/*
 * Runs the matrix against rq->s, each group in a forked child (a crash
 * or hang is that group's FAIL, not the caller's), and adds up totals.
 * 0, or -errno with a reason in err when the run itself could not
 * start (scratch directory, memory), or -EINTR after conform_stop().
 */
int conform_run(const struct conform_request *rq, struct conform_totals *t,
		char *err, size_t len);

/*
 * Stops a conform_run() in progress: kills the running group's child and
 * makes conform_run() return -EINTR once its scratch directory is gone.
 * Async-signal-safe: for SIGINT / SIGTERM handlers.
 */
void conform_stop(void);

/* ---- file helpers (also for the tests) ---- */

/* A fresh directory "<base>/iobench-<tag>-XXXXXX" in out; base NULL:
 * $IOBENCH_TEST_DIR, else /var/tmp. 0 or -errno. */
int conform_mkdtemp(char *out, size_t len, const char *base, const char *tag);
/* Removes dir and everything below it (no links followed, no other
 * mounts crossed). 0 or -errno. */
int conform_rmtree(const char *dir);
/* pread all len bytes at off; -ENODATA if the file ends first. */
int conform_pread_all(int fd, void *buf, size_t len, off_t off);
/* len bytes from getrandom(2). 0 or -errno. */
int conform_fill_random(void *buf, size_t len);
/* Creates (O_TRUNC) path holding len bytes of buf. 0 or -errno. */
int conform_write_file(const char *path, const void *buf, size_t len);
/* Opens src read-only and dst write-only as the harness does, both with
 * strategy_open_flags(s, opts) (opts NULL: defaults) plus dst_flags for
 * dst. 0 with both set, or -errno with neither open. */
int conform_open_pair(const struct copy_strategy *s, const void *opts,
		      const char *src_path, const char *dst_path,
		      int dst_flags, int *src, int *dst);
/* Streaming XXH3-64 of a whole file and its length. 0 or -errno. */
int conform_hash_file(const char *path, uint64_t *hash, uint64_t *size);
/*
 * Moves this process into a private mount namespace and mounts a tmpfs
 * of `size` ("5m") on path (created): the mount disappears with the
 * process. 0, or -errno with the reason in why (not root, no namespaces).
 */
int conform_private_tmpfs(const char *path, const char *size, char *why,
			  size_t len);

#endif
