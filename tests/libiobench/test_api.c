// SPDX-License-Identifier: MIT
/*
 * libiobench's public API (iobench/iobench.h) as a program of someone
 * else's uses it, linked against the shared library: copies byte for
 * byte, options by name, every error as -errno plus its message, the
 * params struct's size rule, plugins loaded through the API, and the
 * per-I/O latency observer.
 * usage: test_api PLUGIN_BUILD_DIR
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
#include <unistd.h>
#include <cmocka.h>

#include <iobench/helpers.h>
#include <iobench/iobench.h>

#define SRC_SIZE (3 * 1024 * 1024 + 4097)

static const char *plugin_dir;
static char dir[PATH_MAX];
static char src[PATH_MAX + 16], dst[PATH_MAX + 16];
static unsigned char *data;
static char err[IOBENCH_ERRMSG_MAX];
static struct iobench_copy_params params;

static void path_of(char *out, const char *name)
{
	snprintf(out, PATH_MAX + 16, "%s/%s", dir, name);
}

/* dst holds exactly the source's bytes. */
static void assert_copy_of_source(const char *path)
{
	unsigned char *back = malloc(SRC_SIZE + 1);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_non_null(back);
	assert_true(fd >= 0);
	n = read(fd, back, SRC_SIZE + 1);
	close(fd);
	assert_int_equal(n, SRC_SIZE);
	assert_memory_equal(back, data, SRC_SIZE);
	free(back);
}

static int reset(void **state)
{
	(void)state;
	params = (struct iobench_copy_params)IOBENCH_COPY_PARAMS_INIT;
	params.errmsg = err;
	params.errmsg_len = sizeof(err);
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	unlink(dst);
	return 0;
}

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(iobench_lib_version(), IOBENCH_TEST_VERSION);
}

static void test_every_usable_strategy_copies(void **state)
{
	char why[256];
	size_t copied = 0;

	(void)state;
	for (size_t i = 0; i < iobench_strategy_count(); i++) {
		const struct copy_strategy *s = iobench_strategy_at(i);

		if (iobench_strategy_probe(s->name, dir, why, sizeof(why))) {
			print_message("# %s: not usable here: %s\n", s->name,
				      why);
			continue;
		}
		reset(NULL);
		assert_int_equal(iobench_copy_file(src, dst, s->name, &params),
				 0);
		assert_string_equal(err, "");
		assert_copy_of_source(dst);
		copied++;
	}
	assert_true(copied >= 5);
	assert_null(iobench_strategy_at(iobench_strategy_count()));
}

static void test_options_by_name(void **state)
{
	(void)state;
	params.options = "buffer=64K";
	params.flags = IOBENCH_COPY_SYNC;
	assert_int_equal(iobench_copy_file(src, dst, "rw", &params), 0);
	assert_copy_of_source(dst);
	unlink(dst);

	params.options = "qd=8";
	assert_int_equal(iobench_copy_file(src, dst, "rw", &params), -EINVAL);
	assert_string_equal(err, "rw: option 'qd': no such option (it has: "
				 "buffer)");
	params.options = "buffer=100";
	assert_int_equal(iobench_copy_file(src, dst, "rw", &params), -EINVAL);
	assert_string_equal(err, "rw: option buffer: '100' is outside 512 to "
				 "1G");
	params.options = "buffer=1Q";
	assert_int_equal(iobench_copy_file(src, dst, "rw", &params), -EINVAL);
	assert_non_null(strstr(err, "rw: option buffer: '1Q'"));
	params.options = "buffer";
	assert_int_equal(iobench_copy_file(src, dst, "rw", &params), -EINVAL);
	assert_string_equal(err, "rw: option 'buffer': expected NAME=VALUE");
	params.options = "buffer=1M,,";
	assert_int_equal(iobench_copy_file(src, dst, "rw", &params), -EINVAL);
	assert_non_null(strstr(err, "empty item"));
	/* nothing was created by the refused calls */
	assert_int_equal(access(dst, F_OK), -1);
}

static void test_unknown_strategy(void **state)
{
	(void)state;
	assert_int_equal(
		iobench_copy_file(src, dst, "copy_file_rnage", &params),
		-ENOENT);
	assert_string_equal(err, "no strategy named 'copy_file_rnage' (did "
				 "you mean 'copy_file_range'?)");
	assert_null(iobench_strategy_find("nosuch"));
	assert_int_equal(
		iobench_strategy_probe("nosuch", dir, err, sizeof(err)),
		-ENOENT);
	assert_int_equal(iobench_copy_file(src, dst, NULL, &params), -EINVAL);
}

/* The size rule: an older caller's shorter struct is refused only below
 * the first version's size; a newer caller's longer one is fine while
 * what this library cannot honour is zero. */
static void test_params_size(void **state)
{
	struct {
		struct iobench_copy_params p;
		uint64_t future;
	} newer = { .p = params };

	(void)state;
	assert_int_equal(iobench_copy_file(src, dst, "rw", NULL), 0);
	assert_copy_of_source(dst);

	params.size = sizeof(size_t);
	assert_int_equal(iobench_copy_file(src, dst, "rw", &params), -EINVAL);

	newer.p.size = sizeof(newer);
	assert_int_equal(iobench_copy_file(src, dst, "rw", &newer.p), 0);
	newer.future = 1;
	assert_int_equal(iobench_copy_file(src, dst, "rw", &newer.p), -E2BIG);
	assert_non_null(strstr(err, "newer libiobench"));

	reset(NULL);
	params.flags = 1u << 20;
	assert_int_equal(iobench_copy_file(src, dst, "rw", &params), -EINVAL);
	assert_string_equal(err, "unknown flags 0x100000");
}

static void test_destination_rules(void **state)
{
	char other[PATH_MAX + 16];
	int fd;

	(void)state;
	/* NOREPLACE: an existing file stays as it is */
	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	params.flags = IOBENCH_COPY_NOREPLACE;
	assert_int_equal(iobench_copy_file(src, dst, "rw", &params), -EEXIST);
	assert_non_null(strstr(err, "File exists"));
	assert_int_equal(truncate(dst, 4), 0);

	/* src under another name: refused before anything is truncated */
	path_of(other, "hardlink");
	unlink(other);
	assert_int_equal(link(src, other) == 0 ? 0 : -errno, 0);
	params.flags = 0;
	assert_int_equal(iobench_copy_file(src, other, "rw", &params), -EINVAL);
	assert_non_null(strstr(err, "are the same file"));
	unlink(other);
	assert_copy_of_source(src);

	/* a directory is no source */
	assert_int_equal(iobench_copy_file(dir, dst, "rw", &params), -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));
}

/* A copy that fails removes the destination it created, and the message
 * says why the strategy cannot work there. */
static void test_failed_copy_removes_dst(void **state)
{
	char why[256];

	(void)state;
	if (!iobench_strategy_probe("reflink", dir, why, sizeof(why))) {
		print_message("# reflink works here: no failing strategy\n");
		skip();
	}
	assert_true(iobench_copy_file(src, dst, "reflink", &params) < 0);
	assert_int_equal(access(dst, F_OK), -1);
	assert_non_null(strstr(err, "reflink: copying "));
	assert_non_null(strstr(err, "not usable there: "));
}

static void test_copy_fd_and_open_flags(void **state)
{
	struct copy_range r = { .src_off = 4097, .dst_off = 13, .len = 65537 };
	unsigned char back[65537];
	int s, d;

	(void)state;
	assert_int_equal(iobench_open_flags("rw", NULL), 0);
	assert_int_equal(iobench_open_flags("odirect", NULL), O_DIRECT);
	params.options = "direct=yes";
	assert_int_equal(iobench_open_flags("io_uring", &params), O_DIRECT);
	assert_int_equal(iobench_open_flags("rw", &params), -EINVAL);

	reset(NULL);
	s = open(src, O_RDONLY);
	d = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(s >= 0 && d >= 0);
	assert_int_equal(iobench_copy_fd(s, d, &r, "copy_file_range", &params),
			 0);
	assert_int_equal(pread(d, back, sizeof(back), 13),
			 (ssize_t)sizeof(back));
	assert_memory_equal(back, data + 4097, sizeof(back));
	/* past the source's end: -ENODATA, not a short copy */
	r.src_off = SRC_SIZE - 10;
	assert_int_equal(iobench_copy_fd(s, d, &r, "rw", &params), -ENODATA);
	assert_non_null(strstr(err, "rw: "));
	assert_int_equal(iobench_copy_fd(s, d, NULL, "rw", &params), -EINVAL);
	close(s);
	close(d);
}

static void test_plugins(void **state)
{
	char path[PATH_MAX];
	const struct copy_strategy *s;

	(void)state;
	snprintf(path, sizeof(path), "%s/broken_abi.so", plugin_dir);
	assert_int_equal(iobench_plugin_load(path, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "built for strategy interface 3, not 2"));
	assert_null(iobench_strategy_find("broken_abi"));

	snprintf(path, sizeof(path), "%s/skelplug.so", plugin_dir);
	assert_int_equal(iobench_plugin_load(path, err, sizeof(err)), 0);
	s = iobench_strategy_find("skelplug");
	assert_non_null(s);
	assert_ptr_equal(iobench_strategy_at(iobench_strategy_count() - 1), s);
	params.options = "chunk=64K";
	assert_int_equal(iobench_copy_file(src, dst, "skelplug", &params), 0);
	assert_copy_of_source(dst);
	/* a second load of the same file changes nothing */
	assert_int_equal(iobench_plugin_load(path, err, sizeof(err)), 0);
	assert_ptr_equal(iobench_strategy_at(iobench_strategy_count() - 1), s);
	assert_int_equal(iobench_plugin_load(NULL, err, sizeof(err)), -EINVAL);
}

/* What an I/O observer heard. */
struct heard {
	uint64_t n, zero, max_ns;
};

static void hear(void *ctx, uint64_t latency_ns)
{
	struct heard *h = ctx;

	h->n++;
	h->zero += !latency_ns;
	if (latency_ns > h->max_ns)
		h->max_ns = latency_ns;
}

/* io_uring, libaio and odirect report each read and write they issue:
 * at least one of each per 64K chunk; rw reports none; the thread's
 * own observer is back afterwards. */
static void test_io_observer(void **state)
{
	static const char *const timed[] = { "io_uring", "libaio",
					      "odirect" };
	const uint64_t chunks = (SRC_SIZE + 65535) / 65536;
	struct heard h = { 0 }, mine = { 0 };
	struct copy_io_observer obs = { hear, &h }, own = { hear, &mine };
	char why[256];
	size_t usable = 0;

	(void)state;
	strategy_io_observer_set(&own);
	for (size_t i = 0; i < 3; i++) {
		if (iobench_strategy_probe(timed[i], dir, why, sizeof(why))) {
			print_message("# %s: not usable here: %s\n",
				      timed[i], why);
			continue;
		}
		reset(NULL);
		h = (struct heard){ 0 };
		params.options = "buffer=64K";
		params.io_observer = &obs;
		assert_int_equal(iobench_copy_file(src, dst, timed[i],
						   &params), 0);
		assert_copy_of_source(dst);
		print_message("# %s: %llu requests for %llu chunks, the "
			      "slowest %llu ns\n", timed[i],
			      (unsigned long long)h.n,
			      (unsigned long long)chunks,
			      (unsigned long long)h.max_ns);
		assert_true(h.n >= 2 * chunks);
		assert_int_equal(h.zero, 0);
		assert_true(h.max_ns < 60ull * 1000 * 1000 * 1000);
		usable++;
	}
	reset(NULL);
	h = (struct heard){ 0 };
	params.io_observer = &obs;
	assert_int_equal(iobench_copy_file(src, dst, "rw", &params), 0);
	assert_int_equal(h.n, 0);
	assert_ptr_equal(strategy_io_observer(), &own);
	assert_int_equal(mine.n, 0);
	strategy_io_observer_set(NULL);
	if (!usable) {
		print_message("SKIP: none of io_uring, libaio, odirect is "
			      "usable in %s\n", dir);
		skip();
	}
}

static int make_source(void)
{
	int fd = open("/dev/urandom", O_RDONLY), out;
	size_t got = 0;

	data = malloc(SRC_SIZE);
	if (fd < 0 || !data)
		return -1;
	while (got < SRC_SIZE) {
		ssize_t n = read(fd, data + got, SRC_SIZE - got);

		if (n <= 0)
			return -1;
		got += n;
	}
	close(fd);
	out = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write(out, data, SRC_SIZE) != SRC_SIZE)
		return -1;
	return close(out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_version, reset),
		cmocka_unit_test_setup(test_every_usable_strategy_copies,
				       reset),
		cmocka_unit_test_setup(test_options_by_name, reset),
		cmocka_unit_test_setup(test_unknown_strategy, reset),
		cmocka_unit_test_setup(test_params_size, reset),
		cmocka_unit_test_setup(test_destination_rules, reset),
		cmocka_unit_test_setup(test_failed_copy_removes_dst, reset),
		cmocka_unit_test_setup(test_copy_fd_and_open_flags, reset),
		cmocka_unit_test_setup(test_plugins, reset),
		cmocka_unit_test_setup(test_io_observer, reset),
	};
	const char *base = getenv("IOBENCH_TEST_DIR");
	char cmd[PATH_MAX + 16];
	int status;

	if (argc != 2) {
		fprintf(stderr, "usage: test_api PLUGIN_BUILD_DIR\n");
		return 1;
	}
	plugin_dir = argv[1];
	snprintf(dir, sizeof(dir), "%s/iobench-api-XXXXXX",
		 base && *base ? base : "/var/tmp");
	if (!mkdtemp(dir))
		return 1;
	path_of(src, "src");
	path_of(dst, "dst");
	if (make_source()) {
		fprintf(stderr, "cannot write %s\n", src);
		return 1;
	}
	status = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	free(data);
	return status;
}
