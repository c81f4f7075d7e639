// SPDX-License-Identifier: MIT
/*
 * The synchronous strategies (rw, stdio, mmap, sendfile, copy_file_range,
 * splice) driven directly through the vtable: awkward sizes, odd and 64-bit
 * ranges, short sources, reuse after an error, a source shrunk under mmap.
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

#include "params.h"
#include "strategies.h"

#define MiB (1024u * 1024u)

struct tcase {
	const struct copy_strategy *s;
	char dir[PATH_MAX]; /* fresh per test, removed afterwards */
	char name[96];
};

static char top_dir[PATH_MAX];

/* ---- helpers ---- */

/* splitmix64: deterministic content without a library dependency */
static void fill_random(unsigned char *buf, size_t len, uint64_t seed)
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

static void path_in(const struct tcase *tc, const char *name, char *out)
{
	assert_true(snprintf(out, PATH_MAX, "%s/%s", tc->dir, name) < PATH_MAX);
}

static void pwrite_all(int fd, const void *buf, size_t len, off_t off)
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
static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	pwrite_all(fd, buf, len, 0);
	assert_int_equal(close(fd), 0);
}

/* Asserts that path holds exactly want (len bytes). */
static void assert_file_is(const char *path, const unsigned char *want,
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

static int open_src(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static int open_dst(const char *path, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);

	assert_true(fd >= 0);
	return fd;
}

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
	path_in(tc, "src", src);
	path_in(tc, "dst", dst);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fill_random(data, sizes[i], sizes[i] + 1);
		write_file(src, data, sizes[i]);
		for (size_t b = 0; b < nbufs; b++) {
			struct test_params p = { .buffer_size = bufs[b] };
			struct copy_range r = { .len = sizes[i] };
			int in = open_src(src), out = open_dst(dst, O_TRUNC);
			int ret = test_copy_once(tc->s, &p, in, out, &r);

			if (ret)
				print_message("%s: size %zu buffer %zu: %s\n",
					      tc->s->name, sizes[i], bufs[b],
					      strerror(-ret));
			assert_int_equal(ret, 0);
			close(in);
			close(out);
			assert_file_is(dst, data, sizes[i]);
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
	path_in(tc, "src", src);
	path_in(tc, "dst", dst);
	fill_random(data, SRC_LEN, 42);
	write_file(src, data, SRC_LEN);
	for (size_t b = 0; b < nbufs; b++) {
		struct test_params p = { .buffer_size = bufs[b] };
		int in, out;

		/* existing, longer destination */
		memset(want, 0xa5, DST_LEN);
		write_file(dst, want, DST_LEN);
		memcpy(want + OFF_OUT, data + OFF_IN, LEN);
		in = open_src(src);
		out = open_dst(dst, 0);
		assert_int_equal(test_copy_once(tc->s, &p, in, out, &r), 0);
		close(out);
		assert_file_is(dst, want, DST_LEN);

		/* empty destination */
		memset(want, 0, OFF_OUT);
		out = open_dst(dst, O_TRUNC);
		assert_int_equal(test_copy_once(tc->s, &p, in, out, &r), 0);
		close(out);
		close(in);
		assert_file_is(dst, want, OFF_OUT + LEN);
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
	path_in(tc, "src", src);
	path_in(tc, "dst", dst);
	fill_random(data, LEAD + LEN, 7);
	out = open_dst(src, O_TRUNC);
	if (ftruncate(out, 5ull << 30)) {
		print_message("skip: no 5 GiB sparse file here: %s\n",
			      strerror(errno));
		close(out);
		skip();
	}
	pwrite_all(out, data, LEAD + LEN, src_base);
	close(out);

	in = open_src(src);
	out = open_dst(dst, O_TRUNC);
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
	path_in(tc, "src", src);
	path_in(tc, "dst", dst);
	fill_random(data, SRC_LEN, 3);
	write_file(src, data, SRC_LEN);
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		int in, out, ret;

		if (ranges[i].src_off && !(tc->s->flags & COPY_RANGES))
			continue;
		in = open_src(src);
		out = open_dst(dst, O_TRUNC);
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
	path_in(tc, "src", src);
	path_in(tc, "dst", dst);
	fill_random(data, LEN, 11);
	write_file(src, data, LEN);
	write_file(dst, "", 0);

	p = test_resolve(tc->s, &p);
	st = calloc(1, tc->s->state_size ? tc->s->state_size : 1);
	assert_non_null(st);
	assert_int_equal(tc->s->setup ? tc->s->setup(st, &p) : 0, 0);
	in = open_src(src);
	out = open(dst, O_RDONLY | O_CLOEXEC);
	assert_true(out >= 0);
	ret = tc->s->copy(st, in, out, &r);
	assert_true(ret < 0);
	close(out);

	out = open_dst(dst, O_TRUNC);
	ret = tc->s->copy(st, in, out, &r);
	assert_int_equal(ret, 0);
	close(out);
	close(in);
	if (tc->s->teardown)
		tc->s->teardown(st);
	free(st);
	assert_file_is(dst, data, LEN);
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
	void *st = calloc(1, tc->s->state_size);
	int in, out;

	assert_non_null(data);
	assert_non_null(st);
	path_in(tc, "src", src);
	path_in(tc, "dst", dst);
	fill_random(data, LEN, 5);
	write_file(src, data, LEN);
	assert_int_equal(tc->s->setup(st, &p), 0);
	assert_int_equal(truncate(src, KEEP), 0);
	in = open_src(src);
	out = open_dst(dst, O_TRUNC);
	assert_int_equal(tc->s->copy(st, in, out, &all), -ENODATA);
	/* still alive, and the state still copies */
	assert_int_equal(ftruncate(out, 0), 0);
	assert_int_equal(tc->s->copy(st, in, out, &kept), 0);
	close(out);
	close(in);
	if (tc->s->teardown)
		tc->s->teardown(st);
	free(st);
	assert_file_is(dst, data, KEEP);
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
	path_in(tc, "src", src);
	path_in(tc, "dst", dst);
	fill_random(data, LEN, 9);
	write_file(src, data, LEN);
	free(data);
	in = open_src(src);
	t.dst_fd = open_dst(dst, O_TRUNC);
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

	path_in(tc, "no-such-dir", missing);
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
	fill_random(data, len, 17);
	path_in(tc, "src", src);
	path_in(tc, "dst", dst);
	write_file(src, data, len);
	p = test_resolve(tc->s, &p);
	st = calloc(1, tc->s->state_size ? tc->s->state_size : 1);
	assert_non_null(st);
	assert_int_equal(tc->s->setup ? tc->s->setup(st, &p) : 0, 0);
	in = open_src(src);
	out = open_dst(dst, O_TRUNC);
	getrusage(RUSAGE_THREAD, &ru0);
	ret = tc->s->copy(st, in, out, &r);
	getrusage(RUSAGE_THREAD, &ru1);
	if (tc->s->teardown)
		tc->s->teardown(st);
	free(st);
	close(in);
	close(out);
	assert_int_equal(ret, 0);
	faults = ru1.ru_minflt - ru0.ru_minflt;
	print_message("# %s: %ld minor faults copying 16 MiB through 8 MiB "
		      "buffers\n", tc->s->name, faults);
	/* an unfaulted 8 MiB buffer alone is 2048 faults */
	assert_true(faults < 512);
	assert_file_is(dst, data, len);
	free(data);
}

/* ---- shared helpers: whole-buffer writes and the probe pair ---- */

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

	fill_random(buf, sizeof(buf), 7);
	path_in(tc, "short", path);
	fd = open_dst(path, O_TRUNC);
	old = limit_file_size(5000);
	ret = strategy_write_all(fd, buf, sizeof(buf));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(ret, -EFBIG);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal(sb.st_size, 5000);
	assert_int_equal(close(fd), 0);
	assert_file_is(path, buf, 5000);

	fd = open_dst(path, O_TRUNC);
	assert_int_equal(strategy_write_all(fd, buf, sizeof(buf)), 0);
	assert_int_equal(strategy_write_all(fd, buf, 0), 0);
	assert_int_equal(close(fd), 0);
	assert_file_is(path, buf, sizeof(buf));
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
	fill_random(buf, len, 11);
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

/* pwrite_all at an offset past 4 GiB lands there (64-bit offsets), and an
 * offset past what off_t holds is refused, not wrapped. */
static void test_pwrite_all_offsets(void **state)
{
	struct tcase *tc = *state;
	const uint64_t off = (5ull << 30) + 123;
	unsigned char buf[5000], back[5000];
	char path[PATH_MAX];
	struct stat sb;
	int fd;

	fill_random(buf, sizeof(buf), 13);
	path_in(tc, "far", path);
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

	path_in(tc, "no-such-dir", missing);
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

/* ---- fixtures and the test table ---- */

static int make_case_dir(void **state)
{
	struct tcase *tc = *state;
	static unsigned n;

	if (snprintf(tc->dir, sizeof(tc->dir), "%s/%u", top_dir, n++) >=
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

static int remove_case_dir(void **state)
{
	struct tcase *tc = *state;

	return nftw(tc->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

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

/* The helpers in common.c, each in a fresh directory like the cases. */
static int run_helper_tests(void)
{
	static struct tcase tc[5];
	static const struct {
		const char *name;
		CMUnitTestFunction fn;
	} list[] = {
		{ "write_all_short", test_write_all_short },
		{ "write_all_eintr", test_write_all_eintr },
		{ "pwrite_all_offsets", test_pwrite_all_offsets },
		{ "probe_pair", test_probe_pair },
		{ "probe_write_errno", test_probe_write_errno },
	};
	struct CMUnitTest tests[5];

	for (size_t i = 0; i < 5; i++) {
		snprintf(tc[i].name, sizeof(tc[i].name), "%s", list[i].name);
		tests[i] = (struct CMUnitTest){
			.name = tc[i].name,
			.test_func = list[i].fn,
			.setup_func = make_case_dir,
			.teardown_func = remove_case_dir,
			.initial_state = &tc[i],
		};
	}
	return _cmocka_run_group_tests("strategy_helpers", tests, 5, NULL,
				       NULL);
}

int main(void)
{
	static struct tcase cases[NSTRAT * NBEHAV];
	static struct CMUnitTest tests[NSTRAT * NBEHAV];
	const char *tmp = getenv("TMPDIR");
	size_t n = 0;
	int failed;

	/* a copy blocked for good (a pipe left full) fails, not hangs;
	 * the whole program normally takes well under a second */
	alarm(60);
	sigbus_to_handler_status = sigbus_child_status(count_sigbus);
	sigbus_to_default_status = sigbus_child_status(SIG_DFL);

	snprintf(top_dir, sizeof(top_dir), "%s/iobench-sync-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top_dir)) {
		perror("mkdtemp");
		return 1;
	}
	for (size_t b = 0; b < NBEHAV; b++) {
		for (size_t i = 0; i < NSTRAT; i++) {
			const struct copy_strategy *s = sync_strategies[i];

			if (behaviours[b].only && behaviours[b].only != s)
				continue;
			cases[n].s = s;
			snprintf(cases[n].name, sizeof(cases[n].name), "%s/%s",
				 s->name, behaviours[b].name);
			tests[n] = (struct CMUnitTest){
				.name = cases[n].name,
				.test_func = behaviours[b].fn,
				.setup_func = make_case_dir,
				.teardown_func = remove_case_dir,
				.initial_state = &cases[n],
			};
			n++;
		}
	}
	failed = _cmocka_run_group_tests("sync_strategies", tests, n, NULL,
					 NULL);
	failed += run_helper_tests();
	rmdir(top_dir);
	return failed;
}
