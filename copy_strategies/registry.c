// SPDX-License-Identifier: MIT
/*
 * The ordered registry of built-in strategies and the calls that look them
 * up. An explicit array, not constructors: listing order never changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategies.h"

static const struct copy_strategy *const registry[] = {
	&strategy_rw,
	&strategy_stdio,
	&strategy_mmap,
	&strategy_sendfile,
	&strategy_copy_file_range,
	&strategy_splice,
	&strategy_io_uring,
	&strategy_odirect,
	&strategy_libaio,
	&strategy_reflink,
};

size_t strategy_count(void)
{
	return sizeof(registry) / sizeof(registry[0]);
}

const struct copy_strategy *strategy_at(size_t i)
{
	return i < strategy_count() ? registry[i] : NULL;
}

const struct copy_strategy *strategy_find(const char *name)
{
	for (size_t i = 0; i < strategy_count(); i++)
		if (!strcmp(registry[i]->name, name))
			return registry[i];
	return NULL;
}

/* Levenshtein distance, bounded to short names (strategy names are < 32). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *strategy_suggest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 4;

	for (size_t i = 0; i < strategy_count(); i++) {
		size_t d = edit_distance(name, registry[i]->name);

		if (d < best_d) {
			best_d = d;
			best = registry[i]->name;
		}
	}
	return best;
}

struct copy_params strategy_resolve_params(const struct copy_strategy *s,
					   const struct copy_params *in)
{
	struct copy_params p = in ? *in : (struct copy_params){ 0 };

	if (!p.buffer_size)
		p.buffer_size = s->default_buffer ? s->default_buffer
						  : STRATEGY_DEFAULT_BUFFER;
	if (!p.queue_depth)
		p.queue_depth = s->default_qd ? s->default_qd
					      : STRATEGY_DEFAULT_QD;
	if (!(s->tunables & TUNE_DIRECT))
		p.direct = false;
	if (!(s->tunables & TUNE_SQPOLL))
		p.sqpoll = false;
	return p;
}

int strategy_open_flags(const struct copy_strategy *s,
			const struct copy_params *p)
{
	if (s->flags & COPY_ALWAYS_DIRECT)
		return O_DIRECT;
	if ((s->tunables & TUNE_DIRECT) && p && p->direct)
		return O_DIRECT;
	return 0;
}

int strategy_probe(const struct copy_strategy *s, const char *dir, char *why,
		   size_t len)
{
	if (len)
		why[0] = '\0';
	if (s->abi != COPY_STRATEGY_ABI)
		return strategy_why(why, len, -EPROTO,
				    "built for interface %u, not %u", s->abi,
				    COPY_STRATEGY_ABI);
	return s->probe ? s->probe(dir, why, len) : 0;
}

void strategy_tunables_str(unsigned tunables, char *out, size_t len)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ TUNE_BUF, "buffer" },
		{ TUNE_QD, "qd" },
		{ TUNE_DIRECT, "direct" },
		{ TUNE_SQPOLL, "sqpoll" },
	};
	size_t used = 0;

	if (!len)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(tunables & names[i].bit))
			continue;
		int n = snprintf(out + used, len - used, "%s%s",
				 used ? "," : "", names[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += n;
	}
	if (!used)
		snprintf(out, len, "-");
}

int strategy_copy_once(const struct copy_strategy *s,
		       const struct copy_params *p, int src, int dst,
		       const struct copy_range *r)
{
	struct copy_params rp = strategy_resolve_params(s, p);
	void *state = calloc(1, s->state_size ? s->state_size : 1);
	int ret;

	if (!state)
		return -ENOMEM;
	ret = s->setup ? s->setup(state, &rp) : 0;
	if (!ret)
		ret = s->copy(state, src, dst, r);
	if (s->teardown)
		s->teardown(state);
	free(state);
	return ret;
}
