// SPDX-License-Identifier: MIT
/*
 * Per-I/O latency in the results model: a cell's "io_latency" written,
 * read back and written again unchanged; files without it still read;
 * a wrong unit refused; the report's table and plot.
 * usage: test_io_latency             the unit tests (synthetic run)
 *        test_io_latency RESULTS     reads a sweep's results.json back,
 *                                    writes it again and checks every
 *                                    cell's io_latency survived (exit 0/1)
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cell_io.h"
#include "files.h"
#include "io_latency.h"
#include "synthetic.h"

static char dir[64];

static void path_in(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* The synthetic run with per-I/O latencies on its odirect cells (a
 * spread from 20 us to 2 ms) and none elsewhere. */
static void make_run(struct run *run)
{
	assert_int_equal(synthetic_run(run), 0);
	run->io = calloc(1, sizeof(*run->io));
	assert_non_null(run->io);
	run->free_io = run_io_free;
	run->io->cells = calloc(run->n_cells, sizeof(*run->io->cells));
	assert_non_null(run->io->cells);
	run->io->n_cells = run->n_cells;
	run->io->timestamp_ns = 25;
	for (size_t i = 0; i < run->n_cells; i++) {
		struct histogram *h = &run->io->cells[i].io_lat;

		assert_int_equal(histogram_init(&run->io->cells[i].lat,
						CELL_IO_BITS), 0);
		if (strcmp(run->cells[i].strategy, "odirect"))
			continue;
		assert_int_equal(histogram_init(h, IO_LATENCY_BITS), 0);
		for (uint64_t v = 0; v < 1000; v++)
			histogram_record(h, 20000 + v * v * 2);
		histogram_record(&run->io->cells[i].lat, 4000000);
	}
}

static void assert_same_io_latency(const struct run *a, const struct run *b)
{
	assert_non_null(b->io);
	assert_int_equal(a->n_cells, b->n_cells);
	for (size_t i = 0; i < a->n_cells; i++) {
		struct histogram_summary x, y;

		histogram_summarize(&a->io->cells[i].io_lat, &x);
		histogram_summarize(&b->io->cells[i].io_lat, &y);
		assert_int_equal(x.count, y.count);
		assert_int_equal(x.min, y.min);
		assert_int_equal(x.p50, y.p50);
		assert_int_equal(x.p999, y.p999);
		assert_int_equal(x.max, y.max);
	}
}

static void test_round_trip(void **state)
{
	char path[128], again[128];
	char *first, *second;
	struct run a, b, c;
	char err[512];
	json_t *root, *cells;
	size_t i, with = 0;
	json_t *cell;

	(void)state;
	make_run(&a);
	path_in("results.json", path, sizeof(path));
	assert_int_equal(results_write_json(&a, NULL, path), 0);
	root = json_load_file(path, 0, NULL);
	assert_non_null(root);
	cells = json_object_get(root, "cells");
	json_array_foreach(cells, i, cell) {
		json_t *v = json_object_get(cell, "io_latency");
		bool odirect = !strcmp(a.cells[i].strategy, "odirect");

		assert_int_equal(v != NULL, odirect);
		if (!v)
			continue;
		with++;
		assert_string_equal(json_string_value(json_object_get(
					    v, "unit")), "ns");
		assert_int_equal(json_integer_value(json_object_get(
					 v, "count")), 1000);
		assert_true(json_integer_value(json_object_get(v, "p50")) <=
			    json_integer_value(json_object_get(v, "p99")));
		assert_non_null(json_object_get(json_object_get(v,
								"histogram"),
						"buckets"));
	}
	assert_true(with >= 2);
	json_decref(root);

	assert_int_equal(results_read_json(path, &b, err, sizeof(err)), 0);
	assert_same_io_latency(&a, &b);
	path_in("again.json", again, sizeof(again));
	assert_int_equal(results_write_json(&b, NULL, again), 0);
	first = test_slurp(path, NULL);
	second = test_slurp(again, NULL);
	assert_string_equal(first, second);
	assert_int_equal(results_read_json(again, &c, err, sizeof(err)), 0);
	assert_same_io_latency(&a, &c);
	free(first);
	free(second);
	results_free(&a);
	results_free(&b);
	results_free(&c);
	unlink(path);
	unlink(again);
}

/* Rewrites path with every cell's io_latency passed through edit. */
static void edit_cells(const char *path, void (*edit)(json_t *cell))
{
	json_t *root = json_load_file(path, 0, NULL), *cell;
	size_t i;

	assert_non_null(root);
	json_array_foreach(json_object_get(root, "cells"), i, cell)
		edit(cell);
	assert_int_equal(json_dump_file(root, path, 0), 0);
	json_decref(root);
}

static void drop_io_latency(json_t *cell)
{
	json_object_del(cell, "io_latency");
}

static void unit_ms(json_t *cell)
{
	json_t *v = json_object_get(cell, "io_latency");

	if (v)
		json_object_set_new(v, "unit", json_string("ms"));
}

static void test_older_files_and_errors(void **state)
{
	char path[128], err[512];
	struct run a, b;

	(void)state;
	make_run(&a);
	path_in("old.json", path, sizeof(path));
	assert_int_equal(results_write_json(&a, NULL, path), 0);
	edit_cells(path, drop_io_latency);
	assert_int_equal(results_read_json(path, &b, err, sizeof(err)), 0);
	assert_false(io_latency_any(b.io));
	results_free(&b);

	assert_int_equal(results_write_json(&a, NULL, path), 0);
	edit_cells(path, unit_ms);
	assert_int_equal(results_read_json(path, &b, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "io_latency: expected an object in ns"));
	results_free(&a);
	unlink(path);
}

static void test_report(void **state)
{
	char path[128], plot[160];
	struct run a;
	char *md, *at, *end;

	(void)state;
	make_run(&a);
	path_in("report.md", path, sizeof(path));
	md = synthetic_report_md(&a, path);
	at = test_find(md, "### Per-I/O latency\n");
	/* after the per-copy table, with its own columns and odirect rows */
	assert_non_null(strstr(md, "### Per-copy latency"));
	assert_true(strstr(md, "### Per-copy latency") < at);
	end = strstr(at + 1, "\n#");
	if (end)
		*end = '\0';	/* the part alone, up to the next heading */
	assert_non_null(strstr(at, "| I/Os | I/Os per copy | p50 |"));
	assert_non_null(strstr(at, "`odirect`"));
	assert_null(strstr(at, "`rw`"));
	assert_non_null(strstr(at, "two clock reads"));
	snprintf(plot, sizeof(plot), "%s/plots/io-latency-warm.svg", dir);
	if (!strstr(at, "Plot skipped"))
		assert_int_equal(access(plot, F_OK), 0);
	else
		print_message("# no plot drawn here: %s\n",
			      strstr(at, "Plot skipped"));
	free(md);
	results_free(&a);
}

/* Reader mode: RESULTS read, written again, and every io_latency in
 * the copy equal to the original's. */
static int reread(const char *path)
{
	char again[PATH_MAX], err[512];
	json_t *x, *y;
	struct run run;
	size_t n = 0;
	int ret;

	if (results_read_json(path, &run, err, sizeof(err))) {
		fprintf(stderr, "FAIL: reading %s: %s\n", path, err);
		return 1;
	}
	snprintf(again, sizeof(again), "%s.again", path);
	ret = results_write_json(&run, NULL, again);
	results_free(&run);
	if (ret) {
		fprintf(stderr, "FAIL: writing %s: %s\n", again,
			strerror(-ret));
		return 1;
	}
	x = json_load_file(path, 0, NULL);
	y = json_load_file(again, 0, NULL);
	unlink(again);
	for (size_t i = 0; x && y && i < json_array_size(json_object_get(
						     x, "cells")); i++) {
		json_t *a = json_object_get(json_array_get(json_object_get(
					x, "cells"), i), "io_latency");
		json_t *b = json_object_get(json_array_get(json_object_get(
					y, "cells"), i), "io_latency");

		if (!json_equal(a, b) && (a || b)) {
			fprintf(stderr, "FAIL: cells[%zu].io_latency differs "
				"after reading back\n", i);
			ret = 1;
		}
		n += a != NULL;
	}
	if (!x || !y)
		ret = 1;
	json_decref(x);
	json_decref(y);
	printf("%zu cells with io_latency read back unchanged\n", n);
	return ret || !n;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_older_files_and_errors),
		cmocka_unit_test(test_report),
	};
	char cmd[128];
	int ret;

	if (argc == 2)
		return reread(argv[1]);
	snprintf(dir, sizeof(dir), "%s/iobench-iolat-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	return ret;
}
