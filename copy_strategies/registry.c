// SPDX-License-Identifier: MIT
/*
 * The ordered registry of strategies and the calls that look them up: the
 * built-ins in an explicit array (not constructors, so listing order never
 * changes), then the plugins in the order they were loaded (plugin.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "parse.h"
#include "strategies.h"
#include "suggest.h"

/* A strategy whose library was missing at build time keeps its name and
 * place: `iobench list` says why it cannot run, cp and sweep skip it. */
#define UNBUILT_STRATEGY(id, lib, pkg)					\
	static int id##_unbuilt_probe(const char *dir, char *why,	\
				      size_t len)			\
	{								\
		(void)dir;						\
		return strategy_why(why, len, -ENOPKG, "built without "	\
				    lib " (install " pkg " and rebuild)");	\
	}								\
	static int id##_unbuilt_copy(void *state, int src, int dst,	\
				     const struct copy_range *r)	\
	{								\
		(void)state, (void)src, (void)dst, (void)r;		\
		return -ENOSYS;						\
	}								\
	const struct copy_strategy strategy_##id = {			\
		.abi = COPY_STRATEGY_ABI,				\
		.name = #id,						\
		.summary = "not built: " lib " was missing",		\
		.probe = id##_unbuilt_probe,				\
		.copy = id##_unbuilt_copy,				\
	}

#if !HAVE_LIBURING
UNBUILT_STRATEGY(io_uring, "liburing", "liburing-dev");
#endif
#if !HAVE_LIBAIO
UNBUILT_STRATEGY(libaio, "libaio", "libaio-dev");
#endif

static const struct copy_strategy *const registry[] = {
#define STRATEGY(id) &strategy_##id,
#define STRATEGY_NEEDS(id, dep) STRATEGY(id)
#include "strategies.def"
#undef STRATEGY
#undef STRATEGY_NEEDS
};

#define N_BUILTIN (sizeof(registry) / sizeof(registry[0]))

/*
 * Test-only: IOBENCH_TWIN=NAME appends "NAME-twin", the same code under
 * another name, so the validation benchmark can check that two copies of
 * one strategy come out as a tie.
 */
static const struct copy_strategy *twin(void)
{
	static struct copy_strategy t;
	static char name[48];
	static bool done;
	const char *of = getenv("IOBENCH_TWIN");

	if (done)
		return t.name ? &t : NULL;
	done = true;
	for (size_t i = 0; of && i < N_BUILTIN; i++) {
		if (strcmp(registry[i]->name, of))
			continue;
		t = *registry[i];
		snprintf(name, sizeof(name), "%s-twin", of);
		t.name = name;
		return &t;
	}
	return NULL;
}

/* Built-ins first (and the test-only twin), then plugins in load order
 * (plugin.c). */
size_t strategy_count(void)
{
	return N_BUILTIN + (twin() ? 1 : 0) + strategy_plugin_count();
}

const struct copy_strategy *strategy_at(size_t i)
{
	size_t n_twin = twin() ? 1 : 0;

	if (i < N_BUILTIN)
		return registry[i];
	if (i < N_BUILTIN + n_twin)
		return twin();
	return strategy_plugin_at(i - N_BUILTIN - n_twin);
}

const struct copy_strategy *strategy_find(const char *name)
{
	for (size_t i = 0; i < strategy_count(); i++)
		if (!strcmp(strategy_at(i)->name, name))
			return strategy_at(i);
	return NULL;
}

const char *strategy_suggest(const char *name)
{
	struct suggest s;

	suggest_init(&s, name);
	for (size_t i = 0; i < strategy_count(); i++)
		suggest_consider(&s, strategy_at(i)->name);
	return s.n ? s.best[0] : NULL;
}

/* The options every harness knows by name keep one type everywhere. */
static const struct {
	const char *name;
	enum copy_option_type type;
} known_options[] = {
	{ "buffer", COPY_OPT_SIZE },
	{ "qd", COPY_OPT_COUNT },
	{ "direct", COPY_OPT_BOOL },
	{ "sqpoll", COPY_OPT_BOOL },
};

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_-:"
#define STRATEGY_FLAGS (COPY_RANGES | COPY_RANGES_ALIGNED |		\
			COPY_ALWAYS_DIRECT | COPY_SAME_FS_ONLY)
/* Far above any real strategy; catches a garbage size before calloc. */
#define STATE_SIZE_MAX (1u << 30)

static bool valid_name(const char *name, size_t max)
{
	return name && *name && strlen(name) <= max &&
	       strspn(name, NAME_CHARS) == strlen(name);
}

/* One option of s: 0, or -EINVAL with the reason in why. */
static int check_option(const struct copy_strategy *s,
			const struct copy_option *o, char *why, size_t len)
{
	if (!valid_name(o->name, 31))
		return strategy_why(why, len, -EINVAL, "%s: option name '%s': "
				    "use 1 to 31 lower-case letters, digits, "
				    "'_', '-' or ':'", s->name, o->name);
	if (o->offset > s->options_size ||
	    s->options_size - o->offset < sizeof(uint64_t) ||
	    o->offset % sizeof(uint64_t))
		return strategy_why(why, len, -EINVAL, "%s: option %s lies "
				    "outside its %zu-byte options struct",
				    s->name, o->name, s->options_size);
	if (o->type > COPY_OPT_BOOL || o->min > o->max || o->def < o->min ||
	    o->def > o->max || (o->type == COPY_OPT_BOOL && o->max > 1))
		return strategy_why(why, len, -EINVAL, "%s: option %s: bad "
				    "type, range or default", s->name,
				    o->name);
	if ((o->flags & ~(unsigned)COPY_OPTION_O_DIRECT) ||
	    ((o->flags & COPY_OPTION_O_DIRECT) && o->type != COPY_OPT_BOOL))
		return strategy_why(why, len, -EINVAL, "%s: option %s: "
				    "unknown flags 0x%x", s->name, o->name,
				    o->flags);
	for (size_t k = 0; k < sizeof(known_options) /
			       sizeof(known_options[0]); k++)
		if (!strcmp(o->name, known_options[k].name) &&
		    o->type != known_options[k].type)
			return strategy_why(why, len, -EINVAL, "%s: option "
					    "%s must have the type every "
					    "strategy gives it (see "
					    "iobench/strategy.h)", s->name,
					    o->name);
	if (strategy_option(s, o->name) != o)
		return strategy_why(why, len, -EINVAL, "%s: option %s "
				    "declared twice", s->name, o->name);
	return 0;
}

int strategy_check(const struct copy_strategy *s, char *why, size_t len)
{
	size_t n = 0;
	int ret;

	/* abi first: another interface version may lay out the rest
	 * differently, so nothing else is read before it matches */
	if (s->abi != COPY_STRATEGY_ABI)
		return strategy_why(why, len, -EPROTO,
				    "built for strategy interface %u, not %u "
				    "(rebuild it against this iobench's "
				    "iobench/strategy.h)", s->abi,
				    COPY_STRATEGY_ABI);
	if (!valid_name(s->name, 31))
		return strategy_why(why, len, -EINVAL, "name '%s': use 1 to 31 "
				    "lower-case letters, digits, '_', '-' or ':'",
				    s->name ? s->name : "(null)");
	if (!s->copy)
		return strategy_why(why, len, -EINVAL, "%s: no copy hook",
				    s->name);
	if (s->flags & ~(unsigned)STRATEGY_FLAGS)
		return strategy_why(why, len, -EINVAL, "%s: unknown flags 0x%x",
				    s->name, s->flags & ~(unsigned)STRATEGY_FLAGS);
	if (s->state_size > STATE_SIZE_MAX || s->options_size > STATE_SIZE_MAX)
		return strategy_why(why, len, -EINVAL, "%s: state_size %zu or "
				    "options_size %zu is implausible", s->name,
				    s->state_size, s->options_size);
	for (const struct copy_option *o = s->options; o && o->name; o++) {
		if (++n > STRATEGY_OPTIONS_MAX)
			return strategy_why(why, len, -EINVAL, "%s: more than "
					    "%d options", s->name,
					    STRATEGY_OPTIONS_MAX);
		ret = check_option(s, o, why, len);
		if (ret)
			return ret;
	}
	return 0;
}

int strategy_probe(const struct copy_strategy *s, const char *dir, char *why,
		   size_t len)
{
	int ret;

	if (len)
		why[0] = '\0';
	ret = strategy_check(s, why, len);
	if (ret)
		return ret;
	if (s->probe && strategy_plugin_path(s))
		return strategy_plugin_probe(s, dir, why, len);
	return s->probe ? s->probe(dir, why, len) : 0;
}

/* ---- options ---- */

size_t strategy_option_count(const struct copy_strategy *s)
{
	size_t n = 0;

	while (s->options && s->options[n].name)
		n++;
	return n;
}

const struct copy_option *strategy_option(const struct copy_strategy *s,
					  const char *name)
{
	for (const struct copy_option *o = s->options; o && o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/* Options are uint64_t at their offset; memcpy keeps a plugin's struct
 * layout free of alignment assumptions. */
uint64_t strategy_option_get(const struct copy_option *o, const void *opts)
{
	uint64_t v;

	memcpy(&v, (const char *)opts + o->offset, sizeof(v));
	return v;
}

static void option_put(const struct copy_option *o, void *opts, uint64_t v)
{
	memcpy((char *)opts + o->offset, &v, sizeof(v));
}

void strategy_options_default(const struct copy_strategy *s, void *opts)
{
	memset(opts, 0, s->options_size);
	for (const struct copy_option *o = s->options; o && o->name; o++)
		option_put(o, opts, o->def);
}

int strategy_option_set(const struct copy_strategy *s, void *opts,
			const char *name, uint64_t v)
{
	const struct copy_option *o = strategy_option(s, name);

	if (!o)
		return -ENOENT;
	if (v < o->min || v > o->max)
		return -ERANGE;
	option_put(o, opts, v);
	return 0;
}

int strategy_option_parse(enum copy_option_type type, const char *s,
			  uint64_t *v, char *err, size_t len)
{
	if (type == COPY_OPT_SIZE)
		return parse_size(s, v, err, len);
	if (type == COPY_OPT_COUNT)
		return parse_count(s, 0, UINT64_MAX, v, err, len);
	if (!strcmp(s, "no") || !strcmp(s, "yes")) {
		*v = !strcmp(s, "yes");
		return 0;
	}
	return strategy_why(err, len, -EINVAL, "'%s': expected no or yes", s);
}

int strategy_open_flags(const struct copy_strategy *s, const void *opts)
{
	if (s->flags & COPY_ALWAYS_DIRECT)
		return O_DIRECT;
	for (const struct copy_option *o = s->options; o && o->name; o++)
		if ((o->flags & COPY_OPTION_O_DIRECT) &&
		    (opts ? strategy_option_get(o, opts) : o->def))
			return O_DIRECT;
	return 0;
}

void strategy_options_str(const struct copy_strategy *s, char *out,
			  size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	out[0] = '\0';
	for (const struct copy_option *o = s->options; o && o->name; o++) {
		int n = snprintf(out + used, len - used, "%s%s",
				 used ? "," : "", o->name);

		if (n < 0 || (size_t)n >= len - used)
			return;
		used += n;
	}
	if (!used)
		snprintf(out, len, "-");
}

int strategy_copy_once(const struct copy_strategy *s, const void *opts,
		       int src, int dst, const struct copy_range *r)
{
	return strategy_copy_once_sparse(s, opts, src, dst, r,
					 STRATEGY_SPARSE_NEVER);
}

int strategy_copy_once_sparse(const struct copy_strategy *s,
			      const void *opts, int src, int dst,
			      const struct copy_range *r,
			      enum strategy_sparse mode)
{
	void *state = calloc(1, s->state_size ? s->state_size : 1);
	void *defaults = NULL;
	int ret = 0;

	if (!opts && s->options_size) {
		defaults = malloc(s->options_size);
		if (defaults)
			strategy_options_default(s, defaults);
		opts = defaults;
	}
	if (!state || (s->options_size && !opts)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = s->setup ? s->setup(state, opts) : 0;
	if (!ret)
		ret = strategy_copy_sparse(s, state, src, dst, r, mode);
	if (s->teardown)
		s->teardown(state);
out:
	free(defaults);
	free(state);
	return ret;
}
