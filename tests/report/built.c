// SPDX-License-Identifier: MIT
/*
 * The analysis tests' fixture (see built.h): runs built cell by cell from
 * known generators, analysed, and the lookups the tests check them with.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "built.h"
#include "report.h"

static double machine(unsigned run, unsigned round)
{
	return 1 + 0.15 * sin(round / 3.0) + 0.05 * run;
}

double built_gen_time(unsigned run, unsigned round, void *ctx)
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

void built_add_cell(struct built *b, struct synthetic_cell sc, struct gen g)
{
	assert_true(b->n < 16);
	b->gens[b->n] = g;
	if (!b->gens[b->n].seed)
		b->gens[b->n].seed = b->n + 1;
	sc.time = built_gen_time;
	sc.ctx = &b->gens[b->n++];
	assert_int_equal(synthetic_add(&b->run, &sc), 0);
}

struct synthetic_cell built_cell(const char *strategy, uint64_t size,
				 enum cache_mode cache, size_t rounds,
				 unsigned runs)
{
	return (struct synthetic_cell){
		.strategy = strategy,
		.size = size,
		.cache = cache,
		.sync = SYNC_NONE,
		.rounds = rounds,
		.runs = runs,
	};
}

void built_add(struct built *b, const char *strategy, uint64_t size,
	       enum cache_mode cache, size_t rounds, unsigned runs,
	       struct gen g)
{
	built_add_cell(b, built_cell(strategy, size, cache, rounds, runs), g);
}

void built_add_median(struct built *b, const char *strategy, uint64_t size,
		      enum cache_mode cache, size_t rounds, double median,
		      double cv)
{
	built_add(b, strategy, size, cache, rounds, 1,
		  (struct gen){ .median = median, .cv = cv });
}

struct built *built_begin(void)
{
	struct built *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	assert_int_equal(synthetic_base(&b->run), 0);
	return b;
}

void built_analyse(struct built *b)
{
	assert_int_equal(results_estimate(&b->run), 0);
	assert_int_equal(analysis_build(&b->run, &b->a), 0);
}

void built_finish(struct built *b)
{
	analysis_free(&b->a);
	results_free(&b->run);
	free(b);
}

/* The cell index of strategy at size/cache. */
size_t built_cell_of(const struct built *b, const char *strategy, uint64_t size,
		     enum cache_mode cache)
{
	for (size_t i = 0; i < b->run.n_cells; i++)
		if (!strcmp(b->run.cells[i].strategy, strategy) &&
		    b->run.cells[i].size == size &&
		    b->run.cells[i].cache == cache)
			return i;
	fail_msg("no cell %s", strategy);
	return SIZE_MAX;
}

const struct analysis_group *built_headline(const struct built *b,
					    uint64_t size)
{
	const struct analysis_size *s = analysis_size_of(&b->a, size);

	assert_non_null(s);
	assert_true(s->headline != SIZE_MAX);
	return &b->a.groups[s->headline];
}

void expect_contains(const char *text, const char *needle)
{
	if (!text || !strstr(text, needle))
		fail_msg("'%s' lacks '%s'", text ? text : "(null)", needle);
}

void expect_lacks(const char *text, const char *needle)
{
	if (text && strstr(text, needle))
		fail_msg("'%s' has '%s'", text, needle);
}

const char *built_line_of(const struct built *b, uint64_t size, bool md)
{
	static char line[ANALYSIS_LINE_LEN];

	return analysis_size_line(&b->a, analysis_size_of(&b->a, size), md,
				  line, sizeof(line));
}

/* A recommendation or observation containing needle, or NULL. */
const struct analysis_advice *advice_with(const struct analysis_advice *v,
					  size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i].text, needle))
			return &v[i];
	return NULL;
}

size_t built_warnings_of(const struct built *b, size_t cell,
			 enum analysis_warning_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < b->a.n_warnings; i++)
		n += b->a.warnings[i].cell == cell &&
		     b->a.warnings[i].kind == kind;
	return n;
}

const char *const built_five[5] = { "rw", "sendfile", "splice",
				    "copy_file_range", "stdio" };

void built_add_five(struct built *b, bool still)
{
	for (size_t i = 0; i < 5; i++)
		built_add(b, built_five[i], MIB, CACHE_WARM, 20, 1,
			  (struct gen){ .median = 1e-3 * (i + 1),
					.cv = 0.02,
					.still = still });
}

/* Not inlined: GCC 12 takes open_memstream's buffer for a dangling
 * pointer of the caller's frame (-Wdangling-pointer) once it is. */
__attribute__((noinline)) char *built_summary(const struct built *b)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(report_write_summary(&b->a, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}
