// SPDX-License-Identifier: MIT
/*
 * The analysis on synthetic runs with known answers: best sets and ties,
 * paired speed-ups within a run and across runs, drift, slow modes and
 * the other warnings, CPU per GiB from per-sample figures. The rules and
 * the outputs: test_analysis_rules.c.
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
#include "analysis_internal.h"
#include "built.h"
#include "calibration.h"
#include "cell.h"
#include "compare.h"
#include "files.h"
#include "outputs.h"
#include "report.h"
#include "tree_copy.h"

/* ---- best sets and speed-ups ---- */

static void test_clear_winner(void **state)
{
	struct built *b = built_begin();
	const struct analysis_group *g;
	const struct analysis_advice *r;
	size_t cfr;

	(void)state;
	built_add_median(b, "rw", MIB, CACHE_WARM, 20, 2e-3, 0.03);
	built_add_median(b, "copy_file_range", MIB, CACHE_WARM, 20, 1e-3, 0.03);
	built_add_median(b, "sendfile", MIB, CACHE_WARM, 20, 1.5e-3, 0.03);
	built_analyse(b);
	cfr = built_cell_of(b, "copy_file_range", MIB, CACHE_WARM);
	g = built_headline(b, MIB);
	assert_int_equal(g->best, cfr);
	assert_int_equal(g->n_set, 1);
	assert_int_equal(g->rw, built_cell_of(b, "rw", MIB, CACHE_WARM));
	assert_true(g->have_speedup);
	assert_true(g->speedup > 1.9 && g->speedup < 2.1);
	assert_true(g->speedup_lo > 1.5 && g->speedup_hi < 2.5);
	assert_true(g->speedup_lo <= g->speedup && g->speedup <= g->speedup_hi);
	/* the paired speed-up of each cell: the common drift cancels */
	assert_true(b->a.cells[cfr].have_speedup);
	assert_true(b->a.cells[cfr].speedup_hi - b->a.cells[cfr].speedup_lo <
		    0.2);
	assert_true(b->a.within_run);
	expect_contains(built_line_of(b, MIB, false),
			"1M: copy_file_range is fastest; ");
	expect_contains(built_line_of(b, MIB, false), "] faster than rw");
	r = advice_with(b->a.recs, b->a.n_recs, "Use `copy_file_range` for 1M");
	assert_non_null(r);
	assert_int_equal(r->impact, IMPACT_HIGH);
	assert_ptr_equal(r, &b->a.recs[0]);
	built_finish(b);
}

/* A noisy cell beside the machine's own reference samples: noisy as the
 * machine when it spreads no more than 1.5 times what they did, noisy
 * (a cause of its own) when it spreads more or the machine was not
 * probed. The generated samples are the same in every build, so the
 * first (unprobed) gives the cell's spread s to set the machine's from. */
static void test_warnings_machine(void **state)
{
	const double machine[] = { 0, 1, 1 / 1.4, 1 / 1.6 };
	const enum analysis_warning_kind want[] = { WARN_NOISY,
						    WARN_NOISY_MACHINE,
						    WARN_NOISY_MACHINE,
						    WARN_NOISY };
	double s = 0;

	(void)state;
	for (size_t m = 0; m < sizeof(machine) / sizeof(*machine); m++) {
		struct built *b = built_begin();
		size_t noisy, steady;
		const struct analysis_warning *w = NULL;

		if (m)
			b->run.env.noise = (struct env_noise){
				.measured = true, .repeats = 40,
				.samples = 30, .median = 0.01,
				.spread = s * machine[m],
				.mad_rel = s * machine[m] / 1.35,
				.max_rel = 1.5,
			};
		built_add(b, "rw", MIB, CACHE_WARM, 30, 1,
		    (struct gen){ .median = 2e-3, .cv = 0.02, .still = true });
		built_add(b, "mmap", MIB, CACHE_WARM, 30, 1,
		    (struct gen){ .median = 1e-3, .cv = 0.25, .still = true });
		built_analyse(b);
		noisy = built_cell_of(b, "mmap", MIB, CACHE_WARM);
		steady = built_cell_of(b, "rw", MIB, CACHE_WARM);
		if (!m)
			s = b->a.cells[noisy].dist.spread;
		assert_true(s > 0.10);
		assert_float_equal(b->a.cells[noisy].dist.spread, s, 1e-12);
		assert_int_equal(built_warnings_of(b, noisy, want[m]), 1);
		assert_int_equal(built_warnings_of(b, noisy,
			want[m] == WARN_NOISY ? WARN_NOISY_MACHINE
					      : WARN_NOISY), 0);
		for (int k = 0; k < WARN_N_KINDS; k++)
			assert_int_equal(built_warnings_of(b, steady, k), 0);
		for (size_t i = 0; i < b->a.n_warnings; i++)
			if (b->a.warnings[i].cell == noisy &&
			    b->a.warnings[i].kind == want[m])
				w = &b->a.warnings[i];
		assert_non_null(w);
		/* the figure names the machine's spread when it was probed */
		assert_true(!strstr(w->figure, "the machine's") == !m);
		built_finish(b);
	}
}

static void test_tie(void **state)
{
	struct built *b = built_begin();
	const struct analysis_group *g;
	char names[256];

	(void)state;
	built_add_median(b, "rw", MIB, CACHE_WARM, 20, 2e-3, 0.03);
	built_add_median(b, "sendfile", MIB, CACHE_WARM, 20, 1.004e-3, 0.03);
	built_add_median(b, "splice", MIB, CACHE_WARM, 20, 1.002e-3, 0.03);
	built_add_median(b, "copy_file_range", MIB, CACHE_WARM, 20, 0.975e-3,
			 0.03);
	built_add_median(b, "mmap", MIB, CACHE_WARM, 20, 1.3e-3, 0.03);
	built_analyse(b);
	g = built_headline(b, MIB);
	assert_int_equal(g->n_set, 3);
	assert_false(b->a.cells[built_cell_of(b, "mmap", MIB, CACHE_WARM)]
			     .in_best_set);
	assert_false(b->a.cells[g->rw].in_best_set);
	/* in the run's order, not fastest first: the same set, the same
	 * words whichever of them had the lowest median this time */
	assert_int_equal(g->best,
			 built_cell_of(b, "copy_file_range", MIB, CACHE_WARM));
	analysis_set_names(&b->a, g, false, names, sizeof(names));
	assert_string_equal(names, "sendfile, splice and copy_file_range");
	expect_contains(built_line_of(b, MIB, false), " tie (within 3%); ");
	expect_contains(built_line_of(b, MIB, false), "faster than rw");
	expect_contains(built_line_of(b, MIB, true),
			"tie (within 3%); any of them; ");
	expect_contains(advice_with(b->a.recs, b->a.n_recs, "Use any of")->text,
		 "(they tie within 3%)");
	built_finish(b);
}

/* rw in the best set: no speed advice_with, an observation instead. */
static void test_rw_ties(void **state)
{
	struct built *b = built_begin();

	(void)state;
	built_add_median(b, "rw", MIB, CACHE_WARM, 20, 1e-3, 0.02);
	built_add_median(b, "sendfile", MIB, CACHE_WARM, 20, 1e-3, 0.02);
	built_analyse(b);
	assert_true(b->a.cells[built_headline(b, MIB)->rw].in_best_set);
	expect_contains(built_line_of(b, MIB, false), "rw is among them");
	expect_lacks(built_line_of(b, MIB, false), "faster than");
	assert_null(advice_with(b->a.recs, b->a.n_recs, "Use "));
	assert_non_null(
		advice_with(b->a.notes, b->a.n_notes, "`rw` ties with"));
	built_finish(b);
}

/* A reference tool is a yardstick: never in the best set. */
static void test_reference_not_a_candidate(void **state)
{
	struct built *b = built_begin();
	size_t cp;

	(void)state;
	built_add_median(b, "rw", MIB, CACHE_WARM, 12, 2e-3, 0.02);
	built_add_median(b, "ref:cp", MIB, CACHE_WARM, 12, 1e-3, 0.02);
	built_analyse(b);
	cp = built_cell_of(b, "ref:cp", MIB, CACHE_WARM);
	assert_true(b->a.cells[cp].reference);
	assert_false(b->a.cells[cp].in_best_set);
	assert_int_equal(built_headline(b, MIB)->best,
			 built_headline(b, MIB)->rw);
	/* its speed-up over rw is shown all the same */
	assert_true(b->a.cells[cp].have_speedup);
	assert_true(b->a.cells[cp].speedup > 1.8);
	/* against the best strategy, paired: half its time */
	assert_true(b->a.cells[cp].have_vs_best);
	assert_true(b->a.cells[cp].vs_best > 0.45 &&
		    b->a.cells[cp].vs_best < 0.55);
	assert_true(b->a.cells[cp].vs_best_lo <= b->a.cells[cp].vs_best &&
		    b->a.cells[cp].vs_best <= b->a.cells[cp].vs_best_hi);
	assert_false(b->a.cells[built_headline(b, MIB)->rw].have_vs_best);
	built_finish(b);
}

/* 9 strategies, the slowest 3x the fastest: 6 rounds cannot exclude
 * any (8 * 2^-6 > 0.05), so the set is all of them, said so, with no
 * speed advice_with; 8 rounds can, and they are excluded. */
static void test_too_few_rounds(void **state)
{
	static const char *const names[] = {
		"rw",	 "copy_file_range", "sendfile", "splice",  "mmap",
		"stdio", "io_uring",	    "libaio",	"odirect",
	};
	char line[ANALYSIS_LINE_LEN];

	(void)state;
	assert_int_equal(analysis_rounds_needed(9, 6), 8);
	assert_int_equal(analysis_rounds_needed(9, 8), 0);
	assert_int_equal(analysis_rounds_needed(2, 5), 0);
	assert_int_equal(analysis_rounds_needed(2, 4), 5);
	for (size_t rounds = 6; rounds <= 8; rounds += 2) {
		struct built *b = built_begin();
		const struct analysis_group *g;
		bool warned = false;

		for (size_t j = 0; j < 9; j++)
			built_add(b, names[j], MIB, CACHE_WARM, rounds, 1,
			    (struct gen){ .median = 1e-3 * (3 - 0.25 * j),
					  .cv = 0.01 });
		b->run.request.samples = (unsigned)rounds;
		built_analyse(b);
		g = built_headline(b, MIB);
		analysis_size_line(&b->a, analysis_size_of(&b->a, MIB), false,
				   line, sizeof(line));
		for (size_t i = 0; i < b->a.n_warnings; i++)
			warned |= b->a.warnings[i].kind == WARN_ROUNDS;
		if (rounds == 6) {
			assert_int_equal(g->rounds_needed, 8);
			assert_int_equal(g->n_candidates, 9);
			assert_int_equal(g->n_set, 9);
			assert_string_equal(b->a.cells[g->best].cell->strategy,
					    "odirect");
			expect_contains(line,
					"1M: 6 rounds cannot tell 9 strategies "
					"apart (8 needed: --samples 8); "
					"fastest median odirect, ");
			assert_true(warned);
			/* --samples asked for enough: the budget cut it */
			b->run.request.samples = 10;
			analysis_size_line(&b->a, analysis_size_of(&b->a, MIB),
					   true, line, sizeof(line));
			expect_contains(line,
					"(8 needed: a larger `--budget`); "
					"fastest median `odirect`, ");
			for (size_t i = 0; i < b->a.n_recs; i++)
				assert_null(strstr(b->a.recs[i].text, "Use "));
		} else {
			assert_int_equal(g->rounds_needed, 0);
			assert_int_equal(g->n_set, 1);
			assert_false(warned);
			expect_contains(line, "odirect is fastest");
		}
		built_finish(b);
	}
}

/* Per-copy seconds from a table of 6 rounds (the warm-up: the first). */
static double table_time(unsigned run, unsigned round, void *ctx)
{
	const double *t = ctx;

	(void)run;
	return t[round % 6];
}

/* The best is the cell with the lowest median time, as the tables sort
 * them, also where the median of the logs would pick another: a's
 * middle two are 1 and 3 ms (median 2, geometric 1.73), b's 1.8 and
 * 1.9 (median 1.85). */
static void test_best_is_fastest_median(void **state)
{
	static const double ta[6] = { 1e-3, 1e-3, 1e-3, 3e-3, 3e-3, 3e-3 };
	static const double tb[6] = { 1.8e-3, 1.9e-3, 1.8e-3,
				      1.9e-3, 1.8e-3, 1.9e-3 };
	struct built *b = built_begin();
	const char *names[2] = { "copy_file_range", "sendfile" };
	const double *tables[2] = { ta, tb };
	const struct analysis_group *g;

	(void)state;
	for (int j = 0; j < 2; j++) {
		struct synthetic_cell sc = {
			.strategy = names[j],
			.size = MIB,
			.cache = CACHE_WARM,
			.sync = SYNC_NONE,
			.rounds = 6,
			.time = table_time,
			.ctx = (void *)tables[j],
		};

		assert_int_equal(synthetic_add(&b->run, &sc), 0);
	}
	built_analyse(b);
	g = built_headline(b, MIB);
	assert_string_equal(b->a.cells[g->best].cell->strategy, "sendfile");
	assert_int_equal(g->best, g->cells[0]);
	built_finish(b);
}

/* Field `name` of the first CSV row containing `start` ("\nrw,": the row
 * of rw; no quoted fields before the field), as a number. */
static double csv_number(const char *csv, const char *start, const char *name)
{
	const char *row = strstr(csv, start), *h = csv, *p;
	size_t col = 0, len = strlen(name);

	assert_non_null(row);
	/* the header's column of name */
	while (strncmp(h, name, len) || (h[len] != ',' && h[len] != '\r')) {
		h = strpbrk(h, ",\r");
		assert_true(h && *h == ',');
		h++;
		col++;
	}
	for (p = row; col; col--) {
		p = strchr(p, ',');
		assert_non_null(p);
		p++;
	}
	return strtod(p, NULL);
}

/* --runs 3: CIs come from the hierarchical bootstrap and say so. */
static void test_runs(void **state)
{
	struct built *b = built_begin();
	struct gen rw = { .median = 2e-3,
			  .cv = 0.02,
			  .run_shift = { 0, 0.08, -0.06 } };
	struct gen cfr = { .median = 1e-3,
			   .cv = 0.02,
			   .run_shift = { 0, 0.08, -0.06 } };
	const struct analysis_cell *c;
	char dir[] = "/tmp/iobench-analysis-XXXXXX", path[128], *csv;
	json_t *summary;

	(void)state;
	built_add(b, "rw", MIB, CACHE_WARM, 10, 3, rw);
	built_add(b, "copy_file_range", MIB, CACHE_WARM, 10, 3, cfr);
	built_analyse(b);
	assert_int_equal(b->a.runs, 3);
	assert_false(b->a.within_run);
	assert_int_equal(analysis_size_of(&b->a, MIB)->runs, 3);
	c = &b->a.cells[built_cell_of(b, "rw", MIB, CACHE_WARM)];
	assert_true(c->between_runs);
	assert_true(c->between_rel > 0.05);
	/* between runs the median's CI is wider than one run's */
	assert_true(c->median_hi - c->median_lo >
		    c->cell->est.median_hi - c->cell->est.median_lo);
	assert_true(built_headline(b, MIB)->have_speedup);
	summary = analysis_json_summary(&b->a);
	assert_string_equal(json_string_value(json_object_get(summary, "ci")),
			    "between-runs");
	json_decref(summary);
	/* results.csv shows the same CI as the report, not one run's */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	assert_int_equal(results_write_csv(&b->a, path), 0);
	csv = test_slurp(path, NULL);
	assert_true(fabs(csv_number(csv, "\nrw,", "ci_lo_s") / c->median_lo -
			 1) < 1e-6);
	assert_true(fabs(csv_number(csv, "\nrw,", "ci_hi_s") / c->median_hi -
			 1) < 1e-6);
	assert_true(fabs(csv_number(csv, "\nrw,", "mib_s_ci_lo") / c->mib_s_lo -
			 1) < 1e-6);
	free(csv);
	unlink(path);
	tree_copy_remove(AT_FDCWD, dir);
	built_finish(b);
}

/* ---- per-cell figures and warnings ---- */

static void test_warnings(void **state)
{
	struct built *b = built_begin();
	size_t step, slow, noisy, steady;

	(void)state;
	built_add(b, "rw", MIB, CACHE_WARM, 30, 1,
	    (struct gen){ .median = 2e-3, .cv = 0.02, .still = true });
	built_add(b, "sendfile", MIB, CACHE_WARM, 30, 1,
	    (struct gen){ .median = 1e-3,
			  .cv = 0.01,
			  .still = true,
			  .step_at = 12,
			  .step = 1.3 });
	built_add(b, "splice", MIB, CACHE_WARM, 30, 1,
	    (struct gen){ .median = 1e-3,
			  .cv = 0.01,
			  .still = true,
			  .slow_every = 5,
			  .slow_factor = 2.2 });
	built_add(b, "mmap", MIB, CACHE_WARM, 30, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.25, .still = true });
	built_analyse(b);
	step = built_cell_of(b, "sendfile", MIB, CACHE_WARM);
	slow = built_cell_of(b, "splice", MIB, CACHE_WARM);
	noisy = built_cell_of(b, "mmap", MIB, CACHE_WARM);
	steady = built_cell_of(b, "rw", MIB, CACHE_WARM);
	assert_true(b->a.cells[step].step);
	assert_int_equal(built_warnings_of(b, step, WARN_STEP), 1);
	assert_true(fabs(b->a.cells[step].step_ratio - 1.3) < 0.1);
	assert_true(b->a.cells[slow].dist.bimodal);
	assert_int_equal(built_warnings_of(b, slow, WARN_SLOW_MODE), 1);
	assert_int_equal(built_warnings_of(b, noisy, WARN_NOISY), 1);
	for (int k = 0; k < WARN_N_KINDS; k++)
		assert_int_equal(built_warnings_of(b, steady, k), 0);
	/* one sentence per kind, one name per kind */
	for (int k = 0; k < WARN_N_KINDS; k++) {
		assert_true(strlen(analysis_warning_sentence(k)) > 40);
		assert_non_null(strchr(analysis_warning_sentence(k), '.'));
		for (int j = 0; j < k; j++)
			assert_string_not_equal(analysis_warning_name(k),
						analysis_warning_name(j));
	}
	built_finish(b);
}

/* CPU per GiB is the median of the samples' own figures: one sample
 * with 100 times the CPU moves it not at all (a sum would). */
static void test_cpu_per_sample(void **state)
{
	struct built *b = built_begin();
	struct cell *c;
	double expect;

	(void)state;
	built_add_median(b, "rw", MIB, CACHE_WARM, 11, 2e-3, 0);
	c = &b->run.cells[0];
	c->samples[3].cpu_sys = 100 * c->samples[3].seconds;
	built_analyse(b);
	/* (0.1 + 0.4) of each sample's time, per GiB of 1 MiB */
	expect = 0.5 * c->est.median * 1024;
	assert_true(fabs(b->a.cells[0].cpu_s_per_gib - expect) < 1e-3 * expect);
	built_finish(b);
}

/* The machine's part of a spread: five cells share a round-to-round
 * swing of +-15% (built.c's machine()) on 2% noise of their own, a sixth
 * has 15% of its own. Net of the rounds' effects the five spread as
 * their own noise does and the sixth stays wide; the group's rounds hold
 * the swing. Without the swing (still), net and as measured agree. */
static void test_round_spread(void **state)
{
	(void)state;
	for (int still = 0; still < 2; still++) {
		struct built *b = built_begin();
		const struct analysis_group *g;
		size_t noisy;

		built_add_five(b, still);
		built_add(b, "mmap", MIB, CACHE_WARM, 20, 1,
			  (struct gen){ .median = 3e-3, .cv = 0.15,
					.still = still });
		built_analyse(b);
		g = built_headline(b, MIB);
		noisy = built_cell_of(b, "mmap", MIB, CACHE_WARM);
		for (size_t i = 0; i < 5; i++) {
			const struct analysis_cell *ac =
				&b->a.cells[built_cell_of(b, built_five[i], MIB,
							  CACHE_WARM)];

			assert_true(ac->spread_net < 0.06);
			if (!still)
				assert_true(ac->dist.spread > 0.1);
			else
				assert_true(fabs(ac->dist.spread -
						 ac->spread_net) < 0.03);
		}
		assert_true(b->a.cells[noisy].spread_net > 0.1);
		assert_true(still ? g->round_spread < 0.04 :
				    g->round_spread > 0.1);
		built_finish(b);
	}
}

/* Rounds alternating between two CPUs, CPU 1's 30% slower for every
 * cell: the group's gap names them, results.json and report.md say so;
 * with both CPUs alike no gap is stated. */
static void test_cpu_gap(void **state)
{
	(void)state;
	for (int slow = 0; slow < 2; slow++) {
		struct built *b = built_begin();
		const struct analysis_group *g;

		built_add_five(b, true);
		for (size_t i = 0; i < b->run.n_cells; i++) {
			struct cell *c = &b->run.cells[i];

			for (size_t j = 0; j < c->n_samples; j++) {
				struct sample *sm = &c->samples[j];

				sm->cpu_known = true;
				sm->cpu = sm->round % 2;
				if (slow && sm->cpu == 1)
					sm->seconds *= 1.3;
			}
		}
		built_analyse(b);
		g = built_headline(b, MIB);
		if (slow) {
			assert_int_equal(g->cpu_slow, 1);
			assert_int_equal(g->cpu_fast, 0);
			assert_true(g->cpu_gap > 0.25 && g->cpu_gap < 0.35);
			/* net of the rounds, each cell is as steady as its
			 * own noise */
			assert_true(b->a.cells[0].spread_net < 0.06);
			assert_true(b->a.cells[0].dist.spread > 0.2);
			{
				char path[] = "/tmp/iobench-cpugap-XXXXXX";
				int fd = mkstemp(path);
				char *md;

				assert_true(fd >= 0);
				close(fd);
				md = synthetic_report_md(&b->run, path);
				assert_non_null(md);
				assert_non_null(strstr(md, "In the warm table "
						       "the rounds on CPU 1 ran "
						       "2"));
				assert_non_null(strstr(md, "slower than those "
						       "on CPU 0, the cells "
						       "alike"));
				free(md);
				unlink(path);
			}
		} else {
			assert_true(g->cpu_gap < 0.05);
		}
		built_finish(b);
	}
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

/*
 * Every bootstrap draws from a stream of its own: no two (kind of
 * figure, cell, group or pair) share a seed, even where one kind's
 * indices run past the cell count (pairs: num x n_cells + den); the
 * same one gives the same seed, and --seed moves them all.
 */
static void test_seed_streams(void **state)
{
	struct built *b = built_begin();
	size_t per = 64 * 64, n = ANALYSIS_SEED_STREAMS * per, k = 0;
	uint64_t *seeds = malloc(n * sizeof(*seeds)), first;

	(void)state;
	assert_non_null(seeds);
	built_add_five(b, true);
	built_analyse(b);
	for (unsigned s = 0; s < ANALYSIS_SEED_STREAMS; s++)
		for (uint64_t i = 0; i < per; i++)
			seeds[k++] = analysis_seed(&b->a, s, i);
	first = seeds[per + 3];
	assert_int_equal(analysis_seed(&b->a, 1, 3), first);
	qsort(seeds, n, sizeof(*seeds), cmp_u64);
	for (size_t i = 1; i < n; i++)
		assert_true(seeds[i] != seeds[i - 1]);
	b->run.request.seed++;
	assert_true(analysis_seed(&b->a, 1, 3) != first);
	free(seeds);
	built_finish(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clear_winner),
		cmocka_unit_test(test_tie),
		cmocka_unit_test(test_rw_ties),
		cmocka_unit_test(test_reference_not_a_candidate),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_best_is_fastest_median),
		cmocka_unit_test(test_too_few_rounds),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_warnings_machine),
		cmocka_unit_test(test_cpu_per_sample),
		cmocka_unit_test(test_round_spread),
		cmocka_unit_test(test_cpu_gap),
		cmocka_unit_test(test_seed_streams),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
