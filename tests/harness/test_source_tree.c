// SPDX-License-Identifier: MIT
/*
 * source_tree_open() both ways it resolves a path below the root: with
 * openat2 RESOLVE_NO_SYMLINKS and component by component with O_NOFOLLOW
 * (the fallback for kernels without openat2). Each must open a file of
 * the scanned tree, refuse it once a directory on its path is a symlink
 * (-ELOOP) and once the file is a FIFO (-EINVAL, without blocking).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "source_tree.h"

static char dir[] = "/tmp/iobench-source-tree-XXXXXX";

static void path(char *out, const char *rel)
{
	snprintf(out, 256, "%s/%s", dir, rel);
}

static void write_file(const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	path(p, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Index of the file whose path ends in rel. */
static size_t find(const struct source_tree *t, const char *rel)
{
	for (size_t i = 0; i < t->n_files; i++)
		if (!strcmp(t->files[i].rel, rel))
			return i;
	fail_msg("%s not in the tree", rel);
	return 0;
}

static void check_opens(bool walk)
{
	char p[256], q[256], err[512];
	struct source_tree *t;
	size_t a, b;
	int fd;

	source_tree_force_walk(walk);
	path(p, "tree");
	t = source_tree_scan(p, err, sizeof(err));
	if (!t)
		fail_msg("scan: %s", err);
	assert_int_equal(t->n_files, 2);
	a = find(t, "d/e/a");
	b = find(t, "b");
	fd = source_tree_open(t, a, 0);
	assert_true(fd >= 0);
	close(fd);

	/* d swapped for a symlink to a copy of it: never followed */
	path(p, "tree/d");
	path(q, "moved");
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(source_tree_open(t, a, 0), -ELOOP);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(rename(q, p), 0);

	/* b swapped for a FIFO: refused at once */
	path(p, "tree/b");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_equal(source_tree_open(t, b, 0), -EINVAL);
	assert_int_equal(unlink(p), 0);
	write_file("tree/b", "bee");
	source_tree_free(t);
	source_tree_force_walk(false);
}

static void test_openat2_path(void **state)
{
	(void)state;
	check_opens(false);
}

static void test_component_walk(void **state)
{
	(void)state;
	check_opens(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat2_path),
		cmocka_unit_test(test_component_walk),
	};
	char p[256], cmd[300];
	int ret;

	if (!mkdtemp(dir))
		return 1;
	path(p, "tree/d/e");
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", p);
	if (system(cmd))
		return 1;
	write_file("tree/d/e/a", "aye");
	write_file("tree/b", "bee");
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		ret = ret ? ret : 1;
	return ret;
}
