// SPDX-License-Identifier: MIT
/*
 * A JSON section reader's first error (json_rd.h), which the section
 * readers share with the results.json reader; and the section readers'
 * common pieces: an optional number, a cell's samples, a sample's
 * per-thread or per-rank figures.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "json_rd.h"
#include "results.h"

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

void json_rd_samples(struct json_rd *rd, json_t *samples, size_t ci,
		     struct sample *s, size_t n, unsigned per,
		     void (*one)(struct json_rd *rd, json_t *o, const char *at,
				 struct sample *s, unsigned per))
{
	char at[64];

	for (size_t j = 0; !rd->ret && j < n; j++) {
		snprintf(at, sizeof(at), "cells[%zu].samples[%zu]", ci, j);
		one(rd, json_array_get(samples, j), at, &s[j], per);
	}
}

void *json_rd_figures(struct json_rd *rd, json_t *o, const char *at,
		      const char *key, unsigned n, size_t item,
		      const char *what, bool (*one)(json_t *v, void *out))
{
	json_t *arr = json_object_get(o, key), *v;
	char *p;
	size_t i;

	if (!arr || rd->ret)
		return NULL;
	if (!json_is_array(arr) || json_array_size(arr) != n) {
		json_rd_fail(rd, "%s.%s: expected an array of %u figures", at,
			     key, n);
		return NULL;
	}
	p = calloc(n, item);
	if (!p) {
		json_rd_fail(rd, "out of memory");
		return NULL;
	}
	json_array_foreach(arr, i, v) {
		if (!one(v, p + i * item)) {
			json_rd_fail(rd, "%s.%s[%zu]: expected %s", at, key, i,
				     what);
			free(p);
			return NULL;
		}
	}
	return p;
}

void json_rd_opt_number(struct json_rd *rd, json_t *o, const char *at,
			const char *key, bool null_ok, double *out)
{
	json_t *v = json_object_get(o, key);

	if (json_is_number(v))
		*out = json_number_value(v);
	else if (v && !(null_ok && json_is_null(v)))
		json_rd_fail(rd, "%s.%s: expected a number", at, key);
}
