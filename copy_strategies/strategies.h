/* SPDX-License-Identifier: MIT */
/*
 * The built-in strategy registry and helpers shared by the strategy files.
 * Callers outside copy_strategies/ use only the strategy_* registry calls.
 */
#ifndef IOBENCH_STRATEGIES_H
#define IOBENCH_STRATEGIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iobench/strategy.h"

/* Registry: an explicit, ordered list (the order of `iobench list`). */
size_t strategy_count(void);
const struct copy_strategy *strategy_at(size_t i);
/* NULL when no strategy has that name. */
const struct copy_strategy *strategy_find(const char *name);
/* The registered name closest to `name` (edit distance <= 3), or NULL. */
const char *strategy_suggest(const char *name);

/* `in` with the strategy's defaults filled in for fields left at 0. */
struct copy_params strategy_resolve_params(const struct copy_strategy *s,
					   const struct copy_params *in);
/* Extra open(2) flags both ends need: O_DIRECT or 0. */
int strategy_open_flags(const struct copy_strategy *s,
			const struct copy_params *p);
/* Runs s->probe; a strategy without one is usable. */
int strategy_probe(const struct copy_strategy *s, const char *dir, char *why,
		   size_t len);
/* "buf,qd" etc.: the tunables as a comma list ("-" for none) into out. */
void strategy_tunables_str(unsigned tunables, char *out, size_t len);

/*
 * One whole-file or range copy with a fresh state: setup, copy, teardown.
 * For callers that copy once (`iobench cp`, tests).
 */
int strategy_copy_once(const struct copy_strategy *s,
		       const struct copy_params *p, int src, int dst,
		       const struct copy_range *r);

/* ---- helpers for the strategy implementations ---- */

/* O_DIRECT alignment of an open file: memory and file-offset alignment
 * from statx STATX_DIOALIGN, else the device's logical block size, else
 * 4096. Never fails; always a power of two. */
void strategy_dio_alignment(int fd, unsigned *mem_align, unsigned *off_align);
/* Page-aligned (or `align`-aligned) zeroed buffer; free() it. NULL + errno. */
void *strategy_alloc_aligned(size_t align, size_t size);
/* An unnamed scratch file in `dir` (O_TMPFILE, else mkstemp + unlink),
 * opened O_RDWR | extra_flags; fd or -errno. Leaves nothing behind. */
int strategy_tmpfile(const char *dir, int extra_flags);
/* snprintf into why and return err (a negative errno). */
int strategy_why(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Filesystem type name of `dir` ("ext4", "xfs", "tmpfs", ...). */
const char *strategy_fs_name(const char *dir);

#define STRATEGY_DEFAULT_BUFFER (128u * 1024)
#define STRATEGY_DEFAULT_QD 32u

extern const struct copy_strategy strategy_rw;
extern const struct copy_strategy strategy_stdio;
extern const struct copy_strategy strategy_mmap;
extern const struct copy_strategy strategy_sendfile;
extern const struct copy_strategy strategy_copy_file_range;
extern const struct copy_strategy strategy_splice;
extern const struct copy_strategy strategy_io_uring;
extern const struct copy_strategy strategy_odirect;
extern const struct copy_strategy strategy_libaio;
extern const struct copy_strategy strategy_reflink;

#endif
