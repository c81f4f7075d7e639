// SPDX-License-Identifier: MIT
/*
 * report.md's "Latency and device I/O" section: per-copy latency
 * percentiles and device I/O per cell (cell_io.h), and the latency plots.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_io_report.h"
#include "fmt.h"
#include "io_latency.h"
#include "plots.h"

static const char *ns(uint64_t v, char *out, size_t len)
{
	return fmt_seconds(v / 1e9, out, len);
}

static const char *per_byte(double v, char *out, size_t len)
{
	if (!isfinite(v))
		return "n/a";
	snprintf(out, len, "%.2f", v);
	return out;
}

/* The fastest per-copy median of the run's cells, seconds (NaN: none). */
static double fastest_copy(const struct run *run)
{
	double best = NAN;

	for (size_t i = 0; i < run->n_cells; i++) {
		double m = run->cells[i].est.median;

		if (run->cells[i].status == CELL_OK && m > 0 && !(m >= best))
			best = m;
	}
	return best;
}

static void report_latency(FILE *f, const struct run *run)
{
	const struct run_io *io = run->io;
	double fastest = fastest_copy(run);
	char a[FMT_LEN], b[FMT_LEN];

	fprintf(f, "### Per-copy latency\n\n"
		"Every copy timed on its own, batches included: one clock "
		"read after each file (%s each", fmt_seconds(io->timestamp_ns /
							     1e9, a,
							     sizeof(a)));
	if (isfinite(fastest))
		fprintf(f, ", %s of the fastest cell's median copy of %s",
			fmt_pct(100 * io->timestamp_ns / 1e9 / fastest, b,
				sizeof(b)), fmt_seconds(fastest, a, sizeof(a)));
	fputs("). Warm-ups are not counted; cells whose files run in a "
	      "thread pool have none (their copies overlap). Values within "
	      "0.4% (log-linear histogram).\n\n"
	      "| cell | cache | copies | p50 | p90 | p99 | p99.9 | max |\n"
	      "|---|---|---:|---:|---:|---:|---:|---:|\n", f);
	for (size_t i = 0; i < run->n_cells && i < io->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		struct histogram_summary s;
		char l[160], sz[FMT_LEN], p[5][FMT_LEN];

		if (!io->cells[i].lat.total)
			continue;
		histogram_summarize(&io->cells[i].lat, &s);
		fprintf(f, "| %s %s | %s | %llu | %s | %s | %s | %s | %s |\n",
			fmt_size(c->size, sz, sizeof(sz)),
			cell_label(c, l, sizeof(l)), cache_mode_name(c->cache),
			(unsigned long long)s.count,
			ns(s.p50, p[0], FMT_LEN), ns(s.p90, p[1], FMT_LEN),
			ns(s.p99, p[2], FMT_LEN), ns(s.p999, p[3], FMT_LEN),
			ns(s.max, p[4], FMT_LEN));
	}
	fputs("\n", f);
}

static void report_disk(FILE *f, const struct run *run)
{
	const struct run_io *io = run->io;
	char chain[256];

	fputs("### What the device did\n\n", f);
	if (!io->chain.n) {
		fprintf(f, "No block-device counters for --dir: %s.\n\n",
			io->chain_why ? io->chain_why : "unknown");
		return;
	}
	diskstats_chain_desc(&io->chain, chain, sizeof(chain));
	fprintf(f, "/proc/diskstats deltas of `%s` around each sample "
		"process (its whole life: residency checks included; "
		"writeback of dirty destinations after it ended is not, "
		"unless `--sync end`; other processes' I/O to the device "
		"lands here too). Read and written are device bytes per "
		"byte copied, on the last device of the chain: below 1 read "
		"on a cold cell means page-cache hits or an offloaded copy, "
		"above 1 readahead waste or write amplification.\n\n"
		"| cell | cache | read/B | written/B | reads | read merges | "
		"writes | write merges | busy ms |\n"
		"|---|---|---:|---:|---:|---:|---:|---:|---:|\n", chain);
	for (size_t i = 0; i < run->n_cells && i < io->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		const struct cell_io *ci = &io->cells[i];
		const struct diskstats_counters *d = cell_io_device(io, ci,
								    NULL);
		char l[160], sz[FMT_LEN], r[FMT_LEN], w[FMT_LEN];

		if (!d)
			continue;
		fprintf(f, "| %s %s | %s | %s | %s | %llu | %llu | %llu | "
			"%llu | %llu |\n", fmt_size(c->size, sz, sizeof(sz)),
			cell_label(c, l, sizeof(l)), cache_mode_name(c->cache),
			per_byte(cell_io_read_per_byte(io, ci), r, sizeof(r)),
			per_byte(cell_io_write_per_byte(io, ci), w, sizeof(w)),
			(unsigned long long)d->reads,
			(unsigned long long)d->read_merges,
			(unsigned long long)d->writes,
			(unsigned long long)d->write_merges,
			(unsigned long long)d->busy_ms);
	}
	fputs("\n", f);
}

/* Percentiles drawn per cell, in the latency plots. */
#define PLOT_SERIES 5

/*
 * One bar chart per cache mode: p50, p90, p99, p99.9 and max of every
 * cell with latencies, in microseconds on a log axis. 0 or -errno.
 */
static int latency_plot(FILE *f, const struct run *run, enum cache_mode m,
			const char *dir)
{
	static const char *const series[PLOT_SERIES] = {
		"p50", "p90", "p99", "p99.9", "max" };
	const struct run_io *io = run->io;
	const char **groups = calloc(io->n_cells + 1, sizeof(*groups));
	char (*labels)[96] = calloc(io->n_cells + 1, sizeof(*labels));
	double *v = calloc((io->n_cells + 1) * PLOT_SERIES, sizeof(*v));
	char name[32], title[128];
	size_t n = 0;
	int ret = 0;

	if (!groups || !labels || !v) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < run->n_cells && i < io->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		struct histogram_summary s;
		char sz[FMT_LEN];

		if (c->cache != m || !io->cells[i].lat.total)
			continue;
		histogram_summarize(&io->cells[i].lat, &s);
		snprintf(labels[n], sizeof(labels[n]), "%s %s",
			 fmt_size(c->size, sz, sizeof(sz)), c->strategy);
		groups[n] = labels[n];
		v[n * PLOT_SERIES + 0] = s.p50 / 1e3;
		v[n * PLOT_SERIES + 1] = s.p90 / 1e3;
		v[n * PLOT_SERIES + 2] = s.p99 / 1e3;
		v[n * PLOT_SERIES + 3] = s.p999 / 1e3;
		v[n * PLOT_SERIES + 4] = s.max / 1e3;
		n++;
	}
	if (!n)
		goto out_free;
	snprintf(name, sizeof(name), "latency-%s", cache_mode_name(m));
	snprintf(title, sizeof(title), "Per-copy latency, %s cache: "
		 "percentiles of every copy (log scale)", cache_mode_name(m));
	ret = plots_bars_markdown(f, &(struct plots_bars){
		.name = name, .title = title, .ylabel = "microseconds",
		.groups = groups, .n_groups = n, .series = series,
		.n_series = PLOT_SERIES, .values = v, .log_y = true }, dir);
out_free:
	free(groups);
	free(labels);
	free(v);
	return ret;
}

int cell_io_report(FILE *f, const struct run *run, const char *dir)
{
	int ret = 0;

	if (!run->io)
		return 0;
	fputs("## Latency and device I/O\n\n", f);
	report_latency(f, run);
	for (int m = CACHE_WARM; m <= CACHE_COLD && dir && !ret; m++)
		ret = latency_plot(f, run, m, dir);
	report_disk(f, run);
	if (!ret)
		ret = io_latency_report(f, run, dir);
	return ret;
}
