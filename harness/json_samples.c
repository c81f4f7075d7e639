// SPDX-License-Identifier: MIT
/*
 * A scanner for the samples arrays of results.json: the writer's plain
 * sample objects only, read straight into struct sample. Hand-written
 * because jansson (the project's JSON library) has no streaming or
 * skipping mode and spends ~3 us building the tree of each sample; it
 * stays the parser of record for everything else, errors included.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json_samples.h"

struct scan {
	const char *p, *end;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
				 *s->p == '\t' || *s->p == '\r'))
		s->p++;
}

static bool eat(struct scan *s, char c)
{
	skip_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

/* A string without escapes (keys of ours have none): *str/len. */
static bool plain_string(struct scan *s, const char **str, size_t *len)
{
	const char *q;

	if (!eat(s, '"'))
		return false;
	for (q = s->p; q < s->end && *q != '"'; q++)
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return false;
	if (q >= s->end)
		return false;
	*str = s->p;
	*len = (size_t)(q - s->p);
	s->p = q + 1;
	return true;
}

/* Any string, escapes included (only skipped). */
static bool skip_string(struct scan *s)
{
	if (!eat(s, '"'))
		return false;
	while (s->p < s->end && *s->p != '"') {
		if ((unsigned char)*s->p < 0x20)
			return false;
		if (*s->p == '\\' && ++s->p >= s->end)
			return false;
		s->p++;
	}
	if (s->p >= s->end)
		return false;
	s->p++;
	return true;
}

/*
 * A number as JSON's grammar has it (jansson refuses the rest):
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. *is_int when it has no
 * fraction or exponent.
 */
static bool number_span(struct scan *s, const char **start, bool *is_int)
{
	const char *q;

	skip_ws(s);
	q = s->p;
	*start = q;
	*is_int = true;
	if (q < s->end && *q == '-')
		q++;
	if (q >= s->end || *q < '0' || *q > '9')
		return false;
	if (*q == '0')
		q++;
	else
		while (q < s->end && *q >= '0' && *q <= '9')
			q++;
	if (q < s->end && *q == '.') {
		*is_int = false;
		if (++q >= s->end || *q < '0' || *q > '9')
			return false;
		while (q < s->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < s->end && (*q == 'e' || *q == 'E')) {
		*is_int = false;
		q++;
		if (q < s->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= s->end || *q < '0' || *q > '9')
			return false;
		while (q < s->end && *q >= '0' && *q <= '9')
			q++;
	}
	s->p = q;
	return true;
}

static bool literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	skip_ws(s);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return false;
	s->p += n;
	return true;
}

/* A number (an integer becomes a double, as jansson's) or null (NaN). */
static bool real_or_null(struct scan *s, double *v)
{
	const char *start;
	bool is_int;
	char *e;

	if (literal(s, "null")) {
		*v = NAN;
		return true;
	}
	if (!number_span(s, &start, &is_int))
		return false;
	errno = 0;
	if (is_int) {
		long long i = strtoll(start, &e, 10);

		/* jansson: "too big integer" */
		if (errno || e != s->p)
			return false;
		*v = (double)i;
		return true;
	}
	*v = strtod(start, &e);
	/* jansson: "real number overflow" */
	return e == s->p && !isinf(*v);
}

static bool integer(struct scan *s, int64_t *v)
{
	const char *start;
	bool is_int;
	char *e;

	if (!number_span(s, &start, &is_int) || !is_int)
		return false;
	errno = 0;
	*v = strtoll(start, &e, 10);
	return !errno && e == s->p;
}

static bool boolean(struct scan *s, bool *v)
{
	if (literal(s, "true"))
		*v = true;
	else if (literal(s, "false"))
		*v = false;
	else
		return false;
	return true;
}

/* Any JSON value, skipped (nesting bounded as jansson bounds it). */
static bool skip_value(struct scan *s, unsigned depth)
{
	const char *start;
	bool is_int;

	if (depth > 2048)
		return false;
	skip_ws(s);
	if (s->p >= s->end)
		return false;
	switch (*s->p) {
	case '"':
		return skip_string(s);
	case '{':
		s->p++;
		if (eat(s, '}'))
			return true;
		do {
			if (!skip_string(s) || !eat(s, ':') ||
			    !skip_value(s, depth + 1))
				return false;
		} while (eat(s, ','));
		return eat(s, '}');
	case '[':
		s->p++;
		if (eat(s, ']'))
			return true;
		do {
			if (!skip_value(s, depth + 1))
				return false;
		} while (eat(s, ','));
		return eat(s, ']');
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		return number_span(s, &start, &is_int);
	}
}

static bool key_is(const char *k, size_t n, const char *want)
{
	return strlen(want) == n && !memcmp(k, want, n);
}

/* A member's key and its ':', looked up in keys (n_keys of them, at most
 * 32): its index, marked in *seen; -1 for a syntax error, a key not in
 * keys, or one already seen. */
static int member_key(struct scan *s, const char *const *keys, int n_keys,
		      unsigned *seen)
{
	const char *k;
	size_t n;

	if (!plain_string(s, &k, &n) || !eat(s, ':'))
		return -1;
	for (int i = 0; i < n_keys; i++) {
		if (!key_is(k, n, keys[i]))
			continue;
		if (*seen & (1u << i))
			return -1;
		*seen |= 1u << i;
		return i;
	}
	return -1;
}

static bool read_dst(struct scan *s, struct cache_pages *d)
{
	static const char *const keys[] = { "cached", "dirty", "writeback" };
	int64_t *vals[] = { &d->cached, &d->dirty, &d->writeback };
	unsigned seen = 0;

	if (!eat(s, '{'))
		return false;
	do {
		int i = member_key(s, keys, 3, &seen);

		if (i < 0 || !integer(s, vals[i]))
			return false;
	} while (eat(s, ','));
	return eat(s, '}') && seen == 7;
}

/* An integer in [0, UINT_MAX] (rd_unsigned()). */
static bool uint_value(struct scan *s, unsigned *v)
{
	int64_t i;

	if (!integer(s, &i) || i < 0 || i > UINT_MAX)
		return false;
	*v = (unsigned)i;
	return true;
}

/* A count in "memory": a non-negative integer, or null (not counted). */
static bool count_or_null(struct scan *s, uint64_t *v, unsigned *known)
{
	int64_t i;

	skip_ws(s);
	if (s->p < s->end && *s->p == 'n')
		return literal(s, "null");
	if (!integer(s, &i) || i < 0)
		return false;
	*v = (uint64_t)i;
	++*known;
	return true;
}

/* A sample's "memory" (read_sample_memory()): null, or the heap's three
 * counts and the RSS's two, each half all numbers or all null. */
static bool read_memory(struct scan *s, struct sample_memory *m)
{
	static const char *const keys[] = { "allocs", "alloc_bytes",
					    "heap_peak", "rss_before",
					    "rss_peak" };
	uint64_t *vals[] = { &m->allocs, &m->alloc_bytes, &m->heap_peak,
			     &m->rss_before, &m->rss_peak };
	unsigned seen = 0, heap = 0, rss = 0;

	skip_ws(s);
	if (s->p < s->end && *s->p == 'n')
		return literal(s, "null");
	if (!eat(s, '{'))
		return false;
	if (eat(s, '}'))
		return true;
	do {
		int i = member_key(s, keys, 5, &seen);

		if (i < 0 || !count_or_null(s, vals[i], i < 3 ? &heap : &rss))
			return false;
	} while (eat(s, ','));
	if ((heap && heap < 3) || (rss && rss < 2))
		return false;
	m->heap_known = heap == 3;
	m->rss_known = rss == 2;
	return eat(s, '}');
}

/* "cpu": a CPU number or null */
static bool read_cpu(struct scan *s, struct sample *x)
{
	int64_t cpu;

	skip_ws(s);
	if (s->p < s->end && *s->p == 'n')
		return literal(s, "null");
	if (!integer(s, &cpu) || cpu < 0 || cpu >= CPU_SETSIZE)
		return false;
	x->cpu_known = true;
	x->cpu = (unsigned)cpu;
	return true;
}

/* The keys of a plain sample; the first three (when it ran) are in the
 * current schema's samples only; "memory" and "cpu" are optional (files
 * before them lack them). */
enum {
	K_RUN, K_ROUND, K_START, K_SECONDS, K_SYNC, K_USER, K_SYS, K_PAGES,
	K_BEFORE, K_AFTER, K_DST, K_OK, K_MEM, K_CPU, N_KEYS
};
#define WHEN_KEYS ((1u << K_RUN) | (1u << K_ROUND) | (1u << K_START))
#define ALL_KEYS ((1u << K_MEM) - 1)

/*
 * One plain sample object, checked as one_sample() checks it. *when says
 * whether it had run/round/start (all three) or none of them.
 */
static bool read_sample(struct scan *s, struct sample *x, bool *when)
{
	static const char *const keys[N_KEYS] = {
		"run", "round", "start", "seconds", "sync_seconds",
		"cpu_user", "cpu_sys", "src_pages", "src_resident_before",
		"src_resident_after", "dst", "residency_ok", "memory", "cpu",
	};
	unsigned seen = 0;
	int64_t pages = 0;

	memset(x, 0, sizeof(*x));
	if (!eat(s, '{'))
		return false;
	do {
		int i = member_key(s, keys, N_KEYS, &seen);
		bool ok;

		if (i < 0)
			return false;
		switch (i) {
		case K_RUN: ok = uint_value(s, &x->run); break;
		case K_ROUND: ok = uint_value(s, &x->round); break;
		case K_START: ok = real_or_null(s, &x->start); break;
		case K_SECONDS: ok = real_or_null(s, &x->seconds); break;
		case K_SYNC: ok = real_or_null(s, &x->sync_seconds); break;
		case K_USER: ok = real_or_null(s, &x->cpu_user); break;
		case K_SYS: ok = real_or_null(s, &x->cpu_sys); break;
		case K_PAGES: ok = integer(s, &pages) && pages >= 0; break;
		case K_BEFORE:
			ok = integer(s, &x->src_resident_before);
			break;
		case K_AFTER: ok = integer(s, &x->src_resident_after); break;
		case K_DST: ok = read_dst(s, &x->dst); break;
		case K_MEM: ok = read_memory(s, &x->mem); break;
		case K_CPU: ok = read_cpu(s, x); break;
		default: ok = boolean(s, &x->residency_ok); break;
		}
		if (!ok)
			return false;
	} while (eat(s, ','));
	x->src_pages = (uint64_t)pages;
	seen &= ~(1u << K_MEM | 1u << K_CPU);
	*when = seen == ALL_KEYS;
	/* what one_sample() refuses: leave it to that path's message */
	return eat(s, '}') &&
	       (seen == ALL_KEYS || seen == (ALL_KEYS & ~WHEN_KEYS)) &&
	       isfinite(x->seconds) && x->seconds > 0 &&
	       !(isinf(x->sync_seconds) || x->sync_seconds < 0) &&
	       !(isinf(x->cpu_user) || x->cpu_user < 0) &&
	       !(isinf(x->cpu_sys) || x->cpu_sys < 0);
}

/* A samples array: its samples into *v, *n; *when as read_sample()'s,
 * for all of them (else a mixture: false). */
static bool read_samples(struct scan *s, struct sample **v, size_t *n,
			 int *when)
{
	size_t cap = 0;

	*v = NULL;
	*n = 0;
	if (!eat(s, '['))
		return false;
	if (eat(s, ']'))
		return true;
	do {
		if (*n == cap) {
			size_t want = cap ? 2 * cap : 64;
			struct sample *p = realloc(*v, want * sizeof(*p));

			if (!p)
				return false;
			*v = p;
			cap = want;
		}
		bool w;

		if (!read_sample(s, &(*v)[*n], &w))
			return false;
		if (*when >= 0 && *when != w)
			return false;
		*when = w;
		(*n)++;
	} while (eat(s, ','));
	return eat(s, ']');
}

static bool add_cell(struct json_samples *out, size_t *cap)
{
	if (out->n_cells == *cap) {
		size_t want = *cap ? 2 * *cap : 16;
		struct sample **c = realloc(out->cells, want * sizeof(*c));
		size_t *n;

		if (!c)
			return false;
		out->cells = c;
		n = realloc(out->n, want * sizeof(*n));
		if (!n)
			return false;
		out->n = n;
		*cap = want;
	}
	out->cells[out->n_cells] = NULL;
	out->n[out->n_cells++] = 0;
	return true;
}

/* One cell object: its "samples" read and blanked (spans recorded). */
static bool read_cell(struct scan *s, struct json_samples *out,
		      char **blank, size_t *n_blank, int *when)
{
	size_t i = out->n_cells - 1;
	bool found = false;

	if (!eat(s, '{'))
		return false;
	if (eat(s, '}'))
		return false;
	do {
		const char *k;
		size_t n;

		if (!plain_string(s, &k, &n) || !eat(s, ':'))
			return false;
		if (!key_is(k, n, "samples")) {
			if (!skip_value(s, 2))
				return false;
			continue;
		}
		if (found)
			return false;	/* a duplicate: jansson says so */
		found = true;
		skip_ws(s);
		blank[2 * *n_blank] = (char *)s->p;
		if (!read_samples(s, &out->cells[i], &out->n[i], when))
			return false;
		blank[2 * *n_blank + 1] = (char *)s->p;
		(*n_blank)++;
	} while (eat(s, ','));
	return eat(s, '}') && found;
}

void json_samples_free(struct json_samples *s)
{
	for (size_t i = 0; i < s->n_cells; i++)
		free(s->cells[i]);
	free(s->cells);
	free(s->n);
	memset(s, 0, sizeof(*s));
}

bool json_samples_extract(char *text, size_t len, const char *schema_when,
			  const char *schema_plain, struct json_samples *out,
			  size_t *new_len)
{
	struct scan s = { text, text + len };
	size_t cap = 0, n_blank = 0, blank_cap = 0;
	char **blank = NULL;
	bool found = false, ok = false;
	const char *schema = NULL;
	size_t schema_len = 0;
	int when = -1;		/* unknown until a sample says */

	memset(out, 0, sizeof(*out));
	*new_len = len;
	if (!eat(&s, '{') || eat(&s, '}'))
		return false;
	do {
		const char *k;
		size_t n;

		if (!plain_string(&s, &k, &n) || !eat(&s, ':'))
			goto out;
		if (key_is(k, n, "schema") && !schema) {
			skip_ws(&s);
			if (!plain_string(&s, &schema, &schema_len))
				goto out;
			continue;
		}
		if (!key_is(k, n, "cells") || found) {
			if (!skip_value(&s, 1))
				goto out;
			continue;
		}
		found = true;
		if (!eat(&s, '['))
			goto out;
		if (eat(&s, ']'))
			continue;
		do {
			if (n_blank == blank_cap) {
				size_t want = blank_cap ? 2 * blank_cap : 16;
				char **b = realloc(blank, 2 * want *
						   sizeof(*b));

				if (!b)
					goto out;
				blank = b;
				blank_cap = want;
			}
			if (!add_cell(out, &cap) ||
			    !read_cell(&s, out, blank, &n_blank, &when))
				goto out;
		} while (eat(&s, ','));
		if (!eat(&s, ']'))
			goto out;
	} while (eat(&s, ','));
	skip_ws(&s);
	ok = eat(&s, '}') && found && (skip_ws(&s), s.p == s.end) && schema;
	/* the samples must have the keys their schema gives them */
	if (ok && when >= 0)
		ok = key_is(schema, schema_len,
			    when ? schema_when : schema_plain);
	if (!ok || !n_blank)
		goto out;
	/* each array becomes "[]" and the newlines it held (so the rest
	 * keeps its line numbers), the text closing up behind it: jansson
	 * skips blanks one character at a time */
	{
		char *w = blank[0], *r = blank[0];

		for (size_t i = 0; i < n_blank; i++) {
			size_t keep = (size_t)(blank[2 * i] - r);

			memmove(w, r, keep);
			w += keep;
			*w++ = '[';
			*w++ = ']';
			for (r = blank[2 * i]; r < blank[2 * i + 1]; r++)
				if (*r == '\n')
					*w++ = '\n';
		}
		memmove(w, r, (size_t)(text + len - r));
		w += text + len - r;
		*w = '\0';
		*new_len = (size_t)(w - text);
	}
out:
	free(blank);
	if (!ok)
		json_samples_free(out);
	return ok;
}
