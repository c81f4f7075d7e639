// SPDX-License-Identifier: MIT
/*
 * A cell's identity (see cell.h): mode names, the tunables table, and the
 * one way to label, match and key a cell.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "dataset.h"
#include "fmt.h"
#include "parse.h"
#include "strategies.h"
#include "strlist.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- mode names ---- */

static const char *const cache_names[] = { "warm", "cold" };
static const char *const sync_names[] = { "none", "end" };
static const char *const status_names[] = { "pending", "ok", "failed",
					    "skipped" };
static const char *const parallel_names[] = { "files", "ranges" };
static const char *const pin_names[] = { "none", "compact", "spread" };
static const char *const prealloc_names[] = { "none", "truncate",
					      "fallocate" };

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : "unknown";
}

/* Index of s in names, or -EINVAL. */
static int index_of(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -EINVAL;
}

#define MODE_NAMES(type, prefix, names)					\
	const char *prefix##_name(enum type m)				\
	{								\
		return name_of(names, N_ELEMS(names), m);		\
	}								\
	int prefix##_parse(const char *s, enum type *m)			\
	{								\
		int i = index_of(names, N_ELEMS(names), s);		\
									\
		if (i < 0)						\
			return i;					\
		*m = (enum type)i;					\
		return 0;						\
	}

MODE_NAMES(cache_mode, cache_mode, cache_names)
MODE_NAMES(sync_mode, sync_mode, sync_names)
MODE_NAMES(cell_status, cell_status, status_names)
MODE_NAMES(parallel_mode, parallel_mode, parallel_names)
MODE_NAMES(pin_mode, pin_mode, pin_names)
MODE_NAMES(prealloc_mode, prealloc_mode, prealloc_names)

/* ---- the tunables table ---- */

/*
 * Every tunable the harness knows by name. The names are the option
 * names strategies declare (iobench/strategy.h); a plugin's other
 * options are appended at run time by tunable_register().
 */
static struct tunable tunable_table[TUNABLES_MAX] = {
	/* buffer and qd: each strategy's own default unless swept, so
	 * every strategy runs as its best-known use (io_uring 256K x 8,
	 * odirect 1M, rw 128K) */
	{ "buffer", "buffers", "buf", "buffer_size", COPY_OPT_SIZE, NULL,
	  "buffer sizes for strategies with a buffer" },
	{ "qd", "qd", "qd", "queue_depth", COPY_OPT_COUNT, NULL,
	  "queue depths for strategies with one" },
	{ "direct", "direct", "direct", "direct", COPY_OPT_BOOL, "no",
	  "no,yes: O_DIRECT variants where it is optional" },
	{ "sqpoll", "sqpoll", "sqpoll", "sqpoll", COPY_OPT_BOOL, "no",
	  "no,yes: io_uring with a kernel submission-polling thread" },
};
/* rows in use: counted from the table on first use (so a new row above
 * is all it takes), then tunable_register() adds after them */
static size_t n_tunables;

static size_t rows(void)
{
	if (!n_tunables)
		while (n_tunables < TUNABLES_MAX &&
		       tunable_table[n_tunables].name)
			n_tunables++;
	return n_tunables;
}
/* names of registered tunables: the table keeps pointers into these */
static char registered_names[TUNABLES_MAX][32];

size_t tunable_count(void)
{
	return rows();
}

const struct tunable *tunable_at(size_t i)
{
	return i < rows() ? &tunable_table[i] : NULL;
}

int tunable_index(const char *name)
{
	for (size_t i = 0; i < rows(); i++)
		if (!strcmp(tunable_table[i].name, name))
			return (int)i;
	return -1;
}

int tunable_register(const char *name, enum copy_option_type type)
{
	int i = tunable_index(name);
	char *copy;

	if (i >= 0)
		return tunable_table[i].type == type ? i : -EINVAL;
	if (rows() == TUNABLES_MAX)
		return -ENOSPC;
	if (strlen(name) >= sizeof(registered_names[0]))
		return -EINVAL;
	copy = registered_names[n_tunables];
	strcpy(copy, name);
	tunable_table[n_tunables] = (struct tunable){
		.name = copy, .sweep_flag = NULL, .label = copy, .csv = copy,
		.type = type, .sweep_default = NULL,
		.help = "a plugin's option",
	};
	return (int)n_tunables++;
}

const char *tunable_format(const struct tunable *t, uint64_t v, char *out,
			   size_t len)
{
	if (t->type == COPY_OPT_SIZE)
		return fmt_size(v, out, len);
	if (t->type == COPY_OPT_BOOL)
		snprintf(out, len, "%s", v ? "yes" : "no");
	else
		snprintf(out, len, "%llu", (unsigned long long)v);
	return out;
}

int tunable_parse(const struct tunable *t, const char *s, uint64_t *v,
		  char *err, size_t len)
{
	return strategy_option_parse(t->type, s, v, err, len);
}

static int one_value(const char *tok, const void *t, uint64_t *v, char *err,
		     size_t len)
{
	return tunable_parse(t, tok, v, err, len);
}

int tunable_parse_list(const struct tunable *t, const char *list,
		       uint64_t **values, size_t *n, char *err, size_t len)
{
	/* "both" was --direct's spelling of no,yes */
	if (t->type == COPY_OPT_BOOL && !strcmp(list, "both"))
		list = "no,yes";
	return parse_value_list(list, values, n, err, len, one_value, t);
}

/* ---- a cell's tunables ---- */

bool cell_has_tunable(const struct cell *c, size_t i)
{
	return i < TUNABLES_MAX && (c->tun.mask & (1u << i));
}

uint64_t cell_tunable(const struct cell *c, const char *name,
		      uint64_t fallback)
{
	int i = tunable_index(name);

	return i >= 0 && cell_has_tunable(c, i) ? c->tun.v[i] : fallback;
}

bool cell_direct(const struct cell *c)
{
	const struct copy_strategy *s = strategy_find(c->strategy);

	return (s && (s->flags & COPY_ALWAYS_DIRECT)) ||
	       cell_tunable(c, "direct", 0);
}

bool cell_reaches_device(const struct cell *c)
{
	return cell_direct(c) || c->cache == CACHE_COLD ||
	       c->sync != SYNC_NONE;
}

int cell_set_strategy(struct cell *c, const struct copy_strategy *s)
{
	return cell_set_options(c, s->options);
}

int cell_set_options(struct cell *c, const struct copy_option *options)
{
	c->tun = (struct cell_tunables){ 0 };
	for (const struct copy_option *o = options; o && o->name; o++) {
		int i = tunable_register(o->name, o->type);

		if (i < 0)
			return i;
		c->tun.mask |= 1u << i;
		c->tun.v[i] = o->def;
	}
	return 0;
}

int cell_set_tunable(struct cell *c, const char *name, uint64_t v)
{
	int i = tunable_index(name);

	if (i < 0 || !cell_has_tunable(c, i))
		return -ENOENT;
	c->tun.v[i] = v;
	return 0;
}

int cell_options(const struct cell *c, const struct copy_strategy *s,
		 void *opts, char *why, size_t len)
{
	strategy_options_default(s, opts);
	for (size_t i = 0; i < rows(); i++) {
		const struct copy_option *o;
		char v[FMT_LEN], lo[FMT_LEN], hi[FMT_LEN];

		if (!cell_has_tunable(c, i) ||
		    strategy_option_set(s, opts, tunable_table[i].name,
					c->tun.v[i]) != -ERANGE)
			continue;
		o = strategy_option(s, tunable_table[i].name);
		return strategy_why(why, len, -ERANGE, "%s: %s %s is outside "
				    "%s to %s", s->name, o->name,
				    tunable_format(&tunable_table[i],
						   c->tun.v[i], v, sizeof(v)),
				    tunable_format(&tunable_table[i], o->min,
						   lo, sizeof(lo)),
				    tunable_format(&tunable_table[i], o->max,
						   hi, sizeof(hi)));
	}
	return 0;
}

/* ---- naming, labelling, matching ---- */

int cell_threads_desc(const struct cell *c, const char *sep, char *out,
		      size_t len)
{
	char mode[48] = "";

	/* sweep --mpi: ranks, one thread each */
	if (c->ranks && c->parallel == PARALLEL_RANGES)
		return snprintf(out, len, "%s%u rank%s by ranges (%s)", sep,
				c->ranks, c->ranks == 1 ? "" : "s",
				prealloc_mode_name(c->prealloc));
	if (c->ranks)
		return snprintf(out, len, "%s%u rank%s", sep, c->ranks,
				c->ranks == 1 ? "" : "s");
	if (c->threads > 1 && c->parallel == PARALLEL_RANGES)
		snprintf(mode, sizeof(mode), " by ranges (%s)",
			 prealloc_mode_name(c->prealloc));
	else if (c->threads > 1)
		snprintf(mode, sizeof(mode), " by files");
	if (c->threads > 1 && c->pin != PIN_NONE)
		return snprintf(out, len, "%s%u threads%s, pinned %s", sep,
				c->threads, mode, pin_mode_name(c->pin));
	if (c->threads > 1)
		return snprintf(out, len, "%s%u threads%s", sep, c->threads,
				mode);
	if (c->pin != PIN_NONE)
		return snprintf(out, len, "%spinned %s", sep,
				pin_mode_name(c->pin));
	if (len)
		out[0] = '\0';
	return 0;
}

/* The options part of cell_tunables_desc(); the characters written. */
static size_t options_desc(const struct cell *c, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < rows() && used < len; i++) {
		const struct tunable *t = &tunable_table[i];
		char v[FMT_LEN];

		if (!cell_has_tunable(c, i) ||
		    (t->type == COPY_OPT_BOOL && !c->tun.v[i]))
			continue;
		if (t->type == COPY_OPT_BOOL)
			used += snprintf(out + used, len - used, "%s%s",
					 used ? ", " : "", t->label);
		else
			used += snprintf(out + used, len - used, "%s%s %s",
					 used ? ", " : "", t->label,
					 tunable_format(t, c->tun.v[i], v,
							sizeof(v)));
	}
	return used;
}

const char *cell_options_desc(const struct cell *c, char *out, size_t len)
{
	if (len && !options_desc(c, out, len))
		snprintf(out, len, "-");
	return out;
}

const char *cell_tunables_desc(const struct cell *c, char *out, size_t len)
{
	size_t used;

	if (!len)
		return out;
	used = options_desc(c, out, len);
	if (used < len)
		used += cell_threads_desc(c, used ? ", " : "", out + used,
					  len - used);
	if (!used)
		snprintf(out, len, "-");
	return out;
}

const char *cell_label(const struct cell *c, char *out, size_t len)
{
	char t[160];

	cell_tunables_desc(c, t, sizeof(t));
	if (!strcmp(t, "-"))
		snprintf(out, len, "`%s`", c->strategy);
	else
		snprintf(out, len, "`%s` (%s)", c->strategy, t);
	return out;
}

bool cell_same_variant(const struct cell *a, const struct cell *b,
		       uint32_t ignore)
{
	uint32_t keep = ~ignore & ((1u << TUNABLES_MAX) - 1);

	if (strcmp(a->strategy, b->strategy) || a->size != b->size ||
	    (a->tun.mask & keep) != (b->tun.mask & keep))
		return false;
	for (size_t i = 0; i < TUNABLES_MAX; i++)
		if ((a->tun.mask & keep & (1u << i)) &&
		    a->tun.v[i] != b->tun.v[i])
			return false;
	/* a run with one --dir names no target: it matches any */
	if (a->target && b->target && strcmp(a->target, b->target))
		return false;
	return (ignore & CELL_IGNORE_CONTENT) || a->content == b->content;
}

bool cell_same_threads(const struct cell *a, const struct cell *b)
{
	unsigned ta = a->threads ? a->threads : 1;
	unsigned tb = b->threads ? b->threads : 1;

	if (ta != tb || a->pin != b->pin || a->ranks != b->ranks ||
	    (a->ranks && a->parallel != b->parallel))
		return false;
	/* one thread has no parallel mode or pre-allocation */
	return ta == 1 || (a->parallel == b->parallel &&
			   (a->parallel != PARALLEL_RANGES ||
			    a->prealloc == b->prealloc));
}

bool cell_same_key(const struct cell *a, const struct cell *b,
		   uint32_t ignore)
{
	return cell_same_variant(a, b, ignore) && cell_same_threads(a, b) &&
	       a->cache == b->cache && a->sync == b->sync;
}

const char *cell_key(const struct cell *c, char *out, size_t len)
{
	char sz[FMT_LEN], v[FMT_LEN];
	size_t used;

	used = snprintf(out, len, "%s %s", c->strategy,
			fmt_size(c->size, sz, sizeof(sz)));
	for (size_t i = 0; i < rows() && used < len; i++)
		if (cell_has_tunable(c, i))
			used += snprintf(out + used, len - used, " %s=%s",
					 tunable_table[i].name,
					 tunable_format(&tunable_table[i],
							c->tun.v[i], v,
							sizeof(v)));
	if (used < len)
		used += snprintf(out + used, len - used, " %s sync=%s %s",
				 cache_mode_name(c->cache),
				 sync_mode_name(c->sync),
				 content_kind_name(c->content));
	if (c->ranks && used < len)
		used += snprintf(out + used, len - used, " ranks=%u/%s",
				 c->ranks, c->parallel == PARALLEL_RANGES ?
				 "shared" : "files");
	if (c->threads > 1 && used < len)
		used += snprintf(out + used, len - used, " threads=%u/%s",
				 c->threads, parallel_mode_name(c->parallel));
	if (c->threads > 1 && c->parallel == PARALLEL_RANGES && used < len)
		used += snprintf(out + used, len - used, " prealloc=%s",
				 prealloc_mode_name(c->prealloc));
	if (c->pin != PIN_NONE && used < len)
		used += snprintf(out + used, len - used, " pin=%s",
				 pin_mode_name(c->pin));
	if (c->target && used < len)
		snprintf(out + used, len - used, " target=%s", c->target);
	return out;
}

void profile_free_hot(struct cell_profile *p)
{
	for (size_t i = 0; i < p->n_hot; i++)
		free(p->hot[i].symbol);
	free(p->hot);
	p->hot = NULL;
	p->n_hot = 0;
}

void profile_free(struct cell_profile *p)
{
	for (int i = 0; i < PROFILE_N_COUNTERS; i++)
		free(p->na[i]);
	profile_free_hot(p);
	free(p->hot_why);
	memset(p, 0, sizeof(*p));
}
