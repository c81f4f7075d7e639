/* SPDX-License-Identifier: MIT */
/*
 * The comparison of two runs as data: options, verdicts and each matched
 * cell's figures (compare.h computes them, compare_table.h and
 * compare.h render them; the analysis reads them for a baseline).
 *
 * Layer: run; includes only the model (results.h, sample_metric.h).
 */
#ifndef IOBENCH_COMPARE_TYPES_H
#define IOBENCH_COMPARE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results.h"
#include "sample_metric.h"

struct calibration;

/* Exact Mann-Whitney p-values up to this many samples per side (no ties). */
#define COMPARE_EXACT_MAX 50

struct compare_options {
	double alpha;		/* significance level, default 0.05 */
	double threshold;	/* relevant change as a fraction, 0.03 = 3% */
	bool holm;		/* Holm-adjust p over the tested cells */
	double level;		/* CI level, 0.95 */
	unsigned resamples;	/* bootstrap draws per cell */
	uint64_t seed;		/* bootstrap seed (cell i uses seed + i) */
	/* key parts not matched on (cell_same_key()'s ignore bits), so a
	 * run with another buffer size can be compared as if it were a
	 * code change */
	uint32_t ignore;
	/* which figures' regressions fail the comparison (COMPARE_FAIL_*);
	 * default time only */
	unsigned fail_on;
	/* this host's A/A noise floors (calibration.h), borrowed; NULL:
	 * none. Used for cells with one run per side. */
	const struct calibration *floors;
	/* run k of one side was measured next to run k of the other
	 * (compare REF's A B B A passes): cells with the same number of
	 * runs (>= 2) on both sides are judged on the paired per-run log
	 * ratios of the medians, in which drift between passes cancels */
	bool paired_runs;
	/* the two sides took turns sample by sample (compare REF with
	 * sweep --lockstep): sample (pass, round) of one side ran next to
	 * the same of the other, and cells are judged on those pairs
	 * (compare_paired_rounds), in which drift over seconds cancels */
	bool paired_rounds;
};

/* --fail-on: the figures whose regressions fail the comparison. */
#define COMPARE_FAIL_TIME	(1u << 0)
#define COMPARE_FAIL_CPU	(1u << 1)
#define COMPARE_FAIL_MEMORY	(1u << 2)	/* RSS, heap, allocations */
#define COMPARE_FAIL_CACHE	(1u << 3)

/* Below this relative change of the median, CPU per GiB, RSS and heap
 * changes are not judged (besides the absolute floors below). */
#define COMPARE_OTHER_THRESHOLD 0.10
/* bytes: two fault-around windows (64 KiB each). Where the libraries land
 * (ASLR: a new layout each run, the same for every sample of a run)
 * decides how many windows the copy's first calls fault in: A/A runs of
 * `iobench quick` moved every cell's RSS growth by 68 KiB (one window and
 * a page) at once, identical samples each side. */
#define COMPARE_RSS_MIN		(128.0 * 1024)
#define COMPARE_HEAP_MIN	1024.0		/* bytes */
#define COMPARE_ALLOCS_MIN	0.5		/* allocations per copy */
#define COMPARE_CACHE_MIN	5.0		/* points of the file's share */
/*
 * Two single runs: every strategy of a size moves together from one run
 * to the next here, by far more than each one on its own (9 A/A pairs of
 * `iobench quick`, page-cache cells: a shift common to the size of SD
 * 10%, -21% to +24%; each cell's own change about it 4-6%, rw's 2-5%).
 * With one run per side a time change is judged net of its size's shift,
 * the median change of at least this many cells of the size (same kind
 * of copy and threads): one strategy's change shows against the others,
 * the machine's level does not. A change common to all strategies of a
 * size cannot be told from the machine's by two single runs: compare.md
 * states it, and `compare REF` (the sides in turns) judges it.
 */
#define COMPARE_SHIFT_MIN_CELLS	4
/*
 * Copies that wait for the device move with it, together and by far more:
 * over 20 pairs of `iobench quick` (10 A/A, 10 with `rw` slowed), its two
 * O_DIRECT cells of a size (odirect, libaio) moved -33% to +47% together
 * (their mean's robust SD 10-23% by size), each about that mean 2-6% -
 * raw, no calibration of three pairs could hold them (a 1M floor of 18%
 * against both at +24%, "regressed", neither changed). Their group has a
 * time shift from this many cells. With two, net of it each cell's
 * change is half their difference, the other's mirrored: two cells
 * either moved together, the shift, or apart, not judged - a verdict of
 * either makes them apart (moved_apart()), never one "regressed" and the
 * other "improved".
 */
#define COMPARE_SHIFT_MIN_DEVICE 2
/*
 * A shift stands for its group only when the group's cells moved
 * together: when the robust SD of their changes net of it (1.4826 x the
 * median |net change|) is above this and above the size's calibrated
 * floor (copies that wait for the device vary several times more), the
 * cells "moved apart" and their time changes are not judged. Measured: over 20
 * pairs of `iobench quick` and 3 A/A pairs, a size's spread was 0.6-6.1%,
 * except where one run's 4K copies had each taken 30-70 us longer (an added
 * cost, not a factor: 2.6x for sendfile, 1.4x for ref:cp): 24-35%, with 5-7
 * cells "regressed" or "improved" that had not changed.
 */
#define COMPARE_APART	0.10
/* compare's one-line summary names the largest shift from this much */
#define COMPARE_SHIFT_NOTE	0.05

enum compare_verdict {
	VERDICT_SAME,		/* "~": no significant change (p >= alpha) */
	VERDICT_NOISE,		/* significant, CI crosses +/- threshold */
	VERDICT_IMPROVED,	/* time CI wholly below -threshold */
	VERDICT_REGRESSED,	/* time CI wholly above +threshold */
	VERDICT_NO_DATA,	/* a side has no samples (skipped, failed) */
};

/*
 * A figure besides time for one matched cell: medians, the change new -
 * base (in the figure's unit; CPU per GiB as a ratio - 1, like time) with
 * its CI, the test's p and a verdict. A regression is an increase.
 */
struct compare_metric {
	bool have;			/* both sides know the figure */
	double base, new;		/* medians */
	double change, lo, hi;		/* and its CI */
	double p, p_adj;
	enum compare_verdict verdict;
	/* CPU s/GiB and RSS growth with one run per side: the shift common
	 * to its group, judged net of; CPU as log(1 + change), its size's
	 * (the cell's `shift`, for this figure); RSS in bytes, the run's
	 * cells of its thread count (a new library layout moves every
	 * cell's RSS by the same 64 KiB steps); 0 when none */
	double shift;
	/* CPU s/GiB with one run per side: the calibrated floor its change
	 * net of the shift must clear, as |log ratio| (0: none) */
	double floor;
};

/* One matched cell. base/new point into the runs given to compare_runs():
 * they must outlive the comparison. */
struct compare_cell {
	const struct cell *base, *new;
	size_t n_base, n_new;		/* samples (per-copy times) */
	double base_median, new_median;	/* per-copy seconds */
	double base_mib_s, new_mib_s;	/* throughput of the medians */
	double u;			/* Mann-Whitney U of the new side */
	double p;			/* two-sided p, unadjusted */
	double p_adj;			/* Holm-adjusted (== p without holm) */
	bool exact;			/* p from the exact distribution */
	double ratio, ratio_lo, ratio_hi; /* median time new/base, CI */
	enum compare_verdict verdict;
	bool few_samples;		/* a side below RESULTS_MIN_SAMPLES */
	/* runs with samples on each side; with >= 2 on both, the time CI
	 * is the hierarchical bootstrap's (stats_hier_median_ratio) and p
	 * Welch's test on the runs' log medians */
	size_t runs_base, runs_new;
	bool hierarchical;
	/* with compare_options.paired_runs: ratio, CI and p from the
	 * per-run pairs (compare_paired_runs) */
	bool paired;
	/* with compare_options.paired_rounds: ratio, CI and p from the
	 * pairs of samples (pass, round); pairs counts them (0: unpaired) */
	bool rounds_paired;
	size_t pairs;
	/* and whether the passes' pairs differ: Kruskal-Wallis p (NaN:
	 * one pass); below 0.05 they were kept apart (hierarchical) */
	double pass_effect_p;
	/* half the CI of each side's median time (the table's "±") */
	double base_half, new_half;
	/* the noise floor applied to the time change, as |log ratio|; 0
	 * when none (several runs, or no calibration for the size) */
	double floor;
	/* with one run per side: the shift common to its size (the median
	 * log ratio of the single-run cells of its size, kind of copy and
	 * threads, when they are compare_shift_min_cells() or more; 0 and
	 * 0 otherwise), which its time verdict is judged net of */
	double shift;
	size_t shift_cells;
	/* and the group's spread about it (COMPARE_APART), as a log */
	double shift_spread;
	/* one run per side, in a shift's group of COMPARE_SHIFT_MIN_CELLS or
	 * more whose rounds are known: ratio, CI and p are of the samples
	 * each over its round's effect (compare_round_adjust()), kept here
	 * (owned; compare_free() frees them) for the test net of the shift */
	bool round_adjusted;
	/* its group moved apart (COMPARE_APART): its time not judged */
	bool apart;
	double *adj_base, *adj_new;
	size_t n_adj_base, n_adj_new;
	/* the other figures; [METRIC_TIME] mirrors the fields above */
	struct compare_metric metric[METRIC_COUNT];
};

/* Whether run-to-run variation is in the cell's time CI: several runs
 * per side, or samples taken in turns (no noise floor, no "disturbed"). */
static inline bool compare_across_runs(const struct compare_cell *cc)
{
	return cc->hierarchical || cc->rounds_paired;
}

/* A field of the environment (or the iobench version) that differs. */
struct compare_env_diff {
	const char *field;		/* "kernel", "fs_type", ... */
	const char *base, *new;		/* borrowed from the runs */
};

/*
 * One variant's time changes across its sizes (compare_across()): with
 * one run per side and a calibrated floor, the cells of one strategy,
 * tunables, cache, sync and threads at two sizes or more. Each cell's
 * change net of its size's shift, weighted by 1 / its A/A variance
 * (sigma = its floor / z), gives the variant's change; z is that change
 * over its standard error, judged against the family-wise z of the
 * floors (cells and variants together).
 */
struct compare_across {
	const struct compare_cell *first;	/* its first cell */
	size_t cells;
	double change, lo, hi;	/* exp(mean log change) - 1, family CI */
	double z;
	/* SAME below the floors' z, NOISE beyond it but inside the
	 * threshold, else REGRESSED or IMPROVED */
	enum compare_verdict verdict;
};

struct comparison {
	struct compare_options opts;
	struct compare_cell *cells;	/* in the base run's cell order */
	size_t n_cells;
	const struct cell **only_base;	/* unmatched, never dropped */
	size_t n_only_base;
	const struct cell **only_new;
	size_t n_only_new;
	struct compare_env_diff *env_diffs;
	size_t n_env_diffs;
	double geomean_ratio;		/* of ratio over cells with data */
	size_t n_geomean;		/* 0: geomean_ratio undefined */
	size_t n_regressed, n_improved, n_noise, n_same, n_no_data;
	size_t n_few_samples;
	/* per figure: cells regressed and improved ([METRIC_TIME] equals
	 * n_regressed and n_improved) */
	size_t metric_regressed[METRIC_COUNT], metric_improved[METRIC_COUNT];
	/* cells compared with a noise floor; with several runs per side */
	size_t n_floored, n_hierarchical, n_paired, n_rounds_paired;
	/* a side of one run was measured while other processes were busy
	 * (env_load.h), and the two sides at different times: the time
	 * changes of single-run cells are not judged (within noise), as
	 * that load fell on one side only; disturbed_why says which side
	 * and how busy. n_disturbed: cells whose change was so demoted;
	 * n_disturbed_regressed: of them, those that had regressed (the
	 * gate could not judge them: compare_unjudged()). */
	bool disturbed, disturbed_both;	/* both: each side under its load */
	char disturbed_why[256];
	/* the runs each side's samples came from; runs_text: as listed in
	 * env_diffs when they differ */
	unsigned runs[2];
	char runs_text[2][16];
	size_t n_disturbed, n_disturbed_regressed;
	/* cells whose change was not judged as their group's cells moved
	 * apart (COMPARE_APART); the widest such spread, as a log, and its
	 * size */
	size_t n_apart;
	double apart_spread;
	uint64_t apart_size;
	/* of the n_apart, those that had regressed: not judged either
	 * (compare_unjudged()); unjudged_why: why the regressions of both
	 * kinds were not judged, disturbed_why and the size that moved
	 * apart */
	size_t n_apart_regressed;
	double apart_regressed_spread; /* the widest of those groups */
	uint64_t apart_regressed_size;
	char unjudged_why[400];
	/* the floors' family: single-run cells plus variants across sizes
	 * (0: no floor applies) */
	size_t family;
	/* variants judged across their sizes (compare_across()) */
	struct compare_across *across;
	size_t n_across, n_across_regressed, n_across_improved;
};

/* Cells a and b share a shift (compare_size_shifts()): size, kind of
 * copy and threads. Here, not in compare_internal.h: compare.md's table
 * groups by it too, and compare_table may not include the compare
 * module (include_cycles.py). */
static inline bool compare_same_shift_group(const struct compare_cell *a,
					    const struct compare_cell *b)
{
	return a->base->size == b->base->size &&
	       a->base->threads == b->base->threads &&
	       cell_reaches_device(a->base) == cell_reaches_device(b->base);
}

/* The cells cc's shift group of figure m needs for a shift:
 * COMPARE_SHIFT_MIN_CELLS, COMPARE_SHIFT_MIN_DEVICE for the time of
 * copies that wait for the device - their CPU s/GiB has no "apart" to
 * keep two mirrored changes from verdicts (one +35%, its partner +5%
 * "improved"), and RSS's group holds both kinds. */
static inline size_t compare_shift_min_cells(const struct compare_cell *cc,
					     enum sample_metric m)
{
	return m == METRIC_TIME && cell_reaches_device(cc->base)
		       ? COMPARE_SHIFT_MIN_DEVICE
		       : COMPARE_SHIFT_MIN_CELLS;
}

/* Whether cc's shift is of two cells: net of it each one's change mirrors
 * the other's, so which of them moved cannot be told - a verdict makes
 * them apart (compare.c), and neither is judged across sizes. */
static inline bool compare_shift_mirrors(const struct compare_cell *cc)
{
	return cc->shift_cells == 2;
}

/* Whether cc is the first cell of its shift group in cmp (one row, one
 * shift per group). */
static inline bool compare_first_of_shift_group(const struct comparison *cmp,
						const struct compare_cell *cc)
{
	for (const struct compare_cell *o = cmp->cells; o < cc; o++)
		if (o->shift_cells && compare_same_shift_group(o, cc))
			return false;
	return true;
}

/* The time changes that had regressed but were not judged: measured
 * under load, or in a size whose cells moved apart (unjudged_why). */
static inline size_t compare_unjudged_regressed(const struct comparison *cmp)
{
	return cmp->n_disturbed_regressed + cmp->n_apart_regressed;
}

#endif
