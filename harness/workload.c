// SPDX-License-Identifier: MIT
/*
 * --dataset: resolves the value to a named dataset or a histogram file,
 * builds its spec, plans its trees (the whole dataset, each size class),
 * materializes and scans it in the scratch directory, and removes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "mem_free.h"
#include "parse.h"
#include "source_tree.h"
#include "strategies.h"
#include "workload.h"

/* ---- --dataset VALUE ---- */

/* "source-tree, photos, vm-images, mixed" */
static void named_list(char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; dataset_named_at(i) && n < len; i++)
		n += snprintf(out + n, len - n, "%s%s", i ? ", " : "",
			      dataset_named_at(i));
}

/* "files=N" or "total=SIZE", comma separated, applied to r; the reason
 * for -EINVAL in why. */
static int scale_recipe(const char *opts, struct dataset_recipe *r,
			char *why, size_t len)
{
	char *copy = strdup(opts), *tok, *save = NULL;
	uint64_t files = 0, total = 0;
	int ret = 0;

	if (!copy)
		return strategy_why(why, len, -ENOMEM, "%s", strerror(ENOMEM));
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "files=", 6))
			ret = parse_count(tok + 6, 1, DATASET_MAX_FILES, &files,
					  why, len);
		else if (!strncmp(tok, "total=", 6))
			ret = parse_size(tok + 6, &total, why, len) ?:
			      (total ? 0 : strategy_why(why, len, -EINVAL,
					"total=0: must be at least 1 byte"));
		else
			ret = strategy_why(why, len, -EINVAL, "'%s': unknown "
					   "option (files=N or total=SIZE)",
					   tok);
	}
	free(copy);
	if (ret)
		return ret;
	if (files && total)
		return strategy_why(why, len, -EINVAL, "files= and total= are "
				    "exclusive");
	if (files && dataset_recipe_scale_files(r, files))
		return strategy_why(why, len, -EINVAL, "files=%llu: at least "
				    "one file per part of the dataset (%zu)",
				    (unsigned long long)files, r->n_parts);
	if (total && dataset_recipe_scale_bytes(r, total))
		return strategy_why(why, len, -EINVAL, "total=%llu: more than "
				    "%u files", (unsigned long long)total,
				    DATASET_MAX_FILES);
	return 0;
}

/*
 * The recipe an argument names: an existing file as it is; else
 * BASE[:OPTS] with BASE a named dataset or an existing file.
 */
static int resolve(const char *arg, struct dataset_recipe *r, char *err,
		   size_t len)
{
	const char *colon = strrchr(arg, ':');
	char base[PATH_MAX], names[160], why[200];
	struct stat st;
	int ret;

	if (!stat(arg, &st) || !colon || !strchr(colon, '='))
		colon = NULL;
	snprintf(base, sizeof(base), "%.*s",
		 (int)(colon ? (size_t)(colon - arg) : strlen(arg)), arg);
	ret = dataset_recipe_named(base, r);
	if (ret == -ENOENT) {
		if (stat(base, &st) && !strchr(base, '/') &&
		    !strchr(base, '.')) {
			named_list(names, sizeof(names));
			return strategy_why(err, len, -ENOENT, "'%s': unknown "
					    "dataset (%s, or a histogram "
					    "file)", base, names);
		}
		ret = dataset_histogram_read(base, r, err, len);
	} else if (ret) {
		return strategy_why(err, len, ret, "%s", strerror(-ret));
	}
	if (ret)
		return ret;
	if (colon && scale_recipe(colon + 1, r, why, sizeof(why))) {
		dataset_recipe_free(r);
		return strategy_why(err, len, -EINVAL, "%s: %s", arg, why);
	}
	return 0;
}

void workload_free(struct workload *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_trees; i++)
		source_tree_free(w->trees[i].tree);
	dataset_spec_free(w->spec);
	MEM_FREE_ALL(w->trees, w->root, w->name, w->arg, w);
}

/* The whole dataset, then each class with bytes when two or more have
 * some (one class alone is the whole dataset; a class of empty files
 * moves no bytes, so it has no MiB/s of its own). */
static int plan_trees(struct workload *w)
{
	size_t classes = 0;

	for (unsigned c = 0; c < DATASET_N_CLASSES; c++)
		classes += w->sum.classes[c].bytes > 0;
	w->trees = calloc(DATASET_N_CLASSES + 1, sizeof(*w->trees));
	if (!w->trees)
		return -ENOMEM;
	w->trees[w->n_trees++] = (struct workload_tree){
		.size_class = -1, .size = w->sum.bytes, .files = w->sum.files,
	};
	for (unsigned c = 0; classes > 1 && c < DATASET_N_CLASSES; c++) {
		if (!w->sum.classes[c].bytes)
			continue;
		w->trees[w->n_trees++] = (struct workload_tree){
			.size_class = (int)c,
			.size = w->sum.classes[c].bytes,
			.files = w->sum.classes[c].files,
		};
	}
	return 0;
}

struct workload *workload_open(const char *arg, uint64_t seed, char *err,
			       size_t len)
{
	struct dataset_recipe r;
	struct workload *w;

	if (resolve(arg, &r, err, len))
		return NULL;
	w = calloc(1, sizeof(*w));
	if (w) {
		w->arg = strdup(arg);
		w->name = strdup(r.name);
		w->seed = seed;
		w->spec = dataset_spec_build(&r, seed, err, len);
	}
	dataset_recipe_free(&r);
	if (!w || !w->arg || !w->name) {
		strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
		goto out_free;
	}
	if (!w->spec) {
		/* the reason is in err already */
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		strategy_why(err, len, -EINVAL, "%s: %s", arg, why);
		goto out_free;
	}
	dataset_summarize(w->spec, &w->sum);
	if (!w->sum.bytes) {
		strategy_why(err, len, -EINVAL, "%s: every file is empty: "
			     "nothing to copy", arg);
		goto out_free;
	}
	if (plan_trees(w)) {
		strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
		goto out_free;
	}
	return w;
out_free:
	workload_free(w);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int workload_plan(struct workload *w, struct run *run)
{
	struct run_request *rq = &run->request;
	uint64_t *sizes = calloc(w->n_trees, sizeof(*sizes));
	size_t n = 0;

	if (!sizes)
		return -ENOMEM;
	for (size_t i = 0; i < w->n_trees; i++) {
		const struct workload_tree *t = &w->trees[i];
		size_t k;

		for (k = 0; k < n && sizes[k] != t->size; k++)
			;
		if (k == n) {
			sizes[n++] = t->size;
			continue;
		}
		/* cells are keyed by size: two trees of one total are one */
		results_add_warning(run, "--dataset %s: size class %s has as "
				    "many bytes as another tree (%llu): it is "
				    "measured within the whole dataset only",
				    w->name, dataset_class_name(t->size_class),
				    (unsigned long long)t->size);
		w->trees[i--] = w->trees[--w->n_trees];
	}
	qsort(sizes, n, sizeof(*sizes), cmp_u64);
	free(rq->sizes);
	rq->sizes = sizes;
	rq->n_sizes = n;
	return 0;
}

/* ---- materializing ---- */

static int cmp_file_path(const void *a, const void *b)
{
	return strcmp(((const struct source_file *)a)->path,
		      ((const struct source_file *)b)->path);
}

static bool in_class(const struct source_file *f, void *ctx)
{
	return dataset_class_of(f->size) == *(const unsigned *)ctx;
}

/* The files of whole within one size class (copies you own). */
static struct source_tree *class_tree(const struct source_tree *whole,
				      unsigned c)
{
	return source_tree_subset(whole, in_class, &c);
}

/* Scans the materialized dataset into every planned tree, in path
 * order (the spec's order: the order the files are copied in). */
static int scan_trees(struct workload *w, char *err, size_t len)
{
	struct source_tree *whole = source_tree_scan(w->root, err, len);

	if (!whole)
		return -EIO;
	qsort(whole->files, whole->n_files, sizeof(*whole->files),
	      cmp_file_path);
	w->trees[0].tree = whole;
	if (whole->n_files != w->spec->n_files ||
	    whole->total_bytes != w->spec->total_bytes)
		return strategy_why(err, len, -EIO, "%s: %zu files of %llu "
				    "bytes found, %zu of %llu written",
				    w->root, whole->n_files,
				    (unsigned long long)whole->total_bytes,
				    w->spec->n_files,
				    (unsigned long long)w->spec->total_bytes);
	for (size_t i = 1; i < w->n_trees; i++) {
		w->trees[i].tree = class_tree(whole,
					      (unsigned)w->trees[i].size_class);
		if (!w->trees[i].tree)
			return strategy_why(err, len, -ENOMEM, "%s",
					    strerror(ENOMEM));
	}
	return 0;
}

int workload_materialize(struct workload *w, const char *top,
			 bool (*stop)(void *ctx), void *ctx, char *err,
			 size_t len)
{
	int fd, ret;

	if (!w->spec)
		return strategy_why(err, len, -EINVAL, "--dataset %s: no "
				    "spec", w->arg);
	if (asprintf(&w->root, "%s/dataset", top) < 0) {
		w->root = NULL;
		return strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
	}
	if (mkdir(w->root, 0700)) {
		ret = strategy_why(err, len, -errno, "creating %s: %s",
				   w->root, strerror(errno));
		free(w->root);
		w->root = NULL;
		return ret;
	}
	ret = dataset_materialize(w->spec, w->root, stop, ctx, err, len);
	if (ret)
		return ret;
	/* written back now, or its writeback lands in the first samples */
	fd = open(w->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd)) {
		ret = strategy_why(err, len, -errno, "writing %s back: %s",
				   w->root, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	close(fd);
	return scan_trees(w, err, len);
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void workload_remove(struct workload *w)
{
	if (!w || !w->root)
		return;
	/* depth first, never following a symlink out of the tree */
	nftw(w->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(w->root);
	w->root = NULL;
}

/* ---- labels ---- */

const struct workload_tree *workload_tree_of(const struct workload *w,
					     uint64_t size)
{
	for (size_t i = 0; w && i < w->n_trees; i++)
		if (w->trees[i].size == size)
			return &w->trees[i];
	return NULL;
}

const char *workload_label(const struct workload *w, uint64_t size,
			   char *out, size_t len)
{
	const struct workload_tree *t = workload_tree_of(w, size);
	char bytes[32];

	if (!t) {
		fmt_size(size, out, len);
		return out;
	}
	fmt_bytes(t->size, bytes, sizeof(bytes));
	snprintf(out, len, "%s%s%s (%llu file%s, %s)", w->name,
		 t->size_class < 0 ? "" : " ",
		 t->size_class < 0 ? "" : dataset_class_name(t->size_class),
		 (unsigned long long)t->files, t->files == 1 ? "" : "s", bytes);
	return out;
}
