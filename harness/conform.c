// SPDX-License-Identifier: MIT
/*
 * The conformance matrix (conform.h): cases grouped by what they probe,
 * each group in a forked child that streams its cases to the parent
 * through a pipe, so a strategy that crashes or hangs fails that group
 * and the run goes on. This file: a case's bookkeeping and the driver;
 * the groups are in conform_cases.c, the file helpers in conform_files.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <xxhash.h>

#include "conform_internal.h"
#include "fmt.h"
#include "strategies.h"

/* ---- cases ---- */

/* "buffer=4K direct=yes", or "defaults" for a strategy without options. */
static void conform_variant_str(const struct copy_strategy *s, const void *opts,
				char *out, size_t len)
{
	size_t used = 0;

	snprintf(out, len, "defaults");
	for (const struct copy_option *o = opts ? s->options : NULL;
	     o && o->name; o++) {
		uint64_t v = strategy_option_get(o, opts);
		char val[FMT_LEN];
		int n;

		if (o->type == COPY_OPT_SIZE)
			fmt_size(v, val, sizeof(val));
		else if (o->type == COPY_OPT_BOOL)
			snprintf(val, sizeof(val), "%s", v ? "yes" : "no");
		else
			snprintf(val, sizeof(val), "%llu",
				 (unsigned long long)v);
		n = snprintf(out + used, len - used, "%s%s=%s", used ? " " : "",
			     o->name, val);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += n;
	}
}

static void send_record(struct conform *cf, int kind)
{
	struct record r = { .kind = kind, .c = cf->c };

	/* one atomic write; a lost record shows as a failed child */
	if (write(cf->out, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(3);
}

void conform_case_begin(struct conform *cf, const char *group, const char *fmt,
			...)
{
	va_list ap;

	memset(&cf->c, 0, sizeof(cf->c));
	snprintf(cf->c.group, sizeof(cf->c.group), "%s", group);
	va_start(ap, fmt);
	vsnprintf(cf->c.name, sizeof(cf->c.name), fmt, ap);
	va_end(ap);
	send_record(cf, RECORD_START);
}

void conform_case_end(struct conform *cf)
{
	if (cf->c.failures)
		cf->c.status = CONFORM_FAIL;
	send_record(cf, RECORD_DONE);
}

void conform_case_note(struct conform *cf, enum conform_status st,
		       const char *fmt, ...)
{
	va_list ap;

	cf->c.status = st;
	va_start(ap, fmt);
	vsnprintf(cf->c.detail, sizeof(cf->c.detail), fmt, ap);
	va_end(ap);
}

/* One failed check of the running case; the first one is its detail. */
void conform_failf(struct conform *cf, const void *opts, const char *fmt, ...)
{
	char vs[160], msg[232];
	va_list ap;

	if (cf->c.failures++)
		return;
	conform_variant_str(cf->s, opts, vs, sizeof(vs));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(cf->c.detail, sizeof(cf->c.detail), "%s [%s]", msg, vs);
}

void conform_path_in(const struct conform *cf, char *out, size_t len,
		     const char *name)
{
	/* the scratch directory's path leaves room for the names used */
	if (snprintf(out, len, "%s/%s", cf->dir, name) >= (int)len)
		out[0] = '\0';
}

/* The content of the source file of `size` bytes. */
const unsigned char *conform_content(const struct conform *cf, uint64_t size)
{
	return cf->pool + size % POOL_SLACK;
}

/* Path of the source of `size` bytes, created on first use. */
int conform_source_for(const struct conform *cf, uint64_t size, char *path,
		       size_t len)
{
	struct stat st;

	if (snprintf(path, len, "%s/src-%llu", cf->dir,
		     (unsigned long long)size) >= (int)len)
		return -ENAMETOOLONG;
	if (!stat(path, &st) && (uint64_t)st.st_size == size)
		return 0;
	return conform_write_file(path, conform_content(cf, size), size);
}

/* Copies r from src_path into dst_path (opened with dst_flags) once; a
 * failed close of dst (a lost write) is an error too. */
int conform_copy_paths(const struct conform *cf, const void *opts,
		       const char *src_path, const char *dst_path,
		       int dst_flags, const struct copy_range *r)
{
	int src, dst, ret;

	ret = conform_open_pair(cf->s, opts, src_path, dst_path, dst_flags,
				&src, &dst);
	if (ret)
		return ret;
	ret = strategy_copy_once(cf->s, opts, src, dst, r);
	close(src);
	if (close(dst) && !ret)
		ret = -errno;
	return ret;
}

/* path must hold exactly `size` bytes equal to want. */
bool conform_check_file(struct conform *cf, const void *opts, const char *path,
			const unsigned char *want, uint64_t size)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		conform_failf(cf, opts, "cannot open the copy: %s",
			      strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if ((uint64_t)st.st_size != size) {
		conform_failf(cf, opts,
			      "the copy has %lld bytes, expected %llu",
			      (long long)st.st_size, (unsigned long long)size);
		close(fd);
		return false;
	}
	ret = size ? conform_pread_all(fd, cf->back, size, 0) : 0;
	close(fd);
	if (ret) {
		conform_failf(cf, opts, "reading the copy: %s", strerror(-ret));
		return false;
	}
	if (XXH3_64bits(cf->back, size) != XXH3_64bits(want, size) ||
	    memcmp(cf->back, want, size)) {
		uint64_t i = 0;

		while (i < size && cf->back[i] == want[i])
			i++;
		conform_failf(cf, opts, "content differs from byte %llu on",
			      (unsigned long long)i);
		return false;
	}
	cf->c.copies++;
	return true;
}

/* A whole-file copy as the harness does it: dst created and truncated. */
void conform_copy_whole(struct conform *cf, const void *opts, const char *src,
			const unsigned char *want, uint64_t size)
{
	struct copy_range r = { .len = size };
	char dst[PATH_MAX];
	int ret;

	conform_path_in(cf, dst, sizeof(dst), "dst");
	ret = conform_copy_paths(cf, opts, src, dst, O_CREAT | O_TRUNC, &r);
	if (ret)
		conform_failf(cf, opts, "copy of %llu bytes failed: %s",
			      (unsigned long long)size, strerror(-ret));
	else
		conform_check_file(cf, opts, dst, want, size);
}

/* The size option the matrix varies: "buffer", else the first size a
 * strategy declares (a plugin's "chunk"), else none. */
const struct copy_option *conform_size_option(const struct copy_strategy *s)
{
	const struct copy_option *o = strategy_option(s, "buffer");

	for (const struct copy_option *i = s->options; !o && i && i->name; i++)
		if (i->type == COPY_OPT_SIZE)
			o = i;
	return o;
}

/* ---- driver ---- */

/* Adds the defaults with the given options set over them; an option the
 * strategy lacks or a value outside its range is left at its default,
 * and a set equal to one already there is dropped. */
static int add_variant(struct conform *cf, const char *const *names,
		       const uint64_t *values, size_t n)
{
	const struct copy_strategy *s = cf->s;
	size_t size = s->options_size ? s->options_size : 1;
	void *opts;

	if (cf->nvariants == MAX_VARIANTS)
		return 0;
	opts = calloc(1, size);
	if (!opts)
		return -ENOMEM;
	strategy_options_default(s, opts);
	for (size_t i = 0; i < n; i++)
		strategy_option_set(s, opts, names[i], values[i]);
	for (size_t i = 0; i < cf->nvariants; i++) {
		if (!memcmp(cf->variants[i], opts, size)) {
			free(opts);
			return 0;
		}
	}
	cf->variants[cf->nvariants++] = opts;
	return 0;
}

/* The option sets every case runs with: sizes 4K, 64K and 1M of the
 * buffer (or other size option), O_DIRECT off and on where optional (and
 * possible in the directory), extreme queue depths, and each other
 * switch flipped. */
static int make_variants(struct conform *cf)
{
	static const uint64_t bufs[] = { 4 * KiB, 64 * KiB, 1 * MiB };
	const struct copy_strategy *s = cf->s;
	const struct copy_option *size = conform_size_option(s);
	const char *size_name = size ? size->name : "buffer";
	bool direct = strategy_option(s, "direct");
	char why[256];
	int ret = 0;

	if (direct && strategy_probe_direct(cf->dir, why, sizeof(why))) {
		direct = false;
		cf->no_direct = "O_DIRECT is not possible in the directory";
	}
	for (size_t b = 0; b < (size ? 3u : 1u) && !ret; b++)
		for (int d = 0; d < (direct ? 2 : 1) && !ret; d++)
			ret = add_variant(
				cf,
				(const char *const[]){ size_name, "direct" },
				(const uint64_t[]){ bufs[b], (uint64_t)d }, 2);
	if (!ret && strategy_option(s, "qd")) {
		ret = add_variant(cf, (const char *const[]){ size_name, "qd" },
				  (const uint64_t[]){ 4 * KiB, 1 }, 2);
		if (!ret)
			ret = add_variant(
				cf, (const char *const[]){ size_name, "qd" },
				(const uint64_t[]){ 4 * KiB, 256 }, 2);
	}
	for (const struct copy_option *o = s->options; !ret && o && o->name;
	     o++) {
		if (o->type != COPY_OPT_BOOL || !strcmp(o->name, "direct"))
			continue;
		ret = add_variant(cf, &o->name, (const uint64_t[]){ !o->def },
				  1);
	}
	return ret;
}

static void free_variants(struct conform *cf)
{
	for (size_t i = 0; i < cf->nvariants; i++)
		free(cf->variants[i]);
	cf->nvariants = 0;
}

static const struct {
	unsigned bit;
	const char *name;
	void (*run)(struct conform *cf);
} groups[] = {
	{ CONFORM_WHOLE, "whole file", conform_group_whole },
	{ CONFORM_RANGES, "range", conform_group_ranges },
	{ CONFORM_SPLIT, "split", conform_group_split },
	{ CONFORM_SPARSE, "sparse", conform_group_sparse },
	{ CONFORM_LONGER, "longer destination", conform_group_longer },
	{ CONFORM_ENOSPC, "ENOSPC", conform_group_enospc },
};

/* conform_stop(): set from a signal handler, read between groups */
static volatile sig_atomic_t stopped;
static volatile pid_t running_child;

void conform_stop(void)
{
	pid_t pid = running_child;

	stopped = 1;
	if (pid > 0)
		kill(pid, SIGKILL);
}

static void tally(struct conform_totals *t, const struct conform_case *c)
{
	if (c->status == CONFORM_PASS)
		t->pass++;
	else if (c->status == CONFORM_FAIL)
		t->fail++;
	else
		t->skip++;
}

/* The parent's side of one group: every record reported as it comes,
 * then the child's end; a crash or hang fails the case it was in. */
static int collect(const struct conform_request *rq, struct conform_totals *t,
		   const char *group, unsigned timeout, int in, pid_t pid)
{
	struct conform_case last = { .status = CONFORM_PASS };
	bool open_case = false;
	struct record r;
	int status;
	ssize_t n;

	snprintf(last.group, sizeof(last.group), "%s", group);
	snprintf(last.name, sizeof(last.name), "(before the first case)");
	while ((n = read(in, &r, sizeof(r))) == (ssize_t)sizeof(r) ||
	       (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		if (r.kind == RECORD_START) {
			last = r.c;
			open_case = true;
			continue;
		}
		open_case = false;
		tally(t, &r.c);
		rq->report(rq->ctx, &r.c);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (stopped)
		return -EINTR;
	if (WIFEXITED(status) && !WEXITSTATUS(status) && !open_case)
		return 0;
	last.status = CONFORM_FAIL;
	last.failures++;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		snprintf(last.detail, sizeof(last.detail),
			 "timed out after "
			 "%u s; the rest of the group did not run",
			 timeout);
	else if (WIFSIGNALED(status))
		snprintf(last.detail, sizeof(last.detail),
			 "the copy crashed "
			 "(%s); the rest of the group did not run",
			 strsignal(WTERMSIG(status)));
	else
		snprintf(last.detail, sizeof(last.detail),
			 "the group's "
			 "process exited with %d mid-case",
			 WEXITSTATUS(status));
	tally(t, &last);
	rq->report(rq->ctx, &last);
	return 0;
}

static int run_group(struct conform *cf, const struct conform_request *rq,
		     struct conform_totals *t, size_t g)
{
	unsigned timeout = rq->timeout ? rq->timeout : DEFAULT_TIMEOUT;
	int fds[2], ret;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		cf->out = fds[1];
		/* SIGALRM's default action ends a hung group; a stop
		 * signal ends it at once */
		signal(SIGALRM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		alarm(timeout);
		groups[g].run(cf);
		_exit(0);
	}
	close(fds[1]);
	running_child = pid;
	/* a stop that came during fork() found no child to kill */
	if (stopped)
		kill(pid, SIGKILL);
	ret = collect(rq, t, groups[g].name, timeout, fds[0], pid);
	running_child = 0;
	close(fds[0]);
	return ret;
}

int conform_run(const struct conform_request *rq, struct conform_totals *t,
		char *err, size_t len)
{
	unsigned want = rq->groups ? rq->groups : CONFORM_ALL;
	struct conform cf = { .s = rq->s };
	int ret;

	*t = (struct conform_totals){ 0 };
	ret = conform_mkdtemp(cf.dir, sizeof(cf.dir), rq->dir, "check");
	if (ret)
		return strategy_why(err, len, ret,
				    "cannot make a scratch "
				    "directory in %s: %s",
				    rq->dir ? rq->dir : "/var/tmp",
				    strerror(-ret));
	cf.pool = malloc(MAX_FILE + POOL_SLACK);
	cf.back = malloc(SCRATCH);
	cf.expect = malloc(SCRATCH);
	ret = -ENOMEM;
	if (!cf.pool || !cf.back || !cf.expect)
		goto out;
	ret = conform_fill_random(cf.pool, MAX_FILE + POOL_SLACK);
	if (!ret)
		ret = make_variants(&cf);
	if (ret)
		goto out;
	if (cf.no_direct) {
		struct conform_case c = { .status = CONFORM_SKIP };

		snprintf(c.group, sizeof(c.group), "options");
		snprintf(c.name, sizeof(c.name), "direct=yes");
		snprintf(c.detail, sizeof(c.detail), "%s (%s)", cf.no_direct,
			 strategy_fs_name(cf.dir));
		tally(t, &c);
		rq->report(rq->ctx, &c);
	}
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]) && !ret; g++)
		if (want & groups[g].bit)
			ret = stopped ? -EINTR : run_group(&cf, rq, t, g);
out:
	if (ret)
		strategy_why(err, len, ret, "%s", strerror(-ret));
	free_variants(&cf);
	free(cf.pool);
	free(cf.back);
	free(cf.expect);
	conform_rmtree(cf.dir);
	return ret;
}
