// SPDX-License-Identifier: MIT
/*
 * The analysis's warnings (analysis.h): per measured cell a row for each
 * problem (noisy, slow mode, drift, step, slow first copy, short or few
 * samples, failed cache checks) with its figure, one sentence per kind;
 * per group too few rounds to separate its strategies; and the run-wide
 * ones of the environment.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "analysis_internal.h"
#include "fmt.h"
#include "strlist.h"

/* ---- warnings ---- */

static const struct {
	const char *name, *sentence;
} warning_kinds[WARN_N_KINDS] = {
	[WARN_NOISY] = { "noisy", "The middle half of the samples spans 10% of "
				  "the median or "
				  "more: the median is less certain than "
				  "usual; compare such "
				  "cells with care." },
	[WARN_NOISY_MACHINE] = { "noisy as the machine",
				 "The middle half of the samples spans 10% "
				 "of the median or more, but no more than "
				 "1.5 times what the machine's own reference "
				 "sample spanned in the same run (see the "
				 "machine's own steadiness under "
				 "Environment): the spread is the machine's, "
				 "not the strategy's; the median is less "
				 "certain than usual." },
	[WARN_SLOW_MODE] = { "slow mode", "Part of the samples form a slower "
					  "group of their own (two "
					  "modes): something intermittent, "
					  "such as writeback, page "
					  "reclaim or another process, slowed "
					  "those copies." },
	[WARN_DRIFT] = { "drift",
			 "The level moved steadily over the run (Mann-Kendall "
			 "trend, "
			 "p < 0.01, 5% or more): the machine's state changed; "
			 "paired "
			 "ratios cancel the drift that all cells share." },
	[WARN_STEP] = { "step", "The level changed at one point of the run "
				"(Pettitt change "
				"point, p < 0.01, 5% or more): something on "
				"the machine "
				"changed mid-run." },
	[WARN_SLOW_FIRST] = { "slow first copy",
			      "The first, untimed copy took more than twice "
			      "the median: "
			      "first-touch costs (page faults, allocation, "
			      "metadata) that "
			      "the measured samples do not pay." },
	[WARN_TINY] = { "short samples", "Samples shorter than 1 ms: timer "
					 "resolution and scheduling "
					 "weigh more; larger files or batches "
					 "give steadier figures." },
	[WARN_FEW] = { "few samples", "Fewer than 6 samples: the median's 95% "
				      "CI covers less than "
				      "95%; raise --samples or --budget." },
	[WARN_ROUNDS] = { "too few rounds",
			  "Too few rounds for the paired test to show any "
			  "strategy slower than the fastest: every one is "
			  "in the best set, tied or not; --samples (or, when "
			  "the budget cut them short, --budget) gives the "
			  "rounds needed." },
	[WARN_RESIDENCY] = { "cache check failed",
			     "The cache check before a sample failed (warm: "
			     "the source was "
			     "not fully cached; cold: it was partly cached): "
			     "those samples "
			     "measured another kind of copy; memory pressure "
			     "from outside "
			     "is the usual cause." },
};

const char *analysis_warning_name(enum analysis_warning_kind k)
{
	return k < WARN_N_KINDS ? warning_kinds[k].name : "?";
}

const char *analysis_warning_sentence(enum analysis_warning_kind k)
{
	return k < WARN_N_KINDS ? warning_kinds[k].sentence : "";
}

const char *analysis_impact_name(enum analysis_impact i)
{
	return i == IMPACT_HIGH	    ? "High"
	       : i == IMPACT_MEDIUM ? "Medium"
				    : "Low";
}

static int warn(struct analysis *a, size_t cell, enum analysis_warning_kind k,
		double value, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int warn(struct analysis *a, size_t cell, enum analysis_warning_kind k,
		double value, const char *fmt, ...)
{
	struct analysis_warning *grown;
	va_list ap;

	grown = realloc(a->warnings, (a->n_warnings + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	a->warnings = grown;
	grown[a->n_warnings].cell = cell;
	grown[a->n_warnings].kind = k;
	grown[a->n_warnings].value = value;
	va_start(ap, fmt);
	vsnprintf(grown[a->n_warnings].figure,
		  sizeof(grown[a->n_warnings].figure), fmt, ap);
	va_end(ap);
	a->n_warnings++;
	return 0;
}

static size_t count_samples(const struct cell *c, bool tiny)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_samples; i++)
		n += tiny ? c->samples[i].seconds < ANALYSIS_TINY_SAMPLE
			  : !c->samples[i].residency_ok;
	return n;
}

static int cell_warnings(struct analysis *a, size_t i)
{
	const struct analysis_cell *ac = &a->cells[i];
	const struct cell *c = ac->cell;
	const struct stats_distribution *d = &ac->dist;
	const struct env_noise *machine = &a->run->env.noise;
	double first = c->warmup_seconds / results_files_per_sample(c);
	size_t tiny = count_samples(c, true), off = count_samples(c, false);
	char x[FMT_LEN], y[FMT_LEN];
	int ret = 0;

	if (d->spread >= ANALYSIS_SPREAD_WARN && !machine->measured)
		ret |= warn(a, i, WARN_NOISY, d->spread, "IQR %s of the median",
			    fmt_pct(100 * d->spread, x, sizeof(x)));
	else if (d->spread >= ANALYSIS_SPREAD_WARN)
		ret |= warn(a, i,
			    d->spread <= ANALYSIS_MACHINE_SPREAD *
						 machine->spread ?
				    WARN_NOISY_MACHINE :
				    WARN_NOISY,
			    d->spread, "IQR %s of the median, the machine's %s",
			    fmt_pct(100 * d->spread, x, sizeof(x)),
			    fmt_pct(100 * machine->spread, y, sizeof(y)));
	if (d->bimodal)
		ret |= warn(a, i, WARN_SLOW_MODE, d->slow_mode_ratio,
			    "%s of samples at %sx",
			    fmt_pct(100 * d->slow_mode_share, x, sizeof(x)),
			    fmt_sig(d->slow_mode_ratio, y, sizeof(y)));
	if (ac->drift)
		ret |= warn(a, i, WARN_DRIFT, fabs(ac->drift_rel),
			    "%s%s of the median over the run",
			    ac->drift_rel > 0 ? "+" : "",
			    fmt_pct(100 * ac->drift_rel, x, sizeof(x)));
	if (ac->step)
		ret |= warn(a, i, WARN_STEP, fabs(log(ac->step_ratio)),
			    "x%s from sample %zu of %zu",
			    fmt_sig(ac->step_ratio, x, sizeof(x)),
			    ac->step_round + 1, d->n);
	if (first > ANALYSIS_SLOW_FIRST * ac->median)
		ret |= warn(a, i, WARN_SLOW_FIRST, first / ac->median,
			    "%sx the median",
			    fmt_sig(first / ac->median, x, sizeof(x)));
	if (tiny)
		ret |= warn(a, i, WARN_TINY, (double)tiny / c->n_samples,
			    "%zu of %zu samples", tiny, c->n_samples);
	if (c->n_samples < RESULTS_MIN_SAMPLES)
		ret |= warn(a, i, WARN_FEW, -(double)c->n_samples,
			    "%zu samples", c->n_samples);
	if (off)
		ret |= warn(a, i, WARN_RESIDENCY, (double)off / c->n_samples,
			    "%zu of %zu samples", off, c->n_samples);
	return ret ? -ENOMEM : 0;
}

/* The environment's run-wide warning (the run's own, run->warnings,
 * are rendered beside it: a run marked interrupted after the analysis
 * still says so). */
static int run_warnings(struct analysis *a)
{
	const struct run *run = a->run;
	const char *gov = run->env.governor;

	for (size_t i = 0; i < run->n_warnings; i++)
		if (strstr(run->warnings[i], "governor"))
			return 0;
	if (!gov || !strcmp(gov, "unknown"))
		return strlist_appendf(
			&a->run_warnings, &a->n_run_warnings,
			"CPU frequency governor unknown (no "
			"cpufreq interface): clock changes cannot "
			"be ruled out.");
	if (strcmp(gov, "performance"))
		return strlist_appendf(
			&a->run_warnings, &a->n_run_warnings,
			"CPU frequency governor is `%s`, not "
			"`performance`: clock changes can move the "
			"figures.",
			gov);
	return 0;
}

int analysis_warn(struct analysis *a)
{
	int ret = run_warnings(a);

	for (size_t i = 0; !ret && i < a->n_cells; i++)
		if (a->cells[i].measured)
			ret = cell_warnings(a, i);
	for (size_t k = 0; !ret && k < a->n_groups; k++) {
		const struct analysis_group *g = &a->groups[k];

		if (g->rounds_needed)
			ret = warn(a, g->best, WARN_ROUNDS,
				   (double)g->rounds_needed,
				   "%zu rounds for %zu strategies, %zu "
				   "needed",
				   g->rounds, g->n_candidates,
				   g->rounds_needed);
	}
	return ret;
}
