// SPDX-License-Identifier: MIT
/*
 * results.json (json_write.c, json_read.c) on a synthetic run with known samples: the round
 * trip keeps every field, and the reader's errors for bad syntax, a
 * wrong schema and each kind of bad field name what is wrong.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "env.h"
#include "files.h"
#include "report.h"
#include "synthetic.h"

static void spit(const char *path, const char *text)
{
	assert_int_equal(results_write_file_atomic(path, text, strlen(text)),
			 0);
}

static void assert_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_env_equal(const struct environment *a,
			     const struct environment *b)
{
	assert_str_eq(a->hostname, b->hostname);
	assert_str_eq(a->kernel, b->kernel);
	assert_str_eq(a->cpu_model, b->cpu_model);
	assert_int_equal(a->packages, b->packages);
	assert_int_equal(a->numa_nodes, b->numa_nodes);
	assert_int_equal(a->cores, b->cores);
	assert_int_equal(a->pus, b->pus);
	assert_int_equal(a->mem_total, b->mem_total);
	assert_str_eq(a->fs_type, b->fs_type);
	assert_str_eq(a->mount_options, b->mount_options);
	assert_str_eq(a->device, b->device);
	assert_str_eq(a->device_model, b->device_model);
	assert_int_equal(a->rotational, b->rotational);
	assert_str_eq(a->scheduler, b->scheduler);
	assert_int_equal(a->logical_block_size, b->logical_block_size);
	assert_int_equal(a->dio_mem_align, b->dio_mem_align);
	assert_int_equal(a->dio_offset_align, b->dio_offset_align);
	assert_str_eq(a->governor, b->governor);
	assert_str_eq(a->cache_probe, b->cache_probe);
}

static void assert_request_equal(const struct run_request *a,
				 const struct run_request *b)
{
	assert_int_equal(a->n_strategies, b->n_strategies);
	for (size_t i = 0; i < a->n_strategies; i++)
		assert_string_equal(a->strategies[i], b->strategies[i]);
	assert_int_equal(a->n_sizes, b->n_sizes);
	assert_memory_equal(a->sizes, b->sizes, a->n_sizes * 8);
	for (size_t i = 0; i < TUNABLES_MAX; i++) {
		assert_int_equal(a->tune[i].n, b->tune[i].n);
		if (a->tune[i].n)
			assert_memory_equal(a->tune[i].v, b->tune[i].v,
					    a->tune[i].n * 8);
	}
	assert_int_equal(a->cache_warm, b->cache_warm);
	assert_int_equal(a->cache_cold, b->cache_cold);
	assert_int_equal(a->sync_none, b->sync_none);
	assert_int_equal(a->sync_end, b->sync_end);
	assert_int_equal(a->content, b->content);
	assert_str_eq(a->source, b->source);
	assert_true(a->source_files == b->source_files);
	assert_str_eq(a->dir, b->dir);
	assert_str_eq(a->out, b->out);
	assert_int_equal(a->samples, b->samples);
	assert_true(a->budget == b->budget && a->timeout == b->timeout);
	assert_true(a->seed == b->seed); /* above INT64_MAX */
	assert_int_equal(a->drop_caches, b->drop_caches);
}

/* Doubles must come back bit-identical (17 significant digits). */
static void assert_cell_equal(const struct cell *a, const struct cell *b)
{
	assert_string_equal(a->strategy, b->strategy);
	assert_int_equal(a->size, b->size);
	assert_memory_equal(&a->tun, &b->tun, sizeof(a->tun));
	assert_int_equal(a->cache, b->cache);
	assert_int_equal(a->sync, b->sync);
	assert_int_equal(a->content, b->content);
	assert_int_equal(a->batch, b->batch);
	assert_int_equal(a->status, b->status);
	assert_str_eq(a->reason, b->reason);
	assert_true(a->warmup_seconds == b->warmup_seconds);
	assert_int_equal(a->n_samples, b->n_samples);
	if (a->n_samples)
		assert_memory_equal(a->samples, b->samples,
				    a->n_samples * sizeof(*a->samples));
	assert_memory_equal(&a->usage, &b->usage, sizeof(a->usage));
	assert_memory_equal(&a->est, &b->est, sizeof(a->est));
	assert_int_equal(a->verified, b->verified);
	assert_int_equal(a->copies_verified, b->copies_verified);
}

static void test_json_round_trip(void **state)
{
	struct synthetic_fixture *fx = *state;
	const struct run *a = &fx->run;
	char path[256], path2[256], err[512];
	char *first, *second;
	struct run b;

	synthetic_path(fx, "results.json", path, sizeof(path));
	assert_int_equal(results_write_json(a, NULL, path), 0);
	assert_int_equal(results_read_json(path, &b, err, sizeof(err)), 0);
	assert_string_equal(b.schema, RESULTS_SCHEMA);
	assert_string_equal(b.id, a->id);
	assert_string_equal(b.started, a->started);
	assert_true(b.duration == a->duration);
	assert_string_equal(b.command_line, a->command_line);
	assert_string_equal(b.version, a->version);
	assert_string_equal(b.commit, a->commit);
	assert_int_equal(b.incomplete, a->incomplete);
	assert_int_equal(b.n_warnings, a->n_warnings);
	assert_string_equal(b.warnings[0], a->warnings[0]);
	assert_env_equal(&a->env, &b.env);
	assert_request_equal(&a->request, &b.request);
	assert_int_equal(b.n_cells, a->n_cells);
	for (size_t i = 0; i < a->n_cells; i++)
		assert_cell_equal(&a->cells[i], &b.cells[i]);

	/* and writing what was read gives the same bytes */
	synthetic_path(fx, "again.json", path2, sizeof(path2));
	assert_int_equal(results_write_json(&b, NULL, path2), 0);
	first = test_slurp(path, NULL);
	second = test_slurp(path2, NULL);
	assert_string_equal(first, second);
	free(first);
	free(second);
	results_free(&b);
}

/* Reads path and expects failure with exactly `want` (or, with
 * prefix_only, an error starting with it). */
static void expect_read_error(const char *path, const char *want,
			      bool prefix_only)
{
	struct run run;
	char err[512];

	memset(&run, 0xa5, sizeof(run));
	assert_int_equal(results_read_json(path, &run, err, sizeof(err)),
			 -EINVAL);
	if (prefix_only) {
		if (strncmp(err, want, strlen(want)))
			fail_msg("error '%s' does not start with '%s'", err,
				 want);
	} else {
		assert_string_equal(err, want);
	}
	assert_null(strchr(err, '\n'));
	assert_null(run.cells); /* freed and zeroed on failure */
	assert_null(run.schema);
}

static void test_json_syntax_errors(void **state)
{
	struct synthetic_fixture *fx = *state;
	char path[256], want[512];
	char *text;

	synthetic_path(fx, "results.json", path, sizeof(path));
	assert_int_equal(results_write_json(&fx->run, NULL, path), 0);
	text = test_slurp(path, NULL);

	/* cut before "duration", the 6th line's first key, at column 4 */
	synthetic_path(fx, "truncated.json", path, sizeof(path));
	*strstr(text, "\"duration\"") = '\0';
	spit(path, text);
	snprintf(want, sizeof(want),
		 "%s:6:4: string or '}' expected near "
		 "end of file",
		 path);
	expect_read_error(path, want, false);
	free(text);

	/* a stray token on line 3, column 3 */
	synthetic_path(fx, "corrupt.json", path, sizeof(path));
	spit(path, "{\n  \"schema\": \"iobench/1\",\n  x\n}\n");
	snprintf(want, sizeof(want),
		 "%s:3:3: string or '}' expected near "
		 "'x'",
		 path);
	expect_read_error(path, want, false);

	synthetic_path(fx, "missing.json", path, sizeof(path));
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	expect_read_error(path, want, false);
}

static void test_json_schema_errors(void **state)
{
	struct synthetic_fixture *fx = *state;
	char path[256], want[512];

	synthetic_path(fx, "old.json", path, sizeof(path));
	spit(path, "{\"schema\": \"iobench/0\", \"cells\": []}");
	snprintf(want, sizeof(want),
		 "%s: unknown schema 'iobench/0' (expected iobench/2 or "
		 "iobench/1)",
		 path);
	expect_read_error(path, want, false);

	spit(path, "{\"cells\": []}");
	snprintf(want, sizeof(want), "%s: schema: missing (expected a string)",
		 path);
	expect_read_error(path, want, false);

	spit(path, "[1, 2]");
	snprintf(want, sizeof(want), "%s: (top level): expected an object",
		 path);
	expect_read_error(path, want, false);
}

/* Writes the synthetic run, edits it with `edit`, expects `want`. */
static void expect_field_error(struct synthetic_fixture *fx,
			       void (*edit)(json_t *root), const char *want)
{
	char path[256], full[512];
	json_t *root;
	json_error_t jerr;

	synthetic_path(fx, "edited.json", path, sizeof(path));
	assert_int_equal(results_write_json(&fx->run, NULL, path), 0);
	root = json_load_file(path, 0, &jerr);
	assert_non_null(root);
	edit(root);
	assert_int_equal(json_dump_file(root, path, 0), 0);
	json_decref(root);
	snprintf(full, sizeof(full), "%s: %s", path, want);
	expect_read_error(path, full, false);
}

static json_t *cell_params(json_t *root, size_t i)
{
	return json_object_get(
		json_array_get(json_object_get(root, "cells"), i),
		"parameters");
}

static void edit_size_type(json_t *root)
{
	json_object_set_new(cell_params(root, 3), "size", json_string("big"));
}

static void edit_drop_cache(json_t *root)
{
	json_object_del(cell_params(root, 1), "cache");
}

static void edit_bad_cache(json_t *root)
{
	json_object_set_new(cell_params(root, 0), "cache",
			    json_string("tepid"));
}

static void edit_sample_type(json_t *root)
{
	json_t *cell = json_array_get(json_object_get(root, "cells"), 2);
	json_t *s = json_array_get(json_object_get(cell, "samples"), 5);

	json_object_set_new(json_object_get(s, "dst"), "dirty", json_real(1.5));
}

static void edit_rotational(json_t *root)
{
	json_object_set_new(json_object_get(root, "environment"), "rotational",
			    json_integer(7));
}

static void test_json_field_errors(void **state)
{
	struct synthetic_fixture *fx = *state;

	expect_field_error(fx, edit_size_type,
			   "cells[3].parameters.size: expected a "
			   "non-negative integer");
	expect_field_error(fx, edit_drop_cache,
			   "cells[1].parameters.cache: missing (expected a "
			   "string)");
	expect_field_error(fx, edit_bad_cache,
			   "cells[0].parameters.cache: unknown cache mode "
			   "'tepid'");
	expect_field_error(fx, edit_sample_type,
			   "cells[2].samples[5].dst.dirty: expected an "
			   "integer");
	expect_field_error(fx, edit_rotational,
			   "environment.rotational: 7 out of range [-1, 1]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_round_trip,
						synthetic_setup,
						synthetic_teardown),
		cmocka_unit_test_setup_teardown(test_json_syntax_errors,
						synthetic_setup,
						synthetic_teardown),
		cmocka_unit_test_setup_teardown(test_json_schema_errors,
						synthetic_setup,
						synthetic_teardown),
		cmocka_unit_test_setup_teardown(test_json_field_errors,
						synthetic_setup,
						synthetic_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
