/* SPDX-License-Identifier: MIT */
/*
 * The analysis of a run, computed once from the results model: per size
 * and mode group the cells' robust distributions, CPU per GiB, drift,
 * the best set, paired speed-ups over `rw`, warnings, recommendations and
 * observations. report.md, the plots, results.csv, results.json's summary
 * and the terminal render from it; nothing else computes a CI, a best
 * cell or a speed-up of a run.
 *
 * Layer rule: depends on the results model (results.h, cell.h), the
 * statistics (stats.h) and lib/; the outputs depend on it, never the
 * reverse. The analysis borrows the run: free it (analysis_free()) before
 * the run, and do not change the run in between.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_ANALYSIS_H
#define IOBENCH_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results.h"
#include "stats.h"
#include "targets.h"

struct comparison;
struct json_t;

/* ---- the rules, in one place (each output quotes these) ---- */

#define ANALYSIS_LEVEL		0.95	/* every CI */
#define ANALYSIS_RESAMPLES	2000	/* bootstrap draws per CI */
#define ANALYSIS_ALPHA		0.05	/* Holm-adjusted tests of the set */
#define ANALYSIS_TIE_MARGIN	STATS_TIE_MARGIN	/* 3%: a tie */
#define ANALYSIS_HIGH_SPEEDUP	1.5	/* a clear win: High */
#define ANALYSIS_MEDIUM_SPEEDUP	1.1	/* 10-50%: Medium; below: Low */
#define ANALYSIS_CPU_SAVING	0.30	/* 30% less CPU per GiB: Medium */
#define ANALYSIS_LEAN_CACHE	10.0	/* % of a destination cached ... */
#define ANALYSIS_FULL_CACHE	50.0	/* ... against this for others */
#define ANALYSIS_SMALL_GAIN	0.02	/* buffer gains below: keep it */
#define ANALYSIS_COLD_GAP	0.67	/* cold below this share of warm */
#define ANALYSIS_NO_GAIN	1.05	/* threads: below this, no help */
#define ANALYSIS_SPREAD_WARN	0.10	/* IQR / median at or above */
/* cells a round's effect is the median over (analysis_rounds.c) */
#define ANALYSIS_ROUND_MIN_CELLS 4
/* a CPU's rounds behind a gap between CPUs; the CPUs looked at (the
 * rounds rotate over those the sweep may use) */
#define ANALYSIS_CPU_MIN_ROUNDS 3
#define ANALYSIS_MAX_CPU 1024
/* a gap between CPUs the report states */
#define ANALYSIS_CPU_GAP_SAY 0.10
/* a noisy cell spreading no more than this many times the machine's own
 * reference samples (env_noise.h) is noisy as the machine is */
#define ANALYSIS_MACHINE_SPREAD	1.5
#define ANALYSIS_SLOW_FIRST	2.0	/* warm-up this many medians */
#define ANALYSIS_TINY_SAMPLE	1e-3	/* seconds: timer noise below */
#define ANALYSIS_DRIFT_P	0.01	/* trend and step tests ... */
#define ANALYSIS_DRIFT_MIN	0.05	/* ... and a change of 5% or more */
#define ANALYSIS_DIFFERS	5.0	/* page-cache %: points that differ */
#define ANALYSIS_WARN_ROWS	6	/* more cells of a kind: one row */

#define ANALYSIS_NAME_LEN	160
#define ANALYSIS_LINE_LEN	1024

/* One cell of the run with its figures; only `measured` cells (ok, with
 * samples) have any. */
struct analysis_cell {
	const struct cell *cell;	/* run->cells[i], borrowed */
	bool measured;
	bool reference;			/* a reference tool: a yardstick */
	bool candidate;			/* measured, not a reference */
	size_t group;			/* its group (measured cells) */
	/* per-copy seconds, one per round of its size (NaN: no sample in
	 * that round), in the size's round order (struct analysis_size) */
	double *by_round;
	/* the CPU each of those samples ran on, -1 where not known */
	int *cpu_by_round;
	struct stats_distribution dist;	/* of the per-copy seconds */
	/* dist's spread of the times each over its round's effect (what
	 * moved every cell of the group in that round: analysis_rounds.c);
	 * NaN when the group has too few cells */
	double spread_net;
	/* the median per copy and its CI: order statistics within one run,
	 * the hierarchical bootstrap (runs, then rounds) with --runs >= 2 */
	double median, median_lo, median_hi;
	bool between_runs;		/* the CI spans runs */
	double between_rel;		/* runs >= 2: max / min - 1 of the
					 * per-run medians, else NaN */
	/* one run on a calibrated host (analysis_set_calibration()): how
	 * far another run's median may land from this one's, as |log
	 * ratio|; 0: not known. run_band_own: it is the cell's own (its
	 * median unsteady in this run: analysis_band.c), wider than the
	 * calibration's */
	double run_band;
	bool run_band_own;
	double mib_s, mib_s_lo, mib_s_hi;	/* of the median and CI */
	double files_s;			/* files per second (median) */
	double cpu_s_per_gib;		/* median of per-sample CPU per GiB */
	double pct[RESULTS_DST_WRITEBACK + 1];	/* results_sample_pct() */
	/* drift and steps over the rounds (stats_trend), when n >= 3 */
	bool drift, step;
	double drift_rel;		/* fitted change over the run */
	double step_ratio;		/* level after / before the step */
	size_t step_round;		/* its first sample, in round order */
	/* paired over the rounds: time(rw) / time(this) of its group, > 1
	 * is faster than rw; `rw` itself has 1 [1, 1] */
	bool have_speedup;
	double speedup, speedup_lo, speedup_hi;
	/* a reference tool, paired over the rounds: time(this) / time(the
	 * group's best), how many times slower than the best strategy */
	bool have_vs_best;
	double vs_best, vs_best_lo, vs_best_hi;
	/* threaded or pinned: time(1 thread) / time(this), same variant */
	bool have_scaling;
	double scaling, scaling_lo, scaling_hi;
	size_t scaling_base;		/* index of the 1-thread cell */
	bool in_best_set;		/* ties with its group's fastest */
	/* warm: the same variant cold, and its speed as a share of this
	 * one's, time(warm) / time(cold), paired */
	size_t cold;			/* SIZE_MAX: not measured cold */
	bool have_cold;
	double cold_share, cold_share_lo, cold_share_hi;
	/* no sync: the same variant with fdatasync at the end, and the
	 * cost of durability, time(synced) / time(this), paired */
	size_t synced;			/* SIZE_MAX: not measured so */
	bool have_sync;
	double sync_cost, sync_cost_lo, sync_cost_hi;
};

/* The cells of one size measured in one mode: cache x sync x threads. */
struct analysis_group {
	size_t size;			/* index into sizes[] */
	size_t target;			/* sweep --dir A,B: its target (0) */
	enum cache_mode cache;
	enum sync_mode sync;
	const struct cell *like;	/* a cell with the group's threads */
	bool sequential;		/* 1 thread, unpinned */
	size_t *cells;			/* measured, fastest first */
	size_t n_cells;
	size_t rw;			/* `rw`, default buffer, or SIZE_MAX */
	size_t best;			/* fastest candidate, or SIZE_MAX */
	size_t n_set;			/* the best set, best included */
	size_t rounds;			/* rounds the best set was tested on */
	/* rounds the set's test needs to show any candidate slower (the
	 * exact signed-rank test gives no p below 2^-rounds, Holm
	 * multiplies it by candidates - 1); 0 when it had them. Short of
	 * them, every candidate is in the set: none could be told apart */
	size_t rounds_needed;
	/* IQR / median of its rounds' effects (the machine's part of every
	 * cell's spread), NaN with fewer than ANALYSIS_ROUND_MIN_CELLS
	 * cells */
	double round_spread;
	/* with rounds on 2 or more CPUs: how much slower the slowest CPU's
	 * rounds ran than the fastest's (median effect, exp(gap) - 1), and
	 * the two CPUs; 0 and -1 when not known */
	double cpu_gap;
	int cpu_slow, cpu_fast;
	size_t n_candidates;		/* strategies the set was chosen from */
	/* the best's speed-up over rw, selection-aware (stats_best_set);
	 * with --runs >= 2, the hull with the hierarchical bootstrap's */
	bool have_speedup;
	double speedup, speedup_lo, speedup_hi;
};

struct analysis_size {
	uint64_t size;
	char name[ANALYSIS_NAME_LEN];	/* "1M"; a tree by name and files */
	uint64_t files_per_copy;	/* 1, or a tree's files */
	/* rounds in order: run, then round; n_rounds over all runs and
	 * run_start[r] the first of run r (runs entries + 1) */
	size_t n_rounds, runs;
	size_t *run_start;
	/* the group the summary shows first (warm, no sync, 1 thread
	 * preferred), and per cache mode the sequential group shown in the
	 * summary table (no sync preferred); SIZE_MAX when none */
	size_t headline;
	size_t summary[2];
	/* per cache mode the fastest strategy cell on 2 or more threads,
	 * unsynced (shown beside the reference tools: what a product's
	 * threads would bring); SIZE_MAX when none */
	size_t threaded[2];
};

enum analysis_warning_kind {
	WARN_NOISY,		/* IQR / median >= 10% */
	WARN_NOISY_MACHINE,	/* as much, but the machine's own too */
	WARN_SLOW_MODE,		/* a slower group of samples */
	WARN_DRIFT,		/* a trend over the rounds */
	WARN_STEP,		/* a change point */
	WARN_SLOW_FIRST,	/* warm-up > 2 medians */
	WARN_TINY,		/* samples under 1 ms */
	WARN_FEW,		/* fewer than RESULTS_MIN_SAMPLES */
	WARN_RESIDENCY,		/* failed residency checks */
	WARN_ROUNDS,		/* too few rounds to separate a group */
	WARN_N_KINDS,
};

/* One row of the warnings table. */
struct analysis_warning {
	size_t cell;
	enum analysis_warning_kind kind;
	double value;			/* how bad: larger is worse */
	char figure[64];		/* "IQR 26% of the median" */
};

/* "noisy", "slow mode", ...: the table's problem column. */
const char *analysis_warning_name(enum analysis_warning_kind k);
/* One sentence saying what the kind means and what to do. */
const char *analysis_warning_sentence(enum analysis_warning_kind k);

enum analysis_impact { IMPACT_HIGH, IMPACT_MEDIUM, IMPACT_LOW };

/* "High", "Medium", "Low". */
const char *analysis_impact_name(enum analysis_impact i);

/* A recommendation, or an observation: Markdown (strategies in
 * backticks), one line, the same advice for several sizes merged. */
struct analysis_advice {
	enum analysis_impact impact;	/* observations: IMPACT_LOW */
	double payoff;			/* ranks within an impact */
	char key[512];			/* what merges: rule and subject */
	char head[768];			/* "Use `sendfile` for" */
	char sizes[512];		/* the size names, \x1f between */
	char tail[256];			/* " files (warm): " */
	char *figures;			/* "2.10x `rw` at 1M (...); ..." */
	char *text;			/* the whole line */
};

struct analysis {
	const struct run *run;
	unsigned runs;			/* runs the samples came from, >= 1 */
	bool within_run;		/* runs == 1: CIs are within-run */
	struct analysis_cell *cells;	/* one per run cell, same order */
	size_t n_cells;
	struct analysis_group *groups;	/* by size, then mode rank */
	size_t n_groups;
	struct analysis_size *sizes;	/* ascending */
	size_t n_sizes;
	struct analysis_warning *warnings;
	size_t n_warnings;
	struct analysis_advice *recs;	/* ranked High, Medium, Low */
	size_t n_recs;
	struct analysis_advice *notes;	/* observations */
	size_t n_notes;
	/* run-wide warnings of the environment (the run's own are
	 * run->warnings: outputs show both) */
	char **run_warnings;
	size_t n_run_warnings;
	/* one run: the host's calibration behind the cells' run_band (its
	 * A/A pairs, when it was made; 0 pairs: none applies) */
	size_t band_pairs;
	char *band_started;
	/* cells with a band whose variant (strategy, tunables, cache, sync)
	 * the calibration did not measure: theirs is their size's */
	size_t band_unmeasured;
	/* a baseline compared (analysis_set_baseline) */
	bool compared;
	char *overall;			/* "✅ no regressions since main" */
	char *baseline;			/* its name */
	/* the largest change of a matched cell's peak RSS, new / base (1
	 * when none was matched), and that cell */
	double rss_change;
	size_t rss_change_cell;
	/* memory: the largest and smallest peak RSS of measured cells */
	size_t rss_max, rss_min;	/* cell indices, SIZE_MAX: none */
	/* sweep --dir A,B: the targets (1 with one --dir), one variant
	 * side by side on them (analysis_devices.c) */
	size_t n_targets;
	struct analysis_device_row *device_rows;
	size_t n_device_rows;
	/* the target the summary groups and the rules are of: 0 but while
	 * the rules run for each target */
	size_t focus;
};

/* sweep --dir A,B: one variant (strategy, size, tunables, cache, sync,
 * threads) on every target, against the first target, paired over the
 * rounds: ratio = time(first) / time(t), above 1 when t is faster. */
struct analysis_device_row {
	size_t cell[TARGETS_MAX];	/* per target; SIZE_MAX: not measured */
	bool have[TARGETS_MAX];		/* the ratio is known */
	double ratio[TARGETS_MAX], lo[TARGETS_MAX], hi[TARGETS_MAX];
	/* +1: t faster than the first, -1: slower, 0: a tie (the CI holds
	 * 1, or the ratio is within ANALYSIS_TIE_MARGIN) */
	int verdict[TARGETS_MAX];
};

/*
 * Computes everything from run (results_estimate() already done). The
 * bootstraps are seeded from run->request.seed: same run, same analysis.
 * 0 or -ENOMEM; a figure the statistics cannot give (too few rounds) is
 * left out (have_* false, NaN), never an error.
 */
int analysis_build(const struct run *run, struct analysis *a);
/* Frees what a owns and zeroes it; safe on a zeroed struct. */
void analysis_free(struct analysis *a);

/*
 * Records a comparison with a baseline named name: the summary's Overall
 * line, and a High recommendation naming the regressed cells. The
 * comparison's base must be the baseline and its new side a->run.
 * 0 or -ENOMEM.
 */
int analysis_set_baseline(struct analysis *a, const struct comparison *cmp,
			  const char *name);

struct calibration;
/*
 * One run made on the host cal was calibrated on (calibration.h): each
 * measured cell's run_band, how far another run's median of it may land
 * on this host (calibration_run_band(), family-wise over the measured
 * cells), or the cell's own band where its median is less steady in
 * this run than the calibration's typical cell (wider: run_band_own) -
 * the run-to-run band a single run's report states. Nothing
 * with several runs (their CIs span runs) or for sizes cal lacks.
 * 0 or -ENOMEM.
 */
int analysis_set_calibration(struct analysis *a, const struct calibration *cal);
/* The smallest and largest run_band (|log ratio|) of size k's cells of
 * one kind (device: cell_reaches_device()), the calibration's (cells
 * with a band of their own left out); false when none is known. */
bool analysis_size_band(const struct analysis *a, size_t k, bool device,
			double *lo, double *hi);
/* The cells whose band is their own (run_band_own). */
size_t analysis_own_bands(const struct analysis *a);
/* The widest run_band of size k's cells of one kind whose band is their
 * own, into *hi; false when none is. */
bool analysis_size_own_band(const struct analysis *a, size_t k, bool device,
			    double *hi);
/* Room for analysis_ci_line(): a factor per size, many sizes or trees */
#define ANALYSIS_CI_LINE_LEN (8 * ANALYSIS_LINE_LEN)
/* What the CIs cover, the terminal summary's last line and results.json's
 * summary.ci_line: "CIs span N independent runs."; one run on a
 * calibrated host, how far another run's medians may land per size
 * (page-cache copies, the widest cell's); else that the CIs are
 * within-run only. Into out (no newline). */
const char *analysis_ci_line(const struct analysis *a, char *out, size_t len);

/* ---- lookups the outputs share ---- */

/* The rounds the best set's test needs to show one of k candidates
 * slower than the fastest, or 0 when n rounds are enough. */
size_t analysis_rounds_needed(size_t k, size_t n);

/* The size entry of a size, or NULL. */
const struct analysis_size *analysis_size_of(const struct analysis *a,
					     uint64_t size);

/*
 * The fastest measured cell at `size` in `cache` mode: of `strategy` when
 * it is given, else of any strategy (reference false) or any reference
 * tool (true); 1-thread, unsynced cells first; with several targets, of
 * the first (sweep --dir A,B: Devices compares them). NULL when none. (The
 * plots' and the limits' "best tunables per strategy".)
 */
const struct analysis_cell *analysis_best_of(const struct analysis *a,
					     uint64_t size,
					     enum cache_mode cache,
					     const char *strategy,
					     bool reference);

/*
 * The fastest measured cell of `strategy` at `size` in `cache` mode run
 * on t threads (parallel mode `mode` when t > 1; t == 1 matches the
 * sequential cells of either mode). NULL when none. (The thread-scaling
 * plot's points.)
 */
const struct analysis_cell *analysis_best_threaded(const struct analysis *a,
						   uint64_t size,
						   enum cache_mode cache,
						   const char *strategy,
						   enum parallel_mode mode,
						   unsigned t);

/*
 * A cell's name in its group: the strategy, plus its tunables in
 * parentheses when another cell of the group has the same strategy
 * ("rw (buf 1M)"). md: in backticks for Markdown. Into out.
 */
const char *analysis_cell_name(const struct analysis *a, size_t cell,
			       bool md, char *out, size_t len);
/* The best set of a group as words: "sendfile", "a and b",
 * "a, b and c" (md: each in backticks), in the run's order of its
 * cells. Into out. */
const char *analysis_set_names(const struct analysis *a,
			       const struct analysis_group *g, bool md,
			       char *out, size_t len);
/* The group's modes for people: "warm", "cold, fdatasync at end",
 * "warm, 2 threads by files". Into out. */
const char *analysis_group_modes(const struct analysis_group *g, char *out,
				 size_t len);
/*
 * The verdict of a size in one line, from its headline group: "1M: a, b
 * and c tie (within 3%); 1.25x [1.12, 1.37] faster than rw". md: names
 * in backticks and "; any of them" after a tie. Into out.
 */
const char *analysis_size_line(const struct analysis *a,
			       const struct analysis_size *s, bool md,
			       char *out, size_t len);
/* sweep --dir A,B: target t against the first in one line: "`/mnt/t`
 * (tmpfs) vs `/var/tmp` (ext4): faster in 6, slower in 0, a tie in 2
 * of 8 variants; median ratio 1.9x". Into out. */
const char *analysis_devices_line(const struct analysis *a, size_t t, bool md,
				  char *out, size_t len);
/* "1.25x [1.12, 1.37]" (fmt_sig), "-" when not known. Into out. */
const char *analysis_fmt_ratio(bool have, double r, double lo, double hi,
			       char *out, size_t len);

/* ---- results.json (analysis_json.c) ---- */

/* results.json's "summary" object: per size the best set, speed-ups
 * with CIs, the verdict line and the recommendation; the ranked
 * recommendations, observations and warnings. You own it; NULL when
 * memory runs out. */
struct json_t *analysis_json_summary(const struct analysis *a);
/* Cell i's "analysis" object (json null for a cell not measured). */
struct json_t *analysis_json_cell(const struct analysis *a, size_t i);

#endif
