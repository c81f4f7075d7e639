// SPDX-License-Identifier: MIT
/*
 * Command-line value parsers. Hand-written: strtoull alone accepts signs,
 * spaces and overflow silently, and no packaged library parses "1M".
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "parse.h"
#include "strlist.h"

static int fail(char *err, size_t len, const char *fmt, const char *tok)
{
	if (len)
		snprintf(err, len, fmt, tok);
	return -EINVAL;
}

/* Leading decimal digits of s as a number; *end after them. */
static int parse_digits(const char *s, uint64_t *v, const char **end)
{
	uint64_t n = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = *p - '0';

		if (n > (UINT64_MAX - d) / 10)
			return -ERANGE;
		n = n * 10 + d;
	}
	*v = n;
	*end = p;
	return 0;
}

#define SIZE_UNITS_ACCEPTED \
	"accepted: 4096 or 4096B bytes; 4K = 4KiB = 4096, and M, G, T, " \
	"MiB, GiB, TiB, powers of 1024; 4KB = 4kB = 4000, and MB, GB, TB, " \
	"powers of 1000"

/*
 * The multiplier of a size's unit, as dd reads it: k, K, M, G or T alone
 * or followed by "iB" is a power of 1024, followed by "B" a power of
 * 1000; "B" alone or nothing is bytes. 0 for anything else ("m": milli?
 * "b": dd's 512-byte blocks, or bits?).
 */
static uint64_t unit_multiplier(const char *u)
{
	static const char letters[] = "KMGT";
	const char *l;
	uint64_t bin = 1, dec = 1;

	if (!*u || !strcmp(u, "B"))
		return 1;
	l = *u == 'k' ? letters : strchr(letters, *u);
	if (!l)
		return 0;
	for (const char *p = letters; p <= l; p++) {
		bin *= 1024;
		dec *= 1000;
	}
	if (!u[1] || !strcmp(u + 1, "iB"))
		return bin;
	return !strcmp(u + 1, "B") ? dec : 0;
}

int parse_size(const char *s, uint64_t *out, char *err, size_t len)
{
	const char *end;
	uint64_t v, mult;
	int ret;

	if (!s || !*s)
		return fail(err, len, "empty size%s", "");
	ret = parse_digits(s, &v, &end);
	if (ret == -ERANGE)
		return fail(err, len, "'%s': too large", s);
	if (ret)
		return fail(err, len,
			    "'%s': not a size (expected a whole number with "
			    "an optional unit, e.g. 4096, 4K, 100M, 1MB)", s);
	if (*end == '.')
		return fail(err, len,
			    "'%s': fractions are not supported; use a smaller "
			    "unit (1536K, not 1.5M)", s);
	mult = unit_multiplier(end);
	if (!mult) {
		if (len)
			snprintf(err, len, "'%s': unknown unit '%s' (%s)", s,
				 end, SIZE_UNITS_ACCEPTED);
		return -EINVAL;
	}
	if (v > UINT64_MAX / mult)
		return fail(err, len, "'%s': too large", s);
	*out = v * mult;
	return 0;
}

int parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		char *err, size_t len)
{
	const char *end;
	uint64_t v;
	int ret;

	if (!s || !*s)
		return fail(err, len, "empty number%s", "");
	ret = parse_digits(s, &v, &end);
	if (ret == -ERANGE || (!ret && !*end && v > max)) {
		if (len)
			snprintf(err, len, "'%s': too large (at most %llu)", s,
				 (unsigned long long)max);
		return -EINVAL;
	}
	if (ret || *end)
		return fail(err, len, "'%s': not a whole number", s);
	if (v < min) {
		if (len)
			snprintf(err, len, "'%s': must be at least %llu", s,
				 (unsigned long long)min);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int parse_decimal(const char *s, double *out, char *err, size_t len)
{
	size_t whole, frac = 0;
	const char *p;
	char *end;

	if (!s || !*s)
		return fail(err, len, "empty number%s", "");
	/* the one rule for every number: decimal digits, an optional
	 * fraction; no sign, hex, exponent, inf or nan (strtod takes all) */
	whole = strspn(s, "0123456789");
	p = s + whole;
	if (*p == '.')
		frac = strspn(p + 1, "0123456789");
	if (!whole && !frac)
		return fail(err, len, "'%s': not a decimal number", s);
	if (*p == '.')
		p += 1 + frac;
	if (*p)
		return fail(err, len, "'%s': not a decimal number (digits and "
			    "an optional fraction, e.g. 2 or 0.5)", s);
	errno = 0;
	*out = strtod(s, &end);
	if (errno || *end)
		return fail(err, len, "'%s': out of range", s);
	return 0;
}

int parse_seconds(const char *s, double max, double *out, char *err,
		  size_t len)
{
	double v;

	if (parse_decimal(s, &v, NULL, 0) || !(v > 0))
		return fail(err, len, "'%s': not a positive number of seconds",
			    s ? s : "");
	if (v > max) {
		if (len)
			snprintf(err, len, "'%s': too large (at most %g s)", s,
				 max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

struct list_ctx {
	parse_one_fn one;
	const void *ctx;
	uint64_t *vals;
	size_t count;
	char *err;
	size_t len;
};

static int list_item(const char *tok, void *p)
{
	struct list_ctx *l = p;
	int ret = l->one(tok, l->ctx, &l->vals[l->count], l->err, l->len);

	if (ret)
		return ret;
	/* by value: "1K,1024" lists one size twice */
	for (size_t i = 0; i < l->count; i++)
		if (l->vals[i] == l->vals[l->count])
			return fail(l->err, l->len, "'%s': listed twice", tok);
	l->count++;
	return 0;
}

int parse_value_list(const char *s, uint64_t **out, size_t *n, char *err,
		     size_t len, parse_one_fn one, const void *ctx)
{
	struct list_ctx l = { one, ctx, NULL, 0, err, len };
	int ret;

	l.vals = calloc(strlen(s) / 2 + 1, sizeof(*l.vals));
	if (!l.vals)
		return -ENOMEM;
	ret = strlist_each(s, ',', STRLIST_NO_EMPTY, list_item, &l, err, len);
	if (ret) {
		free(l.vals);
		return ret;
	}
	*out = l.vals;
	*n = l.count;
	return 0;
}

/* parse_value_list() with the list named in an empty item's error. */
static int parse_list(const char *s, uint64_t **out, size_t *n, char *err,
		      size_t len, parse_one_fn one, const void *ctx)
{
	int ret;

	if (!s || !*s)
		return fail(err, len, "empty list%s", "");
	ret = parse_value_list(s, out, n, err, len, one, ctx);
	if (ret == -EINVAL && len && !strcmp(err, "empty item in list"))
		snprintf(err, len, "'%s': empty item in list", s);
	return ret;
}

static int one_size(const char *tok, const void *ctx, uint64_t *v, char *err,
		    size_t len)
{
	uint64_t max = *(const uint64_t *)ctx;
	char lim[32];
	int ret = parse_size(tok, v, err, len);

	if (ret)
		return ret;
	if (*v > max) {
		fmt_size(max, lim, sizeof(lim));
		if (len)
			snprintf(err, len, "'%s': too large (at most %s)", tok,
				 lim);
		return -EINVAL;
	}
	return 0;
}

int parse_size_list(const char *s, uint64_t max, uint64_t **out, size_t *n,
		    char *err, size_t len)
{
	return parse_list(s, out, n, err, len, one_size, &max);
}

struct count_bounds {
	uint64_t min, max;
};

static int one_count(const char *tok, const void *ctx, uint64_t *v,
		     char *err, size_t len)
{
	const struct count_bounds *b = ctx;

	return parse_count(tok, b->min, b->max, v, err, len);
}

int parse_count_list(const char *s, uint64_t min, uint64_t max,
		     uint64_t **out, size_t *n, char *err, size_t len)
{
	struct count_bounds b = { min, max };

	return parse_list(s, out, n, err, len, one_count, &b);
}
