// SPDX-License-Identifier: MIT
/*
 * compare's tests (compare.h): the two-sided Mann-Whitney U test (exact
 * for small samples without ties, else the normal approximation with the
 * tie correction) and Holm's step-down adjustment of p-values.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "compare.h"

struct ranked {
	double v;
	bool from_x;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *ra = a, *rb = b;

	return (ra->v > rb->v) - (ra->v < rb->v);
}

/*
 * Ranks the pooled sample (ties get their mean rank): the rank sum of x
 * and sum(t^3 - t) over the tie groups. 0 or -ENOMEM.
 */
static int rank_sum(const double *x, size_t nx, const double *y, size_t ny,
		    double *rx, double *tie_term)
{
	size_t n = nx + ny;
	struct ranked *all = malloc(n * sizeof(*all));

	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < nx; i++)
		all[i] = (struct ranked){ x[i], true };
	for (size_t i = 0; i < ny; i++)
		all[nx + i] = (struct ranked){ y[i], false };
	qsort(all, n, sizeof(*all), cmp_ranked);

	*rx = 0;
	*tie_term = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double t, mean_rank;

		while (j + 1 < n && all[j + 1].v == all[i].v)
			j++;
		t = (double)(j - i + 1);
		mean_rank = (double)(i + j) / 2 + 1;	/* ranks are 1-based */
		for (size_t k = i; k <= j; k++)
			if (all[k].from_x)
				*rx += mean_rank;
		*tie_term += t * t * t - t;
		i = j + 1;
	}
	free(all);
	return 0;
}

/*
 * P(U >= u) under H0 for sizes m, n without ties, by the classic
 * recursion on the largest pooled value: f(m, n, k) = f(m-1, n, k-n) +
 * f(m, n-1, k), counting arrangements in doubles (only additions, so the
 * relative error stays tiny). Hand-written: GSL has no Mann-Whitney
 * distribution. NaN on allocation failure.
 */
static double mw_exact_sf(size_t m, size_t n, size_t u)
{
	size_t width = m * n + 1;
	double *prev = calloc((n + 1) * width, sizeof(double));
	double *cur = calloc((n + 1) * width, sizeof(double));
	double tail = 0, total = 0, *t;

	if (!prev || !cur) {
		free(prev);
		free(cur);
		return NAN;
	}
	/* no x values: U is 0 whatever the y values */
	for (size_t j = 0; j <= n; j++)
		prev[j * width] = 1;
	for (size_t i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * width * sizeof(double));
		cur[0] = 1;
		for (size_t j = 1; j <= n; j++) {
			double *row = cur + j * width;
			const double *left = cur + (j - 1) * width;
			const double *up = prev + j * width;

			for (size_t k = 0; k <= i * j; k++)
				row[k] = (k >= j ? up[k - j] : 0) + left[k];
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	for (size_t k = 0; k < width; k++) {
		total += prev[n * width + k];
		if (k >= u)
			tail += prev[n * width + k];
	}
	free(prev);
	free(cur);
	return tail / total;
}

int compare_mann_whitney(const double *x, size_t nx, const double *y,
			 size_t ny, double *u, double *p, bool *exact)
{
	double m = (double)nx, n = (double)ny, rx, tie_term, u_max, prob;
	int ret;

	if (!nx || !ny)
		return -EINVAL;
	ret = rank_sum(x, nx, y, ny, &rx, &tie_term);
	if (ret)
		return ret;
	*u = rx - m * (m + 1) / 2;
	/* two-sided: the larger of U_x and U_y, doubled tail (scipy's way) */
	u_max = fmax(*u, m * n - *u);

	*exact = tie_term == 0 && nx <= COMPARE_EXACT_MAX &&
		 ny <= COMPARE_EXACT_MAX;
	if (*exact) {
		prob = mw_exact_sf(nx, ny, (size_t)llround(u_max));
		if (isnan(prob))
			return -ENOMEM;
	} else {
		double N = m + n;
		double var = m * n / 12 *
			     ((N + 1) - tie_term / (N * (N - 1)));

		/* all values equal: nothing can be told apart */
		if (!(var > 0)) {
			*p = 1;
			return 0;
		}
		prob = gsl_cdf_ugaussian_Q((u_max - m * n / 2 - 0.5) /
					   sqrt(var));
	}
	*p = fmin(1, 2 * prob);
	return 0;
}

struct indexed_p {
	double p;
	size_t i;
};

static int cmp_indexed_p(const void *a, const void *b)
{
	const struct indexed_p *pa = a, *pb = b;

	if (pa->p != pb->p)
		return (pa->p > pb->p) - (pa->p < pb->p);
	return (pa->i > pb->i) - (pa->i < pb->i);
}

int compare_holm(const double *p, size_t n, double *adj)
{
	struct indexed_p *s = malloc((n ? n : 1) * sizeof(*s));
	double running = 0;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		s[i] = (struct indexed_p){ p[i], i };
	qsort(s, n, sizeof(*s), cmp_indexed_p);
	/* step-down: (m - k) p_(k), made monotone, capped at 1 */
	for (size_t k = 0; k < n; k++) {
		running = fmax(running, fmin(1, (double)(n - k) * s[k].p));
		adj[s[k].i] = running;
	}
	free(s);
	return 0;
}
