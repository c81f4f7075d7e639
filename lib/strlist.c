// SPDX-License-Identifier: MIT
/* Separated lists (see strlist.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strlist.h"

/* Whether item occurs among the first n items starting at first (each
 * NUL-terminated, back to back). */
static int seen_before(const char *first, const char *item)
{
	for (const char *p = first; p < item; p += strlen(p) + 1)
		if (!strcmp(p, item))
			return 1;
	return 0;
}

int strlist_each(const char *list, char sep, unsigned flags,
		 int (*fn)(const char *item, void *ctx), void *ctx,
		 char *err, size_t len)
{
	char *copy = strdup(list ? list : ""), *item, *end;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	if (!*copy && (flags & STRLIST_NO_EMPTY)) {
		if (len)
			snprintf(err, len, "empty list");
		free(copy);
		return -EINVAL;
	}
	for (item = copy; !ret; item = end + 1) {
		end = strchr(item, sep);
		if (end)
			*end = '\0';
		if (!*item && (flags & STRLIST_NO_EMPTY)) {
			if (len)
				snprintf(err, len, "empty item in list");
			ret = -EINVAL;
		} else if ((flags & STRLIST_UNIQUE) &&
			   seen_before(copy, item)) {
			if (len)
				snprintf(err, len, "'%s': listed twice", item);
			ret = -EINVAL;
		} else if (*item || !(flags & STRLIST_NO_EMPTY)) {
			ret = fn(item, ctx);
		}
		if (!end)
			break;
	}
	free(copy);
	return ret;
}

int strlist_vappendf(char ***v, size_t *n, const char *fmt, va_list ap)
{
	char **grown, *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		return -ENOMEM;
	grown = realloc(*v, (*n + 1) * sizeof(*grown));
	if (!grown) {
		free(msg);
		return -ENOMEM;
	}
	*v = grown;
	grown[(*n)++] = msg;
	return 0;
}

int strlist_appendf(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = strlist_vappendf(v, n, fmt, ap);
	va_end(ap);
	return ret;
}
