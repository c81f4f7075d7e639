// SPDX-License-Identifier: MIT
/*
 * results.json's reader (schema "iobench/2"; "iobench/1" is still read)
 * with jansson: restores the exact struct run the writer (json_write.c)
 * wrote; baselines are these files.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cell_io.h"
#include "clients_json.h"
#include "env_load.h"
#include "env_noise.h"
#include "env_storage.h"
#include "io_latency.h"
#include "json_rd.h"
#include "json_read_internal.h"
#include "json_samples.h"
#include "machine_limits.h"
#include "profile.h"
#include "results.h"
#include "targets_json.h"
#include "threads_json.h"
#include "workload.h"
#include "workload_report.h"

void json_rd_fail_at(struct json_reader *rd, const char *at, const char *key,
		     const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (rd->failed)
		return;
	rd->failed = true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rd->len)
		snprintf(rd->err, rd->len, "%s: %s%s%s: %s", rd->file, at,
			 *at && *key ? "." : "", key, what);
}

/* snprintf for field paths: a long path is cut, never overflowed. */
void json_at_join(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

/* obj[key] when present and of the wanted type (a json_is_* test). */
static json_t *rd_get(struct json_reader *rd, json_t *obj, const char *at,
		      const char *key, int (*is)(const json_t *),
		      const char *what)
{
	json_t *v;

	if (rd->failed)
		return NULL;
	v = json_object_get(obj, key);
	if (!v) {
		json_rd_fail_at(rd, at, key, "missing (expected %s)", what);
		return NULL;
	}
	if (!is(v)) {
		json_rd_fail_at(rd, at, key, "expected %s", what);
		return NULL;
	}
	return v;
}

static int is_object(const json_t *v) { return json_is_object(v); }
static int is_array(const json_t *v) { return json_is_array(v); }
static int is_string(const json_t *v) { return json_is_string(v); }
static int is_bool(const json_t *v) { return json_is_boolean(v); }
static int is_integer(const json_t *v) { return json_is_integer(v); }
static int is_number_or_null(const json_t *v)
{
	return json_is_number(v) || json_is_null(v);
}
static int is_string_or_null(const json_t *v)
{
	return json_is_string(v) || json_is_null(v);
}
int json_rd_is_u64(const json_t *v)
{
	const char *s = json_string_value(v);

	if (json_is_integer(v))
		return json_integer_value(v) >= 0;
	return s && *s && strspn(s, "0123456789") == strlen(s);
}

json_t *json_rd_object(struct json_reader *rd, json_t *obj, const char *at,
		       const char *key)
{
	return rd_get(rd, obj, at, key, is_object, "an object");
}

json_t *json_rd_array(struct json_reader *rd, json_t *obj, const char *at,
		      const char *key)
{
	return rd_get(rd, obj, at, key, is_array, "an array");
}

/* A borrowed string (valid while the document lives). */
const char *json_rd_name(struct json_reader *rd, json_t *obj, const char *at,
			 const char *key)
{
	return json_string_value(
		rd_get(rd, obj, at, key, is_string, "a string"));
}

void json_rd_string(struct json_reader *rd, json_t *obj, const char *at,
		    const char *key, char **out)
{
	json_t *v = rd_get(rd, obj, at, key, is_string_or_null,
				"a string or null");

	if (!json_is_string(v))
		return;
	*out = strdup(json_string_value(v));
	if (!*out)
		json_rd_fail_at(rd, at, key, "out of memory");
}

void json_rd_bool(struct json_reader *rd, json_t *obj, const char *at,
		  const char *key, bool *out)
{
	json_t *v = rd_get(rd, obj, at, key, is_bool, "true or false");

	if (v)
		*out = json_is_true(v);
}

void json_rd_double(struct json_reader *rd, json_t *obj, const char *at,
		    const char *key, double *out)
{
	json_t *v =
		rd_get(rd, obj, at, key, is_number_or_null, "a number");

	if (v)
		*out = json_is_null(v) ? NAN : json_number_value(v);
}

void json_rd_u64(struct json_reader *rd, json_t *obj, const char *at,
		 const char *key, uint64_t *out)
{
	json_t *v = rd_get(rd, obj, at, key, json_rd_is_u64,
				"a non-negative integer");

	if (json_is_integer(v))
		*out = (uint64_t)json_integer_value(v);
	else if (v)
		*out = strtoull(json_string_value(v), NULL, 10);
}

/* A signed integer in [min, max]. */
void json_rd_int_range(struct json_reader *rd, json_t *obj, const char *at,
		       const char *key, int64_t min, int64_t max, int64_t *out)
{
	json_t *v = rd_get(rd, obj, at, key, is_integer, "an integer");
	json_int_t i;

	if (!v)
		return;
	i = json_integer_value(v);
	if (i < min || i > max) {
		json_rd_fail_at(rd, at, key,
				"%" PRId64 " out of range [%" PRId64
				", %" PRId64 "]",
				(int64_t)i, min, max);
		return;
	}
	*out = i;
}

void json_rd_unsigned(struct json_reader *rd, json_t *obj, const char *at,
		      const char *key, unsigned *out)
{
	int64_t v = 0;

	json_rd_int_range(rd, obj, at, key, 0, UINT_MAX, &v);
	*out = (unsigned)v;
}

void json_rd_long(struct json_reader *rd, json_t *obj, const char *at,
		  const char *key, long *out)
{
	int64_t v = 0;

	json_rd_int_range(rd, obj, at, key, LONG_MIN, LONG_MAX, &v);
	*out = (long)v;
}

void json_rd_size(struct json_reader *rd, json_t *obj, const char *at,
		  const char *key, size_t *out)
{
	uint64_t v = 0;

	json_rd_u64(rd, obj, at, key, &v);
	*out = (size_t)v;
}

/* An array of values read by `one`, into a malloc'd array of n items. */
void *json_rd_list(struct json_reader *rd, json_t *obj, const char *at,
		   const char *key, size_t item, size_t *n,
		   void (*one)(struct json_reader *, json_t *, const char *,
			       void *))
{
	json_t *a = json_rd_array(rd, obj, at, key);
	char where[AT_LEN];
	char *out;

	if (!a)
		return NULL;
	*n = json_array_size(a);
	out = calloc(*n ? *n : 1, item);
	if (!out) {
		json_rd_fail_at(rd, at, key, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < *n && !rd->failed; i++) {
		json_at_join(where, sizeof(where), "%s%s%s[%zu]", at,
			     *at ? "." : "", key, i);
		one(rd, json_array_get(a, i), where, out + i * item);
	}
	return out;
}

void json_rd_one_u64(struct json_reader *rd, json_t *v, const char *where,
		     void *out)
{
	uint64_t *p = out;

	if (rd->failed)
		return;
	if (!json_rd_is_u64(v)) {
		json_rd_fail_at(rd, where, "",
				"expected a non-negative integer");
		return;
	}
	*p = json_is_integer(v) ? (uint64_t)json_integer_value(v) :
				  strtoull(json_string_value(v), NULL, 10);
}

void json_rd_one_string(struct json_reader *rd, json_t *v, const char *where,
			void *out)
{
	char **p = out;

	if (rd->failed)
		return;
	if (!json_is_string(v)) {
		json_rd_fail_at(rd, where, "", "expected a string");
		return;
	}
	*p = strdup(json_string_value(v));
	if (!*p)
		json_rd_fail_at(rd, where, "", "out of memory");
}

#define SLURP_CHUNK (4u << 20)

/* Whether the n bytes just read at buf + off show that buf cannot hold a
 * JSON object: -EINVAL with the reason in rd, else 0. */
static int not_json_text(struct json_reader *rd, const char *buf, size_t off,
			 size_t n)
{
	const char *nul = memchr(buf + off, '\0', n);
	size_t first = 0;

	if (nul) {
		rd->failed = true;
		if (rd->len)
			snprintf(rd->err, rd->len, "%s: not a JSON file: a NUL "
				 "byte at offset %zu", rd->file,
				 (size_t)(nul - buf));
		return -EINVAL;
	}
	/* buf is not terminated yet (and holds no NUL): bounded by hand */
	while (first < off + n && strchr(" \t\r\n", buf[first]))
		first++;
	if (first < off + n && buf[first] != '{') {
		rd->failed = true;
		if (rd->len)
			snprintf(rd->err, rd->len, "%s: (top level): expected "
				 "an object", rd->file);
		return -EINVAL;
	}
	return 0;
}

/*
 * The whole of rd->file in a malloc'd, NUL-terminated buffer. The file is
 * opened O_NONBLOCK and checked with fstat first: a FIFO, socket or
 * device put in a baseline's place is refused at once, never waited on.
 * A file that cannot be JSON (a NUL byte, or a first character other
 * than '{') is refused as soon as its first such byte is read, so a huge
 * or sparse file in a results.json's place is never read whole.
 * 0 or -errno with the reason in rd.
 */
static int slurp_regular_file(struct json_reader *rd, char **text, size_t *len)
{
	struct stat st;
	size_t cap, got = 0;
	char *buf = NULL;
	int fd, ret = 0;

	fd = open(rd->file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out_fail;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		rd->failed = true;
		if (rd->len)
			snprintf(rd->err, rd->len, "%s: not a regular file",
				 rd->file);
		ret = -EINVAL;
		goto out_close;
	}
	/* a regular file never blocks; back to plain reads */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* grown as the checked bytes come in, never sized by st_size alone */
	cap = ((size_t)st.st_size < SLURP_CHUNK ? (size_t)st.st_size
						 : SLURP_CHUNK) + 1;
	buf = malloc(cap);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t n;

		if (got + 1 == cap) {
			/* more to come (or it grew since fstat) */
			char *p = realloc(buf, 2 * cap);

			if (!p) {
				ret = -ENOMEM;
				goto out_close;
			}
			buf = p;
			cap *= 2;
		}
		/* in bounded reads: each is checked before the next */
		n = read(fd, buf + got, cap - 1 - got < SLURP_CHUNK ?
				       cap - 1 - got : SLURP_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out_close;
		}
		if (!n)
			break;
		ret = not_json_text(rd, buf, got, (size_t)n);
		if (ret)
			goto out_close;
		got += n;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	buf = NULL;
out_close:
	close(fd);
	free(buf);
out_fail:
	if (ret && !rd->failed) {
		rd->failed = true;
		if (rd->len)
			snprintf(rd->err, rd->len, "%s: %s", rd->file,
				 strerror(-ret));
	}
	return ret;
}

/* Parses path into root, or explains why not (with line:col). */
static json_t *load_document(struct json_reader *rd)
{
	json_error_t jerr;
	json_t *root;
	size_t len = 0, cut;
	char *text = NULL;

	if (slurp_regular_file(rd, &text, &len))
		return NULL;
	/* the samples, most of a big file, by the fast path when they are
	 * plain; from memory: jansson reads a FILE a character at a time */
	if (!json_samples_extract(text, len, RESULTS_SCHEMA, RESULTS_SCHEMA_V1,
				  &rd->fast, &cut))
		cut = len;
	root = json_loadb(text, cut, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!root) {
		if (rd->len)
			snprintf(rd->err, rd->len, "%s:%d:%d: %s", rd->file,
				 jerr.line, jerr.column, jerr.text);
		rd->failed = true;
		return NULL;
	}
	if (!json_is_object(root)) {
		json_rd_fail_at(rd, "", "(top level)", "expected an object");
		json_decref(root);
		return NULL;
	}
	return root;
}

int results_read_json(const char *path, struct run *run, char *err,
		      size_t len)
{
	struct json_reader rd = { .file = path, .err = err, .len = len };
	char ext_why[256];
	const char *schema;
	json_t *root;

	memset(run, 0, sizeof(*run));
	if (len)
		err[0] = '\0';
	root = load_document(&rd);
	if (!root) {
		json_samples_free(&rd.fast);
		return -EINVAL;
	}
	schema = json_rd_name(&rd, root, "", "schema");
	rd.legacy = schema && !strcmp(schema, RESULTS_SCHEMA_V1);
	if (schema && strcmp(schema, RESULTS_SCHEMA) && !rd.legacy) {
		if (len)
			snprintf(err, len,
				 "%s: unknown schema '%s' (expected %s or %s)",
				 path, schema, RESULTS_SCHEMA,
				 RESULTS_SCHEMA_V1);
		rd.failed = true;
	}
	/* read back as today's model: written again, it is iobench/2 */
	if (!rd.failed)
		run->schema = strdup(RESULTS_SCHEMA);
	json_read_run(&rd, root, run);
	json_read_env(&rd, root, &run->env);
	json_read_request(&rd, root, &run->request);
	if (!rd.failed && limits_json_read(root, run, ext_why,
					   sizeof(ext_why))) {
		/* "field: what" -> the reader's "file: field: what" */
		char *what = strstr(ext_why, ": ");

		if (what)
			*what = '\0';
		json_rd_fail_at(&rd, "", ext_why, "%s",
				what ? what + 2 : "invalid");
	}
	run->cells = json_rd_list(&rd, root, "", "cells", sizeof(struct cell),
				  &run->n_cells, json_read_cell);
	if (!rd.failed && threads_json_read(root, path, run, err, len))
		rd.failed = true;
	if (!rd.failed && clients_json_read(root, path, run, err, len))
		rd.failed = true;
	if (!rd.failed && profile_json_read(root, path, run, err, len))
		rd.failed = true;
	if (!rd.failed && targets_json_read(root, path, run, err, len))
		rd.failed = true;
	if (!rd.failed && workload_json_read(root, path, run, err, len))
		rd.failed = true;
	if (!rd.failed && cell_io_json_read(root, run, ext_why,
					    sizeof(ext_why)))
		json_rd_fail_at(&rd, "", "io", "%s", ext_why);
	if (!rd.failed && io_latency_json_read(json_object_get(root, "cells"),
					       run->io, ext_why,
					       sizeof(ext_why)))
		json_rd_fail_at(&rd, "", "io", "%s", ext_why);
	/* environment.storage: optional, older files lack it */
	if (!rd.failed && env_storage_json_read(root, &run->env.storage,
						ext_why, sizeof(ext_why)))
		json_rd_fail_at(&rd, "environment", "storage", "%s", ext_why);
	if (!rd.failed && env_load_json_read(root, &run->env.load, ext_why,
					     sizeof(ext_why)))
		json_rd_fail_at(&rd, "environment", "load", "%s", ext_why);
	if (!rd.failed && env_noise_json_read(root, &run->env.noise, ext_why,
					      sizeof(ext_why)))
		json_rd_fail_at(&rd, "environment", "noise", "%s", ext_why);
	json_decref(root);
	json_samples_free(&rd.fast);
	if (!rd.failed && !run->schema)
		json_rd_fail_at(&rd, "", "schema", "out of memory");
	if (rd.failed) {
		results_free(run);
		return -EINVAL;
	}
	return 0;
}
