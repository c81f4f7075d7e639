// SPDX-License-Identifier: MIT
/*
 * results.json's samples fast path (json_samples.h) reads exactly what
 * the jansson path reads: a synthetic run written, read back through the
 * fast path, and read again with it declined (a key spelled with a JSON
 * escape, which jansson decodes and the scanner refuses), sample by
 * sample; refused values still get the jansson path's messages.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"
#include "json_samples.h"
#include "results.h"
#include "synthetic.h"

static char dir[] = "/tmp/iobench-json-samples-XXXXXX";

static void spill(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* NaN == NaN here: both paths read null as NaN. */
static bool same_double(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

static void assert_same_samples(const struct run *a, const struct run *b)
{
	assert_int_equal(a->n_cells, b->n_cells);
	for (size_t i = 0; i < a->n_cells; i++) {
		const struct cell *x = &a->cells[i], *y = &b->cells[i];

		assert_int_equal(x->n_samples, y->n_samples);
		for (size_t j = 0; j < x->n_samples; j++) {
			const struct sample *s = &x->samples[j],
					    *t = &y->samples[j];

			if (!same_double(s->seconds, t->seconds) ||
			    !same_double(s->sync_seconds, t->sync_seconds) ||
			    !same_double(s->cpu_user, t->cpu_user) ||
			    !same_double(s->cpu_sys, t->cpu_sys) ||
			    s->src_pages != t->src_pages ||
			    s->src_resident_before != t->src_resident_before ||
			    s->src_resident_after != t->src_resident_after ||
			    s->dst.cached != t->dst.cached ||
			    s->dst.dirty != t->dst.dirty ||
			    s->dst.writeback != t->dst.writeback ||
			    s->residency_ok != t->residency_ok ||
			    s->mem.heap_known != t->mem.heap_known ||
			    s->mem.rss_known != t->mem.rss_known ||
			    s->mem.allocs != t->mem.allocs ||
			    s->mem.alloc_bytes != t->mem.alloc_bytes ||
			    s->mem.heap_peak != t->mem.heap_peak ||
			    s->mem.rss_before != t->mem.rss_before ||
			    s->mem.rss_peak != t->mem.rss_peak)
				fail_msg("cell %zu sample %zu differs", i, j);
		}
	}
}

static void test_fast_path_reads_what_jansson_reads(void **state)
{
	char path[64], slow[64], err[512], *text, *esc, *at;
	struct json_samples js;
	struct run orig, fast, jans;
	size_t len, cut, total = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/fast.json", dir);
	snprintf(slow, sizeof(slow), "%s/slow.json", dir);
	assert_int_equal(synthetic_run(&orig), 0);
	/* memory counted in one sample, the heap only in another, none in
	 * the rest: the fast path reads all three as jansson does */
	orig.cells[0].samples[0].mem = (struct sample_memory){
		.heap_known = true, .rss_known = true, .allocs = 3,
		.alloc_bytes = 4096, .heap_peak = 8192,
		.rss_before = 1 << 20, .rss_peak = 3 << 20 };
	orig.cells[0].samples[1].mem = (struct sample_memory){
		.heap_known = true, .allocs = 1, .alloc_bytes = 64,
		.heap_peak = 64 };
	assert_int_equal(results_write_json(&orig, NULL, path), 0);

	/* the writer's output takes the fast path */
	text = test_slurp(path, &len);
	assert_true(json_samples_extract(text, len, RESULTS_SCHEMA,
					 RESULTS_SCHEMA_V1, &js, &cut));
	assert_true(cut < len);
	for (size_t i = 0; i < js.n_cells; i++)
		total += js.n[i];
	assert_true(total > 0);
	json_samples_free(&js);
	free(text);

	/* "seconds" spelled "secon\u0064s" once: the scanner declines */
	text = test_slurp(path, &len);
	esc = malloc(len + 16);
	assert_non_null(esc);
	at = strstr(text, "\"seconds\"");
	assert_non_null(at);
	snprintf(esc, len + 16, "%.*s\"secon\\u0064s\"%s", (int)(at - text),
		 text, at + strlen("\"seconds\""));
	spill(slow, esc);
	free(text);
	text = test_slurp(slow, &len);
	assert_false(json_samples_extract(text, len, RESULTS_SCHEMA,
					 RESULTS_SCHEMA_V1, &js, &cut));
	assert_int_equal(cut, len);
	assert_string_equal(text, esc);	/* left as it was */
	free(text);
	free(esc);

	assert_int_equal(results_read_json(path, &fast, err, sizeof(err)), 0);
	assert_int_equal(results_read_json(slow, &jans, err, sizeof(err)), 0);
	assert_same_samples(&orig, &fast);
	assert_same_samples(&fast, &jans);
	results_free(&orig);
	results_free(&fast);
	results_free(&jans);
}

/* A refused value is left to the jansson path: its message, with the
 * line of the original text. */
static void test_refused_values_keep_their_messages(void **state)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{ "\"seconds\": 0.", "\"seconds\": 0e0, \"x\": 0.",
		  "expected a time > 0 s" },
		{ "\"cpu_sys\": 0", "\"cpu_sys\": -1, \"y\": 0",
		  "cpu_sys: expected a value >= 0 or null" },
		{ "\"src_pages\": ", "\"src_pages\": 01",
		  "" /* jansson: invalid token */ },
	};
	char path[64], err[512], *text, *bad, *at;
	struct run orig, r;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	assert_int_equal(synthetic_run(&orig), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(results_write_json(&orig, NULL, path), 0);
		text = test_slurp(path, &len);
		at = strstr(text, cases[i].from);
		assert_non_null(at);
		bad = malloc(len + 64);
		assert_non_null(bad);
		snprintf(bad, len + 64, "%.*s%s%s", (int)(at - text), text,
			 cases[i].to, at + strlen(cases[i].from));
		spill(path, bad);
		assert_int_equal(results_read_json(path, &r, err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
				 cases[i].want);
		free(bad);
		free(text);
	}
	results_free(&orig);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_path_reads_what_jansson_reads),
		cmocka_unit_test(test_refused_values_keep_their_messages),
	};
	char cmd[128];
	int ret;

	if (!mkdtemp(dir))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		ret = ret ? ret : 1;
	return ret;
}
