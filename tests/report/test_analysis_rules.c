// SPDX-License-Identifier: MIT
/*
 * The analysis's rules on synthetic runs with known answers: the
 * recommendation rules and their merging across sizes, observations, a
 * baseline's verdict; and the outputs that render them (the terminal
 * summary and the exports against results.json's summary, the report's
 * table widths).
 */
#include <fcntl.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "analysis.h"
#include "built.h"
#include "compare.h"
#include "files.h"
#include "outputs.h"
#include "report.h"
#include "tree_copy.h"

/* ---- rules ---- */

static void test_merge_across_sizes(void **state)
{
	struct built *b = built_begin();
	const struct analysis_advice *r;
	size_t uses = 0;

	(void)state;
	built_add_median(b, "rw", MIB, CACHE_WARM, 15, 2e-3, 0.02);
	built_add_median(b, "copy_file_range", MIB, CACHE_WARM, 15, 1e-3, 0.02);
	built_add_median(b, "rw", 64 * MIB, CACHE_WARM, 15, 0.1, 0.02);
	built_add_median(b, "copy_file_range", 64 * MIB, CACHE_WARM, 15,
			 0.05, 0.02);
	built_analyse(b);
	for (size_t i = 0; i < b->a.n_recs; i++)
		uses += strstr(b->a.recs[i].text, "`copy_file_range`") != NULL;
	assert_int_equal(uses, 1);
	r = advice_with(b->a.recs, b->a.n_recs,
		   "Use `copy_file_range` for 1M "
		   "and 64M files: ");
	assert_non_null(r);
	expect_contains(r->text, " at 1M warm (");
	expect_contains(r->text, " at 64M warm (");
	built_finish(b);
}

static void test_impacts(void **state)
{
	struct built *b = built_begin();

	(void)state;
	/* 1.25x with a tight CI: Medium */
	built_add_median(b, "rw", MIB, CACHE_WARM, 20, 1.25e-3, 0.01);
	built_add_median(b, "sendfile", MIB, CACHE_WARM, 20, 1e-3, 0.01);
	/* 1.05x, clearly: Low */
	built_add_median(b, "rw", 4 * MIB, CACHE_WARM, 30, 4.2e-3, 0.005);
	built_add_median(b, "splice", 4 * MIB, CACHE_WARM, 30, 4e-3, 0.005);
	/* 1.1x but noisy: rw cannot be told from it, no advice */
	built_add_median(b, "rw", 16 * MIB, CACHE_WARM, 8, 17.6e-3, 0.4);
	built_add_median(b, "mmap", 16 * MIB, CACHE_WARM, 8, 16e-3, 0.4);
	built_analyse(b);
	assert_int_equal(
		advice_with(b->a.recs, b->a.n_recs, "Use `sendfile`")->impact,
		IMPACT_MEDIUM);
	assert_int_equal(
		advice_with(b->a.recs, b->a.n_recs, "Use `splice`")->impact,
		IMPACT_LOW);
	assert_null(advice_with(b->a.recs, b->a.n_recs, "`mmap`"));
	expect_contains(
		advice_with(b->a.notes, b->a.n_notes, "`rw` ties")->text,
		"at 16M warm the fastest, `mmap`, is 1.");
	/* ranked: Medium before Low */
	for (size_t i = 1; i < b->a.n_recs; i++)
		assert_true(b->a.recs[i - 1].impact <= b->a.recs[i].impact);
	built_finish(b);
}

/* The top recommendation does not turn on a difference the tie margin
 * holds: of two speed-ups within 3%, the advice for the larger size
 * leads, whichever is the larger; 3% or more apart, the larger leads. */
static void test_lead_stable(void **state)
{
	const struct {
		double at_1m, at_64m;
		const char *lead;
	} c[] = {
		{ 1.22, 1.20, "Use `copy_file_range` for 64M" },
		{ 1.20, 1.22, "Use `copy_file_range` for 64M" },
		{ 1.32, 1.20, "Use `sendfile` for 1M" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct built *b = built_begin();

		built_add_median(b, "rw", MIB, CACHE_WARM, 20,
				 c[i].at_1m * 1e-3, 0.002);
		built_add_median(b, "sendfile", MIB, CACHE_WARM, 20, 1e-3,
				 0.002);
		built_add_median(b, "rw", 64 * MIB, CACHE_WARM, 20,
				 c[i].at_64m * 0.05, 0.002);
		built_add_median(b, "copy_file_range", 64 * MIB, CACHE_WARM, 20,
				 0.05, 0.002);
		built_analyse(b);
		assert_int_equal(b->a.n_recs, 2);
		assert_int_equal(b->a.recs[0].impact, IMPACT_MEDIUM);
		assert_int_equal(b->a.recs[1].impact, IMPACT_MEDIUM);
		expect_contains(b->a.recs[0].text, c[i].lead);
		built_finish(b);
	}
	/* advice for two sizes leads one for a larger size alone when
	 * their speed-ups tie: sendfile 1.20x at 1M and 4M, copy_file_range
	 * 1.22x at 64M */
	{
		struct built *b = built_begin();

		for (uint64_t s = MIB; s <= 4 * MIB; s *= 4) {
			built_add_median(b, "rw", s, CACHE_WARM, 20,
					 1.2e-3 * (double)(s / MIB), 0.002);
			built_add_median(b, "sendfile", s, CACHE_WARM, 20,
					 1e-3 * (double)(s / MIB), 0.002);
		}
		built_add_median(b, "rw", 64 * MIB, CACHE_WARM, 20, 1.22 * 0.05,
				 0.002);
		built_add_median(b, "copy_file_range", 64 * MIB, CACHE_WARM, 20,
				 0.05, 0.002);
		built_analyse(b);
		assert_int_equal(b->a.n_recs, 2);
		expect_contains(b->a.recs[0].text,
				"Use `sendfile` for 1M and 4M files");
		built_finish(b);
	}
}

/* A cell that leaves the destination uncached, appended to b. */
static void add_uncached(struct built *b, const char *strategy, uint64_t size,
			 size_t rounds, struct gen g)
{
	struct synthetic_cell sc =
		built_cell(strategy, size, CACHE_WARM, rounds, 0);

	sc.uncached = true;
	built_add_cell(b, sc, g);
}

/* Keeping the page cache: the fastest cell that leaves it, Medium when
 * it keeps rw's speed, Low when it is clearly slower (at what cost). */
static void test_footprint_cost(void **state)
{
	struct built *b = built_begin();
	const struct analysis_advice *r;

	(void)state;
	/* 1M: odirect as fast as rw; libaio (also uncached) slower */
	built_add_median(b, "rw", MIB, CACHE_WARM, 12, 1e-3, 0.01);
	add_uncached(b, "libaio", MIB, 12,
		     (struct gen){ .median = 3e-3, .cv = 0.01 });
	add_uncached(b, "odirect", MIB, 12,
		     (struct gen){ .median = 1e-3, .cv = 0.01 });
	built_analyse(b);
	r = advice_with(b->a.recs, b->a.n_recs, "To keep the page cache");
	assert_non_null(r);
	expect_contains(r->text, "use `odirect` for 1M files");
	assert_int_equal(r->impact, IMPACT_MEDIUM);
	built_finish(b);

	/* 4K: the only uncached one is 10x slower than rw: Low */
	b = built_begin();
	built_add_median(b, "rw", 4096, CACHE_WARM, 12, 1e-4, 0.01);
	add_uncached(b, "odirect", 4096, 12,
		     (struct gen){ .median = 1e-3, .cv = 0.01 });
	built_analyse(b);
	r = advice_with(b->a.recs, b->a.n_recs, "To keep the page cache");
	assert_non_null(r);
	assert_int_equal(r->impact, IMPACT_LOW);
	expect_contains(r->text, ", 0.1");
	built_finish(b);
}

/* Observations are not recommendations. */
static void test_observations(void **state)
{
	struct built *b = built_begin();

	(void)state;
	built_add_median(b, "rw", MIB, CACHE_WARM, 12, 1e-3, 0.02);
	built_add_median(b, "rw", MIB, CACHE_COLD, 12, 3e-3, 0.02);
	built_analyse(b);
	assert_non_null(advice_with(b->a.notes, b->a.n_notes, "Cold copies"));
	assert_null(advice_with(b->a.recs, b->a.n_recs, "Cold copies"));
	/* the cold share, paired over rounds: about 1/3 */
	assert_true(b->a.cells[0].have_cold);
	assert_true(fabs(b->a.cells[0].cold_share - 1 / 3.0) < 0.03);
	built_finish(b);
}

static void test_baseline(void **state)
{
	struct built *base = built_begin(), *now = built_begin();
	struct compare_options o;
	struct comparison cmp;

	(void)state;
	built_add_median(base, "rw", MIB, CACHE_WARM, 12, 1e-3, 0.01);
	built_add_median(base, "sendfile", MIB, CACHE_WARM, 12, 1e-3, 0.01);
	built_add(now, "rw", MIB, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 1.3e-3, .cv = 0.01, .seed = 11 });
	built_add(now, "sendfile", MIB, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.01, .seed = 12 });
	/* sendfile's process grew by half */
	now->run.cells[1].usage.maxrss_kb = 3072;
	built_analyse(base);
	built_analyse(now);
	compare_default_options(&o);
	assert_int_equal(compare_runs(&base->run, &now->run, &o, &cmp), 0);
	assert_int_equal(cmp.n_regressed, 1);
	assert_int_equal(analysis_set_baseline(&now->a, &cmp, "main"), 0);
	compare_free(&cmp);
	expect_contains(now->a.overall, "❌ 1 regression since main: `rw`");
	assert_int_equal(now->a.recs[0].impact, IMPACT_HIGH);
	expect_contains(now->a.recs[0].text, "Regressions since main: ");
	assert_true(fabs(now->a.rss_change - 1.5) < 1e-9);
	assert_int_equal(now->a.rss_change_cell, 1);
	/* the same run against itself: no regression */
	assert_int_equal(compare_runs(&base->run, &base->run, &o, &cmp), 0);
	assert_int_equal(analysis_set_baseline(&base->a, &cmp, "main"), 0);
	compare_free(&cmp);
	expect_contains(base->a.overall, "✅ no regressions since main");
	assert_true(base->a.rss_change == 1);
	built_finish(base);
	built_finish(now);
}

/* A regression since the baseline that could not be judged (the run
 * measured under other load, an hour after the baseline): the overall
 * line never says "no regressions". */
static void test_baseline_unjudged(void **state)
{
	struct built *base = built_begin(), *now = built_begin();
	struct compare_options o;
	struct comparison cmp;

	(void)state;
	built_add_median(base, "rw", MIB, CACHE_WARM, 12, 1e-3, 0.01);
	built_add(now, "rw", MIB, CACHE_WARM, 12, 1,
		  (struct gen){ .median = 1.3e-3, .cv = 0.01, .seed = 11 });
	free(now->run.started);
	now->run.started = strdup("2026-11-29T19:15:00Z");
	assert_non_null(now->run.started);
	now->run.env.load = (struct env_load){ .measured = true,
					       .other_cpus = 1.3,
					       .cpus = 2 };
	built_analyse(base);
	built_analyse(now);
	compare_default_options(&o);
	assert_int_equal(compare_runs(&base->run, &now->run, &o, &cmp), 0);
	assert_int_equal(cmp.n_disturbed_regressed, 1);
	assert_int_equal(analysis_set_baseline(&now->a, &cmp, "main"), 0);
	compare_free(&cmp);
	expect_contains(now->a.overall, "⚠️ 1 time change since main that "
					"regressed not judged: the new run");
	assert_null(strstr(now->a.overall, "no regressions"));
	built_finish(base);
	built_finish(now);
}

/* The same for a size whose cells moved apart: three of six 2x slower,
 * three 0.7x - the regressions are not judged, and the overall line says
 * why, never "no regressions". */
static void test_baseline_unjudged_apart(void **state)
{
	static const char *const six[] = { "rw",     "stdio",
					   "mmap",   "sendfile",
					   "splice", "copy_file_range" };
	struct built *base = built_begin(), *now = built_begin();
	struct compare_options o;
	struct comparison cmp;

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		built_add_median(base, six[i], 4096, CACHE_WARM, 12, 1e-5,
				 0.01);
		built_add_median(now, six[i], 4096, CACHE_WARM, 12,
				 i < 3 ? 2e-5 : 0.7e-5, 0.01);
	}
	built_analyse(base);
	built_analyse(now);
	compare_default_options(&o);
	assert_int_equal(compare_runs(&base->run, &now->run, &o, &cmp), 0);
	assert_int_equal(cmp.n_apart_regressed, 3);
	assert_int_equal(analysis_set_baseline(&now->a, &cmp, "main"), 0);
	compare_free(&cmp);
	expect_contains(now->a.overall, "⚠️ 3 time changes since main that "
					"regressed not judged: the cells of a "
					"size moved apart (4K: spread ");
	assert_null(strstr(now->a.overall, "no regressions"));
	built_finish(base);
	built_finish(now);
}

/* ---- outputs ---- */

/* The terminal summary and both exports say what results.json says. */
static void test_summary_and_exports(void **state)
{
	struct run run;
	struct analysis a;
	char dir[] = "/tmp/iobench-analysis-XXXXXX", path[128], *term, *md;
	char *text, *row;
	size_t len = 0, i;
	json_t *root, *sizes, *s;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(synthetic_run(&run), 0);
	assert_int_equal(analysis_build(&run, &a), 0);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	assert_int_equal(results_write_json(&run, &a, path), 0);
	root = json_load_file(path, 0, NULL);
	assert_non_null(root);
	sizes = json_object_get(json_object_get(root, "summary"), "sizes");
	assert_int_equal(json_array_size(sizes), 2);

	f = open_memstream(&term, &len);
	outputs_print_summary(f, &a);
	fclose(f);
	/* every size's line, in order, and the table's best */
	text = term;
	json_array_foreach(sizes, i, s)
	{
		const char *line =
			json_string_value(json_object_get(s, "line"));

		assert_non_null(line);
		text = strstr(text, line);
		if (!text)
			fail_msg("terminal lacks '%s':\n%s", line, term);
	}
	expect_contains(term, "best (ties within 3%)");
	/* a row: size, cache, best, its rate and CI, its speed-up */
	row = strstr(term, "\n1M ");
	assert_non_null(row);
	row = strstr(row, " warm ");
	assert_non_null(row);
	row = strstr(row, " copy_file_range ");
	assert_non_null(row);
	row = strstr(row, " 1.22 [1.19, 1.26] GiB/s ");
	assert_non_null(row);
	assert_true(strstr(row, " 2.50x [2.50, 2.50]\n") <
		    strchr(row + 1, '\n') + 1);
	expect_contains(term, "CIs are within-run");

	snprintf(path, sizeof(path), "%s/summary.md", dir);
	assert_int_equal(outputs_export_markdown(&a, path), 0);
	md = test_slurp(path, NULL);
	expect_contains(md, "## Executive summary\n");
	expect_contains(md, "| 1M | warm | `copy_file_range` | 1250\xc2\xa0[");
	free(md);
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	assert_int_equal(outputs_export_json(&a, path), 0);
	{
		json_t *ex = json_load_file(path, 0, NULL);

		assert_non_null(ex);
		assert_true(json_equal(ex, json_object_get(root, "summary")));
		json_decref(ex);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	unlink(path);
	tree_copy_remove(AT_FDCWD, dir);
	free(term);
	json_decref(root);
	analysis_free(&a);
	results_free(&run);
}

/* The headline sweep's shape (every strategy and two reference tools,
 * 1K, 1M and 100M, warm and cold): no table line reaches 200 characters
 * and no per-size table has more than 9 columns. */
static void test_headline_widths(void **state)
{
	static const char *const names[] = {
		"rw",
		"stdio",
		"mmap",
		"sendfile",
		"copy_file_range",
		"splice",
		"io_uring",
		"odirect",
		"libaio",
		"ref:cp",
		"ref:cp-reflink-never",
	};
	static const uint64_t sizes[] = { 1024, MIB, 100 * MIB };
	char dir[] = "/tmp/iobench-analysis-XXXXXX", path[128], *md, *line;
	struct run *run = calloc(1, sizeof(*run));
	struct gen *gens = calloc(66, sizeof(*gens));
	struct analysis a;
	size_t longest = 0, n = 0;

	(void)state;
	assert_non_null(run);
	assert_non_null(gens);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(synthetic_base(run), 0);
	for (size_t z = 0; z < 3; z++)
		for (int m = CACHE_WARM; m <= CACHE_COLD; m++)
			for (size_t k = 0; k < 11; k++, n++) {
				gens[n] = (struct gen){
					.median = (1e-5 + sizes[z] / 3e9) *
						  (1 + 0.1 * k),
					.cv = 0.05,
					.seed = n + 1
				};
				assert_int_equal(
					synthetic_add(
						run,
						&(struct synthetic_cell){
							.strategy = names[k],
							.size = sizes[z],
							.cache = m,
							.rounds = 10,
							.time = built_gen_time,
							.ctx = &gens[n] }),
					0);
			}
	assert_int_equal(results_estimate(run), 0);
	assert_int_equal(analysis_build(run, &a), 0);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	assert_int_equal(report_write_markdown(&a, path), 0);
	md = test_slurp(path, NULL);
	for (line = strtok(md, "\n"); line; line = strtok(NULL, "\n")) {
		size_t bars = 0;

		if (line[0] != '|')
			continue;
		if (strlen(line) > longest)
			longest = strlen(line);
		for (const char *p = line; *p; p++)
			bars += *p == '|' && (p == line || p[-1] != '\\');
		if (strstr(line, "| strategy | tunables |"))
			assert_true(bars - 1 <= 8);
	}
	if (longest >= 200)
		fail_msg("the longest table line has %zu characters", longest);
	free(md);
	analysis_free(&a);
	results_free(run);
	free(run);
	free(gens);
	/* plots/ may hold what gnuplot drew */
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_across_sizes),
		cmocka_unit_test(test_impacts),
		cmocka_unit_test(test_lead_stable),
		cmocka_unit_test(test_footprint_cost),
		cmocka_unit_test(test_observations),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_baseline_unjudged),
		cmocka_unit_test(test_baseline_unjudged_apart),
		cmocka_unit_test(test_summary_and_exports),
		cmocka_unit_test(test_headline_widths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
