// SPDX-License-Identifier: MIT
/*
 * results.json fields of thread sweeps (threads, parallel mode, pinning,
 * pre-allocation, per-thread figures): placed by the writer (json_write.c) as
 * it builds the document, and read back after the rest (jansson).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_rd.h"
#include "threads.h"
#include "threads_json.h"

/* ---- writing ---- */

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static int set(json_t *obj, const char *key, json_t *v)
{
	/* json_object_set_new frees v on failure, and a NULL v fails */
	return obj && json_object_set_new(obj, key, v) ? -ENOMEM : 0;
}

int threads_json_request(json_t *o, const struct run_request *q)
{
	json_t *t = json_array(), *p = json_array();
	int ret = 0;

	for (size_t i = 0; t && i < q->n_threads; i++)
		if (json_array_append_new(t, json_integer(q->threads[i])))
			ret = -ENOMEM;
	if (p && (q->parallel_files || !q->parallel_ranges))
		ret |= json_array_append_new(p, json_string("files"));
	if (p && q->parallel_ranges)
		ret |= json_array_append_new(p, json_string("ranges"));
	ret |= set(o, "threads", t);
	ret |= set(o, "parallel", p);
	ret |= set(o, "pin", json_string(pin_mode_name(q->pin)));
	ret |= set(o, "prealloc", json_string(prealloc_mode_name(q->prealloc)));
	return ret ? -ENOMEM : 0;
}

static json_t *per_thread_json(const struct sample *s, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < n; i++) {
		json_t *o = json_pack("{s:o, s:I}", "seconds",
				      jnum(s->per_thread[i].seconds), "bytes",
				      (json_int_t)s->per_thread[i].bytes);

		if (json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int threads_json_params(json_t *params, const struct cell *c)
{
	int ret = 0;

	ret |= set(params, "threads",
		   json_integer(c->threads ? c->threads : 1));
	ret |= set(params, "parallel",
		   json_string(parallel_mode_name(c->parallel)));
	ret |= set(params, "pin", json_string(pin_mode_name(c->pin)));
	ret |= set(params, "prealloc",
		   json_string(prealloc_mode_name(c->prealloc)));
	return ret ? -ENOMEM : 0;
}

int threads_json_sample(json_t *o, const struct sample *s, unsigned threads)
{
	int ret = 0;

	if (!s->per_thread)
		return 0;
	ret |= set(o, "first_finish", jnum(s->first_finish));
	ret |= set(o, "per_thread", per_thread_json(s, threads));
	return ret ? -ENOMEM : 0;
}

/* ---- reading ---- */

/* obj[key] as an integer in [min, max]; absent leaves *out alone. */
static void rd_int(struct json_rd *rd, json_t *obj, const char *at,
		   const char *key, json_int_t min, json_int_t max,
		   uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v || rd->ret)
		return;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		json_rd_fail(rd, "%s.%s: expected an integer from %lld to %lld", at,
		     key, (long long)min, (long long)max);
		return;
	}
	*out = (uint64_t)json_integer_value(v);
}

/* obj[key] as a name parse() knows; absent leaves *out alone. */
static void rd_enum(struct json_rd *rd, json_t *obj, const char *at,
		    const char *key, int (*parse)(const char *, void *),
		    void *out, const char *expected)
{
	json_t *v = json_object_get(obj, key);

	if (!v || rd->ret)
		return;
	if (!json_is_string(v) || parse(json_string_value(v), out))
		json_rd_fail(rd, "%s.%s: expected %s", at, key, expected);
}

static int parse_parallel(const char *s, void *out)
{
	return parallel_mode_parse(s, out);
}

static int parse_pin(const char *s, void *out)
{
	return pin_mode_parse(s, out);
}

static int parse_prealloc(const char *s, void *out)
{
	return prealloc_mode_parse(s, out);
}

static void read_request(struct json_rd *rd, json_t *o, struct run_request *q)
{
	json_t *t = json_object_get(o, "threads");
	json_t *p = json_object_get(o, "parallel");
	size_t i;
	json_t *v;

	if (t && !json_is_array(t))
		json_rd_fail(rd, "request.threads: expected an array");
	if (t && json_is_array(t) && json_array_size(t)) {
		q->threads = calloc(json_array_size(t), sizeof(*q->threads));
		if (!q->threads) {
			json_rd_fail(rd, "out of memory");
			return;
		}
		json_array_foreach(t, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > THREADS_MAX)
				json_rd_fail(rd, "request.threads[%zu]: expected an "
				     "integer from 1 to %u", i, THREADS_MAX);
			else
				q->threads[q->n_threads++] =
					(uint64_t)json_integer_value(v);
		}
	}
	if (p && !json_is_array(p))
		json_rd_fail(rd, "request.parallel: expected an array");
	json_array_foreach(p, i, v) {
		enum parallel_mode m;

		if (!json_is_string(v) ||
		    parallel_mode_parse(json_string_value(v), &m)) {
			json_rd_fail(rd, "request.parallel[%zu]: expected files or "
			     "ranges", i);
			break;
		}
		if (m == PARALLEL_FILES)
			q->parallel_files = true;
		else
			q->parallel_ranges = true;
	}
	rd_enum(rd, o, "request", "pin", parse_pin, &q->pin,
		"none, compact or spread");
	rd_enum(rd, o, "request", "prealloc", parse_prealloc, &q->prealloc,
		"none, truncate or fallocate");
}

/* One of a sample's per_thread figures. */
static bool read_thread_figure(json_t *v, void *out)
{
	struct thread_figure *t = out;
	json_t *sec = json_object_get(v, "seconds");
	json_t *bytes = json_object_get(v, "bytes");

	if (!json_is_number(sec) || !json_is_integer(bytes) ||
	    json_integer_value(bytes) < 0)
		return false;
	t->seconds = json_number_value(sec);
	t->bytes = (uint64_t)json_integer_value(bytes);
	return true;
}

static void read_sample(struct json_rd *rd, json_t *o, const char *at,
			struct sample *s, unsigned n)
{
	json_rd_opt_number(rd, o, at, "first_finish", true, &s->first_finish);
	s->per_thread = json_rd_figures(rd, o, at, "per_thread", n,
					sizeof(*s->per_thread),
					"{seconds, bytes}", read_thread_figure);
}

static void read_cell(struct json_rd *rd, json_t *o, size_t ci, struct cell *c)
{
	json_t *params = json_object_get(o, "parameters");
	json_t *samples = json_object_get(o, "samples");
	uint64_t threads = 1;
	char at[64];

	snprintf(at, sizeof(at), "cells[%zu].parameters", ci);
	rd_int(rd, params, at, "threads", 1, THREADS_MAX, &threads);
	c->threads = (unsigned)threads;
	rd_enum(rd, params, at, "parallel", parse_parallel, &c->parallel,
		"files or ranges");
	rd_enum(rd, params, at, "pin", parse_pin, &c->pin,
		"none, compact or spread");
	rd_enum(rd, params, at, "prealloc", parse_prealloc, &c->prealloc,
		"none, truncate or fallocate");
	json_rd_samples(rd, samples, ci, c->samples, c->n_samples, c->threads,
			read_sample);
}

int threads_json_read(json_t *root, const char *file, struct run *run,
		      char *err, size_t len)
{
	struct json_rd rd = { .file = file, .err = err, .len = len };
	json_t *cells = json_object_get(root, "cells");

	read_request(&rd, json_object_get(root, "request"), &run->request);
	rd_int(&rd, json_object_get(root, "environment"), "environment",
	       "l3_per_package", 0, INT64_MAX, &run->env.l3_per_package);
	for (size_t i = 0; !rd.ret && i < run->n_cells; i++)
		read_cell(&rd, json_array_get(cells, i), i, &run->cells[i]);
	return rd.ret;
}
