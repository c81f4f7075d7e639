// SPDX-License-Identifier: MIT
/*
 * device_io_alloc_buffers: O_DIRECT read buffers come back untouched (no
 * page resident until registration faults them in, as fio's), write
 * buffers carry a pattern that is not zeros, and bad sizes are refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "device_internal.h"

/* 1 MiB blocks at queue depth 32: the job the buffers once slowed */
#define BUFS_SIZE ((size_t)32 << 20)

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* How many pages of [p, p + size) are resident, or -errno. */
static long resident_pages(void *p, size_t size)
{
	size_t n = (size + page_size() - 1) / page_size();
	unsigned char *vec = malloc(n);
	long count = 0;

	if (!vec)
		return -ENOMEM;
	if (mincore(p, size, vec)) {
		count = -errno;
		free(vec);
		return count;
	}
	for (size_t i = 0; i < n; i++)
		count += vec[i] & 1;
	free(vec);
	return count;
}

static void test_read_buffers_untouched(void **state)
{
	char *p = device_io_alloc_buffers(BUFS_SIZE, 512, false);
	long resident;

	(void)state;
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % page_size(), 0);
	resident = resident_pages(p, BUFS_SIZE);
	if (resident == -ENOSYS || resident == -EINVAL) {
		device_io_free_buffers(p, BUFS_SIZE);
		skip();
	}
	/* zero-filling them would have made every page resident */
	assert_int_equal(resident, 0);
	device_io_free_buffers(p, BUFS_SIZE);
}

static void test_write_buffers_pattern(void **state)
{
	size_t words = BUFS_SIZE / 8, zeros = 0, repeats = 0;
	char *p = device_io_alloc_buffers(BUFS_SIZE, 0, true);
	uint64_t prev = 0;

	(void)state;
	assert_non_null(p);
	assert_int_equal(resident_pages(p, BUFS_SIZE),
			 (long)(BUFS_SIZE / page_size()));
	for (size_t i = 0; i < words; i++) {
		uint64_t w;

		memcpy(&w, p + i * 8, 8);
		zeros += !w;
		repeats += i && w == prev;
		prev = w;
	}
	/* one zero word at most (the first), no run of equal words */
	assert_true(zeros <= 1);
	assert_int_equal(repeats, 0);
	device_io_free_buffers(p, BUFS_SIZE);
}

static void test_bad_sizes_refused(void **state)
{
	(void)state;
	errno = 0;
	assert_null(device_io_alloc_buffers(0, 0, false));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(device_io_alloc_buffers(BUFS_SIZE,
					    (unsigned)page_size() * 2, false));
	assert_int_equal(errno, EINVAL);
	device_io_free_buffers(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_buffers_untouched),
		cmocka_unit_test(test_write_buffers_pattern),
		cmocka_unit_test(test_bad_sizes_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
