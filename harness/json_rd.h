/* SPDX-License-Identifier: MIT */
/*
 * A JSON section reader's first error: the modules that read their own
 * members of results.json (threads_json.c, clients_json.c, targets_json.c; json_rd.c) report it as
 * "FILE: what", and stop at the first; and the pieces those readers
 * share (an optional number, a cell's samples, a sample's per-thread or
 * per-rank figures).
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_JSON_RD_H
#define IOBENCH_JSON_RD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct sample;

struct json_rd {
	const char *file;
	char *err; /* the reason, "FILE: what" (len bytes; 0: none) */
	size_t len;
	int ret; /* 0, or -EINVAL after the first failure */
};

/* Records the first failure (later ones are dropped). */
void json_rd_fail(struct json_rd *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An optional number member of o into *out: absent, or null when null_ok,
 * leaves *out; another type fails ("AT.KEY: expected a number"). */
void json_rd_opt_number(struct json_rd *rd, json_t *o, const char *at,
			const char *key, bool null_ok, double *out);
/* A cell's samples: one() for each of the n in the array samples (into
 * s[j]), named "cells[ci].samples[j]", given per (the cell's threads or
 * ranks); stops at the first failure. */
void json_rd_samples(struct json_rd *rd, json_t *samples, size_t ci,
		     struct sample *s, size_t n, unsigned per,
		     void (*one)(struct json_rd *rd, json_t *o, const char *at,
				 struct sample *s, unsigned per));
/* A sample's per-thread or per-rank figures, o's member key: NULL when it
 * is absent or rd has failed; else it must be an array of n, each item
 * read by one() (false: not what `what` describes, e.g. "{seconds,
 * bytes}"), into a zeroed array of n items of `item` bytes: that array
 * (you free it), or NULL after json_rd_fail(). */
void *json_rd_figures(struct json_rd *rd, json_t *o, const char *at,
		      const char *key, unsigned n, size_t item,
		      const char *what, bool (*one)(json_t *v, void *out));

#endif
