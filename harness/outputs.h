/* SPDX-License-Identifier: MIT */
/*
 * What a measured run leaves behind, all rendered from its analysis: the
 * files of the run's directory, the end-of-run summary on the terminal
 * and its exports. The pipeline calls analysis_build(run, &a), then
 * these.
 *
 * Layer rule: the outputs layer; depends on the analysis and the writers
 * (report.h, results.h), never the reverse.
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_OUTPUTS_H
#define IOBENCH_OUTPUTS_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis.h"

/* The file that holds the measurements (written first). */
#define OUTPUTS_MEASUREMENTS "results.json"

/*
 * Writes a run's directory, dirfd (opened with outfile_dir_open()) at
 * path dir: results.json first (it holds the measurements), then
 * results.csv and report.md (with its plots in dir/plots/), each whole or
 * not at all. 0, or -errno with *failed naming the file not written
 * (OUTPUTS_MEASUREMENTS: none was).
 */
int outputs_write(const struct run *run, const struct analysis *a, int dirfd,
		  const char *dir, const char **failed);

/*
 * The end-of-run summary for a terminal: an aligned table (per size and
 * cache mode: the best set, its MiB/s with CI, its speed-up over rw),
 * then the verdict line of each size ("1M: a, b and c tie (within 3%);
 * 1.25x [1.12, 1.37] faster than rw") and what the CIs cover. Plain
 * text, every number through lib/fmt; the lines are results.json's
 * summary.sizes[].line.
 */
void outputs_print_summary(FILE *f, const struct analysis *a);

/*
 * --export-markdown FILE: the executive summary as report.md starts with
 * it; --export-json FILE: results.json's "summary" object. FILE "-" is
 * stdout; a file is written atomically. 0 or -errno.
 */
int outputs_export_markdown(const struct analysis *a, const char *path);
int outputs_export_json(const struct analysis *a, const char *path);

/* How a run ends on the terminal (outputs_show()). */
struct outputs_show_opts {
	bool quiet;			/* no summary: the report's path only */
	/* --export-markdown, --export-json FILE ("-": stdout), or NULL */
	const char *export_markdown, *export_json;
};

/*
 * The end of a run on the terminal, once its directory dir is written:
 * the summary (unless quiet), the exports, and last the report's path.
 * An export to stdout keeps stdout for itself: the summary and the path
 * go to stderr then. 0, or -errno of a failed export (said); stdout is
 * flushed and checked by the caller (main()).
 */
int outputs_show(const struct analysis *a, const struct outputs_show_opts *o,
		 const char *dir);

#endif
