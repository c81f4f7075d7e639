/* SPDX-License-Identifier: MIT */
/*
 * libiobench: copy files with any of iobench's strategies (or a plugin's)
 * from a program of your own. Link with `pkg-config --cflags --libs
 * iobench`. See iobench_copy(3).
 *
 * Conventions:
 *  - Every int function returns 0 (or a count, where it says so) or a
 *    negative errno; where it takes an error buffer it also writes one
 *    line there saying what failed ("copy_file_range: option 'qd': no such
 *    option (it has: none)"). Nothing prints.
 *  - Strings and strategies the library returns are owned by it and live
 *    as long as the process (or the plugin that brought them).
 *  - Copies may run in parallel threads. Loading a plugin may not run
 *    concurrently with anything else in the library: load first.
 *  - ABI: struct iobench_copy_params carries its own size (set by
 *    IOBENCH_COPY_PARAMS_INIT), so a program built against this header
 *    keeps working with later versions of the library, which only append
 *    members. Names are versioned (symbol version IOBENCH_1.0).
 */
#ifndef IOBENCH_IOBENCH_H
#define IOBENCH_IOBENCH_H

#include <stddef.h>
#include <stdint.h>

#include "iobench/strategy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* iobench_copy_params.flags */
enum iobench_copy_flag {
	/* fdatasync(2) the destination before returning: durable on
	 * success */
	IOBENCH_COPY_SYNC = 1u << 0,
	/* fail with -EEXIST instead of overwriting an existing destination */
	IOBENCH_COPY_NOREPLACE = 1u << 1,
};

struct iobench_copy_params {
	/* sizeof(struct iobench_copy_params) as the caller was compiled:
	 * IOBENCH_COPY_PARAMS_INIT sets it; members past it read as 0 */
	size_t size;
	unsigned flags;		/* enum iobench_copy_flag bits */
	/* the strategy's options by name, "buffer=1M,qd=8" (sizes take
	 * K/M/G, booleans yes/no); NULL or "": its defaults */
	const char *options;
	/* where a failure's one-line message goes; NULL: nowhere */
	char *errmsg;
	size_t errmsg_len;
	/* (IOBENCH_1.1) hears each I/O request's completion
	 * latency, from strategies that time theirs (io_uring, libaio,
	 * odirect; see struct copy_io_observer); NULL: nobody listens and
	 * nothing is timed */
	const struct copy_io_observer *io_observer;
};

#define IOBENCH_COPY_PARAMS_INIT \
	{ .size = sizeof(struct iobench_copy_params) }

/* A message buffer large enough for every message the library writes. */
#define IOBENCH_ERRMSG_MAX 512

/* The library's version, "0.1.0". */
const char *iobench_lib_version(void);

/* ---- copying ---- */

/*
 * Copies the regular file src to dst with the named strategy, as
 * `iobench cp -s STRATEGY` does: dst is created with src's permission
 * bits (minus the umask) or truncated and overwritten, after checking it
 * is not src under another name. On failure a dst that this call created
 * is removed. params may be NULL (defaults). 0 or -errno:
 * -ENOENT an unknown strategy (or a missing src), -EINVAL a bad option
 * or value, -EEXIST dst exists with IOBENCH_COPY_NOREPLACE, or the
 * error the copy itself met (-EXDEV, -ENOSPC, -EIO ...).
 */
int iobench_copy_file(const char *src, const char *dst, const char *strategy,
		      const struct iobench_copy_params *params);

/*
 * Copies the range r (r->len bytes from r->src_off of src_fd to
 * r->dst_off of dst_fd) through descriptors the caller opened and closes:
 * src readable, dst writable, both with the flags iobench_open_flags()
 * gives. 0 or -errno as iobench_copy_file(); -ENODATA when src ends
 * before the range does.
 */
int iobench_copy_fd(int src_fd, int dst_fd, const struct copy_range *r,
		    const char *strategy,
		    const struct iobench_copy_params *params);

/* Extra open(2) flags both ends need for this strategy and these options
 * (O_DIRECT), 0 for none, or -errno. */
int iobench_open_flags(const char *strategy,
		       const struct iobench_copy_params *params);

/* ---- strategies ---- */

/* The strategies, built-ins first, then plugins in load order. */
size_t iobench_strategy_count(void);
/* The i-th strategy, or NULL past the end. Its options table
 * (s->options, ended by a NULL name) names each option, its type,
 * default and range. */
const struct copy_strategy *iobench_strategy_at(size_t i);
/* The strategy called name, or NULL. */
const struct copy_strategy *iobench_strategy_find(const char *name);
/*
 * Whether the strategy can copy files in dir here: 0, or -errno with the
 * reason in why ("FICLONE: not supported by ext4"). Cheap but not free
 * (it may create and remove a scratch file in dir): call it once, not
 * per copy.
 */
int iobench_strategy_probe(const char *strategy, const char *dir, char *why,
			   size_t why_len);

/* ---- plugins ---- */

/*
 * Loads a plugin (a shared object exporting iobench_strategy_entry(), see
 * iobench/strategy.h) and registers its strategies after the others.
 * Each is checked first; a plugin with any fault is refused whole.
 * 0, or -errno with the fault in errmsg.
 */
int iobench_plugin_load(const char *path, char *errmsg, size_t errmsg_len);

#ifdef __cplusplus
}
#endif

#endif
