/* SPDX-License-Identifier: MIT */
/*
 * Shared by the files of the analysis (analysis*.c): the steps
 * analysis_build() takes and the helpers they share. Not API: only
 * harness/analysis*.c (and their tests) include this header.
 */
#ifndef IOBENCH_ANALYSIS_INTERNAL_H
#define IOBENCH_ANALYSIS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

/* A cell's threads (0 reads as 1), and whether it runs 1 unpinned. */
static inline unsigned analysis_threads(const struct cell *c)
{
	return c->threads ? c->threads : 1;
}

static inline bool analysis_sequential(const struct cell *c)
{
	return analysis_threads(c) == 1 && c->pin == PIN_NONE;
}

/* What a bootstrap is of: each kind of figure draws from its own
 * streams, one per cell, group or pair (analysis_seed()). */
enum analysis_stream {
	ANALYSIS_SEED_MEDIAN,	   /* a cell's median across runs */
	ANALYSIS_SEED_VS_RW,	   /* a cell against its group's rw */
	ANALYSIS_SEED_GROUP_VS_RW, /* a group's best against rw */
	ANALYSIS_SEED_BEST_SET,	   /* a group's best set */
	ANALYSIS_SEED_VS_BEST,	   /* a reference tool against the best */
	ANALYSIS_SEED_SCALING,	   /* a cell against its 1 thread */
	ANALYSIS_SEED_PAIRED,	   /* two cells, num x n_cells + den */
	ANALYSIS_SEED_OWN_BAND,	   /* a cell's own run-to-run band */
	ANALYSIS_SEED_STREAMS
};

/* The seed of one bootstrap: the run's --seed, the kind of figure and
 * which one (index: a cell, group or pair), mixed (splitmix64's
 * finaliser), so no two figures share a stream and the same run gives
 * the same figures. */
uint64_t analysis_seed(const struct analysis *a, enum analysis_stream stream,
		       uint64_t index);

/* ---- the steps (analysis_compare.c, analysis_rules.c) ---- */

/* Groups the measured cells by mode and fills every comparison: best
 * sets, speed-ups over rw, threads, cold and fdatasync siblings, the
 * summary's groups and the memory extremes. 0 or -ENOMEM. */
int analysis_compare(struct analysis *a);
/* Each group's round effects: every cell's spread_net and the group's
 * round_spread (analysis_rounds.c). 0 or -ENOMEM. */
int analysis_round_spread(struct analysis *a);
/* Warnings, recommendations and observations, from the figures.
 * 0 or -ENOMEM. */
int analysis_apply_rules(struct analysis *a);

/* The summary groups of every size (analysis_size's headline and
 * summary[]) for target a->focus. */
void analysis_pick_summary(struct analysis *a);
/* Whether c is on the target the rules speak of (a->focus). */
static inline bool analysis_in_focus(const struct analysis *a,
				     const struct cell *c)
{
	return targets_of_cell(&a->run->request, c) == a->focus;
}
/* sweep --dir A,B: the Devices rows (analysis_devices.c). 0 or -ENOMEM. */
int analysis_devices(struct analysis *a);

/* time(num) / time(den) of two measured cells of one size, paired over
 * its rounds (across runs: the hierarchical bootstrap). 0, or -EINVAL
 * when the rounds do not allow it, or -ENOMEM. */
int analysis_paired_cells(const struct analysis *a, size_t num, size_t den,
			  double *ratio, double *lo, double *hi);

/* ---- warnings (analysis_warnings.c) ---- */

/* Every cell's warning rows and the run-wide ones. 0 or -ENOMEM. */
int analysis_warn(struct analysis *a);

/* ---- advice (analysis_advice.c) ---- */

/*
 * Adds one piece of advice to a list, merging with an entry of the same
 * key: the size joins the list (once), the figure is appended, the
 * higher impact and payoff are kept. 0 or -ENOMEM.
 */
int analysis_advise(struct analysis_advice **list, size_t *n,
		    enum analysis_impact impact, double payoff,
		    const char *key, const char *head, const char *size,
		    const char *tail, const char *figure);
/* Sorts a->recs and a->notes (impact, then payoff) and writes each
 * one's text. 0 or -ENOMEM. */
int analysis_finish_advice(struct analysis *a);

#endif
