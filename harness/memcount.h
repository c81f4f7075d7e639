/* SPDX-License-Identifier: MIT */
/*
 * Memory a sample's copy uses: heap allocations counted by malloc & co.
 * interposed in the program (counting only between memcount_begin() and
 * memcount_end(), i.e. inside a sample child's timed region), and the
 * peak growth of the resident set over the RSS right before the copy.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_MEMCOUNT_H
#define IOBENCH_MEMCOUNT_H

#include <stdbool.h>
#include <stdint.h>

/* What the heap did between memcount_begin() and memcount_end(). */
struct memcount {
	uint64_t allocs;	/* calls that returned memory: malloc, calloc,
				 * realloc, memalign, posix_memalign,
				 * aligned_alloc, valloc, pvalloc */
	uint64_t bytes;		/* usable bytes those calls returned */
	uint64_t peak;		/* highest net growth of the live heap
				 * (usable bytes allocated minus freed) */
};

/* Whether the interposer is built in: false in sanitizer builds, whose
 * runtimes own malloc. Without it the counts are unknown, never 0. */
bool memcount_available(void);

/* Starts counting in this process (one window at a time; any thread's
 * allocations count while it is open). */
void memcount_begin(void);
/* Ends the window and returns its counts. */
void memcount_end(struct memcount *out);

/*
 * The resident set: memcount_rss_reset() resets this process's peak RSS
 * to its current RSS (/proc/self/clear_refs "5", Linux >= 4.0) and reads
 * that RSS; memcount_rss_peak() reads the peak since (VmHWM). Bytes, 0 or
 * -errno. The kernel updates these counters lazily, to within a few
 * pages: growth below 64 KiB is noise.
 */
int memcount_rss_reset(uint64_t *rss);
int memcount_rss_peak(uint64_t *peak);

#endif
