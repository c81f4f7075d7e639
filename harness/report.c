// SPDX-License-Identifier: MIT
/*
 * report.md: the Markdown report of a run, one function per section, every
 * figure derived from the results model (GitHub-flavoured tables).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "parse.h"
#include "profile.h"
#include "reference.h"
#include "report.h"
#include "report_memory.h"
#include "report_extra.h"
#include "report_clients.h"
#include "report_scaling.h"
#include "shell.h"
#include "strategies.h"
#include "workload.h"

#define BOOTSTRAP_RESAMPLES 2000
#define CI_LEVEL 0.95
#define CV_WARN 0.10		/* CV at or above this is noisy */
#define SLOW_FIRST 2.0		/* warm-up this many times the median */
#define TINY_SAMPLE 1e-3	/* seconds: timer noise dominates below */
#define MIN_SAMPLES 6
#define HIGH_SPEEDUP 1.5
#define COLD_GAP 0.67		/* cold below this share of warm speed */
#define SMALL_GAIN 0.02		/* buffer gains below this are noise */

/* What the executive summary found for one file size. */
struct size_summary {
	uint64_t size;
	const struct cell *best;	/* fastest ok cell, preferred modes */
	const struct cell *rw;		/* rw (default buffer), same modes */
	bool have_ratio;		/* ratio: median(rw) / median(best) */
	double ratio, lo, hi;
};

struct report {
	const struct run *run;
	FILE *f;
	struct size_summary *sizes;
	size_t n_sizes;
	const char *path;	/* report.md: plots are drawn beside it */
};

/* One recommendation, ranked. */
enum impact { IMPACT_HIGH, IMPACT_MEDIUM, IMPACT_LOW };

struct recommendation {
	enum impact impact;
	size_t seq;		/* keeps rule order within a rank */
	char text[512];
};

struct recommendations {
	struct recommendation *v;
	size_t n;
};

/* ---- formatting ---- */

/* A size as the report names it: a --dataset tree by its name, files and
 * bytes ("source-tree 4K-64K (4912 files, 79.3 MiB)"), else "4K". */
static const char *size_name(const struct run *run, uint64_t size, char *out,
			     size_t len)
{
	if (run->workload)
		return workload_label(run->workload, size, out, len);
	return fmt_size(size, out, len);
}

/* Files one copy of this size moves: a tree's file count, else 1. */
static uint64_t files_per_copy(const struct run *run, uint64_t size)
{
	const struct workload_tree *t = workload_tree_of(run->workload, size);

	if (t)
		return t->files;
	return run->request.source ? run->request.source_files : 1;
}

/* Writes s as a table cell: '|' would end the cell, a newline the row. */
static void md_cell(FILE *f, const char *s)
{
	fputs(" ", f);
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputs(" |", f);
}

/* ---- figures of a cell ---- */

static bool cell_measured(const struct cell *c)
{
	return c->status == CELL_OK && c->est.n > 0 && c->est.median > 0;
}

static double cell_mib_s(const struct cell *c)
{
	return results_mib_s(c->size, c->est.median);
}

/* "1230 [1200, 1250]": the median's CI mapped to throughput. */
static const char *fmt_mib_ci(const struct cell *c, char *out, size_t len)
{
	char m[16], lo[16], hi[16];

	if (!c->size && c->est.median > 0) {
		/* 0-byte files move no MiB: their rate is files per second */
		snprintf(out, len, "%s files/s [%s, %s]",
			 fmt_sig(1 / c->est.median, m, sizeof(m)),
			 fmt_sig(1 / c->est.median_hi, lo, sizeof(lo)),
			 fmt_sig(1 / c->est.median_lo, hi, sizeof(hi)));
		return out;
	}
	snprintf(out, len, "%s [%s, %s]", fmt_sig(cell_mib_s(c), m, sizeof(m)),
		 fmt_sig(results_mib_s(c->size, c->est.median_hi), lo,
		      sizeof(lo)),
		 fmt_sig(results_mib_s(c->size, c->est.median_lo), hi,
		      sizeof(hi)));
	return out;
}

/* files_per_copy: 1, or a --source tree's file count (one copy = the
 * whole tree) */
static const char *fmt_files_s(const struct cell *c, uint64_t files_per_copy,
			       char *out, size_t len)
{
	return fmt_sig(files_per_copy / c->est.median, out, len);
}

/* Same variant; the cache and sync modes may differ, and so may the
 * batch (the runner sizes it per cell; times are per copy). */
static bool same_variant(const struct cell *a, const struct cell *b)
{
	return cell_same_variant(a, b, 0) && a->threads == b->threads &&
	       a->parallel == b->parallel;
}

/* The measured cell that differs from c only in cache / sync mode. */
static const struct cell *find_sibling(const struct run *run,
				       const struct cell *c,
				       enum cache_mode cache,
				       enum sync_mode sync)
{
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *o = &run->cells[i];

		if (cell_measured(o) && same_variant(o, c) &&
		    o->cache == cache && o->sync == sync)
			return o;
	}
	return NULL;
}

/* ---- the executive summary's analysis ---- */

static int cmp_size(const void *a, const void *b)
{
	const struct size_summary *x = a, *y = b;

	return x->size < y->size ? -1 : x->size > y->size;
}

/* The distinct file sizes of the run's cells, ascending. */
static int collect_sizes(struct report *rp)
{
	const struct run *run = rp->run;
	size_t n = 0;

	rp->sizes = calloc(run->n_cells ? run->n_cells : 1,
			   sizeof(*rp->sizes));
	if (!rp->sizes)
		return -ENOMEM;
	for (size_t i = 0; i < run->n_cells; i++) {
		size_t k;

		for (k = 0; k < n && rp->sizes[k].size != run->cells[i].size;
		     k++)
			;
		if (k == n)
			rp->sizes[n++].size = run->cells[i].size;
	}
	qsort(rp->sizes, n, sizeof(*rp->sizes), cmp_size);
	rp->n_sizes = n;
	return 0;
}

/* Fastest measured cell of `size`, preferring warm cache and no sync
 * (the steady state most products copy in), else any measured cell. */
static const struct cell *best_cell(const struct run *run, uint64_t size)
{
	const struct cell *best = NULL;
	int best_rank = 4;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		int rank = (c->cache != CACHE_WARM) * 2 +
			   (c->sync != SYNC_NONE);

		/* a reference tool is a yardstick, not a candidate */
		if (!cell_measured(c) || c->size != size || reference_cell(c))
			continue;
		if (rank < best_rank ||
		    (rank == best_rank && c->est.median < best->est.median)) {
			best = c;
			best_rank = rank;
		}
	}
	return best;
}

/* rw with its default buffer in the same modes as ref: the baseline every
 * speed-up is quoted against. */
static const struct cell *rw_baseline(const struct run *run,
				      const struct cell *ref)
{
	const struct copy_strategy *rw = strategy_find("rw");
	const struct copy_option *o = rw ? strategy_option(rw, "buffer") : NULL;
	uint64_t def = o ? o->def : STRATEGY_DEFAULT_BUFFER;
	const struct cell *any = NULL;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (!cell_measured(c) || strcmp(c->strategy, "rw") ||
		    c->size != ref->size || c->cache != ref->cache ||
		    c->sync != ref->sync)
			continue;
		if (cell_tunable(c, "buffer", 0) == def)
			return c;
		if (!any)
			any = c;
	}
	return any;
}

/* median(a) / median(b) per copy with a seeded bootstrap CI. */
static int speedup(const struct run *run, const struct cell *a,
		   const struct cell *b, double *ratio, double *lo,
		   double *hi)
{
	double *x = results_per_copy(a), *y = results_per_copy(b);
	int ret = -ENOMEM;

	if (x && y)
		ret = stats_bootstrap_ratio(x, a->n_samples, y, b->n_samples,
					    CI_LEVEL, BOOTSTRAP_RESAMPLES,
					    run->request.seed, ratio, lo, hi);
	free(x);
	free(y);
	return ret;
}

static int analyse_sizes(struct report *rp)
{
	int ret = collect_sizes(rp);

	for (size_t k = 0; !ret && k < rp->n_sizes; k++) {
		struct size_summary *s = &rp->sizes[k];

		s->best = best_cell(rp->run, s->size);
		s->rw = s->best ? rw_baseline(rp->run, s->best) : NULL;
		if (!s->rw || !s->best->n_samples || !s->rw->n_samples)
			continue;
		ret = speedup(rp->run, s->rw, s->best, &s->ratio, &s->lo,
			      &s->hi);
		/* too few samples for a CI: the table shows "-" */
		if (ret == -EINVAL)
			ret = 0;
		else if (!ret)
			s->have_ratio = true;
	}
	return ret;
}

/* ---- sections ---- */

static void count_status(const struct run *run, size_t count[4])
{
	memset(count, 0, 4 * sizeof(*count));
	for (size_t i = 0; i < run->n_cells; i++)
		if (run->cells[i].status <= CELL_SKIPPED)
			count[run->cells[i].status]++;
}

static void section_title(struct report *rp)
{
	const struct run *run = rp->run;
	size_t count[4];
	char sz[160];

	count_status(run, count);
	fprintf(rp->f, "# iobench report: run %s\n\n",
		run->id ? run->id : "unknown");
	if (run->incomplete)
		fputs("> **Incomplete run**: the sweep was interrupted; "
		      "pending cells were not measured.\n\n", rp->f);
	fprintf(rp->f, "%zu cells (%zu ok, %zu failed, %zu skipped",
		run->n_cells, count[CELL_OK], count[CELL_FAILED],
		count[CELL_SKIPPED]);
	if (count[CELL_PENDING])
		fprintf(rp->f, ", %zu not run", count[CELL_PENDING]);
	if (run->workload) {
		fprintf(rp->f, ") copying the dataset %s",
			size_name(run, run->workload->sum.bytes, sz,
				  sizeof(sz)));
	} else if (run->request.source) {
		fprintf(rp->f, ") copying the tree %s (%" PRIu64 " files, %"
			PRIu64 " bytes)", run->request.source,
			run->request.source_files,
			rp->n_sizes ? rp->sizes[0].size : 0);
	} else {
		fputs(") over file sizes ", rp->f);
		for (size_t k = 0; k < rp->n_sizes; k++)
			fprintf(rp->f, "%s%s", k ? ", " : "",
				fmt_size(rp->sizes[k].size, sz, sizeof(sz)));
	}
	fprintf(rp->f, " on %s (%s), started %s, took %.0f s; "
		"iobench %s (%s).\n\n",
		run->env.fs_type ? run->env.fs_type : "unknown",
		run->env.device ? run->env.device : "unknown",
		run->started ? run->started : "unknown", run->duration,
		run->version ? run->version : "unknown",
		run->commit ? run->commit : "unknown");
}

static const char *mode_label(const struct cell *c, char *out, size_t len)
{
	snprintf(out, len, "%s cache, %s", cache_mode_name(c->cache),
		 c->sync == SYNC_END ? "fdatasync at end" : "no sync");
	return out;
}

/* The "what to pick and why" sentence for one size. */
static void pick_sentence(FILE *f, const struct run *run,
			  const struct size_summary *s)
{
	char label[160], sz[160], a[16], b[16];
	const char *size = size_name(run, s->size, sz, sizeof(sz));

	cell_label(s->best, label, sizeof(label));
	if (!s->rw) {
		fprintf(f, "- **%s**: pick %s; `rw` was not measured in the "
			"same modes, so there is no baseline to compare.\n",
			size, label);
	} else if (s->best == s->rw || !s->have_ratio) {
		fprintf(f, "- **%s**: `rw` is as fast as anything measured: "
			"keep plain read/write, the most portable choice.\n",
			size);
	} else if (s->lo > 1.0) {
		fprintf(f, "- **%s**: pick %s: %.2fx `rw` (%s vs %s MiB/s), "
			"with a 95%% CI of [%.2fx, %.2fx], clear of 1.\n",
			size, label, s->ratio,
			fmt_sig(cell_mib_s(s->best), a, sizeof(a)),
			fmt_sig(cell_mib_s(s->rw), b, sizeof(b)), s->lo, s->hi);
	} else {
		fprintf(f, "- **%s**: %s measured fastest, but its speed-up "
			"over `rw` (%.2fx, 95%% CI [%.2fx, %.2fx]) is not "
			"distinguishable from none: keep `rw` unless other "
			"figures (CPU, page cache) favour %s.\n",
			size, label, s->ratio, s->lo, s->hi, label);
	}
}

static void section_summary(struct report *rp)
{
	char sz[160], label[160], ci[64], modes[64];

	fputs("## Executive summary\n\n", rp->f);
	fputs("| size | best strategy | measured in | median MiB/s [95% CI] "
	      "| speed-up over `rw` [95% CI] |\n"
	      "|---|---|---|---:|---:|\n", rp->f);
	for (size_t k = 0; k < rp->n_sizes; k++) {
		const struct size_summary *s = &rp->sizes[k];

		size_name(rp->run, s->size, sz, sizeof(sz));
		if (!s->best) {
			fprintf(rp->f,
				"| %s | no measured cell | - | - | - |\n", sz);
			continue;
		}
		fprintf(rp->f, "| %s | %s | %s | %s | ", sz,
			cell_label(s->best, label, sizeof(label)),
			mode_label(s->best, modes, sizeof(modes)),
			fmt_mib_ci(s->best, ci, sizeof(ci)));
		if (s->have_ratio)
			fprintf(rp->f, "%.2fx [%.2fx, %.2fx] |\n", s->ratio,
				s->lo, s->hi);
		else
			fputs("- |\n", rp->f);
	}
	fputs("\nBest = lowest median time per copy; warm cache and no "
	      "sync are preferred when measured.\n\n", rp->f);
	for (size_t k = 0; k < rp->n_sizes; k++)
		if (rp->sizes[k].best)
			pick_sentence(rp->f, rp->run, &rp->sizes[k]);
	fputs("\n", rp->f);
}

static void env_row(FILE *f, const char *key, const char *value)
{
	fprintf(f, "| %s |", key);
	md_cell(f, value && *value ? value : "unknown");
	fputs("\n", f);
}

/* What --sparse did to the copies, in words. */
static const char *sparse_policy(enum strategy_sparse m)
{
	switch (m) {
	case STRATEGY_SPARSE_AUTO:
		return "auto: a source that looks sparse keeps its holes "
		       "(SEEK_DATA/SEEK_HOLE, data extents copied by the "
		       "strategy)";
	case STRATEGY_SPARSE_ALWAYS:
		return "always: holes kept and 4 KiB blocks of zeros made "
		       "holes";
	case STRATEGY_SPARSE_NEVER:
		break;
	}
	return "never: every byte written";
}

static void section_environment(struct report *rp)
{
	const struct environment *e = &rp->run->env;
	char buf[256];
	FILE *f = rp->f;

	fputs("## Environment\n\n| | |\n|---|---|\n", f);
	env_row(f, "host", e->hostname);
	env_row(f, "kernel", e->kernel);
	env_row(f, "CPU", e->cpu_model);
	snprintf(buf, sizeof(buf), "%u package(s), %u NUMA node(s), "
		 "%u core(s), %u PU(s)", e->packages, e->numa_nodes,
		 e->cores, e->pus);
	if (e->l3_per_package) {
		size_t used = strlen(buf);

		snprintf(buf + used, sizeof(buf) - used, ", L3 %.3g MiB per "
			 "package", e->l3_per_package / (1024.0 * 1024));
	}
	env_row(f, "topology", buf);
	snprintf(buf, sizeof(buf), "%.1f GiB",
		 (double)e->mem_total / (1024.0 * 1024 * 1024));
	env_row(f, "memory", buf);
	env_row(f, "filesystem", e->fs_type);
	env_row(f, "mount options", e->mount_options);
	snprintf(buf, sizeof(buf), "%s (%s, %s, scheduler %s)",
		 e->device ? e->device : "unknown",
		 e->device_model ? e->device_model : "unknown",
		 e->rotational < 0 ? "rotational unknown" :
		 e->rotational ? "rotational" : "non-rotational",
		 e->scheduler ? e->scheduler : "unknown");
	env_row(f, "device", buf);
	snprintf(buf, sizeof(buf), "logical block %u B; O_DIRECT memory %u B, "
		 "offset %u B", e->logical_block_size, e->dio_mem_align,
		 e->dio_offset_align);
	env_row(f, "alignment", buf);
	env_row(f, "CPU governor", e->governor);
	env_row(f, "page-cache probe", e->cache_probe);
	env_storage_markdown_rows(f, &e->storage);
	env_row(f, "sparse sources (--sparse)",
		sparse_policy(rp->run->request.sparse));
	fputs("\n", f);
}

static int cmp_cell_speed(const void *a, const void *b)
{
	const struct cell *x = *(const struct cell *const *)a;
	const struct cell *y = *(const struct cell *const *)b;

	return x->est.median < y->est.median ? -1 :
	       x->est.median > y->est.median;
}

static void size_row(FILE *f, const struct cell *c, uint64_t files_per_copy)
{
	char t[96], ci[64], fs[16], cpu[16], a[16], b[16], d[16];

	fprintf(f, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | "
		"%.1f MiB | %zu | %.1f%% | %s |\n", c->strategy,
		cell_tunables_desc(c, t, sizeof(t)), cache_mode_name(c->cache),
		sync_mode_name(c->sync), fmt_mib_ci(c, ci, sizeof(ci)),
		fmt_files_s(c, files_per_copy, fs, sizeof(fs)),
		fmt_sig(results_cpu_s_per_gib(c), cpu, sizeof(cpu)),
		fmt_pct(results_sample_pct(c, RESULTS_SRC_RESIDENT_AFTER), a,
			sizeof(a)),
		fmt_pct(results_sample_pct(c, RESULTS_DST_CACHED), b,
			sizeof(b)),
		fmt_pct(results_sample_pct(c, RESULTS_DST_DIRTY), d,
			sizeof(d)),
		c->usage.maxrss_kb / 1024.0, c->est.n, c->est.cv * 100,
		c->verified ? "yes" : "**no**");
}

/* The measured cells of one size, fastest first; caller frees. */
static const struct cell **cells_of_size(const struct run *run,
					 uint64_t size, size_t *n)
{
	const struct cell **v = calloc(run->n_cells ? run->n_cells : 1,
				       sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < run->n_cells; i++)
		if (cell_measured(&run->cells[i]) &&
		    run->cells[i].size == size)
			v[(*n)++] = &run->cells[i];
	qsort(v, *n, sizeof(*v), cmp_cell_speed);
	return v;
}

static int section_size(struct report *rp, uint64_t size)
{
	const struct run_request *q = &rp->run->request;
	const struct cell **v;
	char sz[160];
	size_t n;

	v = cells_of_size(rp->run, size, &n);
	if (!v)
		return -ENOMEM;
	if (rp->run->workload)
		fprintf(rp->f, "## Dataset %s\n\n",
			size_name(rp->run, size, sz, sizeof(sz)));
	else if (q->source)
		/* the tree is the one "size": a copy is all of its files */
		fprintf(rp->f, "## Source tree %s (%" PRIu64 " files, %" PRIu64
			" bytes)\n\n", q->source, q->source_files, size);
	else
		fprintf(rp->f, "## Size %s\n\n",
			fmt_size(size, sz, sizeof(sz)));
	if (!n) {
		fputs("No cell of this size was measured (see skipped and "
		      "failed cells).\n\n", rp->f);
		free(v);
		return 0;
	}
	fputs("| strategy | tunables | cache | sync | median MiB/s [95% CI] "
	      "| files/s | CPU s/GiB | src cached after | dst cached after "
	      "| dirty after | peak RSS | n | CV | verified |\n"
	      "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:"
	      "|---|\n", rp->f);
	for (size_t i = 0; i < n; i++)
		size_row(rp->f, v[i], files_per_copy(rp->run, size));
	fputs("\n", rp->f);
	report_extra_size(rp->f, rp->run, size);
	free(v);
	return 0;
}

/* Cold vs warm of each variant measured both ways (sync none first). */
static size_t cold_warm_table(struct report *rp)
{
	const struct run *run = rp->run;
	char label[160], sz[32], w[16], c[16], fp[16], d[16];
	size_t rows = 0;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *warm = &run->cells[i], *cold;

		if (!cell_measured(warm) || warm->cache != CACHE_WARM)
			continue;
		cold = find_sibling(run, warm, CACHE_COLD, warm->sync);
		if (!cold)
			continue;
		if (!rows++)
			fputs("| size | strategy | sync | warm MiB/s "
			      "| cold MiB/s | cold / warm "
			      "| dst cached after (warm) "
			      "| dirty after (warm) |\n"
			      "|---|---|---|---:|---:|---:|---:|---:|\n",
			      rp->f);
		fprintf(rp->f, "| %s | %s | %s | %s | %s | %.2f | %s | %s |\n",
			fmt_size(warm->size, sz, sizeof(sz)),
			cell_label(warm, label, sizeof(label)),
			sync_mode_name(warm->sync),
			fmt_sig(cell_mib_s(warm), w, sizeof(w)),
			fmt_sig(cell_mib_s(cold), c, sizeof(c)),
			cold->est.median > 0 ?
			warm->est.median / cold->est.median : NAN,
			fmt_pct(results_sample_pct(warm, RESULTS_DST_CACHED),
				fp, sizeof(fp)),
			fmt_pct(results_sample_pct(warm, RESULTS_DST_DIRTY), d,
				sizeof(d)));
	}
	return rows;
}

/* Time to durability: --sync end vs none of the same variant. */
static size_t durability_table(struct report *rp)
{
	const struct run *run = rp->run;
	char label[160], sz[32], a[16], b[16];
	size_t rows = 0;

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *none = &run->cells[i], *end;

		if (!cell_measured(none) || none->sync != SYNC_NONE)
			continue;
		end = find_sibling(run, none, none->cache, SYNC_END);
		if (!end)
			continue;
		if (!rows++)
			fputs("| size | strategy | cache | no sync MiB/s "
			      "| fdatasync MiB/s | durability cost "
			      "(time end / none) |\n"
			      "|---|---|---|---:|---:|---:|\n", rp->f);
		fprintf(rp->f, "| %s | %s | %s | %s | %s | %.2fx |\n",
			fmt_size(none->size, sz, sizeof(sz)),
			cell_label(none, label, sizeof(label)),
			cache_mode_name(none->cache),
			fmt_sig(cell_mib_s(none), a, sizeof(a)),
			fmt_sig(cell_mib_s(end), b, sizeof(b)),
			end->est.median / none->est.median);
	}
	return rows;
}

static void section_page_cache(struct report *rp)
{
	fputs("## Page-cache effects\n\n### Cold vs warm, and the cache "
	      "footprint\n\n", rp->f);
	/* what "cold" meant in this run: it is guest-cold either way */
	fprintf(rp->f, "Cold here: %s. Cold is guest-cold: a host cache "
		"under a virtual disk may still hold the data.\n\n",
		rp->run->request.cold_metadata ?
		"**metadata-cold**: every cache dropped, dentries and inodes "
		"included (`--cold metadata`, drop_caches 3), before each "
		"cold sample" : rp->run->request.drop_caches ?
		"every page cache dropped (drop_caches 1) before each cold "
		"sample; dentries and inodes stay cached" :
		"the sources' pages evicted before each cold sample; "
		"dentries and inodes stay cached");
	if (!cold_warm_table(rp))
		fputs("No variant was measured both warm and cold.\n", rp->f);
	fputs("\nCache footprint = destination pages still in the page "
	      "cache right after the copy, as a share of the file; dirty "
	      "pages are not yet on the device.\n\n### Durability cost\n\n",
	      rp->f);
	if (!durability_table(rp))
		fputs("No variant was measured both with and without "
		      "`--sync end`.\n", rp->f);
	fputs("\n", rp->f);
}

/* ---- recommendations ---- */

static void add_rec(struct recommendations *r, enum impact impact,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add_rec(struct recommendations *r, enum impact impact,
		    const char *fmt, ...)
{
	struct recommendation *grown;
	va_list ap;

	grown = realloc(r->v, (r->n + 1) * sizeof(*r->v));
	if (!grown)
		return;	/* a lost line beats a lost report */
	r->v = grown;
	grown[r->n].impact = impact;
	grown[r->n].seq = r->n;
	va_start(ap, fmt);
	vsnprintf(grown[r->n].text, sizeof(grown[r->n].text), fmt, ap);
	va_end(ap);
	r->n++;
}

/* High: a strategy clearly beats rw (>= 1.5x, CI above 1). */
static void rule_speedup(struct report *rp, struct recommendations *r)
{
	char label[160], sz[32], a[16], b[16], m[64];

	for (size_t k = 0; k < rp->n_sizes; k++) {
		const struct size_summary *s = &rp->sizes[k];

		if (!s->have_ratio || s->best == s->rw || s->lo <= 1.0)
			continue;
		add_rec(r, s->ratio >= HIGH_SPEEDUP ? IMPACT_HIGH :
			IMPACT_MEDIUM,
			"Use %s for %s files: %.2fx `rw` (%s vs %s MiB/s, %s; "
			"95%% CI [%.2fx, %.2fx]).",
			cell_label(s->best, label, sizeof(label)),
			fmt_size(s->size, sz, sizeof(sz)), s->ratio,
			fmt_sig(cell_mib_s(s->best), a, sizeof(a)),
			fmt_sig(cell_mib_s(s->rw), b, sizeof(b)),
			mode_label(s->best, m, sizeof(m)), s->lo, s->hi);
	}
}

/* Medium: cold copies are much slower than warm ones at some size. */
static void rule_cold_gap(struct report *rp, struct recommendations *r)
{
	char label[160], sz[32], a[16], b[16];

	for (size_t k = 0; k < rp->n_sizes; k++) {
		const struct cell *warm = rp->sizes[k].best, *cold;
		double share;

		if (!warm || warm->cache != CACHE_WARM)
			continue;
		cold = find_sibling(rp->run, warm, CACHE_COLD, warm->sync);
		if (!cold)
			continue;
		share = warm->est.median / cold->est.median;
		if (share >= COLD_GAP)
			continue;
		add_rec(r, IMPACT_MEDIUM,
			"Cold reads dominate at %s: %s runs at %.0f%% of its "
			"warm speed when the source is not cached (%s vs %s "
			"MiB/s); expect the cold figure for data not read "
			"recently.",
			fmt_size(warm->size, sz, sizeof(sz)),
			cell_label(warm, label, sizeof(label)), share * 100,
			fmt_sig(cell_mib_s(cold), a, sizeof(a)),
			fmt_sig(cell_mib_s(warm), b, sizeof(b)));
	}
}

/* The default-buffer (128K) cell of c's strategy in c's modes. */
static const struct cell *default_buffer_cell(const struct run *run,
					      const struct cell *c)
{
	int buffer = tunable_index("buffer");

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *o = &run->cells[i];

		if (cell_measured(o) && cell_same_key(o, c, 1u << buffer) &&
		    cell_tunable(o, "buffer", 0) == STRATEGY_DEFAULT_BUFFER)
			return o;
	}
	return NULL;
}

/* Low: buffers above 128K barely help (when several were swept). */
static void rule_buffers(struct report *rp, struct recommendations *r)
{
	const struct run *run = rp->run;
	char sz[32], a[16], b[16], bs[16];

	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i], *base;
		double gain;

		if (!cell_measured(c) || reference_cell(c) ||
		    cell_tunable(c, "buffer", 0) <= STRATEGY_DEFAULT_BUFFER)
			continue;
		base = default_buffer_cell(run, c);
		if (!base)
			continue;
		gain = base->est.median / c->est.median - 1;
		add_rec(r, gain < SMALL_GAIN ? IMPACT_LOW : IMPACT_MEDIUM,
			"%s buffers of %s instead of 128K %s `%s` at %s %s by "
			"%.1f%% (%s vs %s MiB/s).",
			gain < SMALL_GAIN ? "Keep 128K:" : "Consider larger",
			fmt_size(cell_tunable(c, "buffer", 0), bs, sizeof(bs)),
			gain < SMALL_GAIN ? "change" : "speed up",
			c->strategy, fmt_size(c->size, sz, sizeof(sz)),
			cache_mode_name(c->cache), gain * 100,
			fmt_sig(cell_mib_s(c), a, sizeof(a)),
			fmt_sig(cell_mib_s(base), b, sizeof(b)));
	}
}

/* Medium: one strategy keeps the destination out of the page cache
 * (O_DIRECT) while others fill it: kinder to a busy machine's cache. */
static void rule_footprint(struct report *rp, struct recommendations *r)
{
	char label[160], sz[32], a[16], b[16], m[16];

	for (size_t k = 0; k < rp->n_sizes; k++) {
		const struct size_summary *s = &rp->sizes[k];
		const struct cell **v;
		double low = INFINITY, high = -1;
		const struct cell *lean = NULL;
		size_t n;

		v = cells_of_size(rp->run, s->size, &n);
		for (size_t i = 0; v && i < n; i++) {
			double pct = results_sample_pct(v[i],
							RESULTS_DST_CACHED);

			if (!isfinite(pct))
				continue;
			if (pct < low) {
				low = pct;
				lean = v[i];
			}
			if (pct > high)
				high = pct;
		}
		free(v);
		if (!lean || low > 10 || high < 50)
			continue;
		add_rec(r, IMPACT_MEDIUM,
			"To keep the page cache for other work, %s leaves %s "
			"of each %s destination cached against up to %s for "
			"the others (%s MiB/s).",
			cell_label(lean, label, sizeof(label)),
			fmt_pct(low, a, sizeof(a)),
			fmt_size(s->size, sz, sizeof(sz)),
			fmt_pct(high, b, sizeof(b)),
			fmt_sig(cell_mib_s(lean), m, sizeof(m)));
	}
}

static int cmp_rec(const void *a, const void *b)
{
	const struct recommendation *x = a, *y = b;

	if (x->impact != y->impact)
		return (int)x->impact - (int)y->impact;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Thread-scaling rules (report_scaling.c), ranked like the others. */
static void add_scaling_rec(void *ctx, enum report_scaling_impact impact,
			    const char *text)
{
	add_rec(ctx, impact == SCALING_HIGH ? IMPACT_HIGH :
		impact == SCALING_MEDIUM ? IMPACT_MEDIUM : IMPACT_LOW,
		"%s", text);
}

static void section_recommendations(struct report *rp)
{
	static const char *const names[] = { "High", "Medium", "Low" };
	struct recommendations r = { 0 };

	rule_speedup(rp, &r);
	rule_cold_gap(rp, &r);
	rule_footprint(rp, &r);
	rule_buffers(rp, &r);
	report_scaling_recommend(rp->run, add_scaling_rec, &r);
	/* qsort's base must not be NULL, even for 0 elements (UBSan) */
	if (r.n)
		qsort(r.v, r.n, sizeof(*r.v), cmp_rec);
	fputs("## Recommendations\n\n", rp->f);
	if (!r.n)
		fputs("No rule fired: no strategy beat `rw` measurably, cold "
		      "and warm copies ran alike, and no buffer size or cache "
		      "footprint stood out.\n", rp->f);
	for (size_t i = 0; i < r.n; i++)
		fprintf(rp->f, "%zu. **%s**: %s\n", i + 1,
			names[r.v[i].impact], r.v[i].text);
	fputs("\n", rp->f);
	free(r.v);
}

/* ---- warnings ---- */

static size_t count_samples(const struct cell *c, bool tiny)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_samples; i++)
		n += tiny ? c->samples[i].seconds < TINY_SAMPLE :
			    !c->samples[i].residency_ok;
	return n;
}

/* Appends "; " (unless first) and a formatted clause to out. */
static void add_issue(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_issue(char *out, size_t len, const char *fmt, ...)
{
	size_t used = strlen(out);
	va_list ap;

	if (used && used + 2 < len) {
		memcpy(out + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out + used, len - used, fmt, ap);
	va_end(ap);
}

/* Everything that makes one cell's figures less trustworthy, joined. */
static void cell_issues(const struct cell *c, char *out, size_t len)
{
	unsigned batch = c->batch ? c->batch : 1;
	size_t tiny = count_samples(c, true), off = count_samples(c, false);

	out[0] = '\0';
	if (c->est.cv >= CV_WARN)
		add_issue(out, len, "CV %.1f%% (>= 10%%): noisy, compare "
			  "with care", c->est.cv * 100);
	if (c->warmup_seconds / batch > SLOW_FIRST * c->est.median)
		add_issue(out, len, "first (warm-up) copy %.1fx the median",
			  c->warmup_seconds / batch / c->est.median);
	if (tiny)
		add_issue(out, len, "%zu of %zu samples under 1 ms: timer "
			  "resolution matters", tiny, c->n_samples);
	if (c->n_samples < MIN_SAMPLES)
		add_issue(out, len, "only %zu samples (fewer than %d): the "
			  "CI is wide", c->n_samples, MIN_SAMPLES);
	if (off)
		add_issue(out, len, "%zu of %zu samples failed the %s "
			  "residency check (source %s)", off, c->n_samples,
			  cache_mode_name(c->cache),
			  c->cache == CACHE_COLD ? "partly cached" :
						   "not fully cached");
}

static bool run_warns_governor(const struct run *run)
{
	for (size_t i = 0; i < run->n_warnings; i++)
		if (strstr(run->warnings[i], "governor"))
			return true;
	return false;
}

static void section_warnings(struct report *rp)
{
	const struct run *run = rp->run;
	const char *gov = run->env.governor;
	char issues[1024], label[160], sz[32], m[64];
	size_t shown = 0;

	fputs("## Warnings\n\n", rp->f);
	for (size_t i = 0; i < run->n_warnings; i++, shown++)
		fprintf(rp->f, "- %s\n", run->warnings[i]);
	if (!gov || !strcmp(gov, "unknown")) {
		fputs("- CPU frequency governor unknown (no cpufreq "
		      "interface): clock changes cannot be ruled out.\n",
		      rp->f);
		shown++;
	} else if (strcmp(gov, "performance") && !run_warns_governor(run)) {
		fprintf(rp->f, "- CPU frequency governor is `%s`, not "
			"`performance`: clock changes can move the figures.\n",
			gov);
		shown++;
	}
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (!cell_measured(c))
			continue;
		cell_issues(c, issues, sizeof(issues));
		if (!issues[0])
			continue;
		fprintf(rp->f, "- %s at %s, %s: %s.\n",
			cell_label(c, label, sizeof(label)),
			fmt_size(c->size, sz, sizeof(sz)),
			mode_label(c, m, sizeof(m)), issues);
		shown++;
	}
	if (!shown)
		fputs("None.\n", rp->f);
	fputs("\n", rp->f);
}

static void section_not_measured(struct report *rp)
{
	const struct run *run = rp->run;
	char t[96], sz[32];
	size_t rows = 0;

	fputs("## Skipped and failed cells\n\n", rp->f);
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (c->status == CELL_OK)
			continue;
		if (!rows++)
			fputs("| strategy | tunables | size | cache | sync "
			      "| status | reason |\n"
			      "|---|---|---|---|---|---|---|\n", rp->f);
		fprintf(rp->f, "| `%s` | %s | %s | %s | %s | %s |",
			c->strategy, cell_tunables_desc(c, t, sizeof(t)),
			fmt_size(c->size, sz, sizeof(sz)),
			cache_mode_name(c->cache), sync_mode_name(c->sync),
			cell_status_name(c->status));
		md_cell(rp->f, c->reason ? c->reason :
			c->status == CELL_PENDING ? "not run (interrupted)" :
						    "no reason recorded");
		fputs("\n", rp->f);
	}
	if (!rows)
		fputs("None: every cell ran.\n", rp->f);
	fputs("\n", rp->f);
}

/* ---- reproduce ---- */

static void opt_sizes(FILE *f, const char *opt, const uint64_t *v, size_t n,
		      bool as_size)
{
	char sz[32];

	if (!n)
		return;
	fprintf(f, " %s ", opt);
	for (size_t i = 0; i < n; i++) {
		if (as_size)
			fprintf(f, "%s%s", i ? "," : "",
				fmt_size(v[i], sz, sizeof(sz)));
		else
			fprintf(f, "%s%" PRIu64, i ? "," : "", v[i]);
	}
}

static void opt_word(FILE *f, const char *opt, const char *value)
{
	if (!value)
		return;
	fprintf(f, " %s ", opt);
	shell_quote(f, value);
}

static void opt_pair(FILE *f, const char *opt, bool a, const char *an,
		     bool b, const char *bn)
{
	if (a || b)
		fprintf(f, " %s %s%s%s", opt, a ? an : "", a && b ? "," : "",
			b ? bn : "");
}

/* " --buffers 128K,1M --direct no,yes": every swept tunable; one the
 * table gained from a plugin goes through --opt NAME=LIST. */
static void opt_tunables(FILE *f, const struct run_request *q)
{
	for (size_t i = 0; i < tunable_count(); i++) {
		const struct tunable *t = tunable_at(i);
		char v[FMT_LEN];

		if (!q->tune[i].n)
			continue;
		if (t->sweep_flag)
			fprintf(f, " --%s ", t->sweep_flag);
		else
			fprintf(f, " --opt %s=", t->name);
		for (size_t k = 0; k < q->tune[i].n; k++)
			fprintf(f, "%s%s", k ? "," : "",
				tunable_format(t, q->tune[i].v[k], v,
					       sizeof(v)));
	}
}

/* " --plugin PATH" for each plugin a requested strategy came from (the
 * same file once). */
static void opt_plugins(FILE *f, const struct run_request *q)
{
	for (size_t i = 0; i < q->n_strategies; i++) {
		const struct copy_strategy *s = strategy_find(q->strategies[i]);
		const char *path = s ? strategy_plugin_path(s) : NULL;
		bool seen = false;

		for (size_t k = 0; path && k < i && !seen; k++) {
			const struct copy_strategy *o =
				strategy_find(q->strategies[k]);

			seen = o && strategy_plugin_path(o) == path;
		}
		if (path && !seen)
			opt_word(f, "--plugin", path);
	}
}

static void section_reproduce(struct report *rp)
{
	const struct run_request *q = &rp->run->request;
	FILE *f = rp->f;

	fputs("## Reproduce\n\n", f);
	if (rp->run->command_line)
		fprintf(f, "Recorded command line:\n\n```sh\n%s\n```\n\n",
			rp->run->command_line);
	fputs("The same request with every option explicit:\n\n```sh\n", f);
	report_clients_launcher(q, f);
	fputs("iobench sweep", f);
	opt_plugins(f, q);
	/* --source, --dataset: the tree decides the sizes (exclusive) */
	if (!q->source && !rp->run->workload)
		opt_sizes(f, "--sizes", q->sizes, q->n_sizes, true);
	if (q->n_strategies) {
		fputs(" --strategies ", f);
		for (size_t i = 0; i < q->n_strategies; i++)
			fprintf(f, "%s%s", i ? "," : "", q->strategies[i]);
	}
	opt_tunables(f, q);
	opt_pair(f, "--cache", q->cache_warm, "warm", q->cache_cold, "cold");
	opt_pair(f, "--sync", q->sync_none, "none", q->sync_end, "end");
	/* a dataset sets each file's content */
	if (!rp->run->workload)
		fprintf(f, " --content %s", content_kind_name(q->content));
	fprintf(f, " --sparse %s", strategy_sparse_name(q->sparse));
	if (q->samples)
		fprintf(f, " --samples %u", q->samples);
	if (q->runs > 1)
		fprintf(f, " --runs %u", q->runs);
	if (q->timeout > 0)
		fprintf(f, " --timeout %g", q->timeout);
	if (q->budget > 0)
		fprintf(f, " --budget %g", q->budget);
	fprintf(f, " --seed %" PRIu64, q->seed);
	opt_word(f, "--source", q->source);
	if (rp->run->workload)
		opt_word(f, "--dataset", rp->run->workload->arg);
	opt_word(f, "--dir", q->dir);
	opt_word(f, "--out", q->out);
	if (q->cold_metadata)
		fputs(" --cold metadata", f);
	else if (q->drop_caches)
		fputs(" --drop-caches", f);
	if (q->profile)
		fputs(" --profile", f);
	report_scaling_options(q, f);
	report_clients_options(q, f);
	report_extra_options(q, f);
	fputs("\n```\n", f);
}

/* ---- the whole report ---- */

static int write_sections(struct report *rp)
{
	int ret;

	section_title(rp);
	section_summary(rp);
	section_environment(rp);
	ret = workload_report_section(rp->f, rp->run, rp->path);
	if (ret)
		return ret;
	for (size_t k = 0; k < rp->n_sizes; k++) {
		ret = section_size(rp, rp->sizes[k].size);
		if (ret)
			return ret;
	}
	section_page_cache(rp);
	report_memory_table(rp->f, rp->run, NULL, "##");
	ret = report_scaling_section(rp->run, rp->f);
	if (!ret)
		ret = report_clients_section(rp->run, rp->f);
	if (ret)
		return ret;
	report_profile_section(rp->f, rp->run);	/* iobench profile only */
	ret = report_extra_sections(rp->f, rp->run, rp->path);
	if (ret)
		return ret;
	section_recommendations(rp);
	section_warnings(rp);
	section_not_measured(rp);
	if (rp->run->report_appendix)
		fprintf(rp->f, "%s\n", rp->run->report_appendix);
	section_reproduce(rp);
	return 0;
}

int report_write_markdown(const struct run *run, const char *path)
{
	struct report rp = { .run = run, .path = path };
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = analyse_sizes(&rp);
	if (ret)
		goto out_free_sizes;
	rp.f = open_memstream(&buf, &len);
	if (!rp.f) {
		ret = -errno;
		goto out_free_sizes;
	}
	ret = write_sections(&rp);
	if (fclose(rp.f) && !ret)
		ret = -ENOMEM;
	if (!ret)
		ret = results_write_file_atomic(path, buf, len);
	free(buf);
out_free_sizes:
	free(rp.sizes);
	return ret;
}
