// SPDX-License-Identifier: MIT
/*
 * Plots with gnuplot: one data file and one script per plot under plots/,
 * drawn as SVG by a single gnuplot process whose exit is checked. All are
 * made in a private directory and published whole into plots/ (outfile.h):
 * a link planted at plots/NAME.* is replaced, never written through, and
 * an image cut short by a full disk is never published.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cluster.h"
#include "fmt.h"
#include "outfile.h"
#include "parse.h"
#include "path.h"
#include "plots.h"
#include "reference.h"

/* Distinct colours for up to 14 series; later series reuse them with
 * another point type. */
static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
	"#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#393b79", "#637939",
	"#843c39", "#7b4173",
};

#define N_COLOURS (sizeof(palette) / sizeof(palette[0]))
#define PATH_LEN (PATH_MAX + 64)
#define MIB (1024.0 * 1024.0)

struct plotter {
	char dir[PATH_MAX];		/* DIR/plots */
	int dirfd;			/* DIR/plots, or -1 */
	char priv[PATH_MAX + 40];	/* DIR/plots/.gnuplot-XXXXXXXX */
	int privfd;			/* where the files are made, or -1 */
	struct outfile dat, gp;		/* the plot being written */
	struct plots_result *out;
	char scripts[PLOTS_MAX][56];	/* NAME.gp to run, in order */
	size_t n_scripts;
};

static void note(struct plotter *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct plotter *p, const char *fmt, ...)
{
	struct plots_result *o = p->out;
	va_list ap;

	if (o->n_notes >= PLOTS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(o->notes[o->n_notes++], sizeof(o->notes[0]), fmt, ap);
	va_end(ap);
}

/* A gnuplot double-quoted string: backslash and quote escaped. */
static void gp_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int open_file(struct plotter *p, struct outfile *of,
		     const char *name, const char *ext)
{
	char file[64];

	snprintf(file, sizeof(file), "%s.%s", name, ext);
	return outfile_open(of, p->privfd, file);
}

/*
 * Opens NAME.dat and NAME.gp and starts the script: an SVG terminal,
 * the title, a grid and the legend outside. 0 or -errno.
 */
static int plot_begin(struct plotter *p, const char *name, const char *title,
		      int width, int height, FILE **dat, FILE **gp)
{
	int ret = open_file(p, &p->dat, name, "dat");

	if (ret)
		return ret;
	ret = open_file(p, &p->gp, name, "gp");
	if (ret) {
		outfile_discard(&p->dat);
		return ret;
	}
	*dat = p->dat.f;
	*gp = p->gp.f;
	/* reset: one gnuplot process runs every script in turn */
	fprintf(*gp, "# iobench: %s (data in %s.dat)\nreset\n"
		"set terminal svg size %d,%d noenhanced font \"sans,12\" "
		"background rgb \"white\"\nset output '%s.svg'\nset title ",
		title, name, width, height, name);
	gp_string(*gp, title);
	fputs("\nset grid\nset key outside right top\n"
	      "set datafile missing \"?\"\n", *gp);
	return 0;
}

/* Closes both files and queues the script; 0 or -errno (write failed). */
static int plot_end(struct plotter *p, const char *name, const char *title,
		    FILE *dat, FILE *gp)
{
	struct plots_result *o = p->out;
	int ret;

	(void)dat;
	(void)gp;
	ret = outfile_commit(&p->dat);
	if (ret)
		outfile_discard(&p->gp);
	else
		ret = outfile_commit(&p->gp);
	if (ret || o->n >= PLOTS_MAX)
		return ret;
	snprintf(p->scripts[p->n_scripts++], sizeof(p->scripts[0]), "%s.gp",
		 name);
	snprintf(o->plots[o->n].name, sizeof(o->plots[0].name), "%s.svg",
		 name);
	snprintf(o->plots[o->n].title, sizeof(o->plots[0].title), "%s",
		 title);
	o->n++;
	return 0;
}

/* ---- choosing cells ---- */

static bool measured(const struct cell *c)
{
	return c->status == CELL_OK && c->est.n > 0 && c->est.median > 0;
}

const struct cell *plots_best_cell(const struct run *run,
				   const char *strategy, bool reference,
				   uint64_t size, enum cache_mode cache)
{
	const struct cell *best = NULL;
	int best_rank = 4;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		/* sequential, unsynced cells first: threaded ones plot in
		 * their own figure */
		int rank = (c->sync != SYNC_NONE) + 2 * (c->threads > 1);

		if (!measured(c) || c->size != size || c->cache != cache)
			continue;
		if (strategy ? strcmp(c->strategy, strategy) :
			       reference_cell(c) != reference)
			continue;
		if (rank < best_rank ||
		    (rank == best_rank && c->est.median < best->est.median)) {
			best = c;
			best_rank = rank;
		}
	}
	return best;
}

/* The fastest cell of one strategy (or reference tool), by name. */
static const struct cell *best_cell(const struct run *run, const char *name,
				    uint64_t size, enum cache_mode cache)
{
	return plots_best_cell(run, name, false, size, cache);
}

/* Distinct strategy names of measured cells, in cell order (the
 * registry's, references last). Borrowed strings; caller frees the
 * array. */
static const char **strategy_names(const struct run *run, size_t *n)
{
	const char **v = calloc(run->n_cells + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; v && i < run->n_cells; i++) {
		size_t k;

		if (!measured(&run->cells[i]))
			continue;
		for (k = 0; k < *n && strcmp(v[k], run->cells[i].strategy);
		     k++)
			;
		if (k == *n)
			v[(*n)++] = run->cells[i].strategy;
	}
	return v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Distinct non-zero sizes of measured cells, ascending (a log axis has
 * no 0); caller frees. */
static uint64_t *plot_sizes(const struct run *run, size_t *n)
{
	uint64_t *v = calloc(run->n_cells + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; v && i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		size_t k;

		if (!measured(c) || !c->size)
			continue;
		for (k = 0; k < *n && v[k] != c->size; k++)
			;
		if (k == *n)
			v[(*n)++] = c->size;
	}
	if (v)
		qsort(v, *n, sizeof(*v), cmp_u64);
	return v;
}

static bool any_cache(const struct run *run, enum cache_mode cache)
{
	for (size_t i = 0; i < run->n_cells; i++)
		if (measured(&run->cells[i]) && run->cells[i].cache == cache &&
		    run->cells[i].size)
			return true;
	return false;
}

/* The size tics of a log axis: set xtics ("4K" 4096, "1M" 1048576) */
static void size_tics(FILE *gp, const uint64_t *sizes, size_t n)
{
	/* room around the first and last size on the log axis */
	fprintf(gp, "set xrange [%g:%g]\nset xtics (", sizes[0] / 1.8,
		sizes[n - 1] * 1.8);
	for (size_t i = 0; i < n; i++) {
		char s[32];

		fmt_size(sizes[i], s, sizeof(s));
		fprintf(gp, "%s\"%s\" %llu", i ? ", " : "", s,
			(unsigned long long)sizes[i]);
	}
	fputs(")\n", gp);
}

/* The line style of series i: strategies bold with filled points,
 * reference tools thin with open ones (dashes would dash the error bars
 * too). */
static void series_style(FILE *gp, size_t i, const char *name)
{
	static const int filled[] = { 7, 5, 9, 11, 13, 15 };
	static const int open[] = { 6, 4, 8, 10, 12, 14 };
	bool ref = reference_name(name);

	fprintf(gp, "lw %s pt %d ps 0.9 lc rgb \"%s\" title ",
		ref ? "1.2" : "2.2", (ref ? open : filled)[i % 6],
		palette[i % N_COLOURS]);
	gp_string(gp, name);
}

/* ---- the run's plots ---- */

enum series_figure { FIG_THROUGHPUT, FIG_CPU };

/* One line per strategy over the file sizes: throughput (with the
 * median's CI) or CPU seconds per GiB. */
static int plot_by_size(struct plotter *p, const struct run *run,
			enum cache_mode cache, enum series_figure fig)
{
	char name[48], title[160];
	const char **names;
	uint64_t *sizes;
	size_t ns, nz, blocks = 0;
	FILE *dat, *gp;
	int ret;

	if (fig == FIG_THROUGHPUT) {
		snprintf(name, sizeof(name), "throughput-%s",
			 cache_mode_name(cache));
		snprintf(title, sizeof(title), "Throughput vs file size, %s "
			 "cache (best tunables per size; bars: 95%% CI)",
			 cache_mode_name(cache));
	} else {
		snprintf(name, sizeof(name), "cpu-per-gib");
		snprintf(title, sizeof(title), "CPU time per GiB copied, %s "
			 "cache (user + system, timed region)",
			 cache_mode_name(cache));
	}
	names = strategy_names(run, &ns);
	sizes = plot_sizes(run, &nz);
	ret = -ENOMEM;
	if (!names || !sizes)
		goto out_free;
	ret = plot_begin(p, name, title, 960, 600, &dat, &gp);
	if (ret)
		goto out_free;
	fprintf(gp, "set logscale xy\nset xlabel \"file size (log scale)\"\n"
		"set ylabel \"%s\"\n", fig == FIG_THROUGHPUT ?
		"throughput, MiB/s (log scale)" :
		"CPU seconds per GiB (log scale)");
	size_tics(gp, sizes, nz);
	fputs("plot ", gp);
	for (size_t i = 0; i < ns; i++) {
		size_t points = 0;

		for (size_t z = 0; z < nz; z++) {
			const struct cell *c = best_cell(run, names[i], sizes[z],
							 cache);
			double v;

			if (!c)
				continue;
			v = fig == FIG_THROUGHPUT ?
			    results_mib_s(c->size, c->est.median) :
			    results_cpu_s_per_gib(c);
			if (!isfinite(v) || v <= 0)
				continue;
			if (!points)
				fprintf(dat, "# %s\n", names[i]);
			if (fig == FIG_THROUGHPUT)
				fprintf(dat, "%llu %.6g %.6g %.6g\n",
					(unsigned long long)c->size, v,
					results_mib_s(c->size,
						      c->est.median_hi),
					results_mib_s(c->size,
						      c->est.median_lo));
			else
				fprintf(dat, "%llu %.6g\n",
					(unsigned long long)c->size, v);
			points++;
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
	ret = plot_end(p, name, title, dat, gp);
out_free:
	free(names);
	free(sizes);
	return ret;
}

/* The largest size with a strategy measured both warm and cold (0: none). */
static uint64_t cold_warm_size(const struct run *run)
{
	uint64_t best = 0;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (measured(c) && c->cache == CACHE_WARM && c->size > best &&
		    best_cell(run, c->strategy, c->size, CACHE_COLD))
			best = c->size;
	}
	return best;
}

/* The largest measured size (0: none). */
static uint64_t largest_size(const struct run *run)
{
	uint64_t best = 0;

	for (size_t i = 0; i < run->n_cells; i++)
		if (measured(&run->cells[i]) && run->cells[i].size > best)
			best = run->cells[i].size;
	return best;
}

/* Wide enough for every group's label written horizontally. */
static int histogram_width(size_t groups)
{
	size_t w = 300 + 150 * groups;

	return w < 960 ? 960 : w > 4000 ? 4000 : (int)w;
}

static void histogram_style(FILE *gp)
{
	fputs("set style data histograms\n"
	      "set style histogram clustered gap 1\n"
	      "set style fill solid 0.85 border -1\n"
	      "set boxwidth 0.9\n"
	      "set xtics nomirror font \",10\"\n"
	      "set grid noxtics ytics\n", gp);
}

static void dat_value(FILE *dat, double v)
{
	if (isfinite(v))
		fprintf(dat, " %.6g", v);
	else
		fputs(" ?", dat);
}

static int plot_cold_warm(struct plotter *p, const struct run *run)
{
	uint64_t size = cold_warm_size(run);
	char title[160], sz[32];
	const char **names;
	size_t ns;
	FILE *dat, *gp;
	int ret;

	if (!size) {
		note(p, "cold vs warm: no strategy was measured both warm "
		     "and cold");
		return 0;
	}
	fmt_size(size, sz, sizeof(sz));
	snprintf(title, sizeof(title), "Cold vs warm cache, %s files (best "
		 "tunables, sync none preferred)", sz);
	names = strategy_names(run, &ns);
	if (!names)
		return -ENOMEM;
	ret = plot_begin(p, "cold-vs-warm", title, histogram_width(ns), 600,
			 &dat, &gp);
	if (ret)
		goto out_free;
	histogram_style(gp);
	fputs("set ylabel \"throughput, MiB/s\"\nset yrange [0:*]\n", gp);
	for (size_t i = 0; i < ns; i++) {
		const struct cell *w = best_cell(run, names[i], size,
						 CACHE_WARM);
		const struct cell *c = best_cell(run, names[i], size,
						 CACHE_COLD);

		if (!w && !c)
			continue;
		fprintf(dat, "\"%s\"", names[i]);
		dat_value(dat, w ? results_mib_s(size, w->est.median) : NAN);
		dat_value(dat, c ? results_mib_s(size, c->est.median) : NAN);
		fputc('\n', dat);
	}
	fputs("plot 'cold-vs-warm.dat' using 2:xtic(1) title \"warm\" "
	      "lc rgb \"#d62728\", '' using 3 title \"cold\" "
	      "lc rgb \"#1f77b4\"\n", gp);
	ret = plot_end(p, "cold-vs-warm", title, dat, gp);
out_free:
	free(names);
	return ret;
}

static int plot_page_cache(struct plotter *p, const struct run *run)
{
	uint64_t size = largest_size(run);
	enum cache_mode cache = any_cache(run, CACHE_WARM) ? CACHE_WARM :
							    CACHE_COLD;
	char title[160], sz[32];
	const char **names;
	size_t ns, rows = 0;
	FILE *dat, *gp;
	int ret;

	if (!size) {
		note(p, "page-cache footprint: no file size above 0 bytes "
		     "was measured");
		return 0;
	}
	fmt_size(size, sz, sizeof(sz));
	snprintf(title, sizeof(title), "Page-cache footprint after a copy, "
		 "%s files, %s cache (cachestat)", sz, cache_mode_name(cache));
	names = strategy_names(run, &ns);
	if (!names)
		return -ENOMEM;
	ret = plot_begin(p, "page-cache", title, histogram_width(ns), 600,
			 &dat, &gp);
	if (ret)
		goto out_free;
	histogram_style(gp);
	fputs("set ylabel \"share of the files' pages, %\"\n"
	      "set yrange [0:105]\n", gp);
	for (size_t i = 0; i < ns; i++) {
		const struct cell *c = best_cell(run, names[i], size,
						 cache);

		if (!c)
			continue;
		fprintf(dat, "\"%s\"", names[i]);
		dat_value(dat, results_sample_pct(c,
						  RESULTS_SRC_RESIDENT_AFTER));
		dat_value(dat, results_sample_pct(c, RESULTS_DST_CACHED));
		dat_value(dat, results_sample_pct(c, RESULTS_DST_DIRTY));
		fputc('\n', dat);
		rows++;
	}
	if (rows)
		fputs("plot 'page-cache.dat' using 2:xtic(1) title "
		      "\"source cached after\" lc rgb \"#2ca02c\", '' using 3 "
		      "title \"destination cached after\" lc rgb \"#1f77b4\", "
		      "'' using 4 title \"destination dirty after\" "
		      "lc rgb \"#ff7f0e\"\n", gp);
	else
		fputs("plot NaN notitle\n", gp);
	ret = plot_end(p, "page-cache", title, dat, gp);
out_free:
	free(names);
	return ret;
}

static const char *parallel_name(enum parallel_mode m)
{
	return m == PARALLEL_RANGES ? "ranges" : "files";
}

static unsigned cell_threads(const struct cell *c)
{
	return c->threads ? c->threads : 1;
}

/* The fastest cell of one strategy, mode, size and cache at t threads
 * (t == 1 matches the sequential cells of either mode). */
static const struct cell *best_threaded(const struct run *run,
					const char *strategy,
					enum parallel_mode mode, uint64_t size,
					enum cache_mode cache, unsigned t)
{
	const struct cell *best = NULL;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (!measured(c) || c->size != size || c->cache != cache ||
		    cell_threads(c) != t || strcmp(c->strategy, strategy) ||
		    (t > 1 && c->parallel != mode))
			continue;
		if (!best || c->est.median < best->est.median)
			best = c;
	}
	return best;
}

static int plot_threads(struct plotter *p, const struct run *run)
{
	uint64_t size = 0;
	unsigned max_t = 1;
	enum cache_mode cache = CACHE_COLD;
	char title[160], sz[32];
	const char **names;
	size_t ns, blocks = 0;
	FILE *dat, *gp;
	int ret;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (!measured(c) || cell_threads(c) < 2)
			continue;
		if (c->size > size)
			size = c->size;
		if (cell_threads(c) > max_t)
			max_t = cell_threads(c);
		if (c->cache == CACHE_WARM)
			cache = CACHE_WARM;
	}
	if (!size)
		return 0;	/* threads not swept: nothing to say */
	fmt_size(size, sz, sizeof(sz));
	snprintf(title, sizeof(title), "Thread scaling, %s files, %s cache "
		 "(aggregate throughput)", sz, cache_mode_name(cache));
	names = strategy_names(run, &ns);
	if (!names)
		return -ENOMEM;
	ret = plot_begin(p, "thread-scaling", title, 960, 600, &dat, &gp);
	if (ret)
		goto out_free;
	fprintf(gp, "set xlabel \"threads\"\nset ylabel \"aggregate "
		"throughput, MiB/s\"\nset xrange [0.5:%u.5]\nset xtics 1\n"
		"set yrange [0:*]\nplot ", max_t);
	for (size_t i = 0; i < ns; i++) {
		for (int m = PARALLEL_FILES; m <= PARALLEL_RANGES; m++) {
			char label[96];
			size_t threaded = 0;

			/* a lone sequential point is no scaling line */
			for (unsigned t = 2; t <= max_t; t++)
				threaded += !!best_threaded(run, names[i], m,
							    size, cache, t);
			if (!threaded)
				continue;
			for (unsigned t = 1; t <= max_t; t++) {
				const struct cell *c = best_threaded(
					run, names[i], m, size, cache, t);

				if (c)
					fprintf(dat, "%u %.6g\n", t,
						results_mib_s(size,
							      c->est.median));
			}
			fputs("\n\n", dat);
			snprintf(label, sizeof(label), "%s by %s", names[i],
				 parallel_name(m));
			fprintf(gp, "%s'thread-scaling.dat' index %zu using "
				"1:2 with linespoints ", blocks ? ", \\\n     "
				: "", blocks);
			series_style(gp, blocks, label);
			blocks++;
		}
	}
	if (!blocks)
		fputs("NaN notitle", gp);
	fputs("\n", gp);
	ret = plot_end(p, "thread-scaling", title, dat, gp);
out_free:
	free(names);
	return ret;
}

/* ---- drawing ---- */

/* DIR/plots (created; a symlink there is not followed) and a private
 * directory in it where the files are made. */
static int make_plot_dir(struct plotter *p, const char *dir)
{
	char name[32];
	int dfd;

	p->dirfd = p->privfd = -1;
	if (snprintf(p->dir, sizeof(p->dir), "%s/%s", dir, PLOTS_DIR) >=
	    (int)sizeof(p->dir))
		return -ENAMETOOLONG;
	dfd = outfile_dir_open(AT_FDCWD, dir, 0);
	if (dfd < 0)
		return dfd;
	p->dirfd = outfile_dir_open(dfd, PLOTS_DIR,
				    OUTFILE_CREATE | OUTFILE_NOFOLLOW);
	close(dfd);
	if (p->dirfd < 0)
		return p->dirfd;
	p->privfd = outfile_private_dir(p->dirfd, "gnuplot", name,
					sizeof(name));
	if (p->privfd < 0)
		return p->privfd;
	snprintf(p->priv, sizeof(p->priv), "%s/%s", p->dir, name);
	return 0;
}

/* Removes the private directory (what was not published with it). */
static void close_plot_dir(struct plotter *p)
{
	const char *name = strrchr(p->priv, '/');

	if (p->privfd >= 0) {
		close(p->privfd);
		outfile_remove_tree(p->dirfd, name + 1, NULL);
	}
	if (p->dirfd >= 0)
		close(p->dirfd);
	p->dirfd = p->privfd = -1;
}

/* Publishes plot i's image, data and script into plots/; the image only
 * when gnuplot finished it (a full disk cuts it short). */
static bool publish_plot(struct plotter *p, size_t i)
{
	const char *svg = p->out->plots[i].name;
	char base[48], file[64];
	int ret;

	snprintf(base, sizeof(base), "%.*s", (int)(strlen(svg) - 4), svg);
	for (int k = 0; k < 2; k++) {
		snprintf(file, sizeof(file), "%s.%s", base, k ? "gp" : "dat");
		ret = outfile_adopt(p->privfd, file, p->dirfd, file, NULL);
		if (ret) {
			note(p, "%s: %s", file, strerror(-ret));
			return false;
		}
	}
	ret = outfile_adopt(p->privfd, svg, p->dirfd, svg, "</svg>");
	if (ret == -ENOENT)
		note(p, "%s: gnuplot wrote no image", svg);
	else if (ret == -EIO)
		note(p, "%s: gnuplot's image is cut short (no space left, or a file size limit)", svg);
	else if (ret)
		note(p, "%s: %s", svg, strerror(-ret));
	return !ret;
}

/*
 * Runs gnuplot once over every queued script (in the private directory,
 * so the scripts name their files relatively), then publishes the plots
 * it finished. A failure empties the list and says why.
 */
static void draw(struct plotter *p)
{
	struct plots_result *o = p->out;
	char *argv[PLOTS_MAX + 2];
	char msg[200];
	size_t keep = 0;
	int status;

	if (!p->n_scripts)
		return;
	argv[0] = "gnuplot";
	for (size_t i = 0; i < p->n_scripts; i++)
		argv[i + 1] = p->scripts[i];
	argv[p->n_scripts + 1] = NULL;
	status = harness_run_program(argv, p->priv, msg, sizeof(msg));
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(o->skipped, sizeof(o->skipped), "gnuplot failed "
			 "(%s%d)%s%s", status < 0 ? "errno " :
			 WIFSIGNALED(status) ? "signal " : "exit status ",
			 status < 0 ? -status : WIFSIGNALED(status) ?
			 WTERMSIG(status) : WEXITSTATUS(status),
			 *msg ? ": " : "", msg);
		o->n = 0;
		return;
	}
	for (size_t i = 0; i < o->n; i++)
		if (publish_plot(p, i))
			o->plots[keep++] = o->plots[i];
	o->n = keep;
}

static bool gnuplot_missing(struct plots_result *out)
{
	/* sweep --mpi draws after MPI_Finalize; a stopped or broken job
	 * never finalizes, and no process is started after MPI_Init */
	if (cluster_on()) {
		snprintf(out->skipped, sizeof(out->skipped), "the MPI job "
			 "was stopped or broke: no process (gnuplot) is "
			 "started after MPI_Init without MPI_Finalize");
		return true;
	}
	if (path_find_program("gnuplot", NULL, 0))
		return false;
	snprintf(out->skipped, sizeof(out->skipped), "gnuplot is not on "
		 "PATH (install the gnuplot-nox package to get plots)");
	return true;
}

int plots_write_run(const struct run *run, const char *dir,
		    struct plots_result *out)
{
	struct plotter p = { .out = out };
	int ret;

	memset(out, 0, sizeof(*out));
	if (gnuplot_missing(out))
		return 0;
	if (!largest_size(run)) {
		snprintf(out->skipped, sizeof(out->skipped), "no cell with "
			 "files above 0 bytes was measured");
		return 0;
	}
	ret = make_plot_dir(&p, dir);
	/* a dataset's trees are not file sizes: its per-class figures are
	 * drawn in the report's Dataset section */
	if (run->workload)
		note(&p, "throughput and CPU vs file size: the run copies a "
		     "dataset, whose trees are not file sizes (see the "
		     "Dataset section)");
	for (int c = CACHE_WARM; !ret && !run->workload && c <= CACHE_COLD;
	     c++)
		if (any_cache(run, c))
			ret = plot_by_size(&p, run, c, FIG_THROUGHPUT);
	if (!ret && !run->workload)
		ret = plot_by_size(&p, run, any_cache(run, CACHE_WARM) ?
				   CACHE_WARM : CACHE_COLD, FIG_CPU);
	if (!ret)
		ret = plot_cold_warm(&p, run);
	if (!ret)
		ret = plot_page_cache(&p, run);
	if (!ret)
		ret = plot_threads(&p, run);
	if (!ret)
		draw(&p);
	close_plot_dir(&p);
	return ret;
}

void plots_embed_markdown(FILE *f, const struct plots_result *pr)
{
	if (pr->skipped[0])
		fprintf(f, "Plot skipped: %s.\n\n", pr->skipped);
	for (size_t i = 0; i < pr->n; i++)
		fprintf(f, "![%s](%s/%s)\n\n", pr->plots[i].title, PLOTS_DIR,
			pr->plots[i].name);
}

int plots_write_bars(const struct plots_bars *b, const char *dir,
		     struct plots_result *out)
{
	struct plotter p = { .out = out };
	FILE *dat, *gp;
	int ret;

	memset(out, 0, sizeof(*out));
	if (gnuplot_missing(out))
		return 0;
	ret = make_plot_dir(&p, dir);
	if (!ret)
		ret = plot_begin(&p, b->name, b->title,
				 histogram_width(b->n_groups / 2 + 1), 600,
				 &dat, &gp);
	if (ret)
		return ret;
	histogram_style(gp);
	fputs("set ylabel ", gp);
	gp_string(gp, b->ylabel);
	fputs(b->log_y ? "\nset logscale y\nset yrange [*:*]\n" :
	      "\nset yrange [0:*]\n", gp);
	for (size_t g = 0; g < b->n_groups; g++) {
		gp_string(dat, b->groups[g]);
		for (size_t s = 0; s < b->n_series; s++)
			dat_value(dat, b->values[g * b->n_series + s]);
		fputc('\n', dat);
	}
	for (size_t s = 0; s < b->n_series; s++) {
		fprintf(gp, "%s'%s.dat' using %zu%s title ", s ? ", " : "plot ",
			b->name, s + 2, s ? "" : ":xtic(1)");
		gp_string(gp, b->series[s]);
		fprintf(gp, " lc rgb \"%s\"", palette[s % N_COLOURS]);
	}
	fputc('\n', gp);
	ret = plot_end(&p, b->name, b->title, dat, gp);
	if (!ret)
		draw(&p);
	close_plot_dir(&p);
	return ret;
}

/* Bar colours by verdict. */
static unsigned verdict_rgb(enum compare_verdict v)
{
	switch (v) {
	case VERDICT_REGRESSED:
		return 0xd62728;
	case VERDICT_IMPROVED:
		return 0x2ca02c;
	case VERDICT_NOISE:
		return 0xff7f0e;
	default:
		return 0x9e9e9e;
	}
}

int plots_write_compare(const struct comparison *cmp, const char *dir,
			struct plots_result *out)
{
	static const char name[] = "compare-change";
	static const char title[] = "Change of the median time per copy, "
		"new vs base (bars: 95% CI; negative is faster)";
	struct plotter p = { .out = out };
	size_t rows = 0;
	FILE *dat, *gp;
	int ret, height;

	memset(out, 0, sizeof(*out));
	if (gnuplot_missing(out))
		return 0;
	for (size_t i = 0; i < cmp->n_cells; i++)
		rows += cmp->cells[i].verdict != VERDICT_NO_DATA;
	if (!rows) {
		snprintf(out->skipped, sizeof(out->skipped), "no matched cell "
			 "has samples on both sides");
		return 0;
	}
	ret = make_plot_dir(&p, dir);
	if (ret)
		goto out_close;
	height = 160 + 24 * (int)rows;
	height = height < 420 ? 420 : height > 4000 ? 4000 : height;
	ret = plot_begin(&p, name, title, 1100, height, &dat, &gp);
	if (ret)
		goto out_close;
	rows = 0;
	for (size_t i = 0; i < cmp->n_cells; i++) {
		const struct compare_cell *c = &cmp->cells[i];
		char key[160];

		if (c->verdict == VERDICT_NO_DATA)
			continue;
		cell_key(c->base, key, sizeof(key));
		for (char *q = key; *q; q++)
			if (*q == '"')
				*q = '\'';
		fprintf(dat, "%zu \"%s\"", rows++, key);
		dat_value(dat, (c->ratio - 1) * 100);
		dat_value(dat, (c->ratio_lo - 1) * 100);
		dat_value(dat, (c->ratio_hi - 1) * 100);
		fprintf(dat, " %u\n", verdict_rgb(c->verdict));
	}
	/* horizontal bars: the long cell keys read as y-axis labels */
	fprintf(gp, "set style fill solid 0.8 border -1\n"
		"set ytics nomirror font \",9\"\nset grid xtics noytics\n"
		"set yzeroaxis lt -1 lw 1\nset yrange [%zu.7:-0.7]\n"
		"set xlabel \"change of the median time per copy, %% "
		"(negative: faster)\"\n"
		"plot 'compare-change.dat' using 3:1:($3 < 0 ? $3 : 0):"
		"($3 < 0 ? 0 : $3):($1 - 0.35):($1 + 0.35):6:ytic(2) "
		"with boxxyerror lc rgb variable notitle, \\\n"
		"     '' using 3:1:4:5 with xerrorbars lc rgb \"black\" pt 7 "
		"ps 0.5 title \"95%% CI\", \\\n"
		"     NaN with boxes lc rgb \"#d62728\" title \"regressed\", "
		"\\\n     NaN with boxes lc rgb \"#2ca02c\" title "
		"\"improved\", \\\n     NaN with boxes lc rgb \"#ff7f0e\" "
		"title \"within noise\", \\\n     NaN with boxes lc rgb "
		"\"#9e9e9e\" title \"no significant change\"\n",
		rows ? rows - 1 : 0);
	ret = plot_end(&p, name, title, dat, gp);
	if (!ret)
		draw(&p);
out_close:
	close_plot_dir(&p);
	return ret;
}

int plots_compare_section(const struct comparison *cmp, const char *dir,
			  char **md)
{
	struct plots_result pr;
	char *add = NULL, *grown;
	int ret = plots_write_compare(cmp, dir, &pr);
	int n;

	if (ret == -ENOMEM)
		return ret;
	if (ret)
		n = asprintf(&add, "\n## Plot\n\nPlot skipped: cannot write "
			     "%s/%s: %s.\n", dir, PLOTS_DIR, strerror(-ret));
	else if (pr.n)
		n = asprintf(&add, "\n## Plot\n\n![%s](%s/%s)\n",
			     pr.plots[0].title, PLOTS_DIR, pr.plots[0].name);
	else
		n = asprintf(&add, "\n## Plot\n\nPlot skipped: %s.\n",
			     pr.skipped);
	if (n < 0)
		return -ENOMEM;
	grown = realloc(*md, strlen(*md) + strlen(add) + 1);
	if (!grown) {
		free(add);
		return -ENOMEM;
	}
	strcat(grown, add);
	free(add);
	*md = grown;
	return 0;
}
