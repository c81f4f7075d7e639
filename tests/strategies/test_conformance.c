// SPDX-License-Identifier: MIT
/*
 * Conformance of one registered copy strategy to the vtable contract: whole
 * files of awkward sizes, byte ranges, a file split across threads, sparse
 * sources and longer destinations, each compared byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <cmocka.h>
#include <xxhash.h>

#include "params.h"
#include "conf_util.h"

#define KiB 1024ull
#define MiB (1024 * KiB)
#define ALIGN 4096ull		/* enough for any COPY_RANGES_ALIGNED strategy */
#define MAX_FILE (8 * MiB + 1)
#define POOL_SLACK 4093		/* prime: each size cuts the pool elsewhere */
#define SCRATCH (16 * MiB)	/* read-back and expected-content buffers */
#define RANGE_SRC (1 * MiB + 13)
#define PREFILL (2 * MiB + 7)	/* an existing destination's length */
#define SHARED_FILE (64 * MiB)
#define MAX_VARIANTS 16

struct conf {
	const struct copy_strategy *s;
	char dir[PATH_MAX];
	bool expect_shared;
	struct test_params variants[MAX_VARIANTS];
	size_t nvariants;
	unsigned char *pool;	/* random bytes every source is cut from */
	unsigned char *back;	/* a destination read back */
	unsigned char *expect;	/* what a destination should hold */
	unsigned fails;		/* failed checks in the current test */
	unsigned checks;	/* copies verified in the current test */
};

static struct conf conf;

/* Records one failed check and goes on, so a run lists every failure. */
static void __attribute__((format(printf, 2, 3)))
failf(const struct test_params *p, const char *fmt, ...)
{
	char ps[64];
	va_list ap;

	conf_params_str(conf.s, p, ps, sizeof(ps));
	printf("# FAIL %s [%s]: ", conf.s->name, ps);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	conf.fails++;
}

static void path_in(char *out, size_t len, const char *name)
{
	assert_true(snprintf(out, len, "%s/%s", conf.dir, name) < (int)len);
}

/* The content of the source file of `size` bytes. */
static const unsigned char *content(uint64_t size)
{
	return conf.pool + size % POOL_SLACK;
}

/* Path of the source of `size` bytes, created on first use. */
static int source_for(uint64_t size, char *path, size_t len)
{
	struct stat st;

	if (snprintf(path, len, "%s/src-%llu", conf.dir,
		     (unsigned long long)size) >= (int)len)
		return -ENAMETOOLONG;
	if (!stat(path, &st) && (uint64_t)st.st_size == size)
		return 0;
	return conf_write_file(path, content(size), size);
}

/* Closes both ends; a failed close of dst (lost write) is an error too. */
static int close_pair(int src, int dst, int ret)
{
	close(src);
	if (close(dst) && !ret)
		ret = -errno;
	return ret;
}

/* dst must hold exactly `size` bytes equal to want: size, XXH3, memcmp. */
static bool check_file(const struct test_params *p, const char *what,
		       const char *path, const unsigned char *want,
		       uint64_t size)
{
	struct stat st;
	int fd, ret;

	assert_true(size <= SCRATCH);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		failf(p, "%s: cannot open %s: %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if ((uint64_t)st.st_size != size) {
		failf(p, "%s: destination has %lld bytes, expected %llu", what,
		      (long long)st.st_size, (unsigned long long)size);
		close(fd);
		return false;
	}
	ret = conf_pread_all(fd, conf.back, size, 0);
	close(fd);
	if (ret) {
		failf(p, "%s: reading the destination: %s", what,
		      strerror(-ret));
		return false;
	}
	if (XXH3_64bits(conf.back, size) != XXH3_64bits(want, size) ||
	    memcmp(conf.back, want, size)) {
		uint64_t i = 0;

		while (i < size && conf.back[i] == want[i])
			i++;
		failf(p, "%s: content differs from byte %llu on", what,
		      (unsigned long long)i);
		return false;
	}
	conf.checks++;
	return true;
}

/* Copies r from src_path into dst_path (opened with dst_flags) once. */
static int copy_paths(const struct test_params *p, const char *src_path,
		      const char *dst_path, int dst_flags,
		      const struct copy_range *r)
{
	int src, dst, ret;

	ret = conf_open_pair(conf.s, p, src_path, dst_path, dst_flags, &src,
			     &dst);
	if (ret)
		return ret;
	ret = test_copy_once(conf.s, p, src, dst, r);
	return close_pair(src, dst, ret);
}

/* A whole-file copy as the harness does it: dst created and truncated. */
static void copy_whole(const struct test_params *p, const char *src,
		       const unsigned char *want, uint64_t size,
		       const char *what)
{
	struct copy_range r = { .len = size };
	char dst[PATH_MAX];
	int ret;

	path_in(dst, sizeof(dst), "dst");
	ret = copy_paths(p, src, dst, O_CREAT | O_TRUNC, &r);
	if (ret) {
		failf(p, "%s: copy failed: %s", what, strerror(-ret));
		return;
	}
	check_file(p, what, dst, want, size);
}

static void finish(const char *test)
{
	printf("# %s %s: %u copies verified, %u failures\n", conf.s->name,
	       test, conf.checks, conf.fails);
	assert_int_equal(conf.fails, 0);
}

/* ---- whole files ---- */

static void test_whole_files(void **state)
{
	(void)state;
	for (size_t v = 0; v < conf.nvariants; v++) {
		const struct test_params *p = &conf.variants[v];
		/* a strategy without a buffer: sizes around 128K anyway */
		uint64_t buf = test_resolve(conf.s, p).buffer_size ?
			       test_resolve(conf.s, p).buffer_size : 128 * KiB;
		const uint64_t sizes[] = { 0,	  1,	 511,	  512,
					   4095,  4096,	 4097,	  65535,
					   65537, buf - 1, buf + 1, MiB + 13,
					   MAX_FILE };

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			char src[PATH_MAX], what[64];

			snprintf(what, sizeof(what), "whole file of %llu bytes",
				 (unsigned long long)sizes[i]);
			assert_int_equal(source_for(sizes[i], src, sizeof(src)),
					 0);
			copy_whole(p, src, content(sizes[i]), sizes[i], what);
		}
	}
	finish("whole files");
}

/* ---- byte ranges ---- */

struct range_case {
	struct copy_range r;
	int want;		/* 0, or the error the contract asks for */
};

static const struct range_case odd_ranges[] = {
	{ { 0, 0, 0 }, 0 },
	{ { 1, 0, 4095 }, 0 },
	{ { 4097, 13, 65537 }, 0 },
	{ { 12345, 777777, 100000 }, 0 },
	{ { RANGE_SRC - 13, 5, 13 }, 0 },
	{ { RANGE_SRC - 70001, 1, 70001 }, 0 },
	{ { RANGE_SRC - 100, 0, 200 }, -ENODATA },	/* source ends first */
};

/* Offsets multiples of ALIGN; only ranges ending at EOF have odd lengths. */
static const struct range_case aligned_ranges[] = {
	{ { 0, 0, 0 }, 0 },
	{ { ALIGN, 0, 2 * ALIGN }, 0 },
	{ { 16 * ALIGN, 3 * ALIGN, 32 * ALIGN }, 0 },
	{ { RANGE_SRC - 13, 2 * ALIGN, 13 }, 0 },
	{ { RANGE_SRC - 13 - 5 * ALIGN, 7 * ALIGN, 5 * ALIGN + 13 }, 0 },
	{ { RANGE_SRC - 13, 0, 2 * ALIGN }, -ENODATA },
};

static bool aligned_only(void)
{
	return conf.s->flags & COPY_RANGES_ALIGNED;
}

/*
 * One range into an empty destination, or into an existing one of PREFILL
 * bytes of 0xa5 whose bytes outside the range must not change.
 */
static void copy_one_range(const struct test_params *p, const char *src,
			   const struct range_case *c, bool prefilled)
{
	const struct copy_range *r = &c->r;
	uint64_t end = r->dst_off + r->len, size;
	char dst[PATH_MAX], what[128];
	int ret;

	snprintf(what, sizeof(what), "range src_off=%llu dst_off=%llu len=%llu into %s destination",
		 (unsigned long long)r->src_off, (unsigned long long)r->dst_off,
		 (unsigned long long)r->len, prefilled ? "an existing" : "an empty");
	path_in(dst, sizeof(dst), "dst");
	if (prefilled) {
		memset(conf.expect, 0xa5, PREFILL);
		assert_int_equal(conf_write_file(dst, conf.expect, PREFILL), 0);
		size = end > PREFILL ? end : PREFILL;
	} else {
		memset(conf.expect, 0, SCRATCH);
		size = r->len ? end : 0;
	}
	ret = copy_paths(p, src, dst, prefilled ? 0 : O_CREAT | O_TRUNC, r);
	if (ret != c->want) {
		failf(p, "%s: returned %s, expected %s", what,
		      ret ? strerror(-ret) : "success",
		      c->want ? strerror(-c->want) : "success");
		return;
	}
	if (c->want)
		return;
	memcpy(conf.expect + r->dst_off, content(RANGE_SRC) + r->src_off,
	       r->len);
	check_file(p, what, dst, conf.expect, size);
}

static void test_ranges(void **state)
{
	const struct range_case *cases = aligned_only() ? aligned_ranges
							: odd_ranges;
	size_t n = aligned_only() ? sizeof(aligned_ranges) / sizeof(cases[0])
				  : sizeof(odd_ranges) / sizeof(cases[0]);
	char src[PATH_MAX];

	(void)state;
	if (!(conf.s->flags & COPY_RANGES)) {
		print_message("# %s: not range-capable (no COPY_RANGES)\n",
			      conf.s->name);
		skip();
	}
	assert_int_equal(source_for(RANGE_SRC, src, sizeof(src)), 0);
	for (size_t v = 0; v < conf.nvariants; v++) {
		for (size_t i = 0; i < n; i++) {
			copy_one_range(&conf.variants[v], src, &cases[i], false);
			/* an odd-length range in the middle of an existing
			 * O_DIRECT destination is outside the contract */
			if (!aligned_only() || cases[i].r.len % ALIGN == 0)
				copy_one_range(&conf.variants[v], src,
					       &cases[i], true);
		}
	}
	finish("ranges");
}

/* ---- one file split across threads ---- */

struct part {
	const struct test_params *p;
	const char *src, *dst;
	struct copy_range r;
	int ret;
};

/* A worker as the harness runs one: its own descriptors and state. */
static void *copy_part(void *arg)
{
	struct part *part = arg;

	part->ret = copy_paths(part->p, part->src, part->dst, 0, &part->r);
	return NULL;
}

static void test_split_ranges(void **state)
{
	/* aligned split points for COPY_RANGES_ALIGNED, odd ones otherwise */
	const uint64_t odd[] = { 0, 349525, 699051, RANGE_SRC };
	const uint64_t aligned[] = { 0, 85 * ALIGN, 170 * ALIGN, RANGE_SRC };
	const uint64_t *cut = aligned_only() ? aligned : odd;
	char src[PATH_MAX], dst[PATH_MAX];

	(void)state;
	if (!(conf.s->flags & COPY_RANGES)) {
		print_message("# %s: not range-capable (no COPY_RANGES)\n",
			      conf.s->name);
		skip();
	}
	assert_int_equal(source_for(RANGE_SRC, src, sizeof(src)), 0);
	path_in(dst, sizeof(dst), "dst");
	for (size_t v = 0; v < conf.nvariants; v++) {
		struct part parts[3];
		pthread_t tid[3];

		assert_int_equal(conf_write_file(dst, NULL, 0), 0);
		for (int i = 0; i < 3; i++) {
			parts[i] = (struct part){
				.p = &conf.variants[v], .src = src, .dst = dst,
				.r = { cut[i], cut[i], cut[i + 1] - cut[i] },
			};
			assert_int_equal(pthread_create(&tid[i], NULL,
							copy_part, &parts[i]),
					 0);
		}
		for (int i = 0; i < 3; i++)
			pthread_join(tid[i], NULL);
		for (int i = 0; i < 3; i++)
			if (parts[i].ret)
				failf(&conf.variants[v],
				      "split copy, part %d (%llu+%llu): %s", i,
				      (unsigned long long)parts[i].r.src_off,
				      (unsigned long long)parts[i].r.len,
				      strerror(-parts[i].ret));
		check_file(&conf.variants[v], "file split across 3 threads",
			   dst, content(RANGE_SRC), RANGE_SRC);
	}
	finish("split ranges");
}

/* ---- sparse sources ---- */

struct extent {
	uint64_t off, len;
};

/* Makes path a file of `size` bytes with data only in ext[], holes
 * elsewhere; the same content lands in conf.expect. */
static void make_sparse(const char *path, uint64_t size,
			const struct extent *ext, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	memset(conf.expect, 0, size);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *data = content(ext[i].off);

		memcpy(conf.expect + ext[i].off, data, ext[i].len);
		assert_int_equal(conf_pwrite_all(fd, data, ext[i].len,
						 ext[i].off),
				 0);
	}
	assert_int_equal(ftruncate(fd, size), 0);
	assert_int_equal(close(fd), 0);
}

/* Prints (does not assert) whether the copy kept the source's holes. */
static void report_holes(const struct test_params *p, const char *what,
			 const char *src, const char *dst)
{
	struct stat ss, ds;
	char ps[64];
	off_t hole = -1;
	int fd = open(dst, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		hole = lseek(fd, 0, SEEK_HOLE);
		close(fd);
	}
	if (stat(src, &ss) || stat(dst, &ds))
		return;
	conf_params_str(conf.s, p, ps, sizeof(ps));
	printf("# %s [%s]: %s: holes %s (source %lld KiB allocated, copy %lld KiB)\n",
	       conf.s->name, ps, what,
	       hole >= 0 && hole < ds.st_size ? "preserved" : "filled",
	       (long long)ss.st_blocks / 2, (long long)ds.st_blocks / 2);
}

static void test_sparse_sources(void **state)
{
	/* holes at the start, in the middle and at the end */
	const struct extent holey[] = {
		{ 1 * MiB, 64 * KiB + 3 },
		{ 2 * MiB + 5, 1 * MiB - 5 },
	};
	const struct {
		const char *what;
		uint64_t size;
		const struct extent *ext;
		size_t n;
	} files[] = {
		{ "sparse file (holes at start, middle, end)", 4 * MiB + 17,
		  holey, 2 },
		{ "all-hole file", 3 * MiB + 1, NULL, 0 },
	};
	char src[PATH_MAX], dst[PATH_MAX];

	(void)state;
	path_in(src, sizeof(src), "sparse-src");
	path_in(dst, sizeof(dst), "dst");
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		make_sparse(src, files[f].size, files[f].ext, files[f].n);
		for (size_t v = 0; v < conf.nvariants; v++) {
			copy_whole(&conf.variants[v], src, conf.expect,
				   files[f].size, files[f].what);
			report_holes(&conf.variants[v], files[f].what, src,
				     dst);
		}
	}
	finish("sparse sources");
}

/* ---- an existing, longer destination ---- */

static void test_longer_destination(void **state)
{
	const uint64_t sizes[] = { 0, 65537, MiB + 13 };
	char src[PATH_MAX], dst[PATH_MAX], what[96];

	(void)state;
	path_in(dst, sizeof(dst), "dst");
	memset(conf.expect, 0xcd, 3 * MiB);
	for (size_t v = 0; v < conf.nvariants; v++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			snprintf(what, sizeof(what),
				 "%llu bytes over an existing 3 MiB file",
				 (unsigned long long)sizes[i]);
			assert_int_equal(source_for(sizes[i], src, sizeof(src)),
					 0);
			assert_int_equal(conf_write_file(dst, conf.expect,
							 3 * MiB),
					 0);
			copy_whole(&conf.variants[v], src, content(sizes[i]),
				   sizes[i], what);
		}
	}
	finish("longer destination");
}

/* ---- clones share extents (reflink, with --expect-shared) ---- */

/* Counts the extents of path and how many are shared with another file. */
static int count_extents(const char *path, unsigned *total, unsigned *shared)
{
	enum { BATCH = 128 };
	struct fiemap *fm;
	int fd, ret = 0;

	fm = calloc(1, sizeof(*fm) + BATCH * sizeof(struct fiemap_extent));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!fm || fd < 0) {
		ret = fm ? -errno : -ENOMEM;
		goto out;
	}
	*total = *shared = 0;
	for (;;) {
		struct fiemap_extent *last;

		fm->fm_length = FIEMAP_MAX_OFFSET - fm->fm_start;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
			ret = -errno;
			break;
		}
		if (!fm->fm_mapped_extents)
			break;
		for (unsigned i = 0; i < fm->fm_mapped_extents; i++) {
			++*total;
			if (fm->fm_extents[i].fe_flags & FIEMAP_EXTENT_SHARED)
				++*shared;
		}
		last = &fm->fm_extents[fm->fm_mapped_extents - 1];
		if (last->fe_flags & FIEMAP_EXTENT_LAST)
			break;
		fm->fm_start = last->fe_logical + last->fe_length;
	}
out:
	if (fd >= 0)
		close(fd);
	free(fm);
	return ret;
}

static void test_shared_extents(void **state)
{
	const struct test_params *p = &conf.variants[0];
	struct copy_range r = { .len = SHARED_FILE };
	char src[PATH_MAX], dst[PATH_MAX];
	uint64_t sh, dh, ssz, dsz;
	unsigned total = 0, shared = 0;
	int fd, ret;

	(void)state;
	path_in(src, sizeof(src), "shared-src");
	path_in(dst, sizeof(dst), "shared-dst");
	fd = open(src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	for (uint64_t off = 0; off < SHARED_FILE; off += 8 * MiB)
		assert_int_equal(conf_pwrite_all(fd, conf.pool + off / MiB,
						 8 * MiB, off),
				 0);
	/* allocated extents: a delayed-allocation file has none to share */
	assert_int_equal(fsync(fd), 0);
	assert_int_equal(close(fd), 0);

	ret = copy_paths(p, src, dst, O_CREAT | O_TRUNC, &r);
	if (ret)
		failf(p, "64 MiB clone: %s", strerror(-ret));
	assert_int_equal(ret, 0);
	assert_int_equal(conf_hash_file(src, &sh, &ssz), 0);
	assert_int_equal(conf_hash_file(dst, &dh, &dsz), 0);
	assert_int_equal(dsz, ssz);
	assert_true(dh == sh);
	assert_int_equal(count_extents(dst, &total, &shared), 0);
	printf("# %s on %s: clone of 64 MiB has %u extents, %u shared\n",
	       conf.s->name, strategy_fs_name(conf.dir), total, shared);
	assert_true(total > 0);
	assert_int_equal(shared, total);
}

/* ---- driver ---- */

/* The parameter sets every test runs with: buffer sizes for a buffer option,
 * O_DIRECT on and off where optional, extreme queue depths, SQPOLL. */
static void make_variants(const struct copy_strategy *s)
{
	static const size_t bufs[] = { 4 * KiB, 64 * KiB, 1 * MiB };
	size_t nbuf = test_has_option(s, "buffer") ? 3 : 1;
	int ndirect = test_has_option(s, "direct") ? 2 : 1;
	size_t small = test_has_option(s, "buffer") ? 4 * KiB : 0;

	conf.nvariants = 0;
	for (size_t b = 0; b < nbuf; b++)
		for (int d = 0; d < ndirect; d++)
			conf.variants[conf.nvariants++] = (struct test_params){
				.buffer_size = nbuf > 1 ? bufs[b] : 0,
				.direct = d,
			};
	if (test_has_option(s, "qd")) {
		conf.variants[conf.nvariants++] = (struct test_params){
			.buffer_size = small, .queue_depth = 1 };
		conf.variants[conf.nvariants++] = (struct test_params){
			.buffer_size = small, .queue_depth = 256 };
	}
	if (test_has_option(s, "sqpoll"))
		conf.variants[conf.nvariants++] = (struct test_params){
			.sqpoll = true };
}

static int group_setup(void **state)
{
	(void)state;
	conf.pool = malloc(MAX_FILE + POOL_SLACK);
	conf.back = malloc(SCRATCH);
	conf.expect = malloc(SCRATCH);
	if (!conf.pool || !conf.back || !conf.expect)
		return -1;
	return conf_fill_random(conf.pool, MAX_FILE + POOL_SLACK) ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(conf.pool);
	free(conf.back);
	free(conf.expect);
	return 0;
}

static int test_setup(void **state)
{
	(void)state;
	conf.fails = conf.checks = 0;
	return 0;
}

static int run_group(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_whole_files, test_setup),
		cmocka_unit_test_setup(test_ranges, test_setup),
		cmocka_unit_test_setup(test_split_ranges, test_setup),
		cmocka_unit_test_setup(test_sparse_sources, test_setup),
		cmocka_unit_test_setup(test_longer_destination, test_setup),
		cmocka_unit_test_setup(test_shared_extents, test_setup),
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);

	make_variants(conf.s);
	if (!conf.expect_shared)
		n--;
	return _cmocka_run_group_tests(conf.s->name, tests, n, group_setup,
				       group_teardown) ? 1 : 0;
}

/* The registry holds exactly the strategies meson runs this test for. */
static int check_registry(const char *list)
{
	char *copy = strdup(list), *save = NULL;
	size_t listed = 0;
	int status = 0;

	for (char *name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save), listed++) {
		if (!strategy_find(name)) {
			printf("FAIL: %s is tested but not registered\n", name);
			status = 1;
		}
	}
	for (size_t i = 0; i < strategy_count(); i++) {
		const char *name = strategy_at(i)->name;
		size_t n = strlen(name);
		const char *hit = strstr(list, name);

		while (hit && ((hit != list && hit[-1] != ',') ||
			       (hit[n] && hit[n] != ',')))
			hit = strstr(hit + 1, name);
		if (!hit) {
			printf("FAIL: strategy %s has no conformance test: add it to tests/strategies/meson.build\n",
			       name);
			status = 1;
		}
	}
	if (listed != strategy_count())
		status = 1;
	printf("%s: %zu registered, %zu tested\n", status ? "FAIL" : "PASS",
	       strategy_count(), listed);
	free(copy);
	return status;
}

/*
 * The probe must refuse the strategy on filesystem `fs` with a reason that
 * names it (reflink on ext4). Skips when the test dir is another fs.
 */
static int check_unusable(const struct copy_strategy *s, const char *fs)
{
	const char *here = strategy_fs_name(conf.dir);
	char why[256];
	int ret;

	if (strcmp(here, fs)) {
		printf("SKIP: %s is on %s, not %s\n", conf.dir, here, fs);
		return CONF_EXIT_SKIP;
	}
	ret = strategy_probe(s, conf.dir, why, sizeof(why));
	if (ret == -ENOSYS) {
		printf("SKIP: %s: %s\n", s->name, why);
		return CONF_EXIT_SKIP;
	}
	if (!ret) {
		printf("FAIL: %s probe says usable on %s\n", s->name, fs);
		return 1;
	}
	if (!strstr(why, fs)) {
		printf("FAIL: %s refused on %s, but the reason does not name it: \"%s\" (%s)\n",
		       s->name, fs, why, strerror(-ret));
		return 1;
	}
	printf("PASS: %s on %s: \"%s\" (%s)\n", s->name, fs, why,
	       strerror(-ret));
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: test_conformance [--dir DIR] [--expect-shared] STRATEGY\n"
		"       test_conformance [--dir DIR] --expect-unusable FS STRATEGY\n"
		"       test_conformance --registry NAME,NAME,...\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "expect-shared", no_argument, NULL, 's' },
		{ "expect-unusable", required_argument, NULL, 'u' },
		{ "registry", required_argument, NULL, 'r' },
		{ 0 },
	};
	const char *base = NULL, *unusable = NULL;
	char why[256];
	int c, ret, status;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			base = optarg;
			break;
		case 's':
			conf.expect_shared = true;
			break;
		case 'u':
			unusable = optarg;
			break;
		case 'r':
			return check_registry(optarg);
		default:
			return usage();
		}
	}
	if (optind != argc - 1)
		return usage();
	conf.s = strategy_find(argv[optind]);
	if (!conf.s) {
		fprintf(stderr, "no strategy named %s\n", argv[optind]);
		return 1;
	}
	ret = conf_mkdtemp(conf.dir, sizeof(conf.dir), base, "conf");
	if (ret) {
		fprintf(stderr, "cannot make a test directory: %s\n",
			strerror(-ret));
		return 1;
	}
	if (unusable) {
		status = check_unusable(conf.s, unusable);
		goto out_rmdir;
	}
	ret = strategy_probe(conf.s, conf.dir, why, sizeof(why));
	if (ret) {
		/* a clone test that finds the strategy unusable where it
		 * must work fails, unless the strategy is not built yet */
		bool fail = conf.expect_shared && ret != -ENOSYS;

		printf("%s: %s is not usable in %s (%s): %s\n",
		       fail ? "FAIL" : "SKIP", conf.s->name, conf.dir,
		       strategy_fs_name(conf.dir), why);
		status = fail ? 1 : CONF_EXIT_SKIP;
		goto out_rmdir;
	}
	status = run_group();
out_rmdir:
	ret = conf_rmtree(conf.dir);
	if (ret)
		fprintf(stderr, "cannot remove %s: %s\n", conf.dir,
			strerror(-ret));
	return status;
}
