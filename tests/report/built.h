/* SPDX-License-Identifier: MIT */
/*
 * The analysis tests' fixture: a run built cell by cell, each cell's
 * per-copy seconds from its own generator, then analysed; the lookups
 * the tests read the analysis with. Every helper fails the running
 * cmocka test on a broken precondition.
 */
#ifndef IOBENCH_TEST_BUILT_H
#define IOBENCH_TEST_BUILT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
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

/* struct gen's seconds for (run, round); ctx is the struct gen. */
double built_gen_time(unsigned run, unsigned round, void *ctx);

/* Up to 16 cells per test run, each with its own generator. */
struct built {
	struct run run;
	struct gen gens[16];
	size_t n;
	struct analysis a;
};

/* A zeroed run with the synthetic header; built_finish() frees it. */
struct built *built_begin(void);
/* Appends a cell of strategy at size/cache (no sync), rounds x runs
 * samples from g (seed 0: the cell's position + 1). */
void built_add(struct built *b, const char *strategy, uint64_t size,
	       enum cache_mode cache, size_t rounds, unsigned runs,
	       struct gen g);
/* built_add() of one run, its generator only a median and a cv. */
void built_add_median(struct built *b, const char *strategy, uint64_t size,
		      enum cache_mode cache, size_t rounds, double median,
		      double cv);
/* A cell of strategy at size/cache, no sync, rounds x runs samples. */
struct synthetic_cell built_cell(const char *strategy, uint64_t size,
				 enum cache_mode cache, size_t rounds,
				 unsigned runs);
/* Appends sc with its samples from g (sc's time and ctx are set here;
 * seed 0: the cell's position + 1). */
void built_add_cell(struct built *b, struct synthetic_cell sc, struct gen g);
/* Estimates and analyses the run into b->a. */
void built_analyse(struct built *b);
void built_finish(struct built *b);
/* The cell index of strategy at size/cache. */
size_t built_cell_of(const struct built *b, const char *strategy,
		     uint64_t size, enum cache_mode cache);
/* The headline group of a size. */
const struct analysis_group *built_headline(const struct built *b,
					    uint64_t size);
/* A size's verdict line (a static buffer). */
const char *built_line_of(const struct built *b, uint64_t size, bool md);
/* How many warnings of a kind a cell has. */
size_t built_warnings_of(const struct built *b, size_t cell,
			 enum analysis_warning_kind kind);
/* A recommendation or observation containing needle, or NULL. */
const struct analysis_advice *advice_with(const struct analysis_advice *v,
					  size_t n, const char *needle);
/* text has needle / has not (NULL text has nothing). */
void expect_contains(const char *text, const char *needle);
void expect_lacks(const char *text, const char *needle);

/* Five 1M warm cells (rw, sendfile, splice, copy_file_range, stdio),
 * 2% noise of their own, with the machine's round swing (built.c's
 * machine()) unless still. */
extern const char *const built_five[5];
void built_add_five(struct built *b, bool still);
/* The summary of b's analysis, as report.md has it (you free it). */
char *built_summary(const struct built *b);

#endif
