// SPDX-License-Identifier: MIT
/*
 * The strategy tests' cases (see case.h): a fresh directory per test
 * under one top directory, and the file helpers they share.
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "case.h"

char case_top_dir[PATH_MAX];

int case_top_dir_make(const char *what)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(case_top_dir, sizeof(case_top_dir), "%s/iobench-%s-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp", what);
	if (!mkdtemp(case_top_dir)) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

void case_top_dir_remove(void)
{
	rmdir(case_top_dir);
}

int case_dir_make(void **state)
{
	struct tcase *tc = *state;
	static unsigned n;

	if (snprintf(tc->dir, sizeof(tc->dir), "%s/%u", case_top_dir, n++) >=
	    (int)sizeof(tc->dir))
		return -1;
	return mkdir(tc->dir, 0700);
}

static int remove_entry(const char *path, const struct stat *sb, int type,
			struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

int case_dir_remove(void **state)
{
	struct tcase *tc = *state;

	return nftw(tc->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

struct CMUnitTest case_unit_test(struct tcase *tc, CMUnitTestFunction fn)
{
	return (struct CMUnitTest){
		.name = tc->name,
		.test_func = fn,
		.setup_func = case_dir_make,
		.teardown_func = case_dir_remove,
		.initial_state = tc,
	};
}

/* splitmix64: deterministic content without a library dependency */
void case_fill_random(unsigned char *buf, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len; i++) {
		if (i % 8 == 0) {
			uint64_t z = (seed += 0x9e3779b97f4a7c15ull);

			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
			seed ^= z ^ (z >> 31);
		}
		buf[i] = (unsigned char)(seed >> (8 * (i % 8)));
	}
}

void case_path(const struct tcase *tc, const char *name, char *out)
{
	assert_true(snprintf(out, PATH_MAX, "%s/%s", tc->dir, name) < PATH_MAX);
}

void case_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		assert_true(n > 0);
		p += n;
		len -= n;
		off += n;
	}
}

/* Creates path holding buf (len bytes); returns nothing, asserts. */
void case_write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	case_pwrite_all(fd, buf, len, 0);
	assert_int_equal(close(fd), 0);
}

/* Asserts that path holds exactly want (len bytes). */
void case_assert_file(const char *path, const unsigned char *want,
			   size_t len)
{
	unsigned char *got = malloc(len + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	size_t have = 0;

	assert_non_null(got);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal(sb.st_size, len);
	while (have < len) {
		ssize_t n = pread(fd, got + have, len - have, have);

		assert_true(n > 0);
		have += n;
	}
	assert_memory_equal(got, want, len);
	close(fd);
	free(got);
}

int case_open_src(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

int case_open_dst(const char *path, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);

	assert_true(fd >= 0);
	return fd;
}

void case_source(const struct tcase *tc, unsigned char *data, size_t len,
		 uint64_t seed, char *src, char *dst)
{
	case_path(tc, "src", src);
	case_path(tc, "dst", dst);
	case_fill_random(data, len, seed);
	case_write_file(src, data, len);
}

void *case_state_new(const struct copy_strategy *s,
		     const struct test_params *p)
{
	void *st = calloc(1, s->state_size ? s->state_size : 1);

	assert_non_null(st);
	assert_int_equal(s->setup ? s->setup(st, p) : 0, 0);
	return st;
}

void case_state_free(const struct copy_strategy *s, void *st)
{
	if (s->teardown)
		s->teardown(st);
	free(st);
}
