// SPDX-License-Identifier: MIT
/*
 * tree_copy_file(): a tree's files copied into a mirror whose directories
 * are made on demand, with and without pre-sizing, with --preserve's mode
 * and times; the largest-first queue order; tree_copy_remove() and
 * tree_copy_empty().
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "copy_unit.h"
#include "results.h"
#include "source_tree.h"
#include "strategies.h"
#include "tree_copy.h"

static char dir[] = "/tmp/iobench-tree-copy-XXXXXX";

static const struct {
	const char *rel;
	size_t size;
	mode_t mode;
} files[] = {
	{ "top", 5000, 0644 },
	{ "a/b/c/deep", 70000, 0600 },
	{ "a/b/empty", 0, 0640 },
	{ "a/x", 1, 0755 },
	{ "d/y", 200000, 0444 },
};

#define N_FILES (sizeof(files) / sizeof(files[0]))

static void make_dirs_for(char *p)
{
	for (char *s = strchr(p + strlen(dir) + 1, '/'); s;
	     s = strchr(s + 1, '/')) {
		*s = '\0';
		(void)mkdir(p, 0755);
		*s = '/';
	}
}

static int setup(void **state)
{
	char p[512];

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	for (size_t i = 0; i < N_FILES; i++) {
		struct timespec ts[2] = { { 1000000000, 0 },
					  { 1000000000 + (time_t)i, 5 } };
		int fd;

		snprintf(p, sizeof(p), "%s/src/%s", dir, files[i].rel);
		make_dirs_for(p);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			return -1;
		for (size_t b = 0; b < files[i].size; b++) {
			unsigned char c = (unsigned char)(b * 7 + i);

			if (write(fd, &c, 1) != 1)
				return -1;
		}
		close(fd);
		if (chmod(p, files[i].mode) ||
		    utimensat(AT_FDCWD, p, ts, 0))
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static bool same_content(const char *a, const char *b)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return !system(cmd);
}

/* Copies the whole tree into DIR/NAME/tree in queue order, then checks
 * every copy's content, size, and with preserve its mode and times. */
static void copy_tree(const char *name, enum prealloc_mode prealloc,
		      bool preserve)
{
	const struct copy_strategy *rw = strategy_find("rw");
	struct tree_copy_dirs dirs = { 0 };
	struct cell c = { .size = 0 };
	char base[256], p[512], why[256];
	struct source_tree *t;
	struct copy_unit u;
	double sync = 0;
	time_t atimes[N_FILES];
	unsigned *order;

	/* reading a source (cmp) may move its atime: --preserve copies
	 * the one the copy found */
	for (size_t i = 0; i < N_FILES; i++) {
		struct stat st;

		snprintf(p, sizeof(p), "%s/src/%s", dir, files[i].rel);
		assert_int_equal(stat(p, &st), 0);
		atimes[i] = st.st_atim.tv_sec;
	}
	snprintf(p, sizeof(p), "%s/src", dir);
	t = source_tree_scan(p, why, sizeof(why));
	if (!t)
		fail_msg("scan: %s", why);
	assert_int_equal(t->n_files, N_FILES);
	snprintf(base, sizeof(base), "%s/%s", dir, name);
	assert_int_equal(mkdir(base, 0700), 0);
	assert_non_null(rw);
	assert_int_equal(cell_set_strategy(&c, rw), 0);
	assert_int_equal(copy_unit_setup(&u, rw, &c, why, sizeof(why)), 0);
	order = tree_copy_largest_first(t);
	assert_non_null(order);
	for (size_t q = 1; q < t->n_files; q++)
		assert_true(t->files[order[q - 1]].size >=
			    t->files[order[q]].size);
	{
		struct tree_copy_job job = {
			.tree = t, .prealloc = prealloc, .preserve = preserve,
			.base_len = strlen(base),
		};

		for (size_t q = 0; q < t->n_files; q++) {
			unsigned i = order[q];
			int ret;

			snprintf(p, sizeof(p), "%s/" TREE_COPY_DIR "/%s", base,
				 t->files[i].rel);
			ret = tree_copy_file(&u, &job, i, p, &dirs, &sync, why,
					     sizeof(why));
			if (ret)
				fail_msg("%s: %s", t->files[i].rel, why);
		}
	}
	copy_unit_teardown(&u);
	for (size_t i = 0; i < N_FILES; i++) {
		char src[512];
		struct stat st;

		snprintf(src, sizeof(src), "%s/src/%s", dir, files[i].rel);
		snprintf(p, sizeof(p), "%s/" TREE_COPY_DIR "/%s", base,
			 files[i].rel);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_size, files[i].size);
		assert_true(same_content(src, p));
		if (!preserve)
			continue;
		assert_int_equal(st.st_mode & 07777, files[i].mode);
		assert_int_equal(st.st_mtim.tv_sec, 1000000000 + (time_t)i);
		assert_int_equal(st.st_mtim.tv_nsec, 5);
		assert_int_equal(st.st_atim.tv_sec, atimes[i]);
	}
	free(order);
	source_tree_free(t);
	tree_copy_remove(AT_FDCWD, base);
	assert_int_equal(access(base, F_OK), -1);
}

static void test_plain(void **state)
{
	(void)state;
	copy_tree("plain", PREALLOC_NONE, false);
}

static void test_preserve(void **state)
{
	(void)state;
	copy_tree("preserve", PREALLOC_NONE, true);
}

static void test_prealloc(void **state)
{
	(void)state;
	copy_tree("truncate", PREALLOC_TRUNCATE, false);
	copy_tree("fallocate", PREALLOC_FALLOCATE, true);
}

/* tree_copy_empty(): every regular file below (and a file given
 * itself) ends at 0 bytes with its inode, directories and links kept,
 * a symlink's target untouched. */
static void test_empty_keeps_inodes(void **state)
{
	char top[256], sub[300], a[300], b[400], ln[300], out[300];
	struct stat st_a, st_b, st;
	int fd;

	(void)state;
	snprintf(top, sizeof(top), "%s/empty", dir);
	snprintf(sub, sizeof(sub), "%s/d", top);
	snprintf(a, sizeof(a), "%s/a", top);
	snprintf(b, sizeof(b), "%s/b", sub);
	snprintf(ln, sizeof(ln), "%s/l", top);
	snprintf(out, sizeof(out), "%s/outside", dir);
	assert_int_equal(mkdir(top, 0700), 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	for (int i = 0; i < 3; i++) {
		const char *p = i == 0 ? a : i == 1 ? b : out;

		fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "12345678", 8), 8);
		close(fd);
	}
	assert_int_equal(symlink(out, ln), 0);
	assert_int_equal(stat(a, &st_a), 0);
	assert_int_equal(stat(b, &st_b), 0);

	tree_copy_empty(AT_FDCWD, top);
	assert_int_equal(stat(a, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_ino, st_a.st_ino);
	assert_int_equal(stat(b, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_ino, st_b.st_ino);
	assert_int_equal(lstat(ln, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_size, 8);

	fd = open(out, O_WRONLY);
	assert_true(fd >= 0);
	close(fd);
	tree_copy_empty(AT_FDCWD, out);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_size, 0);

	tree_copy_remove(AT_FDCWD, top);
	assert_int_equal(access(top, F_OK), -1);
	unlink(out);
}

/* A mount point below what is removed is never entered. */
static void test_remove_stays_on_its_filesystem(void **state)
{
	char top[256], mnt[300], inside[400];
	int fd;

	(void)state;
	snprintf(top, sizeof(top), "%s/rm", dir);
	snprintf(mnt, sizeof(mnt), "%s/m", top);
	assert_int_equal(mkdir(top, 0700), 0);
	assert_int_equal(mkdir(mnt, 0700), 0);
	if (system("command -v mount >/dev/null") ||
	    geteuid() != 0) {
		tree_copy_remove(AT_FDCWD, top);
		skip();
	}
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "mount -t tmpfs none '%s' "
			 "2>/dev/null", mnt);
		if (system(cmd)) {
			tree_copy_remove(AT_FDCWD, top);
			skip();
		}
	}
	snprintf(inside, sizeof(inside), "%s/keep", mnt);
	fd = open(inside, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	tree_copy_remove(AT_FDCWD, top);
	assert_int_equal(access(inside, F_OK), 0);
	assert_int_equal(umount(mnt), 0);
	tree_copy_remove(AT_FDCWD, top);
	assert_int_equal(access(top, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_preserve),
		cmocka_unit_test(test_prealloc),
		cmocka_unit_test(test_remove_stays_on_its_filesystem),
		cmocka_unit_test(test_empty_keeps_inodes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
