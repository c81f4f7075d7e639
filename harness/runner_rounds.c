// SPDX-License-Identifier: MIT
/*
 * How many rounds a size runs and what is left (runner.c runs them):
 * the cells' costs measured so far, the rounds a size is expected to end
 * with, the progress reported, and whether a size has enough rounds
 * (--samples, more while a cell's median is imprecise, within its budget
 * and the time the plan gave the size).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "estimate.h"
#include "lockstep.h"
#include "runner_internal.h"
#include "stats.h"

#define MIN_SAMPLES RUNNER_MIN_SAMPLES

/* When a cell's median 95% CI reaches further than this share of the
 * median after n rounds, every cell of the size gets more rounds, up to
 * EXTEND_FACTOR x n (budget permitting): all cells keep the same rounds,
 * so they stay paired. */
#define PRECISION_TARGET 0.05
#define EXTEND_FACTOR RUNNER_EXTEND_FACTOR

/* Test-only (tests/sweep/sweep_plan_time.sh): IOBENCH_FAULT=imprecise:F
 * makes every cell's median read as imprecise (wants_rounds()) and gives
 * each size F x its planned time, so a test can show the extra rounds
 * run while in the plan's time and stop past it. 0: no such fault. */
static double fault_imprecise(void)
{
	static double f = -1;
	const char *e;

	if (f < 0) {
		e = getenv("IOBENCH_FAULT");
		f = e && !strncmp(e, "imprecise:", 10) ? strtod(e + 10, NULL) : 0;
		if (!(f > 0))
			f = 0;
	}
	return f;
}

void runner_start_size_clock(struct runner *r)
{
	/* with MPI, no plan: each rank's plan reads its own machine's
	 * load, and every rank must stop a size at the same round */
	r->size_t0 = runner_clock(r);
	r->size_plan = r->ranks ? 0 :
		       estimate_size_seconds(r->run, r->size, r->pass > 0);
	if (fault_imprecise() > 0)
		r->size_plan *= fault_imprecise();
}

double runner_estimate_seconds(const struct run *run)
{
	return estimate_run_seconds(run);
}

/* Measured seconds per timed sample of a cell, NAN before its first
 * (a warm-up's batch may differ from the samples'). */
static double measured_cost(const struct cell_state *cs)
{
	return cs->timed ? cs->timed_wall / cs->timed : NAN;
}

/*
 * The model's cost of a sample of cell i, scaled by how the samples run
 * so far compared with the model's figures for them: half-way (the
 * square root of the ratio) and by at most 1.5x either way, as the
 * model's error on one size (per-file costs of 1K batches) says little
 * about the next (100M is bytes).
 */
static double scaled_cost(const struct runner *r, size_t i)
{
	double k = r->model_done > 0 ? sqrt(r->wall_done / r->model_done) :
				       1;

	k = k > 1.5 ? 1.5 : k < 1 / 1.5 ? 1 / 1.5 : k;
	return k * estimate_sample_seconds(r->run, &r->run->cells[i]);
}

static double cost_of(const struct runner *r, size_t i)
{
	double m = measured_cost(&r->cs[i]);

	return isnan(m) ? scaled_cost(r, i) : m;
}

/* The half-width of the 95% CI of the cell's median per-copy time as a
 * share of the median (the larger side); 0 when it cannot be told. */
static double median_ci_share(const struct cell *c)
{
	double *x = results_per_copy(c), h = 0;
	struct estimates e;

	if (x && !stats_estimate(x, c->n_samples, 0.95, &e) && e.median > 0) {
		h = e.median_hi - e.median;
		if (e.median - e.median_lo > h)
			h = e.median - e.median_lo;
		h /= e.median;
	}
	free(x);
	return h;
}

/* Rounds a cell whose median's CI reaches h (a share of the median) after
 * r->round rounds needs to reach PRECISION_TARGET: it narrows as
 * 1/sqrt(rounds). */
static double rounds_needed(const struct runner *r, double h)
{
	return r->round * (h / PRECISION_TARGET) * (h / PRECISION_TARGET);
}

/*
 * Rounds the running size will end with, as size_finished() will decide:
 * --samples; more while a cell's median is imprecise (its CI narrows as
 * 1/sqrt(rounds), so the noisiest cell needs rounds x (share / target)^2),
 * at most EXTEND_FACTOR x and within RUNNER_PLAN_SLACK x the size's
 * planned time; fewer once a cell spends its budget. At least
 * the round under way.
 */
static double rounds_expected(const struct runner *r)
{
	const struct run *run = r->run;
	unsigned n = run->request.samples, min = n < MIN_SAMPLES ? n :
						 MIN_SAMPLES;
	double want = n, cap = INFINITY;

	if (r->round >= min)
		for (size_t i = 0; i < run->n_cells; i++) {
			double h, need;

			if (!r->cs[i].running)
				continue;
			h = median_ci_share(&run->cells[i]);
			need = rounds_needed(r, h);
			/* as wants_rounds(): out of reach, no extension */
			if (need > want && need <= EXTEND_FACTOR * n)
				want = need;
		}
	if (want > EXTEND_FACTOR * n)
		want = EXTEND_FACTOR * n;
	/* past --samples only within the plan's time (size_finished()) */
	if (want > n && r->size_plan > 0) {
		double round_cost = 0, most;

		for (size_t i = 0; i < run->n_cells; i++) {
			double per = r->cs[i].running ? cost_of(r, i) : 0;

			if (per > 0)
				round_cost += per;
		}
		most = RUNNER_PLAN_SLACK * r->size_plan -
		       (runner_clock(r) - r->size_t0);
		most = r->round + (round_cost > 0 ? fmax(0, most) / round_cost :
						    INFINITY);
		if (most < want)
			want = most < n ? n : ceil(most);
	}
	for (size_t i = 0; i < run->n_cells; i++) {
		double per = cost_of(r, i), b;

		if (!r->cs[i].running || !(per > 0))
			continue;
		b = r->round + (run->request.budget - r->cs[i].wall) / per;
		if (b < cap)
			cap = b;
	}
	if (cap < want)
		want = cap < min ? min : ceil(cap);
	return want < r->round + 1 ? r->round + 1 : want;
}

/* The size index of a cell, or n_sizes when none. */
static size_t size_index(const struct run *run, const struct cell *c)
{
	size_t z;

	for (z = 0; z < run->request.n_sizes; z++)
		if (run->request.sizes[z] == c->size)
			break;
	return z;
}

/*
 * Samples and seconds still to run: the size under way from its cells'
 * measured costs (the rest of this round, then the rounds it is expected
 * to end with), and every size and --runs pass after it from the model
 * (a size cut short by its budget says nothing of the next one's rounds),
 * its costs scaled by how the measured samples compared with it.
 */
static void work_left(const struct runner *r, double *samples,
		      double *seconds)
{
	const struct run *run = r->run;
	unsigned runs = run->request.runs ? run->request.runs : 1;
	double this_size = r->in_rounds ? rounds_expected(r) - r->round - 1 :
					  0;
	bool later_pass = r->pass > 0;
	/* the model's rounds per size: once per call, not per cell */
	size_t nz = run->request.n_sizes;
	double *by_size = calloc(nz + 1, sizeof(*by_size));

	*samples = *seconds = 0;
	for (size_t z = 0; by_size && z < nz; z++)
		by_size[z] = estimate_rounds(run, run->request.sizes[z]);
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		const struct cell_state *cs = &r->cs[i];
		size_t z = size_index(run, c);
		double rounds, n = 0;

		if (c->status != CELL_PENDING && c->status != CELL_OK)
			continue;
		rounds = by_size && z < nz ? by_size[z] :
			 estimate_rounds(run, c->size);
		if (cs->running && r->in_rounds)
			n = this_size + !cs->sampled_this_round;
		else if (cs->running)
			n = (cs->warmed ? 0 : estimate_warmups(run, c,
							       later_pass)) +
			    rounds;
		else if (z > r->size_idx)
			n = estimate_warmups(run, c, later_pass) + rounds;
		/* the --runs passes after this one */
		n += (runs - r->pass - 1) *
		     (estimate_warmups(run, c, true) + rounds);
		*samples += n;
		*seconds += n * cost_of(r, i);
	}
	for (size_t z = r->size_idx + 1; !later_pass && z < nz; z++)
		*seconds += estimate_size_setup(run, run->request.sizes[z]);
	free(by_size);
}

void runner_report_progress(struct runner *r, size_t ci)
{
	const struct runner_progress *p = r->progress;
	double samples, seconds;

	if (!p || !p->update)
		return;
	work_left(r, &samples, &seconds);
	p->update(p->ctx, r->run, ci, r->samples_done,
		  r->samples_done + (size_t)ceil(samples), seconds);
}

void runner_count_sample(struct runner *r, size_t i, double wall)
{
	struct cell_state *cs = &r->cs[i];

	cs->timed_wall += wall;
	cs->timed++;
	r->samples_done++;
	r->wall_done += wall;
	r->model_done += estimate_sample_seconds(r->run, &r->run->cells[i]);
}

/*
 * Whether the cell wants more rounds: the 95% CI of its median per-copy
 * time reaches further than PRECISION_TARGET of the median, and the rounds
 * it needs to get there fit in EXTEND_FACTOR x --samples. A cell too
 * noisy to get there even then does not make every cell of its size run
 * EXTEND_FACTOR x as long for a CI still wider than the target (on this VM
 * some cell of every size always was: quick ran 18 rounds per size, not
 * 6, in every run); it keeps its wider CI, which the report shows.
 */
static bool wants_rounds(const struct runner *r, const struct cell *c)
{
	double h = median_ci_share(c);

	if (fault_imprecise() > 0)
		return true;

	return h > PRECISION_TARGET &&
	       rounds_needed(r, h) <= EXTEND_FACTOR * r->run->request.samples;
}

/* Whether the size has run longer than RUNNER_PLAN_SLACK x its plan. */
static bool over_plan(const struct runner *r)
{
	return r->size_plan > 0 &&
	       runner_clock(r) - r->size_t0 > RUNNER_PLAN_SLACK * r->size_plan;
}

/*
 * Whether the running cells of a size have enough rounds. All of them
 * stop together, so every cell has the same rounds (failed ones drop
 * out): at least RESULTS_MIN_SAMPLES; then --samples; then more, up to
 * EXTEND_FACTOR x --samples, while some cell's median is imprecise and
 * can get precise within that (wants_rounds()); and no more once some
 * cell has used its --budget.
 */
bool runner_size_finished(const struct runner *r)
{
	const struct run *run = r->run;
	unsigned n = run->request.samples;
	unsigned min = n < RESULTS_MIN_SAMPLES ? n : RESULTS_MIN_SAMPLES;
	bool precise = true, spent = false;

	if (r->round < min)
		return false;
	for (size_t i = 0; i < run->n_cells; i++) {
		if (!r->cs[i].running)
			continue;
		spent |= r->cs[i].wall >= run->request.budget;
		if (r->round >= n && precise)
			precise = !wants_rounds(r, &run->cells[i]);
	}
	/* sweep --lockstep: the other binary's rounds, no more; past its
	 * plan's time, no more */
	if (spent || r->round >= EXTEND_FACTOR * n ||
	    (lockstep_on() && r->round >= n) || (r->round >= n && over_plan(r)))
		return true;
	return r->round >= n && precise;
}

