// SPDX-License-Identifier: MIT
/*
 * The plots of a run, drawn from its analysis: per size a dot plot of
 * each strategy's speed-up over rw with its CI and a strip plot of the
 * samples; throughput and CPU per GiB against the file size; thread
 * scaling. Cold vs warm and the page-cache footprint: plots_cache.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "plots_internal.h"
#include "reference.h"

#define RGB_SET 0xd62728       /* the best set */
#define RGB_OTHER 0x1f77b4     /* other strategies */
#define RGB_REFERENCE 0x7f7f7f /* reference tools */

/* ---- choosing cells ---- */

/* Distinct strategy names of measured cells, in cell order (the
 * registry's, references last). Borrowed strings; caller frees the
 * array. */
const char **plots_strategy_names(const struct analysis *a, size_t *n)
{
	const char **v = calloc(a->n_cells + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; v && i < a->n_cells; i++) {
		const char *s = a->cells[i].cell->strategy;
		size_t k;

		if (!a->cells[i].measured)
			continue;
		for (k = 0; k < *n && strcmp(v[k], s); k++)
			;
		if (k == *n)
			v[(*n)++] = s;
	}
	return v;
}

bool plots_any_cache(const struct analysis *a, enum cache_mode cache)
{
	for (size_t i = 0; i < a->n_cells; i++)
		if (a->cells[i].measured && a->cells[i].cell->cache == cache &&
		    a->cells[i].cell->size)
			return true;
	return false;
}

/* The largest measured size (0: none). */
uint64_t plots_largest_size(const struct analysis *a)
{
	for (size_t k = a->n_sizes; k-- > 0;)
		if (a->sizes[k].headline != SIZE_MAX)
			return a->sizes[k].size;
	return 0;
}

/* A plot's file name for a size: "speedup-1M", "speedup-tree2". */
static void size_plot_name(const struct analysis *a,
			   const struct analysis_size *s, const char *what,
			   char *out, size_t len)
{
	char sz[FMT_LEN];

	if (a->run->workload || a->run->request.source)
		snprintf(out, len, "%s-tree%zu", what,
			 (size_t)(s - a->sizes) + 1);
	else
		snprintf(out, len, "%s-%s", what,
			 fmt_size(s->size, sz, sizeof(sz)));
}

static unsigned cell_rgb(const struct analysis_cell *ac)
{
	return ac->reference	 ? RGB_REFERENCE
	       : ac->in_best_set ? RGB_SET
				 : RGB_OTHER;
}

/* ytics naming the rows of a group: row k at y = k. */
static void row_tics(FILE *gp, const struct analysis *a,
		     const struct analysis_group *g)
{
	fputs("set ytics nomirror (", gp);
	for (size_t k = 0; k < g->n_cells; k++) {
		char name[ANALYSIS_NAME_LEN];

		analysis_cell_name(a, g->cells[k], false, name, sizeof(name));
		fputs(k ? ", " : "", gp);
		plots_gp_string(gp, name);
		fprintf(gp, " %zu", k);
	}
	fprintf(gp, ")\nset yrange [%zu.6:-0.6]\n", g->n_cells - 1);
}

/* The legend entries of the colours. */
static void colour_keys(FILE *gp)
{
	fprintf(gp,
		", \\\n     NaN with points pt 7 lc rgb \"#%06x\" "
		"title \"best set\", \\\n     NaN with points pt 7 lc rgb "
		"\"#%06x\" title \"others\", \\\n     NaN with points pt 7 "
		"lc rgb \"#%06x\" title \"reference tools\"\n",
		RGB_SET, RGB_OTHER, RGB_REFERENCE);
}

/* Tics of a log axis of ratios between lo and hi: 0.1, 0.2, 0.5, 1,
 * 1.5, 2, 3, 5, ... (a log axis alone labels only the decades). */
static void ratio_tics(FILE *gp, double lo, double hi)
{
	static const double coarse[] = { 0.001, 0.002, 0.005, 0.01, 0.02,
					 0.05,	0.1,   0.2,   0.5,  1,
					 2,	5,     10,    20,   50,
					 100,	200,   500,   1000 };
	static const double fine[] = { 0.1,  0.2, 0.3, 0.5, 0.75, 1,
				       1.25, 1.5, 2,   3,   5,	  10 };
	/* a wide range gets 1-2-5 steps, a narrow one finer steps */
	bool wide = hi / lo > 8;
	const double *v = wide ? coarse : fine;
	size_t nv = wide ? sizeof(coarse) / sizeof(coarse[0])
			 : sizeof(fine) / sizeof(fine[0]);
	size_t n = 0;

	fputs("set xtics (", gp);
	for (size_t i = 0; i < nv; i++) {
		char t[FMT_LEN];

		if (v[i] < lo || v[i] > hi)
			continue;
		fprintf(gp, "%s\"%s\" %g", n++ ? ", " : "",
			fmt_sig(v[i], t, sizeof(t)), v[i]);
	}
	fputs(")\n", gp);
}

/* Starts a plot with a row per cell of g, full width. 0 or -errno. */
static int group_plot_begin(struct plotter *p, const struct analysis_group *g,
			    const char *name, const char *title, FILE **dat,
			    FILE **gp)
{
	int h = 110 + 26 * (int)g->n_cells;

	h = h < 300 ? 300 : h > 2000 ? 2000 : h;
	return plots_begin(p, name, title, PLOTS_MAX_WIDTH, h, dat, gp);
}

/* ---- per size: speed-ups and samples ---- */

/* Each cell of the size's headline group against rw, with its CI. */
static int plot_speedups(struct plotter *p, const struct analysis *a,
			 const struct analysis_size *s)
{
	const struct analysis_group *g = &a->groups[s->headline];
	char name[48], title[320], modes[96];
	double lo = INFINITY, hi = 0;
	size_t rows = 0;
	FILE *dat, *gp;
	int ret;

	for (size_t k = 0; k < g->n_cells; k++) {
		const struct analysis_cell *ac = &a->cells[g->cells[k]];

		if (!ac->have_speedup)
			continue;
		lo = fmin(lo, ac->speedup_lo);
		hi = fmax(hi, ac->speedup_hi);
		rows++;
	}
	if (!rows || !(lo > 0))
		return 0;
	size_plot_name(a, s, "speedup", name, sizeof(name));
	snprintf(title, sizeof(title), "Speed-up over rw, %s, %s (95%% CI%s)",
		 s->name, analysis_group_modes(g, modes, sizeof(modes)),
		 a->within_run ? ", within-run" : "");
	ret = group_plot_begin(p, g, name, title, &dat, &gp);
	if (ret)
		return ret;
	for (size_t k = 0; k < g->n_cells; k++) {
		const struct analysis_cell *ac = &a->cells[g->cells[k]];

		if (ac->have_speedup)
			fprintf(dat, "%zu %.6g %.6g %.6g %u\n", k, ac->speedup,
				ac->speedup_lo, ac->speedup_hi, cell_rgb(ac));
	}
	row_tics(gp, a, g);
	lo = fmin(lo, 1) / 1.25;
	hi = fmax(hi, 1) * 1.25;
	ratio_tics(gp, lo, hi);
	fprintf(gp,
		"set logscale x\nset xrange [%g:%g]\nset grid xtics "
		"noytics\nset key outside bottom center horizontal\n"
		"set xlabel \"time of rw / time of the strategy (log scale; "
		"right of 1 is faster than rw)\"\nset arrow from 1, graph 0 "
		"to 1, graph 1 nohead dt 2 lc rgb \"#555555\"\n"
		"plot '%s.dat' using 2:1:3:4:5 with xerrorbars pt 7 ps 1.1 "
		"lw 1.5 lc rgb variable notitle",
		lo, hi, name);
	colour_keys(gp);
	return plots_end(p, name, title, dat, gp);
}

/* Every sample of the headline group's cells: a strip per cell, slow
 * modes stand apart; a bar marks the median. */
static int plot_samples(struct plotter *p, const struct analysis *a,
			const struct analysis_size *s)
{
	const struct analysis_group *g = &a->groups[s->headline];
	const char *unit = s->size ? "MiB/s" : "files/s";
	char name[48], title[320], modes[96];
	FILE *dat, *gp;
	int ret;

	size_plot_name(a, s, "samples", name, sizeof(name));
	snprintf(title, sizeof(title),
		 "Samples, %s, %s (a dot per sample; "
		 "bar: the median)",
		 s->name, analysis_group_modes(g, modes, sizeof(modes)));
	ret = group_plot_begin(p, g, name, title, &dat, &gp);
	if (ret)
		return ret;
	for (size_t k = 0; k < g->n_cells; k++) {
		const struct analysis_cell *ac = &a->cells[g->cells[k]];

		for (size_t r = 0, j = 0; r < s->n_rounds; r++) {
			double t = ac->by_round[r];
			/* a golden-ratio sequence spreads the dots evenly */
			double jitter = fmod(0.618034 * (double)j++, 1) - 0.5;

			if (isnan(t))
				continue;
			fprintf(dat, "%.6g %.4f %u\n",
				s->size ? results_mib_s(s->size, t)
					: (double)s->files_per_copy / t,
				(double)k + 0.55 * jitter, cell_rgb(ac));
		}
	}
	fputs("\n\n", dat);
	for (size_t k = 0; k < g->n_cells; k++) {
		const struct analysis_cell *ac = &a->cells[g->cells[k]];

		fprintf(dat, "%.6g %.4f\n", s->size ? ac->mib_s : ac->files_s,
			(double)k);
	}
	row_tics(gp, a, g);
	fprintf(gp,
		"set logscale x\nset grid xtics noytics\n"
		"set key outside bottom center horizontal\n"
		"set xlabel \"%s per sample (log scale)\"\n"
		"plot '%s.dat' index 0 using 1:2:3 with points pt 7 ps 0.45 "
		"lc rgb variable notitle, \\\n     '' index 1 using 1:($2 - "
		"0.38):(0):(0.76) with vectors nohead lw 2.5 lc rgb "
		"\"black\" title \"median\"",
		unit, name);
	colour_keys(gp);
	return plots_end(p, name, title, dat, gp);
}

/* ---- across sizes ---- */

static void size_tics(FILE *gp, const struct analysis *a)
{
	const uint64_t lo = a->sizes[0].size ? a->sizes[0].size
			    : a->n_sizes > 1 ? a->sizes[1].size
					     : 1;

	/* room around the first and last size on the log axis */
	fprintf(gp, "set xrange [%g:%g]\nset xtics (", lo / 1.8,
		a->sizes[a->n_sizes - 1].size * 1.8);
	for (size_t k = 0, n = 0; k < a->n_sizes; k++) {
		char s[FMT_LEN];

		if (!a->sizes[k].size)
			continue;
		fmt_size(a->sizes[k].size, s, sizeof(s));
		fprintf(gp, "%s\"%s\" %llu", n++ ? ", " : "", s,
			(unsigned long long)a->sizes[k].size);
	}
	fputs(")\n", gp);
}

/* Strategies bold with filled points, reference tools thin with open
 * ones. */
static void series_style(FILE *gp, size_t i, const char *name)
{
	static const int filled[] = { 7, 5, 9, 11, 13, 15 };
	static const int open[] = { 6, 4, 8, 10, 12, 14 };
	bool ref = reference_name(name);

	fprintf(gp, "lw %s pt %d ps 0.9 lc rgb \"%s\" title ",
		ref ? "1.2" : "2.2", (ref ? open : filled)[i % 6],
		plots_colour(i));
	plots_gp_string(gp, name);
}

enum series_figure { FIG_THROUGHPUT, FIG_CPU };

/* One line per strategy over the file sizes: throughput (with the
 * median's CI) or CPU seconds per GiB, each strategy's best tunables. */
static int plot_by_size(struct plotter *p, const struct analysis *a,
			enum cache_mode cache, enum series_figure fig)
{
	char name[48], title[160];
	const char **names;
	size_t ns, blocks = 0;
	FILE *dat, *gp;
	int ret;

	if (fig == FIG_THROUGHPUT) {
		snprintf(name, sizeof(name), "throughput-%s",
			 cache_mode_name(cache));
		snprintf(title, sizeof(title),
			 "Throughput vs file size, %s "
			 "cache (best tunables; bars: 95%% CI)",
			 cache_mode_name(cache));
	} else {
		snprintf(name, sizeof(name), "cpu-per-gib");
		snprintf(title, sizeof(title),
			 "CPU time per GiB copied, %s "
			 "cache (user + system, timed region)",
			 cache_mode_name(cache));
	}
	names = plots_strategy_names(a, &ns);
	if (!names)
		return -ENOMEM;
	ret = plots_begin(p, name, title, PLOTS_MAX_WIDTH, 560, &dat, &gp);
	if (ret)
		goto out_free;
	fprintf(gp,
		"set logscale xy\nset xlabel \"file size (log scale)\"\n"
		"set ylabel \"%s\"\n",
		fig == FIG_THROUGHPUT ? "throughput, MiB/s (log scale)"
				      : "CPU seconds per GiB (log scale)");
	size_tics(gp, a);
	fputs("plot ", gp);
	for (size_t i = 0; i < ns; i++) {
		size_t points = 0;

		for (size_t k = 0; k < a->n_sizes; k++) {
			const struct analysis_cell *c = analysis_best_of(
				a, a->sizes[k].size, cache, names[i], false);
			double v;

			if (!c || !c->cell->size)
				continue;
			v = fig == FIG_THROUGHPUT ? c->mib_s : c->cpu_s_per_gib;
			if (!isfinite(v) || v <= 0)
				continue;
			if (!points++)
				fprintf(dat, "# %s\n", names[i]);
			if (fig == FIG_THROUGHPUT)
				fprintf(dat, "%llu %.6g %.6g %.6g\n",
					(unsigned long long)c->cell->size, v,
					c->mib_s_lo, c->mib_s_hi);
			else
				fprintf(dat, "%llu %.6g\n",
					(unsigned long long)c->cell->size, v);
		}
		if (!points)
			continue;
		fputs("\n\n", dat);
		fprintf(gp, "%s'%s.dat' index %zu using %s with %s ",
			blocks ? ", \\\n     " : "", name, blocks,
			fig == FIG_THROUGHPUT ? "1:2:3:4" : "1:2",
			fig == FIG_THROUGHPUT ? "yerrorlines" : "linespoints");
		series_style(gp, i, names[i]);
		blocks++;
	}
	if (!blocks)
		fputs("NaN notitle", gp);
	fputs("\n", gp);
	ret = plots_end(p, name, title, dat, gp);
out_free:
	free(names);
	return ret;
}

/* ---- threads ---- */

static unsigned cell_threads(const struct cell *c)
{
	return c->threads ? c->threads : 1;
}

static int plot_threads(struct plotter *p, const struct analysis *a)
{
	uint64_t size = 0;
	unsigned max_t = 1;
	enum cache_mode cache = CACHE_COLD;
	char title[320];
	const char **names;
	size_t ns, blocks = 0;
	FILE *dat, *gp;
	int ret;

	for (size_t i = 0; i < a->n_cells; i++) {
		const struct cell *c = a->cells[i].cell;

		if (!a->cells[i].measured || cell_threads(c) < 2)
			continue;
		if (c->size > size)
			size = c->size;
		if (cell_threads(c) > max_t)
			max_t = cell_threads(c);
		if (c->cache == CACHE_WARM)
			cache = CACHE_WARM;
	}
	if (!size)
		return 0; /* threads not swept: nothing to say */
	snprintf(title, sizeof(title),
		 "Thread scaling, %s, %s cache "
		 "(aggregate throughput)",
		 analysis_size_of(a, size)->name, cache_mode_name(cache));
	names = plots_strategy_names(a, &ns);
	if (!names)
		return -ENOMEM;
	ret = plots_begin(p, "thread-scaling", title, PLOTS_MAX_WIDTH, 560,
			  &dat, &gp);
	if (ret)
		goto out_free;
	fprintf(gp,
		"set xlabel \"threads\"\nset ylabel \"aggregate "
		"throughput, MiB/s\"\nset xrange [0.5:%u.5]\nset xtics 1\n"
		"set yrange [0:*]\nplot ",
		max_t);
	for (size_t i = 0; i < ns; i++) {
		for (int m = PARALLEL_FILES; m <= PARALLEL_RANGES; m++) {
			char label[96];
			size_t threaded = 0;

			/* a lone sequential point is no scaling line */
			for (unsigned t = 2; t <= max_t; t++)
				threaded += !!analysis_best_threaded(
					a, size, cache, names[i], m, t);
			if (!threaded)
				continue;
			for (unsigned t = 1; t <= max_t; t++) {
				const struct analysis_cell *c =
					analysis_best_threaded(a, size, cache,
							       names[i], m, t);

				if (c)
					fprintf(dat, "%u %.6g\n", t, c->mib_s);
			}
			fputs("\n\n", dat);
			snprintf(label, sizeof(label), "%s by %s", names[i],
				 parallel_mode_name(m));
			fprintf(gp,
				"%s'thread-scaling.dat' index %zu using "
				"1:2 with linespoints ",
				blocks ? ", \\\n     " : "", blocks);
			series_style(gp, blocks, label);
			blocks++;
		}
	}
	if (!blocks)
		fputs("NaN notitle", gp);
	fputs("\n", gp);
	ret = plots_end(p, "thread-scaling", title, dat, gp);
out_free:
	free(names);
	return ret;
}

/* ---- all of them ---- */

static int plot_sizes(struct plotter *p, const struct analysis *a)
{
	int ret = 0;

	for (size_t k = 0; !ret && k < a->n_sizes; k++) {
		const struct analysis_size *s = &a->sizes[k];

		if (s->headline == SIZE_MAX)
			continue;
		ret = plot_speedups(p, a, s);
		if (!ret)
			ret = plot_samples(p, a, s);
	}
	return ret;
}

/* Throughput and CPU over the file sizes, per cache mode. */
static int plot_vs_size(struct plotter *p, const struct analysis *a)
{
	const struct run *run = a->run;
	int ret = 0;

	/* a dataset's trees are not file sizes: its per-class figures are
	 * drawn in the report's Dataset section */
	if (run->workload || run->request.source) {
		plots_note(p, "throughput and CPU vs file size: the run "
			      "copies trees, which are not file sizes");
		return 0;
	}
	for (int c = CACHE_WARM; !ret && c <= CACHE_COLD; c++)
		if (plots_any_cache(a, c))
			ret = plot_by_size(p, a, c, FIG_THROUGHPUT);
	if (!ret)
		ret = plot_by_size(p, a,
				   plots_any_cache(a, CACHE_WARM) ? CACHE_WARM
							    : CACHE_COLD,
				   FIG_CPU);
	return ret;
}

int plots_write_run(const struct analysis *a, const char *dir,
		    struct plots_result *out)
{
	/* the figures, in the order the report shows them */
	static int (*const figures[])(struct plotter *,
				      const struct analysis *) = {
		plot_sizes, plot_vs_size, plots_cold_warm, plots_page_cache,
		plot_threads,
	};
	struct plotter *p;
	int ret = 0;

	if (!plots_largest_size(a)) {
		memset(out, 0, sizeof(*out));
		snprintf(out->skipped, sizeof(out->skipped),
			 "no cell with "
			 "files above 0 bytes was measured");
		return 0;
	}
	p = plots_open(dir, out, &ret);
	if (!p)
		return ret;
	for (size_t i = 0; !ret && i < sizeof(figures) / sizeof(figures[0]);
	     i++)
		ret = figures[i](p, a);
	plots_close(p, !ret);
	return ret;
}
