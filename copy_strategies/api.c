// SPDX-License-Identifier: MIT
/*
 * libiobench's public copy API (iobench/iobench.h): a strategy chosen by
 * name, its options given by name, one file or one range copied; errors
 * as -errno plus one line of text for the caller to show.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "iobench/iobench.h"
#include "strategies.h"
#include "strlist.h"
#include "version.h"

/* The size of the first struct iobench_copy_params: members appended by
 * later versions read as 0 for a caller built before them. */
#define PARAMS_SIZE_V1                                                         \
	(offsetof(struct iobench_copy_params, errmsg_len) + sizeof(size_t))

/* One call's strategy, its options and where its message goes. */
struct call {
	const struct copy_strategy *s;
	void *opts; /* s->options_size bytes, owned */
	unsigned flags;
	char *err;
	size_t err_len;
	const struct copy_io_observer *io_observer; /* or NULL */
};

static int call_fail(struct call *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int call_fail(struct call *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (c->err_len) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->err_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *iobench_lib_version(void)
{
	return IOBENCH_VERSION;
}

/*
 * The caller's params as this version knows them: a shorter struct (an
 * older caller) reads as zeros past its end; a longer one (a newer
 * caller) is refused unless what this version cannot honour is all zero,
 * as the kernel treats openat2's struct open_how.
 */
static int read_params(const struct iobench_copy_params *in,
		       struct iobench_copy_params *out)
{
	const unsigned char *extra = (const unsigned char *)in;

	*out = (struct iobench_copy_params){ 0 };
	if (!in)
		return 0;
	if (in->size < PARAMS_SIZE_V1)
		return -EINVAL;
	memcpy(out, in, in->size < sizeof(*out) ? in->size : sizeof(*out));
	if (!out->errmsg)
		out->errmsg_len = 0;
	if (out->errmsg_len)
		out->errmsg[0] = '\0';
	for (size_t i = sizeof(*out); i < in->size; i++)
		if (extra[i])
			return -E2BIG;
	return 0;
}

/* "buffer=1M": one option of c->s set from text. */
static int set_one_option(const char *item, void *ctx)
{
	struct call *c = ctx;
	const char *eq = strchr(item, '=');
	char name[32], have[128], why[160], lo[FMT_LEN], hi[FMT_LEN];
	const struct copy_option *o;
	uint64_t v;

	if (!eq || eq == item || (size_t)(eq - item) >= sizeof(name))
		return call_fail(c, -EINVAL,
				 "%s: option '%s': expected "
				 "NAME=VALUE",
				 c->s->name, item);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - item), item);
	o = strategy_option(c->s, name);
	if (!o) {
		strategy_options_str(c->s, have, sizeof(have));
		return call_fail(c, -EINVAL,
				 "%s: option '%s': no such option "
				 "(it has: %s)",
				 c->s->name, name,
				 strcmp(have, "-") ? have : "none");
	}
	if (strategy_option_parse(o->type, eq + 1, &v, why, sizeof(why)))
		return call_fail(c, -EINVAL, "%s: option %s: %s", c->s->name,
				 name, why);
	if (strategy_option_set(c->s, c->opts, name, v)) {
		if (o->type == COPY_OPT_SIZE) {
			fmt_size(o->min, lo, sizeof(lo));
			fmt_size(o->max, hi, sizeof(hi));
		} else {
			snprintf(lo, sizeof(lo), "%llu",
				 (unsigned long long)o->min);
			snprintf(hi, sizeof(hi), "%llu",
				 (unsigned long long)o->max);
		}
		return call_fail(c, -EINVAL,
				 "%s: option %s: '%s' is outside "
				 "%s to %s",
				 c->s->name, name, eq + 1, lo, hi);
	}
	return 0;
}

/* Reads params, finds the strategy and fills its options: 0 or -errno
 * with the message written. call_end() in every case. */
static int call_begin(struct call *c, const char *strategy,
		      const struct iobench_copy_params *in)
{
	struct iobench_copy_params p;
	char why[128] = "";
	int ret;

	*c = (struct call){ 0 };
	ret = read_params(in, &p);
	if (ret == -EINVAL)
		return ret; /* no message: errmsg itself is unreadable */
	c->flags = p.flags;
	c->io_observer = p.io_observer;
	c->err = p.errmsg;
	c->err_len = p.errmsg_len;
	if (ret)
		return call_fail(c, ret,
				 "the parameters come from a newer "
				 "libiobench than %s",
				 iobench_lib_version());
	if (c->flags & ~(unsigned)(IOBENCH_COPY_SYNC | IOBENCH_COPY_NOREPLACE))
		return call_fail(c, -EINVAL, "unknown flags 0x%x", c->flags);
	if (!strategy)
		return call_fail(c, -EINVAL, "no strategy named");
	c->s = strategy_find(strategy);
	if (!c->s) {
		const char *near = strategy_suggest(strategy);

		return call_fail(c, -ENOENT, "no strategy named '%s'%s%s%s",
				 strategy, near ? " (did you mean '" : "",
				 near ? near : "", near ? "'?)" : "");
	}
	c->opts = calloc(1, c->s->options_size ? c->s->options_size : 1);
	if (!c->opts)
		return call_fail(c, -ENOMEM, "out of memory");
	strategy_options_default(c->s, c->opts);
	if (!p.options || !*p.options)
		return 0;
	ret = strlist_each(p.options, ',', STRLIST_NO_EMPTY, set_one_option, c,
			   why, sizeof(why));
	if (ret && why[0])
		call_fail(c, ret, "%s: options '%s': %s", c->s->name, p.options,
			  why);
	return ret;
}

static void call_end(struct call *c)
{
	free(c->opts);
}

/*
 * After a copy failed with err: the message, and when the strategy's
 * probe refuses dst's directory, its reason (why EXDEV, EOPNOTSUPP ...).
 */
static int copy_failed(struct call *c, int err, const char *src,
		       const char *dst)
{
	char why[256] = "", *copy = dst ? strdup(dst) : NULL;

	if (copy && strategy_probe(c->s, dirname(copy), why, sizeof(why)))
		call_fail(c, err,
			  "%s: copying %s to %s: %s (not usable "
			  "there: %s)",
			  c->s->name, src, dst, strerror(-err), why);
	else if (dst)
		call_fail(c, err, "%s: copying %s to %s: %s", c->s->name, src,
			  dst, strerror(-err));
	else
		call_fail(c, err, "%s: %s", c->s->name, strerror(-err));
	free(copy);
	return err;
}

/*
 * Opens dst for writing without truncating: created (O_EXCL, so *created
 * is exact) or, unless NOREPLACE, the existing file. -errno + message.
 */
static int open_dst(struct call *c, const char *dst, int extra, mode_t mode,
		    bool *created)
{
	int flags = O_WRONLY | O_CLOEXEC | extra;
	int fd = open(dst, flags | O_CREAT | O_EXCL, mode);

	*created = fd >= 0;
	if (fd < 0 && errno == EEXIST && !(c->flags & IOBENCH_COPY_NOREPLACE))
		fd = open(dst, flags);
	if (fd >= 0)
		return fd;
	if (errno == EINVAL && (extra & O_DIRECT))
		return call_fail(c, -errno,
				 "%s: cannot open with O_DIRECT "
				 "(does its filesystem support it?)",
				 dst);
	return call_fail(c, -errno, "%s: %s", dst, strerror(errno));
}

/* strategy_copy_once() with the call's I/O observer on this thread
 * (the caller's own observer, if any, is put back afterwards). */
static int call_copy(const struct call *c, int src, int dst,
		     const struct copy_range *r)
{
	const struct copy_io_observer *saved = strategy_io_observer();
	int ret;

	if (c->io_observer)
		strategy_io_observer_set(c->io_observer);
	ret = strategy_copy_once(c->s, c->opts, src, dst, r);
	strategy_io_observer_set(saved);
	return ret;
}

/* The copy proper, src already open and checked: dst opened, checked,
 * truncated, copied into, synced on request and closed. */
static int copy_into(struct call *c, int src_fd, const struct stat *src_st,
		     const char *src, const char *dst, int extra)
{
	struct copy_range r = { .len = (uint64_t)src_st->st_size };
	struct stat st;
	bool created;
	int fd, ret = 0;

	fd = open_dst(c, dst, extra, src_st->st_mode & 0777, &created);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st))
		ret = call_fail(c, -errno, "%s: %s", dst, strerror(errno));
	else if (st.st_dev == src_st->st_dev && st.st_ino == src_st->st_ino)
		ret = call_fail(c, -EINVAL, "'%s' and '%s' are the same file",
				src, dst);
	else if (!S_ISREG(st.st_mode))
		ret = call_fail(c, -EINVAL, "%s: not a regular file", dst);
	else if (!created && ftruncate(fd, 0))
		ret = call_fail(c, -errno, "%s: %s", dst, strerror(errno));
	if (!ret) {
		ret = call_copy(c, src_fd, fd, &r);
		if (ret)
			copy_failed(c, ret, src, dst);
	}
	if (!ret && (c->flags & IOBENCH_COPY_SYNC) && fdatasync(fd))
		ret = call_fail(c, -errno, "%s: fdatasync: %s", dst,
				strerror(errno));
	/* a write-back error may only show now */
	if (close(fd) && !ret)
		ret = call_fail(c, -errno, "%s: %s", dst, strerror(errno));
	if (ret && created)
		unlink(dst);
	return ret;
}

int iobench_copy_file(const char *src, const char *dst, const char *strategy,
		      const struct iobench_copy_params *params)
{
	struct call c;
	struct stat st;
	int extra, fd, ret;

	ret = call_begin(&c, strategy, params);
	if (ret)
		goto out;
	if (!src || !dst) {
		ret = call_fail(&c, -EINVAL, "no %s file named",
				src ? "destination" : "source");
		goto out;
	}
	extra = strategy_open_flags(c.s, c.opts);
	fd = open(src, O_RDONLY | O_CLOEXEC | extra);
	if (fd < 0) {
		ret = call_fail(&c, -errno, "%s: %s", src, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st))
		ret = call_fail(&c, -errno, "%s: %s", src, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		ret = call_fail(&c, -EINVAL, "%s: not a regular file", src);
	else
		ret = copy_into(&c, fd, &st, src, dst, extra);
	close(fd);
out:
	call_end(&c);
	return ret;
}

int iobench_copy_fd(int src_fd, int dst_fd, const struct copy_range *r,
		    const char *strategy,
		    const struct iobench_copy_params *params)
{
	struct call c;
	int ret;

	ret = call_begin(&c, strategy, params);
	if (!ret && !r)
		ret = call_fail(&c, -EINVAL, "no range given");
	if (!ret) {
		ret = call_copy(&c, src_fd, dst_fd, r);
		if (ret)
			copy_failed(&c, ret, "the source", NULL);
	}
	if (!ret && (c.flags & IOBENCH_COPY_SYNC) && fdatasync(dst_fd))
		ret = call_fail(&c, -errno, "fdatasync: %s", strerror(errno));
	call_end(&c);
	return ret;
}

int iobench_open_flags(const char *strategy,
		       const struct iobench_copy_params *params)
{
	struct call c;
	int ret = call_begin(&c, strategy, params);

	if (!ret)
		ret = strategy_open_flags(c.s, c.opts);
	call_end(&c);
	return ret;
}

size_t iobench_strategy_count(void)
{
	return strategy_count();
}

const struct copy_strategy *iobench_strategy_at(size_t i)
{
	return strategy_at(i);
}

const struct copy_strategy *iobench_strategy_find(const char *name)
{
	return name ? strategy_find(name) : NULL;
}

int iobench_strategy_probe(const char *strategy, const char *dir, char *why,
			   size_t why_len)
{
	const struct copy_strategy *s = iobench_strategy_find(strategy);

	if (!s)
		return strategy_why(why, why_len, -ENOENT,
				    "no strategy named '%s'",
				    strategy ? strategy : "(null)");
	return strategy_probe(s, dir, why, why_len);
}

int iobench_plugin_load(const char *path, char *errmsg, size_t errmsg_len)
{
	if (!errmsg)
		errmsg_len = 0;
	if (!path)
		return strategy_why(errmsg, errmsg_len, -EINVAL,
				    "no plugin named");
	return strategy_plugin_load(path, errmsg, errmsg_len);
}
