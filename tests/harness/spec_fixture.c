// SPDX-License-Identifier: MIT
/*
 * The dataset tests' fixture (see spec_fixture.h): the test directory,
 * specs from recipes and --dataset values, and a spec's digest.
 */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec_fixture.h"

char spec_dir[PATH_MAX - 256];

int spec_dir_make(void **state)
{
	const char *base = getenv("IOBENCH_TEST_DIR");

	(void)state;
	snprintf(spec_dir, sizeof(spec_dir), "%s/iobench-dataset-spec-XXXXXX",
		 base && *base ? base : "/var/tmp");
	return mkdtemp(spec_dir) ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

void spec_remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int spec_dir_remove(void **state)
{
	(void)state;
	spec_remove_tree(spec_dir);
	return 0;
}

/* A fresh, empty subdirectory of the test directory. */
void spec_subdir(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", spec_dir, name);
	spec_remove_tree(out);
	assert_int_equal(mkdir(out, 0755), 0);
}

struct dataset_spec *spec_named(const char *name, uint64_t seed)
{
	struct dataset_recipe r;
	struct dataset_spec *s;
	char why[256];

	assert_int_equal(dataset_recipe_named(name, &r), 0);
	s = dataset_spec_build(&r, seed, why, sizeof(why));
	dataset_recipe_free(&r);
	assert_non_null(s);
	return s;
}

/* A spec from a --dataset value (named or histogram, scaled). */
struct workload *spec_workload(const char *arg, uint64_t seed)
{
	char err[512] = "";
	struct workload *w = workload_open(arg, seed, err, sizeof(err));

	if (!w)
		fail_msg("%s: %s", arg, err);
	return w;
}

/* XXH3 of everything that identifies the spec: paths, sizes, kinds,
 * extents, and every file's content. */
uint64_t spec_digest(const struct dataset_spec *s, bool content)
{
	uint64_t h = 0;

	for (size_t i = 0; i < s->n_files; i++) {
		const struct dataset_file *f = &s->files[i];

		for (const char *p = f->path; *p; p++)
			h = h * 131 + (unsigned char)*p;
		h = h * 31 + f->size + f->content;
		for (size_t e = 0; e < f->n_extents; e++)
			h = h * 31 + f->extents[e].offset * 7 +
			    f->extents[e].length;
		if (content)
			h ^= dataset_file_hash(s, i) + i;
	}
	return h;
}
