/* SPDX-License-Identifier: MIT */
/*
 * Separated lists ("1K,1M,100M", "warm,cold", PATH's "a:b:c"): one
 * splitter for every option and environment variable that takes a list.
 */
#ifndef IOBENCH_STRLIST_H
#define IOBENCH_STRLIST_H

#include <stdarg.h>
#include <stddef.h>

enum strlist_flag {
	STRLIST_NO_EMPTY = 1u << 0,	/* "a,,b" and "" are errors */
	STRLIST_UNIQUE = 1u << 1,	/* "a,a" is an error */
};

/*
 * Calls fn(item, ctx) for each item of `list` separated by `sep`, in
 * order, on a private copy (items are NUL-terminated, fn may keep none
 * of them). Returns 0, the first non-zero value fn returns, -ENOMEM, or
 * -EINVAL for an item the flags refuse, with "empty item in list" or
 * "'x': listed twice" in err (len bytes; err may be NULL when len is 0).
 */
int strlist_each(const char *list, char sep, unsigned flags,
		 int (*fn)(const char *item, void *ctx), void *ctx,
		 char *err, size_t len);

/*
 * Appends a formatted string to the array *v of *n malloc'd strings (the
 * array grows; you own both and free each string, then the array).
 * 0 or -ENOMEM (*v and *n unchanged).
 */
int strlist_appendf(char ***v, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int strlist_vappendf(char ***v, size_t *n, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
