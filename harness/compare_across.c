// SPDX-License-Identifier: MIT
/*
 * compare's verdict on a variant across its sizes (struct compare_across).
 *
 * Why: with one run per side each cell's change must clear its own noise
 * floor, z x its A/A SD for the family of all the cells compared, and a
 * strategy made 20% slower did not always: re-judged over 19 kept pairs
 * of `iobench quick` with rw slowed 20%, rw moved +9% to +42% net of its
 * sizes' shifts, and in 3 pairs no rw cell cleared its floor (4K's were
 * 26-44% there). A change to a strategy's code moves it at every size,
 * while the A/A noise of its cells at different sizes is close to
 * independent: over the same pairs the statistic below had an RMS of
 * 1.06 over 388 variants that had not changed, against 1 for
 * independent normal noise. So the cells of one variant are also judged
 * together: their changes net of their sizes' shifts, each weighted by
 * 1 / its variance (sigma: its floor / z, or its within-run standard
 * error where that is larger - within_se()), averaged; z = that mean
 * over its standard error. Those 19 pairs: rw's z was 3.0-8.0 where no
 * other variant passed 3.6.
 *
 * The floors' family counts these variants too (compare.c), so a cell's
 * floor and a variant's z are family-wise over both together.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "calibration.h"
#include "cell.h"
#include "compare_internal.h"

/* Whether a and b are one variant, whatever their sizes. */
static bool same_variant(const struct compare_cell *a,
			 const struct compare_cell *b)
{
	struct cell t = *b->base;

	t.size = a->base->size;
	return cell_same_key(a->base, &t, 0);
}

static bool single_run(const struct compare_cell *cc)
{
	return cc->verdict != VERDICT_NO_DATA && !compare_across_runs(cc);
}

/* Whether cc's size has a floor in the calibration. */
static bool calibrated(const struct comparison *cmp,
		       const struct compare_cell *cc)
{
	return calibration_floor(cmp->opts.floors, cc->base->size,
				 cell_reaches_device(cc->base), 1,
				 cmp->opts.alpha) > 0;
}

/*
 * Whether cc takes part. Counted into the floors' family (judged false):
 * one run per side, its size calibrated - as calibrate counts them
 * (calibration_variants()). Judged: it has a floor, its time change was
 * judged, and net of its size's shift: the independence above is of
 * changes net of it. A cell without one, such as the two O_DIRECT
 * strategies of `quick` at each size, carries the run's level, which
 * moves all sizes together: an A/A pair whose 4K had moved +47% as a
 * whole had odirect and libaio "regressed" +38% and +48% across sizes.
 * Nor one of a group of two (compare_shift_mirrors(): copies that wait
 * for the device): net of their shift each one's change is the other's
 * mirrored, so one 12% slower at every size would have its partner,
 * unchanged, "improved" across them.
 */
static bool takes_part(const struct comparison *cmp,
		       const struct compare_cell *cc, bool judged)
{
	if (!single_run(cc))
		return false;
	if (!judged)
		return calibrated(cmp, cc);
	return cc->floor > 0 && !cc->apart && cc->shift_cells &&
	       !compare_shift_mirrors(cc);
}

/* Calls each(cmp, idx, n, ctx) for each variant of two cells or more that
 * take part (idx: their indices). 0 or -ENOMEM. */
static int for_each_variant(struct comparison *cmp, bool judged,
			    void (*each)(struct comparison *, const size_t *,
					 size_t, void *),
			    void *ctx)
{
	size_t cap = cmp->n_cells ? cmp->n_cells : 1;
	size_t *idx = malloc(cap * sizeof(*idx));
	bool *done = calloc(cap, sizeof(*done));

	if (!idx || !done) {
		free(idx);
		free(done);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cmp->n_cells; i++) {
		size_t n = 0;

		if (done[i] || !takes_part(cmp, &cmp->cells[i], judged))
			continue;
		for (size_t j = i; j < cmp->n_cells; j++)
			if (!done[j] &&
			    takes_part(cmp, &cmp->cells[j], judged) &&
			    same_variant(&cmp->cells[i], &cmp->cells[j])) {
				done[j] = true;
				idx[n++] = j;
			}
		if (n >= 2)
			each(cmp, idx, n, ctx);
	}
	free(idx);
	free(done);
	return 0;
}

static void count_one(struct comparison *cmp, const size_t *idx, size_t n,
		      void *ctx)
{
	(void)cmp;
	(void)idx;
	(void)n;
	(*(size_t *)ctx)++;
}

int compare_across_count(struct comparison *cmp, size_t *n)
{
	*n = 0;
	if (!cmp->opts.floors)
		return 0;
	return for_each_variant(cmp, false, count_one, n);
}

/*
 * The standard error of cc's log change within this pair of runs, from
 * its CI. The calibrated SD is of a typical pair; a cell whose samples
 * were this time spread wider is held to its own: over 4 kept gates
 * (75 pairs of `quick`) the three variants of other strategies found
 * changed across sizes next to a planted slowdown (z -3.4 to -4.4) had
 * cells whose within-run SE reached 1.9x their calibrated SD and whose
 * own tests saw nothing (p 0.14-0.85); with the larger of the two, the
 * variants that had not changed had a z RMS of 0.92 (1.06 before) and
 * the planted one still z 4.0-8.0.
 */
static double within_se(const struct comparison *cmp,
			const struct compare_cell *cc)
{
	double zl = gsl_cdf_ugaussian_Pinv(0.5 + cmp->opts.level / 2);

	if (!(cc->ratio_lo > 0) || !(cc->ratio_hi > cc->ratio_lo) ||
	    !isfinite(cc->ratio_hi))
		return 0;
	return (log(cc->ratio_hi) - log(cc->ratio_lo)) / (2 * zl);
}

static void judge_one(struct comparison *cmp, const size_t *idx, size_t n,
		      void *ctx)
{
	const double zf = *(const double *)ctx;
	struct compare_across *a = &cmp->across[cmp->n_across++];
	double sw = 0, swd = 0, mean, se;

	for (size_t k = 0; k < n; k++) {
		const struct compare_cell *cc = &cmp->cells[idx[k]];
		double sigma = fmax(cc->floor / zf, within_se(cmp, cc));
		double w = 1 / (sigma * sigma);

		sw += w;
		swd += w * (log(cc->ratio) - cc->shift);
	}
	mean = swd / sw;
	se = 1 / sqrt(sw);
	*a = (struct compare_across){
		.first = &cmp->cells[idx[0]],
		.cells = n,
		.change = expm1(mean),
		.lo = expm1(mean - zf * se),
		.hi = expm1(mean + zf * se),
		.z = mean / se,
		.verdict = VERDICT_SAME,
	};
	if (fabs(a->z) < zf)
		return;
	a->verdict = VERDICT_NOISE;
	if (a->change > cmp->opts.threshold) {
		a->verdict = VERDICT_REGRESSED;
		cmp->n_across_regressed++;
	} else if (a->change < -cmp->opts.threshold) {
		a->verdict = VERDICT_IMPROVED;
		cmp->n_across_improved++;
	}
}

int compare_across(struct comparison *cmp)
{
	double zf;

	/* time changes of a side measured under load are not judged */
	if (!cmp->opts.floors || !cmp->family ||
	    cmp->disturbed)
		return 0;
	cmp->across = calloc(cmp->n_cells ? cmp->n_cells : 1,
			     sizeof(*cmp->across));
	if (!cmp->across)
		return -ENOMEM;
	zf = gsl_cdf_ugaussian_Qinv(cmp->opts.alpha /
				    (2.0 * (double)cmp->family));
	return for_each_variant(cmp, true, judge_one, &zf);
}

const char *compare_across_name(const struct compare_across *a, char *out,
				size_t len)
{
	char key[256];

	return calibration_variant_key(
		cell_key(a->first->base, key, sizeof(key)), out, len);
}
