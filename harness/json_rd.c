// SPDX-License-Identifier: MIT
/*
 * A JSON section reader's first error (json_rd.h): the one helper the
 * section readers share with the results.json reader.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "json_rd.h"

void json_rd_fail(struct json_rd *rd, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (rd->ret)
		return;
	rd->ret = -EINVAL;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rd->len)
		snprintf(rd->err, rd->len, "%s: %s", rd->file, what);
}
