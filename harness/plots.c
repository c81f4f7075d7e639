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
#include "compare_types.h"
#include "fmt.h"
#include "outfile.h"
#include "parse.h"
#include "path.h"
#include "plots.h"
#include "plots_internal.h"
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

/* ---- bars ---- */

/* Room for `bars` bars, within what GitHub shows unscaled. */
static int histogram_width(size_t bars)
{
	size_t w = 300 + 25 * bars;

	return w < 600 ? 600 : w > PLOTS_MAX_WIDTH ? PLOTS_MAX_WIDTH : (int)w;
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
				 histogram_width(b->n_groups * b->n_series),
				 600, &dat, &gp);
	if (ret) {
		close_plot_dir(&p);
		return ret;
	}
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

int plots_bars_markdown(FILE *f, const struct plots_bars *b, const char *dir)
{
	struct plots_result pr;
	int ret = plots_write_bars(b, dir, &pr);

	if (!ret)
		plots_embed_markdown(f, &pr);
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
	ret = plot_begin(&p, name, title, PLOTS_MAX_WIDTH, height, &dat,
			 &gp);
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

/* ---- the plotter, for plots_run.c (plots_internal.h) ---- */

struct plotter *plots_open(const char *dir, struct plots_result *out,
			   int *err)
{
	struct plotter *p;

	*err = 0;
	memset(out, 0, sizeof(*out));
	if (gnuplot_missing(out))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	p->out = out;
	*err = make_plot_dir(p, dir);
	if (*err) {
		close_plot_dir(p);
		free(p);
		return NULL;
	}
	return p;
}

void plots_close(struct plotter *p, bool draw_them)
{
	if (draw_them)
		draw(p);
	close_plot_dir(p);
	free(p);
}

void plots_note(struct plotter *p, const char *text)
{
	note(p, "%s", text);
}

void plots_gp_string(FILE *f, const char *s)
{
	gp_string(f, s);
}

int plots_begin(struct plotter *p, const char *name, const char *title,
		int width, int height, FILE **dat, FILE **gp)
{
	return plot_begin(p, name, title, width, height, dat, gp);
}

int plots_end(struct plotter *p, const char *name, const char *title,
	      FILE *dat, FILE *gp)
{
	return plot_end(p, name, title, dat, gp);
}

const char *plots_colour(size_t i)
{
	return palette[i % N_COLOURS];
}

void plots_bar_style(FILE *gp)
{
	histogram_style(gp);
}

void plots_dat_value(FILE *dat, double v)
{
	dat_value(dat, v);
}

int plots_bar_width(size_t bars)
{
	return histogram_width(bars);
}
