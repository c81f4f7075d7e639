// SPDX-License-Identifier: MIT
/*
 * The results model and its writers on a synthetic run with known
 * samples: JSON round trip and reader errors, CSV shape, report.md
 * content, atomic writes, and the environment probe on this machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "env.h"
#include "report.h"
#include "strategies.h"
#include "synthetic.h"

#define MIB (1024ull * 1024)
#define CSV_COLUMNS 61
/* a no-break space: report.md keeps a figure and its CI together */
#define NB "\xc2\xa0"

struct fixture {
	char dir[64];
	struct run run;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/iobench-report-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(fx->dir) || synthetic_run(&fx->run)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	struct dirent *e;
	char path[512];
	DIR *d;

	d = opendir(fx->dir);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", fx->dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(fx->dir);
	results_free(&fx->run);
	free(fx);
	return 0;
}

static void path_in(const struct fixture *fx, const char *name, char *out,
		    size_t len)
{
	snprintf(out, len, "%s/%s", fx->dir, name);
}

/* The whole file as a NUL-terminated string; the caller frees. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	assert_non_null(f);
	do {
		cap += 4096;
		buf = realloc(buf, cap + 1);
		assert_non_null(buf);
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *text)
{
	assert_int_equal(results_write_file_atomic(path, text, strlen(text)),
			 0);
}

/* ---- results.c ---- */

static void test_names_and_figures(void **state)
{
	enum cache_mode cm;
	enum sync_mode sm;
	enum cell_status st;
	struct cell c = { .size = 4096, .batch = 4 };
	struct sample s[2] = { { .seconds = 0.004, .src_pages = 4,
				 .src_resident_after = 2,
				 .dst = { .cached = 4, .dirty = -1 } },
			       { .seconds = 0.008, .src_pages = 4,
				 .src_resident_after = 4,
				 .dst = { .cached = 0, .dirty = -1 } } };
	double *x;

	(void)state;
	assert_string_equal(cache_mode_name(CACHE_COLD), "cold");
	assert_string_equal(sync_mode_name(SYNC_END), "end");
	assert_string_equal(cell_status_name(CELL_SKIPPED), "skipped");
	assert_int_equal(cache_mode_parse("warm", &cm), 0);
	assert_int_equal(cm, CACHE_WARM);
	assert_int_equal(sync_mode_parse("none", &sm), 0);
	assert_int_equal(sm, SYNC_NONE);
	assert_int_equal(cell_status_parse("failed", &st), 0);
	assert_int_equal(st, CELL_FAILED);
	assert_int_equal(cache_mode_parse("tepid", &cm), -EINVAL);
	assert_int_equal(sync_mode_parse("", &sm), -EINVAL);

	assert_true(fabs(results_mib_s(100 * MIB, 0.5) - 200) < 1e-9);
	assert_true(results_mib_s(MIB, 0) == 0);

	c.samples = s;
	c.n_samples = 2;
	x = results_per_copy(&c);
	assert_non_null(x);
	assert_true(fabs(x[0] - 0.001) < 1e-15 && fabs(x[1] - 0.002) < 1e-15);
	free(x);
	assert_true(fabs(results_sample_pct(&c, RESULTS_SRC_RESIDENT_AFTER) -
			 75) < 1e-9);
	assert_true(fabs(results_sample_pct(&c, RESULTS_DST_CACHED) - 50) <
		    1e-9);
	assert_true(isnan(results_sample_pct(&c, RESULTS_DST_DIRTY)));
}

static void test_tunables_desc(void **state)
{
	struct cell c = { .strategy = "io_uring" };
	char out[160];

	(void)state;
	assert_int_equal(cell_set_strategy(&c, &strategy_io_uring), 0);
	cell_set_tunable(&c, "buffer", MIB);
	cell_set_tunable(&c, "qd", 8);
	cell_set_tunable(&c, "direct", 1);
	assert_string_equal(cell_tunables_desc(&c, out, sizeof(out)),
			    "buf 1M, qd 8, direct");	/* sqpoll off */
	cell_set_tunable(&c, "direct", 0);
	cell_set_tunable(&c, "sqpoll", 1);
	assert_string_equal(cell_tunables_desc(&c, out, sizeof(out)),
			    "buf 1M, qd 8, sqpoll");
	/* an option the strategy lacks cannot be set */
	assert_int_equal(cell_set_tunable(&c, "nosuch", 1), -ENOENT);
	c.threads = 2;
	c.parallel = PARALLEL_RANGES;
	assert_string_equal(cell_tunables_desc(&c, out, sizeof(out)),
			    "buf 1M, qd 8, sqpoll, 2 threads by ranges (none)");
	assert_string_equal(cell_options_desc(&c, out, sizeof(out)),
			    "buf 1M, qd 8, sqpoll");
	assert_string_equal(cell_key(&c, out, sizeof(out)),
			    "io_uring 0 buffer=1M qd=8 direct=no sqpoll=yes "
			    "warm sync=none random threads=2/ranges "
			    "prealloc=none");
	c = (struct cell){ .strategy = "sendfile" };
	assert_int_equal(cell_set_strategy(&c, &strategy_sendfile), 0);
	assert_string_equal(cell_tunables_desc(&c, out, sizeof(out)), "-");
	assert_string_equal(cell_label(&c, out, sizeof(out)), "`sendfile`");
}

static void test_free_zeroed_and_warnings(void **state)
{
	struct run run = { 0 };

	(void)state;
	results_free(&run);	/* must not crash */
	results_add_warning(&run, "governor is %s", "powersave");
	results_add_warning(&run, "%d cells failed", 3);
	assert_int_equal(run.n_warnings, 2);
	assert_string_equal(run.warnings[1], "3 cells failed");
	results_free(&run);
	assert_int_equal(run.n_warnings, 0);
	assert_null(run.warnings);
}

static void test_estimate_per_copy(void **state)
{
	struct fixture *fx = *state;
	int i = synthetic_find(&fx->run, "rw", MIB, CACHE_WARM, SYNC_NONE);
	const struct cell *c = &fx->run.cells[i];

	assert_true(i >= 0);
	/* samples hold whole batches; estimates are per copy */
	assert_int_equal(c->batch, SYN_BATCH_1M);
	assert_int_equal(c->est.n, 8);
	assert_true(fabs(c->est.median - SYN_RW_1M_WARM) < 1e-12);
	assert_true(c->est.median_lo <= c->est.median &&
		    c->est.median <= c->est.median_hi);
	i = synthetic_find(&fx->run, "reflink", MIB, CACHE_WARM, SYNC_NONE);
	assert_int_equal(fx->run.cells[i].est.n, 0);
}

/* Files in dir whose name starts with prefix. */
static int count_files(const char *dir, const char *prefix)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static void test_write_atomic(void **state)
{
	struct fixture *fx = *state;
	char path[256], bad[300];
	struct stat st;
	char *text;

	path_in(fx, "a.txt", path, sizeof(path));
	spit(path, "first version, longer than the second\n");
	spit(path, "second\n");
	text = slurp(path);
	assert_string_equal(text, "second\n");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_files(fx->dir, "a.txt.tmp"), 0);
	assert_int_equal(results_write_file_atomic(path, "", 0), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);

	snprintf(bad, sizeof(bad), "%s/missing/x.json", fx->dir);
	assert_int_equal(results_write_file_atomic(bad, "x", 1), -ENOENT);
	/* the target is a directory: rename fails, the temp file goes */
	path_in(fx, "sub", path, sizeof(path));
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(bad, sizeof(bad), "%s/sub2", fx->dir);
	assert_int_equal(mkdir(bad, 0755), 0);
	snprintf(bad, sizeof(bad), "%s/sub2/f", fx->dir);
	assert_int_equal(mkdir(bad, 0755), 0);
	snprintf(bad, sizeof(bad), "%s/sub2", fx->dir);
	assert_int_equal(results_write_file_atomic(bad, "x", 1), -EISDIR);
	assert_int_equal(count_files(fx->dir, "sub2.tmp"), 0);
	snprintf(bad, sizeof(bad), "%s/sub2/f", fx->dir);
	rmdir(bad);
	snprintf(bad, sizeof(bad), "%s/sub2", fx->dir);
	rmdir(bad);
	rmdir(path);
}

/* ---- json.c ---- */

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
	assert_true(a->seed == b->seed);	/* above INT64_MAX */
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
	struct fixture *fx = *state;
	const struct run *a = &fx->run;
	char path[256], path2[256], err[512];
	char *first, *second;
	struct run b;

	path_in(fx, "results.json", path, sizeof(path));
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
	path_in(fx, "again.json", path2, sizeof(path2));
	assert_int_equal(results_write_json(&b, NULL, path2), 0);
	first = slurp(path);
	second = slurp(path2);
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
	assert_null(run.cells);	/* freed and zeroed on failure */
	assert_null(run.schema);
}

static void test_json_syntax_errors(void **state)
{
	struct fixture *fx = *state;
	char path[256], want[512];
	char *text;

	path_in(fx, "results.json", path, sizeof(path));
	assert_int_equal(results_write_json(&fx->run, NULL, path), 0);
	text = slurp(path);

	/* cut before "duration", the 6th line's first key, at column 4 */
	path_in(fx, "truncated.json", path, sizeof(path));
	*strstr(text, "\"duration\"") = '\0';
	spit(path, text);
	snprintf(want, sizeof(want), "%s:6:4: string or '}' expected near "
		 "end of file", path);
	expect_read_error(path, want, false);
	free(text);

	/* a stray token on line 3, column 3 */
	path_in(fx, "corrupt.json", path, sizeof(path));
	spit(path, "{\n  \"schema\": \"iobench/1\",\n  x\n}\n");
	snprintf(want, sizeof(want), "%s:3:3: string or '}' expected near "
		 "'x'", path);
	expect_read_error(path, want, false);

	path_in(fx, "missing.json", path, sizeof(path));
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	expect_read_error(path, want, false);
}

static void test_json_schema_errors(void **state)
{
	struct fixture *fx = *state;
	char path[256], want[512];

	path_in(fx, "old.json", path, sizeof(path));
	spit(path, "{\"schema\": \"iobench/0\", \"cells\": []}");
	snprintf(want, sizeof(want),
		 "%s: unknown schema 'iobench/0' (expected iobench/2 or "
		 "iobench/1)", path);
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
static void expect_field_error(struct fixture *fx,
			       void (*edit)(json_t *root), const char *want)
{
	char path[256], full[512];
	json_t *root;
	json_error_t jerr;

	path_in(fx, "edited.json", path, sizeof(path));
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
	return json_object_get(json_array_get(json_object_get(root, "cells"),
					      i), "parameters");
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

	json_object_set_new(json_object_get(s, "dst"), "dirty",
			    json_real(1.5));
}

static void edit_rotational(json_t *root)
{
	json_object_set_new(json_object_get(root, "environment"),
			    "rotational", json_integer(7));
}

static void test_json_field_errors(void **state)
{
	struct fixture *fx = *state;

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

/* ---- csv.c ---- */

/* Fields in one RFC 4180 record starting at *p; *p moves past its CRLF. */
static int csv_fields(const char **p)
{
	const char *s = *p;
	bool quoted = false;
	int n = 1;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;	/* "" toggles twice */
		else if (!quoted && *s == ',')
			n++;
		else if (!quoted && *s == '\r' && s[1] == '\n')
			break;
	}
	assert_false(quoted);
	assert_true(*s == '\r');
	*p = s + 2;
	return n;
}

static void test_csv(void **state)
{
	struct fixture *fx = *state;
	const char *p;
	char path[256];
	char *text;
	size_t rows = 0;

	path_in(fx, "results.csv", path, sizeof(path));
	assert_int_equal(synthetic_write_csv(&fx->run, path), 0);
	text = slurp(path);
	assert_true(!strncmp(text, "strategy,size,buffer_size,queue_depth,"
			     "direct,sqpoll,cache,sync,content,batch,status,"
			     "reason,n,median_s,", 74));
	for (p = text; *p; rows++)
		assert_int_equal(csv_fields(&p), CSV_COLUMNS);
	assert_int_equal(rows, fx->run.n_cells + 1);
	/* a reason with a comma and quotes is quoted, quotes doubled */
	assert_non_null(strstr(text, ",skipped,\"FICLONE: not supported by "
			       "ext4, \"\"skipped\"\"\",0,"));
	/* rw 1M warm: 500 MiB/s median, 4 files per sample */
	/* rw reads a buffer only: qd, direct and sqpoll are empty */
	assert_non_null(strstr(text, "rw,1048576,131072,,,,warm,none,"
			       "random,4,ok,,8,0.002,"));
	free(text);
}

/* ---- report.c ---- */

static char *write_report(struct fixture *fx)
{
	char path[256];

	path_in(fx, "report.md", path, sizeof(path));
	assert_int_equal(synthetic_write_report(&fx->run, path), 0);
	return slurp(path);
}

static void assert_contains(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("report.md lacks '%s'", needle);
}

static void test_report_sections(void **state)
{
	static const char *const headings[] = {
		"# iobench report: run 20261129-181500-ab12\n",
		"\n## Executive summary\n", "\n## Environment\n",
		"\n## Size 1M\n", "\n## Size 100M\n",
		"\n## Page-cache effects\n", "\n## Memory\n",
		"\n## Verification\n", "\n## Recommendations\n",
		"\n## Warnings\n", "\n## Skipped and failed cells\n",
		"\n## Reproduce\n",
	};
	struct fixture *fx = *state;
	char *md = write_report(fx);
	const char *prev = md;

	/* every heading, in this order */
	for (size_t i = 0; i < sizeof(headings) / sizeof(headings[0]); i++) {
		const char *at = strstr(prev, headings[i]);

		if (!at)
			fail_msg("missing or out of order: %s", headings[i]);
		prev = at;
	}
	free(md);
}

static void test_report_figures(void **state)
{
	struct fixture *fx = *state;
	char *md = write_report(fx);

	/* best at 1M: copy_file_range, per-round times of rw / cfr */
	assert_contains(md, "| 1M | warm | `copy_file_range` | 1250" NB "[1210,"
			NB "1290] | 2.50x" NB "[2.50," NB "2.50] |");
	assert_contains(md, "- 1M (warm): `copy_file_range` is fastest; 2.50x "
			"[2.50, 2.50] faster than `rw`.");
	assert_contains(md, "**Uncertainty**: CIs are within-run");
	/* the per-size table: bold best set, paired speed-up, spread, n */
	assert_contains(md, "### 1M, warm\n\n| strategy | tunables | MiB/s "
			"[95% CI] | vs `rw` [95% CI] | CPU s/GiB | spread | n "
			"|\n|---|---|---:|---:|---:|---:|---:|\n| "
			"**`copy_file_range`** | - | 1250" NB "[1210," NB "1290] "
			"| 2.50x" NB "[2.50," NB "2.50] | 0.410 | 2.50% | 8 |");
	assert_contains(md, "| `rw` | buf 128K | 500" NB "[485," NB "515] | "
			"baseline |");
	assert_contains(md, "### 1M, warm, fdatasync at end\n\n");
	assert_contains(md, "| **`rw`** | buf 128K | 100" NB "[97.1," NB "103] "
			"| baseline |");
	/* ranked and merged recommendations */
	assert_contains(md, "**High**: Use `copy_file_range` for 1M and 100M "
			"files: 2.50x `rw` at 1M warm (1.22 GiB/s vs 500 "
			"MiB/s; 95% CI [2.50, 2.50]); 1.25x `rw` at 1M cold");
	assert_contains(md, "**Medium**: To keep the page cache for other "
			"work, use `odirect` for 1M and 100M files");
	assert_contains(md, "**Low**: Keep 128K buffers for `rw`: 1M buffers "
			"change its speed by less than 2% for 1M files");
	/* observations apart from recommendations */
	assert_contains(md, "### Observations\n\n- Cold copies (source not "
			"cached) are much slower for 1M files");
	/* page cache: one line per mode, only the odd ones named */
	assert_contains(md, "- **1M, warm**: source 100% cached after the copy; "
			"destination 100% cached (75.0% dirty), except "
			"`odirect` 0%.");
	assert_contains(md, "| 1M | `rw` (buf 128K) | warm | 500" NB "[485," NB
			"515] | 100" NB "[97.1," NB "103] | 5.00x" NB "[5.00,"
			NB "5.00] |");
	assert_contains(md, "Peak RSS of a sample process: 2.00 MiB to 2.10 "
			"MiB, alike for every strategy.");
	assert_contains(md, "242 copies, all identical");
	/* warnings: one table, one sentence per kind */
	assert_contains(md, "| `copy_file_range`, 1M cold | slow first copy | "
			"3.00x the median |");
	assert_contains(md, "| `copy_file_range`, 1M cold | cache check failed "
			"| 1 of 8 samples |");
	assert_contains(md, "| `odirect` (buf 128K), 1M cold | few samples | 5 "
			"samples |");
	assert_contains(md, "| `odirect` (buf 128K), 100M cold | noisy | IQR "
			"47.5% of the median |");
	assert_contains(md, "- **noisy**: The middle half");
	assert_contains(md, "governor is `powersave`");
	assert_contains(md, "- scratch space was nearly full\n");
	assert_contains(md, "| `copy_file_range` | - | 100M | cold | none | "
			"failed | No space left on device |");
	assert_contains(md, "| rw,relatime\\|odd |");	/* pipe escaped */
	assert_contains(md, "| sparse sources (--sparse) | auto: a source "
			"that looks sparse keeps its holes");
	assert_contains(md, "iobench sweep --sizes 1M,100M --strategies "
			"rw,copy_file_range,odirect,reflink --buffers 128K,1M "
			"--qd 32 --cache warm,cold --sync none,end --content "
			"random --sparse auto --samples 8 --timeout 60 --budget 2.5 --seed "
			"18446744073709551557 --dir '/tmp/my dir' --out "
			"results --no-limits --reference none\n```\n");
	free(md);
}

/* A run where nothing was measured still gives a whole report. */
static void test_report_empty_run(void **state)
{
	struct fixture *fx = *state;
	struct run empty = { 0 };
	char path[256];
	char *md;

	path_in(fx, "empty.md", path, sizeof(path));
	assert_int_equal(synthetic_write_report(&empty, path), 0);
	md = slurp(path);
	assert_contains(md, "## Recommendations\n\nNo rule fired");
	assert_contains(md, "## Skipped and failed cells\n\nNone");
	free(md);
}

/* ---- env.c ---- */

static bool power_of_two(unsigned v)
{
	return v && !(v & (v - 1));
}

static void test_env_probe(void **state)
{
	struct fixture *fx = *state;
	struct environment e;
	struct utsname u;

	assert_int_equal(env_probe(fx->dir, &e), 0);
	assert_int_equal(uname(&u), 0);
	assert_string_equal(e.hostname, u.nodename);
	assert_true(!strncmp(e.kernel, u.release, strlen(u.release)));
	assert_true(e.pus >= 1 && e.pus >= e.cores);
	assert_true(e.mem_total > 0);
	assert_true(strcmp(e.fs_type, "") != 0);
	assert_true(!strcmp(e.cache_probe, "cachestat") ||
		    !strcmp(e.cache_probe, "mincore"));
	assert_true(power_of_two(e.dio_mem_align));
	assert_true(power_of_two(e.dio_offset_align));
	assert_true(e.rotational >= -1 && e.rotational <= 1);
	assert_non_null(e.mount_options);
	assert_string_equal(e.governor, env_governor());
	results_free_environment(&e);

	/* a directory that does not exist: unknowns, never a failure */
	assert_int_equal(env_probe("/nonexistent/iobench", &e), 0);
	assert_string_equal(e.fs_type, "unknown");
	assert_string_equal(e.device, "unknown");
	assert_int_equal(e.rotational, -1);
	results_free_environment(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_figures),
		cmocka_unit_test(test_tunables_desc),
		cmocka_unit_test(test_free_zeroed_and_warnings),
		cmocka_unit_test_setup_teardown(test_estimate_per_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_syntax_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_schema_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_field_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_sections, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_report_figures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_report_empty_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_env_probe, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
