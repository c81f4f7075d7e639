// SPDX-License-Identifier: MIT
/*
 * The analysis of sweep --dir A,B (analysis.h): every variant measured
 * on several targets, side by side, each target against the first with
 * the ratio of their times paired over the rounds they share (the
 * rounds of a size visit every target's cells, so drift cancels).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_statistics_double.h>

#include "analysis.h"
#include "analysis_internal.h"
#include "fmt.h"

/* The row holding c's variant, or NULL. */
static struct analysis_device_row *row_of(struct analysis *a,
					  const struct cell *c)
{
	for (size_t r = 0; r < a->n_device_rows; r++) {
		struct analysis_device_row *row = &a->device_rows[r];

		for (size_t t = 0; t < a->n_targets; t++)
			if (row->cell[t] != SIZE_MAX &&
			    targets_same_but_target(a->cells[row->cell[t]].cell,
						    c))
				return row;
	}
	return NULL;
}

/* +1, -1 or 0 (a tie) for a ratio time(first) / time(t) and its CI. */
static int verdict_of(double r, double lo, double hi)
{
	if (lo > 1 && r > 1 + ANALYSIS_TIE_MARGIN)
		return 1;
	if (hi < 1 && r < 1 / (1 + ANALYSIS_TIE_MARGIN))
		return -1;
	return 0;
}

static int pair_row(struct analysis *a, struct analysis_device_row *row)
{
	for (size_t t = 1; t < a->n_targets; t++) {
		int ret;

		if (row->cell[0] == SIZE_MAX || row->cell[t] == SIZE_MAX)
			continue;
		ret = analysis_paired_cells(a, row->cell[0], row->cell[t],
					    &row->ratio[t], &row->lo[t],
					    &row->hi[t]);
		if (ret == -ENOMEM)
			return ret;
		row->have[t] = !ret;
		if (row->have[t])
			row->verdict[t] = verdict_of(row->ratio[t], row->lo[t],
						     row->hi[t]);
	}
	return 0;
}

int analysis_devices(struct analysis *a)
{
	int ret = 0;

	if (a->n_targets < 2)
		return 0;
	a->device_rows = calloc(a->n_cells ? a->n_cells : 1,
				sizeof(*a->device_rows));
	if (!a->device_rows)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_cells; i++) {
		const struct cell *c = a->cells[i].cell;
		size_t t = targets_of_cell(&a->run->request, c);
		struct analysis_device_row *row;

		if (!a->cells[i].measured)
			continue;
		row = row_of(a, c);
		if (!row) {
			row = &a->device_rows[a->n_device_rows++];
			for (size_t k = 0; k < TARGETS_MAX; k++) {
				row->cell[k] = SIZE_MAX;
				row->ratio[k] = row->lo[k] = row->hi[k] = NAN;
			}
		}
		row->cell[t] = i;
	}
	for (size_t r = 0; !ret && r < a->n_device_rows; r++)
		ret = pair_row(a, &a->device_rows[r]);
	return ret;
}

/* The median of the known ratios of target t against the first, NaN
 * when none is known. */
static double median_ratio(const struct analysis *a, size_t t)
{
	double *x = malloc((a->n_device_rows + 1) * sizeof(*x)), m = NAN;
	size_t n = 0;

	for (size_t r = 0; x && r < a->n_device_rows; r++)
		if (a->device_rows[r].have[t])
			x[n++] = a->device_rows[r].ratio[t];
	if (n)
		m = gsl_stats_median(x, 1, n);
	free(x);
	return m;
}

const char *analysis_devices_line(const struct analysis *a, size_t t, bool md,
				  char *out, size_t len)
{
	size_t faster = 0, slower = 0, ties = 0;
	char b[ANALYSIS_NAME_LEN], f[ANALYSIS_NAME_LEN], m[FMT_LEN];

	for (size_t r = 0; r < a->n_device_rows; r++) {
		const struct analysis_device_row *row = &a->device_rows[r];

		if (!row->have[t])
			continue;
		faster += row->verdict[t] > 0;
		slower += row->verdict[t] < 0;
		ties += !row->verdict[t];
	}
	targets_label(a->run, t, md, b, sizeof(b));
	targets_label(a->run, 0, md, f, sizeof(f));
	if (!(faster + slower + ties)) {
		snprintf(out, len, "%s vs %s: no variant measured on both", b,
			 f);
		return out;
	}
	snprintf(out, len, "%s vs %s: faster in %zu, slower in %zu, a tie in "
		 "%zu of %zu variants; median ratio %sx", b, f, faster, slower,
		 ties, faster + slower + ties,
		 fmt_sig(median_ratio(a, t), m, sizeof(m)));
	return out;
}
