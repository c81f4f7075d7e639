// SPDX-License-Identifier: MIT
/*
 * The analysis on synthetic runs with known answers: best sets and ties,
 * paired speed-ups within a run and across runs, drift, slow modes and
 * the other warnings, CPU per GiB from per-sample figures, the
 * recommendation rules and their merging across sizes, observations, a
 * baseline's verdict; and the outputs that render it (the terminal
 * summary and the exports against results.json's summary, the report's
 * table widths).
 */
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
#include "compare.h"
#include "outputs.h"
#include "report.h"
#include "synthetic.h"

#define MIB (1024ull * 1024)

/* Per-copy seconds: median x lognormal noise x what the machine does to
 * every cell in that round (common drift) x an optional step, slow
 * rounds and a per-run shift. */
struct gen {
	double median, cv;
	uint64_t seed;
	bool still;	  /* no common drift */
	unsigned step_at; /* 0: none */
	double step;
	unsigned slow_every; /* 0: none */
	double slow_factor;
	double run_shift[4];
};

static double machine(unsigned run, unsigned round)
{
	return 1 + 0.15 * sin(round / 3.0) + 0.05 * run;
}

static double gen_time(unsigned run, unsigned round, void *ctx)
{
	const struct gen *g = ctx;
	uint64_t st = g->seed * 1000003u + run * 7919u + round;
	double t = g->median * exp(g->cv * synthetic_normal(&st)) *
		   (g->still ? 1 : machine(run, round)) *
		   (1 + g->run_shift[run % 4]);

	if (g->step_at && round >= g->step_at)
		t *= g->step;
	if (g->slow_every && round % g->slow_every == g->slow_every - 1)
		t *= g->slow_factor;
	return t;
}

/* Up to 16 cells per test run, each with its own generator. */
struct built {
	struct run run;
	struct gen gens[16];
	size_t n;
	struct analysis a;
};

static void add(struct built *b, const char *strategy, uint64_t size,
		enum cache_mode cache, size_t rounds, unsigned runs,
		struct gen g)
{
	struct synthetic_cell sc = {
		.strategy = strategy,
		.size = size,
		.cache = cache,
		.sync = SYNC_NONE,
		.rounds = rounds,
		.runs = runs,
		.time = gen_time,
	};

	assert_true(b->n < 16);
	b->gens[b->n] = g;
	if (!b->gens[b->n].seed)
		b->gens[b->n].seed = b->n + 1;
	sc.ctx = &b->gens[b->n++];
	assert_int_equal(synthetic_add(&b->run, &sc), 0);
}

static struct built *begin(void)
{
	struct built *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	assert_int_equal(synthetic_base(&b->run), 0);
	return b;
}

static void analyse(struct built *b)
{
	assert_int_equal(results_estimate(&b->run), 0);
	assert_int_equal(analysis_build(&b->run, &b->a), 0);
}

static void finish(struct built *b)
{
	analysis_free(&b->a);
	results_free(&b->run);
	free(b);
}

/* The cell index of strategy at size/cache. */
static size_t cell_of(const struct built *b, const char *strategy,
		      uint64_t size, enum cache_mode cache)
{
	for (size_t i = 0; i < b->run.n_cells; i++)
		if (!strcmp(b->run.cells[i].strategy, strategy) &&
		    b->run.cells[i].size == size &&
		    b->run.cells[i].cache == cache)
			return i;
	fail_msg("no cell %s", strategy);
	return SIZE_MAX;
}

static const struct analysis_group *headline(const struct built *b,
					     uint64_t size)
{
	const struct analysis_size *s = analysis_size_of(&b->a, size);

	assert_non_null(s);
	assert_true(s->headline != SIZE_MAX);
	return &b->a.groups[s->headline];
}

static void contains(const char *text, const char *needle)
{
	if (!text || !strstr(text, needle))
		fail_msg("'%s' lacks '%s'", text ? text : "(null)", needle);
}

static void lacks(const char *text, const char *needle)
{
	if (text && strstr(text, needle))
		fail_msg("'%s' has '%s'", text, needle);
}

static const char *line_of(const struct built *b, uint64_t size, bool md)
{
	static char line[ANALYSIS_LINE_LEN];

	return analysis_size_line(&b->a, analysis_size_of(&b->a, size), md,
				  line, sizeof(line));
}

/* A recommendation or observation containing needle, or NULL. */
static const struct analysis_advice *advice(const struct analysis_advice *v,
					    size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i].text, needle))
			return &v[i];
	return NULL;
}

static size_t warnings_of(const struct built *b, size_t cell,
			  enum analysis_warning_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < b->a.n_warnings; i++)
		n += b->a.warnings[i].cell == cell &&
		     b->a.warnings[i].kind == kind;
	return n;
}

/* ---- best sets and speed-ups ---- */

static void test_clear_winner(void **state)
{
	struct built *b = begin();
	const struct analysis_group *g;
	const struct analysis_advice *r;
	size_t cfr;

	(void)state;
	add(b, "rw", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 2e-3, .cv = 0.03 });
	add(b, "copy_file_range", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.03 });
	add(b, "sendfile", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 1.5e-3, .cv = 0.03 });
	analyse(b);
	cfr = cell_of(b, "copy_file_range", MIB, CACHE_WARM);
	g = headline(b, MIB);
	assert_int_equal(g->best, cfr);
	assert_int_equal(g->n_set, 1);
	assert_int_equal(g->rw, cell_of(b, "rw", MIB, CACHE_WARM));
	assert_true(g->have_speedup);
	assert_true(g->speedup > 1.9 && g->speedup < 2.1);
	assert_true(g->speedup_lo > 1.5 && g->speedup_hi < 2.5);
	assert_true(g->speedup_lo <= g->speedup && g->speedup <= g->speedup_hi);
	/* the paired speed-up of each cell: the common drift cancels */
	assert_true(b->a.cells[cfr].have_speedup);
	assert_true(b->a.cells[cfr].speedup_hi - b->a.cells[cfr].speedup_lo <
		    0.2);
	assert_true(b->a.within_run);
	contains(line_of(b, MIB, false), "1M: copy_file_range is fastest; ");
	contains(line_of(b, MIB, false), "] faster than rw");
	r = advice(b->a.recs, b->a.n_recs, "Use `copy_file_range` for 1M");
	assert_non_null(r);
	assert_int_equal(r->impact, IMPACT_HIGH);
	assert_ptr_equal(r, &b->a.recs[0]);
	finish(b);
}

static void test_tie(void **state)
{
	struct built *b = begin();
	const struct analysis_group *g;
	char names[256];

	(void)state;
	add(b, "rw", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 2e-3, .cv = 0.03 });
	add(b, "sendfile", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.03 });
	add(b, "splice", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.03 });
	add(b, "copy_file_range", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 1.005e-3, .cv = 0.03 });
	add(b, "mmap", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 1.3e-3, .cv = 0.03 });
	analyse(b);
	g = headline(b, MIB);
	assert_int_equal(g->n_set, 3);
	assert_false(
		b->a.cells[cell_of(b, "mmap", MIB, CACHE_WARM)].in_best_set);
	assert_false(b->a.cells[g->rw].in_best_set);
	analysis_set_names(&b->a, g, false, names, sizeof(names));
	contains(names, "sendfile");
	contains(names, "splice");
	contains(names, "copy_file_range");
	contains(names, " and ");
	contains(line_of(b, MIB, false), " tie (within 3%); ");
	contains(line_of(b, MIB, false), "faster than rw");
	contains(line_of(b, MIB, true), "tie (within 3%); any of them; ");
	contains(advice(b->a.recs, b->a.n_recs, "Use any of")->text,
		 "(they tie within 3%)");
	finish(b);
}

/* rw in the best set: no speed advice, an observation instead. */
static void test_rw_ties(void **state)
{
	struct built *b = begin();

	(void)state;
	add(b, "rw", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.02 });
	add(b, "sendfile", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.02 });
	analyse(b);
	assert_true(b->a.cells[headline(b, MIB)->rw].in_best_set);
	contains(line_of(b, MIB, false), "rw is among them");
	lacks(line_of(b, MIB, false), "faster than");
	assert_null(advice(b->a.recs, b->a.n_recs, "Use "));
	assert_non_null(advice(b->a.notes, b->a.n_notes, "`rw` ties with"));
	finish(b);
}

/* A reference tool is a yardstick: never in the best set. */
static void test_reference_not_a_candidate(void **state)
{
	struct built *b = begin();
	size_t cp;

	(void)state;
	add(b, "rw", MIB, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 2e-3, .cv = 0.02 });
	add(b, "ref:cp", MIB, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.02 });
	analyse(b);
	cp = cell_of(b, "ref:cp", MIB, CACHE_WARM);
	assert_true(b->a.cells[cp].reference);
	assert_false(b->a.cells[cp].in_best_set);
	assert_int_equal(headline(b, MIB)->best, headline(b, MIB)->rw);
	/* its speed-up over rw is shown all the same */
	assert_true(b->a.cells[cp].have_speedup);
	assert_true(b->a.cells[cp].speedup > 1.8);
	/* against the best strategy, paired: half its time */
	assert_true(b->a.cells[cp].have_vs_best);
	assert_true(b->a.cells[cp].vs_best > 0.45 &&
		    b->a.cells[cp].vs_best < 0.55);
	assert_true(b->a.cells[cp].vs_best_lo <= b->a.cells[cp].vs_best &&
		    b->a.cells[cp].vs_best <= b->a.cells[cp].vs_best_hi);
	assert_false(b->a.cells[headline(b, MIB)->rw].have_vs_best);
	finish(b);
}

/* 9 strategies, the slowest 3x the fastest: 6 rounds cannot exclude
 * any (8 * 2^-6 > 0.05), so the set is all of them, said so, with no
 * speed advice; 8 rounds can, and they are excluded. */
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
		struct built *b = begin();
		const struct analysis_group *g;
		bool warned = false;

		for (size_t j = 0; j < 9; j++)
			add(b, names[j], MIB, CACHE_WARM, rounds, 1,
			    (struct gen){ .median = 1e-3 * (3 - 0.25 * j),
					  .cv = 0.01 });
		b->run.request.samples = (unsigned)rounds;
		analyse(b);
		g = headline(b, MIB);
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
			contains(line, "1M: 6 rounds cannot tell 9 strategies "
				       "apart (8 needed: --samples 8); "
				       "fastest median odirect, ");
			assert_true(warned);
			/* --samples asked for enough: the budget cut it */
			b->run.request.samples = 10;
			analysis_size_line(&b->a, analysis_size_of(&b->a, MIB),
					   true, line, sizeof(line));
			contains(line, "(8 needed: a larger `--budget`); "
				       "fastest median `odirect`, ");
			for (size_t i = 0; i < b->a.n_recs; i++)
				assert_null(strstr(b->a.recs[i].text, "Use "));
		} else {
			assert_int_equal(g->rounds_needed, 0);
			assert_int_equal(g->n_set, 1);
			assert_false(warned);
			contains(line, "odirect is fastest");
		}
		finish(b);
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
	struct built *b = begin();
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
	analyse(b);
	g = headline(b, MIB);
	assert_string_equal(b->a.cells[g->best].cell->strategy, "sendfile");
	assert_int_equal(g->best, g->cells[0]);
	finish(b);
}

/* A file's text (NUL-terminated); free it. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_non_null(m);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
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
	struct built *b = begin();
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
	add(b, "rw", MIB, CACHE_WARM, 10, 3, rw);
	add(b, "copy_file_range", MIB, CACHE_WARM, 10, 3, cfr);
	analyse(b);
	assert_int_equal(b->a.runs, 3);
	assert_false(b->a.within_run);
	assert_int_equal(analysis_size_of(&b->a, MIB)->runs, 3);
	c = &b->a.cells[cell_of(b, "rw", MIB, CACHE_WARM)];
	assert_true(c->between_runs);
	assert_true(c->between_rel > 0.05);
	/* between runs the median's CI is wider than one run's */
	assert_true(c->median_hi - c->median_lo >
		    c->cell->est.median_hi - c->cell->est.median_lo);
	assert_true(headline(b, MIB)->have_speedup);
	summary = analysis_json_summary(&b->a);
	assert_string_equal(json_string_value(json_object_get(summary, "ci")),
			    "between-runs");
	json_decref(summary);
	/* results.csv shows the same CI as the report, not one run's */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	assert_int_equal(results_write_csv(&b->a, path), 0);
	csv = slurp(path);
	assert_true(fabs(csv_number(csv, "\nrw,", "ci_lo_s") / c->median_lo -
			 1) < 1e-6);
	assert_true(fabs(csv_number(csv, "\nrw,", "ci_hi_s") / c->median_hi -
			 1) < 1e-6);
	assert_true(fabs(csv_number(csv, "\nrw,", "mib_s_ci_lo") / c->mib_s_lo -
			 1) < 1e-6);
	free(csv);
	unlink(path);
	rmdir(dir);
	finish(b);
}

/* ---- per-cell figures and warnings ---- */

static void test_warnings(void **state)
{
	struct built *b = begin();
	size_t step, slow, noisy, steady;

	(void)state;
	add(b, "rw", MIB, CACHE_WARM, 30, 1,
	    (struct gen){ .median = 2e-3, .cv = 0.02, .still = true });
	add(b, "sendfile", MIB, CACHE_WARM, 30, 1,
	    (struct gen){ .median = 1e-3,
			  .cv = 0.01,
			  .still = true,
			  .step_at = 12,
			  .step = 1.3 });
	add(b, "splice", MIB, CACHE_WARM, 30, 1,
	    (struct gen){ .median = 1e-3,
			  .cv = 0.01,
			  .still = true,
			  .slow_every = 5,
			  .slow_factor = 2.2 });
	add(b, "mmap", MIB, CACHE_WARM, 30, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.25, .still = true });
	analyse(b);
	step = cell_of(b, "sendfile", MIB, CACHE_WARM);
	slow = cell_of(b, "splice", MIB, CACHE_WARM);
	noisy = cell_of(b, "mmap", MIB, CACHE_WARM);
	steady = cell_of(b, "rw", MIB, CACHE_WARM);
	assert_true(b->a.cells[step].step);
	assert_int_equal(warnings_of(b, step, WARN_STEP), 1);
	assert_true(fabs(b->a.cells[step].step_ratio - 1.3) < 0.1);
	assert_true(b->a.cells[slow].dist.bimodal);
	assert_int_equal(warnings_of(b, slow, WARN_SLOW_MODE), 1);
	assert_int_equal(warnings_of(b, noisy, WARN_NOISY), 1);
	for (int k = 0; k < WARN_N_KINDS; k++)
		assert_int_equal(warnings_of(b, steady, k), 0);
	/* one sentence per kind, one name per kind */
	for (int k = 0; k < WARN_N_KINDS; k++) {
		assert_true(strlen(analysis_warning_sentence(k)) > 40);
		assert_non_null(strchr(analysis_warning_sentence(k), '.'));
		for (int j = 0; j < k; j++)
			assert_string_not_equal(analysis_warning_name(k),
						analysis_warning_name(j));
	}
	finish(b);
}

/* CPU per GiB is the median of the samples' own figures: one sample
 * with 100 times the CPU moves it not at all (a sum would). */
static void test_cpu_per_sample(void **state)
{
	struct built *b = begin();
	struct cell *c;
	double expect;

	(void)state;
	add(b, "rw", MIB, CACHE_WARM, 11, 1,
	    (struct gen){ .median = 2e-3, .cv = 0 });
	c = &b->run.cells[0];
	c->samples[3].cpu_sys = 100 * c->samples[3].seconds;
	analyse(b);
	/* (0.1 + 0.4) of each sample's time, per GiB of 1 MiB */
	expect = 0.5 * c->est.median * 1024;
	assert_true(fabs(b->a.cells[0].cpu_s_per_gib - expect) < 1e-3 * expect);
	finish(b);
}

/* ---- rules ---- */

static void test_merge_across_sizes(void **state)
{
	struct built *b = begin();
	const struct analysis_advice *r;
	size_t uses = 0;

	(void)state;
	add(b, "rw", MIB, CACHE_WARM, 15, 1,
	    (struct gen){ .median = 2e-3, .cv = 0.02 });
	add(b, "copy_file_range", MIB, CACHE_WARM, 15, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.02 });
	add(b, "rw", 64 * MIB, CACHE_WARM, 15, 1,
	    (struct gen){ .median = 0.1, .cv = 0.02 });
	add(b, "copy_file_range", 64 * MIB, CACHE_WARM, 15, 1,
	    (struct gen){ .median = 0.05, .cv = 0.02 });
	analyse(b);
	for (size_t i = 0; i < b->a.n_recs; i++)
		uses += strstr(b->a.recs[i].text, "`copy_file_range`") != NULL;
	assert_int_equal(uses, 1);
	r = advice(b->a.recs, b->a.n_recs,
		   "Use `copy_file_range` for 1M "
		   "and 64M files: ");
	assert_non_null(r);
	contains(r->text, " at 1M warm (");
	contains(r->text, " at 64M warm (");
	finish(b);
}

static void test_impacts(void **state)
{
	struct built *b = begin();

	(void)state;
	/* 1.25x with a tight CI: Medium */
	add(b, "rw", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 1.25e-3, .cv = 0.01 });
	add(b, "sendfile", MIB, CACHE_WARM, 20, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.01 });
	/* 1.05x, clearly: Low */
	add(b, "rw", 4 * MIB, CACHE_WARM, 30, 1,
	    (struct gen){ .median = 4.2e-3, .cv = 0.005 });
	add(b, "splice", 4 * MIB, CACHE_WARM, 30, 1,
	    (struct gen){ .median = 4e-3, .cv = 0.005 });
	/* 1.1x but noisy: rw cannot be told from it, no advice */
	add(b, "rw", 16 * MIB, CACHE_WARM, 8, 1,
	    (struct gen){ .median = 17.6e-3, .cv = 0.4 });
	add(b, "mmap", 16 * MIB, CACHE_WARM, 8, 1,
	    (struct gen){ .median = 16e-3, .cv = 0.4 });
	analyse(b);
	assert_int_equal(
		advice(b->a.recs, b->a.n_recs, "Use `sendfile`")->impact,
		IMPACT_MEDIUM);
	assert_int_equal(advice(b->a.recs, b->a.n_recs, "Use `splice`")->impact,
			 IMPACT_LOW);
	assert_null(advice(b->a.recs, b->a.n_recs, "`mmap`"));
	contains(advice(b->a.notes, b->a.n_notes, "`rw` ties")->text,
		 "at 16M warm the fastest, `mmap`, is 1.");
	/* ranked: Medium before Low */
	for (size_t i = 1; i < b->a.n_recs; i++)
		assert_true(b->a.recs[i - 1].impact <= b->a.recs[i].impact);
	finish(b);
}

/* A cell that leaves the destination uncached, appended to b. */
static void add_uncached(struct built *b, const char *strategy, uint64_t size,
			 size_t rounds, struct gen g)
{
	struct synthetic_cell sc = {
		.strategy = strategy,
		.size = size,
		.cache = CACHE_WARM,
		.sync = SYNC_NONE,
		.rounds = rounds,
		.time = gen_time,
		.uncached = true,
	};

	b->gens[b->n] = g;
	b->gens[b->n].seed = b->n + 1;
	sc.ctx = &b->gens[b->n++];
	assert_int_equal(synthetic_add(&b->run, &sc), 0);
}

/* Keeping the page cache: the fastest cell that leaves it, Medium when
 * it keeps rw's speed, Low when it is clearly slower (at what cost). */
static void test_footprint_cost(void **state)
{
	struct built *b = begin();
	const struct analysis_advice *r;

	(void)state;
	/* 1M: odirect as fast as rw; libaio (also uncached) slower */
	add(b, "rw", MIB, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.01 });
	add_uncached(b, "libaio", MIB, 12,
		     (struct gen){ .median = 3e-3, .cv = 0.01 });
	add_uncached(b, "odirect", MIB, 12,
		     (struct gen){ .median = 1e-3, .cv = 0.01 });
	analyse(b);
	r = advice(b->a.recs, b->a.n_recs, "To keep the page cache");
	assert_non_null(r);
	contains(r->text, "use `odirect` for 1M files");
	assert_int_equal(r->impact, IMPACT_MEDIUM);
	finish(b);

	/* 4K: the only uncached one is 10x slower than rw: Low */
	b = begin();
	add(b, "rw", 4096, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 1e-4, .cv = 0.01 });
	add_uncached(b, "odirect", 4096, 12,
		     (struct gen){ .median = 1e-3, .cv = 0.01 });
	analyse(b);
	r = advice(b->a.recs, b->a.n_recs, "To keep the page cache");
	assert_non_null(r);
	assert_int_equal(r->impact, IMPACT_LOW);
	contains(r->text, ", 0.1");
	finish(b);
}

/* Observations are not recommendations. */
static void test_observations(void **state)
{
	struct built *b = begin();

	(void)state;
	add(b, "rw", MIB, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.02 });
	add(b, "rw", MIB, CACHE_COLD, 12, 1,
	    (struct gen){ .median = 3e-3, .cv = 0.02 });
	analyse(b);
	assert_non_null(advice(b->a.notes, b->a.n_notes, "Cold copies"));
	assert_null(advice(b->a.recs, b->a.n_recs, "Cold copies"));
	/* the cold share, paired over rounds: about 1/3 */
	assert_true(b->a.cells[0].have_cold);
	assert_true(fabs(b->a.cells[0].cold_share - 1 / 3.0) < 0.03);
	finish(b);
}

static void test_baseline(void **state)
{
	struct built *base = begin(), *now = begin();
	struct compare_options o;
	struct comparison cmp;

	(void)state;
	add(base, "rw", MIB, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.01 });
	add(base, "sendfile", MIB, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.01 });
	add(now, "rw", MIB, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 1.3e-3, .cv = 0.01, .seed = 11 });
	add(now, "sendfile", MIB, CACHE_WARM, 12, 1,
	    (struct gen){ .median = 1e-3, .cv = 0.01, .seed = 12 });
	/* sendfile's process grew by half */
	now->run.cells[1].usage.maxrss_kb = 3072;
	analyse(base);
	analyse(now);
	compare_default_options(&o);
	assert_int_equal(compare_runs(&base->run, &now->run, &o, &cmp), 0);
	assert_int_equal(cmp.n_regressed, 1);
	assert_int_equal(analysis_set_baseline(&now->a, &cmp, "main"), 0);
	compare_free(&cmp);
	contains(now->a.overall, "❌ 1 regression since main: `rw`");
	assert_int_equal(now->a.recs[0].impact, IMPACT_HIGH);
	contains(now->a.recs[0].text, "Regressions since main: ");
	assert_true(fabs(now->a.rss_change - 1.5) < 1e-9);
	assert_int_equal(now->a.rss_change_cell, 1);
	/* the same run against itself: no regression */
	assert_int_equal(compare_runs(&base->run, &base->run, &o, &cmp), 0);
	assert_int_equal(analysis_set_baseline(&base->a, &cmp, "main"), 0);
	compare_free(&cmp);
	contains(base->a.overall, "✅ no regressions since main");
	assert_true(base->a.rss_change == 1);
	finish(base);
	finish(now);
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
	contains(term, "best (ties within 3%)");
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
	contains(term, "CIs are within-run");

	snprintf(path, sizeof(path), "%s/summary.md", dir);
	assert_int_equal(outputs_export_markdown(&a, path), 0);
	md = slurp(path);
	contains(md, "## Executive summary\n");
	contains(md, "| 1M | warm | `copy_file_range` | 1250\xc2\xa0[");
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
	rmdir(dir);
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
							.time = gen_time,
							.ctx = &gens[n] }),
					0);
			}
	assert_int_equal(results_estimate(run), 0);
	assert_int_equal(analysis_build(run, &a), 0);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	assert_int_equal(report_write_markdown(&a, path), 0);
	md = slurp(path);
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
		cmocka_unit_test(test_clear_winner),
		cmocka_unit_test(test_tie),
		cmocka_unit_test(test_rw_ties),
		cmocka_unit_test(test_reference_not_a_candidate),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_best_is_fastest_median),
		cmocka_unit_test(test_too_few_rounds),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_cpu_per_sample),
		cmocka_unit_test(test_merge_across_sizes),
		cmocka_unit_test(test_impacts),
		cmocka_unit_test(test_footprint_cost),
		cmocka_unit_test(test_observations),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_summary_and_exports),
		cmocka_unit_test(test_headline_widths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
