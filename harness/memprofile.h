/* SPDX-License-Identifier: MIT */
/*
 * Heap profiles of one strategy copying one file: `iobench cp` run under
 * valgrind's massif (the peak and the allocation sites at the peak) and,
 * when it is installed, heaptrack (allocation calls, temporary
 * allocations, peak), each in a scratch directory of its own. `iobench
 * profile --memory STRATEGY` puts them in the report.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_MEMPROFILE_H
#define IOBENCH_MEMPROFILE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MEMPROFILE_TOP 5	/* allocation sites kept */

/* Bytes allocated at the peak from one place: "stdio_setup ->
 * strategy_alloc_aligned" (caller, then the function that allocated). */
struct memprofile_site {
	char where[256];
	uint64_t bytes;
};

struct memprofile {
	uint64_t size;			/* the file copied */
	/* massif */
	bool massif;			/* ran and was read */
	uint64_t peak_heap, peak_extra;	/* useful bytes, allocator overhead */
	size_t snapshots;
	struct memprofile_site sites[MEMPROFILE_TOP];
	size_t n_sites;
	char massif_why[256];		/* when !massif: why */
	/* heaptrack */
	bool heaptrack;
	uint64_t ht_calls, ht_temporary, ht_peak;
	char heaptrack_why[256];
};

/*
 * Profiles `self cp -s strategy SRC DST` for a file of p->size random
 * bytes created in a scratch directory under dir (removed afterwards).
 * Each tool that is missing or fails leaves its *_why; the call fails
 * only when the scratch directory cannot be made: -errno with err.
 */
int memprofile_run(const char *self, const char *strategy, const char *dir,
		   volatile sig_atomic_t *stop, struct memprofile *p,
		   char *err, size_t len);

/* Reads a massif.out file into p: the peak snapshot's figures and its
 * largest allocation sites. 0, -ENOENT, or -EINVAL (not massif's). */
int memprofile_read_massif(const char *path, struct memprofile *p);

/* Reads heaptrack_print's summary lines into p. 0 or -EINVAL. */
int memprofile_read_heaptrack_summary(const char *text, struct memprofile *p);

/* "## Heap profile (massif) of `STRATEGY`" and a table per size. */
void memprofile_markdown(FILE *f, const char *strategy,
			 const struct memprofile *p, size_t n);

#endif
