// SPDX-License-Identifier: MIT
/* A single run's run-to-run band, from the host's calibration
 * (analysis.h). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "analysis.h"
#include "calibration.h"
#include "cell.h"

/*
 * Why from a calibration and not from the run itself: a run sees its own
 * rounds, not the state the next run will find. On the development VM
 * the vCPUs ran the same copies up to 40% apart for minutes at a time in
 * some runs and alike in others; in four pairs of back-to-back headline
 * sweeps a page-cache cell's median moved by up to 30% between the runs
 * of a pair, and the larger of the two runs' own figures (how far the
 * medians of its halves, or of its two vCPUs' rounds, lay apart) missed
 * that at 3 of the 12 sizes. Only runs measure it: A/A pairs (`iobench
 * calibrate`) or --runs.
 */
int analysis_set_calibration(struct analysis *a, const struct calibration *cal)
{
	size_t m = 0, banded = 0;
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
		banded += ac->run_band > 0;
	}
	if (!banded)
		return 0;
	a->band_pairs = cal->pairs;
	if (cal->started) {
		a->band_started = strdup(cal->started);
		if (!a->band_started)
			return -ENOMEM;
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

		if (!(ac->run_band > 0) || ac->cell->size != a->sizes[k].size ||
		    cell_reaches_device(ac->cell) != device)
			continue;
		*lo = fmin(*lo, ac->run_band);
		*hi = fmax(*hi, ac->run_band);
	}
	return *hi > 0;
}
