// SPDX-License-Identifier: MIT
/*
 * Outputs of `iobench device`: device.json (schema iobench-device/1),
 * device.md and the terminal table. They only render a device_run.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device.h"
#include "fmt.h"
#include "json_num.h"
#include "results.h"

#define MIB (1024.0 * 1024.0)

/* ---- formatting ---- */

/* A block size as the command line reads it ("128K"); "-" for none. */
static const char *fmt_bs(uint64_t bs, char *out, size_t len)
{
	if (!bs) {
		snprintf(out, len, "-");
		return out;
	}
	return fmt_size(bs, out, len);
}

/* "1.23 GiB/s", "45200 IOPS", "38100 ops/s" */
static const char *fmt_job_rate(const struct device_result *r, double v,
				char *out, size_t len)
{
	char n[FMT_LEN];

	if (!isfinite(v))
		snprintf(out, len, "-");
	else if (device_kind_is_bandwidth(r->job.kind))
		fmt_rate(v / MIB, out, len);
	else
		snprintf(out, len, "%s %s", fmt_sig(v, n, sizeof(n)),
			 r->job.kind == DEVICE_METADATA ? "ops/s" : "IOPS");
	return out;
}

static const char *fmt_ns(uint64_t ns, char *out, size_t len)
{
	return fmt_seconds((double)ns / 1e9, out, len);
}

/* Half the range of the repeats over the median, in percent. */
static double spread_pct(const struct device_result *r)
{
	if (!isfinite(r->median) || !(r->median > 0))
		return NAN;
	return (r->max - r->min) / 2 / r->median * 100;
}

static const char *fmt_spread(const struct device_result *r, char *out,
			      size_t len)
{
	char p[FMT_LEN];
	double v = spread_pct(r);

	if (!isfinite(v))
		snprintf(out, len, "-");
	else
		snprintf(out, len, "±%s", fmt_pct(v, p, sizeof(p)));
	return out;
}

static const char *fmt_ratio(double v, char *out, size_t len)
{
	if (!isfinite(v))
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%.2f", v);
	return out;
}

static const char *status_name(enum device_status s)
{
	static const char *const names[] = { "pending", "ok", "skipped",
					     "failed" };

	return s <= DEVICE_FAILED ? names[s] : "unknown";
}

static const char *engine_name(enum device_kind k)
{
	switch (k) {
	case DEVICE_CACHED_READ:
		return "pread";
	case DEVICE_CACHED_WRITE:
		return "pwrite";
	case DEVICE_METADATA:
		return "openat+close+unlinkat";
	default:
		return "io_uring";
	}
}

/* ---- JSON ---- */

/* Paths and reasons quoting them are bytes, maybe not UTF-8: escaped
 * as results.json escapes them (results.h). */
static json_t *jstr(const char *s)
{
	return results_json_text(s);
}


static json_t *result_json(const struct device_target *t,
			   const struct device_result *r)
{
	json_t *reps = json_array(), *ratios = json_array();

	for (size_t i = 0; reps && i < r->n_repeats; i++)
		json_array_append_new(
			reps, json_pack("{s:f, s:I, s:I, s:o}", "seconds",
					r->repeats[i].seconds, "ios",
					(json_int_t)r->repeats[i].ios, "bytes",
					(json_int_t)r->repeats[i].bytes, "rate",
					json_num(r->repeats[i].rate)));
	for (size_t i = 0; ratios && i < t->chain.n; i++)
		json_array_append_new(ratios,
				      json_num(device_bytes_per_byte(r, i)));
	return json_pack(
		"{s:s, s:I, s:I, s:b, s:s, s:s, s:o, s:s, s:o, s:o,"
		" s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o}",
		"kind", device_kind_name(r->job.kind), "bs",
		(json_int_t)r->job.bs, "qd", (json_int_t)r->job.qd, "direct",
		(int)(DEVICE_KIND_BIT(r->job.kind) & DEVICE_DIRECT_KINDS),
		"engine", engine_name(r->job.kind), "status",
		status_name(r->status), "reason", jstr(r->reason), "unit",
		device_kind_is_bandwidth(r->job.kind) ? "bytes/s" : "ops/s",
		"repeats", reps, "median", json_num(r->median), "min",
		json_num(r->min), "max", json_num(r->max), "spread_pct",
		json_num(spread_pct(r)), "latency_ns", histogram_summary_json(&r->lat),
		"issued_ios", (json_int_t)r->issued_ios, "issued_bytes",
		(json_int_t)r->issued_bytes, "device",
		diskstats_delta_to_json(&t->chain, &r->disk),
		"device_bytes_per_byte", ratios);
}

static json_t *chain_json(const struct diskstats_chain *c)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->n; i++)
		json_array_append_new(
			a, json_pack("{s:s, s:I, s:I, s:s, s:I}", "name",
				     c->dev[i].name, "major",
				     (json_int_t)c->dev[i].major, "minor",
				     (json_int_t)c->dev[i].minor, "role",
				     diskstats_role_name(c->dev[i].role),
				     "depth", (json_int_t)c->dev[i].depth));
	return a;
}

json_t *device_target_to_json(const struct device_target *t)
{
	json_t *jobs = json_array(), *notes = json_array();

	for (size_t i = 0; jobs && i < t->n_results; i++)
		if (json_array_append_new(jobs, result_json(t, &t->results[i])))
			return NULL;
	for (size_t i = 0; notes && i < t->n_notes; i++)
		json_array_append_new(notes, jstr(t->notes[i]));
	return json_pack("{s:o, s:s?, s:I, s:I, s:I, s:o, s:o, s:o, s:o,"
			 " s:o, s:o}",
			 "dir", jstr(t->dir), "fs_type", t->fs_type, "file_size",
			 (json_int_t)t->file_size, "cache_set",
			 (json_int_t)t->cache_set, "llc", (json_int_t)t->llc,
			 "chain", chain_json(&t->chain), "chain_why",
			 jstr(t->chain_why), "direct_why", jstr(t->direct_why),
			 "storage",
			 t->storage.probed ? env_storage_to_json(&t->storage)
					   : json_null(),
			 "notes", notes, "jobs", jobs);
}

json_t *device_to_json(const struct device_run *run)
{
	const struct device_options *o = &run->opts;
	json_t *targets = json_array(), *kinds = json_array();

	for (unsigned k = 0; kinds && k < DEVICE_N_KINDS; k++)
		if (o->kinds & DEVICE_KIND_BIT(k))
			json_array_append_new(kinds,
					      json_string(device_kind_name(k)));
	for (size_t i = 0; targets && i < run->n_targets; i++) {
		json_t *t = device_target_to_json(&run->targets[i]);

		if (!t || json_array_append_new(targets, t)) {
			json_decref(targets);
			json_decref(kinds);
			return NULL;
		}
	}
	return json_pack(
		"{s:s, s:{s:s?, s:s?, s:o, s:s?, s:s?, s:s?, s:b},"
		" s:{s:f, s:f, s:I, s:I, s:I, s:I, s:o}, s:o}",
		"schema", DEVICE_SCHEMA, "run", "id", run->id, "started",
		run->started, "duration", json_num(run->duration), "command_line",
		run->command_line, "version", run->version, "commit",
		run->commit, "incomplete", run->incomplete, "options",
		"runtime", o->runtime, "ramp", o->ramp, "repeats",
		(json_int_t)o->repeats, "size", (json_int_t)o->size,
		"cache_set", (json_int_t)o->cache_set, "seed",
		(json_int_t)o->seed, "kinds", kinds, "targets", targets);
}

/* ---- tables ---- */

/* " s" right-aligned in width terminal columns: printf counts bytes, and
 * "µs" or "±" take two bytes for one column. */
static void column(FILE *f, const char *s, int width)
{
	int extra = 0;

	for (const char *p = s; *p; p++)
		extra += ((unsigned char)*p & 0xc0) == 0x80;
	fprintf(f, " %*s", width + extra, s);
}

/* Rows the target's one O_DIRECT reason covers are left out of its
 * tables: the reason is given once instead. */
static bool covered_by_direct_why(const struct device_target *t,
				  const struct device_result *r)
{
	return t->direct_why && r->status == DEVICE_SKIPPED &&
	       (DEVICE_KIND_BIT(r->job.kind) & DEVICE_DIRECT_KINDS);
}

/* One row's cells, shared by the Markdown and the terminal tables. */
struct row {
	char job[16], bs[24], qd[8], median[32], spread[16];
	char p50[16], p90[16], p99[16], p999[16], max[16], bpb[16];
};

static void make_row(const struct device_target *t,
		     const struct device_result *r, struct row *w)
{
	struct histogram_summary s;

	histogram_summarize(&r->lat, &s);
	snprintf(w->job, sizeof(w->job), "%s", device_kind_name(r->job.kind));
	fmt_bs(r->job.bs, w->bs, sizeof(w->bs));
	if (DEVICE_KIND_BIT(r->job.kind) & DEVICE_DIRECT_KINDS)
		snprintf(w->qd, sizeof(w->qd), "%u", r->job.qd);
	else
		snprintf(w->qd, sizeof(w->qd), "-");
	if (r->status != DEVICE_OK) {
		snprintf(w->median, sizeof(w->median), "%s",
			 status_name(r->status));
		snprintf(w->spread, sizeof(w->spread), "-");
		strcpy(w->p50, "-");
		strcpy(w->p90, "-");
		strcpy(w->p99, "-");
		strcpy(w->p999, "-");
		strcpy(w->max, "-");
		strcpy(w->bpb, "-");
		return;
	}
	fmt_job_rate(r, r->median, w->median, sizeof(w->median));
	fmt_spread(r, w->spread, sizeof(w->spread));
	fmt_ns(s.p50, w->p50, sizeof(w->p50));
	fmt_ns(s.p90, w->p90, sizeof(w->p90));
	fmt_ns(s.p99, w->p99, sizeof(w->p99));
	fmt_ns(s.p999, w->p999, sizeof(w->p999));
	fmt_ns(s.max, w->max, sizeof(w->max));
	fmt_ratio(t->chain.n ? device_bytes_per_byte(r, 0) : NAN, w->bpb,
		  sizeof(w->bpb));
}

static void target_title(const struct device_target *t, char *out, size_t len)
{
	char chain[256];

	diskstats_chain_desc(&t->chain, chain, sizeof(chain));
	snprintf(out, len, "%s (%s%s%s)", t->dir ? t->dir : "?",
		 t->fs_type ? t->fs_type : "unknown",
		 t->chain.n ? " on " : ", no block device",
		 t->chain.n ? chain : "");
}

/* The rows of the side-by-side table: each job's median on every
 * target, then each target's over the first's; Markdown or terminal. */
static void side_rows(FILE *f, const struct device_run *run, bool md)
{
	const char *sep = md ? " | " : " ";

	for (size_t k = 0; k < run->targets[0].n_results; k++) {
		const struct device_result *a = &run->targets[0].results[k];
		char bs[24], v[32], qd[16] = "-";

		if (DEVICE_KIND_BIT(a->job.kind) & DEVICE_DIRECT_KINDS)
			snprintf(qd, sizeof(qd), "%u", a->job.qd);
		fprintf(f, md ? "| %s | %s | %s" : "%-13s %5s %3s",
			device_kind_name(a->job.kind),
			fmt_bs(a->job.bs, bs, sizeof(bs)), qd);
		for (size_t i = 0; i < run->n_targets; i++) {
			const struct device_result *b =
				&run->targets[i].results[k];

			fprintf(f, md ? "%s%s" : "%s%16s", sep,
				b->status == DEVICE_OK
					? fmt_job_rate(b, b->median, v,
						       sizeof(v))
					: status_name(b->status));
		}
		for (size_t i = 1; i < run->n_targets; i++) {
			const struct device_result *b =
				&run->targets[i].results[k];
			bool ok = a->status == DEVICE_OK &&
				  b->status == DEVICE_OK && a->median > 0;

			fprintf(f, md ? "%s%s" : "%s%6s", sep,
				fmt_ratio(ok ? b->median / a->median : NAN, v,
					  sizeof(v)));
		}
		fputs(md ? " |\n" : "\n", f);
	}
}

void device_print_table(const struct device_run *run, FILE *f)
{
	for (size_t i = 0; i < run->n_targets; i++) {
		const struct device_target *t = &run->targets[i];
		char title[PATH_MAX + 300];

		target_title(t, title, sizeof(title));
		fprintf(f, "%s%s\n", i ? "\n" : "", title);
		fprintf(f, "%-13s %5s %3s %16s %8s %9s %9s %9s %9s %9s %7s\n",
			"job", "bs", "qd", "median", "spread", "p50", "p90",
			"p99", "p99.9", "max", "dev B/B");
		for (size_t k = 0; k < t->n_results; k++) {
			struct row w;

			if (covered_by_direct_why(t, &t->results[k]))
				continue;
			make_row(t, &t->results[k], &w);
			fprintf(f, "%-13s %5s %3s", w.job, w.bs, w.qd);
			column(f, w.median, 16);
			column(f, w.spread, 8);
			column(f, w.p50, 9);
			column(f, w.p90, 9);
			column(f, w.p99, 9);
			column(f, w.p999, 9);
			column(f, w.max, 9);
			column(f, w.bpb, 7);
			fputc('\n', f);
		}
		if (t->direct_why)
			fprintf(f, "O_DIRECT jobs skipped: %s\n",
				t->direct_why);
		for (size_t k = 0; k < t->n_results; k++)
			if (t->results[k].status == DEVICE_FAILED)
				fprintf(f, "%s failed: %s\n",
					device_kind_name(
						t->results[k].job.kind),
					t->results[k].reason);
	}
	if (run->n_targets < 2)
		return;
	fputs("\nside by side (medians; n/1: target n over target 1)\n", f);
	for (size_t i = 0; i < run->n_targets; i++)
		fprintf(f, "  [%zu] %s\n", i + 1, run->targets[i].dir);
	fprintf(f, "%-13s %5s %3s", "job", "bs", "qd");
	for (size_t i = 0; i < run->n_targets; i++) {
		char head[24];

		snprintf(head, sizeof(head), "[%zu]", i + 1);
		fprintf(f, " %16s", head);
	}
	for (size_t i = 1; i < run->n_targets; i++) {
		char head[24];

		snprintf(head, sizeof(head), "%zu/1", i + 1);
		fprintf(f, " %6s", head);
	}
	fputc('\n', f);
	side_rows(f, run, false);
}

/* ---- Markdown ---- */

static void md_counters(FILE *f, const struct device_target *t)
{
	if (!t->chain.n) {
		fprintf(f, "No device counters: %s.\n\n",
			t->chain_why ? t->chain_why : "no block device");
		return;
	}
	fputs("Device counters (/proc/diskstats deltas over each job's "
	      "repeats, ramp and drain included; every process's I/O on "
	      "the device counts):\n\n| job | bs | qd | device | read MiB | "
	      "reads | read merges | written MiB | writes | write merges | "
	      "busy ms | device B per issued B |\n|---|---|---|---|---:|---:|"
	      "---:|---:|---:|---:|---:|---:|\n",
	      f);
	for (size_t k = 0; k < t->n_results; k++) {
		const struct device_result *r = &t->results[k];
		char bs[24], ratio[16];

		if (r->status != DEVICE_OK)
			continue;
		for (size_t i = 0; i < t->chain.n && i < r->disk.n; i++) {
			const struct diskstats_counters *c = &r->disk.dev[i];

			if (!c->present)
				continue;
			fprintf(f,
				"| %s | %s | %u | %s | %.1f | %" PRIu64
				" | %" PRIu64 " | %.1f | %" PRIu64 " | %" PRIu64
				" | %" PRIu64 " | %s |\n",
				device_kind_name(r->job.kind),
				fmt_bs(r->job.bs, bs, sizeof(bs)), r->job.qd,
				t->chain.dev[i].name,
				diskstats_read_bytes(c) / MIB, c->reads,
				c->read_merges, diskstats_write_bytes(c) / MIB,
				c->writes, c->write_merges, c->busy_ms,
				fmt_ratio(device_bytes_per_byte(r, i), ratio,
					  sizeof(ratio)));
		}
	}
	fputc('\n', f);
}

static void md_target(FILE *f, const struct device_target *t)
{
	char title[PATH_MAX + 300];

	target_title(t, title, sizeof(title));
	fprintf(f, "## %s\n\n", title);
	if (t->file_size)
		fprintf(f, "O_DIRECT file: %.0f MiB. ", t->file_size / MIB);
	fprintf(f,
		"Page-cache working set: %.0f MiB (last-level cache: "
		"%.1f MiB).\n\n",
		t->cache_set / MIB, t->llc / MIB);
	fputs("| job | bs | qd | median | spread | p50 | p90 | p99 | p99.9 | "
	      "max | dev B/B |\n|---|---|---|---:|---:|---:|---:|---:|---:|"
	      "---:|---:|\n",
	      f);
	for (size_t k = 0; k < t->n_results; k++) {
		struct row w;

		if (covered_by_direct_why(t, &t->results[k]))
			continue;
		make_row(t, &t->results[k], &w);
		fprintf(f,
			"| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s "
			"| %s |\n",
			w.job, w.bs, w.qd, w.median, w.spread, w.p50, w.p90,
			w.p99, w.p999, w.max, w.bpb);
	}
	fputc('\n', f);
	if (t->direct_why)
		fprintf(f, "- O_DIRECT jobs skipped: %s\n", t->direct_why);
	for (size_t k = 0; k < t->n_results; k++) {
		const struct device_result *r = &t->results[k];
		char bs[24];

		if (covered_by_direct_why(t, r))
			continue;
		if (r->status == DEVICE_SKIPPED || r->status == DEVICE_FAILED)
			fprintf(f, "- %s %s qd %u: %s: %s\n",
				device_kind_name(r->job.kind),
				fmt_bs(r->job.bs, bs, sizeof(bs)), r->job.qd,
				status_name(r->status), r->reason);
	}
	for (size_t i = 0; i < t->n_notes; i++)
		fprintf(f, "- note: %s\n", t->notes[i]);
	fputc('\n', f);
	md_counters(f, t);
	if (t->storage.probed) {
		fputs("| environment | |\n|---|---|\n", f);
		env_storage_markdown_rows(f, &t->storage);
		fputc('\n', f);
	}
}

static void md_side_by_side(FILE *f, const struct device_run *run)
{
	fputs("## Devices side by side\n\nMedians; the ratio columns divide "
	      "each target's by the first's.\n\n| job | bs | qd |",
	      f);
	for (size_t i = 0; i < run->n_targets; i++)
		fprintf(f, " %s |", run->targets[i].dir);
	for (size_t i = 1; i < run->n_targets; i++)
		fprintf(f, " %zu / 1 |", i + 1);
	fputs("\n|---|---|---|", f);
	for (size_t i = 1; i < 2 * run->n_targets; i++)
		fputs("---:|", f);
	fputc('\n', f);
	side_rows(f, run, true);
	fputc('\n', f);
}

char *device_markdown(const struct device_run *run)
{
	const struct device_options *o = &run->opts;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "# iobench device %s\n\n", run->id ? run->id : "");
	if (run->incomplete)
		fputs("**Incomplete: interrupted; jobs not run are "
		      "\"pending\".**\n\n",
		      f);
	fprintf(f, "`%s` · iobench %s (%s) · started %s · %.0f s\n\n",
		run->command_line ? run->command_line : "iobench device",
		run->version ? run->version : "?",
		run->commit ? run->commit : "?",
		run->started ? run->started : "?", run->duration);
	fprintf(f,
		"Each figure is the median of %u repeats of %.2f s (or "
		"longer, until two queue-fulls of I/Os completed), each "
		"after a %.2f s ramp; the repeats of all jobs and targets run "
		"in rounds. Spread: half the range of the repeats over the "
		"median. O_DIRECT jobs go through io_uring (registered buffers "
		"and file) on a file laid out with real data, like fio's; "
		"random jobs pick uniform 4 KiB blocks. cached-read reads a "
		"resident file with pread; cached-write writes new files with "
		"pwrite, each timed from create to close and unlinked "
		"afterwards (its dirty pages are dropped, never written "
		"back); metadata creates, closes and unlinks empty files. "
		"Latency: submit to completion per I/O (O_DIRECT), per call "
		"(page cache), per create+close+unlink (metadata); "
		"percentiles by nearest rank from a log-linear histogram "
		"(within %.2f%%). dev B/B: bytes the filesystem's device "
		"moved per byte the job issued.\n\n",
		o->repeats, o->runtime, o->ramp,
		histogram_error_bound(HISTOGRAM_DEFAULT_BITS) * 100);
	if (run->n_targets > 1)
		md_side_by_side(f, run);
	for (size_t i = 0; i < run->n_targets; i++)
		md_target(f, &run->targets[i]);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int device_write_outputs(const struct device_run *run, const char *dir)
{
	char path[PATH_MAX + 32], *text;
	json_t *doc;
	int fd, ret;

	/* the run directory itself must not be a link planted there */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	doc = device_to_json(run);
	text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(10))
		   : NULL;
	json_decref(doc);
	if (!text)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/device.json", dir);
	ret = results_write_file_atomic(path, text, strlen(text));
	free(text);
	if (ret)
		return ret;
	text = device_markdown(run);
	if (!text)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/device.md", dir);
	ret = results_write_file_atomic(path, text, strlen(text));
	free(text);
	return ret;
}
