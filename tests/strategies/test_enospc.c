// SPDX-License-Identifier: MIT
/*
 * ENOSPC: every usable strategy copying 4 MiB onto a tmpfs with 1 MiB free
 * must fail, never report success (the conformance matrix's case); `iobench
 * cp` must say "No space left on device".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "conform.h"
#include "strategies.h"

#define SRC_SIZE (4u << 20)

static char dir[PATH_MAX];	/* test dir, on the test filesystem */
static char mnt[PATH_MAX];	/* a 5 MiB tmpfs: the source + 1 MiB free */
static char src_path[PATH_MAX];
static char dst_path[PATH_MAX];

static void keep_case(void *ctx, const struct conform_case *c)
{
	*(struct conform_case *)ctx = *c;
}

/* The conformance matrix's ENOSPC case (harness/conform.c), which runs
 * in a child with a tmpfs of its own. */
static void test_strategy_enospc(void **state)
{
	const struct copy_strategy *s = *state;
	struct conform_case c = { .status = CONFORM_FAIL };
	struct conform_request rq = {
		.s = s, .dir = dir, .groups = CONFORM_ENOSPC,
		.report = keep_case, .ctx = &c,
	};
	struct conform_totals t;
	char err[256];

	assert_int_equal(conform_run(&rq, &t, err, sizeof(err)), 0);
	print_message("# %s: %s: %s\n", s->name, c.name, c.detail);
	if (c.status == CONFORM_SKIP)
		skip();
	assert_int_equal(c.status, CONFORM_PASS);
	assert_int_equal(t.fail, 0);
}

/* Runs `$IOBENCH cp -s rw SRC DST`, its stderr into err (NUL-ended). */
static int run_iobench_cp(const char *iobench, char *err, size_t len)
{
	char err_path[PATH_MAX + 16];
	int status, fd;
	ssize_t n;
	pid_t pid;

	snprintf(err_path, sizeof(err_path), "%s/stderr", dir);
	fd = open(err_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl(iobench, iobench, "cp", "-s", "rw", src_path, dst_path,
		      (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	n = pread(fd, err, len - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(err_path);
	unlink(dst_path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_iobench_cp_enospc(void **state)
{
	const char *iobench = getenv("IOBENCH");
	char err[4096];
	int code;

	(void)state;
	if (!iobench || !*iobench) {
		print_message("# IOBENCH is not set: run under meson test\n");
		skip();
	}
	code = run_iobench_cp(iobench, err, sizeof(err));
	print_message("# iobench cp onto a full tmpfs: exit %d, stderr: %s",
		      code, err);
	if (strstr(err, "not implemented")) {
		print_message("# iobench cp is not implemented yet\n");
		skip();
	}
	assert_int_not_equal(code, 0);
	assert_non_null(strstr(err, "No space left on device"));
}

static int fill_source(void)
{
	unsigned char *buf = malloc(SRC_SIZE);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = conform_fill_random(buf, SRC_SIZE);
	if (!ret)
		ret = conform_write_file(src_path, buf, SRC_SIZE);
	free(buf);
	return ret;
}

int main(void)
{
	size_t n = strategy_count(), i;
	struct CMUnitTest *tests = calloc(n + 1, sizeof(*tests));
	char why[256];
	int ret, status = 1;

	if (!tests)
		return 1;
	ret = conform_mkdtemp(dir, sizeof(dir), NULL, "enospc");
	if (ret) {
		fprintf(stderr, "cannot make a test directory: %s\n",
			strerror(-ret));
		goto out_free;
	}
	snprintf(mnt, sizeof(mnt), "%.4000s/mnt", dir);
	snprintf(src_path, sizeof(src_path), "%.4000s/src", mnt);
	snprintf(dst_path, sizeof(dst_path), "%.4000s/dst", mnt);
	/* source and destination on one tmpfs: copy_file_range and the
	 * same-filesystem strategies really copy instead of refusing the
	 * pair with EXDEV */
	ret = conform_private_tmpfs(mnt, "5m", why, sizeof(why));
	if (ret) {
		printf("SKIP: %s\n", why);
		status = 77;
		goto out_umount;
	}
	ret = fill_source();
	if (ret) {
		fprintf(stderr, "cannot write %s: %s\n", src_path,
			strerror(-ret));
		goto out_umount;
	}
	for (i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){
			.name = strategy_at(i)->name,
			.test_func = test_strategy_enospc,
			.initial_state = (void *)strategy_at(i),
		};
	tests[i] = (struct CMUnitTest){ .name = "iobench cp",
					.test_func = test_iobench_cp_enospc };
	status = _cmocka_run_group_tests("enospc", tests, n + 1, NULL, NULL) ?
			 1 : 0;
out_umount:
	umount2(mnt, MNT_DETACH);
	ret = conform_rmtree(dir);
	if (ret)
		fprintf(stderr, "cannot remove %s: %s\n", dir, strerror(-ret));
out_free:
	free(tests);
	return status;
}
