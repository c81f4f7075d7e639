// SPDX-License-Identifier: MIT
/*
 * iobench compare end to end: results files written with
 * results_write_json with known shifts, the exit codes that follow, and
 * the exact one-line errors for bad input.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <spawn.h>
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

#include "conform.h"
#include "fixture.h"

extern char **environ;

static char tmp[PATH_MAX];	/* the test's mkdtemp directory */
static char res[PATH_MAX];	/* tmp/results */
static const char *iobench;

/* per-copy times spread over 9% */
static const double wide[] = { 0.0100, 0.0107, 0.0103, 0.0109, 0.0101,
			       0.0105, 0.0108, 0.0102, 0.0106, 0.0104 };

struct outcome {
	int status;		/* exit code, or -1 */
	char out[16384], err[4096];
};

static void slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

static void path_in(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && n < PATH_MAX);
}

/* Runs iobench compare with the NULL-terminated extra arguments. */
/* where compare runs: an empty directory in the scratch one (no git
 * checkout), unless a test says otherwise */
static const char *run_cwd;

static void run_compare(struct outcome *o, ...)
{
	char out[PATH_MAX], err[PATH_MAX], cwd[PATH_MAX];
	const char *argv[16] = { iobench, "compare" };
	posix_spawn_file_actions_t fa;
	size_t n = 2;
	va_list ap;
	pid_t pid;
	int st;

	va_start(ap, o);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	path_in(out, "%s/stdout", tmp);
	path_in(err, "%s/stderr", tmp);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT |
					 O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT |
					 O_TRUNC, 0644);
	path_in(cwd, "%s/cwd", tmp);
	mkdir(cwd, 0755);
	posix_spawn_file_actions_addchdir_np(&fa, run_cwd ? run_cwd : cwd);
	assert_int_equal(posix_spawn(&pid, iobench, &fa, NULL,
				     (char **)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	slurp(out, o->out, sizeof(o->out));
	slurp(err, o->err, sizeof(o->err));
}

static void write_run(const struct run *r, const char *path)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	assert_int_equal(results_write_json(r, NULL, path), 0);
}

/* A run with 1M and 4K rw cells whose times are `wide` x scale. */
static void write_shifted(const char *path, const char *id, double scale,
			  bool incomplete)
{
	struct run r;

	fixture_run(&r, id);
	fixture_add_cell(&r, "rw", 1 << 20, 4096, wide, 10, scale);
	fixture_add_cell(&r, "rw", 4096, 4096, wide, 10, scale);
	if (incomplete) {
		r.incomplete = true;
		r.cells[1].status = CELL_PENDING;
		r.cells[1].n_samples = 0;
	}
	assert_int_equal(results_estimate(&r), 0);
	write_run(&r, path);
	results_free(&r);
}

static void write_text(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static int setup(void **state)
{
	char p[PATH_MAX];
	struct run r;
	const char *t = getenv("TMPDIR");

	(void)state;
	iobench = getenv("IOBENCH");
	if (!iobench) {
		fprintf(stderr, "IOBENCH is not set\n");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/iobench-compare-XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(tmp))
		return -1;
	path_in(res, "%s/results", tmp);
	mkdir(res, 0755);
	path_in(p, "%s/baselines/main.json", res);
	write_shifted(p, "base", 1, false);
	path_in(p, "%s/slower/results.json", res);
	write_shifted(p, "slower", 1.20, false);
	path_in(p, "%s/faster/results.json", res);
	write_shifted(p, "faster", 0.80, false);
	path_in(p, "%s/same/results.json", res);
	write_shifted(p, "same", 1.01, false);
	path_in(p, "%s/partial/results.json", res);
	write_shifted(p, "partial", 1, true);

	/* one cell on each side without a partner */
	fixture_run(&r, "other");
	fixture_add_cell(&r, "rw", 1 << 20, 4096, wide, 10, 1);
	fixture_add_cell(&r, "sendfile", 1 << 20, 0, wide, 10, 1);
	assert_int_equal(results_estimate(&r), 0);
	path_in(p, "%s/other/results.json", res);
	write_run(&r, p);
	results_free(&r);

	/* the same cells with another buffer size, x1.20 slower */
	fixture_run(&r, "bigbuf");
	fixture_add_cell(&r, "rw", 1 << 20, 1 << 20, wide, 10, 1.20);
	fixture_add_cell(&r, "rw", 4096, 1 << 20, wide, 10, 1.20);
	assert_int_equal(results_estimate(&r), 0);
	path_in(p, "%s/bigbuf/results.json", res);
	write_run(&r, p);
	results_free(&r);

	path_in(p, "%s/latest", res);
	return symlink("slower", p);
}

static int teardown(void **state)
{
	(void)state;
	return conform_rmtree(tmp);
}

static bool exists(const char *fmt, const char *a)
{
	char p[PATH_MAX];
	struct stat st;

	path_in(p, fmt, a);
	return !stat(p, &st);
}

/* Defaults: BASE = baseline main, NEW = results/latest (x1.20 slower). */
static void test_defaults_regressed(void **state)
{
	struct outcome o;

	(void)state;
	run_compare(&o, "--results", res, NULL);
	if (o.status != 4)
		fail_msg("exit %d, stderr: %s", o.status, o.err);
	assert_non_null(strstr(o.out, "| rw | 1M | buf 4K | warm | none |"));
	assert_non_null(strstr(o.out, "❌ regressed"));
	assert_non_null(strstr(o.out, "2 regressions, 0 improvements"));
	assert_non_null(strstr(o.out, "base: baseline main"));
	/* written beside NEW's results.json */
	assert_true(exists("%s/slower/compare.md", res));
	assert_true(exists("%s/slower/compare.json", res));
}

static void test_improved_and_same(void **state)
{
	char out[PATH_MAX];
	struct outcome o;

	(void)state;
	run_compare(&o, "--results", res, "main", "faster", NULL);
	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.out, "✅ improved"));
	assert_non_null(strstr(o.out, "No regressions detected, 2 "
					  "improvements"));

	/* x1.01 is no regression; a results.json path and --out work */
	path_in(out, "%s/out", tmp);
	run_compare(&o, "--results", res, "main", "--out", out,
		    "results/same/results.json", NULL);
	assert_int_equal(o.status, 1);	/* relative to cwd: not there */
	run_compare(&o, "--results", res, "main", "--out", out, NULL);
	assert_int_equal(o.status, 4);
	assert_true(exists("%s/compare.md", out));
	path_in(out, "%s/same/results.json", res);
	run_compare(&o, "--results", res, "--out", tmp, "main", out, NULL);
	assert_int_equal(o.status, 0);
	assert_null(strstr(o.out, "regressed |"));
	assert_null(strstr(o.out, "improved |"));
	assert_non_null(strstr(o.out, "\nNo regressions detected\n"));
}

static void test_unmatched_listed(void **state)
{
	struct outcome o;

	(void)state;
	run_compare(&o, "--results", res, "main", "other", NULL);
	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.out, "- only in base: `rw 4K buffer=4K warm "
					  "sync=none random`"));
	assert_non_null(strstr(o.out, "- only in new: `sendfile 1M warm "
					  "sync=none random`"));
}

static void test_list(void **state)
{
	struct outcome o;

	(void)state;
	run_compare(&o, "--results", res, "--list", NULL);
	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.out, "main "));
	assert_non_null(strstr(o.out, "2026-01-02T03:04:05Z"));
	assert_non_null(strstr(o.out, "testhost"));
}

static void expect_error(struct outcome *o, const char *want)
{
	assert_int_equal(o->status, 1);
	assert_string_equal(o->err, want);
	assert_string_equal(o->out, "");
}

static void test_missing_baseline(void **state)
{
	char empty[PATH_MAX], want[3 * PATH_MAX];
	struct outcome o;

	(void)state;
	path_in(empty, "%s/empty", tmp);
	mkdir(empty, 0755);
	run_compare(&o, "--results", empty, NULL);
	snprintf(want, sizeof(want), "iobench: compare: no baseline 'main' "
		 "in %s/baselines (save one with iobench sweep "
		 "--save-baseline main)\n", empty);
	expect_error(&o, want);
	run_compare(&o, "--results", res, "nosuch", NULL);
	snprintf(want, sizeof(want), "iobench: compare: 'nosuch' is no "
		 "baseline, run id, results directory or results.json "
		 "(looked for %s/baselines/nosuch.json and "
		 "%s/nosuch/results.json)\n", res, res);
	expect_error(&o, want);
	/* a path names only itself, not places under the results tree */
	run_compare(&o, "--results", res, "/nonexistent/results.json", res,
		    NULL);
	expect_error(&o, "iobench: compare: /nonexistent/results.json: No "
			 "such file or directory\n");
	/* inside a git checkout of iobench it may be a commit: it is not */
	run_cwd = getenv("SOURCE_ROOT");
	if (run_cwd && !access(run_cwd, F_OK)) {
		char git[PATH_MAX];

		path_in(git, "%s/.git", run_cwd);
		if (!access(git, F_OK)) {
			run_compare(&o, "--results", res, "nosuch", NULL);
			assert_int_equal(o.status, 1);
			assert_non_null(strstr(o.err, "'nosuch' is no "
					       "baseline, run id"));
			assert_non_null(strstr(o.err, ", nor a commit in "));
			assert_null(strchr(o.err, '\n') + 1 == NULL ? NULL :
				    strchr(strchr(o.err, '\n') + 1, '\n'));
		}
	}
	run_cwd = NULL;
}

/* Corrupt, truncated, wrong-schema and incomplete files: one line each,
 * exit 1, nothing written. */
static void test_bad_files(void **state)
{
	char bad[PATH_MAX], good[PATH_MAX], out[PATH_MAX];
	char want[3 * PATH_MAX];
	static char text[1 << 16];
	struct outcome o;
	char *at;

	(void)state;
	path_in(bad, "%s/bad.json", tmp);
	write_text(bad, "{\n  \"schema\": \"iobench/1\",\n  oops\n}\n", 35);
	path_in(out, "%s/badout", tmp);
	run_compare(&o, "--results", res, bad, "--out", out, NULL);
	snprintf(want, sizeof(want), "iobench: compare: %s:3:6: string or "
		 "'}' expected near 'oops'\n", bad);
	expect_error(&o, want);

	path_in(good, "%s/baselines/main.json", res);
	slurp(good, text, sizeof(text));
	write_text(bad, text, strlen(text) / 2);
	run_compare(&o, "--results", res, bad, NULL);
	assert_int_equal(o.status, 1);
	/* jansson names the end of the cut file, wherever that falls */
	snprintf(want, sizeof(want), "iobench: compare: %s:", bad);
	assert_memory_equal(o.err, want, strlen(want));
	/* the cut may fall inside a value, inside a number or right after
	 * an opening brace */
	assert_true(strstr(o.err, ": premature end of input") ||
		    strstr(o.err, ": invalid token near") ||
		    strstr(o.err, " expected near end of file"));
	/* one line */
	assert_ptr_equal(strchr(o.err, '\n'), o.err + strlen(o.err) - 1);

	at = strstr(text, "\"iobench/2\"");
	assert_non_null(at);
	memcpy(at, "\"iobench/9\"", 11);
	write_text(bad, text, strlen(text));
	run_compare(&o, "--results", res, bad, NULL);
	snprintf(want, sizeof(want), "iobench: compare: %s: unknown schema "
		 "'iobench/9' (expected iobench/2 or iobench/1)\n",
		 bad);
	expect_error(&o, want);

	run_compare(&o, "--results", res, "main", "partial", NULL);
	snprintf(want, sizeof(want), "iobench: compare: %s/partial/"
		 "results.json: results of an incomplete run (1 of 2 cells "
		 "not run); pass --allow-incomplete to compare it anyway\n",
		 res);
	expect_error(&o, want);
	assert_false(exists("%s/partial/compare.md", res));
	run_compare(&o, "--results", res, "--allow-incomplete", "main",
		    "partial", NULL);
	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.out, "no data (base ok, new pending)"));
	assert_false(exists("%s/badout", tmp));
}

/* --ignore buffer matches cells whose buffer sizes differ: the slower
 * run is then a regression; without it the cells are unmatched and
 * nothing is compared, an error (never "no regressions"). */
static void test_ignore_buffer(void **state)
{
	struct outcome o;

	(void)state;
	run_compare(&o, "--results", res, "main", "bigbuf", NULL);
	assert_int_equal(o.status, 2);
	assert_non_null(strstr(o.out, "**Nothing compared"));
	assert_non_null(strstr(o.out, "0 matched cells"));
	assert_non_null(strstr(o.err, "compare: nothing compared: "));
	run_compare(&o, "--results", res, "--ignore", "buffer", "main",
		    "bigbuf", NULL);
	if (o.status != 4)
		fail_msg("exit %d, stderr: %s", o.status, o.err);
	assert_non_null(strstr(o.out, "| rw | 1M | buf 4K → buf 1M | warm |"));
	assert_non_null(strstr(o.out, "2 regressions, 0 improvements"));
	run_compare(&o, "--results", res, "--ignore", "buffer,colour", NULL);
	expect_error(&o, "iobench: compare: --ignore 'colour': not a key part "
			 "(buffer, qd, direct, sqpoll, content)\n");
}

static void test_bad_options(void **state)
{
	struct outcome o;

	(void)state;
	run_compare(&o, "--results", res, "--alpha", "2", NULL);
	expect_error(&o, "iobench: compare: --alpha '2': expected a number "
			 "in (0, 1), e.g. 0.05\n");
	run_compare(&o, "--results", res, "--threshold", "x", NULL);
	expect_error(&o, "iobench: compare: --threshold 'x': expected a "
			 "percentage in [0, 100), e.g. 3\n");
	run_compare(&o, "a", "b", "c", NULL);
	expect_error(&o, "iobench: compare: unexpected argument 'c' (at most "
			 "BASE and NEW)\n");
	/* a looser threshold turns the x1.20 regression into... still one;
	 * a 25% threshold makes it within noise: exit 0 */
	run_compare(&o, "--results", res, "--threshold", "25%", NULL);
	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.out, "⚠️ within noise"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_regressed),
		cmocka_unit_test(test_improved_and_same),
		cmocka_unit_test(test_ignore_buffer),
		cmocka_unit_test(test_unmatched_listed),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_missing_baseline),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
