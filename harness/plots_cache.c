// SPDX-License-Identifier: MIT
/*
 * The bar plots of a run at one size, every strategy side by side: cold
 * vs warm throughput with CIs, and the page-cache footprint after a copy.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "plots_internal.h"

/*
 * A bar plot of every strategy at one size: `per` bars each, their
 * figures from row() (which fills v[] and says how many, 0: nothing to
 * show for that strategy). `setup` is written before the plot command;
 * `plot` is the plot command, "plot NaN notitle" when no row was written;
 * `empty` is the note instead of the plot when there is no size to draw.
 */
struct bars_plot {
	const char *name;
	const char *ylabel;
	size_t per;
	const char *setup;
	const char *plot;
	size_t (*row)(const struct analysis *a, uint64_t size,
		      enum cache_mode cache, const char *strategy, double *v);
	const char *empty;
};

/* Draws `b` at `size` (0: notes b->empty) and `cache` under `title`.
 * 0 or -errno. */
static int plot_bars(struct plotter *p, const struct analysis *a,
		     const struct bars_plot *b, uint64_t size,
		     enum cache_mode cache, const char *title)
{
	double v[6]; /* the most a row() fills */
	const char **names;
	size_t ns, rows = 0;
	FILE *dat, *gp;
	int ret;

	if (!size) {
		plots_note(p, b->empty);
		return 0;
	}
	names = plots_strategy_names(a, &ns);
	if (!names)
		return -ENOMEM;
	ret = plots_begin(p, b->name, title, plots_bar_width(b->per * ns), 520,
			  &dat, &gp);
	if (ret)
		goto out_free_names;
	plots_bar_style(gp);
	fputs("set xtics rotate by -30\nset ylabel ", gp);
	plots_gp_string(gp, b->ylabel);
	fputc('\n', gp);
	fputs(b->setup, gp);
	for (size_t i = 0; i < ns; i++) {
		size_t n = b->row(a, size, cache, names[i], v);

		if (!n)
			continue;
		plots_gp_string(dat, names[i]);
		for (size_t k = 0; k < n; k++)
			plots_dat_value(dat, v[k]);
		fputc('\n', dat);
		rows++;
	}
	fputs(rows ? b->plot : "plot NaN notitle\n", gp);
	ret = plots_end(p, b->name, title, dat, gp);
out_free_names:
	free(names);
	return ret;
}

/* The largest size with a strategy measured both warm and cold. */
static uint64_t cold_warm_size(const struct analysis *a)
{
	uint64_t best = 0;

	for (size_t i = 0; i < a->n_cells; i++)
		if (a->cells[i].cold != SIZE_MAX &&
		    a->cells[i].cell->size > best)
			best = a->cells[i].cell->size;
	return best;
}

/* A rate and its CI as three values, NaN where not measured. */
static void rate_values(const struct analysis_cell *c, double *v)
{
	v[0] = c ? c->mib_s : NAN;
	v[1] = c ? c->mib_s_lo : NAN;
	v[2] = c ? c->mib_s_hi : NAN;
}

static size_t cold_warm_row(const struct analysis *a, uint64_t size,
			    enum cache_mode cache, const char *strategy,
			    double *v)
{
	const struct analysis_cell *w =
		analysis_best_of(a, size, CACHE_WARM, strategy, false);
	const struct analysis_cell *c =
		analysis_best_of(a, size, CACHE_COLD, strategy, false);

	(void)cache; /* both */
	if (!w && !c)
		return 0;
	rate_values(w, v);
	rate_values(c, v + 3);
	return 6;
}

static const struct bars_plot cold_warm_plot = {
	.name = "cold-vs-warm",
	.ylabel = "throughput, MiB/s",
	.per = 2,
	.setup = "set style histogram errorbars gap 1 lw 1\n"
		 "set yrange [0:*]\n",
	.plot = "plot 'cold-vs-warm.dat' using 2:3:4:xtic(1) title \"warm\" "
		"lc rgb \"#d62728\", '' using 5:6:7 title \"cold\" "
		"lc rgb \"#1f77b4\"\n",
	.row = cold_warm_row,
	.empty = "cold vs warm: no strategy was measured both warm and cold",
};

int plots_cold_warm(struct plotter *p, const struct analysis *a)
{
	uint64_t size = cold_warm_size(a);
	char title[320] = "";

	if (size)
		snprintf(title, sizeof(title),
			 "Cold vs warm cache, %s (best tunables; "
			 "bars: 95%% CI)",
			 analysis_size_of(a, size)->name);
	return plot_bars(p, a, &cold_warm_plot, size, CACHE_WARM, title);
}

static size_t page_cache_row(const struct analysis *a, uint64_t size,
			     enum cache_mode cache, const char *strategy,
			     double *v)
{
	const struct analysis_cell *c =
		analysis_best_of(a, size, cache, strategy, false);

	if (!c)
		return 0;
	v[0] = c->pct[RESULTS_SRC_RESIDENT_AFTER];
	v[1] = c->pct[RESULTS_DST_CACHED];
	v[2] = c->pct[RESULTS_DST_DIRTY];
	return 3;
}

static const struct bars_plot page_cache_plot = {
	.name = "page-cache",
	.ylabel = "share of the files' pages, %",
	.per = 3,
	.setup = "set yrange [0:105]\n",
	.plot = "plot 'page-cache.dat' using 2:xtic(1) title "
		"\"source cached after\" lc rgb \"#2ca02c\", '' using 3 "
		"title \"destination cached after\" lc rgb \"#1f77b4\", "
		"'' using 4 title \"destination dirty after\" "
		"lc rgb \"#ff7f0e\"\n",
	.row = page_cache_row,
	.empty = "page-cache footprint: no file size above 0 bytes was "
		 "measured",
};

int plots_page_cache(struct plotter *p, const struct analysis *a)
{
	uint64_t size = plots_largest_size(a);
	enum cache_mode cache =
		plots_any_cache(a, CACHE_WARM) ? CACHE_WARM : CACHE_COLD;
	char title[320] = "";

	if (size)
		snprintf(title, sizeof(title),
			 "Page-cache footprint after a copy, %s, %s cache "
			 "(cachestat)",
			 analysis_size_of(a, size)->name,
			 cache_mode_name(cache));
	return plot_bars(p, a, &page_cache_plot, size, cache, title);
}
