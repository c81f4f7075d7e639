// SPDX-License-Identifier: MIT
/*
 * The synchronous strategies (rw, stdio, mmap, sendfile, copy_file_range,
 * splice) driven directly through the vtable: awkward sizes, odd and 64-bit
 * ranges, short sources, reuse after an error, a source shrunk under mmap.
 * The shared helpers in common.c: test_strategy_helpers.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "case.h"
#include "params.h"
#include "strategies.h"

#define MiB (1024u * 1024u)

/* ---- helpers ---- */

/* Skips (with the reason) when the strategy cannot run in the test dir. */
static void require_usable(const struct tcase *tc)
{
	char why[256];

	if (strategy_probe(tc->s, tc->dir, why, sizeof(why))) {
		print_message("skip %s: %s\n", tc->s->name, why);
		skip();
	}
}

static void require_ranges(const struct tcase *tc)
{
	if (!(tc->s->flags & COPY_RANGES)) {
		print_message("skip %s: not range-capable\n", tc->s->name);
		skip();
	}
}

/* Buffer sizes worth trying: the default, a page, one larger than
 * fs.pipe-max-size; only the default when the strategy has no buffer. */
static size_t buffer_sizes(const struct copy_strategy *s, size_t out[3])
{
	out[0] = 0;
	if (!test_has_option(s, "buffer"))
		return 1;
	out[1] = 4096;
	out[2] = 8 * MiB;
	return 3;
}

/* ---- tests for every strategy ---- */

static void test_whole_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, MiB + 13 };
	struct tcase *tc = *state;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned char *data = malloc(MiB + 13);
	size_t bufs[3], nbufs = buffer_sizes(tc->s, bufs);

	require_usable(tc);
	assert_non_null(data);
	case_path(tc, "src", src);
	case_path(tc, "dst", dst);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		case_fill_random(data, sizes[i], sizes[i] + 1);
		case_write_file(src, data, sizes[i]);
		for (size_t b = 0; b < nbufs; b++) {
			struct test_params p = { .buffer_size = bufs[b] };
			struct copy_range r = { .len = sizes[i] };
			int in = case_open_src(src),
			    out = case_open_dst(dst, O_TRUNC);
			int ret = test_copy_once(tc->s, &p, in, out, &r);

			if (ret)
				print_message("%s: size %zu buffer %zu: %s\n",
					      tc->s->name, sizes[i], bufs[b],
					      strerror(-ret));
			assert_int_equal(ret, 0);
			close(in);
			close(out);
			case_assert_file(dst, data, sizes[i]);
		}
	}
	free(data);
}

/* src_off 13, dst_off 4099, len 100003: into a longer existing
 * destination (bytes around the range untouched) and into an empty one
 * (a zero-filled hole before the range). */
static void test_range_odd(void **state)
{
	enum {
		SRC_LEN = 200000,
		OFF_IN = 13,
		OFF_OUT = 4099,
		LEN = 100003,
		DST_LEN = OFF_OUT + LEN + 777
	};
	struct tcase *tc = *state;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned char *data = malloc(SRC_LEN), *want = malloc(DST_LEN);
	size_t bufs[3], nbufs = buffer_sizes(tc->s, bufs);
	struct copy_range r = { OFF_IN, OFF_OUT, LEN };

	require_usable(tc);
	require_ranges(tc);
	assert_non_null(data);
	assert_non_null(want);
	case_source(tc, data, SRC_LEN, 42, src, dst);
	for (size_t b = 0; b < nbufs; b++) {
		struct test_params p = { .buffer_size = bufs[b] };
		int in, out;

		/* existing, longer destination */
		memset(want, 0xa5, DST_LEN);
		case_write_file(dst, want, DST_LEN);
		memcpy(want + OFF_OUT, data + OFF_IN, LEN);
		in = case_open_src(src);
		out = case_open_dst(dst, 0);
		assert_int_equal(test_copy_once(tc->s, &p, in, out, &r), 0);
		close(out);
		case_assert_file(dst, want, DST_LEN);

		/* empty destination */
		memset(want, 0, OFF_OUT);
		out = case_open_dst(dst, O_TRUNC);
		assert_int_equal(test_copy_once(tc->s, &p, in, out, &r), 0);
		close(out);
		close(in);
		case_assert_file(dst, want, OFF_OUT + LEN);
	}
	free(data);
	free(want);
}

/* Offsets past 4 GiB on sparse files: catches 32-bit offset truncation
 * without writing gigabytes. */
static void test_range_past_4g(void **state)
{
	const uint64_t src_base = (4ull << 30) + 1,
		       dst_off = (4ull << 30) + 4099;
	enum { LEN = 100003, LEAD = 13 };
	struct tcase *tc = *state;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned char *data = malloc(LEAD + LEN), *got = malloc(LEN);
	struct copy_range r = { src_base + LEAD, dst_off, LEN };
	struct stat sb;
	int in, out, ret;

	require_usable(tc);
	require_ranges(tc);
	assert_non_null(data);
	assert_non_null(got);
	case_path(tc, "src", src);
	case_path(tc, "dst", dst);
	case_fill_random(data, LEAD + LEN, 7);
	out = case_open_dst(src, O_TRUNC);
	if (ftruncate(out, 5ull << 30)) {
		print_message("skip: no 5 GiB sparse file here: %s\n",
			      strerror(errno));
		close(out);
		skip();
	}
	case_pwrite_all(out, data, LEAD + LEN, src_base);
	close(out);

	in = case_open_src(src);
	out = case_open_dst(dst, O_TRUNC);
	ret = test_copy_once(tc->s, NULL, in, out, &r);
	if (ret)
		print_message("%s: %s\n", tc->s->name, strerror(-ret));
	assert_int_equal(ret, 0);
	assert_int_equal(fstat(out, &sb), 0);
	assert_int_equal(sb.st_size, dst_off + LEN);
	close(out);
	out = open(dst, O_RDONLY | O_CLOEXEC);
	assert_int_equal(pread(out, got, LEN, dst_off), LEN);
	assert_memory_equal(got, data + LEAD, LEN);
	close(out);
	close(in);
	free(data);
	free(got);
}

/* A range the source does not fully hold is -ENODATA, never short. */
static void test_short_source(void **state)
{
	enum { SRC_LEN = 4096 + 100 };
	static const struct copy_range ranges[] = {
		{ 0, 0, SRC_LEN + 1 }, /* one byte short, same page */
		{ 0, 0, 10000 },
		{ SRC_LEN, 0, 1 }, /* starts at EOF */
		{ 5000, 0, 10 },   /* starts past EOF */
	};
	struct tcase *tc = *state;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned char data[SRC_LEN];

	require_usable(tc);
	case_source(tc, data, SRC_LEN, 3, src, dst);
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		int in, out, ret;

		if (ranges[i].src_off && !(tc->s->flags & COPY_RANGES))
			continue;
		in = case_open_src(src);
		out = case_open_dst(dst, O_TRUNC);
		ret = test_copy_once(tc->s, NULL, in, out, &ranges[i]);
		if (ret != -ENODATA)
			print_message("%s: range %zu: got %d (%s)\n",
				      tc->s->name, i, ret, strerror(-ret));
		assert_int_equal(ret, -ENODATA);
		close(in);
		close(out);
	}
}

/* A failed copy (destination not writable) must leave the state fit for
 * the next copy: no stale bytes (splice's pipe), no leaked stream. */
static void test_reuse_after_error(void **state)
{
	enum { LEN = MiB + 13 };
	struct tcase *tc = *state;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned char *data = malloc(LEN);
	struct test_params p = { .buffer_size = 64 * 1024 };
	struct copy_range r = { .len = LEN };
	void *st;
	int in, out, ret;

	require_usable(tc);
	assert_non_null(data);
	case_source(tc, data, LEN, 11, src, dst);
	case_write_file(dst, "", 0);

	p = test_resolve(tc->s, &p);
	st = case_state_new(tc->s, &p);
	in = case_open_src(src);
	out = open(dst, O_RDONLY | O_CLOEXEC);
	assert_true(out >= 0);
	ret = tc->s->copy(st, in, out, &r);
	assert_true(ret < 0);
	close(out);

	out = case_open_dst(dst, O_TRUNC);
	ret = tc->s->copy(st, in, out, &r);
	assert_int_equal(ret, 0);
	close(out);
	close(in);
	case_state_free(tc->s, st);
	case_assert_file(dst, data, LEN);
	free(data);
}

/* ---- mmap: a source shrinking under the mapping ---- */

/* Shrunk between setup and copy: the range now passes EOF. */
static void test_mmap_shrunk_before_copy(void **state)
{
	enum { LEN = MiB + 13, KEEP = 1000 };
	struct tcase *tc = *state;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned char *data = malloc(LEN);
	struct test_params p = test_resolve(tc->s, NULL);
	struct copy_range all = { .len = LEN }, kept = { .len = KEEP };
	void *st;
	int in, out;

	assert_non_null(data);
	case_source(tc, data, LEN, 5, src, dst);
	st = case_state_new(tc->s, &p);
	assert_int_equal(truncate(src, KEEP), 0);
	in = case_open_src(src);
	out = case_open_dst(dst, O_TRUNC);
	assert_int_equal(tc->s->copy(st, in, out, &all), -ENODATA);
	/* still alive, and the state still copies */
	assert_int_equal(ftruncate(out, 0), 0);
	assert_int_equal(tc->s->copy(st, in, out, &kept), 0);
	close(out);
	close(in);
	case_state_free(tc->s, st);
	case_assert_file(dst, data, KEEP);
	free(data);
}

struct truncator {
	const char *src;
	int dst_fd;
	bool truncated;
};

/* Truncates the source as soon as the copy has written something. */
static void *truncate_when_started(void *arg)
{
	struct truncator *t = arg;
	struct timespec start, now;
	struct stat sb;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		if (fstat(t->dst_fd, &sb))
			return NULL;
		if (sb.st_size > 0) {
			t->truncated = !truncate(t->src, 8192);
			return NULL;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 10);
	return NULL;
}

/* Truncated while being copied: an error, not SIGBUS or a short copy. */
static void test_mmap_truncated_during_copy(void **state)
{
	enum { LEN = 32 * MiB };
	struct tcase *tc = *state;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned char *data = malloc(LEN);
	struct test_params p = { .buffer_size = 4096 };
	struct copy_range r = { .len = LEN };
	struct truncator t = { .src = src };
	pthread_t thread;
	int in, ret;

	assert_non_null(data);
	case_source(tc, data, LEN, 9, src, dst);
	free(data);
	in = case_open_src(src);
	t.dst_fd = case_open_dst(dst, O_TRUNC);
	assert_int_equal(
		pthread_create(&thread, NULL, truncate_when_started, &t), 0);
	ret = test_copy_once(tc->s, &p, in, t.dst_fd, &r);
	pthread_join(thread, NULL);
	close(t.dst_fd);
	close(in);
	if (!t.truncated || !ret) {
		print_message("skip: the copy finished before the source "
			      "was truncated (%s)\n",
			      strerror(-ret));
		skip();
	}
	assert_int_equal(ret, -ENODATA);
}

static volatile sig_atomic_t chained_sigbus;

static void count_sigbus(int sig)
{
	(void)sig;
	chained_sigbus++;
}

/*
 * Wait status of a child that sets `prev` as the SIGBUS disposition, sets
 * mmap up (installing its handler over prev) and raises SIGBUS with no
 * copy active. Run from main() before cmocka, which swaps SIGBUS handlers
 * around every test, and before any mmap setup in this process.
 */
static int sigbus_child_status(void (*prev)(int))
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa = { .sa_handler = prev };
		struct test_params p =
			test_resolve(&strategy_mmap, NULL);
		void *st = calloc(1, strategy_mmap.state_size);
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
		sigemptyset(&sa.sa_mask);
		if (!st || sigaction(SIGBUS, &sa, NULL) ||
		    strategy_mmap.setup(st, &p))
			_exit(2);
		raise(SIGBUS);
		_exit(chained_sigbus == 1 ? 0 : 1);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return status;
}

static int sigbus_to_handler_status, sigbus_to_default_status;

/* With no copy active, SIGBUS goes where it would without mmap. */
static void test_mmap_sigbus_chains(void **state)
{
	(void)state;
	/* to the handler mmap replaced */
	assert_true(WIFEXITED(sigbus_to_handler_status));
	assert_int_equal(WEXITSTATUS(sigbus_to_handler_status), 0);
	/* to the default action: the process dies of SIGBUS */
	assert_true(WIFSIGNALED(sigbus_to_default_status));
	assert_int_equal(WTERMSIG(sigbus_to_default_status), SIGBUS);
}

/* ---- the copy_file_range probe ---- */

static void test_probe_missing_dir(void **state)
{
	struct tcase *tc = *state;
	char missing[PATH_MAX], why[256] = "";

	case_path(tc, "no-such-dir", missing);
	assert_true(strategy_probe(tc->s, missing, why, sizeof(why)) < 0);
	assert_true(strlen(why) > 0);
	assert_non_null(strstr(why, missing));
}

/*
 * The timed copy must not pay for first-touching the strategy's buffers:
 * setup (untimed) prefaults them. Copying 16 MiB through 8 MiB buffers
 * would otherwise take thousands of minor faults (4 KiB pages) inside
 * copy(). mmap is exempt: faulting the mapping is what it measures.
 */
static void test_prefaulted_buffers(void **state)
{
	const size_t len = 16 * MiB;
	struct tcase *tc = *state;
	struct test_params p = { .buffer_size = 8 * MiB };
	struct copy_range r = { .len = len };
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned char *data;
	struct rusage ru0, ru1;
	void *st;
	long faults;
	int in, out, ret;

	require_usable(tc);
	if (tc->s == &strategy_mmap) {
		print_message("skip mmap: faulting its mapping is the method\n");
		skip();
	}
	/* allocated after the skip: skip() does not return */
	data = malloc(len);
	assert_non_null(data);
	case_source(tc, data, len, 17, src, dst);
	p = test_resolve(tc->s, &p);
	st = case_state_new(tc->s, &p);
	in = case_open_src(src);
	out = case_open_dst(dst, O_TRUNC);
	getrusage(RUSAGE_THREAD, &ru0);
	ret = tc->s->copy(st, in, out, &r);
	getrusage(RUSAGE_THREAD, &ru1);
	case_state_free(tc->s, st);
	close(in);
	close(out);
	assert_int_equal(ret, 0);
	faults = ru1.ru_minflt - ru0.ru_minflt;
	print_message("# %s: %ld minor faults copying 16 MiB through 8 MiB "
		      "buffers\n", tc->s->name, faults);
	/* an unfaulted 8 MiB buffer alone is 2048 faults */
	assert_true(faults < 512);
	case_assert_file(dst, data, len);
	free(data);
}

/* ---- fixtures and the test table ---- */

static const struct copy_strategy *const sync_strategies[] = {
	&strategy_rw,	    &strategy_stdio,	       &strategy_mmap,
	&strategy_sendfile, &strategy_copy_file_range, &strategy_splice,
};

static const struct {
	const char *name;
	CMUnitTestFunction fn;
	const struct copy_strategy *only; /* NULL: every sync strategy */
} behaviours[] = {
	{ "whole_sizes", test_whole_sizes, NULL },
	{ "range_odd", test_range_odd, NULL },
	{ "range_past_4g", test_range_past_4g, NULL },
	{ "short_source", test_short_source, NULL },
	{ "reuse_after_error", test_reuse_after_error, NULL },
	{ "shrunk_before_copy", test_mmap_shrunk_before_copy, &strategy_mmap },
	{ "truncated_during_copy", test_mmap_truncated_during_copy,
	  &strategy_mmap },
	{ "sigbus_chains", test_mmap_sigbus_chains, &strategy_mmap },
	{ "probe_missing_dir", test_probe_missing_dir,
	  &strategy_copy_file_range },
	{ "prefaulted_buffers", test_prefaulted_buffers, NULL },
};

#define NSTRAT (sizeof(sync_strategies) / sizeof(sync_strategies[0]))
#define NBEHAV (sizeof(behaviours) / sizeof(behaviours[0]))

int main(void)
{
	static struct tcase cases[NSTRAT * NBEHAV];
	static struct CMUnitTest tests[NSTRAT * NBEHAV];
	size_t n = 0;
	int failed;

	/* a copy blocked for good (a pipe left full) fails, not hangs;
	 * the whole program normally takes well under a second */
	alarm(60);
	sigbus_to_handler_status = sigbus_child_status(count_sigbus);
	sigbus_to_default_status = sigbus_child_status(SIG_DFL);

	if (case_top_dir_make("sync"))
		return 1;
	for (size_t b = 0; b < NBEHAV; b++) {
		for (size_t i = 0; i < NSTRAT; i++) {
			const struct copy_strategy *s = sync_strategies[i];

			if (behaviours[b].only && behaviours[b].only != s)
				continue;
			cases[n].s = s;
			snprintf(cases[n].name, sizeof(cases[n].name), "%s/%s",
				 s->name, behaviours[b].name);
			tests[n] = case_unit_test(&cases[n], behaviours[b].fn);
			n++;
		}
	}
	failed = _cmocka_run_group_tests("sync_strategies", tests, n, NULL,
					 NULL);
	case_top_dir_remove();
	return failed;
}
