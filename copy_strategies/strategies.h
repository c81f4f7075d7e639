/* SPDX-License-Identifier: MIT */
/*
 * The built-in strategy registry and the calls that look strategies up,
 * fill their options and run one copy. Layer rule: copy_strategies/
 * knows nothing of the harness; the harness and the CLI use only these
 * strategy_* calls and the public headers in include/iobench/.
 */
#ifndef IOBENCH_STRATEGIES_H
#define IOBENCH_STRATEGIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iobench/helpers.h"
#include "iobench/strategy.h"

/* Registry: an explicit, ordered list (the order of `iobench list`). */
size_t strategy_count(void);
const struct copy_strategy *strategy_at(size_t i);
/* NULL when no strategy has that name. */
const struct copy_strategy *strategy_find(const char *name);
/* The registered name closest to `name` (edit distance <= 3), or NULL. */
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
