/* SPDX-License-Identifier: MIT */
/*
 * Page-cache control and observation: cachestat(2) where the kernel has it
 * (Linux 6.5+), mincore(2) over a read-only mapping otherwise.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_CACHE_H
#define IOBENCH_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "results.h"

/* True when cachestat(2) works here (probed once). */
bool cache_have_cachestat(void);
/* "cachestat" or "mincore". */
const char *cache_probe_name(void);

/* Pages of fd's file in the page cache; dirty/writeback are -1 under the
 * mincore fallback. 0 or -errno; -EPERM where the kernel does not tell
 * this process (a file it neither owns nor may write, unless root). */
int cache_pages_of(int fd, struct cache_pages *out);
/*
 * Resident pages of fd's file (readable) counted by one-byte non-blocking
 * reads (preadv2 RWF_NOWAIT), for files cache_pages_of() may not look
 * at. A missing page may get read ahead by the attempt: this confirms a
 * warm file, it cannot check a cold one. dirty/writeback are -1. 0 or
 * -errno (-EOPNOTSUPP where the filesystem has no non-blocking reads).
 */
int cache_resident_nowait(int fd, struct cache_pages *out);
/* Number of pages the file spans (size rounded up to pages). */
uint64_t cache_file_pages(int fd);

/* Evicts a file's pages: fdatasync (only when some are dirty or in
 * writeback, as cachestat(2) tells), then POSIX_FADV_DONTNEED (only when
 * some are resident). 0 or -errno. */
int cache_evict_fd(int fd);
/* The same for the bytes [off, off + len) of a file (len 0: to its end),
 * as whole pages: a rank's range of a shared file (sweep --mpi). */
int cache_pages_range(int fd, uint64_t off, uint64_t len,
		      struct cache_pages *out);
uint64_t cache_range_pages(int fd, uint64_t off, uint64_t len);
int cache_evict_range(int fd, uint64_t off, uint64_t len);
int cache_warm_range(int fd, uint64_t off, uint64_t len);
/* Global drop (sync; echo 1 > /proc/sys/vm/drop_caches): root only. */
int cache_drop_all(void);
/* The same, with the dentries and inodes too (drop_caches 3): a cold
 * cache for metadata as well. 0 or -errno. */
int cache_drop_all_metadata(void);
/* Reads the file once so all of it is resident (fd must not be O_DIRECT:
 * -EINVAL). 0 or -errno. */
int cache_warm_fd(int fd);

/* For tests: make cache_pages_of() use the mincore fallback (true) or the
 * probe's choice again (false). cache_have_cachestat() follows it. */
void cache_force_mincore(bool on);

#endif
