/* SPDX-License-Identifier: MIT */
/*
 * Helpers for strategy authors, built-in or plugin: O_DIRECT geometry,
 * aligned buffers, whole-buffer writes, probe scratch files and reasons.
 * Part of libiobench; a plugin links it (pkg-config iobench). Functions
 * return 0 or -errno unless they say otherwise; nothing here prints.
 */
#ifndef IOBENCH_HELPERS_H
#define IOBENCH_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iobench/strategy.h"

#define STRATEGY_DEFAULT_BUFFER (128u * 1024)
#define STRATEGY_DEFAULT_QD 32u

/* O_DIRECT alignment of an open file: memory and file-offset alignment
 * from statx STATX_DIOALIGN, else the device's logical block size, else
 * 4096. Never fails; always a power of two. */
void strategy_dio_alignment(int fd, unsigned *mem_align, unsigned *off_align);
/* Page-aligned (or `align`-aligned) zeroed buffer; free() it. NULL + errno. */
void *strategy_alloc_aligned(size_t align, size_t size);
/* An unnamed scratch file in `dir` (O_TMPFILE, else mkstemp + unlink),
 * opened O_RDWR | extra_flags; fd or -errno. Leaves nothing behind. */
int strategy_tmpfile(const char *dir, int extra_flags);
/*
 * Writes all len bytes of buf to fd (at its file position, or at off for
 * the pwrite variant), retrying short writes and EINTR. 0 or -errno; -EIO
 * when a write makes no progress. Nothing is ever silently dropped.
 */
int strategy_write_all(int fd, const void *buf, size_t len);
int strategy_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

/*
 * For probes that copy between two scratch files: creates two unnamed
 * files in dir (strategy_tmpfile), fds[0] holding the len bytes of data
 * at offset 0 and fds[1] empty. 0, or -errno + reason in why with
 * neither open. The caller closes both.
 */
int strategy_probe_pair(const char *dir, const void *data, size_t len,
			int fds[2], char *why, size_t why_len);
/* True when fd holds exactly the len bytes of data (and nothing more). */
bool strategy_probe_readback(int fd, const void *data, size_t len);

/* snprintf into why and return err (a negative errno). */
int strategy_why(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Filesystem type name of `dir` ("ext4", "xfs", "tmpfs", ...). */
const char *strategy_fs_name(const char *dir);

/*
 * ---- O_DIRECT geometry, shared by odirect, libaio and io_uring ----
 *
 * Under O_DIRECT every transfer starts at an aligned offset and is a
 * multiple of off_align long. A range whose length is not (the tail of a
 * file) is read rounded up (the short read at EOF is expected), written
 * rounded up from a zero-padded buffer, and the destination is trimmed back
 * to dst_off + len by strategy_dio_end().
 */
struct strategy_dio {
	unsigned mem_align;	/* buffer address alignment */
	unsigned off_align;	/* file offset and length alignment */
	bool trim;		/* the tail is rounded: trim dst at the end */
};

/* Geometry for buffered I/O: alignment 1, nothing rounded or trimmed. */
void strategy_dio_none(struct strategy_dio *d);
/*
 * Geometry for copying r from src to dst (both O_DIRECT) through page
 * aligned buffers of buf_size bytes (strategy_alloc_aligned(0, ...)).
 * -EINVAL when an offset or buf_size is not aligned, or when the rounded
 * tail would overwrite bytes dst already holds past the range (only the
 * range ending at EOF may have an unaligned length).
 */
int strategy_dio_begin(int src, int dst, const struct copy_range *r,
		       size_t buf_size, struct strategy_dio *d);
/* n rounded up to the offset alignment. */
uint64_t strategy_dio_round(const struct strategy_dio *d, uint64_t n);
/*
 * Where a chunk's read stands: it needs `need` bytes, holds `got` after a
 * transfer that returned `res` (>= 0). 1: complete; 0: read the rest at
 * chunk offset + got; -ENODATA: the source ended early.
 */
int strategy_dio_read_progress(const struct strategy_dio *d, uint64_t need,
			       uint64_t got, uint64_t res);
/* Bytes to write for a chunk of `need` bytes (rounded up), zeroing the
 * buffer between `got` (what the read returned) and that length. */
size_t strategy_dio_write_len(const struct strategy_dio *d, char *buf,
			      size_t need, size_t got);
/* Trims dst back to r->dst_off + r->len when the rounded tail grew it.
 * Call after every write of the copy completed. 0 or -errno. */
int strategy_dio_end(int dst, const struct copy_range *r,
		     const struct strategy_dio *d);
/*
 * One buffer's trip through a copy: read `need` bytes of the range at
 * `pos` (rounded up under O_DIRECT), then write them at the same position
 * of the destination. Short transfers continue where they stopped.
 */
struct strategy_chunk {
	char *buf;		/* owned by the strategy; set once */
	uint64_t pos;		/* offset of the chunk within the range */
	size_t need;		/* bytes of the range it carries */
	size_t io_len;		/* this phase's transfer length (rounded) */
	size_t done;		/* bytes this phase has transferred */
	bool writing;		/* false: reading from src; true: writing */
};

/* Starts c as a read of `need` bytes at range position pos. */
void strategy_chunk_start(struct strategy_chunk *c,
			  const struct strategy_dio *d, uint64_t pos,
			  size_t need);
/*
 * Accounts a transfer of res bytes (>= 0) in c's current phase.
 * 0: issue the next transfer: c->io_len - c->done bytes at
 * c->buf + c->done, file offset (src_off or dst_off) + c->pos + c->done,
 * reading or writing as c->writing says. 1: the chunk is written.
 * -ENODATA: the source ended early; -EIO: a write made no progress.
 */
int strategy_chunk_advance(struct strategy_chunk *c,
			   const struct strategy_dio *d, size_t res);

/* One aligned O_DIRECT write + read on a scratch file in dir: 0, or
 * -errno + reason ("O_DIRECT not supported by tmpfs"). */
int strategy_probe_direct(const char *dir, char *why, size_t len);

/*
 * ---- per-I/O completion latency (struct copy_io_observer) ----
 *
 * The caller of copy() sets the observer of its thread; the strategy
 * reads it once per copy() and, when it is not NULL, stamps each request
 * with strategy_io_clock_ns() as it submits it and calls
 * o->complete(o->ctx, now - stamp) as it sees it complete. Off (NULL) by
 * default on every thread. The observer is not copied: it must stay
 * valid until it is replaced.
 */
void strategy_io_observer_set(const struct copy_io_observer *o);
/* The calling thread's observer, or NULL. */
const struct copy_io_observer *strategy_io_observer(void);
/* Nanoseconds on CLOCK_MONOTONIC (arbitrary origin). */
uint64_t strategy_io_clock_ns(void);

#endif
