// SPDX-License-Identifier: MIT
/*
 * results.json fields of MPI runs (jansson): the job, its hosts, the
 * ranks of each cell and every sample's per-rank figures.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_rd.h"
#include "clients_json.h"

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

static json_t *request_json(const struct run_request *q)
{
	json_t *ranks = q->n_ranks ? json_array() : json_null();

	for (size_t i = 0; ranks && i < q->n_ranks; i++)
		if (json_array_append_new(ranks, json_integer(q->ranks[i]))) {
			json_decref(ranks);
			return NULL;
		}
	return json_pack("{s:I, s:s, s:o, s:o}", "world",
			 (json_int_t)q->mpi_world, "layout",
			 cluster_layout_name(q->layout), "ranks", ranks,
			 "stonewall", q->stonewall > 0 ? json_real(q->stonewall)
						       : json_null());
}

static json_t *host_json(const struct env_host *h)
{
	json_t *ranks = json_array();

	for (size_t i = 0; ranks && i < h->n_ranks; i++)
		if (json_array_append_new(ranks, json_integer(h->ranks[i]))) {
			json_decref(ranks);
			return NULL;
		}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "hostname", results_json_text(h->hostname),
			 "kernel", results_json_text(h->kernel),
			 "cpu_model", results_json_text(h->cpu_model),
			 "fs_type", results_json_text(h->fs_type),
			 "device", results_json_text(h->device),
			 "mount_options", results_json_text(h->mount_options),
			 "ranks", ranks,
			 "clock_error", jnum(h->clock_error));
}

static json_t *per_rank_json(const struct sample *s, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < n; i++) {
		const struct rank_figure *f = &s->per_rank[i];
		json_t *o = json_pack("{s:o, s:o, s:I, s:I}", "start",
				      jnum(f->start), "seconds",
				      jnum(f->seconds), "bytes",
				      (json_int_t)f->bytes, "files",
				      (json_int_t)f->files);

		if (json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int clients_json_request(json_t *request, const struct run_request *q)
{
	if (!q->mpi_world)
		return 0;
	return set(request, "mpi", request_json(q));
}

int clients_json_env(json_t *env, const struct run *run)
{
	json_t *hosts;

	if (!run->request.mpi_world)
		return 0;
	hosts = json_array();
	for (size_t i = 0; hosts && i < run->env.n_hosts; i++) {
		json_t *h = host_json(&run->env.hosts[i]);

		if (json_array_append_new(hosts, h)) {
			json_decref(hosts);
			return -ENOMEM;
		}
	}
	return set(env, "hosts", hosts);
}

int clients_json_params(json_t *params, unsigned ranks)
{
	if (!ranks)
		return 0;
	return set(params, "ranks", json_integer(ranks));
}

int clients_json_sample(json_t *sample, const struct sample *s,
			unsigned ranks)
{
	int ret = 0;

	if (!ranks || !s->per_rank)
		return 0;
	ret |= set(sample, "first_finish", jnum(s->first_finish));
	ret |= set(sample, "per_rank", per_rank_json(s, ranks));
	if (s->copies > 0)
		ret |= set(sample, "copies", json_real(s->copies));
	return ret ? -ENOMEM : 0;
}

/* ---- reading ---- */

/* An array of integers in [1, max] into a malloc'd array. */
static uint64_t *int_array(struct json_rd *rd, json_t *a, const char *at,
			   uint64_t min, uint64_t max, size_t *n)
{
	uint64_t *out;
	size_t i;
	json_t *v;

	*n = 0;
	if (!json_is_array(a)) {
		json_rd_fail(rd, "%s: expected an array", at);
		return NULL;
	}
	out = calloc(json_array_size(a) + 1, sizeof(*out));
	if (!out) {
		json_rd_fail(rd, "out of memory");
		return NULL;
	}
	json_array_foreach(a, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)min ||
		    (uint64_t)json_integer_value(v) > max) {
			json_rd_fail(rd, "%s[%zu]: expected an integer from %llu to "
			     "%llu", at, i, (unsigned long long)min,
			     (unsigned long long)max);
			free(out);
			*n = 0;
			return NULL;
		}
		out[(*n)++] = (uint64_t)json_integer_value(v);
	}
	return out;
}

static void read_request(struct json_rd *rd, json_t *o, struct run_request *q)
{
	json_t *w = json_object_get(o, "world");
	json_t *l = json_object_get(o, "layout");
	json_t *r = json_object_get(o, "ranks");
	json_t *s = json_object_get(o, "stonewall");

	if (!json_is_object(o)) {
		json_rd_fail(rd, "request.mpi: expected an object");
		return;
	}
	if (!json_is_integer(w) || json_integer_value(w) < 1 ||
	    json_integer_value(w) > UINT32_MAX) {
		json_rd_fail(rd, "request.mpi.world: expected a rank count");
		return;
	}
	q->mpi_world = (unsigned)json_integer_value(w);
	if (!json_is_string(l) ||
	    cluster_layout_parse(json_string_value(l), &q->layout))
		json_rd_fail(rd, "request.mpi.layout: expected files or shared");
	if (r && !json_is_null(r))
		q->ranks = int_array(rd, r, "request.mpi.ranks", 1,
				     q->mpi_world, &q->n_ranks);
	if (s && !json_is_null(s) && !json_is_number(s))
		json_rd_fail(rd, "request.mpi.stonewall: expected seconds or null");
	else if (s && json_is_number(s))
		q->stonewall = json_number_value(s);
}

static char *str_of(struct json_rd *rd, json_t *o, const char *at,
		    const char *key)
{
	json_t *v = json_object_get(o, key);
	char *s;

	if (!json_is_string(v)) {
		json_rd_fail(rd, "%s.%s: expected a string", at, key);
		return NULL;
	}
	s = strdup(json_string_value(v));
	if (!s)
		json_rd_fail(rd, "out of memory");
	return s;
}

static void read_hosts(struct json_rd *rd, json_t *a, struct environment *e,
		       unsigned world)
{
	size_t i;
	json_t *o;

	if (!json_is_array(a)) {
		json_rd_fail(rd, "environment.hosts: expected an array");
		return;
	}
	e->hosts = calloc(json_array_size(a) + 1, sizeof(*e->hosts));
	if (!e->hosts) {
		json_rd_fail(rd, "out of memory");
		return;
	}
	json_array_foreach(a, i, o) {
		struct env_host *h = &e->hosts[e->n_hosts++];
		json_t *off = json_object_get(o, "clock_error");
		char at[64];
		uint64_t *r;

		snprintf(at, sizeof(at), "environment.hosts[%zu]", i);
		h->hostname = str_of(rd, o, at, "hostname");
		h->kernel = str_of(rd, o, at, "kernel");
		h->cpu_model = str_of(rd, o, at, "cpu_model");
		h->fs_type = str_of(rd, o, at, "fs_type");
		h->device = str_of(rd, o, at, "device");
		h->mount_options = str_of(rd, o, at, "mount_options");
		snprintf(at, sizeof(at), "environment.hosts[%zu].ranks", i);
		r = int_array(rd, json_object_get(o, "ranks"), at, 0,
			      world ? world - 1 : 0, &h->n_ranks);
		h->ranks = calloc(h->n_ranks + 1, sizeof(*h->ranks));
		for (size_t k = 0; h->ranks && r && k < h->n_ranks; k++)
			h->ranks[k] = (unsigned)r[k];
		free(r);
		if (json_is_number(off))
			h->clock_error = json_number_value(off);
		if (rd->ret)
			return;
	}
}

/* One of a sample's per_rank figures. */
static bool read_rank_figure(json_t *v, void *out)
{
	json_t *st = json_object_get(v, "start");
	json_t *sec = json_object_get(v, "seconds");
	json_t *b = json_object_get(v, "bytes");
	json_t *f = json_object_get(v, "files");

	if (!json_is_number(st) || !json_is_number(sec) ||
	    !json_is_integer(b) || json_integer_value(b) < 0 ||
	    !json_is_integer(f) || json_integer_value(f) < 0)
		return false;
	*(struct rank_figure *)out = (struct rank_figure){
		json_number_value(st), json_number_value(sec),
		(uint64_t)json_integer_value(b),
		(unsigned)json_integer_value(f) };
	return true;
}

static void read_sample(struct json_rd *rd, json_t *o, const char *at,
			struct sample *s, unsigned n)
{
	json_t *ff = json_object_get(o, "first_finish");

	if (json_is_number(ff))
		s->first_finish = json_number_value(ff);
	json_rd_opt_number(rd, o, at, "copies", false, &s->copies);
	s->per_rank = json_rd_figures(rd, o, at, "per_rank", n,
				      sizeof(*s->per_rank),
				      "{start, seconds, bytes, files}",
				      read_rank_figure);
}

static void read_cell(struct json_rd *rd, json_t *o, size_t ci, struct cell *c,
		      unsigned world)
{
	json_t *r = json_object_get(json_object_get(o, "parameters"),
				    "ranks");
	json_t *samples = json_object_get(o, "samples");

	if (!r)
		return;
	if (!json_is_integer(r) || json_integer_value(r) < 1 ||
	    json_integer_value(r) > world) {
		json_rd_fail(rd, "cells[%zu].parameters.ranks: expected 1 to %u", ci,
		     world);
		return;
	}
	c->ranks = (unsigned)json_integer_value(r);
	json_rd_samples(rd, samples, ci, c->samples, c->n_samples, c->ranks,
			read_sample);
}

int clients_json_read(json_t *root, const char *file, struct run *run,
		      char *err, size_t len)
{
	struct json_rd rd = { .file = file, .err = err, .len = len };
	json_t *mpi = json_object_get(json_object_get(root, "request"), "mpi");
	json_t *hosts = json_object_get(json_object_get(root, "environment"),
					"hosts");
	json_t *cells = json_object_get(root, "cells");

	if (!mpi)
		return 0;
	read_request(&rd, mpi, &run->request);
	if (!rd.ret && hosts)
		read_hosts(&rd, hosts, &run->env, run->request.mpi_world);
	for (size_t i = 0; !rd.ret && i < run->n_cells; i++)
		read_cell(&rd, json_array_get(cells, i), i, &run->cells[i],
			  run->request.mpi_world);
	return rd.ret;
}
