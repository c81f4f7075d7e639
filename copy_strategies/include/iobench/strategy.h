/* SPDX-License-Identifier: MIT */
/*
 * iobench copy-strategy interface, version 2: the vtable every way of
 * copying a file implements, built in or loaded as a plugin.
 *
 * This header is self-contained (C11 + POSIX types only) so a product team
 * can build a shared object exporting a `struct copy_strategy` against it.
 *
 * Contract:
 *  - The caller owns the file descriptors. It opens the source read-only and
 *    the destination write-only (O_CREAT|O_TRUNC for a whole-file copy),
 *    adding O_DIRECT to both when the strategy always bypasses the page
 *    cache (COPY_ALWAYS_DIRECT) or an option marked COPY_OPTION_O_DIRECT is
 *    on, and closes them afterwards.
 *  - Options: a strategy declares the tunables it reads in `options` (an
 *    array ended by an entry whose name is NULL). Their values live in a
 *    struct of the strategy's own, `options_size` bytes, one uint64_t per
 *    option at its `offset` (a bool is 0 or 1). The caller fills every
 *    option with its default, then with what the user asked (checked
 *    against min and max), and passes the struct to setup().
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
 *  - Optional: a strategy that issues I/O requests of its own (pread,
 *    io_submit, io_uring SQEs) may report each one's completion latency
 *    to the observer of the thread calling copy() (struct
 *    copy_io_observer below; strategy_io_observer() in iobench/helpers.h).
 *    It reads the observer once per copy(); NULL means nobody listens,
 *    and it then takes no timestamps at all.
 *
 * Plugins: a shared object that defines iobench_strategy_entry() (below;
 * COPY_STRATEGY_PLUGIN() writes it) is loaded with `iobench --plugin
 * PATH.so`, IOBENCH_PLUGIN_PATH or iobench_plugin_load(). Before any of
 * its strategies is used the loader checks each one: `abi` equal to this
 * header's COPY_STRATEGY_ABI (it is the first member and stays so in
 * every interface version), a name of 1 to 31 characters [a-z0-9_:-]
 * that no other strategy has, a copy hook, and an option table that fits
 * options_size with each default inside its range. A plugin that fails
 * any check is refused whole, with one line naming the file and the fault.
 */
#ifndef IOBENCH_STRATEGY_H
#define IOBENCH_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COPY_STRATEGY_ABI 2

/* How an option's value is written on a command line and shown. */
enum copy_option_type {
	COPY_OPT_SIZE,		/* bytes, "128K" */
	COPY_OPT_COUNT,		/* a whole number, "32" */
	COPY_OPT_BOOL,		/* 0 or 1, "no" / "yes" */
};

/* Option flags (copy_option.flags). */
enum copy_option_flag {
	/* when this (bool) option is on, both ends are opened O_DIRECT */
	COPY_OPTION_O_DIRECT = 1u << 0,
};

/* One tunable a strategy reads. */
struct copy_option {
	const char *name;	/* "buffer", "qd", "direct", "sqpoll", ... */
	enum copy_option_type type;
	size_t offset;		/* of its uint64_t in the options struct */
	uint64_t def;		/* default value */
	uint64_t min, max;	/* accepted values, inclusive */
	unsigned flags;		/* enum copy_option_flag bits */
	const char *help;	/* one line for `iobench list` */
};

/* The options every harness knows by name (same meaning everywhere). */
#define COPY_OPTION_BUFFER(type, field, deflt)				\
	{ "buffer", COPY_OPT_SIZE, offsetof(type, field), (deflt), 512,	\
	  1ull << 30, 0, "bytes per read/write (or pipe, or chunk)" }
#define COPY_OPTION_QD(type, field, deflt)				\
	{ "qd", COPY_OPT_COUNT, offsetof(type, field), (deflt), 1, 4096,  \
	  0, "requests in flight" }
#define COPY_OPTION_DIRECT(type, field)					\
	{ "direct", COPY_OPT_BOOL, offsetof(type, field), 0, 0, 1,	\
	  COPY_OPTION_O_DIRECT, "O_DIRECT on both ends" }
#define COPY_OPTION_END { NULL, COPY_OPT_COUNT, 0, 0, 0, 0, 0, NULL }

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

struct copy_range {
	uint64_t src_off;
	uint64_t dst_off;
	uint64_t len;
};

struct copy_strategy {
	unsigned abi;		/* COPY_STRATEGY_ABI */
	const char *name;	/* CLI id, e.g. "copy_file_range" */
	const char *summary;	/* one line for `iobench list` */
	unsigned flags;		/* enum copy_flag bits */
	const struct copy_option *options;	/* NULL, or ended by a NULL name */
	size_t options_size;	/* bytes of the options struct */
	size_t state_size;	/* private per-state bytes, zeroed by caller */

	/* Can this strategy run for files in `dir`? 0, or -errno with a
	 * human reason in `why` ("FICLONE: not supported by ext4"). */
	int (*probe)(const char *dir, char *why, size_t len);
	/* `options`: options_size bytes as the contract above says. */
	int (*setup)(void *state, const void *options);
	int (*copy)(void *state, int src, int dst, const struct copy_range *r);
	void (*teardown)(void *state);
};

/*
 * Who hears of each I/O request a copy() completes (optional, see the
 * contract above). complete() gets the request's latency in nanoseconds
 * (CLOCK_MONOTONIC, strategy_io_clock_ns()): from its submission (the
 * syscall, or the SQE prepared just before io_uring_submit) to the moment
 * the strategy saw it complete (the syscall returned, or the completion
 * was reaped). One call per request the kernel completed, retries and
 * short transfers included; it runs on the thread that called copy(),
 * inside the timed copy, so it must be cheap and must not fail.
 */
struct copy_io_observer {
	void (*complete)(void *ctx, uint64_t latency_ns);
	void *ctx;
};

/*
 * The one symbol a plugin exports: its strategies, a NULL-ended array of
 * one or more, in static storage that lives as long as the plugin is
 * loaded. Called once, at load, before any strategy is used.
 */
#define COPY_STRATEGY_ENTRY "iobench_strategy_entry"
const struct copy_strategy *const *iobench_strategy_entry(void);

/*
 * Defines iobench_strategy_entry() (exported even when the plugin is built
 * with -fvisibility=hidden) returning the given strategies, e.g.
 *   COPY_STRATEGY_PLUGIN(&mine);  or  COPY_STRATEGY_PLUGIN(&a, &b);
 */
#define COPY_STRATEGY_PLUGIN(...)					\
	__attribute__((visibility("default")))				\
	const struct copy_strategy *const *iobench_strategy_entry(void)	\
	{								\
		static const struct copy_strategy *const list[] = {	\
			__VA_ARGS__, NULL				\
		};							\
		return list;						\
	}

#endif
