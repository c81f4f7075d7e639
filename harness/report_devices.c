// SPDX-License-Identifier: MIT
/*
 * report.md's "Devices" section of sweep --dir A,B: the targets and
 * their devices, their ceilings side by side (--limits), every variant's
 * throughput on each target with the ratio to the first and its CI, and
 * a bar plot of them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "machine_limits.h"
#include "plots.h"
#include "report_internal.h"

/* Target t's name in a table header: "`/var/tmp` (ext4)". */
static const char *head(const struct analysis *a, size_t t, char *out,
			size_t len)
{
	return targets_label(a->run, t, true, out, len);
}

static void section_targets(FILE *f, const struct analysis *a)
{
	const struct run *run = a->run;

	fputs("| target | filesystem | device | model | rotational | "
	      "scheduler | mount options |\n|---|---|---|---|---|---|---|\n",
	      f);
	for (size_t t = 0; t < run->n_targets; t++) {
		const struct run_target *x = &run->targets[t];

		fputs("|", f);
		report_md_cell(f, x->dir);
		report_md_cell(f, x->fs_type);
		report_md_cell(f, x->device);
		report_md_cell(f, x->device_model);
		report_md_cell(f, x->rotational < 0 ? "unknown" :
				  x->rotational ? "yes" : "no");
		report_md_cell(f, x->scheduler);
		report_md_cell(f, x->mount_options);
		fputs("\n", f);
	}
}

/* The ceilings side by side: what the Limits section names them. */
static const struct {
	const char *name, *unit;
} ceilings[] = {
	{ "device read, O_DIRECT, best QD", "MiB/s" },
	{ "O_DIRECT read, one stream", "MiB/s" },
	{ "O_DIRECT write + fdatasync, one stream", "MiB/s" },
	{ "page-cache read", "MiB/s" },
	{ "page-cache write, new files", "MiB/s" },
	{ "metadata: create+close+unlink", "files/s" },
};

/* Ceiling k of ceilings[] in l; NaN when not measured. */
static double ceiling_of(const struct run_limits *l, size_t k)
{
	const double v[] = { l->dev_read_mib_s, l->direct_read_mib_s,
			     l->direct_write_mib_s, l->pc_read_mib_s,
			     l->pc_write_mib_s, l->meta_files_s };

	return l->measured && k < sizeof(v) / sizeof(v[0]) ? v[k] : NAN;
}

static void section_ceilings(FILE *f, const struct analysis *a)
{
	char h[ANALYSIS_NAME_LEN], v[FMT_LEN];

	if (!targets_limits(a->run, 0)->measured) {
		fputs("Ceilings: not measured (`--limits` measures each "
		      "target's).\n\n", f);
		return;
	}
	fputs("**Ceilings** of each target, measured in the same run "
	      "(`--limits`; the Limits section describes them; n/a where "
	      "the device allows no O_DIRECT, as tmpfs):\n\n| ceiling |", f);
	for (size_t t = 0; t < a->n_targets; t++)
		fprintf(f, " %s |", head(a, t, h, sizeof(h)));
	fputs("\n|---|", f);
	for (size_t t = 0; t < a->n_targets; t++)
		fputs("---:|", f);
	fputs("\n", f);
	for (size_t k = 0; k < sizeof(ceilings) / sizeof(ceilings[0]); k++) {
		fprintf(f, "| %s |", ceilings[k].name);
		for (size_t t = 0; t < a->n_targets; t++) {
			double x = ceiling_of(targets_limits(a->run, t), k);

			fprintf(f, " %s%s%s |", fmt_sig(x, v, sizeof(v)),
				isfinite(x) ? " " : "",
				isfinite(x) ? ceilings[k].unit : "");
		}
		fputs("\n", f);
	}
	fputs("\n", f);
}

/* "warm", "cold, fdatasync at end, 2 threads by files". */
static const char *modes(const struct cell *c, char *out, size_t len)
{
	int n = snprintf(out, len, "%s%s", cache_mode_name(c->cache),
			 c->sync == SYNC_END ? ", fdatasync at end" : "");

	if (n >= 0 && (size_t)n < len)
		cell_threads_desc(c, ", ", out + n, len - n);
	return out;
}

/* The first measured cell of a row. */
static const struct cell *row_cell(const struct analysis *a,
				   const struct analysis_device_row *row)
{
	for (size_t t = 0; t < a->n_targets; t++)
		if (row->cell[t] != SIZE_MAX)
			return a->cells[row->cell[t]].cell;
	return NULL;
}

static const char *verdict(const struct analysis *a,
			   const struct analysis_device_row *row, size_t t,
			   char *out, size_t len)
{
	char h[ANALYSIS_NAME_LEN];

	if (!row->have[t])
		snprintf(out, len, "-");
	else if (!row->verdict[t])
		snprintf(out, len, "tie");
	else
		snprintf(out, len, "%s", head(a, row->verdict[t] > 0 ? t : 0,
					      h, sizeof(h)));
	return out;
}

static void section_rows(FILE *f, const struct analysis *a)
{
	char h[ANALYSIS_NAME_LEN], x[160];

	fputs("| size | cache | strategy |", f);
	for (size_t t = 0; t < a->n_targets; t++)
		fprintf(f, " %s MiB/s [95%% CI] |", head(a, t, h, sizeof(h)));
	for (size_t t = 1; t < a->n_targets; t++)
		fprintf(f, " %c/A [95%% CI] | faster |", (char)('A' + t));
	fputs("\n|---|---|---|", f);
	for (size_t t = 0; t < a->n_targets; t++)
		fputs("---:|", f);
	for (size_t t = 1; t < a->n_targets; t++)
		fputs("---:|---|", f);
	fputs("\n", f);
	for (size_t r = 0; r < a->n_device_rows; r++) {
		const struct analysis_device_row *row = &a->device_rows[r];
		const struct cell *c = row_cell(a, row);

		if (!c)
			continue;
		fprintf(f, "| %s | %s | %s |",
			analysis_size_of(a, c->size)->name,
			modes(c, x, sizeof(x)), cell_label(c, h, sizeof(h)));
		for (size_t t = 0; t < a->n_targets; t++)
			fprintf(f, " %s |", row->cell[t] == SIZE_MAX ? "-" :
				report_rate_ci(&a->cells[row->cell[t]], x,
					       sizeof(x)));
		for (size_t t = 1; t < a->n_targets; t++) {
			fprintf(f, " %s |", report_ratio_ci(row->have[t],
				row->ratio[t], row->lo[t], row->hi[t], x,
				sizeof(x)));
			fprintf(f, " %s |", verdict(a, row, t, x, sizeof(x)));
		}
		fputs("\n", f);
	}
	fputs("\n", f);
}

/* Every row's throughput on each target as clustered bars. */
static int devices_plot(FILE *f, const struct analysis *a, const char *dir)
{
	size_t nr = a->n_device_rows, nt = a->n_targets;
	char (*labels)[96] = calloc(nr ? nr : 1, sizeof(*labels));
	char (*names)[ANALYSIS_NAME_LEN] = calloc(nt, sizeof(*names));
	const char **groups = calloc(nr ? nr : 1, sizeof(*groups));
	const char **series = calloc(nt, sizeof(*series));
	double *v = calloc((nr ? nr : 1) * nt, sizeof(*v));
	char sz[FMT_LEN];
	int ret = -ENOMEM;

	if (!labels || !names || !groups || !series || !v)
		goto out_free;
	for (size_t t = 0; t < nt; t++)
		series[t] = targets_label(a->run, t, false, names[t],
					  sizeof(names[t]));
	for (size_t r = 0; r < nr; r++) {
		const struct analysis_device_row *row = &a->device_rows[r];
		const struct cell *c = row_cell(a, row);

		snprintf(labels[r], sizeof(labels[r]), "%s %s %s", c->strategy,
			 fmt_size(c->size, sz, sizeof(sz)),
			 cache_mode_name(c->cache));
		groups[r] = labels[r];
		for (size_t t = 0; t < nt; t++)
			v[r * nt + t] = row->cell[t] == SIZE_MAX ? NAN :
					a->cells[row->cell[t]].mib_s;
	}
	ret = plots_bars_markdown(f, &(struct plots_bars){
		.name = "devices", .title = "Throughput on each target "
		"(median MiB/s, same plan, interleaved)",
		.ylabel = "MiB/s (log)", .groups = groups, .n_groups = nr,
		.series = series, .n_series = nt, .values = v, .log_y = true },
		dir);
out_free:
	free(labels);
	free(names);
	free(groups);
	free(series);
	free(v);
	return ret;
}

int report_devices_section(FILE *f, const struct analysis *a,
			   const char *dir)
{
	char line[ANALYSIS_LINE_LEN];

	if (a->n_targets < 2 || a->run->n_targets < a->n_targets)
		return 0;
	fprintf(f, "## Devices\n\nThe same plan measured on %zu targets in "
		"one run, interleaved: every round visits each target's "
		"cells, one variant's back to back with the target going "
		"first rotating from round to round, so drift and position "
		"effects fall on every target alike. Each target has its own "
		"scratch directory and sources%s.\n\n", a->n_targets,
		a->run->request.src_dir ? " (the sources: --src-dir, shared)" :
		"");
	section_targets(f, a);
	fputs("\n", f);
	section_ceilings(f, a);
	fputs("Each variant on every target: the median throughput and its "
	      "95% CI; the ratio of a target (B, C, ...) to the first (A) is "
	      "its throughput over A's, the median of the per-round paired "
	      "ratios with a 95% CI from the paired block bootstrap. "
	      "*faster*: the target ahead when the CI excludes 1 and the "
	      "ratio is beyond the 3% tie margin, else *tie*; `-`: not "
	      "measured there (\"Skipped and failed cells\" says "
	      "why).\n\n", f);
	section_rows(f, a);
	for (size_t t = 1; t < a->n_targets; t++)
		fprintf(f, "- %s\n", analysis_devices_line(a, t, true, line,
							   sizeof(line)));
	fputs("\n", f);
	return devices_plot(f, a, dir);
}
