// SPDX-License-Identifier: MIT
/*
 * Page-cache control seen through cachestat(2) and the mincore fallback:
 * a fresh write is dirty, evict empties the cache, warm fills it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <cmocka.h>

#include "cache.h"

#define FILE_SIZE (8u << 20)
#define SLACK 2		/* pages another process may touch meanwhile */

static char dir[PATH_MAX - 64];

static int make_dir(void **state)
{
	struct statfs sf;

	(void)state;
	/* /var/tmp: disk-backed, so pages can really leave the cache */
	snprintf(dir, sizeof(dir), "/var/tmp/iobench-cache-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (!statfs(dir, &sf) && sf.f_type == TMPFS_MAGIC) {
		print_message("skipped: %s is tmpfs, whose pages cannot be "
			      "evicted\n", dir);
		rmdir(dir);
		exit(77);
	}
	return 0;
}

static int remove_dir(void **state)
{
	(void)state;
	return rmdir(dir);
}

static void use_mincore(bool on)
{
	cache_force_mincore(on);
	if (on)
		assert_string_equal(cache_probe_name(), "mincore");
}

/* An unlinked file of FILE_SIZE fresh (dirty) bytes. */
static int dirty_file(void)
{
	char path[PATH_MAX];
	char *buf = malloc(1 << 20);
	int fd;

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/f-XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	for (unsigned i = 0; i < FILE_SIZE >> 20; i++) {
		memset(buf, 'a' + i, 1 << 20);
		assert_int_equal(write(fd, buf, 1 << 20), 1 << 20);
	}
	free(buf);
	return fd;
}

/* write -> dirty; evict -> gone; warm -> all resident; evict the clean
 * file -> gone. */
static void lifecycle(bool mincore)
{
	uint64_t pages = FILE_SIZE / (uint64_t)sysconf(_SC_PAGESIZE);
	struct cache_pages cp;
	int fd;

	use_mincore(mincore);
	fd = dirty_file();
	assert_int_equal(cache_file_pages(fd), pages);

	assert_int_equal(cache_pages_of(fd, &cp), 0);
	assert_int_equal(cp.cached, pages);
	if (mincore) {
		assert_int_equal(cp.dirty, -1);
		assert_int_equal(cp.writeback, -1);
	} else {
		/* writeback may have begun, but not finished, in between */
		assert_true(cp.dirty + cp.writeback > 0);
	}

	assert_int_equal(cache_evict_fd(fd), 0);
	assert_int_equal(cache_pages_of(fd, &cp), 0);
	assert_true(cp.cached <= SLACK);
	if (!mincore)
		assert_int_equal(cp.dirty, 0);

	assert_int_equal(cache_warm_fd(fd), 0);
	assert_int_equal(cache_pages_of(fd, &cp), 0);
	assert_int_equal(cp.cached, pages);

	/* clean and resident (no fdatasync with cachestat): gone too; and
	 * evicting a file with nothing resident leaves it so */
	assert_int_equal(cache_evict_fd(fd), 0);
	assert_int_equal(cache_pages_of(fd, &cp), 0);
	assert_true(cp.cached <= SLACK);
	assert_int_equal(cache_evict_fd(fd), 0);
	assert_int_equal(cache_pages_of(fd, &cp), 0);
	assert_true(cp.cached <= SLACK);
	close(fd);
	use_mincore(false);
}

static void test_cachestat(void **state)
{
	(void)state;
	if (!cache_have_cachestat()) {
		print_message("skipped: cachestat(2) unavailable here (Linux "
			      "< 6.5 or filtered)\n");
		skip();
	}
	lifecycle(false);
}

static void test_mincore_fallback(void **state)
{
	(void)state;
	if (!cache_have_cachestat()) {
		/* the probe already chose mincore: the name must say so */
		assert_string_equal(cache_probe_name(), "mincore");
	}
	lifecycle(true);
}

/* A write-only fd still gets a count: mincore reopens it for reading. */
static void test_write_only_fd(void **state)
{
	char path[PATH_MAX];
	struct cache_pages cp;
	int fd = dirty_file(), wfd;

	(void)state;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	wfd = open(path, O_WRONLY);
	assert_true(wfd >= 0);
	for (int m = 0; m < 2; m++) {
		if (!m && !cache_have_cachestat())
			continue;
		use_mincore(m);
		assert_int_equal(cache_pages_of(wfd, &cp), 0);
		assert_int_equal(cp.cached, cache_file_pages(fd));
	}
	use_mincore(false);
	close(wfd);
	close(fd);
}

static void test_edges(void **state)
{
	char path[PATH_MAX];
	struct cache_pages cp;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/empty-XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	for (int m = 0; m < 2; m++) {
		if (!m && !cache_have_cachestat())
			continue;
		use_mincore(m);
		assert_int_equal(cache_pages_of(fd, &cp), 0);
		assert_int_equal(cp.cached, 0);
		assert_int_equal(cache_pages_of(-1, &cp), -EBADF);
	}
	use_mincore(false);
	assert_int_equal(cache_file_pages(fd), 0);
	assert_int_equal(cache_evict_fd(fd), 0);
	assert_int_equal(cache_warm_fd(fd), 0);
	assert_int_equal(cache_warm_fd(-1), -EBADF);
	close(fd);
}

/*
 * Dropping every cache would disturb whatever else runs on the machine
 * (other tests measuring warm copies), so as root it runs only on request.
 */
static void test_drop_all(void **state)
{
	int ret;

	(void)state;
	if (geteuid() == 0 && !getenv("IOBENCH_TEST_DROP_CACHES")) {
		print_message("skipped: would drop the whole machine's page "
			      "cache; set IOBENCH_TEST_DROP_CACHES=1 to run\n");
		skip();
	}
	ret = cache_drop_all();
	if (geteuid() != 0)
		assert_true(ret == -EACCES || ret == -EPERM || ret == -EROFS);
	else
		assert_true(ret == 0 || ret == -EROFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cachestat),
		cmocka_unit_test(test_mincore_fallback),
		cmocka_unit_test(test_write_only_fd),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_drop_all),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
