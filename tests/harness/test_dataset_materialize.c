// SPDX-License-Identifier: MIT
/*
 * Synthetic datasets materialized: trees hold the spec's bytes (the same
 * spec, the same tree), sparse files have real holes, nothing is written
 * outside the target directory, and a stop request ends the writing.
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

#define MiB (1024ull * 1024)

/* Paths (relative to root), sizes and content hashes of a tree, one
 * line per file, sorted, into a malloc'd string. */
static char *tree_listing(const char *root)
{
	char err[512];
	struct source_tree *t = source_tree_scan(root, err, sizeof(err));
	size_t n = strlen(root) + 1, len = 0;
	char *out = NULL;
	FILE *f;

	if (!t)
		fail_msg("%s", err);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	for (size_t i = 0; i < t->n_files; i++)
		fprintf(f, "%s %llu %016llx\n", t->files[i].path + n,
			(unsigned long long)t->files[i].size,
			(unsigned long long)t->files[i].hash);
	fclose(f);
	source_tree_free(t);
	return out;
}

static void materialize(const struct dataset_spec *s, const char *to)
{
	char why[512] = "";

	if (dataset_materialize(s, to, NULL, NULL, why, sizeof(why)))
		fail_msg("%s", why);
}

static void test_materialize_deterministic(void **state)
{
	struct workload *a = spec_workload("source-tree:files=300", 11);
	struct workload *b = spec_workload("source-tree:files=300", 11);
	struct workload *c = spec_workload("source-tree:files=300", 12);
	char da[PATH_MAX], db[PATH_MAX], dc[PATH_MAX], p[PATH_MAX + 300];
	char *la, *lb, *lc;

	(void)state;
	spec_subdir("a", da, sizeof(da));
	spec_subdir("b", db, sizeof(db));
	spec_subdir("c", dc, sizeof(dc));
	materialize(a->spec, da);
	materialize(b->spec, db);
	materialize(c->spec, dc);
	la = tree_listing(da);
	lb = tree_listing(db);
	lc = tree_listing(dc);
	assert_string_equal(la, lb);
	assert_string_not_equal(la, lc);
	/* every file holds the bytes the spec says, at its path */
	for (size_t i = 0; i < a->spec->n_files; i++) {
		const struct dataset_file *f = &a->spec->files[i];
		char line[PATH_MAX + 64];

		snprintf(line, sizeof(line), "%s %llu %016llx\n", f->path,
			 (unsigned long long)f->size,
			 (unsigned long long)dataset_file_hash(a->spec, i));
		if (!strstr(la, line))
			fail_msg("not on disk as specified: %s", line);
	}
	/* a directory per nested path, as many as the spec counts */
	snprintf(p, sizeof(p), "find %s -mindepth 1 -type d | wc -l", da);
	{
		FILE *f = popen(p, "r");
		unsigned long dirs = 0;

		assert_non_null(f);
		assert_int_equal(fscanf(f, "%lu", &dirs), 1);
		pclose(f);
		assert_int_equal(dirs, a->spec->n_dirs);
	}
	free(la);
	free(lb);
	free(lc);
	workload_free(a);
	workload_free(b);
	workload_free(c);
}

static void test_sparse_on_disk(void **state)
{
	struct workload *w = spec_workload("vm-images:total=48M", 3);
	char to[PATH_MAX], p[PATH_MAX + 64];

	(void)state;
	spec_subdir("sparse", to, sizeof(to));
	materialize(w->spec, to);
	for (size_t i = 0; i < w->spec->n_files; i++) {
		const struct dataset_file *f = &w->spec->files[i];
		uint64_t data = dataset_file_data_bytes(f), h = 0;
		struct stat st;
		off_t hole;
		int fd;

		snprintf(p, sizeof(p), "%s/%s", to, f->path);
		fd = open(p, O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(st.st_size, f->size);
		if ((uint64_t)st.st_blocks * 512 >= f->size) {
			close(fd);
			skip();	/* this filesystem fills holes */
		}
		/* allocated: about the data extents, far below the size */
		assert_true(data < f->size / 2);
		assert_true((uint64_t)st.st_blocks * 512 >= data);
		assert_true((uint64_t)st.st_blocks * 512 <
			    data + f->n_extents * 8192 + 1 * MiB);
		/* the first hole is where the spec puts it */
		hole = lseek(fd, 0, SEEK_HOLE);
		assert_int_equal(hole, f->extents[0].offset +
				 f->extents[0].length);
		assert_int_equal(dataset_hash_fd(fd, f->size, &h), 0);
		assert_true(h == dataset_file_hash(w->spec, i));
		close(fd);
	}
	workload_free(w);
}

/* Every entry of path except `skip`, with its type, size and times. */
static char *dir_state(const char *path, const char *skip)
{
	char *out = NULL, p[PATH_MAX + 300];
	size_t len = 0;
	struct dirent *de;
	struct stat st;
	FILE *f = open_memstream(&out, &len);
	DIR *d = opendir(path);

	assert_non_null(f);
	assert_non_null(d);
	assert_int_equal(stat(path, &st), 0);
	fprintf(f, ". %ld.%09ld\n", (long)st.st_mtim.tv_sec,
		st.st_mtim.tv_nsec);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, skip) || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		assert_int_equal(lstat(p, &st), 0);
		fprintf(f, "%s %o %lld %ld.%09ld\n", de->d_name, st.st_mode,
			(long long)st.st_size, (long)st.st_mtim.tv_sec,
			st.st_mtim.tv_nsec);
	}
	closedir(d);
	fclose(f);
	return out;
}

static void test_writes_only_inside(void **state)
{
	struct workload *w = spec_workload("mixed:files=40", 9);
	struct dataset_file evil[] = {
		{ .path = "ok/a", .size = 10 },
		{ .path = "ok/../../escaped", .size = 10 },
	};
	struct dataset_spec bad = { .name = "bad", .files = evil,
				    .n_files = 2 };
	char parent[PATH_MAX], to[PATH_MAX + 16], p[PATH_MAX + 64];
	char why[512], *before, *after;
	int fd;

	(void)state;
	spec_subdir("parent", parent, sizeof(parent));
	snprintf(p, sizeof(p), "%s/neighbour", parent);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	snprintf(to, sizeof(to), "%s/target", parent);
	assert_int_equal(mkdir(to, 0755), 0);
	before = dir_state(parent, "target");
	materialize(w->spec, to);
	after = dir_state(parent, "target");
	assert_string_equal(before, after);
	free(after);

	/* a non-empty target is refused, nothing written */
	assert_int_equal(dataset_materialize(w->spec, to, NULL, NULL, why,
					     sizeof(why)), -ENOTEMPTY);
	/* a path leaving the target is refused before anything of it */
	spec_remove_tree(to);
	assert_int_equal(mkdir(to, 0755), 0);
	assert_int_equal(dataset_materialize(&bad, to, NULL, NULL, why,
					     sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "ok/../../escaped"));
	snprintf(p, sizeof(p), "%s/escaped", spec_dir);
	assert_int_equal(access(p, F_OK), -1);
	evil[1].path = "/tmp/escaped";
	spec_remove_tree(to);
	assert_int_equal(mkdir(to, 0755), 0);
	free(before);
	before = dir_state(parent, "target");
	assert_int_equal(dataset_materialize(&bad, to, NULL, NULL, why,
					     sizeof(why)), -EINVAL);
	snprintf(p, sizeof(p), "%s/escaped", parent);
	assert_int_equal(access(p, F_OK), -1);
	after = dir_state(parent, "target");
	assert_string_equal(before, after);
	free(before);
	free(after);
	workload_free(w);
}

static bool stop_now(void *ctx)
{
	return ++*(int *)ctx > 3;
}

static void test_materialize_stops(void **state)
{
	struct workload *w = spec_workload("source-tree:files=50", 1);
	char to[PATH_MAX], why[256];
	int calls = 0;

	(void)state;
	spec_subdir("stopped", to, sizeof(to));
	assert_int_equal(dataset_materialize(w->spec, to, stop_now, &calls,
					     why, sizeof(why)), -EINTR);
	assert_int_equal(calls, 4);
	workload_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_materialize_deterministic),
		cmocka_unit_test(test_sparse_on_disk),
		cmocka_unit_test(test_writes_only_inside),
		cmocka_unit_test(test_materialize_stops),
	};

	return cmocka_run_group_tests(tests, spec_dir_make, spec_dir_remove);
}
