// SPDX-License-Identifier: MIT
/*
 * compare's tables for people: the main-vs-current table (operation, time
 * on each side with its ±, change with its CI, status), the other figures
 * that changed, and the noise floor this host can see; each verdict's
 * name and sign.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "calibration.h"
#include "compare_table.h"
#include "fmt.h"

/* Each verdict's name and sign, side by side. */
static const struct {
	const char *name, *sign;
} verdicts[] = {
	[VERDICT_SAME] = { "~", "≈" },
	[VERDICT_NOISE] = { "within noise", "≈" },
	[VERDICT_IMPROVED] = { "improved", "✅" },
	[VERDICT_REGRESSED] = { "regressed", "❌" },
	[VERDICT_NO_DATA] = { "no data", "no data" },
};

static bool verdict_known(enum compare_verdict v)
{
	return (unsigned)v < sizeof(verdicts) / sizeof(verdicts[0]);
}

const char *compare_verdict_name(enum compare_verdict v)
{
	return verdict_known(v) ? verdicts[v].name : "no data";
}

const char *compare_status_sign(enum compare_verdict v)
{
	return verdict_known(v) ? verdicts[v].sign : "no data";
}

/* Whether another matched cell has c's strategy, size and modes but
 * other tunables: then c's name needs its tunables. */
static bool tunables_tell_apart(const struct comparison *cmp,
				const struct cell *c)
{
	for (size_t i = 0; i < cmp->n_cells; i++) {
		const struct cell *o = cmp->cells[i].base;

		if (o != c && !strcmp(o->strategy, c->strategy) &&
		    o->size == c->size && o->cache == c->cache &&
		    o->sync == c->sync && cell_same_threads(o, c) &&
		    !cell_same_variant(o, c, CELL_IGNORE_CONTENT))
			return true;
	}
	return false;
}

const char *compare_operation_name(const struct comparison *cmp,
				   const struct cell *c, char *out,
				   size_t len)
{
	char size[FMT_LEN], tun[160] = "", threads[96];

	if (tunables_tell_apart(cmp, c)) {
		char opts[150];

		snprintf(tun, sizeof(tun), " (%s)",
			 cell_options_desc(c, opts, sizeof(opts)));
	}
	cell_threads_desc(c, " ", threads, sizeof(threads));
	snprintf(out, len, "copy_%s %s%s %s%s%s", fmt_size(c->size, size,
							   sizeof(size)),
		 c->strategy, tun, cache_mode_name(c->cache),
		 c->sync == SYNC_END ? " fdatasync" : "", threads);
	return out;
}

/* A figure not measured (NaN, infinite) is "-" in out: true. */
static bool fmt_missing(double v, char *out, size_t len)
{
	if (isfinite(v))
		return false;
	snprintf(out, len, "-");
	return true;
}

/* The two sides' short names for table headers: "main", "current". */
static void side_names(const struct compare_sides *s, const char **bn,
		       const char **nn)
{
	*bn = s->base_short ? s->base_short : "base";
	*nn = s->new_short ? s->new_short : "new";
}

/* "423 µs ± 12": the half-width in the median's unit. */
static const char *fmt_time_pm(double median, double half, char *out,
			       size_t len)
{
	char m[FMT_LEN], h[FMT_LEN], unit[FMT_LEN];
	double scale;

	fmt_seconds(median, unit, sizeof(unit));
	if (fmt_missing(median, out, len))
		return out;
	scale = fabs(median) < 1e-6 ? 1e9 : fabs(median) < 1e-3 ? 1e6 :
		fabs(median) < 1 ? 1e3 : 1;
	snprintf(out, len, "%s %s ± %s", fmt_sig(median * scale, m, sizeof(m)),
		 strchr(unit, ' ') ? strchr(unit, ' ') + 1 : "s",
		 fmt_sig(half * scale, h, sizeof(h)));
	return out;
}

void compare_md_headline(FILE *f, const struct comparison *cmp,
			 const struct compare_sides *s)
{
	const char *bn, *nn;

	side_names(s, &bn, &nn);
	fprintf(f, "| operation | time (%s) | time (%s) | change | status |\n"
		   "|---|--:|--:|--:|:-:|\n", bn, nn);
	for (size_t i = 0; i < cmp->n_cells; i++) {
		const struct compare_cell *cc = &cmp->cells[i];
		char op[320], b[64], n[64];

		compare_operation_name(cmp, cc->base, op, sizeof(op));
		if (cc->verdict == VERDICT_NO_DATA) {
			fprintf(f, "| %s | - | - | - | no data (%s %s, %s "
				   "%s) |\n", op, bn,
				cell_status_name(cc->base->status), nn,
				cell_status_name(cc->new->status));
			continue;
		}
		fprintf(f, "| %s | %s | %s | %+.1f%% [%+.1f, %+.1f] | %s |\n",
			op, fmt_time_pm(cc->base_median, cc->base_half, b,
					sizeof(b)),
			fmt_time_pm(cc->new_median, cc->new_half, n,
				    sizeof(n)),
			100 * (cc->ratio - 1), 100 * (cc->ratio_lo - 1),
			100 * (cc->ratio_hi - 1),
			compare_status_sign(cc->verdict));
	}
	fprintf(f, "\n± is half the %g%% CI of the median time per copy; "
		   "change is %s / %s - 1 with its %g%% CI (positive is "
		   "slower). ✅ improved, ❌ regressed (the CI wholly beyond "
		   "±%g%%), ≈ no change or within noise.\n",
		100 * cmp->opts.level, nn, bn, 100 * cmp->opts.level,
		100 * cmp->opts.threshold);
}

/* A figure's value for people. */
static const char *fmt_metric(enum sample_metric m, double v, char *out,
			      size_t len)
{
	char num[FMT_LEN];

	if (fmt_missing(v, out, len))
		return out;
	switch (m) {
	case METRIC_TIME:
		return fmt_seconds(v, out, len);
	case METRIC_CPU:
		snprintf(out, len, "%s s/GiB", fmt_sig(v, num, sizeof(num)));
		return out;
	case METRIC_RSS:
	case METRIC_HEAP:
		return fmt_bytes(v > 0 ? (uint64_t)llround(v) : 0, out, len);
	case METRIC_CACHE:
		snprintf(out, len, "%s%% of the file",
			 fmt_sig(v, num, sizeof(num)));
		return out;
	case METRIC_ALLOCS:
	case METRIC_COUNT:
		break;
	}
	return fmt_sig(v, out, len);
}

/* A signed change in the figure's unit: "+12%", "+128 KiB", "-2". */
static const char *fmt_change(enum sample_metric m, double v, char *out,
			      size_t len)
{
	const char *sign = v < 0 ? "-" : "+";
	char num[FMT_LEN];

	if (fmt_missing(v, out, len))
		return out;
	if (m == METRIC_TIME || m == METRIC_CPU)
		snprintf(out, len, "%+.1f%%", 100 * v);
	else if (m == METRIC_CACHE)
		snprintf(out, len, "%s%s points", sign,
			 fmt_sig(fabs(v), num, sizeof(num)));
	else /* bytes and counts: the size of the change as a figure */
		snprintf(out, len, "%s%s", sign,
			 fmt_metric(m, fabs(v), num, sizeof(num)));
	return out;
}

const char *compare_metric_change(enum sample_metric m,
				  const struct compare_metric *cm, char *out,
				  size_t len)
{
	char c[FMT_LEN], lo[FMT_LEN], hi[FMT_LEN];

	snprintf(out, len, "%s [%s, %s]", fmt_change(m, cm->change, c,
						     sizeof(c)),
		 fmt_change(m, cm->lo, lo, sizeof(lo)),
		 fmt_change(m, cm->hi, hi, sizeof(hi)));
	return out;
}

static bool decided(enum compare_verdict v)
{
	return v == VERDICT_REGRESSED || v == VERDICT_IMPROVED;
}

void compare_md_figures(FILE *f, const struct comparison *cmp,
			const struct compare_sides *s, const char *h)
{
	const char *bn, *nn;
	size_t rows = 0;

	side_names(s, &bn, &nn);
	fprintf(f, "\n%s CPU, memory and page cache\n\n", h);
	for (size_t i = 0; i < cmp->n_cells; i++) {
		const struct compare_cell *cc = &cmp->cells[i];
		char op[320], b[FMT_LEN], n[FMT_LEN], ch[96];

		for (int m = METRIC_TIME + 1; m < METRIC_COUNT; m++) {
			const struct compare_metric *cm = &cc->metric[m];

			if (!decided(cm->verdict))
				continue;
			if (!rows++)
				fprintf(f, "| operation | figure | %s | %s | "
					   "change | status |\n|---|---|--:|"
					   "--:|--:|:-:|\n", bn, nn);
			fprintf(f, "| %s | %s | %s | %s | %s | %s |\n",
				compare_operation_name(cmp, cc->base, op,
						       sizeof(op)),
				sample_metric_title(m),
				fmt_metric(m, cm->base, b, sizeof(b)),
				fmt_metric(m, cm->new, n, sizeof(n)),
				compare_metric_change(m, cm, ch, sizeof(ch)),
				compare_status_sign(cm->verdict));
		}
	}
	if (!rows)
		fputs("No cell's CPU per GiB, peak RSS growth, heap (peak, "
		      "allocations per copy) or page-cache footprint "
		      "changed.\n", f);
	fprintf(f, "\nJudged like time (Holm-adjusted tests, the CI wholly "
		   "beyond the threshold): CPU s/GiB and peak RSS / heap "
		   "beyond %g%% (and 128 KiB of RSS, 1 KiB of heap, 0.5 "
		   "allocations per copy), page cache beyond %g points of "
		   "the file. The exit code follows %s.\n",
		100 * COMPARE_OTHER_THRESHOLD, COMPARE_CACHE_MIN,
		cmp->opts.fail_on == COMPARE_FAIL_TIME ?
		"time (--fail-on chooses)" : "the figures --fail-on names");
}

const struct compare_cell *compare_largest_shift(const struct comparison *cmp)
{
	const struct compare_cell *top = NULL;

	for (size_t i = 0; cmp->cells && i < cmp->n_cells; i++) {
		const struct compare_cell *cc = &cmp->cells[i];

		if (cc->shift_cells &&
		    (!top || fabs(cc->shift) > fabs(top->shift)))
			top = cc;
	}
	return top;
}

/* The cells a floor is for (one run per side), 0 with no calibration. */
static size_t floored_cells(const struct comparison *cmp)
{
	/* the floors' family: single-run cells and variants across sizes */
	return cmp->opts.floors ? cmp->family : 0;
}

void compare_md_shifts(FILE *f, const struct comparison *cmp, const char *h)
{
	size_t m = floored_cells(cmp);
	char size[FMT_LEN];

	if (!compare_largest_shift(cmp))
		return;
	fprintf(f,
		"\n%s Shifts common to a size\n\nWith one run per side, "
		"every strategy of a size moves together from one run to "
		"the next on a shared machine (A/A pairs of `iobench "
		"quick` on the development VM: SD 10%%, -21%% to +24%%), "
		"far more than each one on its own. Each time (and CPU "
		"s/GiB) verdict above is judged net of its size's shift, "
		"the median "
		"change of its cells (at least %d, same kind of copy and "
		"threads; for time, at least %d of copies that wait for the "
		"device, which move with it): one strategy's change shows "
		"against the "
		"others. A change common to all of them cannot be told "
		"from the machine's by two single runs: `iobench compare "
		"REF` measures both sides in turns and judges it.%s\n\n| "
		"size | copies | threads | cells | shift |%s\n|---|---|--:|"
		"--:|--:|%s\n",
		h, COMPARE_SHIFT_MIN_CELLS, COMPARE_SHIFT_MIN_DEVICE,
		m ? " Cells do not all follow a shift alike (a copy that is "
		    "mostly process start-up moves less, `mmap` more), so a "
		    "shift widens the noise floor below: sqrt(floor² + (z × "
		    "0.1)² × |shift|), the floor column here."
		  : "",
		m ? " floor |" : "", m ? "--:|" : "");
	for (size_t i = 0; i < cmp->n_cells; i++) {
		const struct compare_cell *cc = &cmp->cells[i];
		double floor;

		if (!cc->shift_cells || !compare_first_of_shift_group(cmp, cc))
			continue;
		fprintf(f, "| %s | %s | %u | %zu | %+.1f%% |",
			fmt_size(cc->base->size, size, sizeof(size)),
			cell_reaches_device(cc->base) ? "device" :
							"page cache",
			cc->base->threads ? cc->base->threads : 1,
			cc->shift_cells, 100 * (exp(cc->shift) - 1));
		floor = m ? calibration_floor(cmp->opts.floors, cc->base->size,
					      cell_reaches_device(cc->base), m,
					      cmp->opts.alpha)
			  : 0;
		if (m && !(floor > 0))
			fputs(" not calibrated |", f);
		else if (m)
			fprintf(f, " ±%.1f%% |",
				100 * expm1(calibration_shift_floor(
					      floor, cc->shift, m,
					      cmp->opts.alpha)));
		fputc('\n', f);
	}
	if (cmp->n_apart)
		fprintf(f,
			"\n> %zu time change%s not judged (shown as within "
			"noise, %zu of them regressed): the cells of a size "
			"moved apart (the widest, %s: their changes about "
			"its shift spread %.0f%%, more than %.0f%% and its "
			"floor), so that its shift stands for none of them. "
			"Measure again, or both sides interleaved (`iobench "
			"compare REF`).\n",
			cmp->n_apart, cmp->n_apart == 1 ? "" : "s",
			cmp->n_apart_regressed,
			fmt_size(cmp->apart_size, size, sizeof(size)),
			100 * expm1(cmp->apart_spread), 100 * COMPARE_APART);
}

/* The cells whose floor is their own (calibration_cell_floor()): above
 * their size's. */
static void md_own_floors(FILE *f, const struct comparison *cmp, size_t m)
{
	bool first = true;
	char key[256];

	for (size_t i = 0; i < cmp->n_cells; i++) {
		const struct compare_cell *cc = &cmp->cells[i];
		double size_floor, own;

		if (!(cc->floor > 0))
			continue;
		size_floor = calibration_floor(cmp->opts.floors,
					       cc->base->size,
					       cell_reaches_device(cc->base),
					       m, cmp->opts.alpha);
		/* before the shift widened it (compare_md_shifts()) */
		own = calibration_cell_floor(cmp->opts.floors, cc->base->size,
					     cell_reaches_device(cc->base),
					     cell_key(cc->base, key,
						      sizeof(key)),
					     m, cmp->opts.alpha);
		if (own <= size_floor)
			continue;
		if (first)
			fprintf(f, "\nCells that moved more than their size in "
				   "the calibration have a floor of their own "
				   "(z x the RMS of their changes):\n\n| cell "
				   "| floor |\n|---|--:|\n");
		first = false;
		fprintf(f, "| `%s` | ±%.1f%% |\n",
			cell_key(cc->base, key, sizeof(key)),
			100 * expm1(own));
	}
}

void compare_md_floors(FILE *f, const struct comparison *cmp, const char *h)
{
	const struct calibration *cal = cmp->opts.floors;
	size_t m = floored_cells(cmp);

	if (!cal)
		return;
	fprintf(f, "\n%s Noise floor\n\n", h);
	if (!m) {
		fprintf(f, "Every cell has several runs per side: the "
			   "hierarchical bootstrap carries run-to-run "
			   "variation, no floor applies.\n");
		return;
	}
	fprintf(f, "From `iobench calibrate` (host %s, %s, %zu A/A pair%s%s): "
		   "with one run per side, a change smaller than the floor "
		   "is within noise. The floor is family-wise over the cells "
		   "it covers, so a change beyond it needs the within-run "
		   "test at alpha, not Holm-adjusted. The smallest change "
		   "this machine can "
		   "detect, per size and kind of copy (family of %zu: cells "
		   "compared and variants across sizes; "
		   "device: O_DIRECT, cold or --sync end; CPU s/GiB "
		   "changes have a floor of their own):\n\n| size | "
		   "copies | changes calibrated | A/A SD | floor | CPU floor "
		   "|\n|---|---|--:|--:|--:|--:|\n",
		cal->hostname ? cal->hostname : "?",
		cal->started ? cal->started : "?", cal->pairs,
		cal->pairs == 1 ? "" : "s",
		cal->net_of_shift ? ", changes net of their size's shift" :
				    ", raw changes", m);
	for (size_t k = 0; k < cal->n_sizes; k++) {
		const struct calibration_size *z = &cal->sizes[k];
		double floor = calibration_floor(
			cal, z->size, z->kind == CALIBRATION_DEVICE, m,
			cmp->opts.alpha);
		char size[FMT_LEN];

		double cpu = calibration_cpu_floor(
			cal, z->size, z->kind == CALIBRATION_DEVICE, m,
			cmp->opts.alpha);

		fprintf(f, "| %s | %s | %zu | %.1f%% | ±%.1f%% | ",
			fmt_size(z->size, size, sizeof(size)),
			calibration_kind_name(z->kind), z->n,
			100 * (exp(calibration_sigma(cal, z)) - 1),
			100 * (exp(floor) - 1));
		if (cpu > 0)
			fprintf(f, "±%.1f%% |\n", 100 * expm1(cpu));
		else
			fputs("- |\n", f);
	}
	md_own_floors(f, cmp, m);
}
