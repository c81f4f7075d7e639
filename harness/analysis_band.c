// SPDX-License-Identifier: MIT
/* A single run's run-to-run band, from the host's calibration
 * (analysis.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "analysis.h"
#include "analysis_internal.h"
#include "calibration.h"
#include "cell.h"
#include "results.h"
#include "stats.h"

/*
 * Cell i's own band, *band (|log ratio|): how far another run's median
 * may land by the sampling of the two medians alone - each with this
 * run's standard error of it (stats_median_log_se()), their difference
 * sqrt(2) x that, at the calibrated band's level (m cells); where it
 * is wider than the cell's floor it takes the floor's place in the
 * calibration's band, beside the size's shift. Why: the
 * calibration gives every cell of a size the noise of a typical cell,
 * and a cell whose samples this run split into two modes near evenly
 * has a median that jumps between them. Over 8 back-to-back A/A pairs of
 * the headline sweep on the development VM, each judged against bands
 * from 3 of the other pairs (280 pairs and calibrations), every warm
 * cell landed inside its calibrated band in 59% of them - the misses
 * such cells (`mmap` 1K -15% with 40% of its samples 2.8x slower,
 * `io_uring` 100M +24% with half of them) - and in 93% with the cells'
 * own sampling error in their bands; almost half the cells took it,
 * most a little wider (half by a factor under 1.22 in log). That was
 * with the bootstrap's interquartile range; with its central 95%
 * (stats_median_log_se(), which says why), over 16 pairs and 58
 * calibrations: 87.4% -> 96.8%.
 * -EINVAL: too few samples (of a time above 0) to tell; the cell keeps
 * the calibration's band.
 */
static int own_band(const struct analysis *a, size_t i, size_t m, double *band)
{
	const struct cell *c = a->cells[i].cell;
	/* the per-copy times the cell's median is of (results_estimate()) */
	double *x = results_per_copy(c), se = 0;
	size_t n = 0;
	int ret;

	if (!x)
		return -ENOMEM;
	/* a sample of no time (a clock's tick) has no log: left out */
	for (size_t j = 0; j < c->n_samples; j++)
		if (x[j] > 0 && isfinite(x[j]))
			x[n++] = x[j];
	ret = stats_median_log_se(x, n, ANALYSIS_RESAMPLES,
				  analysis_seed(a, ANALYSIS_SEED_OWN_BAND, i),
				  &se);
	free(x);
	*band = ret ? 0
		    : M_SQRT2 * se *
				gsl_cdf_ugaussian_Qinv(ANALYSIS_ALPHA /
						       (2.0 * (double)m));
	return ret;
}

/* No band for any cell (an error part way through). */
static void clear_bands(struct analysis *a)
{
	for (size_t i = 0; i < a->n_cells; i++) {
		a->cells[i].run_band = 0;
		a->cells[i].run_band_own = false;
	}
	a->band_unmeasured = 0;
}

/*
 * Why from a calibration and not from the run itself: a run sees its own
 * rounds, not the state the next run will find. On the development VM
 * the vCPUs ran the same copies up to 40% apart for minutes at a time in
 * some runs and alike in others; in four pairs of back-to-back headline
 * sweeps a page-cache cell's median moved by up to 30% between the runs
 * of a pair, and the larger of the two runs' own figures (how far the
 * medians of its halves, or of its two vCPUs' rounds, lay apart) missed
 * that at 3 of the 12 sizes. Only runs measure it: A/A pairs (`iobench
 * calibrate`) or --runs. The run's own figure counts where a cell's
 * median is less steady than the calibration's cells (own_band()).
 */
int analysis_set_calibration(struct analysis *a, const struct calibration *cal)
{
	size_t m = 0, banded = 0;
	double own;
	char key[256];

	if (!cal || !a->within_run)
		return 0;
	for (size_t i = 0; i < a->n_cells; i++)
		m += a->cells[i].measured;
	for (size_t i = 0; i < a->n_cells; i++) {
		struct analysis_cell *ac = &a->cells[i];

		if (!ac->measured)
			continue;
		ac->run_band = calibration_run_band(
			cal, ac->cell->size, cell_reaches_device(ac->cell),
			cell_key(ac->cell, key, sizeof(key)), m,
			ANALYSIS_ALPHA);
		if (ac->run_band > 0) {
			/* the cell's floor - its own noise in the
			 * calibration's band - replaced by its own band
			 * where wider; the size's shift stays */
			double floor = calibration_cell_floor(
				cal, ac->cell->size,
				cell_reaches_device(ac->cell), key, m,
				ANALYSIS_ALPHA);
			int ret = own_band(a, i, m, &own);

			if (ret == -ENOMEM) {
				clear_bands(a);
				return ret;
			}
			ac->run_band_own = !ret && own > floor;
			if (ac->run_band_own)
				ac->run_band =
					sqrt(own * own +
					     ac->run_band * ac->run_band -
					     floor * floor);
		}
		banded += ac->run_band > 0;
		/* a file from before cells were kept names none: unknown */
		a->band_unmeasured += ac->run_band > 0 && !ac->run_band_own &&
				      cal->n_cells &&
				      !calibration_has_cell(cal, key);
	}
	if (!banded)
		return 0;
	a->band_pairs = cal->pairs;
	if (cal->started) {
		a->band_started = strdup(cal->started);
		if (!a->band_started) {
			clear_bands(a);
			return -ENOMEM;
		}
	}
	return 0;
}

bool analysis_size_band(const struct analysis *a, size_t k, bool device,
			double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = 0;
	for (size_t i = 0; k < a->n_sizes && i < a->n_cells; i++) {
		const struct analysis_cell *ac = &a->cells[i];

		if (!(ac->run_band > 0) || ac->run_band_own ||
		    ac->cell->size != a->sizes[k].size ||
		    cell_reaches_device(ac->cell) != device)
			continue;
		*lo = fmin(*lo, ac->run_band);
		*hi = fmax(*hi, ac->run_band);
	}
	return *hi > 0;
}

size_t analysis_own_bands(const struct analysis *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_cells; i++)
		n += a->cells[i].run_band > 0 && a->cells[i].run_band_own;
	return n;
}

bool analysis_size_own_band(const struct analysis *a, size_t k, bool device,
			    double *hi)
{
	*hi = 0;
	for (size_t i = 0; k < a->n_sizes && i < a->n_cells; i++) {
		const struct analysis_cell *ac = &a->cells[i];

		if (ac->run_band > 0 && ac->run_band_own &&
		    ac->cell->size == a->sizes[k].size &&
		    cell_reaches_device(ac->cell) == device)
			*hi = fmax(*hi, ac->run_band);
	}
	return *hi > 0;
}

/* size k's band of page-cache copies for the line: the calibration's
 * widest, or where every cell's band is its own, the widest of those */
static bool line_band(const struct analysis *a, size_t k, double *hi)
{
	double lo;

	return analysis_size_band(a, k, false, &lo, hi) ||
	       analysis_size_own_band(a, k, false, hi);
}

const char *analysis_ci_line(const struct analysis *a, char *out, size_t len)
{
	size_t used = 0, own = analysis_own_bands(a);
	bool any = false;
	double hi;

	out[0] = '\0';
	if (!a->within_run) {
		snprintf(out, len, "CIs span %u independent runs.", a->runs);
		return out;
	}
	for (size_t k = 0; k < a->n_sizes && used < len; k++) {
		if (!line_band(a, k, &hi))
			continue;
		used += (size_t)snprintf(
			out + used, len - used, "%s %.2f at %s",
			any ? ","
			    : "CIs are within-run (1 run); run to run on this "
			      "host (iobench calibrate), medians within a "
			      "factor of",
			exp(hi), a->sizes[k].name);
		any = true;
	}
	if (!any)
		snprintf(out, len,
			 "CIs are within-run (1 run): --runs 3 "
			 "measures run-to-run variation too.");
	else if (used < len && own)
		snprintf(out + used, len - used,
			 " (page cache; %zu cell%s less steady, wider; "
			 "report.md: Uncertainty).",
			 own, own == 1 ? "" : "s");
	else if (used < len)
		snprintf(out + used, len - used,
			 " (page cache; report.md: Uncertainty).");
	return out;
}
