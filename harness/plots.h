/* SPDX-License-Identifier: MIT */
/*
 * Plots of a run and of a comparison: gnuplot (an external program)
 * draws SVG files from the data files and scripts written here.
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_PLOTS_H
#define IOBENCH_PLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis.h"

struct comparison;

#define PLOTS_MAX 40
#define PLOTS_DIR "plots"
/* GitHub shows images up to about 900 px wide without scaling them */
#define PLOTS_MAX_WIDTH 900

struct plot_file {
	char name[48];		/* "throughput-warm.svg", in PLOTS_DIR */
	char title[160];	/* for the Markdown image's alt text */
};

/* What a plots_write_*() call drew, and what it left out and why. */
struct plots_result {
	struct plot_file plots[PLOTS_MAX];
	size_t n;
	char skipped[320];	/* why nothing was drawn, "" otherwise */
	char notes[PLOTS_MAX][160];	/* plots not drawn: why */
	size_t n_notes;
};

/*
 * Draws the plots of an analysed run into DIR/plots/ (created): per size
 * the speed-up over rw of every strategy with its CI (a dot plot) and the
 * samples of each (a strip plot, which shows slow modes); throughput and
 * CPU per GiB vs file size; cold vs warm with CIs; the page-cache
 * footprint; thread scaling when threads were swept. Each plot leaves
 * NAME.dat, NAME.gp and NAME.svg, at most PLOTS_MAX_WIDTH wide. Without
 * gnuplot on PATH, or when it fails, out->skipped says why and 0 is
 * returned: the report goes on. -errno only for local failures (ENOMEM,
 * cannot write in dir).
 */
int plots_write_run(const struct analysis *a, const char *dir,
		    struct plots_result *out);

/* Draws the change of every compared cell (median time, 95% CI) as
 * DIR/plots/compare-change.svg; same contract as plots_write_run(). */
int plots_write_compare(const struct comparison *cmp, const char *dir,
			struct plots_result *out);

/*
 * Draws the comparison's plot into DIR/plots/ and appends a "## Plot"
 * section to the Markdown document *md (malloc'd; may move): the image,
 * or why it was skipped. 0 or -ENOMEM (*md unchanged).
 */
int plots_compare_section(const struct comparison *cmp, const char *dir,
			  char **md);

/* A clustered bar chart: one group of bars per label, one bar per
 * series; values[g * n_series + s], NaN for a missing bar. */
struct plots_bars {
	const char *name;		/* NAME.svg, NAME.dat, NAME.gp */
	const char *title, *ylabel;
	const char *const *groups;
	size_t n_groups;
	const char *const *series;
	size_t n_series;
	const double *values;
	bool log_y;			/* a logarithmic y axis */
};

/* Draws one bar chart into DIR/plots/; same contract as
 * plots_write_run(). */
int plots_write_bars(const struct plots_bars *b, const char *dir,
		     struct plots_result *out);
/* plots_write_bars(), then the chart's Markdown (plots_embed_markdown())
 * into f: the way a report section shows one chart. 0 or -errno. */
int plots_bars_markdown(FILE *f, const struct plots_bars *b,
			const char *dir);
/* Draws the per-I/O latency percentile curves of the run's cells that
 * have them (io_latency.h), one plot per cache mode, into DIR/plots/;
 * same contract as plots_write_run(). */
int plots_write_io_latency(const struct run *run, const char *dir,
			   struct plots_result *out);
/* The Markdown of what a plots_write_*() call drew: each image, or why
 * nothing was drawn. */
void plots_embed_markdown(FILE *f, const struct plots_result *pr);

#endif
