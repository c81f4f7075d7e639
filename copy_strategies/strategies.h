/* SPDX-License-Identifier: MIT */
/*
 * The strategy registry (built-ins and plugins) and the calls that look strategies up,
 * fill their options and run one copy. Layer rule: copy_strategies/
 * knows nothing of the harness; the harness and the CLI use only these
 * strategy_* calls and the public headers in include/iobench/.
 */
#ifndef IOBENCH_STRATEGIES_H
#define IOBENCH_STRATEGIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "iobench/helpers.h"
#include "iobench/strategy.h"

/* How holes of a sparse source are treated, as GNU cp's --sparse. */
enum strategy_sparse {
	STRATEGY_SPARSE_AUTO,	/* a source that looks sparse (fewer blocks
				 * than its size needs) keeps its holes */
	STRATEGY_SPARSE_ALWAYS,	/* holes kept, and zero blocks made holes */
	STRATEGY_SPARSE_NEVER,	/* every byte written: a dense copy */
};

/* Registry: an explicit, ordered list (the order of `iobench list`): the
 * built-ins, then the plugins' strategies in load order. */
size_t strategy_count(void);
const struct copy_strategy *strategy_at(size_t i);
/* NULL when no strategy has that name. */
const struct copy_strategy *strategy_find(const char *name);
/* The registered name nearest to `name` (lib/suggest.h: a prefix, a few
 * edits, a substring), or NULL. */
const char *strategy_suggest(const char *name);
/* Runs s->probe after strategy_check(); a strategy without one is
 * usable. */
int strategy_probe(const struct copy_strategy *s, const char *dir, char *why,
		   size_t len);
/*
 * Whether s is a well-formed strategy of this ABI: a name, a copy hook,
 * options that fit options_size with defaults inside their range. 0, or
 * -EPROTO (another ABI) / -EINVAL with the reason in why. Plugins are
 * checked with it before use.
 */
int strategy_check(const struct copy_strategy *s, char *why, size_t len);

/* ---- plugins (plugin.c) ---- */

/*
 * Loads the plugin at path (dlopen; see iobench/strategy.h) and appends
 * its strategies to the registry once each passed strategy_check() and
 * none has a registered name. Loading the same file again does nothing.
 * 0, or -errno with one line in why naming path and the fault; a refused
 * plugin is unloaded and adds nothing. Not thread-safe: load before use.
 */
int strategy_plugin_load(const char *path, char *why, size_t len);
/*
 * Loads every plugin a colon list names (IOBENCH_PLUGIN_PATH's format):
 * a .so file, or a directory whose *.so files load in name order. Empty
 * items are ignored. Stops at the first fault: 0 or -errno + why.
 */
int strategy_plugin_load_list(const char *list, char *why, size_t len);
/* The plugins' strategies, in load order. */
size_t strategy_plugin_count(void);
const struct copy_strategy *strategy_plugin_at(size_t i);
/* The file a strategy was loaded from, or NULL for a built-in. */
const char *strategy_plugin_path(const struct copy_strategy *s);
/*
 * Runs a plugin strategy's probe in a child process (strategy_probe() does
 * this for plugins): one that crashes, exits without answering or does not
 * return within 20 s (time stopped by a signal not counted) fails, -EFAULT,
 * -EPROTO or -ETIMEDOUT with the reason in why, and is not probed again.
 * A built-in's probe runs here, in this process.
 */
int strategy_plugin_probe(const struct copy_strategy *s, const char *dir,
			  char *why, size_t len);
/* true: plugin probes run in this process, as built-ins' do (a process
 * that may not fork, e.g. after MPI_Init). */
void strategy_plugin_probe_in_process(bool yes);

/* ---- options ---- */

/* The most options one strategy may declare. */
#define STRATEGY_OPTIONS_MAX 16

/* Number of options s declares. */
size_t strategy_option_count(const struct copy_strategy *s);
/* The option called name, or NULL. */
const struct copy_option *strategy_option(const struct copy_strategy *s,
					  const char *name);
/* Fills opts (s->options_size bytes) with every option's default. */
void strategy_options_default(const struct copy_strategy *s, void *opts);
/* Option `name` of opts: 0, -ENOENT (s has no such option) or -ERANGE
 * (v outside the option's min..max). */
int strategy_option_set(const struct copy_strategy *s, void *opts,
			const char *name, uint64_t v);
uint64_t strategy_option_get(const struct copy_option *o, const void *opts);
/* A value of an option of this type as the command line writes it: a
 * size ("128K"), a count ("32") or a bool ("no", "yes"). 0, or -EINVAL
 * with a reason naming s in err. */
int strategy_option_parse(enum copy_option_type type, const char *s,
			  uint64_t *v, char *err, size_t len);
/* Extra open(2) flags both ends need with these options: O_DIRECT or 0.
 * opts NULL: the defaults. */
int strategy_open_flags(const struct copy_strategy *s, const void *opts);
/* The option names as a comma list ("buffer,qd") or "-" into out. */
void strategy_options_str(const struct copy_strategy *s, char *out,
			  size_t len);

/*
 * One whole-file or range copy with a fresh state: setup, copy, teardown.
 * opts: s->options_size bytes, or NULL for the defaults. For callers that
 * copy once (`iobench cp`, tests).
 */
int strategy_copy_once(const struct copy_strategy *s, const void *opts,
		       int src, int dst, const struct copy_range *r);
/* The same, holes treated as `mode` says (strategy_copy_sparse()). */
int strategy_copy_once_sparse(const struct copy_strategy *s,
			      const void *opts, int src, int dst,
			      const struct copy_range *r,
			      enum strategy_sparse mode);

/* ---- whole-file copies on top of a strategy (whole_file.c) ---- */

/* "auto", "always", "never". */
const char *strategy_sparse_name(enum strategy_sparse m);
/* 0, or -EINVAL for a word that is none of them. */
int strategy_sparse_parse(const char *s, enum strategy_sparse *m);

/*
 * Copies range r of src to dst with s->copy() on a state the caller set
 * up, keeping the source's holes: each data extent (SEEK_DATA/SEEK_HOLE,
 * widened to 4 KiB units) is one s->copy() call, holes are skipped, and
 * a trailing hole is made by growing dst to the range's end. With
 * STRATEGY_SPARSE_ALWAYS, 4 KiB blocks of zeros inside the data are left
 * as holes too (read once first, as cp --sparse=always reads). NEVER, or
 * AUTO on a source that does not look sparse, is one s->copy() of r.
 * dst must hold nothing in the range beforehand (new or truncated), as
 * a skipped hole leaves what is there. 0 or -errno; -ENODATA when the
 * source ends before the range does.
 */
int strategy_copy_sparse(const struct copy_strategy *s, void *state,
			 int src, int dst, const struct copy_range *r,
			 enum strategy_sparse mode);

/*
 * True when fd's size (st, from fstat(fd)) is not its content's length,
 * as procfs and sysfs files report (0 or 4096 bytes whatever they hold)
 * and some FUSE files: content past a size of 0, or none at the last byte
 * of the size. Such a source can only be read until EOF.
 */
bool strategy_source_unsized(int fd, const struct stat *st);
/*
 * Reads src from its start until EOF (one read(2) pass, as cp does) into
 * an unnamed scratch file in dir (strategy_tmpfile): a fd you own holding
 * the content, its length in *size, or -errno. Strategies then copy that
 * file, whose size is known.
 */
int strategy_snapshot_source(int src, const char *dir, uint64_t *size);

/* ---- helpers of the built-in strategies (common.c), not exported ---- */

/* The options of a strategy whose one tunable is its buffer size, and
 * their table: "buffer", STRATEGY_DEFAULT_BUFFER by default. */
struct strategy_buffer_options {
	uint64_t buffer;
};
extern const struct copy_option strategy_buffer_option_table[];

/*
 * The outcome of one transfer (read, write, splice...) that must make
 * progress: -errno when n < 0, `stalled` when nothing moved (-ENODATA:
 * the source ended early), 0 when n bytes did.
 */
int strategy_xfer_ret(ssize_t n, int stalled);
/* The integer a /proc or /sys file starts with into *v: 0, -errno when
 * it does not open, -EINVAL when it holds no number. */
int strategy_read_number(const char *path, int64_t *v);

/*
 * The chunks a queued strategy (libaio, io_uring) keeps in flight: qd
 * buffers of buf_size bytes in one page-aligned allocation, a stack of
 * the idle ones and each one's submission stamp for the I/O observer.
 * The state holding it starts zeroed.
 */
struct strategy_pool {
	unsigned qd;
	size_t buf_size; /* a multiple of 4096: any O_DIRECT alignment */
	char *bufs;
	struct strategy_chunk *chunks; /* chunks[i].buf: buffer i */
	unsigned *free_slots;	       /* stack of idle chunk indexes */
	unsigned nfree;
	uint64_t *t_submit; /* per chunk: when it was submitted, ns */
};

/* qd chunks of `buffer` bytes rounded up to 4096: 0, -EINVAL (no chunk,
 * or more than memory can address) or -ENOMEM. Free it even then. */
int strategy_pool_init(struct strategy_pool *p, unsigned qd, uint64_t buffer);
/* Every chunk idle, as at the start of a copy. */
void strategy_pool_reset(struct strategy_pool *p);
/* Takes an idle chunk (there must be one) and starts it reading the next
 * buffer's worth of a range of len bytes at pos; its index. */
unsigned strategy_pool_start(struct strategy_pool *p,
			     const struct strategy_dio *d, uint64_t pos,
			     uint64_t len);
/* Chunk i is idle again. */
void strategy_pool_put(struct strategy_pool *p, unsigned i);
void strategy_pool_free(struct strategy_pool *p);

/* The built-ins (strategies.def), in listing order. */
#define STRATEGY(id) extern const struct copy_strategy strategy_##id;
#define STRATEGY_NEEDS(id, dep) STRATEGY(id)
#include "strategies.def"
#undef STRATEGY
#undef STRATEGY_NEEDS

#endif
