/* SPDX-License-Identifier: MIT */
/*
 * iobench copy-strategy interface, version 1: the vtable every way of
 * copying a file implements, built in or loaded as a plugin.
 *
 * This header is self-contained (C11 + POSIX types only) so a product team
 * can build a shared object exporting a `struct copy_strategy` against it.
 *
 * Contract:
 *  - The caller owns the file descriptors. It opens the source read-only and
 *    the destination write-only (O_CREAT|O_TRUNC for a whole-file copy),
 *    adding strategy_open_flags() to both, and closes them afterwards.
 *  - The caller allocates `state_size` zeroed bytes, calls setup() once
 *    (untimed: rings, buffers), then copy() any number of times with that
 *    state (one thread per state), then teardown() once, even after a
 *    failed setup().
 *  - copy() copies exactly r->len bytes from r->src_off of `src` to
 *    r->dst_off of `dst`. It may move both file positions. A source that
 *    ends before r->src_off + r->len is an error (-ENODATA), never a
 *    silently short copy. It handles short transfers and EINTR itself.
 *  - Every hook returns 0 or -errno; probe() also writes a reason.
 *  - Nothing here prints; the caller turns -errno into messages.
 */
#ifndef IOBENCH_STRATEGY_H
#define IOBENCH_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COPY_STRATEGY_ABI 1

/* Which copy_params fields a strategy reads (copy_strategy.tunables). */
enum copy_tunable {
	TUNE_BUF = 1u << 0,	/* buffer_size: bytes per read/write/chunk */
	TUNE_QD = 1u << 1,	/* queue_depth: requests in flight */
	TUNE_DIRECT = 1u << 2,	/* direct: O_DIRECT on both ends, optional */
	TUNE_SQPOLL = 1u << 3,	/* sqpoll: kernel submission-queue polling */
};

/* Capabilities and requirements (copy_strategy.flags). */
enum copy_flag {
	/* copy() honours src_off/dst_off/len, so a file can be split
	 * across threads, each with its own descriptors and state */
	COPY_RANGES = 1u << 0,
	/* range offsets must be multiples of the O_DIRECT / block alignment
	 * (4096 is always enough); only the range ending at EOF may have an
	 * unaligned length */
	COPY_RANGES_ALIGNED = 1u << 1,
	/* always opens both ends with O_DIRECT: bypasses the page cache */
	COPY_ALWAYS_DIRECT = 1u << 2,
	/* source and destination must be on the same filesystem */
	COPY_SAME_FS_ONLY = 1u << 3,
};

struct copy_params {
	size_t buffer_size;	/* TUNE_BUF; 0 = strategy default */
	unsigned queue_depth;	/* TUNE_QD; 0 = strategy default */
	bool direct;		/* TUNE_DIRECT */
	bool sqpoll;		/* TUNE_SQPOLL */
};

struct copy_range {
	uint64_t src_off;
	uint64_t dst_off;
	uint64_t len;
};

struct copy_strategy {
	unsigned abi;		/* COPY_STRATEGY_ABI */
	const char *name;	/* CLI id, e.g. "copy_file_range" */
	const char *summary;	/* one line for `iobench list` */
	unsigned tunables;	/* enum copy_tunable bits */
	unsigned flags;		/* enum copy_flag bits */
	size_t default_buffer;	/* buffer_size used when params say 0 */
	unsigned default_qd;	/* queue_depth used when params say 0 */
	size_t state_size;	/* private per-state bytes, zeroed by caller */

	/* Can this strategy run for files in `dir`? 0, or -errno with a
	 * human reason in `why` ("FICLONE: not supported by ext4"). */
	int (*probe)(const char *dir, char *why, size_t len);
	int (*setup)(void *state, const struct copy_params *p);
	int (*copy)(void *state, int src, int dst, const struct copy_range *r);
	void (*teardown)(void *state);
};

#endif
