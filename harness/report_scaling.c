// SPDX-License-Identifier: MIT
/*
 * report.md's "Thread scaling" section: how each strategy variant's
 * throughput grows with threads, per parallel mode, against its own
 * 1-thread cell, and the recommendations those figures support.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "fmt.h"
#include "parse.h"
#include "report_scaling.h"
#include "stats.h"
#include "threads.h"

#define BOOTSTRAP_RESAMPLES 2000
#define CI_LEVEL 0.95
#define HIGH_SPEEDUP 1.5
#define NO_GAIN 1.05		/* below this, threads did not help */

/* One threaded cell against its 1-thread baseline. */
struct scaling {
	const struct cell *c, *base;	/* base may be NULL */
	bool have_ratio;
	double ratio, lo, hi;	/* speed-up: median(base) / median(c) */
};

static bool measured(const struct cell *c)
{
	return c->status == CELL_OK && c->est.n > 0 && c->est.median > 0;
}

static unsigned n_threads(const struct cell *c)
{
	return c->threads ? c->threads : 1;
}

/* Same strategy, size, tunables and modes: thread settings aside. */
static bool same_variant(const struct cell *a, const struct cell *b)
{
	return cell_same_variant(a, b, 0) && a->cache == b->cache &&
	       a->sync == b->sync;
}

/* The variant's measured 1-thread cell, the same pinning preferred. */
static const struct cell *baseline_of(const struct run *run,
				      const struct cell *c)
{
	const struct cell *any = NULL;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *b = &run->cells[i];

		if (!measured(b) || n_threads(b) != 1 || !same_variant(b, c))
			continue;
		if (b->pin == c->pin)
			return b;
		if (!any)
			any = b;
	}
	return any;
}

static void speedup_of(const struct run *run, struct scaling *s)
{
	double *x, *y;

	s->base = baseline_of(run, s->c);
	if (!s->base || s->base == s->c)
		return;
	x = results_per_copy(s->base);
	y = results_per_copy(s->c);
	if (x && y && !stats_bootstrap_ratio(x, s->base->n_samples, y,
					     s->c->n_samples, CI_LEVEL,
					     BOOTSTRAP_RESAMPLES,
					     run->request.seed, &s->ratio,
					     &s->lo, &s->hi))
		s->have_ratio = true;
	free(x);
	free(y);
}

/* Measured cells of `size` with threads or pinning, grouped by variant,
 * then mode, pinning and thread count. */
static int cmp_scaling(const void *pa, const void *pb)
{
	const struct scaling *a = pa, *b = pb;
	int d;

	if (a->base != b->base)
		return a->base < b->base ? -1 : 1;
	d = strcmp(a->c->strategy, b->c->strategy);
	if (d)
		return d;
	if (a->c->parallel != b->c->parallel)
		return (int)a->c->parallel - (int)b->c->parallel;
	if (a->c->pin != b->c->pin)
		return (int)a->c->pin - (int)b->c->pin;
	return (int)n_threads(a->c) - (int)n_threads(b->c);
}

/* The scaling rows of one size (caller frees); *n rows. */
static struct scaling *rows_of(const struct run *run, uint64_t size,
			       size_t *n)
{
	struct scaling *v = calloc(run->n_cells ? run->n_cells : 1,
				   sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (!measured(c) || c->size != size ||
		    (n_threads(c) == 1 && c->pin == PIN_NONE))
			continue;
		v[*n].c = c;
		speedup_of(run, &v[*n]);
		(*n)++;
	}
	qsort(v, *n, sizeof(*v), cmp_scaling);
	return v;
}

static double mib_s(const struct cell *c)
{
	return results_mib_s(c->size, c->est.median);
}

static void mode_of(const struct cell *c, char *out, size_t len)
{
	if (n_threads(c) == 1)
		snprintf(out, len, "-");
	else if (c->parallel == PARALLEL_RANGES)
		snprintf(out, len, "ranges (%s)",
			 prealloc_mode_name(c->prealloc));
	else
		snprintf(out, len, "files");
}

static void variant_label(const struct cell *c, char *out, size_t len)
{
	char tun[96];
	bool none;

	cell_options_desc(c, tun, sizeof(tun));
	none = !strcmp(tun, "-");
	snprintf(out, len, "`%s`%s%s", c->strategy, none ? "" : " ",
		 none ? "" : tun);
}

static void row(FILE *f, const struct scaling *s)
{
	const struct cell *c = s->c;
	char label[160], mode[48], a[16], im[16], ff[16] = "-";
	unsigned t = n_threads(c);
	double share = results_first_finish_share(c);

	variant_label(c, label, sizeof(label));
	mode_of(c, mode, sizeof(mode));
	if (isfinite(share))
		snprintf(ff, sizeof(ff), "%.0f%%", 100 * share);
	fprintf(f, "| %s | %s/%s | %s | %s | %u | %s |", label,
		cache_mode_name(c->cache), sync_mode_name(c->sync), mode,
		pin_mode_name(c->pin), t, fmt_sig(mib_s(c), a, sizeof(a)));
	if (s->have_ratio)
		fprintf(f, " %.2fx [%.2f, %.2f] | %.0f%% |", s->ratio, s->lo,
			s->hi, 100.0 * s->ratio / t);
	else
		fputs(" - | - |", f);
	fprintf(f, " %s | %s |\n", fmt_sig(results_thread_imbalance(c), im,
					sizeof(im)), ff);
}

static void baseline_row(FILE *f, const struct cell *b)
{
	char label[160], a[16];

	variant_label(b, label, sizeof(label));
	fprintf(f, "| %s | %s/%s | - | %s | 1 | %s | 1.00x | 100%% | - | - "
		"|\n", label, cache_mode_name(b->cache),
		sync_mode_name(b->sync), pin_mode_name(b->pin),
		fmt_sig(mib_s(b), a, sizeof(a)));
}

static bool run_has_threads(const struct run *run)
{
	for (size_t i = 0; i < run->n_cells; i++)
		if (n_threads(&run->cells[i]) > 1 ||
		    run->cells[i].pin != PIN_NONE)
			return true;
	return false;
}

/* Distinct sizes of the measured threaded cells, ascending (caller
 * frees). */
static uint64_t *sizes_of(const struct run *run, size_t *n)
{
	uint64_t *v = calloc(run->n_cells ? run->n_cells : 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		size_t k, j;

		if (n_threads(c) == 1 && c->pin == PIN_NONE)
			continue;
		for (k = 0; k < *n && v[k] < c->size; k++)
			;
		if (k < *n && v[k] == c->size)
			continue;
		for (j = *n; j > k; j--)
			v[j] = v[j - 1];
		v[k] = c->size;
		(*n)++;
	}
	return v;
}

static int size_table(const struct run *run, FILE *f, uint64_t size)
{
	struct scaling *v;
	char sz[32];
	size_t n;

	v = rows_of(run, size, &n);
	if (!v)
		return -ENOMEM;
	fmt_size(size, sz, sizeof(sz));
	fprintf(f, "### %s\n\n", sz);
	if (!n) {
		fputs("No threaded cell of this size was measured.\n\n", f);
		free(v);
		return 0;
	}
	fputs("| strategy | cache/sync | parallel | pin | threads | MiB/s | "
	      "speed-up [95% CI] | efficiency | imbalance | first finish |\n"
	      "|---|---|---|---|---:|---:|---:|---:|---:|---:|\n", f);
	for (size_t i = 0; i < n; i++) {
		/* each variant's 1-thread row leads its group */
		if (v[i].base && (i == 0 || v[i - 1].base != v[i].base) &&
		    v[i].base != v[i].c)
			baseline_row(f, v[i].base);
		row(f, &v[i]);
	}
	fputs("\n", f);
	free(v);
	return 0;
}

int report_scaling_section(const struct run *run, FILE *f)
{
	uint64_t *sizes;
	size_t n;
	int ret = 0;

	fputs("## Thread scaling\n\n", f);
	if (!run_has_threads(run)) {
		fputs("Every cell ran 1 unpinned thread; `--threads 1,2,4 "
		      "--parallel files,ranges` measures scaling.\n\n", f);
		return 0;
	}
	fputs("Throughput is the whole sample's bytes over the time from the "
	      "first thread's start to the last one's finish; by ranges the "
	      "destination is pre-sized inside that time. Speed-up is over "
	      "the same variant with 1 thread (bootstrap 95% CI of the ratio "
	      "of medians); efficiency = speed-up / threads; imbalance = "
	      "slowest / fastest thread (median over samples); first finish "
	      "= when the first thread finished, as a share of the sample.\n\n",
	      f);
	sizes = sizes_of(run, &n);
	if (!sizes)
		return -ENOMEM;
	for (size_t k = 0; k < n && !ret; k++)
		ret = size_table(run, f, sizes[k]);
	free(sizes);
	return ret;
}

void report_scaling_recommend(const struct run *run,
			      void (*add)(void *ctx,
					  enum report_scaling_impact impact,
					  const char *text),
			      void *ctx)
{
	uint64_t *sizes;
	size_t n_sizes;

	if (!run_has_threads(run))
		return;
	sizes = sizes_of(run, &n_sizes);
	for (size_t k = 0; sizes && k < n_sizes; k++) {
		const struct scaling *best = NULL;
		struct scaling *v;
		char text[512], sz[32], label[160], mode[48], a[16], b[16];
		size_t n;

		v = rows_of(run, sizes[k], &n);
		for (size_t i = 0; v && i < n; i++)
			if (v[i].have_ratio && n_threads(v[i].c) > 1 &&
			    (!best || v[i].ratio > best->ratio))
				best = &v[i];
		fmt_size(sizes[k], sz, sizeof(sz));
		if (best && best->lo > 1.0 && best->ratio >= NO_GAIN) {
			variant_label(best->c, label, sizeof(label));
			mode_of(best->c, mode, sizeof(mode));
			snprintf(text, sizeof(text),
				 "Copy %s files with %s and %u threads by %s: "
				 "%.2fx over 1 thread (%s vs %s MiB/s, %s; "
				 "95%% CI [%.2fx, %.2fx], efficiency %.0f%%).",
				 sz, label, n_threads(best->c), mode,
				 best->ratio,
				 fmt_sig(mib_s(best->c), a, sizeof(a)),
				 fmt_sig(mib_s(best->base), b, sizeof(b)),
				 cache_mode_name(best->c->cache), best->lo,
				 best->hi,
				 100 * best->ratio / n_threads(best->c));
			add(ctx, best->ratio >= HIGH_SPEEDUP ? SCALING_HIGH :
				 SCALING_MEDIUM, text);
		} else if (best) {
			snprintf(text, sizeof(text),
				 "More threads did not speed up %s copies "
				 "measurably (best %.2fx over 1 thread, "
				 "95%% CI [%.2fx, %.2fx]): one thread per "
				 "copy is enough here.", sz, best->ratio,
				 best->lo, best->hi);
			add(ctx, SCALING_LOW, text);
		}
		free(v);
	}
	free(sizes);
}

void report_scaling_options(const struct run_request *q, FILE *f)
{
	bool files = q->parallel_files || !q->parallel_ranges;

	if (!q->n_threads && q->pin == PIN_NONE)
		return;
	if (q->n_threads) {
		fputs(" --threads ", f);
		for (size_t i = 0; i < q->n_threads; i++)
			fprintf(f, "%s%llu", i ? "," : "",
				(unsigned long long)q->threads[i]);
	}
	fprintf(f, " --parallel %s%s%s", files ? "files" : "",
		files && q->parallel_ranges ? "," : "",
		q->parallel_ranges ? "ranges" : "");
	fprintf(f, " --pin %s --prealloc %s", pin_mode_name(q->pin),
		prealloc_mode_name(q->prealloc));
}
