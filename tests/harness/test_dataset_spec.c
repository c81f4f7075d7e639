// SPDX-License-Identifier: MIT
/*
 * Synthetic datasets: specs are a pure function of (recipe, seed), sizes
 * follow their distributions, histogram files parse (and fail with
 * file:line). Materializing them: test_dataset_materialize.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dataset.h"
#include "source_tree.h"
#include "spec.h"
#include "spec_fixture.h"
#include "workload.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define KiB 1024ull
#define MiB (1024ull * 1024)

static void test_named_deterministic(void **state)
{
	(void)state;
	for (size_t i = 0; dataset_named_at(i); i++) {
		const char *name = dataset_named_at(i);
		struct dataset_spec *a = spec_named(name, 42);
		struct dataset_spec *b = spec_named(name, 42);
		struct dataset_spec *c = spec_named(name, 43);
		/* seeds differing in the high bits only still differ */
		struct dataset_spec *d = spec_named(name, 42 + (1ull << 40));

		assert_true(a->n_files > 0);
		assert_int_equal(a->n_files, b->n_files);
		assert_true(spec_digest(a, false) == spec_digest(b, false));
		assert_true(spec_digest(a, false) != spec_digest(c, false));
		assert_true(spec_digest(a, false) != spec_digest(d, false));
		/* paths sorted and unique */
		for (size_t k = 1; k < a->n_files; k++)
			assert_true(strcmp(a->files[k - 1].path,
					   a->files[k].path) < 0);
		dataset_spec_free(a);
		dataset_spec_free(b);
		dataset_spec_free(c);
		dataset_spec_free(d);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median and IQR / 1.349 (a normal's sigma) of ln(size) over the files
 * of one part (empty and clamped files left out). */
static void log_stats(const struct dataset_spec *s, unsigned part,
		      uint64_t lo, uint64_t hi, double *median,
		      double *sigma, size_t *n)
{
	double *v = calloc(s->n_files, sizeof(*v));

	assert_non_null(v);
	*n = 0;
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i].part == part && s->files[i].size > lo &&
		    s->files[i].size < hi)
			v[(*n)++] = log((double)s->files[i].size);
	qsort(v, *n, sizeof(*v), cmp_double);
	*median = v[*n / 2];
	*sigma = (v[3 * *n / 4] - v[*n / 4]) / 1.349;
	free(v);
}

static void test_size_distributions(void **state)
{
	struct dataset_spec *s = spec_named("source-tree", 7);
	struct dataset_recipe r;
	struct dataset_summary sum;
	double med, sig;
	size_t n;

	(void)state;
	assert_int_equal(s->n_files, 8000);
	/* part 1: log-normal, median 7 KiB, sigma 1.3 (n ~ 7880: the
	 * median's standard error in ln is ~0.018, sigma's ~0.02) */
	log_stats(s, 1, 1, 4 * MiB, &med, &sig, &n);
	assert_true(n > 7800);
	assert_true(fabs(med - log(7.0 * KiB)) < 0.08);
	assert_true(fabs(sig - 1.3) < 0.1);
	dataset_summarize(s, &sum);
	assert_int_equal(sum.empty_files, 120);
	assert_true(sum.dirs > 300 && sum.dirs < 1000);
	/* the clamped log-normal's exact mean predicts the total */
	assert_int_equal(dataset_recipe_named("source-tree", &r), 0);
	assert_true(fabs(s->total_bytes / dataset_recipe_expected_bytes(&r) -
			 1) < 0.08);
	dataset_recipe_free(&r);
	dataset_spec_free(s);

	/* photos: 1-12 MiB, median 4 MiB */
	s = spec_named("photos", 7);
	for (size_t i = 0; i < s->n_files; i++)
		assert_true(s->files[i].size >= MiB &&
			    s->files[i].size <= 12 * MiB);
	log_stats(s, 0, 0, UINT64_MAX, &med, &sig, &n);
	assert_true(fabs(med - log(4.0 * MiB)) < 0.2);
	dataset_spec_free(s);

	/* VM images: sparse, 10-40% data */
	s = spec_named("vm-images", 7);
	for (size_t i = 0; i < s->n_files; i++) {
		double share = (double)dataset_file_data_bytes(&s->files[i]) /
			       s->files[i].size;

		assert_int_equal(s->files[i].content, CONTENT_SPARSE);
		assert_true(s->files[i].size >= 256 * MiB);
		assert_true(share > 0.05 && share < 0.5);
	}
	dataset_spec_free(s);
}

static void test_classes_and_bins(void **state)
{
	static const struct { uint64_t size; unsigned cls, bin; } t[] = {
		{ 0, 0, 0 }, { 1, 0, 1 }, { 4095, 0, 12 }, { 4096, 1, 13 },
		{ 65535, 1, 16 }, { 65536, 2, 17 }, { MiB, 3, 21 },
		{ 16 * MiB - 1, 3, 24 }, { 16 * MiB, 4, 25 },
		{ 256 * MiB, 5, 29 }, { 1ull << 40, 5, 41 },
		{ UINT64_MAX, 5, 41 },
	};
	struct dataset_spec *s = spec_named("mixed", 3);
	struct dataset_summary sum;
	uint64_t files = 0, bytes = 0, bfiles = 0;

	(void)state;
	for (size_t i = 0; i < N_OF(t); i++) {
		assert_int_equal(dataset_class_of(t[i].size), t[i].cls);
		assert_int_equal(dataset_bin_of(t[i].size), t[i].bin);
		assert_true(t[i].size >= dataset_class_lo(t[i].cls));
		assert_true(t[i].size < dataset_class_hi(t[i].cls) ||
			    t[i].cls == DATASET_N_CLASSES - 1);
	}
	assert_string_equal(dataset_class_name(2), "64K-1M");
	dataset_summarize(s, &sum);
	for (unsigned c = 0; c < DATASET_N_CLASSES; c++) {
		files += sum.classes[c].files;
		bytes += sum.classes[c].bytes;
	}
	for (unsigned b = 0; b < DATASET_N_BINS; b++)
		bfiles += sum.bins[b].files;
	assert_int_equal(files, s->n_files);
	assert_int_equal(bfiles, s->n_files);
	assert_int_equal(bytes, s->total_bytes);
	assert_true(sum.data_bytes < sum.bytes);	/* the VM image */
	/* a home directory has files of every class but 16M-256M (a
	 * document that large is a matter of chance) */
	for (unsigned c = 0; c < DATASET_N_CLASSES; c++)
		assert_true(sum.classes[c].files > 0 || c == 4);
	assert_int_equal(sum.classes[5].files, 1);
	dataset_spec_free(s);
}

static void test_scaling(void **state)
{
	struct dataset_recipe r;
	struct dataset_spec *s;
	char why[256];

	(void)state;
	assert_int_equal(dataset_recipe_named("mixed", &r), 0);
	assert_int_equal(dataset_recipe_scale_files(&r, 100), 0);
	assert_int_equal(dataset_recipe_files(&r), 100);
	for (size_t i = 0; i < r.n_parts; i++)
		assert_true(r.parts[i].count >= 1);
	/* fewer files than parts cannot keep every part */
	assert_int_equal(dataset_recipe_scale_files(&r, 3), -EINVAL);
	assert_int_equal(dataset_recipe_scale_files(&r, 0), -EINVAL);
	dataset_recipe_free(&r);

	assert_int_equal(dataset_recipe_named("source-tree", &r), 0);
	assert_int_equal(dataset_recipe_scale_bytes(&r, 20 * MiB), 0);
	assert_true(fabs(dataset_recipe_expected_bytes(&r) / (20.0 * MiB) - 1) <
		    0.02);
	s = dataset_spec_build(&r, 1, why, sizeof(why));
	assert_non_null(s);
	assert_true(fabs(s->total_bytes / (20.0 * MiB) - 1) < 0.2);
	dataset_spec_free(s);
	dataset_recipe_free(&r);

	/* below one image, the one image left shrinks instead */
	assert_int_equal(dataset_recipe_named("vm-images", &r), 0);
	assert_int_equal(dataset_recipe_scale_bytes(&r, 32 * MiB), 0);
	assert_int_equal(dataset_recipe_files(&r), 1);
	assert_true(fabs(dataset_recipe_expected_bytes(&r) / (32.0 * MiB) - 1) <
		    0.02);
	dataset_recipe_free(&r);
}

/* ---- histogram files ---- */

struct hist_case {
	const char *text;
	size_t parts;
	uint64_t files;
	const char *name;
	/* expected first part */
	enum dataset_dist dist;
	uint64_t lo, hi;
	enum content_kind content;
};

static void test_histogram_good(void **state)
{
	static const struct hist_case t[] = {
		{ "4K 10\n", 1, 10, "h", DATASET_FIXED, 4096, 4096,
		  CONTENT_RANDOM },
		{ "# comment only line\n\n  1K  64K 300  # tail comment\n"
		  "1M 2 zeros\n", 2, 302, "h", DATASET_LOG_UNIFORM, 1024,
		  65536, CONTENT_RANDOM },
		{ "name my-tree\n0 0 5\n1 4KiB 7 sparse\r\n", 2, 12, "my-tree",
		  DATASET_FIXED, 0, 0, CONTENT_RANDOM },
		{ "64M 1 sparse\n4K 0\n", 1, 1, "h", DATASET_FIXED, 64 * MiB,
		  64 * MiB, CONTENT_SPARSE },
		{ "\t4k\t8K\t1\trandom", 1, 1, "h", DATASET_LOG_UNIFORM, 4096,
		  8192, CONTENT_RANDOM },
		/* total scales the counts: 4 x 1M expected -> 100 x */
		{ "total 400M\n1M 4\n", 1, 400, "h", DATASET_FIXED, MiB, MiB,
		  CONTENT_RANDOM },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(t); i++) {
		struct dataset_recipe r;
		char err[256] = "";

		if (dataset_histogram_parse(t[i].text, "dir/h.txt", &r, err,
					     sizeof(err)))
			fail_msg("case %zu: %s", i, err);
		assert_int_equal(r.n_parts, t[i].parts);
		assert_int_equal(dataset_recipe_files(&r), t[i].files);
		assert_string_equal(r.name, t[i].name);
		assert_int_equal(r.parts[0].dist, t[i].dist);
		assert_int_equal(r.parts[0].lo, t[i].lo);
		assert_int_equal(r.parts[0].hi, t[i].hi);
		assert_int_equal(r.parts[0].content, t[i].content);
		dataset_recipe_free(&r);
	}
}

static void test_histogram_bad(void **state)
{
	static const struct { const char *text, *want; } t[] = {
		{ "4K 10\n8Q 3\n", "h.txt:2: '8Q': unknown unit" },
		{ "\n\n64K 4K 3\n", "h.txt:3: SIZE_LO 64K is above SIZE_HI 4K" },
		{ "4K\n", "h.txt:1: expected 'SIZE COUNT' or 'SIZE_LO SIZE_HI "
		  "COUNT'" },
		{ "4K 8K 1 2 3 4\n", "h.txt:1: too many fields" },
		{ "4K 3 sprase\n", "h.txt:1: 'sprase': unknown content kind" },
		{ "4K 3K\n", "h.txt:1: count '3K': not a whole number" },
		{ "4K -1\n", "h.txt:1: count '-1': not a whole number" },
		{ "1.5M 3\n", "h.txt:1: '1.5M': fractions are not supported" },
		{ "files 4K 3\n", "h.txt:1: 'files': expected a size, 'total' "
		  "or 'name'" },
		{ "total 1G\n4K 1\ntotal 2G\n", "h.txt:3: total given twice "
		  "(first on line 1)" },
		{ "total 0\n4K 1\n", "h.txt:1: total: must be at least 1 byte" },
		{ "total\n", "h.txt:1: total takes one value, got 0" },
		{ "name a/b\n4K 1\n", "h.txt:1: name 'a/b': use up to" },
		{ "2T 1\n", "h.txt:1: '2T': larger than the largest file size" },
		{ "4K 2000000\n", "h.txt:1: count '2000000': too large" },
		{ "# nothing\n", "h.txt: no files" },
		{ "4K 0\n", "h.txt: no files" },
		{ "0 5\ntotal 1M\n", "h.txt:2: total 1M: every file of the "
		  "histogram is empty" },
		{ "total 1T\n1 1\n", "h.txt:1: total 1T: more than 1000000 "
		  "files" },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(t); i++) {
		struct dataset_recipe r;
		char err[256] = "";

		assert_int_equal(dataset_histogram_parse(t[i].text, "h.txt",
							  &r, err,
							  sizeof(err)),
				 -EINVAL);
		if (!strstr(err, t[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, err,
				 t[i].want);
		assert_null(r.parts);
	}
}

static void test_dataset_values(void **state)
{
	static const struct { const char *arg, *want; } bad[] = {
		{ "nosuch", "'nosuch': unknown dataset (source-tree, photos" },
		{ "nosuch.txt", "nosuch.txt: No such file or directory" },
		{ "source-tree:files=0", "source-tree:files=0: '0': must be "
		  "at least 1" },
		{ "source-tree:size=1M", "'size=1M': unknown option" },
		{ "mixed:files=3", "files=3: at least one file per part" },
		{ "photos:files=2,total=1G", "files= and total= are exclusive" },
		{ "source-tree:total=0", "total=0: must be at least 1 byte" },
	};
	char path[PATH_MAX], err[512];
	struct workload *w;
	uint64_t sum = 0;
	FILE *f;

	(void)state;
	for (size_t i = 0; i < N_OF(bad); i++) {
		err[0] = '\0';
		assert_null(workload_open(bad[i].arg, 1, err, sizeof(err)));
		if (!strstr(err, bad[i].want))
			fail_msg("%s: got '%s', want '%s'", bad[i].arg, err,
				 bad[i].want);
	}
	/* a directory is not a histogram */
	assert_null(workload_open(spec_dir, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "a directory"));

	/* a histogram file, scaled with :total= */
	snprintf(path, sizeof(path), "%s/hist.txt", spec_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# a small tree\n0 0 4\n1 4K 40\n4K 64K 20\n1M 2\n", f);
	fclose(f);
	w = spec_workload(path, 5);
	assert_string_equal(w->name, "hist");
	assert_int_equal(w->sum.files, 66);
	assert_int_equal(w->sum.empty_files, 4);
	/* the whole dataset, then <4K, 4K-64K, 1M-16M */
	assert_int_equal(w->n_trees, 4);
	assert_int_equal(w->trees[0].size_class, -1);
	assert_int_equal(w->trees[0].size, w->sum.bytes);
	for (size_t i = 1; i < w->n_trees; i++)
		sum += w->trees[i].size;
	assert_int_equal(sum, w->sum.bytes);
	workload_free(w);
	snprintf(path, sizeof(path), "%s/hist.txt:files=33", spec_dir);
	w = spec_workload(path, 5);
	assert_int_equal(w->sum.files, 33);
	workload_free(w);

	/* one class alone: the whole dataset is its only tree */
	w = spec_workload("photos:files=5", 5);
	assert_int_equal(w->n_trees, 1);
	assert_int_equal(w->sum.files, 5);
	workload_free(w);
	/* empty files beside one class with bytes: still one tree */
	snprintf(path, sizeof(path), "%s/hist.txt", spec_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("0 5\n1M 3\n", f);
	fclose(f);
	w = spec_workload(path, 5);
	assert_int_equal(w->n_trees, 1);
	assert_int_equal(w->sum.files, 8);
	workload_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named_deterministic),
		cmocka_unit_test(test_size_distributions),
		cmocka_unit_test(test_classes_and_bins),
		cmocka_unit_test(test_scaling),
		cmocka_unit_test(test_histogram_good),
		cmocka_unit_test(test_histogram_bad),
		cmocka_unit_test(test_dataset_values),
	};

	return cmocka_run_group_tests(tests, spec_dir_make, spec_dir_remove);
}
