/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the stats_*.c files: input checks, seeded RNG, ranks,
 * the Hodges-Lehmann estimator and the moving-block bootstrap. Not API:
 * only harness/stats*.c include this header.
 */
#ifndef IOBENCH_STATS_INTERNAL_H
#define IOBENCH_STATS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

/* 1.4826...: scales a raw MAD to the SD of a normal distribution. */
#define STATS_MAD_NORMAL (1.0 / 0.6744897501960817)

bool stats_all_finite(const double *x, size_t n);
bool stats_level_ok(double level);

/* A sorted, malloc'd copy of x[0..n); NULL when out of memory. */
double *stats_sorted_copy(const double *x, size_t n);
/* Checks a sample (x not NULL, n >= 1, every value finite) and gives its
 * sorted copy in *sorted (you free it): 0, -EINVAL or -ENOMEM. */
int stats_sorted_sample(const double *x, size_t n, double **sorted);

/* Raw (unscaled) median absolute deviation of x around `center`. */
int stats_raw_mad(const double *x, size_t n, double center, double *mad);

/*
 * Tukey fences from q1/q3 (strict comparisons): counts[0..3] = low mild,
 * low severe, high mild, high severe. A severe point is not also mild.
 */
void stats_tukey_counts(const double *x, size_t n, double q1, double q3,
			unsigned counts[4]);

/* A GSL mt19937 seeded with both halves of `seed`; NULL when out of
 * memory. The caller frees it with gsl_rng_free(). */
gsl_rng *stats_rng_new(uint64_t seed);

/*
 * Average ranks (1-based, ties get their mean rank) of x[0..n) into
 * rank[0..n), as scipy.stats.rankdata(x). If tie_sum is not NULL it
 * receives the sum over tie groups of size t of f(t) = t^3 - t.
 */
int stats_midranks(const double *x, size_t n, double *rank, double *tie_sum);

/* n(n + 1) / 2: the number of Walsh averages of n values. */
size_t stats_walsh_count(size_t n);

/*
 * Hodges-Lehmann estimate of d[0..n), n >= 1: the median of the Walsh
 * averages (d[i] + d[j]) / 2, i <= j. walsh[] is caller scratch of
 * stats_walsh_count(n) elements; it is left holding the averages in an
 * unspecified order. O(n^2) time.
 */
double stats_hodges_lehmann(const double *d, size_t n, double *walsh);

/* Block length of the moving-block bootstrap: round(n^(1/3)), >= 1. */
size_t stats_block_length(size_t n);

/*
 * One moving-block resample of the indices 0..n-1 into idx[0..n): blocks
 * of `len` consecutive indices starting uniformly in [0, n - len], laid
 * end to end, the last one cut at n.
 */
void stats_block_draw(gsl_rng *rng, size_t n, size_t len, size_t *idx);

/* A moving-block bootstrap over n rounds: the seeded RNG, the block
 * length and the indices of the last resample. */
struct stats_block_boot {
	gsl_rng *rng;
	size_t *idx;
	size_t n, len;
};

/* Sets bb up for n rounds, its RNG seeded with `seed`: 0 or -ENOMEM.
 * Either way stats_block_boot_free() releases it. */
int stats_block_boot_init(struct stats_block_boot *bb, size_t n,
			  uint64_t seed);
/* Draws the next resample (stats_block_draw); returns bb->idx. */
const size_t *stats_block_boot_draw(struct stats_block_boot *bb);
void stats_block_boot_free(struct stats_block_boot *bb);

/*
 * The tail probability to read a bootstrap distribution at for a
 * two-sided `level` interval from `units` independent units, widened for
 * small samples: the expanded percentile interval (Hesterberg, "What
 * teachers should know about the bootstrap", 2015) reads the percentiles
 * at Phi(-sqrt(u / (u - 1)) t(1 - (1 - level) / 2, u - 1)) instead of
 * (1 - level) / 2. units < 2 is taken as 2.
 */
double stats_expanded_tail(size_t units, double level);

/*
 * Sorts est[0..count) (count >= 1) and reads it at the expanded tails for
 * `units` (stats_expanded_tail): *lo and *hi, type-7 quantiles.
 */
void stats_expanded_interval(double *est, size_t count, size_t units,
			     double level, double *lo, double *hi);

/*
 * The signed-rank distribution (exact: no ties, m <= 50): P(T+ <= w) and
 * P(T+ >= w) for m non-zero differences. Hand-written: GSL has no
 * signed-rank distribution (counts of subsets of {1..m} by their sum).
 */
int stats_signed_rank_exact(size_t m, double w, double *p_le, double *p_ge);

/*
 * The rank c (1-based) such that [W(c), W(M + 1 - c)] over the M sorted
 * Walsh averages of m values is the distribution-free `level` CI of the
 * pseudo-median (as R's wilcox.test(conf.int = TRUE)): exact for
 * m <= 50, normal approximation above; at least 1.
 */
size_t stats_walsh_ci_rank(size_t m, double level);

#endif
