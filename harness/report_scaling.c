// SPDX-License-Identifier: MIT
/*
 * report.md's "Thread scaling" section: how each strategy variant's
 * throughput grows with threads, per parallel mode, against its own
 * 1-thread cell, from the speed-ups the analysis paired over rounds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "report_internal.h"
#include "threads.h"

static unsigned n_threads(const struct cell *c)
{
	return c->threads ? c->threads : 1;
}

static bool threaded(const struct analysis_cell *ac)
{
	return ac->measured &&
	       (n_threads(ac->cell) > 1 || ac->cell->pin != PIN_NONE);
}

/* Threaded cells grouped by their 1-thread base, then mode, pinning and
 * thread count. */
static const struct analysis *order_ctx;

static int cmp_scaling(const void *pa, const void *pb)
{
	const struct analysis_cell *x = &order_ctx->cells[*(const size_t *)pa];
	const struct analysis_cell *y = &order_ctx->cells[*(const size_t *)pb];
	const struct cell *a = x->cell, *b = y->cell;
	int d;

	if (x->scaling_base != y->scaling_base)
		return x->scaling_base < y->scaling_base ? -1 : 1;
	d = strcmp(a->strategy, b->strategy);
	if (d)
		return d;
	if (a->cache != b->cache)
		return (int)a->cache - (int)b->cache;
	if (a->parallel != b->parallel)
		return (int)a->parallel - (int)b->parallel;
	if (a->pin != b->pin)
		return (int)a->pin - (int)b->pin;
	return (int)n_threads(a) - (int)n_threads(b);
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

static void row(FILE *f, const struct analysis_cell *ac)
{
	const struct cell *c = ac->cell;
	char label[160], mode[48], r[FMT_LEN], ci[64], e[FMT_LEN];
	char im[FMT_LEN], ff[FMT_LEN];
	unsigned t = n_threads(c);
	double share = results_first_finish_share(c);

	variant_label(c, label, sizeof(label));
	mode_of(c, mode, sizeof(mode));
	fprintf(f, "| %s | %s/%s | %s | %s | %u | %s | %s | %s | %s | %s |\n",
		label, cache_mode_name(c->cache), sync_mode_name(c->sync), mode,
		pin_mode_name(c->pin), t, fmt_sig(ac->mib_s, r, sizeof(r)),
		report_ratio_ci(ac->have_scaling, ac->scaling,
				   ac->scaling_lo, ac->scaling_hi, ci,
				   sizeof(ci)),
		ac->have_scaling ? fmt_pct(100 * ac->scaling / t, e, sizeof(e))
				 : "-",
		fmt_sig(results_thread_imbalance(c), im, sizeof(im)),
		isfinite(share) ? fmt_pct(100 * share, ff, sizeof(ff)) : "-");
}

static void baseline_row(FILE *f, const struct analysis_cell *b)
{
	char label[160], r[FMT_LEN];

	variant_label(b->cell, label, sizeof(label));
	fprintf(f, "| %s | %s/%s | - | %s | 1 | %s | 1x | 100%% | - | - |\n",
		label, cache_mode_name(b->cell->cache),
		sync_mode_name(b->cell->sync), pin_mode_name(b->cell->pin),
		fmt_sig(b->mib_s, r, sizeof(r)));
}

static void size_table(const struct analysis *a, FILE *f,
		       const struct analysis_size *s, size_t *v)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_cells; i++)
		if (threaded(&a->cells[i]) && a->cells[i].cell->size == s->size)
			v[n++] = i;
	if (!n)
		return;
	order_ctx = a;
	qsort(v, n, sizeof(*v), cmp_scaling);
	order_ctx = NULL;
	fprintf(f,
		"### %s\n\n| strategy | cache/sync | parallel | pin | "
		"threads | MiB/s | speed-up [95%% CI] | efficiency | "
		"imbalance | first finish |\n|---|---|---|---|---:|---:|---:|"
		"---:|---:|---:|\n",
		s->name);
	for (size_t k = 0; k < n; k++) {
		const struct analysis_cell *ac = &a->cells[v[k]];

		/* each variant's 1-thread row leads its group */
		if (ac->scaling_base != SIZE_MAX &&
		    (k == 0 ||
		     a->cells[v[k - 1]].scaling_base != ac->scaling_base))
			baseline_row(f, &a->cells[ac->scaling_base]);
		row(f, ac);
	}
	fputs("\n", f);
}

void report_scaling_section(const struct analysis *a, FILE *f)
{
	size_t *v = calloc(a->n_cells ? a->n_cells : 1, sizeof(*v));
	bool any = false;

	fputs("## Thread scaling\n\n", f);
	for (size_t i = 0; i < a->n_cells; i++)
		any |= threaded(&a->cells[i]);
	if (!any || !v) {
		fputs("Every cell ran 1 unpinned thread; `--threads 1,2,4 "
		      "--parallel files,ranges` measures scaling.\n\n",
		      f);
		free(v);
		return;
	}
	fputs("Throughput is the whole sample's bytes over the time from the "
	      "first thread's start to the last one's finish; by ranges the "
	      "destination is pre-sized inside that time. Speed-up is over "
	      "the same variant with 1 thread, paired over rounds; "
	      "efficiency = speed-up / threads; imbalance = slowest / "
	      "fastest thread (median over samples); first finish = when "
	      "the first thread finished, as a share of the sample.\n\n",
	      f);
	for (size_t k = 0; k < a->n_sizes; k++)
		size_table(a, f, &a->sizes[k], v);
	free(v);
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
