/* SPDX-License-Identifier: MIT */
/*
 * Parsers for command-line values: sizes ("1K" = 1024, "1KB" = 1000),
 * counts, and comma lists of either. Each returns 0 or -EINVAL and, on
 * error, a one-line reason in `err` naming the bad token ("'1m': unknown
 * unit 'm' (accepted: ...)").
 */
#ifndef IOBENCH_PARSE_H
#define IOBENCH_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The one size syntax of every option, as dd reads it: a whole number of
 * bytes ("4096", "4096B"), or with a unit letter K, M, G or T (or k for
 * K), alone or followed by "iB", a power of 1024 ("4K" = "4KiB" = 4096),
 * followed by "B" a power of 1000 ("4KB" = "4kB" = 4000, "1MB" =
 * 1000000). Case matters: "1m", "1Mb", "1KIB" are refused, with the
 * accepted forms in err. No fractions, no sign, no spaces.
 */
int parse_size(const char *s, uint64_t *out, char *err, size_t len);
/* Decimal unsigned in [min, max]. */
int parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		char *err, size_t len);
/* A decimal number: digits with an optional fraction ("2", "0.5", ".5");
 * no sign, hex ("0x10"), exponent, inf or nan: the one rule for every
 * number an option takes. */
int parse_decimal(const char *s, double *out, char *err, size_t len);
/* Positive decimal seconds ("2", "0.5"), at most max. */
int parse_seconds(const char *s, double max, double *out, char *err,
		  size_t len);
/* One item of a list: its value into *v, from tok (and ctx); 0 or
 * -errno with the reason in err. */
typedef int (*parse_one_fn)(const char *tok, const void *ctx, uint64_t *v,
			    char *err, size_t len);
/* s split on commas, each item's value from one(): a malloc'd array
 * (caller frees) of n values. Empty items (strlist's message) and a value
 * listed twice ("'ITEM': listed twice") are errors. */
int parse_value_list(const char *s, uint64_t **out, size_t *n, char *err,
		     size_t len, parse_one_fn one, const void *ctx);
/* "1K,1M,100M": a malloc'd array (caller frees) of n >= 1 sizes, each at
 * most max; empty items and duplicates are errors. */
int parse_size_list(const char *s, uint64_t max, uint64_t **out, size_t *n,
		    char *err, size_t len);
/* "1,8,32": counts in [min, max]; empty items and duplicates are errors. */
int parse_count_list(const char *s, uint64_t min, uint64_t max,
		     uint64_t **out, size_t *n, char *err, size_t len);

#endif
