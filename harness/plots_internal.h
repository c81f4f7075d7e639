/* SPDX-License-Identifier: MIT */
/*
 * The plot writer's machinery (plots.c) for the files that draw plots
 * of a run (plots_run.c, plots_cache.c). Not API: only plots*.c include it.
 */
#ifndef IOBENCH_PLOTS_INTERNAL_H
#define IOBENCH_PLOTS_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "plots.h"

struct plotter;

/* A plotter writing into DIR/plots/ (created) and recording into out
 * (zeroed first). NULL with *err = 0 when gnuplot is missing (out says
 * so), or with *err = -errno. */
struct plotter *plots_open(const char *dir, struct plots_result *out, int *err);
/* Runs gnuplot over the queued plots when draw_them, then frees p. */
void plots_close(struct plotter *p, bool draw_them);
/* A plot not drawn, and why ("cold vs warm: ..."). */
void plots_note(struct plotter *p, const char *text);
/* s as a gnuplot double-quoted string. */
void plots_gp_string(FILE *f, const char *s);
/* Opens NAME.dat and NAME.gp and starts the script (SVG terminal of
 * width x height, the title, a grid, the key outside). 0 or -errno. */
int plots_begin(struct plotter *p, const char *name, const char *title,
		int width, int height, FILE **dat, FILE **gp);
/* Closes both and queues the plot. 0 or -errno. */
int plots_end(struct plotter *p, const char *name, const char *title, FILE *dat,
	      FILE *gp);
/* Series colour i ("#1f77b4"), repeating after 14. */
const char *plots_colour(size_t i);
/* Clustered bars; a value or "?" (missing) into a data file; a width
 * for `bars` bars. */
void plots_bar_style(FILE *gp);
void plots_dat_value(FILE *dat, double v);
int plots_bar_width(size_t bars);

/* ---- shared by the plots of a run ---- */

/* Distinct strategy names of measured cells, in cell order (the
 * registry's, references last). Borrowed strings; you free the array.
 * NULL: out of memory. */
const char **plots_strategy_names(const struct analysis *a, size_t *n);
/* A cell above 0 bytes was measured in `cache`. */
bool plots_any_cache(const struct analysis *a, enum cache_mode cache);
/* The largest measured size (0: none). */
uint64_t plots_largest_size(const struct analysis *a);
/* Cold vs warm at the largest size measured both ways; the page-cache
 * footprint at the largest size (plots_cache.c). 0 or -errno. */
int plots_cold_warm(struct plotter *p, const struct analysis *a);
int plots_page_cache(struct plotter *p, const struct analysis *a);

#endif
