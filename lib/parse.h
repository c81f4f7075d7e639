/* SPDX-License-Identifier: MIT */
/*
 * Parsers for command-line values: sizes ("1K" = 1024, K/M/G/T), counts,
 * and comma lists of either. Each returns 0 or -EINVAL and, on error, a
 * one-line reason in `err` naming the bad token ("'1Q': unknown unit 'Q'").
 */
#ifndef IOBENCH_PARSE_H
#define IOBENCH_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* "0", "4096", "4K", "1M", "2G", "1T" (case-insensitive, optional "iB"/"B":
 * "4KiB", "4KB" are both 4096). No fractions, no sign. */
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
/* "1K,1M,100M": a malloc'd array (caller frees) of n >= 1 sizes, each at
 * most max; empty items and duplicates are errors. */
int parse_size_list(const char *s, uint64_t max, uint64_t **out, size_t *n,
		    char *err, size_t len);
/* "1,8,32": counts in [min, max]; empty items and duplicates are errors. */
int parse_count_list(const char *s, uint64_t min, uint64_t max,
		     uint64_t **out, size_t *n, char *err, size_t len);

#endif
