// SPDX-License-Identifier: MIT
/*
 * iobench at another commit, fetched and built in a cache directory (see
 * gitbuild.h). Every git command runs with --no-optional-locks (git
 * status would otherwise refresh the user's index) and without the GIT_*
 * variables that would point it at another repository.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gitbuild.h"
#include "outfile.h"
#include "proc.h"

/* How a source tree says it is iobench (its top meson.build). */
#define PROJECT_MARK "project('iobench'"

/* git --no-optional-locks -C dir ARGS...; stdout captured when out is
 * set (you free it). 0 when git ran and exited 0; -ENOENT when git is
 * missing; -EIO otherwise. */
static int git(const char *dir, char **out, int err_fd, ...)
{
	char *argv[16] = { "git", "--no-optional-locks", "-C", (char *)dir };
	struct proc_opts o = { .out_fd = -1, .err_fd = err_fd,
			       .capture = out, .unset = proc_git_env };
	size_t n = 4;
	int status, ret;
	va_list ap;

	va_start(ap, err_fd);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	ret = proc_run(argv, &o, &status);
	if (ret)
		return ret;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (out) {
			free(*out);
			*out = NULL;
		}
		return -EIO;
	}
	return 0;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* Where needle first occurs in path's first 8 KiB, copied into buf (of
 * 8 KiB), or NULL. */
static const char *file_find(const char *path, const char *needle,
			     char *buf)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, 8191);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strstr(buf, needle);
}

static bool file_has(const char *path, const char *needle)
{
	char buf[8192];

	return file_find(path, needle, buf) != NULL;
}

/* "-Dtests=..." that leaves the tests out of a tree's build: the option
 * was a boolean, then a feature; NULL when the tree has no such option. */
static char *tests_off(const char *options)
{
	char buf[8192];
	const char *o = file_find(options, "option('tests'", buf), *end;

	if (!o)
		return NULL;
	end = strchr(o, ')');
	return end && memmem(o, (size_t)(end - o), "feature", 7) ?
	       "-Dtests=disabled" : "-Dtests=false";
}

int gitbuild_checkout(const char *dir, struct gitbuild_checkout *co,
		      char *err, size_t len)
{
	char *out = NULL, meson[PATH_MAX + 16];
	int ret;

	memset(co, 0, sizeof(*co));
	ret = git(dir, &out, -1, "rev-parse", "--show-toplevel", NULL);
	if (ret) {
		snprintf(err, len, "%s is not inside a git checkout%s", dir,
			 ret == -ENOENT ? " (git is not installed)" : "");
		return -ENOENT;
	}
	chomp(out);
	snprintf(co->top, sizeof(co->top), "%s", out);
	free(out);
	snprintf(meson, sizeof(meson), "%s/meson.build", co->top);
	if (!file_has(meson, PROJECT_MARK)) {
		snprintf(err, len, "%s is a git checkout, but not of iobench "
			 "(its meson.build declares no project 'iobench')",
			 co->top);
		co->top[0] = '\0';
		return -EINVAL;
	}
	out = NULL;
	if (!git(co->top, &out, -1, "rev-parse", "--verify", "-q", "HEAD",
		 NULL)) {
		chomp(out);
		snprintf(co->head, sizeof(co->head), "%s", out);
	}
	free(out);
	out = NULL;
	/* what vcs_tag's git describe --dirty calls dirty: tracked files */
	ret = git(co->top, &out, -1, "status", "--porcelain",
		  "--untracked-files=no", NULL);
	co->dirty = !ret && out && *out;
	free(out);
	if (ret) {
		snprintf(err, len, "git status failed in %s", co->top);
		return -EIO;
	}
	return 0;
}

int gitbuild_resolve(const struct gitbuild_checkout *co, const char *ref,
		     char *hash, char *err, size_t len)
{
	char *out = NULL, spec[PATH_MAX], meson[GITBUILD_HASH_LEN + 16];
	bool iobench;

	snprintf(spec, sizeof(spec), "%s^{commit}", ref);
	if (!*ref || git(co->top, &out, -1, "rev-parse", "--verify", "-q",
			 "--end-of-options", spec, NULL)) {
		snprintf(err, len, "'%s' is no commit in %s (git rev-parse "
			 "found none: a branch, tag, hash or HEAD~N, and no "
			 "saved run of that name)", ref, co->top);
		return -ENOENT;
	}
	chomp(out);
	snprintf(hash, GITBUILD_HASH_LEN, "%s", out);
	free(out);
	out = NULL;
	snprintf(meson, sizeof(meson), "%s:meson.build", hash);
	iobench = !git(co->top, &out, -1, "cat-file", "-p", meson, NULL) &&
		  strstr(out, PROJECT_MARK);
	free(out);
	if (!iobench) {
		snprintf(err, len, "'%s' (%.12s) is not an iobench commit (no "
			 "meson.build declaring project 'iobench')", ref,
			 hash);
		return -EINVAL;
	}
	return 0;
}

int gitbuild_cache_dir(const char *given, char *out, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (given)
		n = snprintf(out, len, "%s", given);
	else if (xdg && *xdg == '/')
		n = snprintf(out, len, "%s/iobench/builds", xdg);
	else if (home && *home)
		n = snprintf(out, len, "%s/.cache/iobench/builds", home);
	else
		return -EINVAL;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int gitbuild_check_current(const struct gitbuild_checkout *co,
			   const char *stamp, char *err, size_t len)
{
	static const char how[] = "rebuild it first (ninja -C build, or run "
				  "scripts/iobench, which builds)";
	bool dirty = strstr(stamp, "-dirty") != NULL;

	if (!strcmp(stamp, "unknown")) {
		snprintf(err, len, "this iobench was built outside git (its "
			 "commit is unknown): build it in %s first", co->top);
		return -ESTALE;
	}
	if (!*co->head || strncmp(stamp, co->head, strcspn(stamp, "-"))) {
		snprintf(err, len, "this iobench was built from %s, but %s "
			 "is at %.12s: %s", stamp, co->top,
			 *co->head ? co->head : "no commit", how);
		return -ESTALE;
	}
	if (dirty != co->dirty) {
		snprintf(err, len, "this iobench was built from %s, but the "
			 "working tree is %s now: %s", stamp,
			 co->dirty ? "dirty" : "clean", how);
		return -ESTALE;
	}
	return 0;
}

/* ---- the build cache ---- */

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) ? -1 : 0;
}

/* An unfinished build (killed, failed): gone before the next attempt. */
static int remove_tree(const char *dir)
{
	if (access(dir, F_OK))
		return 0;
	return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
}

/* One step of the build, its output appended to the log. */
static int build_step(char *const *argv, const char *cwd, int log_fd,
		      volatile sig_atomic_t *stop, char *err, size_t len,
		      const char *what, const char *log)
{
	struct proc_opts o = { .cwd = cwd, .out_fd = log_fd,
			       .err_fd = log_fd, .unset = proc_git_env,
			       .stop = stop };
	char st[64];
	int status, ret;

	dprintf(log_fd, "$");
	for (char *const *a = argv; *a; a++)
		dprintf(log_fd, " %s", *a);
	dprintf(log_fd, "\n");
	ret = proc_run(argv, &o, &status);
	if (ret) {
		snprintf(err, len, "%s: cannot run %s: %s", what, argv[0],
			 strerror(-ret));
		return ret;
	}
	if (stop && *stop) {
		snprintf(err, len, "%s: stopped", what);
		return -EINTR;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	snprintf(err, len, "%s failed (%s; see %s)", what,
		 proc_status_text(status, st, sizeof(st)), log);
	return -EIO;
}

/* Fetches hash from the user's repository into dir/src and checks it
 * out there; configures and builds dir/build. */
static int fetch_and_build(const struct gitbuild_checkout *co,
			   const char *hash, const char *dir, int log_fd,
			   const char *log, volatile sig_atomic_t *stop,
			   char *err, size_t len)
{
	char src[PATH_MAX + 8], build[PATH_MAX + 8], opts[PATH_MAX + 32];
	char *init[] = { "git", "init", "-q", src, NULL };
	char *fetch[] = { "git", "-C", src, "fetch", "-q", "--depth=1",
			  "--no-tags", (char *)co->top, (char *)hash, NULL };
	char *checkout[] = { "git", "-C", src, "-c",
			     "advice.detachedHead=false", "checkout", "-q",
			     "--detach", "FETCH_HEAD", NULL };
	char *setup[] = { "meson", "setup", build, src, NULL, NULL };
	char *ninja[] = { "ninja", "-C", build, "bench/iobench", NULL };
	int ret;

	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(build, sizeof(build), "%s/build", dir);
	ret = build_step(init, NULL, log_fd, stop, err, len, "git init",
			 log);
	if (!ret)
		ret = build_step(fetch, NULL, log_fd, stop, err, len,
				 "git fetch", log);
	if (!ret)
		ret = build_step(checkout, NULL, log_fd, stop, err, len,
				 "git checkout", log);
	if (ret)
		return ret;
	/* an old commit may not have the option yet */
	snprintf(opts, sizeof(opts), "%s/meson_options.txt", src);
	setup[4] = tests_off(opts);
	ret = build_step(setup, NULL, log_fd, stop, err, len, "meson setup",
			 log);
	/* the binary only; an older tree without that target: everything */
	if (!ret && build_step(ninja, NULL, log_fd, stop, err, len, "ninja",
			       log)) {
		if (stop && *stop)
			return -EINTR;
		ninja[3] = NULL;
		ret = build_step(ninja, NULL, log_fd, stop, err, len, "ninja",
				 log);
	}
	return ret;
}

int gitbuild_build(const struct gitbuild_checkout *co, const char *hash,
		   const char *cache, char *bin, size_t binlen, bool *reused,
		   volatile sig_atomic_t *stop, char *err, size_t len)
{
	char dir[PATH_MAX], lock[PATH_MAX + 8], done[PATH_MAX + 16];
	char log[PATH_MAX + 16];
	int lock_fd, log_fd = -1, ret, dirfd;

	*reused = false;
	if (snprintf(dir, sizeof(dir), "%s/%s", cache, hash) >=
	    (int)sizeof(dir) - 64) {
		snprintf(err, len, "--cache-dir %s: path too long", cache);
		return -ENAMETOOLONG;
	}
	snprintf(lock, sizeof(lock), "%s.lock", dir);
	snprintf(done, sizeof(done), "%s/complete", dir);
	snprintf(log, sizeof(log), "%s/build.log", dir);
	snprintf(bin, binlen, "%s/build/bench/iobench", dir);
	dirfd = outfile_dir_open(AT_FDCWD, cache, OUTFILE_CREATE);
	if (dirfd < 0) {
		snprintf(err, len, "cannot create the build cache %s: %s",
			 cache, strerror(-dirfd));
		return dirfd;
	}
	close(dirfd);
	lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX)) {
		ret = -errno;
		snprintf(err, len, "cannot lock %s: %s", lock, strerror(-ret));
		goto out_close;
	}
	if (!access(done, F_OK) && !access(bin, X_OK)) {
		*reused = true;
		ret = 0;
		goto out_close;
	}
	ret = remove_tree(dir);
	if (!ret && mkdir(dir, 0755))
		ret = -errno;
	if (ret) {
		snprintf(err, len, "cannot make a fresh %s: %s", dir,
			 strerror(-ret));
		goto out_close;
	}
	log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (log_fd < 0) {
		ret = -errno;
		snprintf(err, len, "cannot create %s: %s", log, strerror(-ret));
		goto out_close;
	}
	ret = fetch_and_build(co, hash, dir, log_fd, log, stop, err, len);
	if (!ret && access(bin, X_OK)) {
		snprintf(err, len, "the build made no bench/iobench (see %s)",
			 log);
		ret = -ENOENT;
	}
	if (!ret) {
		int fd = open(done, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);

		if (fd < 0 || dprintf(fd, "%s\n", hash) < 0 || fsync(fd))
			ret = -EIO;
		if (fd >= 0)
			close(fd);
		if (ret)
			snprintf(err, len, "cannot write %s", done);
	}
out_close:
	if (log_fd >= 0)
		close(log_fd);
	if (lock_fd >= 0)
		close(lock_fd);
	return ret;
}
