// SPDX-License-Identifier: MIT
/*
 * results.json's sections other modules write (an MPI run's request.mpi,
 * environment.hosts, parameters.ranks and per-rank samples; the "io"
 * latencies; environment.load and .noise): where each lands in the document, and
 * that a file read back is written again byte for byte.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "analysis.h"
#include "cell_io.h"
#include "synthetic.h"

#define RANKS 2u
#define ROUNDS 6u

static double constant_time(unsigned run, unsigned round, void *ctx)
{
	(void)run;
	(void)ctx;
	return 0.002 + 0.0001 * (round % 3);
}

/* Two cells: one on RANKS ranks with per-rank figures, one without. */
static void build_run(struct run *run)
{
	struct synthetic_cell sc = {
		.strategy = "rw", .size = 1 << 20, .cache = CACHE_WARM,
		.sync = SYNC_NONE, .rounds = ROUNDS, .time = constant_time,
	};
	struct env_host *h;
	struct cell *c;
	double lat[2] = { 0.001, 0.002 };

	assert_int_equal(synthetic_base(run), 0);
	assert_int_equal(synthetic_add(run, &sc), 0);
	sc.strategy = "copy_file_range";
	assert_int_equal(synthetic_add(run, &sc), 0);
	run->request.mpi_world = RANKS;
	run->request.layout = CLUSTER_FILES;
	c = &run->cells[0];
	c->ranks = RANKS;
	for (size_t i = 0; i < c->n_samples; i++) {
		struct sample *s = &c->samples[i];

		s->first_finish = s->seconds / 2;
		s->per_rank = calloc(RANKS, sizeof(*s->per_rank));
		assert_non_null(s->per_rank);
		for (unsigned r = 0; r < RANKS; r++)
			s->per_rank[r] = (struct rank_figure){
				.start = 0.001 * r, .seconds = s->seconds,
				.bytes = c->size, .files = 1,
			};
	}
	run->env.hosts = h = calloc(1, sizeof(*h));
	assert_non_null(h);
	run->env.n_hosts = 1;
	h->hostname = strdup("node1");
	h->kernel = strdup("6.1.0");
	h->cpu_model = strdup("cpu");
	h->fs_type = strdup("ext4");
	h->device = strdup("vda");
	h->mount_options = strdup("rw");
	h->ranks = calloc(RANKS, sizeof(*h->ranks));
	assert_true(h->hostname && h->kernel && h->cpu_model && h->fs_type &&
		    h->device && h->mount_options && h->ranks);
	h->n_ranks = RANKS;
	for (unsigned r = 0; r < RANKS; r++)
		h->ranks[r] = r;
	run->env.load = (struct env_load){
		.measured = true, .seconds = 3, .other_cpus = 0.1,
		.steal_cpus = 0, .loadavg_start = 0.5, .loadavg_end = 0.6,
		.reported_kib = -1, .cpus = 2,
	};
	run->env.noise = (struct env_noise){
		.measured = true, .repeats = 40, .samples = 12,
		.median = 0.0125, .spread = 0.08, .mad_rel = 0.06,
		.max_rel = 1.3,
	};
	assert_int_equal(run_io_init(run), 0);
	cell_io_add_sample(run->io, 1, lat, 2, NULL, 2 << 20);
	results_estimate(run);
}

/* The object's keys end with the NULL-terminated list `last`. */
static void keys_end_with(json_t *o, const char *what, ...)
{
	const char *want[8], *key;
	size_t n = 0, at = 0, size = json_object_size(o);
	json_t *v;
	va_list ap;

	assert_true(json_is_object(o));
	va_start(ap, what);
	while (n < 8 && (want[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	assert_true(size >= n);
	json_object_foreach(o, key, v) {
		if (at >= size - n && strcmp(key, want[at - (size - n)]))
			fail_msg("%s: member %zu is '%s', expected '%s'", what,
				 at, key, want[at - (size - n)]);
		at++;
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static bool same_bytes(const char *a, const char *b)
{
	char *x = slurp(a), *y = slurp(b);
	bool same = !strcmp(x, y);

	if (!same)
		print_error("%s and %s differ\n", a, b);
	free(x);
	free(y);
	return same;
}

/* Writes run (with its analysis when an is not NULL), checks where the
 * sections landed, reads it back, writes that again: the same bytes. */
static void check_document(const struct run *run, const struct analysis *an,
			   const char *dir)
{
	char path[256], again[256], err[512];
	json_error_t jerr;
	json_t *root, *cell, *sample;
	struct run back;

	snprintf(path, sizeof(path), "%s/results.json", dir);
	snprintf(again, sizeof(again), "%s/again.json", dir);
	assert_int_equal(results_write_json(run, an, path), 0);
	root = json_load_file(path, 0, &jerr);
	assert_non_null(root);
	keys_end_with(root, "root", "cells", "limits",
		      an ? "summary" : "io", an ? "io" : NULL, NULL);
	keys_end_with(json_object_get(root, "environment"), "environment",
		      "hosts", "load", "noise", NULL);
	keys_end_with(json_object_get(root, "request"), "request", "mpi",
		      NULL);
	cell = json_array_get(json_object_get(root, "cells"), 0);
	keys_end_with(json_object_get(cell, "parameters"), "parameters",
		      "ranks", NULL);
	sample = json_array_get(json_object_get(cell, "samples"), 0);
	keys_end_with(sample, "sample", "memory", "first_finish", "per_rank",
		      NULL);
	assert_int_equal(json_array_size(json_object_get(sample, "per_rank")),
			 RANKS);
	/* the second cell: its latencies after the rest, no MPI members */
	cell = json_array_get(json_object_get(root, "cells"), 1);
	keys_end_with(cell, "cell", "memory", an ? "analysis" : "latency_ns",
		      an ? "latency_ns" : NULL, NULL);
	assert_null(json_object_get(json_object_get(cell, "parameters"),
				    "ranks"));
	json_decref(root);

	assert_int_equal(results_read_json(path, &back, err, sizeof(err)), 0);
	assert_non_null(back.io);
	assert_true(back.env.load.measured);
	assert_true(back.env.noise.measured);
	assert_int_equal(back.env.noise.samples, 12);
	assert_float_equal(back.env.noise.spread, 0.08, 1e-12);
	assert_int_equal(back.env.n_hosts, 1);
	assert_int_equal(back.cells[0].ranks, RANKS);
	assert_non_null(back.cells[0].samples[0].per_rank);
	if (!an) {
		assert_int_equal(results_write_json(&back, NULL, again), 0);
		assert_true(same_bytes(path, again));
	}
	results_free(&back);
	unlink(path);
	unlink(again);
}

static void test_sections(void **state)
{
	char dir[128];
	struct analysis an;
	struct run run;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/iobench-sections-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	build_run(&run);
	check_document(&run, NULL, dir);
	assert_int_equal(analysis_build(&run, &an), 0);
	check_document(&run, &an, dir);
	analysis_free(&an);
	results_free(&run);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
