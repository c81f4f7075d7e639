/* SPDX-License-Identifier: MIT */
/*
 * Inside results.json's reader: the reader's state, the typed getters
 * that name the failing field ("file: cells[3].samples[5].dst: what"),
 * and the sections (json_read_fields.c). Not for use outside json_read*.c.
 */
#ifndef IOBENCH_JSON_READ_INTERNAL_H
#define IOBENCH_JSON_READ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "json_samples.h"
#include "results.h"

/* longest field path in an error message, e.g. cells[3].samples[5].dst */
#define AT_LEN 160

/*
 * The reader keeps the first error and ignores every later call, so the
 * per-section functions read straight through and check once at the end.
 */
struct json_reader {
	bool legacy;		/* schema iobench/1: the fixed tunables */
	const char *file;
	char *err;
	size_t len;
	bool failed;
	/* samples read by the fast path (json_samples.h), per cell */
	struct json_samples fast;
	size_t next_cell;
};

/* ---- the getters (json_read.c) ---- */

/* Records the first failure, at the field at.key; later ones are dropped. */
void json_rd_fail_at(struct json_reader *rd, const char *at, const char *key,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* snprintf for field paths: a long path is cut, never overflowed. */
void json_at_join(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A non-negative integer, or a string of decimal digits (a big seed). */
int json_rd_is_u64(const json_t *v);

/*
 * obj[key] of each type into *out; absent or of another type, the reader
 * fails naming it (and *out is left as it was). After a failure every
 * call does nothing.
 */
json_t *json_rd_object(struct json_reader *rd, json_t *obj, const char *at,
		       const char *key);
json_t *json_rd_array(struct json_reader *rd, json_t *obj, const char *at,
		      const char *key);
/* A borrowed string (valid while the document lives). */
const char *json_rd_name(struct json_reader *rd, json_t *obj, const char *at,
			 const char *key);
/* A string (malloc'd) or null (*out untouched). */
void json_rd_string(struct json_reader *rd, json_t *obj, const char *at,
		    const char *key, char **out);
void json_rd_bool(struct json_reader *rd, json_t *obj, const char *at,
		  const char *key, bool *out);
/* A number, or null as NaN. */
void json_rd_double(struct json_reader *rd, json_t *obj, const char *at,
		    const char *key, double *out);
void json_rd_u64(struct json_reader *rd, json_t *obj, const char *at,
		 const char *key, uint64_t *out);
/* A signed integer in [min, max]. */
void json_rd_int_range(struct json_reader *rd, json_t *obj, const char *at,
		       const char *key, int64_t min, int64_t max,
		       int64_t *out);
void json_rd_unsigned(struct json_reader *rd, json_t *obj, const char *at,
		      const char *key, unsigned *out);
void json_rd_long(struct json_reader *rd, json_t *obj, const char *at,
		  const char *key, long *out);
void json_rd_size(struct json_reader *rd, json_t *obj, const char *at,
		  const char *key, size_t *out);
/* An array of values read by `one`, into a malloc'd array of n items. */
void *json_rd_list(struct json_reader *rd, json_t *obj, const char *at,
		   const char *key, size_t item, size_t *n,
		   void (*one)(struct json_reader *, json_t *, const char *,
			       void *));
/* Items for json_rd_list(): a uint64_t, a string (malloc'd). */
void json_rd_one_u64(struct json_reader *rd, json_t *v, const char *where,
		     void *out);
void json_rd_one_string(struct json_reader *rd, json_t *v, const char *where,
			void *out);

/* ---- the sections (json_read_fields.c) ---- */

void json_read_run(struct json_reader *rd, json_t *root, struct run *run);
void json_read_env(struct json_reader *rd, json_t *root,
		   struct environment *e);
void json_read_request(struct json_reader *rd, json_t *root,
		       struct run_request *q);
/* One of root.cells (a json_rd_list() item: out is a struct cell). */
void json_read_cell(struct json_reader *rd, json_t *o, const char *at,
		    void *out);

#endif
