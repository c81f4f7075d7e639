// SPDX-License-Identifier: MIT
/*
 * results.json (schema "iobench/2"; "iobench/1" is still read) with
 * jansson: the writer, which builds the whole document in one place
 * (other modules give the members they own: threads_json.h, profile.h,
 * machine_limits.h, workload.h, env_storage.h, analysis.h), and the
 * reader that restores the exact struct run (baselines are these files).
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

#include "json_read.h"
#include "analysis.h"
#include "array.h"
#include "cell_io.h"
#include "env_load.h"
#include "env_storage.h"
#include "io_latency.h"
#include "machine_limits.h"
#include "outfile.h"
#include "profile.h"
#include "results.h"
#include "source_tree.h"
#include "sample_metric.h"
#include "strategies.h"
#include "threads_json.h"
#include "clients_json.h"
#include "workload_report.h"
#include "json_samples.h"

/* longest field path in an error message, e.g. cells[3].samples[5].dst */
#define AT_LEN 160

/* ---- writer ---- */

/*
 * Strings that are not UTF-8 (paths are bytes; so are messages quoting
 * them): JSON cannot hold those bytes, so such a string is written with
 * every byte >= 0x80 as \xHH and every backslash doubled, and its JSON
 * Pointer is listed in run.escaped: a reader restores the bytes exactly.
 * The strings escaped while one document is built are remembered here
 * (by node), then found in the finished document to name their pointers;
 * writing is single-threaded.
 */
static json_t *escaped_nodes;

json_t *results_json_text(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	json_t *v;
	char *e, *p;

	if (!s)
		return json_null();
	v = json_string(s);
	if (v)
		return v;
	e = malloc(4 * strlen(s) + 1);
	if (!e)
		return NULL;
	for (p = e; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\') {
			*p++ = '\\';
			*p++ = '\\';
		} else if (c >= 0x80) {
			*p++ = '\\';
			*p++ = 'x';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	*p = '\0';
	v = json_string(e);
	free(e);
	/* the node itself marks it: its pointer is found once placed */
	if (v && escaped_nodes &&
	    json_array_append_new(escaped_nodes, json_integer(
			(json_int_t)(uintptr_t)v))) {
		json_decref(v);
		return NULL;
	}
	return v;
}

static bool was_escaped(const json_t *v)
{
	size_t i;
	json_t *n;

	json_array_foreach(escaped_nodes, i, n)
		if ((uintptr_t)json_integer_value(n) == (uintptr_t)v)
			return true;
	return false;
}

/* Appends to `out` the JSON Pointer (RFC 6901) of every escaped string
 * in v, whose own pointer is `at`. 0 or -ENOMEM. */
static int find_escaped(const json_t *v, char *at, size_t len, json_t *out)
{
	size_t used = strlen(at), i;
	const char *key;
	json_t *child;
	int ret = 0;

	if (json_is_string(v))
		return was_escaped(v) ?
		       json_array_append_new(out, json_string(at)) ? -ENOMEM : 0
		       : 0;
	if (json_is_array(v)) {
		json_array_foreach((json_t *)v, i, child) {
			snprintf(at + used, len - used, "/%zu", i);
			ret = find_escaped(child, at, len, out);
			if (ret)
				break;
		}
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child) {
			char *p = at + used;

			/* "~" is "~0" and "/" is "~1" in a pointer */
			*p++ = '/';
			for (const char *k = key; *k && p < at + len - 3; k++) {
				if (*k == '~' || *k == '/') {
					*p++ = '~';
					*p++ = *k == '~' ? '0' : '1';
				} else {
					*p++ = *k;
				}
			}
			*p = '\0';
			ret = find_escaped(child, at, len, out);
			if (ret)
				break;
		}
	}
	at[used] = '\0';
	return ret;
}

/* JSON has no NaN or infinity: such an estimate is written as null. */
static json_t *jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* jansson integers are signed 64-bit: larger values (a seed) become a
 * decimal string, which the reader accepts too. */
static json_t *ju64(uint64_t v)
{
	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	return json_sprintf("%" PRIu64, v);
}

/* Sets key to v (a new reference, stolen) in o; 0, or -ENOMEM when o or
 * v is NULL or the set fails. */
static int put(json_t *o, const char *key, json_t *v)
{
	if (!o || !v) {
		json_decref(v);
		return -ENOMEM;
	}
	return json_object_set_new(o, key, v) ? -ENOMEM : 0;
}

static json_t *u64_array(const uint64_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		if (json_array_append_new(a, ju64(v[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *str_array(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		if (json_array_append_new(a, results_json_text(v[i] ? v[i]
								       : ""))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *run_to_json(const struct run *r)
{
	return json_pack("{s:s?, s:s?, s:o, s:o, s:s?, s:s?, s:b, s:o}",
			 "id", r->id, "started", r->started,
			 "duration", jreal(r->duration),
			 "command_line", results_json_text(r->command_line),
			 "version", r->version, "commit", r->commit,
			 "incomplete", r->incomplete,
			 "warnings", str_array(r->warnings, r->n_warnings));
}

/* The environment; src_fs_type and src_device only with --src-dir, so
 * other runs write what they always did. */
static json_t *env_to_json(const struct environment *e)
{
	json_t *o = json_pack("{s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:o,"
			 " s:o, s:o, s:o, s:o, s:i, s:o, s:I, s:I, s:I,"
			 " s:o, s:o}",
			 "hostname", results_json_text(e->hostname),
			 "kernel", results_json_text(e->kernel),
			 "cpu_model", results_json_text(e->cpu_model),
			 "packages", (json_int_t)e->packages,
			 "numa_nodes", (json_int_t)e->numa_nodes,
			 "cores", (json_int_t)e->cores,
			 "pus", (json_int_t)e->pus,
			 "mem_total", ju64(e->mem_total),
			 "fs_type", results_json_text(e->fs_type),
			 "mount_options", results_json_text(e->mount_options),
			 "device", results_json_text(e->device),
			 "device_model", results_json_text(e->device_model),
			 "rotational", e->rotational,
			 "scheduler", results_json_text(e->scheduler),
			 "logical_block_size",
			 (json_int_t)e->logical_block_size,
			 "dio_mem_align", (json_int_t)e->dio_mem_align,
			 "dio_offset_align", (json_int_t)e->dio_offset_align,
			 "governor", results_json_text(e->governor),
			 "cache_probe", results_json_text(e->cache_probe));

	if (put(o, "l3_per_package",
		json_integer((json_int_t)e->l3_per_package)) ||
	    (e->storage.probed &&
	     put(o, "storage", env_storage_to_json(&e->storage))) ||
	    (e->src_fs_type &&
	     (put(o, "src_fs_type", results_json_text(e->src_fs_type)) ||
	      put(o, "src_device", results_json_text(e->src_device))))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A tunable's value: a bool as true/false, else a number. */
static json_t *tunable_to_json(size_t i, uint64_t v)
{
	return tunable_at(i)->type == COPY_OPT_BOOL ? json_boolean(v) :
						      ju64(v);
}

/* {"buffer": [131072], "direct": [false, true]}: what was swept */
static json_t *request_tunables_to_json(const struct run_request *q)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < tunable_count(); i++) {
		json_t *a;

		if (!q->tune[i].n)
			continue;
		a = json_array();
		for (size_t k = 0; a && k < q->tune[i].n; k++)
			if (json_array_append_new(a, tunable_to_json(
						      i, q->tune[i].v[k])))
				json_decref(a), a = NULL;
		if (!a || json_object_set_new(o, tunable_at(i)->name, a)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

json_t *results_json_cell_tunables(const struct cell *c)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < tunable_count(); i++) {
		if (!cell_has_tunable(c, i))
			continue;
		if (json_object_set_new(o, tunable_at(i)->name,
					tunable_to_json(i, c->tun.v[i]))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* {"mycopy": "build/mycopy.so"}: the requested strategies a plugin
 * brought, and its file. */
static json_t *request_plugins_to_json(const struct run_request *q)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < q->n_strategies; i++) {
		const struct copy_strategy *s = strategy_find(q->strategies[i]);
		const char *path = s ? strategy_plugin_path(s) : NULL;

		/* a plugin's file is a path: bytes, maybe not UTF-8 */
		if (path && json_object_set_new(o, s->name,
						results_json_text(path))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* The request, with the members of thread sweeps, limits, reference
 * tools, profiling, datasets and plugins. */
static json_t *request_to_json(const struct run *run)
{
	const struct run_request *q = &run->request;
	char label[160];
	json_t *o = json_pack("{s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:s, s:s,"
			 " s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:o, s:b,"
			 " s:o}",
			 "strategies",
			 str_array(q->strategies, q->n_strategies),
			 "sizes", u64_array(q->sizes, q->n_sizes),
			 "tunables", request_tunables_to_json(q),
			 "cache_warm", q->cache_warm,
			 "cache_cold", q->cache_cold,
			 "sync_none", q->sync_none, "sync_end", q->sync_end,
			 "content", content_kind_name(q->content),
			 "sparse", strategy_sparse_name(q->sparse),
			 "source", results_json_text(q->source),
			 "source_files", ju64(q->source_files),
			 "dir", results_json_text(q->dir),
			 "out", results_json_text(q->out),
			 "samples", (json_int_t)q->samples,
			 "runs", (json_int_t)(q->runs ? q->runs : 1),
			 "budget", jreal(q->budget),
			 "timeout", jreal(q->timeout),
			 "seed", ju64(q->seed),
			 "drop_caches", q->drop_caches,
			 "plugins", request_plugins_to_json(q));

	if (threads_json_request(o, q) ||
	    put(o, "references", str_array(q->references,
					   q->n_references)) ||
	    put(o, "limits", json_boolean(q->limits)) ||
	    (q->profile && put(o, "profile", json_true())) ||
	    /* --cold metadata, --sustained only: older readers see the
	     * same request */
	    (q->cold_metadata && put(o, "cold", json_string("metadata"))) ||
	    /* --src-dir only: runs without it write what they always did */
	    (q->src_dir && put(o, "src_dir", results_json_text(q->src_dir))) ||
	    /* the tree as the report names it: "include (8517 files, 114 MiB)" */
	    put(o, "source_label", q->source ?
		results_json_text(source_tree_label(q->source,
			q->source_files, q->n_sizes ? q->sizes[0] : 0, label,
			sizeof(label))) : json_null()) ||
	    put(o, "preserve", json_boolean(q->preserve)) ||
	    (q->sustained > 0 && put(o, "sustained", json_real(q->sustained))) ||
	    (run->workload && put(o, "dataset",
				  workload_json(run->workload)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *params_to_json(const struct cell *c)
{
	json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:I}",
			 "strategy", c->strategy ? c->strategy : "",
			 "size", ju64(c->size),
			 "tunables", results_json_cell_tunables(c),
			 "cache", cache_mode_name(c->cache),
			 "sync", sync_mode_name(c->sync),
			 "content", content_kind_name(c->content),
			 "batch", (json_int_t)c->batch);

	if (threads_json_params(o, c)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *usage_to_json(const struct cell_usage *u)
{
	return json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:I}",
			 "user", jreal(u->user), "sys", jreal(u->sys),
			 "minflt", (json_int_t)u->minflt,
			 "majflt", (json_int_t)u->majflt,
			 "nvcsw", (json_int_t)u->nvcsw,
			 "nivcsw", (json_int_t)u->nivcsw,
			 "maxrss_kb", (json_int_t)u->maxrss_kb);
}

/* A rate over per-copy seconds: the CI's ends swap (slow end = low). */
static json_t *rate_to_json(double per_copy_units, const struct estimates *e)
{
	return json_pack("{s:o, s:o, s:o}",
			 "median", jreal(e->median > 0 ?
					 per_copy_units / e->median : 0),
			 "ci_lo", jreal(e->median_hi > 0 ?
					per_copy_units / e->median_hi : 0),
			 "ci_hi", jreal(e->median_lo > 0 ?
					per_copy_units / e->median_lo : 0));
}

static json_t *estimates_to_json(const struct cell *c)
{
	const struct estimates *e = &c->est;
	json_t *o;

	o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
		      " s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
		      "n", (json_int_t)e->n, "median", jreal(e->median),
		      "mean", jreal(e->mean), "sd", jreal(e->sd),
		      "mad", jreal(e->mad), "min", jreal(e->min),
		      "max", jreal(e->max), "cv", jreal(e->cv),
		      "ci_level", jreal(e->ci_level),
		      "median_lo", jreal(e->median_lo),
		      "median_hi", jreal(e->median_hi),
		      "ci_coverage", jreal(e->ci_coverage),
		      "mild_low", (json_int_t)e->mild_low,
		      "mild_high", (json_int_t)e->mild_high,
		      "severe_low", (json_int_t)e->severe_low,
		      "severe_high", (json_int_t)e->severe_high,
		      "q1", jreal(e->q1), "q3", jreal(e->q3),
		      "throughput_mib_s",
		      rate_to_json(results_mib_s(c->size, 1.0), e));
	/* derived only: the reader recomputes nothing from these */
	if (o && c->batch > 1 &&
	    json_object_set_new(o, "files_per_s", rate_to_json(1.0, e))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A sample's "memory": null for what was not counted (all of it for a
 * reference tool's sample or a rank's), so every sample has the same
 * fields. */
static json_t *memory_to_json(const struct sample_memory *m)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}",
			 "allocs", m->heap_known ? ju64(m->allocs) : json_null(),
			 "alloc_bytes", m->heap_known ? ju64(m->alloc_bytes) :
							json_null(),
			 "heap_peak", m->heap_known ? ju64(m->heap_peak) :
						      json_null(),
			 "rss_before", m->rss_known ? ju64(m->rss_before) :
						      json_null(),
			 "rss_peak", m->rss_known ? ju64(m->rss_peak) :
						    json_null());
}

static json_t *sample_to_json(const struct sample *s, unsigned threads)
{
	json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I,"
			 " s:{s:I, s:I, s:I}, s:b}",
			 "run", (json_int_t)s->run,
			 "round", (json_int_t)s->round,
			 "start", jreal(s->start),
			 "seconds", jreal(s->seconds),
			 "sync_seconds", jreal(s->sync_seconds),
			 "cpu_user", jreal(s->cpu_user),
			 "cpu_sys", jreal(s->cpu_sys),
			 "src_pages", ju64(s->src_pages),
			 "src_resident_before",
			 (json_int_t)s->src_resident_before,
			 "src_resident_after",
			 (json_int_t)s->src_resident_after,
			 "dst", "cached", (json_int_t)s->dst.cached,
			 "dirty", (json_int_t)s->dst.dirty,
			 "writeback", (json_int_t)s->dst.writeback,
			 "residency_ok", s->residency_ok);

	if (threads_json_sample(o, s, threads) ||
	    put(o, "memory", memory_to_json(&s->mem))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *samples_to_json(const struct cell *c)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->n_samples; i++) {
		if (json_array_append_new(a, sample_to_json(
				&c->samples[i], c->threads ? c->threads : 1))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* A cell's memory figures, medians over its samples (sample_metric.h);
 * derived only: the reader recomputes them from the samples. */
static json_t *cell_memory_to_json(const struct cell *c)
{
	return json_pack("{s:o, s:o, s:o, s:o}",
			 "allocs_per_copy",
			 jreal(sample_metric_median(c, METRIC_ALLOCS)),
			 "heap_peak_bytes",
			 jreal(sample_metric_median(c, METRIC_HEAP)),
			 "rss_growth_bytes",
			 jreal(sample_metric_median(c, METRIC_RSS)),
			 "page_cache_pct",
			 jreal(sample_metric_median(c, METRIC_CACHE)));
}

static json_t *cell_to_json(const struct cell *c)
{
	json_t *o = json_pack("{s:o, s:s, s:o, s:o, s:o, s:b, s:I, s:o, s:o}",
			 "parameters", params_to_json(c),
			 "status", cell_status_name(c->status),
			 "reason", results_json_text(c->reason),
			 "warmup_seconds", jreal(c->warmup_seconds),
			 "usage", usage_to_json(&c->usage),
			 "verified", c->verified,
			 "copies_verified", (json_int_t)c->copies_verified,
			 "estimates", estimates_to_json(c),
			 "samples", samples_to_json(c));

	if ((c->profile.on && put(o, "profile",
				  profile_json_cell(&c->profile))) ||
	    /* a reference tool's start-up, beside its times that include it */
	    (c->tool_start > 0 &&
	     put(o, "tool_start_seconds", jreal(c->tool_start))) ||
	    put(o, "memory", cell_memory_to_json(c))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The cells, each with its analysis when there is one. */
static json_t *cells_to_json(const struct run *run, const struct analysis *an)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < run->n_cells; i++) {
		json_t *c = cell_to_json(&run->cells[i]);

		if (c && an && json_object_set_new(c, "analysis",
						   analysis_json_cell(an, i)))
			json_decref(c), c = NULL;
		if (json_array_append_new(a, c)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The text of results.json, with the analysis's summary when an is not
 * NULL; you own it (free). 0 or -errno: -EILSEQ for a string jansson
 * refused, -ENOMEM. */
static int render_json(const struct run *run, const struct analysis *an,
		       char **text)
{
	char at[512] = "";
	json_t *root, *escaped = NULL;
	json_error_t error = { .text = "" };
	int ret = 0;

	escaped_nodes = json_array();
	if (!escaped_nodes)
		return -ENOMEM;
	root = json_pack_ex(&error, 0, "{s:s, s:o, s:o, s:o, s:o, s:o}",
			    "schema", RESULTS_SCHEMA,
			    "run", run_to_json(run),
			    "environment", env_to_json(&run->env),
			    "request", request_to_json(run),
			    "cells", cells_to_json(run, an),
			    "limits", limits_to_json(&run->limits));
	if (!root || (an && put(root, "summary",
				analysis_json_summary(an))) ||
	    clients_json_annotate(root, run) ||
	    cell_io_json_annotate(root, run) ||
	    io_latency_json_annotate(json_object_get(root, "cells"),
				     run->io) ||
	    env_load_json_attach(root, &run->env.load)) {
		/* every string is escaped first: only memory runs out */
		ret = strstr(error.text, "UTF-8") ? -EILSEQ : -ENOMEM;
		goto out_free;
	}
	if (json_array_size(escaped_nodes)) {
		escaped = json_array();
		if (!escaped || find_escaped(root, at, sizeof(at), escaped) ||
		    json_object_set_new(json_object_get(root, "run"),
					"escaped", escaped)) {
			ret = -ENOMEM;
			goto out_free;
		}
	}
	/* 17 significant digits: every double reads back bit-identical */
	*text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	if (!*text)
		ret = -ENOMEM;
out_free:
	json_decref(root);
	json_decref(escaped_nodes);
	escaped_nodes = NULL;
	return ret;
}

int results_write_json(const struct run *run, const struct analysis *an,
		       const char *path)
{
	char *text;
	int ret = render_json(run, an, &text);

	if (ret)
		return ret;
	ret = outfile_write_path(path, text, strlen(text));
	free(text);
	return ret;
}

int results_write_json_at(const struct run *run, const struct analysis *an,
			  int dirfd, const char *name)
{
	char *text;
	int ret = render_json(run, an, &text);

	if (ret)
		return ret;
	ret = outfile_write_at(dirfd, name, text, strlen(text));
	free(text);
	return ret;
}

/* ---- reader ---- */

/*
 * The reader keeps the first error and ignores every later call, so the
 * per-section functions read straight through and check once at the end.
 */
struct reader {
	bool legacy;		/* schema iobench/1: the fixed tunables */
	const char *file;
	char *err;
	size_t len;
	bool failed;
	/* samples read by the fast path (json_samples.h), per cell */
	struct json_samples fast;
	size_t next_cell;
};

static void rd_fail(struct reader *rd, const char *at, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void rd_fail(struct reader *rd, const char *at, const char *key,
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
static void at_join(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void at_join(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

/* obj[key] when present and of the wanted type (a json_is_* test). */
static json_t *rd_get(struct reader *rd, json_t *obj, const char *at,
		      const char *key, int (*is)(const json_t *),
		      const char *what)
{
	json_t *v;

	if (rd->failed)
		return NULL;
	v = json_object_get(obj, key);
	if (!v) {
		rd_fail(rd, at, key, "missing (expected %s)", what);
		return NULL;
	}
	if (!is(v)) {
		rd_fail(rd, at, key, "expected %s", what);
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
static int is_u64(const json_t *v)
{
	const char *s = json_string_value(v);

	if (json_is_integer(v))
		return json_integer_value(v) >= 0;
	return s && *s && strspn(s, "0123456789") == strlen(s);
}

static json_t *rd_object(struct reader *rd, json_t *obj, const char *at,
			 const char *key)
{
	return rd_get(rd, obj, at, key, is_object, "an object");
}

static json_t *rd_array(struct reader *rd, json_t *obj, const char *at,
			const char *key)
{
	return rd_get(rd, obj, at, key, is_array, "an array");
}

/* A borrowed string (valid while the document lives). */
static const char *rd_name(struct reader *rd, json_t *obj, const char *at,
			   const char *key)
{
	return json_string_value(rd_get(rd, obj, at, key, is_string,
					"a string"));
}

static void rd_string(struct reader *rd, json_t *obj, const char *at,
		      const char *key, char **out)
{
	json_t *v = rd_get(rd, obj, at, key, is_string_or_null,
			   "a string or null");

	if (!json_is_string(v))
		return;
	*out = strdup(json_string_value(v));
	if (!*out)
		rd_fail(rd, at, key, "out of memory");
}

static void rd_bool(struct reader *rd, json_t *obj, const char *at,
		    const char *key, bool *out)
{
	json_t *v = rd_get(rd, obj, at, key, is_bool, "true or false");

	if (v)
		*out = json_is_true(v);
}

static void rd_double(struct reader *rd, json_t *obj, const char *at,
		      const char *key, double *out)
{
	json_t *v = rd_get(rd, obj, at, key, is_number_or_null,
			   "a number");

	if (v)
		*out = json_is_null(v) ? NAN : json_number_value(v);
}

static void rd_u64(struct reader *rd, json_t *obj, const char *at,
		   const char *key, uint64_t *out)
{
	json_t *v = rd_get(rd, obj, at, key, is_u64,
			   "a non-negative integer");

	if (json_is_integer(v))
		*out = (uint64_t)json_integer_value(v);
	else if (v)
		*out = strtoull(json_string_value(v), NULL, 10);
}

/* A signed integer in [min, max]. */
static void rd_int_range(struct reader *rd, json_t *obj, const char *at,
			 const char *key, int64_t min, int64_t max,
			 int64_t *out)
{
	json_t *v = rd_get(rd, obj, at, key, is_integer, "an integer");
	json_int_t i;

	if (!v)
		return;
	i = json_integer_value(v);
	if (i < min || i > max) {
		rd_fail(rd, at, key, "%" PRId64 " out of range [%" PRId64
			", %" PRId64 "]", (int64_t)i, min, max);
		return;
	}
	*out = i;
}

static void rd_unsigned(struct reader *rd, json_t *obj, const char *at,
			const char *key, unsigned *out)
{
	int64_t v = 0;

	rd_int_range(rd, obj, at, key, 0, UINT_MAX, &v);
	*out = (unsigned)v;
}

static void rd_long(struct reader *rd, json_t *obj, const char *at,
		    const char *key, long *out)
{
	int64_t v = 0;

	rd_int_range(rd, obj, at, key, LONG_MIN, LONG_MAX, &v);
	*out = (long)v;
}

static void rd_size(struct reader *rd, json_t *obj, const char *at,
		    const char *key, size_t *out)
{
	uint64_t v = 0;

	rd_u64(rd, obj, at, key, &v);
	*out = (size_t)v;
}

/* An array of values read by `one`, into a malloc'd array of n items. */
static void *rd_list(struct reader *rd, json_t *obj, const char *at,
		     const char *key, size_t item, size_t *n,
		     void (*one)(struct reader *, json_t *, const char *,
				 void *))
{
	json_t *a = rd_array(rd, obj, at, key);
	char where[AT_LEN];
	char *out;

	if (!a)
		return NULL;
	*n = json_array_size(a);
	out = calloc(*n ? *n : 1, item);
	if (!out) {
		rd_fail(rd, at, key, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < *n && !rd->failed; i++) {
		at_join(where, sizeof(where), "%s%s%s[%zu]", at,
			 *at ? "." : "", key, i);
		one(rd, json_array_get(a, i), where, out + i * item);
	}
	return out;
}

static void one_u64(struct reader *rd, json_t *v, const char *where,
		    void *out)
{
	uint64_t *p = out;

	if (rd->failed)
		return;
	if (!is_u64(v)) {
		rd_fail(rd, where, "", "expected a non-negative integer");
		return;
	}
	*p = json_is_integer(v) ? (uint64_t)json_integer_value(v) :
				  strtoull(json_string_value(v), NULL, 10);
}

static void one_string(struct reader *rd, json_t *v, const char *where,
		       void *out)
{
	char **p = out;

	if (rd->failed)
		return;
	if (!json_is_string(v)) {
		rd_fail(rd, where, "", "expected a string");
		return;
	}
	*p = strdup(json_string_value(v));
	if (!*p)
		rd_fail(rd, where, "", "out of memory");
}

static void read_run(struct reader *rd, json_t *root, struct run *run)
{
	json_t *o = rd_object(rd, root, "", "run");

	rd_string(rd, o, "run", "id", &run->id);
	rd_string(rd, o, "run", "started", &run->started);
	rd_double(rd, o, "run", "duration", &run->duration);
	rd_string(rd, o, "run", "command_line", &run->command_line);
	rd_string(rd, o, "run", "version", &run->version);
	rd_string(rd, o, "run", "commit", &run->commit);
	rd_bool(rd, o, "run", "incomplete", &run->incomplete);
	run->warnings = rd_list(rd, o, "run", "warnings", sizeof(char *),
				&run->n_warnings, one_string);
}

static void read_env(struct reader *rd, json_t *root, struct environment *e)
{
	static const char at[] = "environment";
	json_t *o = rd_object(rd, root, "", at);
	int64_t rot = -1;

	rd_string(rd, o, at, "hostname", &e->hostname);
	rd_string(rd, o, at, "kernel", &e->kernel);
	rd_string(rd, o, at, "cpu_model", &e->cpu_model);
	rd_unsigned(rd, o, at, "packages", &e->packages);
	rd_unsigned(rd, o, at, "numa_nodes", &e->numa_nodes);
	rd_unsigned(rd, o, at, "cores", &e->cores);
	rd_unsigned(rd, o, at, "pus", &e->pus);
	rd_u64(rd, o, at, "mem_total", &e->mem_total);
	rd_string(rd, o, at, "fs_type", &e->fs_type);
	rd_string(rd, o, at, "mount_options", &e->mount_options);
	/* sweep --src-dir only */
	if (json_object_get(o, "src_fs_type")) {
		rd_string(rd, o, at, "src_fs_type", &e->src_fs_type);
		rd_string(rd, o, at, "src_device", &e->src_device);
	}
	rd_string(rd, o, at, "device", &e->device);
	rd_string(rd, o, at, "device_model", &e->device_model);
	rd_int_range(rd, o, at, "rotational", -1, 1, &rot);
	e->rotational = (int)rot;
	rd_string(rd, o, at, "scheduler", &e->scheduler);
	rd_unsigned(rd, o, at, "logical_block_size", &e->logical_block_size);
	rd_unsigned(rd, o, at, "dio_mem_align", &e->dio_mem_align);
	rd_unsigned(rd, o, at, "dio_offset_align", &e->dio_offset_align);
	rd_string(rd, o, at, "governor", &e->governor);
	rd_string(rd, o, at, "cache_probe", &e->cache_probe);
}

static void read_content(struct reader *rd, json_t *o, const char *at,
			 enum content_kind *c)
{
	const char *s = rd_name(rd, o, at, "content");

	if (s && content_kind_parse(s, c))
		rd_fail(rd, at, "content", "unknown content kind '%s'", s);
}

/* A tunable's value as written: true/false for a bool, else a
 * non-negative integer; registers a name the table lacks. The tunable's
 * index, or -1 (rd failed). */
static int read_tunable_value(struct reader *rd, const char *at,
			      const char *name, json_t *v, uint64_t *out)
{
	int i = tunable_index(name);

	if (i < 0)
		i = tunable_register(name, json_is_boolean(v) ? COPY_OPT_BOOL :
								COPY_OPT_COUNT);
	if (i < 0) {
		rd_fail(rd, at, name, "cannot add this tunable: %s",
			strerror(-i));
		return -1;
	}
	if (tunable_at(i)->type == COPY_OPT_BOOL && json_is_boolean(v)) {
		*out = json_is_true(v);
		return i;
	}
	if (tunable_at(i)->type != COPY_OPT_BOOL && is_u64(v)) {
		*out = json_is_integer(v) ? (uint64_t)json_integer_value(v) :
		       strtoull(json_string_value(v), NULL, 10);
		return i;
	}
	rd_fail(rd, at, name, "expected %s",
		tunable_at(i)->type == COPY_OPT_BOOL ? "true or false" :
						       "a non-negative integer");
	return -1;
}

/* {"buffer": 131072, "direct": false}: a cell's tunables */
static void read_cell_tunables(struct reader *rd, json_t *params,
			       const char *at, struct cell *c)
{
	json_t *o = rd_object(rd, params, at, "tunables"), *v;
	char where[AT_LEN];
	const char *name;

	at_join(where, sizeof(where), "%s.tunables", at);
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
static void read_request_tunables(struct reader *rd, json_t *req,
				  const char *at, struct run_request *q)
{
	json_t *o = rd_object(rd, req, at, "tunables"), *a, *v;
	char where[AT_LEN];
	const char *name;
	size_t k;

	at_join(where, sizeof(where), "%s.tunables", at);
	json_object_foreach(o, name, a) {
		struct tunable_values *tv;
		int i = tunable_index(name);

		if (!json_is_array(a) || !json_array_size(a)) {
			rd_fail(rd, where, name, "expected a non-empty array");
			return;
		}
		json_array_foreach(a, k, v) {
			uint64_t x;

			i = read_tunable_value(rd, where, name, v, &x);
			if (i < 0)
				return;
			tv = &q->tune[i];
			if (ARRAY_GROW(tv->v, tv->n + 1, tv->cap)) {
				rd_fail(rd, where, name, "out of memory");
				return;
			}
			tv->v[tv->n++] = x;
		}
	}
}

/* iobench/1 cells: fixed fields and a list of the names read. */
static void read_cell_tunables_v1(struct reader *rd, json_t *o,
				  const char *at, struct cell *c)
{
	static const char *const names[] = { "buffer", "qd", "direct",
					      "sqpoll" };
	uint64_t v[4] = { 0 };
	bool direct = false, sqpoll = false;
	json_t *a = rd_array(rd, o, at, "tunables"), *e;
	char where[AT_LEN];
	size_t i;

	rd_u64(rd, o, at, "buffer_size", &v[0]);
	rd_u64(rd, o, at, "queue_depth", &v[1]);
	rd_bool(rd, o, at, "direct", &direct);
	rd_bool(rd, o, at, "sqpoll", &sqpoll);
	v[2] = direct;
	v[3] = sqpoll;
	json_array_foreach(a, i, e) {
		const char *s = json_string_value(e);
		size_t k;

		for (k = 0; s && k < 4; k++)
			if (!strcmp(s, names[k]))
				break;
		if (!s || k == 4) {
			at_join(where, sizeof(where), "%s.tunables[%zu]", at,
				 i);
			rd_fail(rd, where, "",
				"expected one of buffer, qd, direct, sqpoll");
			return;
		}
		c->tun.mask |= 1u << tunable_index(names[k]);
		c->tun.v[tunable_index(names[k])] = v[k];
	}
}

/* iobench/1 requests: buffers, qds, direct_off/direct_on. */
static void read_request_tunables_v1(struct reader *rd, json_t *o,
				     const char *at, struct run_request *q)
{
	struct tunable_values *b = &q->tune[tunable_index("buffer")];
	struct tunable_values *d = &q->tune[tunable_index("direct")];
	struct tunable_values *qd = &q->tune[tunable_index("qd")];
	bool off = false, on = false;

	b->v = rd_list(rd, o, at, "buffers", sizeof(uint64_t), &b->n,
		       one_u64);
	qd->v = rd_list(rd, o, at, "qds", sizeof(uint64_t), &qd->n, one_u64);
	rd_bool(rd, o, at, "direct_off", &off);
	rd_bool(rd, o, at, "direct_on", &on);
	d->v = calloc(2, sizeof(*d->v));
	if (!d->v) {
		rd_fail(rd, at, "direct_on", "out of memory");
		return;
	}
	if (off || !on)
		d->v[d->n++] = 0;
	if (on)
		d->v[d->n++] = 1;
}

static void read_request(struct reader *rd, json_t *root,
			 struct run_request *q)
{
	static const char at[] = "request";
	json_t *o = rd_object(rd, root, "", at);

	q->strategies = rd_list(rd, o, at, "strategies", sizeof(char *),
				&q->n_strategies, one_string);
	q->sizes = rd_list(rd, o, at, "sizes", sizeof(uint64_t), &q->n_sizes,
			   one_u64);
	if (rd->legacy)
		read_request_tunables_v1(rd, o, at, q);
	else
		read_request_tunables(rd, o, at, q);
	rd_bool(rd, o, at, "cache_warm", &q->cache_warm);
	rd_bool(rd, o, at, "cache_cold", &q->cache_cold);
	rd_bool(rd, o, at, "sync_none", &q->sync_none);
	rd_bool(rd, o, at, "sync_end", &q->sync_end);
	read_content(rd, o, at, &q->content);
	/* added with --sparse: older runs copied every byte */
	q->sparse = STRATEGY_SPARSE_NEVER;
	if (json_object_get(o, "sparse")) {
		const char *sp = rd_name(rd, o, at, "sparse");

		if (sp && strategy_sparse_parse(sp, &q->sparse))
			rd_fail(rd, at, "sparse", "expected auto, always or "
				"never, got '%s'", sp);
	}
	rd_string(rd, o, at, "source", &q->source);
	/* added with --source support: older files lack it (0 files) */
	if (json_object_get(o, "source_files"))
		rd_u64(rd, o, at, "source_files", &q->source_files);
	/* added with --preserve: older files lack it (off) */
	if (json_object_get(o, "preserve"))
		rd_bool(rd, o, at, "preserve", &q->preserve);
	rd_string(rd, o, at, "dir", &q->dir);
	/* added with --src-dir: absent when the sources were in dir */
	if (json_object_get(o, "src_dir"))
		rd_string(rd, o, at, "src_dir", &q->src_dir);
	rd_string(rd, o, at, "out", &q->out);
	rd_unsigned(rd, o, at, "samples", &q->samples);
	/* iobench/1 had one run */
	if (!rd->legacy)
		rd_unsigned(rd, o, at, "runs", &q->runs);
	rd_double(rd, o, at, "budget", &q->budget);
	rd_double(rd, o, at, "timeout", &q->timeout);
	rd_u64(rd, o, at, "seed", &q->seed);
	rd_bool(rd, o, at, "drop_caches", &q->drop_caches);
	if (json_object_get(o, "cold")) {
		const char *cold = rd_name(rd, o, at, "cold");

		if (cold && strcmp(cold, "metadata"))
			rd_fail(rd, at, "cold", "expected metadata, got '%s'",
				cold);
		q->cold_metadata = cold != NULL;
	}
}


static void read_params(struct reader *rd, json_t *cell, const char *cat,
			struct cell *c)
{
	char at[AT_LEN];
	json_t *o;
	const char *s;

	o = rd_object(rd, cell, cat, "parameters");
	at_join(at, sizeof(at), "%s.parameters", cat);
	rd_string(rd, o, at, "strategy", &c->strategy);
	if (!rd->failed && !c->strategy)
		rd_fail(rd, at, "strategy", "expected a string");
	rd_u64(rd, o, at, "size", &c->size);
	if (rd->legacy)
		read_cell_tunables_v1(rd, o, at, c);
	else
		read_cell_tunables(rd, o, at, c);
	s = rd_name(rd, o, at, "cache");
	if (s && cache_mode_parse(s, &c->cache))
		rd_fail(rd, at, "cache", "unknown cache mode '%s'", s);
	s = rd_name(rd, o, at, "sync");
	if (s && sync_mode_parse(s, &c->sync))
		rd_fail(rd, at, "sync", "unknown sync mode '%s'", s);
	read_content(rd, o, at, &c->content);
	rd_unsigned(rd, o, at, "batch", &c->batch);
}

static void read_usage(struct reader *rd, json_t *cell, const char *cat,
		       struct cell_usage *u)
{
	json_t *o = rd_object(rd, cell, cat, "usage");
	char at[AT_LEN];

	at_join(at, sizeof(at), "%s.usage", cat);
	rd_double(rd, o, at, "user", &u->user);
	rd_double(rd, o, at, "sys", &u->sys);
	rd_long(rd, o, at, "minflt", &u->minflt);
	rd_long(rd, o, at, "majflt", &u->majflt);
	rd_long(rd, o, at, "nvcsw", &u->nvcsw);
	rd_long(rd, o, at, "nivcsw", &u->nivcsw);
	rd_long(rd, o, at, "maxrss_kb", &u->maxrss_kb);
}

static void read_estimates(struct reader *rd, json_t *cell, const char *cat,
			   struct estimates *e)
{
	json_t *o = rd_object(rd, cell, cat, "estimates");
	char at[AT_LEN];

	at_join(at, sizeof(at), "%s.estimates", cat);
	rd_size(rd, o, at, "n", &e->n);
	rd_double(rd, o, at, "median", &e->median);
	rd_double(rd, o, at, "mean", &e->mean);
	rd_double(rd, o, at, "sd", &e->sd);
	rd_double(rd, o, at, "mad", &e->mad);
	rd_double(rd, o, at, "min", &e->min);
	rd_double(rd, o, at, "max", &e->max);
	rd_double(rd, o, at, "cv", &e->cv);
	rd_double(rd, o, at, "ci_level", &e->ci_level);
	rd_double(rd, o, at, "median_lo", &e->median_lo);
	rd_double(rd, o, at, "median_hi", &e->median_hi);
	rd_double(rd, o, at, "ci_coverage", &e->ci_coverage);
	rd_unsigned(rd, o, at, "mild_low", &e->mild_low);
	rd_unsigned(rd, o, at, "mild_high", &e->mild_high);
	rd_unsigned(rd, o, at, "severe_low", &e->severe_low);
	rd_unsigned(rd, o, at, "severe_high", &e->severe_high);
	rd_double(rd, o, at, "q1", &e->q1);
	rd_double(rd, o, at, "q3", &e->q3);
}

/* A figure that is unknown (null: NaN) or >= 0. */
static void rd_nonnegative(struct reader *rd, const char *at,
			   const char *key, double v)
{
	if (!rd->failed && (isinf(v) || v < 0))
		rd_fail(rd, at, key, "expected a value >= 0 or null, got %g",
			v);
}

/* An optional non-negative integer: false when null or absent. */
static bool rd_opt_u64(struct reader *rd, json_t *obj, const char *at,
		       const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return false;
	rd_u64(rd, obj, at, key, out);
	return !rd->failed;
}

/* "memory" (files before it have none: nothing known). The heap's three
 * figures come together, as do the RSS's two. */
static void read_sample_memory(struct reader *rd, json_t *o, const char *at,
			       struct sample_memory *m)
{
	json_t *mem = json_object_get(o, "memory");
	char mat[AT_LEN];
	int heap = 0, rss = 0;

	if (rd->failed || !mem || json_is_null(mem))
		return;
	if (!json_is_object(mem)) {
		rd_fail(rd, at, "memory", "expected an object");
		return;
	}
	at_join(mat, sizeof(mat), "%s.memory", at);
	heap += rd_opt_u64(rd, mem, mat, "allocs", &m->allocs);
	heap += rd_opt_u64(rd, mem, mat, "alloc_bytes", &m->alloc_bytes);
	heap += rd_opt_u64(rd, mem, mat, "heap_peak", &m->heap_peak);
	rss += rd_opt_u64(rd, mem, mat, "rss_before", &m->rss_before);
	rss += rd_opt_u64(rd, mem, mat, "rss_peak", &m->rss_peak);
	if ((heap && heap < 3) || (rss && rss < 2))
		rd_fail(rd, mat, "", "heap figures come together (allocs, "
			"alloc_bytes, heap_peak), as do rss_before and "
			"rss_peak");
	m->heap_known = heap == 3;
	m->rss_known = rss == 2;
}

static void one_sample(struct reader *rd, json_t *o, const char *at,
		       void *out)
{
	struct sample *s = out;
	json_t *dst;
	char dat[AT_LEN];

	if (!rd->failed && !json_is_object(o))
		rd_fail(rd, at, "", "expected an object");
	/* when it ran (iobench/1 files lack it: one_cell numbers them) */
	if (!rd->legacy) {
		rd_unsigned(rd, o, at, "run", &s->run);
		rd_unsigned(rd, o, at, "round", &s->round);
		rd_double(rd, o, at, "start", &s->start);
	}
	rd_double(rd, o, at, "seconds", &s->seconds);
	rd_double(rd, o, at, "sync_seconds", &s->sync_seconds);
	rd_double(rd, o, at, "cpu_user", &s->cpu_user);
	rd_double(rd, o, at, "cpu_sys", &s->cpu_sys);
	/* a measured time: compare's statistics and rates divide by it,
	 * and no copy takes no time at all */
	if (!rd->failed && !(isfinite(s->seconds) && s->seconds > 0))
		rd_fail(rd, at, "seconds", "expected a time > 0 s, got %g",
			s->seconds);
	rd_nonnegative(rd, at, "sync_seconds", s->sync_seconds);
	rd_nonnegative(rd, at, "cpu_user", s->cpu_user);
	rd_nonnegative(rd, at, "cpu_sys", s->cpu_sys);
	rd_u64(rd, o, at, "src_pages", &s->src_pages);
	rd_int_range(rd, o, at, "src_resident_before", INT64_MIN, INT64_MAX,
		     &s->src_resident_before);
	rd_int_range(rd, o, at, "src_resident_after", INT64_MIN, INT64_MAX,
		     &s->src_resident_after);
	dst = rd_object(rd, o, at, "dst");
	at_join(dat, sizeof(dat), "%s.dst", at);
	rd_int_range(rd, dst, dat, "cached", INT64_MIN, INT64_MAX,
		     &s->dst.cached);
	rd_int_range(rd, dst, dat, "dirty", INT64_MIN, INT64_MAX,
		     &s->dst.dirty);
	rd_int_range(rd, dst, dat, "writeback", INT64_MIN, INT64_MAX,
		     &s->dst.writeback);
	rd_bool(rd, o, at, "residency_ok", &s->residency_ok);
	read_sample_memory(rd, o, at, &s->mem);
}

static void one_cell(struct reader *rd, json_t *o, const char *at, void *out)
{
	struct cell *c = out;
	const char *s;

	if (!rd->failed && !json_is_object(o))
		rd_fail(rd, at, "", "expected an object");
	read_params(rd, o, at, c);
	s = rd_name(rd, o, at, "status");
	if (s && cell_status_parse(s, &c->status))
		rd_fail(rd, at, "status", "unknown status '%s'", s);
	rd_string(rd, o, at, "reason", &c->reason);
	rd_double(rd, o, at, "warmup_seconds", &c->warmup_seconds);
	if (json_object_get(o, "tool_start_seconds"))
		rd_double(rd, o, at, "tool_start_seconds", &c->tool_start);
	read_usage(rd, o, at, &c->usage);
	rd_bool(rd, o, at, "verified", &c->verified);
	rd_u64(rd, o, at, "copies_verified", &c->copies_verified);
	read_estimates(rd, o, at, &c->est);
	c->samples = rd_list(rd, o, at, "samples", sizeof(struct sample),
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

		at_join(pat, sizeof(pat), "%s.parameters", at);
		rd_fail(rd, pat, "batch", "0 files per sample, but %zu "
			"sample%s", c->n_samples, c->n_samples == 1 ? "" : "s");
	}
}

#define SLURP_CHUNK (4u << 20)

/* Whether the n bytes just read at buf + off show that buf cannot hold a
 * JSON object: -EINVAL with the reason in rd, else 0. */
static int not_json_text(struct reader *rd, const char *buf, size_t off,
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
static int slurp_regular_file(struct reader *rd, char **text, size_t *len)
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
static json_t *load_document(struct reader *rd)
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
		rd_fail(rd, "", "(top level)", "expected an object");
		json_decref(root);
		return NULL;
	}
	return root;
}

int results_read_json(const char *path, struct run *run, char *err,
		      size_t len)
{
	struct reader rd = { .file = path, .err = err, .len = len };
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
	schema = rd_name(&rd, root, "", "schema");
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
	read_run(&rd, root, run);
	read_env(&rd, root, &run->env);
	read_request(&rd, root, &run->request);
	if (!rd.failed && limits_json_read(root, run, ext_why,
					   sizeof(ext_why))) {
		/* "field: what" -> the reader's "file: field: what" */
		char *what = strstr(ext_why, ": ");

		if (what)
			*what = '\0';
		rd_fail(&rd, "", ext_why, "%s", what ? what + 2 : "invalid");
	}
	run->cells = rd_list(&rd, root, "", "cells", sizeof(struct cell),
			     &run->n_cells, one_cell);
	if (!rd.failed && threads_json_read(root, path, run, err, len))
		rd.failed = true;
	if (!rd.failed && clients_json_read(root, path, run, err, len))
		rd.failed = true;
	if (!rd.failed && profile_json_read(root, path, run, err, len))
		rd.failed = true;
	if (!rd.failed && workload_json_read(root, path, run, err, len))
		rd.failed = true;
	if (!rd.failed && cell_io_json_read(root, run, ext_why,
					    sizeof(ext_why)))
		rd_fail(&rd, "", "io", "%s", ext_why);
	if (!rd.failed && io_latency_json_read(json_object_get(root, "cells"),
					       run->io, ext_why,
					       sizeof(ext_why)))
		rd_fail(&rd, "", "io", "%s", ext_why);
	/* environment.storage: optional, older files lack it */
	if (!rd.failed && env_storage_json_read(root, &run->env.storage,
						ext_why, sizeof(ext_why)))
		rd_fail(&rd, "environment", "storage", "%s", ext_why);
	if (!rd.failed && env_load_json_read(root, &run->env.load, ext_why,
					     sizeof(ext_why)))
		rd_fail(&rd, "environment", "load", "%s", ext_why);
	json_decref(root);
	json_samples_free(&rd.fast);
	if (!rd.failed && !run->schema)
		rd_fail(&rd, "", "schema", "out of memory");
	if (rd.failed) {
		results_free(run);
		return -EINVAL;
	}
	return 0;
}

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
