// SPDX-License-Identifier: MIT
/*
 * A --dataset run in report.md (what was generated, its size distribution
 * as a table and a plot, the best figures per size class) and in
 * results.json (request.dataset, written and read back).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cell.h"
#include "fmt.h"
#include "path.h"
#include "plots.h"
#include "reference.h"
#include "workload_report.h"

/* ---- report.md ---- */

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0;
}

static bool tree_of_class(const struct workload *w, unsigned c)
{
	for (size_t i = 1; i < w->n_trees; i++)
		if (w->trees[i].size_class == (int)c)
			return true;
	return false;
}

static void describe(FILE *f, const struct workload *w)
{
	const struct dataset_summary *s = &w->sum;
	char total[32], data[32], med[32], lo[32], hi[32];

	fmt_bytes(s->bytes, total, sizeof(total));
	fmt_bytes(s->data_bytes, data, sizeof(data));
	fmt_bytes(s->median, med, sizeof(med));
	fmt_bytes(s->smallest, lo, sizeof(lo));
	fmt_bytes(s->largest, hi, sizeof(hi));
	fprintf(f, "`--dataset %s`, seed %" PRIu64 ": %" PRIu64 " files in %"
		PRIu64 " directories, %s", w->arg, w->seed, s->files, s->dirs,
		total);
	if (s->data_bytes < s->bytes)
		fprintf(f, " (%s of it data, the rest holes)", data);
	fprintf(f, "; sizes from %s to %s, median %s", lo, hi, med);
	if (s->empty_files)
		fprintf(f, ", %" PRIu64 " empty", s->empty_files);
	fputs(". It is generated from the seed, written into the scratch "
	      "directory and written back before the first cell (outside "
	      "any timing); a sample copies a whole tree file by file into "
	      "flat files, each copy verified (XXH3). The whole dataset is "
	      "one tree and, with files in two size classes or more, each "
	      "class is a tree of its own.\n\n", f);
}

static void class_table(FILE *f, const struct workload *w)
{
	const struct dataset_summary *s = &w->sum;
	char bytes[32];

	fputs("| size class | files | share of files | bytes | share of bytes "
	      "| measured as |\n|---|---:|---:|---:|---:|---|\n", f);
	for (unsigned c = 0; c < DATASET_N_CLASSES; c++) {
		const struct dataset_count *k = &s->classes[c];

		if (!k->files)
			continue;
		fmt_bytes(k->bytes, bytes, sizeof(bytes));
		fprintf(f, "| %s | %" PRIu64 " | %.1f%% | %s | %.1f%% | %s |\n",
			dataset_class_name(c), k->files, pct(k->files, s->files),
			bytes, pct(k->bytes, s->bytes),
			tree_of_class(w, c) ? "its own tree" :
			"part of the whole dataset");
	}
	fmt_bytes(s->bytes, bytes, sizeof(bytes));
	fprintf(f, "| all | %" PRIu64 " | 100%% | %s | 100%% | the whole "
		"dataset |\n\n", s->files, bytes);
}

/* Shares of files and of bytes per power-of-two bin, from the smallest
 * bin with files to the largest. */
static int size_plot(FILE *f, const struct workload *w, const char *dir)
{
	static const char *const series[] = { "% of files", "% of bytes" };
	const struct dataset_summary *s = &w->sum;
	char labels[DATASET_N_BINS][16], title[160];
	const char *groups[DATASET_N_BINS];
	double values[2 * DATASET_N_BINS];
	unsigned first = DATASET_N_BINS, last = 0;
	size_t n = 0;

	for (unsigned b = 0; b < DATASET_N_BINS; b++) {
		if (!s->bins[b].files)
			continue;
		first = b < first ? b : first;
		last = b;
	}
	for (unsigned b = first; b <= last; b++, n++) {
		fmt_size(dataset_bin_lo(b), labels[n], sizeof(labels[n]));
		groups[n] = labels[n];
		values[2 * n] = pct(s->bins[b].files, s->files);
		values[2 * n + 1] = pct(s->bins[b].bytes, s->bytes);
	}
	snprintf(title, sizeof(title), "Size distribution of %s: files and "
		 "bytes per size bin (bin X: X to 2X-1 bytes)", w->name);
	return plots_bars_markdown(f, &(struct plots_bars){
		.name = "dataset-sizes", .title = title,
		.ylabel = "share, %", .groups = groups, .n_groups = n,
		.series = series, .n_series = 2, .values = values }, dir);
}

/* Distinct measured strategies (no reference tools), in cell order. */
static size_t strategy_names(const struct analysis *a, const char **v)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_cells; i++) {
		const struct cell *c = a->cells[i].cell;
		size_t k;

		if (!a->cells[i].candidate)
			continue;
		for (k = 0; k < n && strcmp(v[k], c->strategy); k++)
			;
		if (k == n)
			v[n++] = c->strategy;
	}
	return n;
}

static bool measured_in(const struct analysis *a, enum cache_mode m)
{
	for (size_t i = 0; i < a->n_cells; i++)
		if (a->cells[i].measured && a->cells[i].cell->cache == m)
			return true;
	return false;
}

static const char *tree_name(const struct workload_tree *t)
{
	return t->size_class < 0 ? "all" : dataset_class_name(t->size_class);
}

/* Each strategy's best MiB/s per tree in one cache mode. */
static int class_plot(FILE *f, const struct analysis *a, const char *dir,
		      enum cache_mode m)
{
	const struct run *run = a->run;
	const struct workload *w = run->workload;
	const char **names = calloc(run->n_cells + 1, sizeof(*names));
	const char *groups[DATASET_N_CLASSES + 1];
	double *values = NULL;
	char title[160], name[48];
	size_t ns;
	int ret = -ENOMEM;

	if (!names)
		return -ENOMEM;
	ns = strategy_names(a, names);
	values = calloc(w->n_trees * (ns ? ns : 1), sizeof(*values));
	if (!values)
		goto out_free;
	for (size_t t = 0; t < w->n_trees; t++) {
		groups[t] = tree_name(&w->trees[t]);
		for (size_t s = 0; s < ns; s++) {
			const struct analysis_cell *c = analysis_best_of(
				a, w->trees[t].size, m, names[s], false);

			values[t * ns + s] = c ? c->mib_s : NAN;
		}
	}
	snprintf(title, sizeof(title), "Throughput by size class of %s, %s "
		 "cache (best tunables)", w->name, cache_mode_name(m));
	snprintf(name, sizeof(name), "dataset-classes-%s", cache_mode_name(m));
	ret = plots_bars_markdown(f, &(struct plots_bars){
		.name = name, .title = title, .ylabel = "throughput, MiB/s",
		.groups = groups, .n_groups = w->n_trees, .series = names,
		.n_series = ns, .values = values }, dir);
out_free:
	free(values);
	free(names);
	return ret;
}

/* Per tree and cache mode: the best set, its MiB/s and files/s, and
 * its speed-up over rw in the same modes. */
static void class_results(FILE *f, const struct analysis *a)
{
	const struct workload *w = a->run->workload;
	bool any = false;

	for (size_t t = 0; t < w->n_trees; t++) {
		const struct workload_tree *tr = &w->trees[t];
		const struct analysis_size *s = analysis_size_of(a, tr->size);

		for (int m = CACHE_WARM; s && m <= CACHE_COLD; m++) {
			const struct analysis_group *g;
			const struct analysis_cell *b;
			char set[512], mib[16], fps[16], by[32], x[64];

			if (s->summary[m] == SIZE_MAX ||
			    a->groups[s->summary[m]].best == SIZE_MAX)
				continue;
			g = &a->groups[s->summary[m]];
			b = &a->cells[g->best];
			if (!any)
				fputs("| tree | files | bytes | cache | best "
				      "(ties within 3%) | MiB/s | files/s | "
				      "vs `rw` [95% CI] |\n|---|---:|---:|---|"
				      "---|---:|---:|---:|\n", f);
			any = true;
			fprintf(f, "| %s | %" PRIu64 " | %s | %s | %s | %s | "
				"%s | %s |\n", tree_name(tr), tr->files,
				fmt_bytes(tr->size, by, sizeof(by)),
				cache_mode_name((enum cache_mode)m),
				analysis_set_names(a, g, true, set,
						   sizeof(set)),
				fmt_sig(b->mib_s, mib, sizeof(mib)),
				fmt_sig(b->files_s, fps, sizeof(fps)),
				analysis_fmt_ratio(g->have_speedup,
						   g->speedup, g->speedup_lo,
						   g->speedup_hi, x,
						   sizeof(x)));
		}
	}
	if (!any)
		fputs("No tree of the dataset was measured (see skipped and "
		      "failed cells).\n", f);
	fputs("\n", f);
}

int workload_report_section(FILE *f, const struct analysis *a,
			    const char *report_path)
{
	const struct run *run = a->run;
	const struct workload *w = run->workload;
	char dir[PATH_MAX];
	int ret;

	if (!w)
		return 0;
	path_dir_of(report_path, dir, sizeof(dir));
	fprintf(f, "## Dataset %s\n\n", w->name);
	describe(f, w);
	class_table(f, w);
	ret = size_plot(f, w, dir);
	if (ret)
		return ret;
	fputs("### Results per size class\n\n", f);
	fputs("Best = the fastest median copy of the tree and those within 3% "
	      "of it (1 thread, sync none preferred); files/s = the tree's "
	      "files over that time.\n\n", f);
	class_results(f, a);
	for (int m = CACHE_WARM; m <= CACHE_COLD && w->n_trees > 1; m++) {
		if (!measured_in(a, m))
			continue;
		ret = class_plot(f, a, dir, m);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- results.json ---- */

static json_t *count_json(const struct dataset_count *c)
{
	return json_pack("{s:I, s:I}", "files", (json_int_t)c->files,
			 "bytes", (json_int_t)c->bytes);
}

json_t *workload_json(const struct workload *w)
{
	const struct dataset_summary *s = &w->sum;
	json_t *classes = json_array(), *bins = json_array(),
	       *trees = json_array();
	int bad = !classes || !bins || !trees;

	for (unsigned c = 0; !bad && c < DATASET_N_CLASSES; c++) {
		json_t *o = count_json(&s->classes[c]);

		bad |= !o || json_object_set_new(o, "class", json_string(
					dataset_class_name(c))) ||
		       json_array_append_new(classes, o);
	}
	for (unsigned b = 0; !bad && b < DATASET_N_BINS; b++) {
		json_t *o;

		if (!s->bins[b].files)
			continue;
		o = count_json(&s->bins[b]);
		bad |= !o || json_object_set_new(o, "lo", json_integer(
					(json_int_t)dataset_bin_lo(b))) ||
		       json_array_append_new(bins, o);
	}
	for (size_t t = 0; !bad && t < w->n_trees; t++)
		bad |= json_array_append_new(trees, json_pack(
			"{s:s, s:I, s:I}", "class", tree_name(&w->trees[t]),
			"size", (json_int_t)w->trees[t].size, "files",
			(json_int_t)w->trees[t].files));
	if (bad) {
		json_decref(classes);
		json_decref(bins);
		json_decref(trees);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			 " s:o, s:o, s:o}",
			 "arg", w->arg, "name", w->name,
			 "files", (json_int_t)s->files,
			 "bytes", (json_int_t)s->bytes,
			 "data_bytes", (json_int_t)s->data_bytes,
			 "dirs", (json_int_t)s->dirs,
			 "empty_files", (json_int_t)s->empty_files,
			 "smallest", (json_int_t)s->smallest,
			 "largest", (json_int_t)s->largest,
			 "median", (json_int_t)s->median,
			 "classes", classes, "bins", bins, "trees", trees);
}

struct jreader {
	const char *file;
	char *err;
	size_t len;
	int ret;
};

static void jfail(struct jreader *r, const char *at, const char *what)
{
	if (r->ret)
		return;
	r->ret = -EINVAL;
	snprintf(r->err, r->len, "%s: request.dataset%s%s: %s", r->file,
		 *at ? "." : "", at, what);
}

static uint64_t ju64(struct jreader *r, json_t *o, const char *key,
		     const char *at)
{
	json_t *v = json_object_get(o, key);
	char where[64];

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (uint64_t)json_integer_value(v);
	snprintf(where, sizeof(where), "%s%s", at, key);
	jfail(r, where, "expected a whole number >= 0");
	return 0;
}

static char *jstr(struct jreader *r, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	char *c = s ? strdup(s) : NULL;

	if (!s)
		jfail(r, key, "expected a string");
	else if (!c)
		jfail(r, key, strerror(ENOMEM));
	return c;
}

static int class_index(const char *name)
{
	if (name && !strcmp(name, "all"))
		return -1;
	for (unsigned c = 0; name && c < DATASET_N_CLASSES; c++)
		if (!strcmp(name, dataset_class_name(c)))
			return (int)c;
	return -2;
}

static void read_counts(struct jreader *r, json_t *d, struct workload *w)
{
	struct dataset_summary *s = &w->sum;
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(d, "classes"), i, v) {
		int c = class_index(json_string_value(
			json_object_get(v, "class")));

		if (c < 0) {
			jfail(r, "classes", "unknown size class");
			return;
		}
		s->classes[c].files = ju64(r, v, "files", "classes[].");
		s->classes[c].bytes = ju64(r, v, "bytes", "classes[].");
	}
	json_array_foreach(json_object_get(d, "bins"), i, v) {
		unsigned b = dataset_bin_of(ju64(r, v, "lo", "bins[]."));

		s->bins[b].files = ju64(r, v, "files", "bins[].");
		s->bins[b].bytes = ju64(r, v, "bytes", "bins[].");
	}
}

static void read_trees(struct jreader *r, json_t *d, struct workload *w)
{
	json_t *a = json_object_get(d, "trees"), *v;
	size_t i;

	if (!json_is_array(a) || !json_array_size(a) ||
	    json_array_size(a) > DATASET_N_CLASSES + 1) {
		jfail(r, "trees", "expected 1 to 7 trees");
		return;
	}
	w->trees = calloc(json_array_size(a), sizeof(*w->trees));
	if (!w->trees) {
		jfail(r, "trees", strerror(ENOMEM));
		return;
	}
	json_array_foreach(a, i, v) {
		struct workload_tree *t = &w->trees[w->n_trees++];

		t->size_class = class_index(json_string_value(
			json_object_get(v, "class")));
		if (t->size_class < -1)
			jfail(r, "trees", "unknown size class");
		t->size = ju64(r, v, "size", "trees[].");
		t->files = ju64(r, v, "files", "trees[].");
	}
}

int workload_json_read(json_t *root, const char *file, struct run *run,
		       char *err, size_t len)
{
	json_t *d = json_object_get(json_object_get(root, "request"),
				    "dataset");
	struct jreader r = { .file = file, .err = err, .len = len };
	struct workload *w;

	if (!d || json_is_null(d))
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w || !json_is_object(d)) {
		free(w);
		jfail(&r, "", w ? "expected an object" : strerror(ENOMEM));
		return r.ret;
	}
	w->arg = jstr(&r, d, "arg");
	w->name = jstr(&r, d, "name");
	w->seed = run->request.seed;
	w->sum.files = ju64(&r, d, "files", "");
	w->sum.bytes = ju64(&r, d, "bytes", "");
	w->sum.data_bytes = ju64(&r, d, "data_bytes", "");
	w->sum.dirs = ju64(&r, d, "dirs", "");
	w->sum.empty_files = ju64(&r, d, "empty_files", "");
	w->sum.smallest = ju64(&r, d, "smallest", "");
	w->sum.largest = ju64(&r, d, "largest", "");
	w->sum.median = ju64(&r, d, "median", "");
	read_counts(&r, d, w);
	read_trees(&r, d, w);
	if (r.ret) {
		workload_free(w);
		return r.ret;
	}
	workload_free(run->workload);
	run->workload = w;
	run->free_workload = workload_free;
	return 0;
}
