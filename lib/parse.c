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
#include <strings.h>

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

int parse_size(const char *s, uint64_t *out, char *err, size_t len)
{
	static const char units[] = "KMGT";
	const char *end, *u;
	uint64_t v;
	unsigned shift = 0;
	int ret;

	if (!s || !*s)
		return fail(err, len, "empty size%s", "");
	ret = parse_digits(s, &v, &end);
	if (ret == -ERANGE)
		return fail(err, len, "'%s': too large", s);
	if (ret)
		return fail(err, len,
			    "'%s': not a size (expected a whole number with "
			    "an optional K, M, G or T suffix, e.g. 4K, 100M)",
			    s);
	if (*end == '.')
		return fail(err, len,
			    "'%s': fractions are not supported; use a smaller "
			    "unit (1536K, not 1.5M)", s);
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return fail(err, len,
				    "'%s': unknown unit (use K, M, G or T)", s);
		shift = 10 * (unsigned)(u - units + 1);
		end++;
		if (!strcasecmp(end, "iB") || !strcasecmp(end, "B"))
			end += strlen(end);
		if (*end)
			return fail(err, len,
				    "'%s': unknown unit (use K, M, G or T)", s);
	}
	if (shift && v > (UINT64_MAX >> shift))
		return fail(err, len, "'%s': too large", s);
	*out = v << shift;
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
	int (*one)(const char *tok, const void *ctx, uint64_t *v, char *err,
		   size_t len);
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

/* Splits s on commas, calling one(item) for each; rejects empty items
 * and duplicate values. */
static int parse_list(const char *s, uint64_t **out, size_t *n, char *err,
		      size_t len,
		      int (*one)(const char *tok, const void *ctx, uint64_t *v,
				 char *err, size_t len),
		      const void *ctx)
{
	struct list_ctx l = { one, ctx, NULL, 0, err, len };
	int ret;

	if (!s || !*s)
		return fail(err, len, "empty list%s", "");
	l.vals = calloc(strlen(s) / 2 + 1, sizeof(*l.vals));
	if (!l.vals)
		return -ENOMEM;
	ret = strlist_each(s, ',', STRLIST_NO_EMPTY, list_item, &l, err, len);
	if (ret == -EINVAL && len && !strcmp(err, "empty item in list"))
		snprintf(err, len, "'%s': empty item in list", s);
	if (ret) {
		free(l.vals);
		return ret;
	}
	*out = l.vals;
	*n = l.count;
	return 0;
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
