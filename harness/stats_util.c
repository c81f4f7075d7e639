// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the statistics files: checks, seeded RNG, ranks,
 * Hodges-Lehmann, the moving-block bootstrap and the signed-rank
 * distribution (see stats_internal.h for each contract).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats_internal.h"

bool stats_all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

bool stats_level_ok(double level)
{
	return level > 0.0 && level < 1.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double *stats_sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof(*s));
	/* glibc's merge sort: about twice gsl_sort's heapsort on the
	 * million-sample cells compare meets */
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

int stats_sorted_sample(const double *x, size_t n, double **sorted)
{
	if (!x || !n || !stats_all_finite(x, n))
		return -EINVAL;
	*sorted = stats_sorted_copy(x, n);
	return *sorted ? 0 : -ENOMEM;
}

int stats_raw_mad(const double *x, size_t n, double center, double *mad)
{
	double *d = malloc((n ? n : 1) * sizeof(*d));

	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		d[i] = fabs(x[i] - center);
	*mad = n ? gsl_stats_median(d, 1, n) : 0.0;
	free(d);
	return 0;
}

void stats_tukey_counts(const double *x, size_t n, double q1, double q3,
			unsigned counts[4])
{
	double iqr = q3 - q1;
	double mild_lo = q1 - 1.5 * iqr, severe_lo = q1 - 3.0 * iqr;
	double mild_hi = q3 + 1.5 * iqr, severe_hi = q3 + 3.0 * iqr;

	counts[0] = counts[1] = counts[2] = counts[3] = 0;
	for (size_t i = 0; i < n; i++) {
		if (x[i] < severe_lo)
			counts[1]++;
		else if (x[i] < mild_lo)
			counts[0]++;
		else if (x[i] > severe_hi)
			counts[3]++;
		else if (x[i] > mild_hi)
			counts[2]++;
	}
}

gsl_rng *stats_rng_new(uint64_t seed)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	/* mt19937 keeps 32 bits of its seed: fold the high half in */
	if (rng)
		gsl_rng_set(rng,
			    (unsigned long)(uint32_t)(seed ^ (seed >> 32)));
	return rng;
}

int stats_midranks(const double *x, size_t n, double *rank, double *tie_sum)
{
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	double ties = 0.0;

	if (!order)
		return -ENOMEM;
	gsl_sort_index(order, x, 1, n);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		double t;

		while (j < n && x[order[j]] == x[order[i]])
			j++;
		/* positions i..j-1 (0-based) share ranks i+1..j: their mean */
		for (size_t k = i; k < j; k++)
			rank[order[k]] = 0.5 * (double)(i + 1 + j);
		t = (double)(j - i);
		ties += t * t * t - t;
		i = j;
	}
	free(order);
	if (tie_sum)
		*tie_sum = ties;
	return 0;
}

size_t stats_walsh_count(size_t n)
{
	return n * (n + 1) / 2;
}

double stats_hodges_lehmann(const double *d, size_t n, double *walsh)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i; j < n; j++)
			walsh[w++] = 0.5 * (d[i] + d[j]);
	/* gsl_stats_median selects in place: no full sort needed */
	return gsl_stats_median(walsh, 1, w);
}

size_t stats_block_length(size_t n)
{
	double len = round(cbrt((double)n));

	return len < 1.0 ? 1 : (size_t)len;
}

/*
 * The moving-block bootstrap (Kuensch 1989) is hand-written: GSL has
 * none. Blocks keep the short-range dependence between neighbouring
 * rounds that an i.i.d. resample would destroy.
 */
void stats_block_draw(gsl_rng *rng, size_t n, size_t len, size_t *idx)
{
	size_t starts = n - len + 1;

	for (size_t i = 0; i < n;) {
		size_t s = gsl_rng_uniform_int(rng, starts);

		for (size_t j = 0; j < len && i < n; j++)
			idx[i++] = s + j;
	}
}

int stats_block_boot_init(struct stats_block_boot *bb, size_t n,
			  uint64_t seed)
{
	bb->n = n;
	bb->len = stats_block_length(n);
	bb->idx = malloc(n * sizeof(*bb->idx));
	bb->rng = stats_rng_new(seed);
	return bb->idx && bb->rng ? 0 : -ENOMEM;
}

const size_t *stats_block_boot_draw(struct stats_block_boot *bb)
{
	stats_block_draw(bb->rng, bb->n, bb->len, bb->idx);
	return bb->idx;
}

void stats_block_boot_free(struct stats_block_boot *bb)
{
	if (bb->rng)
		gsl_rng_free(bb->rng);
	free(bb->idx);
	memset(bb, 0, sizeof(*bb));
}

double stats_expanded_tail(size_t units, double level)
{
	double u = units < 2 ? 2.0 : (double)units;
	double t = gsl_cdf_tdist_Qinv((1.0 - level) / 2, u - 1.0);

	return gsl_cdf_ugaussian_P(-sqrt(u / (u - 1.0)) * t);
}

void stats_expanded_interval(double *est, size_t count, size_t units,
			     double level, double *lo, double *hi)
{
	double tail = stats_expanded_tail(units, level);

	gsl_sort(est, 1, count);
	*lo = gsl_stats_quantile_from_sorted_data(est, 1, count, tail);
	*hi = gsl_stats_quantile_from_sorted_data(est, 1, count, 1.0 - tail);
}

/*
 * Counts of the subsets of {1..m} by their sum w = 0..m(m+1)/2, divided
 * by 2^m: the null pmf of T+. Doubles hold the counts exactly up to
 * m = 50 (< 2^53).
 */
static double *signed_rank_pmf(size_t m, size_t *top)
{
	size_t max = stats_walsh_count(m);
	double *c = calloc(max + 1, sizeof(*c));

	if (!c)
		return NULL;
	c[0] = 1.0;
	for (size_t k = 1; k <= m; k++)
		for (size_t w = stats_walsh_count(k); w >= k; w--)
			c[w] += c[w - k];
	for (size_t w = 0; w <= max; w++)
		c[w] = ldexp(c[w], -(int)m);
	*top = max;
	return c;
}

int stats_signed_rank_exact(size_t m, double w, double *p_le, double *p_ge)
{
	size_t top;
	double *pmf = signed_rank_pmf(m, &top);
	double le = 0.0, ge = 0.0;

	if (!pmf)
		return -ENOMEM;
	for (size_t v = 0; v <= top; v++) {
		if ((double)v <= w)
			le += pmf[v];
		if ((double)v >= w)
			ge += pmf[v];
	}
	free(pmf);
	*p_le = le < 1.0 ? le : 1.0;
	*p_ge = ge < 1.0 ? ge : 1.0;
	return 0;
}

size_t stats_walsh_ci_rank(size_t m, double level)
{
	double tail = (1.0 - level) / 2, cum = 0.0;
	size_t top, c = 0;
	double *pmf;

	if (m > 50) {
		double mean = (double)stats_walsh_count(m) / 2;
		double sd = sqrt((double)m * (m + 1) * (2 * m + 1) / 24.0);
		/* smallest x with Phi((x + 0.5 - mean) / sd) >= tail */
		double x = ceil(mean + sd * gsl_cdf_ugaussian_Pinv(tail) - 0.5);

		return x < 1.0 ? 1 : (size_t)x;
	}
	pmf = signed_rank_pmf(m, &top);
	if (!pmf)
		return 1; /* the widest interval: never too narrow */
	/* qsignrank(tail, m): the smallest c with P(T+ <= c) >= tail */
	while (c < top && (cum += pmf[c]) < tail)
		c++;
	free(pmf);
	return c < 1 ? 1 : c;
}
