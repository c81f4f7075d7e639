// SPDX-License-Identifier: MIT
/*
 * Datasets: content is a pure function of (kind, seed, index, size), the
 * expected hash matches the written file, sparse files really have holes.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conform.h"
#include "dataset.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MiB (1024ull * 1024)

static char dir[PATH_MAX - 64];

static int make_dir(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	return conform_mkdtemp(dir, sizeof(dir),
			       base && *base ? base : "/var/tmp", "dataset");
}

static int remove_dir(void **state)
{
	(void)state;
	return rmdir(dir);
}

/* A fresh file in the test directory, unlinked at once: nothing remains
 * even if an assertion fails. */
static int scratch_file(void)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/f-XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	return fd;
}

static void test_kind_names(void **state)
{
	static const enum content_kind kinds[] = { CONTENT_RANDOM,
		CONTENT_ZEROS, CONTENT_SPARSE };
	enum content_kind k;

	(void)state;
	for (size_t i = 0; i < N_OF(kinds); i++) {
		assert_int_equal(content_kind_parse(content_kind_name(kinds[i]),
						    &k), 0);
		assert_int_equal(k, kinds[i]);
	}
	assert_string_equal(content_kind_name(CONTENT_SPARSE), "sparse");
	assert_int_equal(content_kind_parse("rand", &k), -EINVAL);
	assert_int_equal(content_kind_parse("", &k), -EINVAL);
}

static void test_deterministic(void **state)
{
	enum { LEN = 64 * 1024 };
	static unsigned char a[LEN], b[LEN], c[LEN];
	const uint64_t far = 5ull << 30;	/* past 4 GiB */

	(void)state;
	dataset_generate(a, 0, LEN, LEN, CONTENT_RANDOM, 1, 0);
	dataset_generate(b, 0, LEN, LEN, CONTENT_RANDOM, 1, 0);
	assert_memory_equal(a, b, LEN);
	dataset_generate(b, 0, LEN, LEN, CONTENT_RANDOM, 1, 1);
	assert_memory_not_equal(a, b, LEN);
	dataset_generate(b, 0, LEN, LEN, CONTENT_RANDOM, 2, 0);
	assert_memory_not_equal(a, b, LEN);

	/* random access: any range equals the same bytes of a longer one,
	 * at unaligned offsets and beyond 32-bit offsets */
	dataset_generate(c, 13, 1000, LEN, CONTENT_RANDOM, 1, 0);
	assert_memory_equal(c, a + 13, 1000);
	dataset_generate(a, far, 4096, far + LEN, CONTENT_RANDOM, 1, 0);
	dataset_generate(c, far + 5, 3, far + LEN, CONTENT_RANDOM, 1, 0);
	assert_memory_equal(c, a + 5, 3);
	dataset_generate(b, far, 4096, far + LEN, CONTENT_RANDOM, 1, 0);
	assert_memory_equal(a, b, 4096);

	memset(c, 0xff, LEN);
	dataset_generate(c, 0, LEN, LEN, CONTENT_ZEROS, 1, 0);
	for (size_t i = 0; i < LEN; i++)
		assert_int_equal(c[i], 0);
}

/* Every (size, kind): the file is `size` long, its bytes are what
 * dataset_generate says and its hash is dataset_expected_hash. */
static void test_hash_matches_file(void **state)
{
	static const uint64_t sizes[] = { 0, 1, 4097, MiB + 13, 8 * MiB };
	static const enum content_kind kinds[] = { CONTENT_RANDOM,
		CONTENT_ZEROS, CONTENT_SPARSE };
	static unsigned char want[8192], got[8192];
	int fd = scratch_file();

	(void)state;
	for (size_t s = 0; s < N_OF(sizes); s++) {
		for (size_t k = 0; k < N_OF(kinds); k++) {
			uint64_t size = sizes[s], h = 0, expect;
			size_t tail = size < sizeof(got) ? size : sizeof(got);
			struct stat st;

			assert_int_equal(dataset_fill(fd, size, kinds[k], 7, 3),
					 0);
			assert_int_equal(fstat(fd, &st), 0);
			assert_int_equal(st.st_size, size);
			assert_int_equal(dataset_hash_fd(fd, size, &h), 0);
			expect = dataset_expected_hash(size, kinds[k], 7, 3);
			if (h != expect)
				fail_msg("size %llu %s: hash %016llx, want %016llx",
					 (unsigned long long)size,
					 content_kind_name(kinds[k]),
					 (unsigned long long)h,
					 (unsigned long long)expect);
			/* the last bytes, where tails go wrong */
			dataset_generate(want, size - tail, tail, size,
					 kinds[k], 7, 3);
			assert_int_equal(pread(fd, got, tail,
					       (off_t)(size - tail)),
					 (ssize_t)tail);
			assert_memory_equal(got, want, tail);
			if (size && kinds[k] != CONTENT_ZEROS)
				assert_true(expect !=
					    dataset_expected_hash(size, kinds[k],
								  7, 4));
		}
	}
	close(fd);
}

static void test_short_file(void **state)
{
	int fd = scratch_file();
	uint64_t h;

	(void)state;
	assert_int_equal(dataset_fill(fd, 4096, CONTENT_RANDOM, 1, 0), 0);
	assert_int_equal(dataset_hash_fd(fd, 4097, &h), -ENODATA);
	/* a refill truncates what a longer one left */
	assert_int_equal(dataset_fill(fd, 10, CONTENT_RANDOM, 1, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), 10);
	assert_int_equal(dataset_hash_fd(-1, 1, &h), -EBADF);
	close(fd);
}

/* The mapped hash is the read one's, at page-aligned and unaligned
 * offsets, for empty ranges, and where nothing can be mapped (a pipe). */
static void test_hash_mapped(void **state)
{
	static const uint64_t ranges[][2] = {
		{ 0, MiB + 13 }, { 1, 4096 }, { 4095, 8193 }, { MiB, 13 },
		{ 5, 0 }, { MiB + 12, 1 },
	};
	int fd = scratch_file(), pipefd[2];
	uint64_t a, b;

	(void)state;
	assert_int_equal(dataset_fill(fd, MiB + 13, CONTENT_RANDOM, 2, 9), 0);
	for (size_t i = 0; i < N_OF(ranges); i++) {
		a = 1;
		b = 2;
		assert_int_equal(dataset_hash_range(fd, ranges[i][0],
						    ranges[i][1], &a), 0);
		assert_int_equal(dataset_hash_mapped(fd, ranges[i][0],
						     ranges[i][1], &b), 0);
		assert_true(a == b);
	}
	assert_int_equal(dataset_hash_mapped(fd, 0, MiB + 13, &b), 0);
	assert_true(b == dataset_expected_hash(MiB + 13, CONTENT_RANDOM, 2, 9));
	close(fd);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(dataset_hash_mapped(pipefd[0], 0, 10, &b), -ESPIPE);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Holes at [0, p), [2p, 3p), [4p, size); data at [p, 2p), [3p, 4p). */
static void test_sparse_has_holes(void **state)
{
	const uint64_t size = 8 * MiB + 100;
	const off_t p = (off_t)(size / 5 / 4096 * 4096);
	int fd = scratch_file();
	struct stat st;

	(void)state;
	assert_int_equal(dataset_fill(fd, size, CONTENT_SPARSE, 1, 0), 0);
	assert_int_equal(fsync(fd), 0);	/* settle delayed allocation */
	if (lseek(fd, 0, SEEK_HOLE) == (off_t)size) {
		print_message("skipped: the filesystem of %s reports no "
			      "holes (SEEK_HOLE)\n", dir);
		close(fd);
		skip();
	}
	assert_int_equal(lseek(fd, 0, SEEK_HOLE), 0);
	assert_int_equal(lseek(fd, 0, SEEK_DATA), p);
	assert_int_equal(lseek(fd, p, SEEK_HOLE), 2 * p);
	assert_int_equal(lseek(fd, 2 * p, SEEK_DATA), 3 * p);
	assert_int_equal(lseek(fd, 3 * p, SEEK_HOLE), 4 * p);
	assert_int_equal(lseek(fd, 4 * p, SEEK_DATA), -1);
	assert_int_equal(errno, ENXIO);
	assert_int_equal(fstat(fd, &st), 0);
	/* only the two data extents are allocated (plus metadata slack) */
	assert_true((uint64_t)st.st_blocks * 512 <= (uint64_t)(2 * p) + 65536);
	close(fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Not an assertion: the speed of generation, for the record. */
static void test_generation_speed(void **state)
{
	const uint64_t total = 256 * MiB;
	unsigned char *buf = malloc(MiB);
	double t;

	(void)state;
	assert_non_null(buf);
	t = now();
	for (uint64_t off = 0; off < total; off += MiB)
		dataset_generate(buf, off, MiB, total, CONTENT_RANDOM, 1, 0);
	t = now() - t;
	printf("random generation: %.2f GB/s (256 MiB in %.3f s)\n",
	       (double)total / t / 1e9, t);
	t = now();
	(void)dataset_expected_hash(total, CONTENT_RANDOM, 1, 0);
	t = now() - t;
	printf("expected hash (generate + XXH3): %.2f GB/s\n",
	       (double)total / t / 1e9);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_hash_matches_file),
		cmocka_unit_test(test_short_file),
		cmocka_unit_test(test_hash_mapped),
		cmocka_unit_test(test_sparse_has_holes),
		cmocka_unit_test(test_generation_speed),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
