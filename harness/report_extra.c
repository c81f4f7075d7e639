// SPDX-License-Identifier: MIT
/*
 * report.md's "Limits", "Reference tools" and "Plots" sections, and the
 * per-size lines that set each size's best result against them.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_io_report.h"
#include "fmt.h"
#include "machine_limits.h"
#include "parse.h"
#include "path.h"
#include "plots.h"
#include "reference.h"
#include "source_tree.h"
#include "report_internal.h"

/* v as a share of lim: "45.2%", "<1%". */
static const char *share(double v, double lim, char *out, size_t len)
{
	double pct = 100 * v / lim;

	if (pct < 1)
		snprintf(out, len, "<1%%");
	else
		fmt_pct(pct, out, len);
	return out;
}

static double mib_s(const struct analysis_cell *ac)
{
	return ac->mib_s;
}

/* The fastest measured strategy (or reference) cell of a size and cache
 * mode. */
static const struct analysis_cell *best_of(const struct analysis *a,
					   uint64_t size,
					   enum cache_mode cache,
					   bool reference)
{
	return analysis_best_of(a, size, cache, NULL, reference);
}

static bool any_reference(const struct run *run)
{
	for (size_t i = 0; i < run->n_cells; i++)
		if (reference_cell(&run->cells[i]))
			return true;
	return false;
}

/* "`rw` (buf 128K)" */
static const char *label(const struct analysis_cell *ac, char *out,
			 size_t len)
{
	return cell_label(ac->cell, out, len);
}

void report_extra_size(FILE *f, const struct analysis *a, uint64_t size)
{
	const struct run *run = a->run;
	bool said = false;

	for (int m = CACHE_WARM; m <= CACHE_COLD && size; m++) {
		const struct analysis_cell *b = best_of(a, size, m, false);
		const char *what, *above;
		double lim = limits_ceiling(&run->limits, size, m, &what);
		enum limit_kind kind;
		char l[128], r[16], x[16], p[16], why[512];

		if (!b || !isfinite(lim) || lim <= 0)
			continue;
		limits_ceiling_kind(&run->limits, size, m, &kind);
		above = limits_explain_above(run, b->cell, mib_s(b), lim, kind, why,
					     sizeof(why));
		fprintf(f, "%s%s best, %s at %s MiB/s, is %s of %s "
			"(%s MiB/s)%s%s%s", said ? "; " : "Against the "
			"machine's limits: ", cache_mode_name(m),
			label(b, l, sizeof(l)), fmt_sig(mib_s(b), r, sizeof(r)),
			share(mib_s(b), lim, p, sizeof(p)), what,
			fmt_sig(lim, x, sizeof(x)), above ? ", **above it**: " :
			"", above ? above : "", "");
		said = true;
	}
	if (said)
		fputs(".\n\n", f);
	said = false;
	for (int m = CACHE_WARM; m <= CACHE_COLD; m++) {
		const struct analysis_cell *r = best_of(a, size, m, true);
		const struct analysis_cell *b;
		char l[128], p[16], x[16], t[64];

		/* the fastest tool against its group's best strategy, paired
		 * over the rounds (analysis.h) */
		if (!r || !r->have_vs_best)
			continue;
		b = &a->cells[a->groups[r->group].best];
		fprintf(f, "%s%s: %s is %s as fast as `%s` (%s vs %s MiB/s)",
			said ? "; " : "Against the reference tools, ",
			cache_mode_name(m), label(b, l, sizeof(l)),
			analysis_fmt_ratio(true, r->vs_best, r->vs_best_lo,
					   r->vs_best_hi, t, sizeof(t)),
			r->cell->strategy, fmt_sig(mib_s(b), p, sizeof(p)),
			fmt_sig(mib_s(r), x, sizeof(x)));
		said = true;
	}
	if (said)
		fprintf(f, ". Rows `ref:*` run the tool as one process %s: "
			"their times include its start-up (shown beside them; "
			"the strategies' times include none).\n\n",
			run->request.source ? "for the whole tree" :
			"per batch of files (dd: per file)");
}

/* The limit table's last column: why a cell beat its ceiling, or "". */
static const char *above_note(const struct run *run,
			      const struct analysis_cell *c, double lim,
			      uint64_t size, enum cache_mode m)
{
	static char why[512];
	enum limit_kind kind;

	limits_ceiling_kind(&run->limits, size, m, &kind);
	return limits_explain_above(run, c->cell, mib_s(c), lim, kind, why,
				    sizeof(why)) ? why : "";
}

/* The device ceilings the cells are set against (machine_limits.h). */
static void section_ceilings(FILE *f, const struct run_limits *l)
{
	char a[FMT_LEN], b[FMT_LEN], c[FMT_LEN], d[FMT_LEN], e[FMT_LEN];
	char bs[FMT_LEN], qd[24];

	if (!l->ceilings)
		return;
	snprintf(qd, sizeof(qd), " QD %u", l->dev_read_qd);
	fprintf(f, "\n**Ceilings** (measured like fio on `--dir`, %g s after "
		"a %g s ramp, best of %d repeats): each cell is set against "
		"the lowest that applies. Cold: the device's O_DIRECT "
		"sequential read through io_uring, best queue depth. Warm: "
		"reading cached pages and writing new ones one after the "
		"other (1 / (1/read + 1/write)), working set %s (larger "
		"than the last-level cache). Any size: files/s times the "
		"size, when lower (small files).\n\n"
		"| ceiling | figure |\n|---|---:|\n"
		"| device read, O_DIRECT %s%s | %s MiB/s |\n"
		"| page-cache read | %s MiB/s |\n"
		"| page-cache write, new files | %s MiB/s |\n"
		"| metadata: create+close+unlink | %s files/s |\n",
		LIMITS_DEVICE_RUNTIME, LIMITS_DEVICE_RAMP,
		LIMITS_DEVICE_REPEATS, fmt_bytes(l->cache_set, c, sizeof(c)),
		l->dev_read_bs ? fmt_size(l->dev_read_bs, bs, sizeof(bs)) :
		"(n/a)", l->dev_read_qd ? qd : "",
		fmt_sig(l->dev_read_mib_s, a, sizeof(a)),
		fmt_sig(l->pc_read_mib_s, b, sizeof(b)),
		fmt_sig(l->pc_write_mib_s, d, sizeof(d)),
		fmt_sig(l->meta_files_s, e, sizeof(e)));
	if (l->ceilings_why)
		fprintf(f, "\nNot measured: %s.\n", l->ceilings_why);
}

/* --sustained: the burst next to the writeback-throttled rate. */
static void section_sustained(FILE *f, const struct run *run)
{
	const struct run_limits *l = &run->limits;
	char a[FMT_LEN], b[FMT_LEN], c[FMT_LEN], d[FMT_LEN], e[FMT_LEN];

	if (!(run->request.sustained > 0))
		return;
	fprintf(f, "\n**Sustained write** (`--sustained %g`): buffered 1 MiB "
		"writes into one new file on `--dir`. ", run->request.sustained);
	if (isfinite(l->sus_burst_mib_s))
		fprintf(f, "Burst (the first %s): %s MiB/s; sustained (the last "
			"half, once dirty pages reach the dirty limits and "
			"writeback throttles the writer): %s MiB/s; %s written "
			"in %s. A copy larger than the dirty limits runs at the "
			"sustained rate, not the burst.",
			fmt_seconds(l->sus_burst_seconds, a, sizeof(a)),
			fmt_sig(l->sus_burst_mib_s, b, sizeof(b)),
			fmt_sig(l->sus_mib_s, c, sizeof(c)),
			fmt_bytes(l->sus_bytes, d, sizeof(d)),
			fmt_seconds(l->sus_seconds, e, sizeof(e)));
	if (l->sustained_why)
		fprintf(f, " (%s)", l->sustained_why);
	fputs("\n", f);
}

static void section_limits(FILE *f, const struct analysis *an)
{
	const struct run *run = an->run;
	const struct run_limits *l = &run->limits;
	char a[16], b[16], s1[32], s2[32];

	fputs("## Limits\n\n", f);
	if (!l->measured) {
		fputs("Not measured in this run (`iobench sweep --limits` measures them).\n\n", f);
		return;
	}
	fprintf(f, "Measured in the same run, before the cells. **memcpy**: "
		"this process copying a working set the size of the file "
		"(capped at %llu MiB) in chunks of each swept buffer: the "
		"ceiling for page-cache-to-page-cache copies (a read/write "
		"copy moves the data twice, so expect at most half). "
		"**O_DIRECT**: sequential %u KiB blocks on `--dir`, one at a "
		"time, bypassing the page cache: the ceiling for cold copies "
		"(a buffered copy whose readahead overlaps requests can pass "
		"it: a share above 100%%).\n\n",
		LIMITS_MEMCPY_MAX_SET >> 20, (unsigned)(l->direct_block ?
		l->direct_block : LIMITS_DIRECT_BLOCK) >> 10);
	if (l->ceilings)
		fputs("With the **ceilings** below measured, these two are for "
		      "reference only: memcpy's working sets stay in the CPU "
		      "caches and its destination is already faulted in, and "
		      "one O_DIRECT stream is no device ceiling.\n\n", f);
	fputs("| working set | chunk | memcpy MiB/s |\n|---:|---:|---:|\n", f);
	for (size_t i = 0; i < l->n_memcpy; i++) {
		fmt_size(l->memcpy[i].size, s1, sizeof(s1));
		fmt_size(l->memcpy[i].buffer, s2, sizeof(s2));
		fprintf(f, "| %s | %s | %s |\n", s1, s2,
			fmt_sig(l->memcpy[i].mib_s, a, sizeof(a)));
	}
	if (isfinite(l->direct_read_mib_s) || isfinite(l->direct_write_mib_s)) {
		fmt_size(l->direct_bytes, s1, sizeof(s1));
		fprintf(f, "\n| O_DIRECT on --dir | MiB/s |\n|---|---:|\n"
			"| sequential read (%s) | %s |\n"
			"| sequential write + fdatasync (%s) | %s |\n", s1,
			fmt_sig(l->direct_read_mib_s, a, sizeof(a)), s1,
			fmt_sig(l->direct_write_mib_s, b, sizeof(b)));
	}
	if (l->direct_reason)
		fprintf(f, "\nO_DIRECT bandwidth: n/a (%s); cold results have "
			"no ceiling here.\n", l->direct_reason);
	section_ceilings(f, l);
	section_sustained(f, run);
	/* the reasons as notes under the table: long sentences would make
	 * it scroll sideways */
	char notes[2 * CACHE_COLD * 8][512];
	size_t n_notes = 0;

	fputs("\n| size | cache | best | MiB/s | limit | MiB/s | share | "
	      "above it |\n"
	      "|---|---|---|---:|---|---:|---:|---|\n", f);
	for (size_t i = 0; i < run->request.n_sizes; i++) {
		uint64_t size = run->request.sizes[i];

		for (int m = CACHE_WARM; m <= CACHE_COLD; m++) {
			const struct analysis_cell *c = best_of(an, size, m,
								false);
			const char *what, *why;
			double lim = limits_ceiling(l, size, m, &what);
			char lb[128], x[16];

			if (!c)
				continue;
			fmt_size(size, s1, sizeof(s1));
			fprintf(f, "| %s | %s | %s | %s | %s | %s | ", s1,
				cache_mode_name(m), label(c, lb, sizeof(lb)),
				fmt_sig(mib_s(c), a, sizeof(a)), what,
				fmt_sig(lim, x, sizeof(x)));
			if (!(isfinite(lim) && lim > 0 && size)) {
				fputs("n/a | |\n", f);
				continue;
			}
			why = above_note(run, c, lim, size, m);
			fprintf(f, "%s | ", share(mib_s(c), lim, x, sizeof(x)));
			if (why[0] && n_notes < sizeof(notes) / sizeof(notes[0])) {
				snprintf(notes[n_notes], sizeof(notes[0]), "%s",
					 why);
				fprintf(f, "see note %zu |\n", ++n_notes);
			} else {
				fprintf(f, "%s |\n", why);
			}
		}
	}
	fputs("\n", f);
	for (size_t k = 0; k < n_notes; k++)
		fprintf(f, "%s%zu. Above its limit because %s.\n",
			k ? "" : "Notes:\n\n", k + 1, notes[k]);
	if (n_notes)
		fputs("\n", f);
}

/* The start-up recorded with a tool's cells (0: none measured). */
static double reference_start_of(const struct run *run, const char *name)
{
	for (size_t i = 0; i < run->n_cells; i++)
		if (run->cells[i].strategy &&
		    !strcmp(run->cells[i].strategy, name) &&
		    run->cells[i].tool_start > 0)
			return run->cells[i].tool_start;
	return 0;
}

/* A row of the Reference tools table: strategy cell b against tool cell
 * r at their speeds (MiB/s), with the speed-up's words. */
static void reference_row(FILE *f, const struct run *run, uint64_t size,
			  enum cache_mode m, const struct cell *b,
			  double b_mib_s, const struct cell *r, double r_mib_s,
			  const char *speedup)
{
	char sz[160], lb[128], lr[128], p[16], x[16];

	if (run->request.source)
		source_tree_label(run->request.source,
				  run->request.source_files, size, sz,
				  sizeof(sz));
	else
		fmt_size(size, sz, sizeof(sz));
	fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n", sz,
		cache_mode_name(m), cell_label(b, lb, sizeof(lb)),
		fmt_sig(b_mib_s, p, sizeof(p)), cell_label(r, lr, sizeof(lr)),
		fmt_sig(r_mib_s, x, sizeof(x)), speedup);
}

/* The row of a threaded cell b against the best tool r: a plain ratio
 * of medians (other groups: no paired CI). */
static void threaded_row(FILE *f, const struct run *run, uint64_t size,
			 enum cache_mode m, const struct cell *b,
			 const struct cell *r)
{
	char t[64];

	snprintf(t, sizeof(t), "%.2fx (unpaired)",
		 r->est.median / b->est.median);
	reference_row(f, run, size, m, b, results_mib_s(b->size, b->est.median),
		      r, results_mib_s(r->size, r->est.median), t);
}

static void section_references(FILE *f, const struct analysis *a)
{
	const struct run *run = a->run;
	const struct reference_variant *v;

	if (!any_reference(run))
		return;
	fprintf(f, "## Reference tools\n\n"
		"The same source files copied by the tools people already "
		"use, through the same cache preparation and verification as "
		"the strategies. %s, so **their times include the tool's "
		"start-up**, measured on its own as the median of 9 runs of "
		"`TOOL --version` (as hyperfine measures a shell's) and shown "
		"beside them; the strategies' times include no process "
		"start. Commands:\n\n", run->request.source ?
		"One process copies the whole tree (reading a read-only view "
		"of it, so its access times stay unchanged)" :
		"One process copies a sample's whole batch of files (`cp -t "
		"DIR SRC...`; dd one file per process)");
	for (size_t t = 0; (v = reference_at(&run->request, t)); t++) {
		char st[16];
		double start = reference_start_of(run, v->name);

		fprintf(f, "- `%s`: `%s`", v->name, v->command);
		if (start > 0)
			fprintf(f, " (start-up %s)",
				fmt_seconds(start, st, sizeof(st)));
		fputs("\n", f);
	}
	fputs("\n| size | cache | best strategy | MiB/s | best reference "
	      "(incl. start-up) | MiB/s | speed-up [95% CI] |\n"
	      "|---|---|---|---:|---|---:|---:|\n", f);
	for (size_t i = 0; i < run->request.n_sizes; i++) {
		uint64_t size = run->request.sizes[i];

		for (int m = CACHE_WARM; m <= CACHE_COLD; m++) {
			const struct analysis_cell *r = best_of(a, size, m,
								true);
			const struct analysis_cell *b;
			const struct analysis_size *z =
				analysis_size_of(a, size);
			const struct cell *th =
				z && z->threaded[m] != SIZE_MAX ?
				a->cells[z->threaded[m]].cell : NULL;
			char t[64];

			/* the best with threads beside the tools: what the
			 * product's threads would bring */
			if (r && th)
				threaded_row(f, run, size, m, th, r->cell);
			/* its group's best, paired over the rounds */
			if (!r || !r->have_vs_best)
				continue;
			b = &a->cells[a->groups[r->group].best];
			reference_row(f, run, size, m, b->cell, mib_s(b),
				      r->cell, mib_s(r),
				      report_ratio_ci(true, r->vs_best,
						      r->vs_best_lo,
						      r->vs_best_hi, t,
						      sizeof(t)));
		}
	}
	fputs("\n", f);
}

static int section_plots(FILE *f, const struct analysis *a,
			 const char *report_path)
{
	struct plots_result pr;
	char dir[PATH_MAX];
	int ret;

	path_dir_of(report_path, dir, sizeof(dir));
	ret = plots_write_run(a, dir, &pr);
	if (ret)
		return ret;
	fputs("## Plots\n\n", f);
	if (pr.skipped[0])
		fprintf(f, "Plots skipped: %s.\n\n", pr.skipped);
	for (size_t i = 0; i < pr.n; i++)
		fprintf(f, "![%s](%s/%s)\n\n", pr.plots[i].title, PLOTS_DIR,
			pr.plots[i].name);
	for (size_t i = 0; i < pr.n_notes; i++)
		fprintf(f, "- Not drawn: %s.\n", pr.notes[i]);
	if (pr.n)
		fprintf(f, "%sEach plot's data and gnuplot script are beside "
			"it in `%s/` (NAME.dat, NAME.gp).\n\n",
			pr.n_notes ? "\n" : "", PLOTS_DIR);
	else if (pr.n_notes)
		fputs("\n", f);
	return 0;
}

int report_extra_sections(FILE *f, const struct analysis *a,
			  const char *report_path)
{
	char dir[PATH_MAX];
	int ret;

	section_limits(f, a);
	path_dir_of(report_path, dir, sizeof(dir));
	ret = report_devices_section(f, a, dir);	/* --dir A,B */
	if (!ret)
		ret = cell_io_report(f, a->run, dir);
	if (ret)
		return ret;
	section_references(f, a);
	return section_plots(f, a, report_path);
}

void report_extra_options(const struct run_request *q, FILE *f)
{
	if (!q->limits)
		fputs(" --no-limits", f);
	if (q->sustained > 0)
		fprintf(f, " --sustained %g", q->sustained);
	fputs(" --reference ", f);
	if (!q->n_references)
		fputs("none", f);
	for (size_t i = 0; i < q->n_references; i++)
		fprintf(f, "%s%s", i ? "," : "", q->references[i]);
}

/* The run bands of size k's cells of one kind (device: they wait for
 * it) as factors, "1.04" or "1.04-1.09" into out; false when none is
 * known. A factor, not a percentage: the band is symmetric in log, so
 * 1.22 covers +22% and -18%, which "±22%" would misstate. */
static bool size_band(const struct analysis *a, size_t k, bool device,
		      char *out, size_t len)
{
	double lo, hi;

	if (!analysis_size_band(a, k, device, &lo, &hi))
		return false;
	if (hi - lo < 0.005)
		snprintf(out, len, "%.2f", exp(lo));
	else
		snprintf(out, len, "%.2f-%.2f", exp(lo), exp(hi));
	return true;
}

/* One kind's bands, size by size: " 1.04 at 1K, 1.09 at 1M". */
static void band_sizes(const struct analysis *a, FILE *f, bool device)
{
	bool first = true;
	char b[2 * FMT_LEN + 4];

	for (size_t k = 0; k < a->n_sizes; k++) {
		if (!size_band(a, k, device, b, sizeof(b)))
			continue;
		fprintf(f, "%s %s at %s", first ? "" : ",", b,
			a->sizes[k].name);
		first = false;
	}
}

/* Whether any cell of size k has a band, the calibration's or its own. */
static bool size_banded(const struct analysis *a, size_t k)
{
	for (size_t i = 0; i < a->n_cells; i++)
		if (a->cells[i].run_band > 0 &&
		    a->cells[i].cell->size == a->sizes[k].size)
			return true;
	return false;
}

/* The cells whose band is their own (analysis.h run_band_own), widest
 * first, at most four named: " The median of 3 cells was less steady
 * ...: a factor of 3.87 for `mmap` 1K warm (two modes), 2.96 for
 * ...". */
static void own_bands(const struct analysis *a, FILE *f)
{
	size_t n = analysis_own_bands(a), named = 0, last = SIZE_MAX;
	char name[ANALYSIS_NAME_LEN], modes[ANALYSIS_NAME_LEN];

	if (!n)
		return;
	fprintf(f,
		" The median of %zu cell%s was less steady in this run than "
		"the calibration's cells, so %s band holds %s own sampling "
		"error (from %s samples) and is wider:",
		n, n == 1 ? "" : "s", n == 1 ? "its" : "their",
		n == 1 ? "its" : "their", n == 1 ? "its" : "their");
	for (; named < n && named < 4; named++) {
		const struct analysis_cell *wc;
		size_t w = SIZE_MAX;

		/* the widest not yet named: below the last one's */
		for (size_t i = 0; i < a->n_cells; i++) {
			const struct analysis_cell *ac = &a->cells[i];

			if (!(ac->run_band > 0) || !ac->run_band_own ||
			    (last != SIZE_MAX &&
			     (ac->run_band > a->cells[last].run_band ||
			      (ac->run_band == a->cells[last].run_band &&
			       i <= last))))
				continue;
			if (w == SIZE_MAX ||
			    ac->run_band > a->cells[w].run_band)
				w = i;
		}
		wc = &a->cells[w];
		fprintf(f, "%s %.2f for %s %s %s%s",
			named ? "," : " a factor of", exp(wc->run_band),
			analysis_cell_name(a, w, true, name, sizeof(name)),
			analysis_size_of(a, wc->cell->size)->name,
			analysis_group_modes(&a->groups[wc->group], modes,
					     sizeof(modes)),
			wc->dist.bimodal ? " (two modes)" : "");
		last = w;
	}
	if (n > named)
		fprintf(f, " and %zu more", n - named);
	fputs(" (results.json: `run_band_own`); the factors above are the "
	      "other cells'.",
	      f);
}

void report_within_run_line(const struct analysis *a, FILE *f)
{
	bool memory = false, device = false, all = true, any = false;
	char b[2 * FMT_LEN + 4];

	fputs("- **Uncertainty**: CIs are within-run (one run): they leave "
	      "out run-to-run differences, which on a shared or virtual "
	      "machine can be larger",
	      f);
	for (size_t k = 0; k < a->n_sizes; k++) {
		bool banded = size_banded(a, k);

		memory |= size_band(a, k, false, b, sizeof(b));
		device |= size_band(a, k, true, b, sizeof(b));
		all &= banded;
		any |= banded;
	}
	if (!any) {
		fputs("; `--runs 3` measures them, and `iobench calibrate` "
		      "with this sweep's options this host's band.\n",
		      f);
		return;
	}
	fprintf(f,
		". **Run to run** on this host (`iobench calibrate`, %zu "
		"A/A pair%s%s%s)",
		a->band_pairs, a->band_pairs == 1 ? "" : "s",
		a->band_started ? ", " : "",
		a->band_started ? a->band_started : "");
	if (memory || device)
		fputs(", another run's median of a cell lands within a "
		      "factor, either way, of",
		      f);
	else
		fputc(':', f);
	if (memory)
		band_sizes(a, f, false);
	if (memory && device)
		fputs(" for copies in the page cache, and of", f);
	if (device)
		band_sizes(a, f, true);
	if (device)
		fputs(" for copies that wait for the device", f);
	if (memory || device) {
		/* what a factor means, with this run's widest */
		double lo, hi, w = 0;

		for (size_t k = 0; k < a->n_sizes; k++)
			for (int d = 0; d < 2; d++)
				if (analysis_size_band(a, k, d, &lo, &hi))
					w = fmax(w, hi);
		fprintf(f,
			" of this one's (%.2f: from %.0f%% faster to %.0f%% "
			"slower). The band holds the shift that moves all of "
			"a size's cells together, which `iobench compare` of "
			"two runs takes out.",
			exp(w), 100 * -expm1(-w), 100 * expm1(w));
	}
	own_bands(a, f);
	if (a->band_unmeasured)
		fprintf(f,
			a->band_unmeasured == 1
				? " %zu cell of a variant the calibration did "
				  "not measure (another buffer, strategy or "
				  "option) has its size's band."
				: " %zu cells of variants the calibration did "
				  "not measure (another buffer, strategy or "
				  "option) have their size's band.",
			a->band_unmeasured);
	if (!all)
		fputs(" Sizes without a band were not calibrated.", f);
	fputs("\n", f);
}
