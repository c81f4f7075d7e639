// SPDX-License-Identifier: MIT
/*
 * io_uring, odirect, libaio and reflink driven directly through the vtable
 * on an ext4-like scratch directory: sizes around the O_DIRECT alignment,
 * queue depths, ranges, offsets past 4 GiB, and the errors they promise.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "params.h"
#include "strategies.h"

#define MIB (1024u * 1024)

static const uint64_t sizes[] = {
	0, 1, 511, 4095, 4096, 4097, MIB + 13, 8 * MIB + 1,
};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* room for tmpdir plus a file name */
#define PATH_LEN (PATH_MAX + 64)

static char tmpdir[PATH_MAX];
static char *content[NSIZES]; /* what source file i holds */

/*
 * xorshift64*: reproducible random bytes without depending on the
 * datasets module, so a failure here points at the strategies only.
 */
static void fill_random(char *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		buf[i] = (char)((x * 0x2545f4914f6cdd1dull) >> 56);
	}
}

static void path_of(char *out, const char *name)
{
	snprintf(out, PATH_LEN, "%s/%s", tmpdir, name);
}

static void write_file(const char *name, const char *buf, uint64_t len,
		       uint64_t off)
{
	char path[PATH_LEN];
	int fd;

	path_of(path, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	for (uint64_t done = 0; done < len;) {
		ssize_t n = pwrite(fd, buf + done, len - done, off + done);

		assert_true(n > 0);
		done += n;
	}
	if (!len)
		assert_int_equal(ftruncate(fd, off), 0);
	assert_int_equal(close(fd), 0);
}

/* Asserts file `name` is `len` bytes at `off` equal to buf, size off+len. */
static void assert_file(const char *name, const char *buf, uint64_t len,
			uint64_t off)
{
	char path[PATH_LEN];
	struct stat st;
	char *got = malloc(len ? len : 1);
	uint64_t done = 0;
	int fd;

	assert_non_null(got);
	path_of(path, name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, off + len);
	while (done < len) {
		ssize_t n = pread(fd, got + done, len - done, off + done);

		assert_true(n > 0);
		done += n;
	}
	close(fd);
	assert_memory_equal(got, buf, len);
	free(got);
}

static int open_pair(const struct copy_strategy *s, const struct test_params *p,
		     const char *src_name, const char *dst_name, int dst_flags,
		     int *dst)
{
	char path[PATH_LEN];
	int extra = test_open_flags(s, p), src;

	path_of(path, src_name);
	src = open(path, O_RDONLY | extra);
	assert_true(src >= 0);
	path_of(path, dst_name);
	*dst = open(path, O_WRONLY | O_CREAT | dst_flags | extra, 0600);
	assert_true(*dst >= 0);
	return src;
}

/* One copy of r with an existing state, through fresh descriptors. */
static int copy_with(const struct copy_strategy *s, const struct test_params *p,
		     void *state, const char *src_name, const char *dst_name,
		     int dst_flags, const struct copy_range *r)
{
	int dst, src = open_pair(s, p, src_name, dst_name, dst_flags, &dst);
	int ret = s->copy(state, src, dst, r);

	close(src);
	assert_int_equal(close(dst), 0);
	return ret;
}

/* setup() for s with p; NULL + skip when the machine refuses it (SQPOLL). */
static void *setup_or_skip(const struct copy_strategy *s,
			   const struct test_params *in)
{
	/* the strategy's own options struct, not test_params */
	void *opts = test_options(s, in);
	void *state = calloc(1, s->state_size ? s->state_size : 1);
	int ret;

	assert_non_null(state);
	ret = s->setup ? s->setup(state, opts) : 0;
	free(opts);
	if (ret && in->sqpoll &&
	    (ret == -EPERM || ret == -EINVAL || ret == -EOPNOTSUPP)) {
		print_message("SKIP: %s setup with SQPOLL: %s\n", s->name,
			      strerror(-ret));
		s->teardown(state);
		free(state);
		skip();
	}
	if (ret)
		print_message("%s setup: %s\n", s->name, strerror(-ret));
	assert_int_equal(ret, 0);
	return state;
}

static void free_state(const struct copy_strategy *s, void *state)
{
	if (s->teardown)
		s->teardown(state);
	free(state);
}

static void skip_unusable(const struct copy_strategy *s)
{
	char why[256];

	if (strategy_probe(s, tmpdir, why, sizeof(why))) {
		print_message("SKIP: %s: %s\n", s->name, why);
		skip();
	}
}

/* Every size with one state (as a batched sample reuses it). */
static void copy_all_sizes(const struct copy_strategy *s,
			   const struct test_params *in)
{
	struct test_params p = test_resolve(s, in);
	void *state;

	skip_unusable(s);
	state = setup_or_skip(s, in);
	for (size_t i = 0; i < NSIZES; i++) {
		struct copy_range r = { 0, 0, sizes[i] };
		char src[32];
		int ret;

		snprintf(src, sizeof(src), "src-%zu", i);
		ret = copy_with(s, &p, state, src, "dst", O_TRUNC, &r);
		if (ret)
			print_message("%s size %llu: %s\n", s->name,
				      (unsigned long long)sizes[i],
				      strerror(-ret));
		assert_int_equal(ret, 0);
		assert_file("dst", content[i], sizes[i], 0);
	}
	free_state(s, state);
}

/* copy_all_sizes() at queue depths 1, 4 and 32, base's other options. */
static void copy_queue_depths(const struct copy_strategy *s,
			      struct test_params base)
{
	static const unsigned qds[] = { 1, 4, 32 };

	for (size_t i = 0; i < sizeof(qds) / sizeof(qds[0]); i++) {
		base.queue_depth = qds[i];
		copy_all_sizes(s, &base);
	}
}

static void test_io_uring_buffered(void **unused)
{
	(void)unused;
	/* the defaults: 256K requests, 8 in flight */
	copy_all_sizes(&strategy_io_uring, &(struct test_params){ 0 });
	copy_queue_depths(&strategy_io_uring, (struct test_params){ 0 });
	/* many chunks per file, and a buffer that is not a page multiple */
	copy_all_sizes(
		&strategy_io_uring,
		&(struct test_params){ .buffer_size = 5000, .queue_depth = 3 });
}

static void test_io_uring_direct(void **unused)
{
	(void)unused;
	copy_queue_depths(&strategy_io_uring,
			  (struct test_params){ .direct = true });
	copy_all_sizes(&strategy_io_uring,
		       &(struct test_params){ .buffer_size = 4096,
					      .queue_depth = 8,
					      .direct = true });
}

static void test_io_uring_sqpoll(void **unused)
{
	(void)unused;
	copy_all_sizes(
		&strategy_io_uring,
		&(struct test_params){ .queue_depth = 8, .sqpoll = true });
	copy_all_sizes(&strategy_io_uring,
		       &(struct test_params){ .queue_depth = 8,
					      .sqpoll = true,
					      .direct = true });
}

static void test_odirect(void **unused)
{
	(void)unused;
	copy_all_sizes(&strategy_odirect, &(struct test_params){ 0 });
	copy_all_sizes(&strategy_odirect,
		       &(struct test_params){ .buffer_size = 4096 });
	copy_all_sizes(&strategy_odirect,
		       &(struct test_params){ .buffer_size = 5000 });
}

static void test_libaio(void **unused)
{
	(void)unused;
	copy_queue_depths(&strategy_libaio, (struct test_params){ 0 });
	copy_all_sizes(
		&strategy_libaio,
		&(struct test_params){ .buffer_size = 4096, .queue_depth = 5 });
}

/*
 * The chunk state machine all three share, fed the short transfers a real
 * device rarely produces on demand: each step is (phase, res) -> result.
 */
static void test_chunk_short_transfers(void **unused)
{
	static const struct {
		unsigned align;
		size_t need;
		struct {
			size_t res;
			int want;     /* strategy_chunk_advance() result */
			bool writing; /* phase afterwards */
			size_t left;  /* io_len - done afterwards */
		} steps[5];
	} cases[] = {
		/* O_DIRECT tail: 4097 bytes move as 4608, read in two */
		{ 512,
		  4097,
		  { { 2048, 0, false, 2560 },
		    { 2049, 0, true, 4608 },
		    { 4000, 0, true, 608 },
		    { 608, 1, true, 0 } } },
		/* aligned short read not at EOF: resumed */
		{ 512,
		  8192,
		  { { 4096, 0, false, 4096 },
		    { 4096, 0, true, 8192 },
		    { 8192, 1, true, 0 } } },
		/* short read ending off the alignment: the source ended */
		{ 512, 8192, { { 1000, -ENODATA, false, 0 } } },
		/* buffered: any short read resumes, 0 is EOF */
		{ 1, 100, { { 30, 0, false, 70 }, { 0, -ENODATA, false, 0 } } },
		/* buffered: a write that moves nothing is an error */
		{ 1, 100, { { 100, 0, true, 100 }, { 0, -EIO, true, 0 } } },
	};
	char buf[8192];

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strategy_dio d = { .mem_align = cases[i].align,
					  .off_align = cases[i].align };
		struct strategy_chunk c = { .buf = buf };

		memset(buf, 0x77, sizeof(buf));
		strategy_chunk_start(&c, &d, 0, cases[i].need);
		for (size_t k = 0;
		     k < 5 && cases[i].steps[k].res + cases[i].steps[k].want;
		     k++) {
			int ret = strategy_chunk_advance(&c, &d,
							 cases[i].steps[k].res);

			assert_int_equal(ret, cases[i].steps[k].want);
			if (ret < 0)
				break;
			assert_int_equal(c.writing, cases[i].steps[k].writing);
			assert_int_equal(c.io_len - c.done,
					 cases[i].steps[k].left);
		}
		if (i)
			continue;
		/* what lies past EOF in the rounded tail is zeroed, not stale
		 */
		assert_int_equal(buf[4096], 0x77);
		assert_int_equal(buf[4097], 0);
		assert_int_equal(buf[4607], 0);
		assert_int_equal(buf[4608], 0x77);
	}
}

/* The configurations the range and error tests run. */
static const struct {
	const struct copy_strategy *s;
	struct test_params p;
} configs[] = {
	{ &strategy_io_uring, { .queue_depth = 4, .buffer_size = 65536 } },
	{ &strategy_io_uring,
	  { .queue_depth = 4, .buffer_size = 65536, .direct = true } },
	{ &strategy_odirect, { .buffer_size = 65536 } },
	{ &strategy_libaio, { .queue_depth = 4, .buffer_size = 65536 } },
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

/*
 * A file split in three aligned ranges as threads would, the odd-length
 * range at EOF copied first: its rounded write and trim must not disturb
 * the other two. Then one range to another offset of a new file.
 */
static void test_ranges(void **unused)
{
	const size_t big = NSIZES - 2; /* 1 MiB + 13 */
	const uint64_t len = sizes[big], a = 262144, b = 3 * 262144;

	(void)unused;
	for (size_t c = 0; c < NCONFIGS; c++) {
		const struct copy_strategy *s = configs[c].s;
		struct test_params p =
			test_resolve(s, &configs[c].p);
		struct copy_range parts[] = {
			{ b, b, len - b },
			{ 0, 0, a },
			{ a, a, b - a },
		};
		struct copy_range shifted = { 8192, 4096, len - 8192 };
		char *want;
		void *state;

		skip_unusable(s);
		state = setup_or_skip(s, &p);
		for (size_t i = 0; i < 3; i++)
			assert_int_equal(copy_with(s, &p, state, "src-6", "dst",
						   i ? 0 : O_TRUNC, &parts[i]),
					 0);
		assert_file("dst", content[big], len, 0);

		assert_int_equal(copy_with(s, &p, state, "src-6", "dst",
					   O_TRUNC, &shifted),
				 0);
		want = calloc(1, len);
		assert_non_null(want);
		memcpy(want + 4096, content[big] + 8192, len - 8192);
		assert_file("dst", want, len - 4096, 0);
		free(want);
		free_state(s, state);
	}
}

/* Offsets past 4 GiB in sparse files: 64-bit offsets all the way. */
static void test_large_offsets(void **unused)
{
	const uint64_t at = 5ull << 30;
	const size_t big = NSIZES - 2;
	const uint64_t len = sizes[big];

	(void)unused;
	write_file("sparse-src", content[big], len, at);
	for (size_t c = 0; c < NCONFIGS; c++) {
		const struct copy_strategy *s = configs[c].s;
		struct test_params p =
			test_resolve(s, &configs[c].p);
		struct copy_range r = { at, at + 4096, len };
		void *state;

		skip_unusable(s);
		state = setup_or_skip(s, &p);
		assert_int_equal(copy_with(s, &p, state, "sparse-src", "dst",
					   O_TRUNC, &r),
				 0);
		assert_file("dst", content[big], len, at + 4096);
		free_state(s, state);
	}
}

/* Promised errors: a short source, unaligned direct offsets, 0 bytes. */
static void test_errors(void **unused)
{
	(void)unused;
	for (size_t c = 0; c < NCONFIGS; c++) {
		const struct copy_strategy *s = configs[c].s;
		struct test_params p =
			test_resolve(s, &configs[c].p);
		struct copy_range past_eof = { 0, 0, sizes[5] + 1 };
		struct copy_range past_eof_big = { 4096, 0, sizes[6] };
		struct copy_range unaligned = { 1, 0, 4095 };
		struct copy_range none = { 4096, 8192, 0 };
		void *state;

		skip_unusable(s);
		state = setup_or_skip(s, &p);
		assert_int_equal(copy_with(s, &p, state, "src-5", "dst",
					   O_TRUNC, &past_eof),
				 -ENODATA);
		assert_int_equal(copy_with(s, &p, state, "src-6", "dst",
					   O_TRUNC, &past_eof_big),
				 -ENODATA);
		if (test_open_flags(s, &p))
			assert_int_equal(copy_with(s, &p, state, "src-5", "dst",
						   O_TRUNC, &unaligned),
					 -EINVAL);
		assert_int_equal(
			copy_with(s, &p, state, "src-5", "dst", O_TRUNC, &none),
			0);
		assert_file("dst", "", 0, 0);
		/* the state still works after the failures */
		assert_int_equal(
			copy_with(s, &p, state, "src-6", "dst", O_TRUNC,
				  &(struct copy_range){ 0, 0, sizes[6] }),
			0);
		assert_file("dst", content[6], sizes[6], 0);
		free_state(s, state);
	}
}

/*
 * A request that never completes - a read of an empty pipe stands in for
 * a buffered write io-wq lost - ends the wait after the stall timeout
 * (50 ms here, IOBENCH_URING_STALL_MS): it is cancelled and issued again,
 * so data that arrives later still completes the copy; when none ever
 * does, the copy fails with -ETIMEDOUT after the tries, never hangs.
 */
static void test_io_uring_stall(void **unused)
{
	const struct copy_strategy *s = &strategy_io_uring;
	struct copy_range r = { 0, 0, 4096 };
	char path[PATH_LEN];
	double t0, secs;
	void *state;
	int pipefd[2], dst;
	pid_t pid;

	(void)unused;
	skip_unusable(s);
	assert_int_equal(setenv("IOBENCH_URING_STALL_MS", "50", 1), 0);
	path_of(path, "dst");
	for (int late = 1; late >= 0; late--) {
		state = setup_or_skip(s, &(struct test_params){ 0 });
		assert_int_equal(pipe(pipefd), 0);
		dst = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(dst >= 0);
		pid = fork();
		assert_true(pid >= 0);
		if (!pid) {
			/* the writer: 4 KiB after 3 stall timeouts, or
			 * nothing until the copy gave up */
			usleep(late ? 150000 : 800000);
			if (late)
				(void)!write(pipefd[1], content[4], 4096);
			_exit(0);
		}
		t0 = clock_now();
		assert_int_equal(s->copy(state, pipefd[0], dst, &r),
				 late ? 0 : -ETIMEDOUT);
		secs = clock_now() - t0;
		/* at least the timeouts it waited through */
		assert_true(secs >= (late ? 0.1 : 0.3));
		assert_int_equal(waitpid(pid, NULL, 0), pid);
		close(pipefd[0]);
		close(pipefd[1]);
		close(dst);
		if (late)
			assert_file("dst", content[4], 4096, 0);
		free_state(s, state);
	}
	unsetenv("IOBENCH_URING_STALL_MS");
}

/* ext4 can't clone: the probe says so and copy() fails, never copies. */
static void test_reflink(void **unused)
{
	const struct copy_strategy *s = &strategy_reflink;
	struct test_params p = test_resolve(s, NULL);
	struct copy_range r = { 0, 0, sizes[6] };
	const char *fs = strategy_fs_name(tmpdir);
	char why[256], *want;
	int ret;

	(void)unused;
	ret = strategy_probe(s, tmpdir, why, sizeof(why));
	if (!strcmp(fs, "ext4")) {
		assert_int_equal(ret, -EOPNOTSUPP);
		assert_string_equal(why, "FICLONE: not supported by ext4");
		assert_true(test_copy_once(s, &p, -1, -1, &r) < 0);
		ret = copy_with(s, &p, NULL, "src-6", "dst", O_TRUNC, &r);
		assert_int_equal(ret, -EOPNOTSUPP);
		assert_file("dst", "", 0, 0);
		print_message("SKIP: reflink cloning: %s\n", why);
		skip();
	}
	if (ret) {
		print_message("SKIP: reflink: %s\n", why);
		skip();
	}
	copy_all_sizes(s, &p);
	/* FICLONERANGE: aligned offsets, the odd length reaching EOF */
	r = (struct copy_range){ 4096, 8192, sizes[7] - 4096 };
	assert_int_equal(copy_with(s, &p, NULL, "src-7", "dst", O_TRUNC, &r),
			 0);
	want = calloc(1, 8192 + r.len);
	assert_non_null(want);
	memcpy(want + 8192, content[7] + 4096, r.len);
	assert_file("dst", want, 8192 + r.len, 0);
	free(want);
	r.len++;
	assert_int_equal(copy_with(s, &p, NULL, "src-7", "dst", O_TRUNC, &r),
			 -ENODATA);
}

static int make_sources(void **unused)
{
	const char *base = getenv("IOBENCH_TEST_DIR");

	(void)unused;
	snprintf(tmpdir, sizeof(tmpdir), "%s/iobench-async-XXXXXX",
		 base ? base : "/var/tmp");
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
		return -1;
	}
	printf("# scratch directory %s (%s)\n", tmpdir,
	       strategy_fs_name(tmpdir));
	for (size_t i = 0; i < NSIZES; i++) {
		char name[32];

		content[i] = malloc(sizes[i] ? sizes[i] : 1);
		if (!content[i])
			return -1;
		fill_random(content[i], sizes[i], i + 1);
		snprintf(name, sizeof(name), "src-%zu", i);
		write_file(name, content[i], sizes[i], 0);
	}
	return 0;
}

static int remove_sources(void **unused)
{
	static const char *const extra[] = { "dst", "sparse-src" };
	char path[PATH_LEN];

	(void)unused;
	for (size_t i = 0; i < NSIZES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "src-%zu", i);
		path_of(path, name);
		unlink(path);
		free(content[i]);
	}
	for (size_t i = 0; i < 2; i++) {
		path_of(path, extra[i]);
		unlink(path);
	}
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunk_short_transfers),
		cmocka_unit_test(test_io_uring_buffered),
		cmocka_unit_test(test_io_uring_direct),
		cmocka_unit_test(test_io_uring_sqpoll),
		cmocka_unit_test(test_io_uring_stall),
		cmocka_unit_test(test_odirect),
		cmocka_unit_test(test_libaio),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_large_offsets),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_reflink),
	};

	return cmocka_run_group_tests(tests, make_sources, remove_sources);
}
