// SPDX-License-Identifier: MIT
/*
 * results.json's writer (schema "iobench/2", jansson): builds the whole
 * document in one place; other modules give the members they own
 * (threads_json.h, clients_json.h, cell_io.h, env_load.h, profile.h,
 * machine_limits.h, workload.h, env_storage.h, analysis.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis.h"
#include "cell_io.h"
#include "clients_json.h"
#include "env_load.h"
#include "env_noise.h"
#include "env_storage.h"
#include "io_latency.h"
#include "json_num.h"
#include "machine_limits.h"
#include "outfile.h"
#include "profile.h"
#include "results.h"
#include "sample_metric.h"
#include "source_tree.h"
#include "strategies.h"
#include "targets_json.h"
#include "threads_json.h"
#include "workload.h"
#include "workload_report.h"

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
			 "duration", json_num(r->duration),
			 "command_line", results_json_text(r->command_line),
			 "version", r->version, "commit", r->commit,
			 "incomplete", r->incomplete,
			 "warnings", str_array(r->warnings, r->n_warnings));
}

/* The environment; src_fs_type and src_device only with --src-dir, so
 * other runs write what they always did; then an MPI run's hosts and the
 * load the run met. */
static json_t *env_to_json(const struct run *run)
{
	const struct environment *e = &run->env;
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
	      put(o, "src_device", results_json_text(e->src_device)))) ||
	    clients_json_env(o, run) || env_load_json_add(o, &e->load) ||
	    env_noise_json_add(o, &e->noise)) {
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
			 "budget", json_num(q->budget),
			 "timeout", json_num(q->timeout),
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
				  workload_json(run->workload))) ||
	    clients_json_request(o, q) || targets_json_request(o, q)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ranks: the cell's MPI ranks, 0 for none (clients_json.h) */
static json_t *params_to_json(const struct cell *c, unsigned ranks)
{
	json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:I}",
			 "strategy", c->strategy ? c->strategy : "",
			 "size", ju64(c->size),
			 "tunables", results_json_cell_tunables(c),
			 "cache", cache_mode_name(c->cache),
			 "sync", sync_mode_name(c->sync),
			 "content", content_kind_name(c->content),
			 "batch", (json_int_t)c->batch);

	if (threads_json_params(o, c) || clients_json_params(o, ranks)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *usage_to_json(const struct cell_usage *u)
{
	return json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:I}",
			 "user", json_num(u->user), "sys", json_num(u->sys),
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
			 "median", json_num(e->median > 0 ?
					 per_copy_units / e->median : 0),
			 "ci_lo", json_num(e->median_hi > 0 ?
					per_copy_units / e->median_hi : 0),
			 "ci_hi", json_num(e->median_lo > 0 ?
					per_copy_units / e->median_lo : 0));
}

static json_t *estimates_to_json(const struct cell *c)
{
	const struct estimates *e = &c->est;
	json_t *o;

	o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
		      " s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
		      "n", (json_int_t)e->n, "median", json_num(e->median),
		      "mean", json_num(e->mean), "sd", json_num(e->sd),
		      "mad", json_num(e->mad), "min", json_num(e->min),
		      "max", json_num(e->max), "cv", json_num(e->cv),
		      "ci_level", json_num(e->ci_level),
		      "median_lo", json_num(e->median_lo),
		      "median_hi", json_num(e->median_hi),
		      "ci_coverage", json_num(e->ci_coverage),
		      "mild_low", (json_int_t)e->mild_low,
		      "mild_high", (json_int_t)e->mild_high,
		      "severe_low", (json_int_t)e->severe_low,
		      "severe_high", (json_int_t)e->severe_high,
		      "q1", json_num(e->q1), "q3", json_num(e->q3),
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

static json_t *sample_to_json(const struct sample *s, unsigned threads,
			      unsigned ranks)
{
	json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I,"
			 " s:{s:I, s:I, s:I}, s:b}",
			 "run", (json_int_t)s->run,
			 "round", (json_int_t)s->round,
			 "start", json_num(s->start),
			 "seconds", json_num(s->seconds),
			 "sync_seconds", json_num(s->sync_seconds),
			 "cpu_user", json_num(s->cpu_user),
			 "cpu_sys", json_num(s->cpu_sys),
			 "src_pages", ju64(s->src_pages),
			 "src_resident_before",
			 (json_int_t)s->src_resident_before,
			 "src_resident_after",
			 (json_int_t)s->src_resident_after,
			 "dst", "cached", (json_int_t)s->dst.cached,
			 "dirty", (json_int_t)s->dst.dirty,
			 "writeback", (json_int_t)s->dst.writeback,
			 "residency_ok", s->residency_ok);

	if (put(o, "cpu", s->cpu_known ? json_integer(s->cpu) :
				     json_null()) ||
	    threads_json_sample(o, s, threads) ||
	    put(o, "memory", memory_to_json(&s->mem)) ||
	    clients_json_sample(o, s, ranks)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *samples_to_json(const struct cell *c, unsigned ranks)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->n_samples; i++) {
		if (json_array_append_new(a, sample_to_json(
				&c->samples[i], c->threads ? c->threads : 1,
				ranks))) {
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
			 json_num(sample_metric_median(c, METRIC_ALLOCS)),
			 "heap_peak_bytes",
			 json_num(sample_metric_median(c, METRIC_HEAP)),
			 "rss_growth_bytes",
			 json_num(sample_metric_median(c, METRIC_RSS)),
			 "page_cache_pct",
			 json_num(sample_metric_median(c, METRIC_CACHE)));
}

/* ranks: the cell's MPI ranks, 0 for none (clients_json.h) */
static json_t *cell_to_json(const struct cell *c, unsigned ranks)
{
	json_t *o = json_pack("{s:o, s:s, s:o, s:o, s:o, s:b, s:I, s:o, s:o}",
			 "parameters", params_to_json(c, ranks),
			 "status", cell_status_name(c->status),
			 "reason", results_json_text(c->reason),
			 "warmup_seconds", json_num(c->warmup_seconds),
			 "usage", usage_to_json(&c->usage),
			 "verified", c->verified,
			 "copies_verified", (json_int_t)c->copies_verified,
			 "estimates", estimates_to_json(c),
			 "samples", samples_to_json(c, ranks));

	if ((c->profile.on && put(o, "profile",
				  profile_json_cell(&c->profile))) ||
	    /* a reference tool's start-up, beside its times that include it */
	    (c->tool_start > 0 &&
	     put(o, "tool_start_seconds", json_num(c->tool_start))) ||
	    put(o, "memory", cell_memory_to_json(c))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The cells, each with its analysis when there is one, then its
 * latencies and device I/O (cell_io.h). */
static json_t *cells_to_json(const struct run *run, const struct analysis *an)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < run->n_cells; i++) {
		unsigned ranks = run->request.mpi_world ? run->cells[i].ranks :
							  0;
		json_t *c = cell_to_json(&run->cells[i], ranks);

		if (c && an && json_object_set_new(c, "analysis",
						   analysis_json_cell(an, i)))
			json_decref(c), c = NULL;
		if (c && (cell_io_json_cell(c, run->io, i) ||
			  io_latency_json_cell(c, run->io, i) ||
			  targets_json_cell(c, run, i)))
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
			    "environment", env_to_json(run),
			    "request", request_to_json(run),
			    "cells", cells_to_json(run, an),
			    "limits", limits_to_json(&run->limits));
	if (!root || (an && put(root, "summary",
				analysis_json_summary(an))) ||
	    cell_io_json_run(root, run->io) || targets_json_run(root, run)) {
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
