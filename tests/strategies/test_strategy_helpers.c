// SPDX-License-Identifier: MIT
/*
 * The helpers every strategy shares (copy_strategies/common.c): whole-
 * buffer writes continued after a short write or a signal, positioned
 * writes at their offsets, and the probe pair's verdicts and errnos.
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

/* Soft RLIMIT_FSIZE of `bytes` (SIGXFSZ ignored, so writes past it fail
 * with EFBIG after a short write); returns the old limit to restore. */
static struct rlimit limit_file_size(rlim_t bytes)
{
	struct rlimit old, lim;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = bytes;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	return old;
}

/* A short write is continued, and the error that ends it is returned:
 * nothing is reported written that is not in the file. */
static void test_write_all_short(void **state)
{
	struct tcase *tc = *state;
	unsigned char buf[8192];
	char path[PATH_MAX];
	struct rlimit old;
	struct stat sb;
	int fd, ret;

	case_fill_random(buf, sizeof(buf), 7);
	case_path(tc, "short", path);
	fd = case_open_dst(path, O_TRUNC);
	old = limit_file_size(5000);
	ret = strategy_write_all(fd, buf, sizeof(buf));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(ret, -EFBIG);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal(sb.st_size, 5000);
	assert_int_equal(close(fd), 0);
	case_assert_file(path, buf, 5000);

	fd = case_open_dst(path, O_TRUNC);
	assert_int_equal(strategy_write_all(fd, buf, sizeof(buf)), 0);
	assert_int_equal(strategy_write_all(fd, buf, 0), 0);
	assert_int_equal(close(fd), 0);
	case_assert_file(path, buf, sizeof(buf));
}

static void on_alarm(int sig)
{
	(void)sig;
}

struct pipe_reader {
	int fd;
	unsigned char *got;
	size_t len;
};

/* Reads slowly, so the writer blocks and the timer interrupts it. */
static void *read_slowly(void *arg)
{
	struct pipe_reader *pr = arg;
	size_t have = 0;

	while (have < pr->len) {
		ssize_t n = read(pr->fd, pr->got + have,
				 pr->len - have < 4096 ? pr->len - have : 4096);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += n;
		if (have % (64 * 1024) < 4096)
			usleep(200);
	}
	pr->len = have;
	return NULL;
}

/* A blocking write interrupted by a signal (no SA_RESTART) returns short
 * or EINTR: every byte still arrives, once and in order. */
static void test_write_all_eintr(void **state)
{
	const size_t len = 4 * MiB;
	unsigned char *buf = malloc(len);
	struct pipe_reader pr = { .len = len, .got = malloc(len) };
	struct sigaction sa = { .sa_handler = on_alarm }, old_sa;
	struct itimerval tick = { { 0, 300 }, { 0, 300 } }, off = { 0 };
	pthread_t th;
	int fds[2], ret;
	sigset_t alrm;

	(void)state;
	assert_non_null(buf);
	assert_non_null(pr.got);
	case_fill_random(buf, len, 11);
	assert_int_equal(pipe(fds), 0);
	pr.fd = fds[0];
	/* only this thread takes the timer's signal */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	assert_int_equal(pthread_create(&th, NULL, read_slowly, &pr), 0);
	pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old_sa), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &tick, NULL), 0);
	ret = strategy_write_all(fds[1], buf, len);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	close(fds[1]);
	pthread_join(th, NULL);
	close(fds[0]);
	/* main() armed alarm(60) as a watchdog: re-arm it */
	alarm(60);
	assert_int_equal(ret, 0);
	assert_int_equal(pr.len, len);
	assert_memory_equal(pr.got, buf, len);
	free(pr.got);
	free(buf);
}

/* case_pwrite_all at an offset past 4 GiB lands there (64-bit offsets), and an
 * offset past what off_t holds is refused, not wrapped. */
static void test_pwrite_all_offsets(void **state)
{
	struct tcase *tc = *state;
	const uint64_t off = (5ull << 30) + 123;
	unsigned char buf[5000], back[5000];
	char path[PATH_MAX];
	struct stat sb;
	int fd;

	case_fill_random(buf, sizeof(buf), 13);
	case_path(tc, "far", path);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	if (strategy_pwrite_all(fd, buf, sizeof(buf), off) == -EFBIG) {
		close(fd);
		print_message("skip: the filesystem of %s holds no 5 GiB "
			      "file\n", tc->dir);
		skip();
	}
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal((uint64_t)sb.st_size, off + sizeof(buf));
	assert_int_equal(pread(fd, back, sizeof(back), (off_t)off),
			 sizeof(back));
	assert_memory_equal(back, buf, sizeof(buf));
	assert_int_equal(strategy_pwrite_all(fd, buf, 1, (uint64_t)INT64_MAX),
			 -EFBIG);
	assert_int_equal(strategy_pwrite_all(fd, buf, 1, UINT64_MAX), -EFBIG);
	close(fd);
}

/* The probe pair holds the data; readback wants exactly it, no more. */
static void test_probe_pair(void **state)
{
	struct tcase *tc = *state;
	static const char data[] = "probe pair data";
	char why[256] = "", missing[PATH_MAX];
	int fds[2];

	assert_int_equal(strategy_probe_pair(tc->dir, data, sizeof(data), fds,
					     why, sizeof(why)), 0);
	assert_true(strategy_probe_readback(fds[0], data, sizeof(data)));
	assert_false(strategy_probe_readback(fds[1], data, sizeof(data)));
	assert_true(strategy_probe_readback(fds[1], data, 0));
	/* a longer file is not the copy asked for */
	assert_int_equal(pwrite(fds[0], "x", 1, sizeof(data)), 1);
	assert_false(strategy_probe_readback(fds[0], data, sizeof(data)));
	close(fds[0]);
	close(fds[1]);

	case_path(tc, "no-such-dir", missing);
	assert_int_equal(strategy_probe_pair(missing, data, sizeof(data), fds,
					     why, sizeof(why)), -ENOENT);
	assert_int_equal(fds[0], -1);
	assert_int_equal(fds[1], -1);
	assert_non_null(strstr(why, missing));
}

/*
 * A probe that cannot write its scratch file says why with the real errno
 * (here EFBIG from RLIMIT_FSIZE; ENOSPC or EDQUOT on a full disk): it used
 * to report a bare EIO "cannot write".
 */
static void test_probe_write_errno(void **state)
{
	static const struct copy_strategy *const probed[] = {
		&strategy_copy_file_range,
		&strategy_reflink,
	};
	struct tcase *tc = *state;

	for (size_t i = 0; i < sizeof(probed) / sizeof(probed[0]); i++) {
		char why[256] = "";
		struct rlimit old = limit_file_size(16);
		int ret = strategy_probe(probed[i], tc->dir, why, sizeof(why));

		assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
		print_message("# %s probe under a 16-byte file limit: %s\n",
			      probed[i]->name, why);
		assert_int_equal(ret, -EFBIG);
		assert_non_null(strstr(why, strerror(EFBIG)));
	}
}

/* A test listed under its function's name, test_ left out. */
#define HELPER_TEST(name) { #name, test_##name }

int main(void)
{
	static struct tcase tc[5];
	static const struct {
		const char *name;
		CMUnitTestFunction fn;
	} list[] = {
		HELPER_TEST(write_all_short),
		HELPER_TEST(write_all_eintr),
		HELPER_TEST(pwrite_all_offsets),
		HELPER_TEST(probe_pair),
		HELPER_TEST(probe_write_errno),
	};
	struct CMUnitTest tests[5];
	int failed;

	/* a write blocked for good fails, not hangs */
	alarm(60);
	if (case_top_dir_make("helpers"))
		return 1;
	for (size_t i = 0; i < 5; i++) {
		snprintf(tc[i].name, sizeof(tc[i].name), "%s", list[i].name);
		tests[i] = case_unit_test(&tc[i], list[i].fn);
	}
	failed = _cmocka_run_group_tests("strategy_helpers", tests, 5, NULL,
					 NULL);
	case_top_dir_remove();
	return failed;
}
