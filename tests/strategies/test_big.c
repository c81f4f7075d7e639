// SPDX-License-Identifier: MIT
/*
 * Files past 2 GiB: a 2 GiB + 4097 byte copy by the strategies with
 * per-call limits or 32-bit traps, and range copies at offsets > 2 GiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <xxhash.h>

#include "conform.h"
#include "strategies.h"

#define MiB (1024ull * 1024)
#define GiB (1024 * MiB)
#define BIG (2 * GiB + 4097)
#define ALIGN 4096ull

static char dir[PATH_MAX];
static char src_path[PATH_MAX];
static char dst_path[PATH_MAX];
static unsigned char *pool;	/* 1 MiB of random bytes */
static uint64_t src_hash;

/*
 * Source byte at `off`: the random MiB, its first 8 bytes replaced by the
 * MiB's index, so a copy landing at a wrong MiB (a wrapped 32-bit offset,
 * a repeated chunk) changes the content.
 */
static void pattern_at(uint64_t off, size_t len, unsigned char *out)
{
	while (len) {
		uint64_t block = off / MiB, in = off % MiB;
		size_t n = MiB - in < len ? MiB - in : len;
		unsigned char head[8];

		memcpy(out, pool + in, n);
		memcpy(head, &block, sizeof(head));
		for (uint64_t i = in; i < sizeof(head) && i < in + n; i++)
			out[i - in] = head[i];
		out += n;
		off += n;
		len -= n;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Writes the source once (preallocated: no sparse shortcuts) and its hash. */
static int make_source(void)
{
	unsigned char *block = malloc(MiB);
	XXH3_state_t *xs = XXH3_createState();
	int fd, ret = -ENOMEM;

	if (!block || !xs)
		goto out_free;
	fd = open(src_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	ret = posix_fallocate(fd, 0, BIG);
	if (ret) {
		ret = -ret;
		goto out_close;
	}
	XXH3_64bits_reset(xs);
	for (uint64_t off = 0; off < BIG; off += MiB) {
		size_t n = BIG - off < MiB ? BIG - off : MiB;

		pattern_at(off, n, block);
		XXH3_64bits_update(xs, block, n);
		ret = strategy_pwrite_all(fd, block, n, off);
		if (ret)
			goto out_close;
	}
	src_hash = XXH3_64bits_digest(xs);
out_close:
	if (close(fd) && !ret)
		ret = -errno;
out_free:
	XXH3_freeState(xs);
	free(block);
	return ret;
}

/* The strategy if it can run here; otherwise skips with the reason. */
static const struct copy_strategy *usable(const char *name)
{
	const struct copy_strategy *s = strategy_find(name);
	char why[256];

	assert_non_null(s);
	if (strategy_probe(s, dir, why, sizeof(why))) {
		print_message("# %s: not usable here: %s\n", name, why);
		skip();
	}
	return s;
}

static int copy_range_to(const struct copy_strategy *s, int dst_flags,
			 const struct copy_range *r)
{
	int src, dst, ret;

	ret = conform_open_pair(s, NULL, src_path, dst_path, dst_flags, &src,
				&dst);
	if (ret)
		return ret;
	ret = strategy_copy_once(s, NULL, src, dst, r);
	close(src);
	if (close(dst) && !ret)
		ret = -errno;
	return ret;
}

static void test_whole(void **state)
{
	const struct copy_strategy *s = usable(*state);
	struct copy_range r = { .len = BIG };
	uint64_t hash, size;
	double t0 = now();
	int ret;

	ret = copy_range_to(s, O_CREAT | O_TRUNC, &r);
	if (ret)
		print_message("# %s: copy of %llu bytes failed: %s\n", s->name,
			      BIG, strerror(-ret));
	assert_int_equal(ret, 0);
	ret = conform_hash_file(dst_path, &hash, &size);
	unlink(dst_path);
	assert_int_equal(ret, 0);
	print_message("# %s: %llu bytes in %.1f s, hash %s\n", s->name,
		      (unsigned long long)size, now() - t0, hash == src_hash ? "matches" : "DIFFERS");
	assert_int_equal(size, BIG);
	assert_true(hash == src_hash);
}

/* Reads [off, off + len) of dst_path and compares with the source's. */
static void check_region(const struct copy_strategy *s, uint64_t dst_off,
			 uint64_t src_off, size_t len, unsigned char *buf)
{
	unsigned char *want = buf + len;
	int fd = open(dst_path, O_RDONLY | O_CLOEXEC);
	off_t end;

	assert_true(fd >= 0);
	end = lseek(fd, 0, SEEK_END);
	assert_int_equal(conform_pread_all(fd, buf, len, dst_off), 0);
	close(fd);
	pattern_at(src_off, len, want);
	if ((uint64_t)end != dst_off + len || memcmp(buf, want, len))
		print_message("# FAIL %s: range %llu+%zu -> %llu: %s\n",
			      s->name, (unsigned long long)src_off, len,
			      (unsigned long long)dst_off,
			      (uint64_t)end != dst_off + len ? "wrong size"
							      : "wrong bytes");
	assert_int_equal(end, dst_off + len);
	assert_memory_equal(buf, want, len);
}

/* Every range-capable strategy, with source and destination offsets past
 * 2 GiB (and 4 GiB): cheap, as the destination stays sparse. */
static void test_high_ranges(void **state)
{
	unsigned char *buf = malloc(2 * 65537 + 2 * 8193);
	unsigned tested = 0;

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < strategy_count(); i++) {
		const struct copy_strategy *s = strategy_at(i);
		bool aligned = s->flags & COPY_RANGES_ALIGNED;
		/* the source range reaches EOF; the destination one is far */
		const struct copy_range cases[] = {
			aligned ? (struct copy_range){ BIG - 4097 - ALIGN, 0,
						       ALIGN + 4097 }
				: (struct copy_range){ BIG - 8193, 3, 8193 },
			aligned ? (struct copy_range){ 0, 4 * GiB, 65536 }
				: (struct copy_range){ 1, 4 * GiB + 1, 65537 },
		};
		char why[256];

		if (!(s->flags & COPY_RANGES))
			continue;
		if (strategy_probe(s, dir, why, sizeof(why))) {
			print_message("# %s: not usable here: %s\n", s->name,
				      why);
			continue;
		}
		for (size_t c = 0; c < 2; c++) {
			int ret = copy_range_to(s, O_CREAT | O_TRUNC, &cases[c]);

			if (ret)
				print_message("# FAIL %s: range %llu+%llu -> %llu: %s\n",
					      s->name,
					      (unsigned long long)cases[c].src_off,
					      (unsigned long long)cases[c].len,
					      (unsigned long long)cases[c].dst_off,
					      strerror(-ret));
			assert_int_equal(ret, 0);
			check_region(s, cases[c].dst_off, cases[c].src_off,
				     cases[c].len, buf);
		}
		unlink(dst_path);
		print_message("# %s: ranges past 2 GiB ok\n", s->name);
		tested++;
	}
	free(buf);
	assert_true(tested > 0);
}

static int group_setup(void **state)
{
	double t0 = now();
	int ret;

	(void)state;
	ret = make_source();
	if (ret) {
		fprintf(stderr, "cannot write the %llu byte source: %s\n", BIG,
			strerror(-ret));
		return -1;
	}
	print_message("# source of %llu bytes written in %.1f s\n", BIG,
		      now() - t0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* sendfile's 0x7ffff000 per call; 32-bit sizes; 1 GiB chunks */
		{ "sendfile, 2 GiB + 4097", test_whole, NULL, NULL, "sendfile" },
		{ "copy_file_range, 2 GiB + 4097", test_whole, NULL, NULL,
		  "copy_file_range" },
		{ "rw, 2 GiB + 4097", test_whole, NULL, NULL, "rw" },
		{ "io_uring, 2 GiB + 4097", test_whole, NULL, NULL, "io_uring" },
		cmocka_unit_test(test_high_ranges),
	};
	struct statvfs sv;
	int ret, status;

	ret = conform_mkdtemp(dir, sizeof(dir), NULL, "big");
	if (ret) {
		fprintf(stderr, "cannot make a test directory: %s\n",
			strerror(-ret));
		return 1;
	}
	/* source + one copy at a time, plus headroom for everyone else */
	if (statvfs(dir, &sv) ||
	    (uint64_t)sv.f_bavail * sv.f_frsize < 2 * BIG + 1 * GiB) {
		printf("SKIP: %s has less than %llu MiB free\n", dir,
		       (2 * BIG + GiB) / MiB);
		status = 77;
		goto out_rmdir;
	}
	pool = malloc(MiB);
	if (!pool || conform_fill_random(pool, MiB)) {
		status = 1;
		goto out_rmdir;
	}
	snprintf(src_path, sizeof(src_path), "%.4000s/src", dir);
	snprintf(dst_path, sizeof(dst_path), "%.4000s/dst", dir);
	status = cmocka_run_group_tests_name("big files", tests, group_setup,
					     NULL) ? 1 : 0;
out_rmdir:
	free(pool);
	ret = conform_rmtree(dir);
	if (ret)
		fprintf(stderr, "cannot remove %s: %s\n", dir, strerror(-ret));
	return status;
}
