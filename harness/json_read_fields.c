// SPDX-License-Identifier: MIT
/*
 * results.json's sections as the reader takes them back (json_read.c
 * loads the document): run, environment, request with its tunables (and
 * iobench/1's fixed ones), and each cell with its samples.
 */
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "json_read_internal.h"
#include "results.h"
#include "strategies.h"

void json_read_run(struct json_reader *rd, json_t *root, struct run *run)
{
	json_t *o = json_rd_object(rd, root, "", "run");

	json_rd_string(rd, o, "run", "id", &run->id);
	json_rd_string(rd, o, "run", "started", &run->started);
	json_rd_double(rd, o, "run", "duration", &run->duration);
	json_rd_string(rd, o, "run", "command_line", &run->command_line);
	json_rd_string(rd, o, "run", "version", &run->version);
	json_rd_string(rd, o, "run", "commit", &run->commit);
	json_rd_bool(rd, o, "run", "incomplete", &run->incomplete);
	run->warnings = json_rd_list(rd, o, "run", "warnings", sizeof(char *),
				     &run->n_warnings, json_rd_one_string);
}

void json_read_env(struct json_reader *rd, json_t *root, struct environment *e)
{
	static const char at[] = "environment";
	json_t *o = json_rd_object(rd, root, "", at);
	int64_t rot = -1;

	json_rd_string(rd, o, at, "hostname", &e->hostname);
	json_rd_string(rd, o, at, "kernel", &e->kernel);
	json_rd_string(rd, o, at, "cpu_model", &e->cpu_model);
	json_rd_unsigned(rd, o, at, "packages", &e->packages);
	json_rd_unsigned(rd, o, at, "numa_nodes", &e->numa_nodes);
	json_rd_unsigned(rd, o, at, "cores", &e->cores);
	json_rd_unsigned(rd, o, at, "pus", &e->pus);
	json_rd_u64(rd, o, at, "mem_total", &e->mem_total);
	json_rd_string(rd, o, at, "fs_type", &e->fs_type);
	json_rd_string(rd, o, at, "mount_options", &e->mount_options);
	/* sweep --src-dir only */
	if (json_object_get(o, "src_fs_type")) {
		json_rd_string(rd, o, at, "src_fs_type", &e->src_fs_type);
		json_rd_string(rd, o, at, "src_device", &e->src_device);
	}
	json_rd_string(rd, o, at, "device", &e->device);
	json_rd_string(rd, o, at, "device_model", &e->device_model);
	json_rd_int_range(rd, o, at, "rotational", -1, 1, &rot);
	e->rotational = (int)rot;
	json_rd_string(rd, o, at, "scheduler", &e->scheduler);
	json_rd_unsigned(rd, o, at, "logical_block_size",
			 &e->logical_block_size);
	json_rd_unsigned(rd, o, at, "dio_mem_align", &e->dio_mem_align);
	json_rd_unsigned(rd, o, at, "dio_offset_align", &e->dio_offset_align);
	json_rd_string(rd, o, at, "governor", &e->governor);
	json_rd_string(rd, o, at, "cache_probe", &e->cache_probe);
}

static void read_content(struct json_reader *rd, json_t *o, const char *at,
			 enum content_kind *c)
{
	const char *s = json_rd_name(rd, o, at, "content");

	if (s && content_kind_parse(s, c))
		json_rd_fail_at(rd, at, "content", "unknown content kind '%s'",
				s);
}

/* A tunable's value as written: true/false for a bool, else a
 * non-negative integer; registers a name the table lacks. The tunable's
 * index, or -1 (rd failed). */
static int read_tunable_value(struct json_reader *rd, const char *at,
			      const char *name, json_t *v, uint64_t *out)
{
	int i = tunable_index(name);

	if (i < 0)
		i = tunable_register(name, json_is_boolean(v) ? COPY_OPT_BOOL :
								COPY_OPT_COUNT);
	if (i < 0) {
		json_rd_fail_at(rd, at, name, "cannot add this tunable: %s",
				strerror(-i));
		return -1;
	}
	if (tunable_at(i)->type == COPY_OPT_BOOL && json_is_boolean(v)) {
		*out = json_is_true(v);
		return i;
	}
	if (tunable_at(i)->type != COPY_OPT_BOOL && json_rd_is_u64(v)) {
		*out = json_is_integer(v) ? (uint64_t)json_integer_value(v) :
		       strtoull(json_string_value(v), NULL, 10);
		return i;
	}
	json_rd_fail_at(rd, at, name, "expected %s",
			tunable_at(i)->type == COPY_OPT_BOOL
				? "true or false"
				: "a non-negative integer");
	return -1;
}

/* {"buffer": 131072, "direct": false}: a cell's tunables */
static void read_cell_tunables(struct json_reader *rd, json_t *params,
			       const char *at, struct cell *c)
{
	json_t *o = json_rd_object(rd, params, at, "tunables"), *v;
	char where[AT_LEN];
	const char *name;

	json_at_join(where, sizeof(where), "%s.tunables", at);
	json_object_foreach(o, name, v) {
		uint64_t x;
		int i = read_tunable_value(rd, where, name, v, &x);

		if (i < 0)
			return;
		c->tun.mask |= 1u << i;
		c->tun.v[i] = x;
	}
}

/* {"buffer": [131072], "direct": [false, true]}: the request's lists */
static void read_request_tunables(struct json_reader *rd, json_t *req,
				  const char *at, struct run_request *q)
{
	json_t *o = json_rd_object(rd, req, at, "tunables"), *a, *v;
	char where[AT_LEN];
	const char *name;
	size_t k;

	json_at_join(where, sizeof(where), "%s.tunables", at);
	json_object_foreach(o, name, a) {
		struct tunable_values *tv;
		int i = tunable_index(name);

		if (!json_is_array(a) || !json_array_size(a)) {
			json_rd_fail_at(rd, where, name,
					"expected a non-empty array");
			return;
		}
		json_array_foreach(a, k, v) {
			uint64_t x;

			i = read_tunable_value(rd, where, name, v, &x);
			if (i < 0)
				return;
			tv = &q->tune[i];
			if (ARRAY_GROW(tv->v, tv->n + 1, tv->cap)) {
				json_rd_fail_at(rd, where, name,
						"out of memory");
				return;
			}
			tv->v[tv->n++] = x;
		}
	}
}

/* iobench/1 cells: fixed fields and a list of the names read. */
static void read_cell_tunables_v1(struct json_reader *rd, json_t *o,
				  const char *at, struct cell *c)
{
	static const char *const names[] = { "buffer", "qd", "direct",
					      "sqpoll" };
	uint64_t v[4] = { 0 };
	bool direct = false, sqpoll = false;
	json_t *a = json_rd_array(rd, o, at, "tunables"), *e;
	char where[AT_LEN];
	size_t i;

	json_rd_u64(rd, o, at, "buffer_size", &v[0]);
	json_rd_u64(rd, o, at, "queue_depth", &v[1]);
	json_rd_bool(rd, o, at, "direct", &direct);
	json_rd_bool(rd, o, at, "sqpoll", &sqpoll);
	v[2] = direct;
	v[3] = sqpoll;
	json_array_foreach(a, i, e) {
		const char *s = json_string_value(e);
		size_t k;

		for (k = 0; s && k < 4; k++)
			if (!strcmp(s, names[k]))
				break;
		if (!s || k == 4) {
			json_at_join(where, sizeof(where), "%s.tunables[%zu]",
				     at, i);
			json_rd_fail_at(
				rd, where, "",
				"expected one of buffer, qd, direct, sqpoll");
			return;
		}
		c->tun.mask |= 1u << tunable_index(names[k]);
		c->tun.v[tunable_index(names[k])] = v[k];
	}
}

/* iobench/1 requests: buffers, qds, direct_off/direct_on. */
static void read_request_tunables_v1(struct json_reader *rd, json_t *o,
				     const char *at, struct run_request *q)
{
	struct tunable_values *b = &q->tune[tunable_index("buffer")];
	struct tunable_values *d = &q->tune[tunable_index("direct")];
	struct tunable_values *qd = &q->tune[tunable_index("qd")];
	bool off = false, on = false;

	b->v = json_rd_list(rd, o, at, "buffers", sizeof(uint64_t), &b->n,
			    json_rd_one_u64);
	qd->v = json_rd_list(rd, o, at, "qds", sizeof(uint64_t), &qd->n,
			     json_rd_one_u64);
	json_rd_bool(rd, o, at, "direct_off", &off);
	json_rd_bool(rd, o, at, "direct_on", &on);
	d->v = calloc(2, sizeof(*d->v));
	if (!d->v) {
		json_rd_fail_at(rd, at, "direct_on", "out of memory");
		return;
	}
	if (off || !on)
		d->v[d->n++] = 0;
	if (on)
		d->v[d->n++] = 1;
}

void json_read_request(struct json_reader *rd, json_t *root,
		       struct run_request *q)
{
	static const char at[] = "request";
	json_t *o = json_rd_object(rd, root, "", at);

	q->strategies = json_rd_list(rd, o, at, "strategies", sizeof(char *),
				     &q->n_strategies, json_rd_one_string);
	q->sizes = json_rd_list(rd, o, at, "sizes", sizeof(uint64_t),
				&q->n_sizes, json_rd_one_u64);
	if (rd->legacy)
		read_request_tunables_v1(rd, o, at, q);
	else
		read_request_tunables(rd, o, at, q);
	json_rd_bool(rd, o, at, "cache_warm", &q->cache_warm);
	json_rd_bool(rd, o, at, "cache_cold", &q->cache_cold);
	json_rd_bool(rd, o, at, "sync_none", &q->sync_none);
	json_rd_bool(rd, o, at, "sync_end", &q->sync_end);
	read_content(rd, o, at, &q->content);
	/* added with --sparse: older runs copied every byte */
	q->sparse = STRATEGY_SPARSE_NEVER;
	if (json_object_get(o, "sparse")) {
		const char *sp = json_rd_name(rd, o, at, "sparse");

		if (sp && strategy_sparse_parse(sp, &q->sparse))
			json_rd_fail_at(rd, at, "sparse",
					"expected auto, always or "
					"never, got '%s'",
					sp);
	}
	json_rd_string(rd, o, at, "source", &q->source);
	/* added with --source support: older files lack it (0 files) */
	if (json_object_get(o, "source_files"))
		json_rd_u64(rd, o, at, "source_files", &q->source_files);
	/* added with --preserve: older files lack it (off) */
	if (json_object_get(o, "preserve"))
		json_rd_bool(rd, o, at, "preserve", &q->preserve);
	json_rd_string(rd, o, at, "dir", &q->dir);
	/* added with --src-dir: absent when the sources were in dir */
	if (json_object_get(o, "src_dir"))
		json_rd_string(rd, o, at, "src_dir", &q->src_dir);
	json_rd_string(rd, o, at, "out", &q->out);
	json_rd_unsigned(rd, o, at, "samples", &q->samples);
	/* iobench/1 had one run */
	if (!rd->legacy)
		json_rd_unsigned(rd, o, at, "runs", &q->runs);
	json_rd_double(rd, o, at, "budget", &q->budget);
	json_rd_double(rd, o, at, "timeout", &q->timeout);
	json_rd_u64(rd, o, at, "seed", &q->seed);
	json_rd_bool(rd, o, at, "drop_caches", &q->drop_caches);
	if (json_object_get(o, "cold")) {
		const char *cold = json_rd_name(rd, o, at, "cold");

		if (cold && strcmp(cold, "metadata"))
			json_rd_fail_at(rd, at, "cold",
					"expected metadata, got '%s'", cold);
		q->cold_metadata = cold != NULL;
	}
}

static void read_params(struct json_reader *rd, json_t *cell, const char *cat,
			struct cell *c)
{
	char at[AT_LEN];
	json_t *o;
	const char *s;

	o = json_rd_object(rd, cell, cat, "parameters");
	json_at_join(at, sizeof(at), "%s.parameters", cat);
	json_rd_string(rd, o, at, "strategy", &c->strategy);
	if (!rd->failed && !c->strategy)
		json_rd_fail_at(rd, at, "strategy", "expected a string");
	json_rd_u64(rd, o, at, "size", &c->size);
	if (rd->legacy)
		read_cell_tunables_v1(rd, o, at, c);
	else
		read_cell_tunables(rd, o, at, c);
	s = json_rd_name(rd, o, at, "cache");
	if (s && cache_mode_parse(s, &c->cache))
		json_rd_fail_at(rd, at, "cache", "unknown cache mode '%s'", s);
	s = json_rd_name(rd, o, at, "sync");
	if (s && sync_mode_parse(s, &c->sync))
		json_rd_fail_at(rd, at, "sync", "unknown sync mode '%s'", s);
	read_content(rd, o, at, &c->content);
	json_rd_unsigned(rd, o, at, "batch", &c->batch);
}

static void read_usage(struct json_reader *rd, json_t *cell, const char *cat,
		       struct cell_usage *u)
{
	json_t *o = json_rd_object(rd, cell, cat, "usage");
	char at[AT_LEN];

	json_at_join(at, sizeof(at), "%s.usage", cat);
	json_rd_double(rd, o, at, "user", &u->user);
	json_rd_double(rd, o, at, "sys", &u->sys);
	json_rd_long(rd, o, at, "minflt", &u->minflt);
	json_rd_long(rd, o, at, "majflt", &u->majflt);
	json_rd_long(rd, o, at, "nvcsw", &u->nvcsw);
	json_rd_long(rd, o, at, "nivcsw", &u->nivcsw);
	json_rd_long(rd, o, at, "maxrss_kb", &u->maxrss_kb);
}

static void read_estimates(struct json_reader *rd, json_t *cell,
			   const char *cat, struct estimates *e)
{
	json_t *o = json_rd_object(rd, cell, cat, "estimates");
	char at[AT_LEN];

	json_at_join(at, sizeof(at), "%s.estimates", cat);
	json_rd_size(rd, o, at, "n", &e->n);
	json_rd_double(rd, o, at, "median", &e->median);
	json_rd_double(rd, o, at, "mean", &e->mean);
	json_rd_double(rd, o, at, "sd", &e->sd);
	json_rd_double(rd, o, at, "mad", &e->mad);
	json_rd_double(rd, o, at, "min", &e->min);
	json_rd_double(rd, o, at, "max", &e->max);
	json_rd_double(rd, o, at, "cv", &e->cv);
	json_rd_double(rd, o, at, "ci_level", &e->ci_level);
	json_rd_double(rd, o, at, "median_lo", &e->median_lo);
	json_rd_double(rd, o, at, "median_hi", &e->median_hi);
	json_rd_double(rd, o, at, "ci_coverage", &e->ci_coverage);
	json_rd_unsigned(rd, o, at, "mild_low", &e->mild_low);
	json_rd_unsigned(rd, o, at, "mild_high", &e->mild_high);
	json_rd_unsigned(rd, o, at, "severe_low", &e->severe_low);
	json_rd_unsigned(rd, o, at, "severe_high", &e->severe_high);
	json_rd_double(rd, o, at, "q1", &e->q1);
	json_rd_double(rd, o, at, "q3", &e->q3);
}

/* A figure that is unknown (null: NaN) or >= 0. */
static void rd_nonnegative(struct json_reader *rd, const char *at,
			   const char *key, double v)
{
	if (!rd->failed && (isinf(v) || v < 0))
		json_rd_fail_at(rd, at, key,
				"expected a value >= 0 or null, got %g", v);
}

/* An optional non-negative integer: false when null or absent. */
static bool rd_opt_u64(struct json_reader *rd, json_t *obj, const char *at,
		       const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return false;
	json_rd_u64(rd, obj, at, key, out);
	return !rd->failed;
}

/* "memory" (files before it have none: nothing known). The heap's three
 * figures come together, as do the RSS's two. */
static void read_sample_memory(struct json_reader *rd, json_t *o,
			       const char *at, struct sample_memory *m)
{
	json_t *mem = json_object_get(o, "memory");
	char mat[AT_LEN];
	int heap = 0, rss = 0;

	if (rd->failed || !mem || json_is_null(mem))
		return;
	if (!json_is_object(mem)) {
		json_rd_fail_at(rd, at, "memory", "expected an object");
		return;
	}
	json_at_join(mat, sizeof(mat), "%s.memory", at);
	heap += rd_opt_u64(rd, mem, mat, "allocs", &m->allocs);
	heap += rd_opt_u64(rd, mem, mat, "alloc_bytes", &m->alloc_bytes);
	heap += rd_opt_u64(rd, mem, mat, "heap_peak", &m->heap_peak);
	rss += rd_opt_u64(rd, mem, mat, "rss_before", &m->rss_before);
	rss += rd_opt_u64(rd, mem, mat, "rss_peak", &m->rss_peak);
	if ((heap && heap < 3) || (rss && rss < 2))
		json_rd_fail_at(rd, mat, "",
				"heap figures come together (allocs, "
				"alloc_bytes, heap_peak), as do rss_before and "
				"rss_peak");
	m->heap_known = heap == 3;
	m->rss_known = rss == 2;
}

static void one_sample(struct json_reader *rd, json_t *o, const char *at,
		       void *out)
{
	struct sample *s = out;
	json_t *dst;
	char dat[AT_LEN];

	if (!rd->failed && !json_is_object(o))
		json_rd_fail_at(rd, at, "", "expected an object");
	/* when it ran (iobench/1 files lack it: json_read_cell numbers them) */
	if (!rd->legacy) {
		json_rd_unsigned(rd, o, at, "run", &s->run);
		json_rd_unsigned(rd, o, at, "round", &s->round);
		json_rd_double(rd, o, at, "start", &s->start);
	}
	json_rd_double(rd, o, at, "seconds", &s->seconds);
	json_rd_double(rd, o, at, "sync_seconds", &s->sync_seconds);
	json_rd_double(rd, o, at, "cpu_user", &s->cpu_user);
	json_rd_double(rd, o, at, "cpu_sys", &s->cpu_sys);
	/* a measured time: compare's statistics and rates divide by it,
	 * and no copy takes no time at all */
	if (!rd->failed && !(isfinite(s->seconds) && s->seconds > 0))
		json_rd_fail_at(rd, at, "seconds",
				"expected a time > 0 s, got %g", s->seconds);
	rd_nonnegative(rd, at, "sync_seconds", s->sync_seconds);
	rd_nonnegative(rd, at, "cpu_user", s->cpu_user);
	rd_nonnegative(rd, at, "cpu_sys", s->cpu_sys);
	json_rd_u64(rd, o, at, "src_pages", &s->src_pages);
	json_rd_int_range(rd, o, at, "src_resident_before", INT64_MIN,
			  INT64_MAX, &s->src_resident_before);
	json_rd_int_range(rd, o, at, "src_resident_after", INT64_MIN, INT64_MAX,
			  &s->src_resident_after);
	dst = json_rd_object(rd, o, at, "dst");
	json_at_join(dat, sizeof(dat), "%s.dst", at);
	json_rd_int_range(rd, dst, dat, "cached", INT64_MIN, INT64_MAX,
			  &s->dst.cached);
	json_rd_int_range(rd, dst, dat, "dirty", INT64_MIN, INT64_MAX,
			  &s->dst.dirty);
	json_rd_int_range(rd, dst, dat, "writeback", INT64_MIN, INT64_MAX,
			  &s->dst.writeback);
	json_rd_bool(rd, o, at, "residency_ok", &s->residency_ok);
	read_sample_memory(rd, o, at, &s->mem);
	/* "cpu" (files before it have none: not known) */
	{
		uint64_t cpu = 0;

		s->cpu_known = rd_opt_u64(rd, o, at, "cpu", &cpu) &&
			       cpu < CPU_SETSIZE;
		s->cpu = (unsigned)cpu;
	}
}

void json_read_cell(struct json_reader *rd, json_t *o, const char *at,
		    void *out)
{
	struct cell *c = out;
	const char *s;

	if (!rd->failed && !json_is_object(o))
		json_rd_fail_at(rd, at, "", "expected an object");
	read_params(rd, o, at, c);
	s = json_rd_name(rd, o, at, "status");
	if (s && cell_status_parse(s, &c->status))
		json_rd_fail_at(rd, at, "status", "unknown status '%s'", s);
	json_rd_string(rd, o, at, "reason", &c->reason);
	json_rd_double(rd, o, at, "warmup_seconds", &c->warmup_seconds);
	if (json_object_get(o, "tool_start_seconds"))
		json_rd_double(rd, o, at, "tool_start_seconds", &c->tool_start);
	read_usage(rd, o, at, &c->usage);
	json_rd_bool(rd, o, at, "verified", &c->verified);
	json_rd_u64(rd, o, at, "copies_verified", &c->copies_verified);
	read_estimates(rd, o, at, &c->est);
	c->samples = json_rd_list(rd, o, at, "samples", sizeof(struct sample),
				  &c->n_samples, one_sample);
	/* the fast path took this cell's samples out of the text */
	if (!rd->failed && rd->next_cell < rd->fast.n_cells &&
	    rd->fast.n[rd->next_cell]) {
		free(c->samples);
		c->samples = rd->fast.cells[rd->next_cell];
		c->n_samples = rd->fast.n[rd->next_cell];
		rd->fast.cells[rd->next_cell] = NULL;
	}
	rd->next_cell++;
	/* iobench/1 samples ran in order, one round each, at unknown times */
	for (size_t i = 0; rd->legacy && c->samples && i < c->n_samples; i++) {
		c->samples[i].round = (unsigned)i;
		c->samples[i].start = NAN;
	}
	/* per-copy time = sample time / batch */
	if (!rd->failed && c->n_samples && !c->batch) {
		char pat[AT_LEN];

		json_at_join(pat, sizeof(pat), "%s.parameters", at);
		json_rd_fail_at(rd, pat, "batch",
				"0 files per sample, but %zu "
				"sample%s",
				c->n_samples, c->n_samples == 1 ? "" : "s");
	}
}
