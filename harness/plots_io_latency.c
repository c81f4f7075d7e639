// SPDX-License-Identifier: MIT
/*
 * The per-I/O latency plot (io_latency.h): per cache mode, one
 * percentile curve per cell that timed its requests (HdrHistogram's
 * percentile distribution: latency against 1 / (1 - percentile), both
 * on log axes), coloured by strategy, marked by file size.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cell_io.h"
#include "fmt.h"
#include "io_latency.h"
#include "plots_internal.h"

/* The percentiles drawn; 100 is the maximum, put one decade past
 * 99.99%. */
static const double curve_pct[] = { 0, 50, 75, 90, 95, 99, 99.5, 99.9,
				    99.95, 99.99, 100 };
#define N_CURVE (sizeof(curve_pct) / sizeof(curve_pct[0]))
#define MAX_X 1e5

static double curve_x(double pct)
{
	return pct >= 100 ? MAX_X : 1 / (1 - pct / 100);
}

/* The rank of strategy s among the run's strategies in order of first
 * appearance (its colour). */
static size_t strategy_rank(const struct run *run, const char *s)
{
	size_t n = 0;

	for (size_t i = 0; i < run->n_cells; i++) {
		const char *si = run->cells[i].strategy;
		size_t k;

		if (!strcmp(si, s))
			return n;
		for (k = 0; k < i && strcmp(run->cells[k].strategy, si); k++)
			;
		n += k == i;
	}
	return n;
}

/* The rank of a size among the run's distinct sizes, smallest first
 * (its point type). */
static size_t size_rank(const struct run *run, uint64_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < run->n_cells; i++) {
		size_t k;

		if (run->cells[i].size >= size)
			continue;
		for (k = 0; k < i && run->cells[k].size != run->cells[i].size;
		     k++)
			;
		n += k == i;
	}
	return n;
}

static void curve_title(const struct cell *c, char *out, size_t len)
{
	char sz[FMT_LEN], opts[128];

	cell_options_desc(c, opts, sizeof(opts));
	snprintf(out, len, "%s %s%s%s%s", fmt_size(c->size, sz, sizeof(sz)),
		 c->strategy, strcmp(opts, "-") ? " (" : "",
		 strcmp(opts, "-") ? opts : "", strcmp(opts, "-") ? ")" : "");
}

static int plot_cache(struct plotter *p, const struct run *run,
		      enum cache_mode m)
{
	static const int points[] = { 7, 5, 9, 11, 13, 15 };
	const struct run_io *io = run->io;
	char name[48], title[160], label[200];
	size_t blocks = 0;
	FILE *dat, *gp;
	int ret;

	snprintf(name, sizeof(name), "io-latency-%s", cache_mode_name(m));
	snprintf(title, sizeof(title), "Per-I/O completion latency, %s "
		 "cache: percentile curves (log axes)", cache_mode_name(m));
	ret = plots_begin(p, name, title, PLOTS_MAX_WIDTH, 560, &dat, &gp);
	if (ret)
		return ret;
	fputs("set logscale xy\nset xlabel \"percentile\"\n"
	      "set ylabel \"latency, microseconds (log scale)\"\n"
	      /* tic labels are formats: %% is a per cent sign */
	      "set xtics (\"50%%\" 2, \"90%%\" 10, \"99%%\" 100, "
	      "\"99.9%%\" 1000, \"99.99%%\" 10000, \"max\" 100000)\n"
	      "set xrange [1:100000]\nplot ", gp);
	for (size_t i = 0; i < run->n_cells && i < io->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		const struct histogram *h = &io->cells[i].io_lat;

		if (c->cache != m || !h->total)
			continue;
		fprintf(dat, "# %s\n", c->strategy);
		for (size_t k = 0; k < N_CURVE; k++)
			fprintf(dat, "%g %.6g\n", curve_x(curve_pct[k]),
				histogram_percentile(h, curve_pct[k]) / 1e3);
		fputs("\n\n", dat);
		curve_title(c, label, sizeof(label));
		fprintf(gp, "%s'%s.dat' index %zu using 1:2 with linespoints "
			"lw 2 pt %d ps 0.9 lc rgb \"%s\" title ",
			blocks ? ", \\\n     " : "", name, blocks,
			points[size_rank(run, c->size) % 6],
			plots_colour(strategy_rank(run, c->strategy)));
		plots_gp_string(gp, label);
		blocks++;
	}
	if (!blocks)
		fputs("NaN notitle", gp);
	fputs("\n", gp);
	return plots_end(p, name, title, dat, gp);
}

int plots_write_io_latency(const struct run *run, const char *dir,
			   struct plots_result *out)
{
	struct plotter *p;
	int ret = 0;

	p = plots_open(dir, out, &ret);
	if (!p)
		return ret;
	for (int m = CACHE_WARM; m <= CACHE_COLD && !ret; m++) {
		bool any = false;

		for (size_t i = 0; i < run->n_cells && i < run->io->n_cells;
		     i++)
			any |= (int)run->cells[i].cache == m &&
			       run->io->cells[i].io_lat.total;
		if (any)
			ret = plot_cache(p, run, m);
	}
	plots_close(p, !ret);
	return ret;
}
