// SPDX-License-Identifier: MIT
/* An A/A pair into the noise floor, as compare judges it (compare.h). */
#include <errno.h>
#include <math.h>

#include "calibration.h"
#include "cell.h"
#include "compare.h"
#include "compare_internal.h"

/*
 * Why net of the shift: with one run per side compare judges a change net
 * of the median change of its size's cells, and on the development VM
 * that shift is most of what moves between two runs (over 10 A/A pairs
 * of `iobench quick`, a size's page-cache shift had an SD of 6-24% while
 * each cell's change about it had a robust SD of 1.3-2.2%). A floor from
 * the raw changes held the shifts of its few calibration pairs - ±71% at
 * 4K from three pairs whose 4K cells had moved -26%, +8% and -3%
 * together - and let a planted 20% slowdown through at every size.
 */
/*
 * Whether cc is its size's median cell, its change the shift itself: net
 * of it exactly 0, which says nothing of its noise. Counted, those zeros
 * (one of each odd group of cells, pair after pair) made the floors
 * narrower than the changes compare judges - over four calibrations of
 * `quick` (8 pairs) a size's SD 5-31% below that of its other cells.
 */
static bool defines_shift(const struct compare_cell *cc)
{
	return cc->shift_cells % 2 && log(cc->ratio) == cc->shift;
}

/*
 * cc's CPU s/GiB change net of its size's CPU shift into cal, but for the
 * median cell's (as defines_shift()). Why CPU has floors of its own: over
 * 10 A/A pairs of `iobench quick`, CPU judged by its within-run test
 * alone, the CPU of an O_DIRECT cell (two a size, then no shift) "regressed"
 * by 40-83% in 4 of them; with these floors, in none.
 */
static int add_cpu(struct calibration *cal, const struct compare_cell *cc)
{
	const struct compare_metric *cm = &cc->metric[METRIC_CPU];

	if (!cm->have || !(cm->change > -1) || !isfinite(cm->change) ||
	    (cc->shift_cells % 2 && log1p(cm->change) == cm->shift))
		return 0;
	return calibration_add_cpu_change(cal, cc->base->size,
					  cell_reaches_device(cc->base),
					  log1p(cm->change) - cm->shift);
}

int compare_calibration_pair(struct calibration *cal, const struct run *a,
			     const struct run *b)
{
	struct compare_options o;
	struct comparison cmp;
	size_t matched = 0;
	char key[256];
	int ret;

	compare_default_options(&o);
	ret = compare_runs(a, b, &o, &cmp);
	if (ret)
		return ret;
	for (size_t i = 0; i < cmp.n_cells && !ret; i++) {
		const struct compare_cell *cc = &cmp.cells[i];
		bool median;

		if (cc->verdict == VERDICT_NO_DATA || !(cc->ratio > 0) ||
		    !isfinite(cc->ratio))
			continue;
		median = defines_shift(cc);
		cell_key(cc->base, key, sizeof(key));
		ret = median ? calibration_add_left_out(
				       cal, cc->base->size,
				       cell_reaches_device(cc->base)) :
			       calibration_add_change(
				       cal, cc->base->size,
				       cell_reaches_device(cc->base),
				       log(cc->ratio) - cc->shift);
		/* the size's own move, for the run-to-run band
		 * (calibration_run_band()): once per group and pair */
		if (!ret && cc->shift_cells &&
		    compare_first_of_shift_group(&cmp, cc))
			ret = calibration_add_shift(
				cal, cc->base->size,
				cell_reaches_device(cc->base), cc->shift);
		if (!ret && !median)
			ret = calibration_add_cell_change(
				cal, key, log(cc->ratio) - cc->shift);
		if (!ret)
			ret = add_cpu(cal, cc);
		matched++;
	}
	compare_free(&cmp);
	if (ret)
		return ret;
	if (!matched)
		return -EINVAL;
	cal->net_of_shift = true;
	return calibration_pair_done(cal, a);
}
