// SPDX-License-Identifier: MIT
/*
 * Simulations behind the statistics' claims, with fixed seeds: CI
 * coverage of paired ratios under drift, tie rate and power of the best
 * set, coverage of the selection-aware and hierarchical CIs, false alarms
 * of the slow-mode rule. Prints one line per scenario. Run with
 * `meson test -C build --benchmark stats-sim -v` (about a minute);
 * an optional argument scales the case counts (e.g. 0.25).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats.h"

#define MAX_N 128
#define MAX_K 10

static gsl_rng *rng;
static double scale = 1.0;

static unsigned cases(unsigned n)
{
	unsigned c = (unsigned)(n * scale);

	return c ? c : 1;
}

/* AR(1) noise with marginal SD sd and lag-1 correlation rho. */
static void ar1(double *e, size_t n, double sd, double rho)
{
	e[0] = gsl_ran_gaussian(rng, sd);
	for (size_t i = 1; i < n; i++)
		e[i] = rho * e[i - 1] +
		       sqrt(1 - rho * rho) * gsl_ran_gaussian(rng, sd);
}

/* Common drift: +15% linear, a +10% step half way, a 2% random walk. */
static void drift(double *d, size_t n)
{
	double walk = 0;

	for (size_t i = 0; i < n; i++) {
		walk += gsl_ran_gaussian(rng, 0.02);
		d[i] = 0.15 * (double)i / (double)n + (i > n / 2 ? 0.1 : 0) +
		       walk;
	}
}

static void paired_coverage(void)
{
	static const size_t ns[] = { 5, 10, 20, 30, 60 };
	static const double rhos[] = { 0.0, 0.3, 0.6 };

	printf("paired ratio CI (95%%, true ratio 1.10, common drift, noise "
	       "SD 5%%, AR(1) rho in the residuals; 2000 resamples)\n");
	for (size_t a = 0; a < sizeof(ns) / sizeof(ns[0]); a++) {
		for (size_t b = 0; b < 3; b++) {
			size_t n = ns[a];
			unsigned c = cases(400), hit = 0;
			double width = 0;

			for (unsigned k = 0; k < c; k++) {
				double dr[MAX_N], ea[MAX_N], eb[MAX_N];
				double x[MAX_N], y[MAX_N];
				struct stats_paired p;

				drift(dr, n);
				ar1(ea, n, 0.05, rhos[b]);
				ar1(eb, n, 0.05, rhos[b]);
				for (size_t i = 0; i < n; i++) {
					x[i] = 1.1 * exp(dr[i] + ea[i]);
					y[i] = exp(dr[i] + eb[i]);
				}
				if (stats_paired_ratio(x, y, n, 0.95, 2000, k,
						       &p))
					abort();
				hit += p.lo <= 1.1 && 1.1 <= p.hi;
				width += log(p.hi / p.lo);
			}
			printf("  n=%-3zu rho=%.1f  coverage %.3f  mean width "
			       "%.1f%%\n",
			       n, rhos[b], (double)hit / c,
			       100 * (exp(width / c) - 1));
		}
	}
}

/* Candidates' times, round by round, and the rows stats_best_set()
 * reads them by. */
struct candidates {
	double t[MAX_K][MAX_N];
	const double *rows[MAX_K];
};

/* k candidates with log-medians mu[], CV sd, n rounds, common drift;
 * each candidate's own noise AR(1) with lag-1 correlation rho. */
static void make_candidates(struct candidates *c, const double *mu,
			    size_t k, size_t n, double sd, double rho)
{
	double dr[MAX_N], e[MAX_N];

	drift(dr, n);
	for (size_t j = 0; j < k; j++) {
		c->rows[j] = c->t[j];
		ar1(e, n, sd, rho);
		for (size_t i = 0; i < n; i++)
			c->t[j][i] = exp(mu[j] + dr[i] + e[i]);
	}
}

/* Counts of one scenario: identical candidates all in the set, the 20%
 * slower one out; by the signed-rank test alone and by the set (the test
 * and the selection-aware gap both). */
struct rates {
	unsigned tie_test, tie, power_test, power;
};

/* One draw of each question about k candidates over n rounds (best set
 * at margin 3%, alpha 0.05, 200 resamples): do k identical ones all make
 * the set, is one 20% slower left out? */
static void tie_and_power(struct candidates *t, size_t k, size_t n,
			  double sd, double rho, unsigned seed,
			  struct rates *c)
{
	double mu[MAX_K] = { 0 };
	struct stats_best r;

	for (int slower = 0; slower < 2; slower++) {
		size_t test_out = 0;

		mu[1] = slower ? log(1.2) : 0;
		make_candidates(t, mu, k, n, sd, rho);
		if (stats_best_set(t->rows, k, n, SIZE_MAX, 0.03, 0.05, 0.95,
				   200, seed, &r))
			abort();
		for (size_t j = 0; j < k; j++)
			test_out += r.p_adj[j] < 0.05;
		if (slower) {
			c->power_test += r.p_adj[1] < 0.05;
			c->power += !r.in_set[1];
		} else {
			c->tie_test += !test_out;
			c->tie += r.n_set == k;
		}
		stats_best_free(&r);
	}
}

static void best_set_rates(void)
{
	static const size_t ns[] = { 5, 10, 20, 30 };
	static const double sds[] = { 0.05, 0.10, 0.20 };
	static const double rhos[] = { 0.0, 0.4 };
	struct candidates t;

	printf("best set (margin 3%%, alpha 0.05): tie = every identical "
	       "candidate in the set; power = the 20%% slower one out; "
	       "test = the signed-rank test alone, set = the test and the "
	       "selection-aware gap both\n");
	for (size_t a = 0; a < 4; a++) {
		for (size_t b = 0; b < 3 * 2; b++) {
			size_t n = ns[a];
			double sd = sds[b / 2], rho = rhos[b % 2];
			unsigned c = cases(1000), c9 = (c + 3) / 4;
			struct rates r2 = { 0 }, r9 = { 0 };

			for (unsigned k = 0; k < c; k++) {
				tie_and_power(&t, 2, n, sd, rho, k, &r2);
				if (k % 4 == 0)
					tie_and_power(&t, 9, n, sd, rho, k,
						      &r9);
			}
			printf("  n=%-3zu CV=%2.0f%% rho=%.1f  tie k=2 "
			       "%.3f/%.3f k=9 %.3f/%.3f  power k=2 "
			       "%.3f/%.3f k=9 %.3f/%.3f (test/set)\n",
			       n, 100 * sd, rho, (double)r2.tie_test / c,
			       (double)r2.tie / c, (double)r9.tie_test / c9,
			       (double)r9.tie / c9, (double)r2.power_test / c,
			       (double)r2.power / c,
			       (double)r9.power_test / c9,
			       (double)r9.power / c9);
		}
	}
}

static void selection_coverage(void)
{
	static const struct {
		const char *name;
		size_t k;
		double ratio[MAX_K]; /* to the reference, candidate 0 */
	} sc[] = {
		{ "clear winner", 4, { 1.2, 1.0, 1.1, 1.15 } },
		{ "2 tied", 3, { 1.2, 1.0, 1.0 } },
		{ "3 tied", 6, { 1.2, 1.0, 1.0, 1.0, 1.1, 1.3 } },
		{ "8 tied", 9, { 1.2, 1, 1, 1, 1, 1, 1, 1, 1 } },
	};
	static const size_t ns[] = { 10, 20, 30 };
	struct candidates t;

	printf("selection-aware CI of the winner's speedup over candidate 0 "
	       "(95%%, CV 5%%, 1000 resamples): covers the winner's true "
	       "speedup\n");
	for (size_t s = 0; s < 4; s++) {
		for (size_t a = 0; a < 3; a++) {
			double mu[MAX_K];
			unsigned c = cases(300), hit = 0;

			for (size_t j = 0; j < sc[s].k; j++)
				mu[j] = log(sc[s].ratio[j]);
			for (unsigned k = 0; k < c; k++) {
				struct stats_best r;
				double truth;

				make_candidates(&t, mu, sc[s].k, ns[a], 0.05, 0.0);
				if (stats_best_set(t.rows, sc[s].k, ns[a], 0,
						   0.03, 0.05, 0.95, 1000, k,
						   &r))
					abort();
				truth = sc[s].ratio[0] / sc[s].ratio[r.best];
				hit += r.speedup_lo <= truth &&
				       truth <= r.speedup_hi;
				stats_best_free(&r);
			}
			printf("  %-12s n=%-3zu coverage %.3f\n", sc[s].name,
			       ns[a], (double)hit / c);
		}
	}
}

static void hier_coverage(void)
{
	static const size_t rs[] = { 2, 3, 5, 8 };
	double x[8][MAX_N], y[8][MAX_N];
	const double *xr[8], *yr[8];
	size_t n[8];

	for (size_t r = 0; r < 8; r++) {
		xr[r] = x[r];
		yr[r] = y[r];
		n[r] = 15;
	}
	printf("hierarchical CIs (95%%, 15 rounds a run, run-level SD 5%%, "
	       "sample SD 3%%; 1000 resamples)\n");
	for (size_t a = 0; a < 4; a++) {
		size_t runs = rs[a];
		unsigned c = cases(300), hm = 0, hr = 0, hu = 0;

		for (unsigned k = 0; k < c; k++) {
			struct stats_hier h;

			for (size_t r = 0; r < runs; r++) {
				double ux = gsl_ran_gaussian(rng, 0.05);
				double uy = gsl_ran_gaussian(rng, 0.05);
				double dr[MAX_N];

				drift(dr, 15);
				for (size_t i = 0; i < 15; i++) {
					x[r][i] = 1.1 * exp(ux + dr[i] +
							    gsl_ran_gaussian(
								    rng, 0.03));
					y[r][i] = exp(
						uy + dr[i] +
						gsl_ran_gaussian(rng, 0.03));
				}
			}
			/* drift moves both cells of a run alike: judge
			 * the paired ratio on these */
			if (stats_hier_ratio(xr, yr, n, runs, 0.95, 1000, k,
					     &h))
				abort();
			hr += h.lo <= 1.1 && 1.1 <= h.hi;
			/* independent runs, no drift: saved runs compared */
			for (size_t r = 0; r < runs; r++) {
				double ux = gsl_ran_gaussian(rng, 0.05);
				double uy = gsl_ran_gaussian(rng, 0.05);

				for (size_t i = 0; i < 15; i++) {
					x[r][i] = 1.1 *
						  exp(ux + gsl_ran_gaussian(
								   rng, 0.03));
					y[r][i] = exp(uy + gsl_ran_gaussian(
								   rng, 0.03));
				}
			}
			if (stats_hier_median_ratio(xr, n, runs, yr, n, runs,
						    0.95, 1000, k, &h))
				abort();
			hu += h.lo <= 1.1 && 1.1 <= h.hi;
			if (stats_hier_median(yr, n, runs, 0.95, 1000, k, &h))
				abort();
			hm += h.lo <= 1.0 && 1.0 <= h.hi;
		}
		printf("  runs=%zu  median %.3f  paired ratio %.3f  unpaired "
		       "ratio %.3f\n",
		       runs, (double)hm / c, (double)hr / c, (double)hu / c);
	}
}

static void mode_rule(void)
{
	static const size_t ns[] = { 10, 20, 30, 100 };

	printf("slow-mode rule: false alarms on unimodal times, and a 20%% "
	       "group 2x slower found\n");
	for (size_t a = 0; a < 4; a++) {
		size_t n = ns[a];
		unsigned c = cases(2000), fa_norm = 0, fa_exp = 0, found = 0;

		for (unsigned k = 0; k < c; k++) {
			double x[MAX_N];
			struct stats_distribution d;

			for (size_t i = 0; i < n; i++)
				x[i] = exp(gsl_ran_gaussian(rng, 0.05));
			stats_describe(x, n, &d);
			fa_norm += d.bimodal;
			for (size_t i = 0; i < n; i++)
				x[i] = 1 + gsl_ran_exponential(rng, 0.05);
			stats_describe(x, n, &d);
			fa_exp += d.bimodal;
			for (size_t i = 0; i < n; i++)
				x[i] = (i < n / 5 ? 2.0 : 1.0) *
				       exp(gsl_ran_gaussian(rng, 0.05));
			stats_describe(x, n, &d);
			found += d.bimodal;
		}
		printf("  n=%-3zu false alarms normal(CV 5%%) %.4f  "
		       "1+exp(5%%) %.4f  found %.3f\n",
		       n, (double)fa_norm / c, (double)fa_exp / c,
		       (double)found / c);
	}
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*run)(void);
	} parts[] = {
		{ "mode", mode_rule },
		{ "best", best_set_rates },
		{ "paired", paired_coverage },
		{ "selection", selection_coverage },
		{ "hier", hier_coverage },
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		scale = atof(argv[1]);
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 20240601);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (argc < 3 || !strcmp(argv[2], parts[i].name))
			parts[i].run();
	gsl_rng_free(rng);
	return 0;
}
