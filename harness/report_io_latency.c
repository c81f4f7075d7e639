// SPDX-License-Identifier: MIT
/*
 * report.md's per-I/O latency part (io_latency.h): each request's
 * completion latency next to the per-copy latency of the same cell, and
 * the percentile-curve plot.
 */
#include <math.h>
#include <stdio.h>

#include "cell_io.h"
#include "fmt.h"
#include "io_latency.h"
#include "plots.h"

static const char *ns(uint64_t v, char *out, size_t len)
{
	return fmt_seconds(v / 1e9, out, len);
}

/* The smallest per-I/O median of the run, nanoseconds (0: none). */
static uint64_t fastest_io(const struct run_io *io)
{
	uint64_t best = 0;

	for (size_t i = 0; i < io->n_cells; i++) {
		uint64_t p50;

		if (!io->cells[i].io_lat.total)
			continue;
		p50 = histogram_percentile(&io->cells[i].io_lat, 50);
		if (p50 && (!best || p50 < best))
			best = p50;
	}
	return best;
}

/* What the figures are, and what timing them costs. */
static void intro(FILE *f, const struct run_io *io)
{
	uint64_t fastest = fastest_io(io);
	char a[FMT_LEN], b[FMT_LEN], c[FMT_LEN];

	fputs("### Per-I/O latency\n\n"
	      "Each request a strategy issued, from its submission to its "
	      "completion: `io_uring` each SQE (stamped as it is prepared, "
	      "timed as its CQE is reaped), `libaio` each iocb (io_submit to "
	      "io_getevents), `odirect` each pread/pwrite; reads and writes "
	      "together, retries and short transfers each counted. Completions "
	      "reaped together share one clock read, so a request that "
	      "finished while another was awaited counts until it was seen, "
	      "as fio's completion latency does. Warm-ups are not counted; "
	      "in thread-pool cells every thread's requests count (I/Os per "
	      "copy is then n/a: the copies overlap). ", f);
	if (isfinite(io->timestamp_ns) && fastest)
		fprintf(f, "Timing a request takes two clock reads (%s each), "
			"%s of the fastest median request (%s). ",
			fmt_seconds(io->timestamp_ns / 1e9, a, sizeof(a)),
			fmt_pct(100 * 2 * io->timestamp_ns / (double)fastest,
				b, sizeof(b)), ns(fastest, c, sizeof(c)));
	fputs("Values within 0.4% (log-linear histogram).\n\n", f);
}

static void table(FILE *f, const struct run *run)
{
	const struct run_io *io = run->io;

	fputs("| cell | cache | I/Os | I/Os per copy | p50 | p90 | p99 | "
	      "p99.9 | max | per-copy p50 | per-copy p99 |\n"
	      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", f);
	for (size_t i = 0; i < run->n_cells && i < io->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		const struct cell_io *ci = &io->cells[i];
		struct histogram_summary s, cp = { 0 };
		char l[160], sz[FMT_LEN], per[FMT_LEN], p[7][FMT_LEN];

		if (!ci->io_lat.total)
			continue;
		histogram_summarize(&ci->io_lat, &s);
		if (ci->lat.total) {
			histogram_summarize(&ci->lat, &cp);
			snprintf(per, sizeof(per), "%.1f",
				 (double)s.count / cp.count);
		} else {
			snprintf(per, sizeof(per), "n/a");
		}
		fprintf(f, "| %s %s | %s | %llu | %s | %s | %s | %s | %s | %s "
			"| %s | %s |\n", fmt_size(c->size, sz, sizeof(sz)),
			cell_label(c, l, sizeof(l)), cache_mode_name(c->cache),
			(unsigned long long)s.count, per,
			ns(s.p50, p[0], FMT_LEN), ns(s.p90, p[1], FMT_LEN),
			ns(s.p99, p[2], FMT_LEN), ns(s.p999, p[3], FMT_LEN),
			ns(s.max, p[4], FMT_LEN),
			cp.count ? ns(cp.p50, p[5], FMT_LEN) : "n/a",
			cp.count ? ns(cp.p99, p[6], FMT_LEN) : "n/a");
	}
	fputs("\n", f);
}

int io_latency_report(FILE *f, const struct run *run, const char *dir)
{
	struct plots_result pr;
	int ret;

	if (!io_latency_any(run->io))
		return 0;
	intro(f, run->io);
	table(f, run);
	if (!dir)
		return 0;
	ret = plots_write_io_latency(run, dir, &pr);
	if (!ret)
		plots_embed_markdown(f, &pr);
	return ret;
}
