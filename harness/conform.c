// SPDX-License-Identifier: MIT
/*
 * The conformance matrix (conform.h): cases grouped by what they probe,
 * each group in a forked child that streams its cases to the parent
 * through a pipe, so a strategy that crashes or hangs fails that group
 * and the run goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "conform.h"
#include "fmt.h"
#include "strategies.h"

#define KiB 1024ull
#define MiB (1024 * KiB)
#define ALIGN 4096ull /* enough for any COPY_RANGES_ALIGNED strategy */
#define MAX_FILE (8 * MiB + 1)
#define POOL_SLACK 4093	   /* prime: each size cuts the pool elsewhere */
#define SCRATCH (16 * MiB) /* read-back and expected-content buffers */
#define RANGE_SRC (1 * MiB + 13)
#define PREFILL (2 * MiB + 7) /* an existing destination's length */
#define ENOSPC_SRC (4 * MiB)  /* copied onto a tmpfs with 1 MiB free */
#define MAX_VARIANTS 16
#define DEFAULT_TIMEOUT 600

struct conform {
	const struct copy_strategy *s;
	char dir[PATH_MAX];
	void *variants[MAX_VARIANTS]; /* option structs */
	size_t nvariants;
	const char *no_direct; /* why the O_DIRECT variants are left out */
	unsigned char *pool;   /* random bytes every source is cut from */
	unsigned char *back;   /* a destination read back */
	unsigned char *expect; /* what a destination should hold */
	struct conform_case c; /* the case running */
	int out;	       /* the child's end of the pipe */
};

/* What a child sends: a case starts, or a case is done. */
struct record {
	enum { RECORD_START, RECORD_DONE } kind;
	struct conform_case c;
};

_Static_assert(sizeof(struct record) <= PIPE_BUF, "records are atomic");

/* ---- file helpers ---- */

int conform_mkdtemp(char *out, size_t len, const char *base, const char *tag)
{
	if (!base)
		base = getenv("IOBENCH_TEST_DIR");
	if (!base || !*base)
		base = "/var/tmp";
	if (snprintf(out, len, "%s/iobench-%s-XXXXXX", base, tag) >= (int)len)
		return -ENAMETOOLONG;
	return mkdtemp(out) ? 0 : -errno;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path) ? -1 : 0;
}

int conform_rmtree(const char *dir)
{
	/* depth first, do not cross into other mounts or follow links */
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT))
		return errno ? -errno : -EIO;
	return 0;
}

int conform_pread_all(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENODATA;
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

int conform_fill_random(void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int conform_write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ret;

	if (fd < 0)
		return -errno;
	ret = strategy_pwrite_all(fd, buf, len, 0);
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int conform_open_pair(const struct copy_strategy *s, const void *opts,
		      const char *src_path, const char *dst_path, int dst_flags,
		      int *src, int *dst)
{
	int extra = strategy_open_flags(s, opts) | O_CLOEXEC;
	int ret;

	*src = open(src_path, O_RDONLY | extra);
	if (*src < 0)
		return -errno;
	*dst = open(dst_path, O_WRONLY | dst_flags | extra, 0644);
	if (*dst < 0) {
		ret = -errno;
		close(*src);
		return ret;
	}
	return 0;
}

int conform_hash_file(const char *path, uint64_t *hash, uint64_t *size)
{
	enum { CHUNK = 1 << 20 };
	XXH3_state_t *xs = XXH3_createState();
	char *buf = malloc(CHUNK);
	uint64_t total = 0;
	int fd = -1, ret = -ENOMEM;

	if (!xs || !buf)
		goto out_free;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	/* big files stream through: ask for full read-ahead */
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	XXH3_64bits_reset(xs);
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out_close;
		}
		if (n == 0)
			break;
		XXH3_64bits_update(xs, buf, n);
		total += n;
	}
	*hash = XXH3_64bits_digest(xs);
	*size = total;
	ret = 0;
out_close:
	close(fd);
out_free:
	free(buf);
	XXH3_freeState(xs);
	return ret;
}

int conform_private_tmpfs(const char *path, const char *size, char *why,
			  size_t len)
{
	char opts[32];

	if (unshare(CLONE_NEWNS))
		return strategy_why(why, len, -errno,
				    "cannot make a private "
				    "mount namespace: %s%s",
				    strerror(errno),
				    errno == EPERM ? " (needs root)" : "");
	/* without this a mount could propagate back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return strategy_why(why, len, -errno,
				    "cannot make mounts "
				    "private: %s",
				    strerror(errno));
	snprintf(opts, sizeof(opts), "size=%s", size);
	if (mkdir(path, 0755) && errno != EEXIST)
		return strategy_why(why, len, -errno, "%s: %s", path,
				    strerror(errno));
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts))
		return strategy_why(why, len, -errno,
				    "cannot mount a tmpfs "
				    "on %s: %s",
				    path, strerror(errno));
	return 0;
}

/* ---- cases ---- */

/* "buffer=4K direct=yes", or "defaults" for a strategy without options. */
static void variant_str(const struct copy_strategy *s, const void *opts,
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

static void __attribute__((format(printf, 3, 4)))
case_begin(struct conform *cf, const char *group, const char *fmt, ...)
{
	va_list ap;

	memset(&cf->c, 0, sizeof(cf->c));
	snprintf(cf->c.group, sizeof(cf->c.group), "%s", group);
	va_start(ap, fmt);
	vsnprintf(cf->c.name, sizeof(cf->c.name), fmt, ap);
	va_end(ap);
	send_record(cf, RECORD_START);
}

static void case_end(struct conform *cf)
{
	if (cf->c.failures)
		cf->c.status = CONFORM_FAIL;
	send_record(cf, RECORD_DONE);
}

static void __attribute__((format(printf, 3, 4)))
case_note(struct conform *cf, enum conform_status st, const char *fmt, ...)
{
	va_list ap;

	cf->c.status = st;
	va_start(ap, fmt);
	vsnprintf(cf->c.detail, sizeof(cf->c.detail), fmt, ap);
	va_end(ap);
}

/* One failed check of the running case; the first one is its detail. */
static void __attribute__((format(printf, 3, 4)))
failf(struct conform *cf, const void *opts, const char *fmt, ...)
{
	char vs[160], msg[232];
	va_list ap;

	if (cf->c.failures++)
		return;
	variant_str(cf->s, opts, vs, sizeof(vs));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(cf->c.detail, sizeof(cf->c.detail), "%s [%s]", msg, vs);
}

static void path_in(const struct conform *cf, char *out, size_t len,
		    const char *name)
{
	/* the scratch directory's path leaves room for the names used */
	if (snprintf(out, len, "%s/%s", cf->dir, name) >= (int)len)
		out[0] = '\0';
}

/* The content of the source file of `size` bytes. */
static const unsigned char *content(const struct conform *cf, uint64_t size)
{
	return cf->pool + size % POOL_SLACK;
}

/* Path of the source of `size` bytes, created on first use. */
static int source_for(const struct conform *cf, uint64_t size, char *path,
		      size_t len)
{
	struct stat st;

	if (snprintf(path, len, "%s/src-%llu", cf->dir,
		     (unsigned long long)size) >= (int)len)
		return -ENAMETOOLONG;
	if (!stat(path, &st) && (uint64_t)st.st_size == size)
		return 0;
	return conform_write_file(path, content(cf, size), size);
}

/* Copies r from src_path into dst_path (opened with dst_flags) once; a
 * failed close of dst (a lost write) is an error too. */
static int copy_paths(const struct conform *cf, const void *opts,
		      const char *src_path, const char *dst_path, int dst_flags,
		      const struct copy_range *r)
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
static bool check_file(struct conform *cf, const void *opts, const char *path,
		       const unsigned char *want, uint64_t size)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		failf(cf, opts, "cannot open the copy: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if ((uint64_t)st.st_size != size) {
		failf(cf, opts, "the copy has %lld bytes, expected %llu",
		      (long long)st.st_size, (unsigned long long)size);
		close(fd);
		return false;
	}
	ret = size ? conform_pread_all(fd, cf->back, size, 0) : 0;
	close(fd);
	if (ret) {
		failf(cf, opts, "reading the copy: %s", strerror(-ret));
		return false;
	}
	if (XXH3_64bits(cf->back, size) != XXH3_64bits(want, size) ||
	    memcmp(cf->back, want, size)) {
		uint64_t i = 0;

		while (i < size && cf->back[i] == want[i])
			i++;
		failf(cf, opts, "content differs from byte %llu on",
		      (unsigned long long)i);
		return false;
	}
	cf->c.copies++;
	return true;
}

/* A whole-file copy as the harness does it: dst created and truncated. */
static void copy_whole(struct conform *cf, const void *opts, const char *src,
		       const unsigned char *want, uint64_t size)
{
	struct copy_range r = { .len = size };
	char dst[PATH_MAX];
	int ret;

	path_in(cf, dst, sizeof(dst), "dst");
	ret = copy_paths(cf, opts, src, dst, O_CREAT | O_TRUNC, &r);
	if (ret)
		failf(cf, opts, "copy of %llu bytes failed: %s",
		      (unsigned long long)size, strerror(-ret));
	else
		check_file(cf, opts, dst, want, size);
}

/* The size option the matrix varies: "buffer", else the first size a
 * strategy declares (a plugin's "chunk"), else none. */
static const struct copy_option *size_option(const struct copy_strategy *s)
{
	const struct copy_option *o = strategy_option(s, "buffer");

	for (const struct copy_option *i = s->options; !o && i && i->name; i++)
		if (i->type == COPY_OPT_SIZE)
			o = i;
	return o;
}

/* ---- whole files ---- */

static void copy_size(struct conform *cf, const void *opts, uint64_t size)
{
	char src[PATH_MAX];
	int ret = source_for(cf, size, src, sizeof(src));

	if (ret)
		failf(cf, opts, "cannot write a %llu-byte source: %s",
		      (unsigned long long)size, strerror(-ret));
	else
		copy_whole(cf, opts, src, content(cf, size), size);
}

static void group_whole(struct conform *cf)
{
	static const uint64_t sizes[] = { 0,	 1,	   511,	    512,
					  4095,	 4096,	   4097,    65535,
					  65537, MiB + 13, MAX_FILE };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		case_begin(cf, "whole file", "%llu byte%s",
			   (unsigned long long)sizes[i],
			   sizes[i] == 1 ? "" : "s");
		for (size_t v = 0; v < cf->nvariants; v++)
			copy_size(cf, cf->variants[v], sizes[i]);
		case_end(cf);
	}
	/* the tails around one buffer: the last chunk short, or one more */
	case_begin(cf, "whole file", "%s size - 1 and + 1",
		   size_option(cf->s) ? size_option(cf->s)->name : "buffer");
	for (size_t v = 0; v < cf->nvariants; v++) {
		const struct copy_option *o = size_option(cf->s);
		uint64_t buf =
			o ? strategy_option_get(o, cf->variants[v]) : 128 * KiB;

		if (buf + 1 > MAX_FILE)
			continue;
		copy_size(cf, cf->variants[v], buf - 1);
		copy_size(cf, cf->variants[v], buf + 1);
	}
	case_end(cf);
}

/* ---- byte ranges ---- */

struct range_case {
	struct copy_range r;
	int want; /* 0, or the error the contract asks for */
};

static const struct range_case odd_ranges[] = {
	{ { 0, 0, 0 }, 0 },
	{ { 1, 0, 4095 }, 0 },
	{ { 4097, 13, 65537 }, 0 },
	{ { 12345, 777777, 100000 }, 0 },
	{ { RANGE_SRC - 13, 5, 13 }, 0 },
	{ { RANGE_SRC - 70001, 1, 70001 }, 0 },
	{ { RANGE_SRC - 100, 0, 200 }, -ENODATA }, /* source ends first */
};

/* Offsets multiples of ALIGN; only ranges ending at EOF have odd lengths. */
static const struct range_case aligned_ranges[] = {
	{ { 0, 0, 0 }, 0 },
	{ { ALIGN, 0, 2 * ALIGN }, 0 },
	{ { 16 * ALIGN, 3 * ALIGN, 32 * ALIGN }, 0 },
	{ { RANGE_SRC - 13, 2 * ALIGN, 13 }, 0 },
	{ { RANGE_SRC - 13 - 5 * ALIGN, 7 * ALIGN, 5 * ALIGN + 13 }, 0 },
	{ { RANGE_SRC - 13, 0, 2 * ALIGN }, -ENODATA },
};

static bool aligned_only(const struct conform *cf)
{
	return cf->s->flags & COPY_RANGES_ALIGNED;
}

/*
 * One range into an empty destination, or into an existing one of
 * PREFILL bytes of 0xa5 whose bytes outside the range must not change.
 */
static void copy_one_range(struct conform *cf, const void *opts,
			   const char *src, const struct range_case *c,
			   bool prefilled)
{
	const struct copy_range *r = &c->r;
	uint64_t end = r->dst_off + r->len, size;
	char dst[PATH_MAX];
	int ret;

	path_in(cf, dst, sizeof(dst), "dst");
	if (prefilled) {
		memset(cf->expect, 0xa5, PREFILL);
		ret = conform_write_file(dst, cf->expect, PREFILL);
		if (ret) {
			failf(cf, opts, "cannot write the destination: %s",
			      strerror(-ret));
			return;
		}
		size = end > PREFILL ? end : PREFILL;
	} else {
		memset(cf->expect, 0, SCRATCH);
		size = r->len ? end : 0;
	}
	ret = copy_paths(cf, opts, src, dst, prefilled ? 0 : O_CREAT | O_TRUNC,
			 r);
	if (ret != c->want) {
		failf(cf, opts, "into %s destination: returned %s, expected %s",
		      prefilled ? "an existing" : "an empty",
		      ret ? strerror(-ret) : "success",
		      c->want ? strerror(-c->want) : "success");
		return;
	}
	if (c->want)
		return;
	memcpy(cf->expect + r->dst_off, content(cf, RANGE_SRC) + r->src_off,
	       r->len);
	check_file(cf, opts, dst, cf->expect, size);
}

static void group_ranges(struct conform *cf)
{
	const struct range_case *cases =
		aligned_only(cf) ? aligned_ranges : odd_ranges;
	size_t n = aligned_only(cf) ? sizeof(aligned_ranges) / sizeof(cases[0])
				    : sizeof(odd_ranges) / sizeof(cases[0]);
	char src[PATH_MAX];
	int ret;

	if (!(cf->s->flags & COPY_RANGES)) {
		case_begin(cf, "range", "byte ranges");
		case_note(cf, CONFORM_SKIP,
			  "not range-capable (no COPY_RANGES)");
		case_end(cf);
		return;
	}
	ret = source_for(cf, RANGE_SRC, src, sizeof(src));
	for (size_t i = 0; i < n; i++) {
		const struct copy_range *r = &cases[i].r;

		case_begin(cf, "range", "src_off=%llu dst_off=%llu len=%llu%s",
			   (unsigned long long)r->src_off,
			   (unsigned long long)r->dst_off,
			   (unsigned long long)r->len,
			   cases[i].want ? " (past EOF: -ENODATA)" : "");
		for (size_t v = 0; !ret && v < cf->nvariants; v++) {
			copy_one_range(cf, cf->variants[v], src, &cases[i],
				       false);
			/* an odd-length range in the middle of an existing
			 * O_DIRECT destination is outside the contract */
			if (!aligned_only(cf) || r->len % ALIGN == 0)
				copy_one_range(cf, cf->variants[v], src,
					       &cases[i], true);
		}
		if (ret)
			failf(cf, cf->variants[0],
			      "cannot write the source: %s", strerror(-ret));
		case_end(cf);
	}
}

/* ---- one file split across threads ---- */

struct part {
	const struct conform *cf;
	const void *opts;
	const char *src, *dst;
	struct copy_range r;
	int ret;
};

/* A worker as the harness runs one: its own descriptors and state. */
static void *copy_part(void *arg)
{
	struct part *part = arg;

	part->ret = copy_paths(part->cf, part->opts, part->src, part->dst, 0,
			       &part->r);
	return NULL;
}

static void split_once(struct conform *cf, const void *opts, const char *src,
		       const char *dst)
{
	/* aligned split points for COPY_RANGES_ALIGNED, odd ones otherwise */
	static const uint64_t odd[] = { 0, 349525, 699051, RANGE_SRC };
	static const uint64_t aligned[] = { 0, 85 * ALIGN, 170 * ALIGN,
					    RANGE_SRC };
	const uint64_t *cut = aligned_only(cf) ? aligned : odd;
	struct part parts[3];
	pthread_t tid[3];
	int started = 0, ret;

	ret = conform_write_file(dst, NULL, 0);
	if (ret) {
		failf(cf, opts, "cannot create the destination: %s",
		      strerror(-ret));
		return;
	}
	for (int i = 0; i < 3; i++) {
		parts[i] = (struct part){
			.cf = cf,
			.opts = opts,
			.src = src,
			.dst = dst,
			.r = { cut[i], cut[i], cut[i + 1] - cut[i] },
		};
		if (pthread_create(&tid[i], NULL, copy_part, &parts[i]))
			break;
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (started < 3) {
		failf(cf, opts, "cannot start 3 threads");
		return;
	}
	for (int i = 0; i < 3; i++) {
		if (parts[i].ret) {
			failf(cf, opts, "part %d (%llu+%llu): %s", i,
			      (unsigned long long)parts[i].r.src_off,
			      (unsigned long long)parts[i].r.len,
			      strerror(-parts[i].ret));
			return;
		}
	}
	check_file(cf, opts, dst, content(cf, RANGE_SRC), RANGE_SRC);
}

static void group_split(struct conform *cf)
{
	char src[PATH_MAX], dst[PATH_MAX];
	int ret;

	case_begin(cf, "split", "one file in 3 ranges on 3 threads");
	if (!(cf->s->flags & COPY_RANGES)) {
		case_note(cf, CONFORM_SKIP,
			  "not range-capable (no COPY_RANGES)");
		case_end(cf);
		return;
	}
	path_in(cf, dst, sizeof(dst), "dst");
	ret = source_for(cf, RANGE_SRC, src, sizeof(src));
	if (ret)
		failf(cf, cf->variants[0], "cannot write the source: %s",
		      strerror(-ret));
	for (size_t v = 0; !ret && v < cf->nvariants; v++)
		split_once(cf, cf->variants[v], src, dst);
	case_end(cf);
}

/* ---- sparse sources ---- */

struct extent {
	uint64_t off, len;
};

/* Makes path a file of `size` bytes with data only in ext[], holes
 * elsewhere; the same content lands in cf->expect. */
static int make_sparse(struct conform *cf, const char *path, uint64_t size,
		       const struct extent *ext, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ret = 0;

	if (fd < 0)
		return -errno;
	memset(cf->expect, 0, size);
	for (size_t i = 0; i < n && !ret; i++) {
		const unsigned char *data = content(cf, ext[i].off);

		memcpy(cf->expect + ext[i].off, data, ext[i].len);
		ret = strategy_pwrite_all(fd, data, ext[i].len, ext[i].off);
	}
	if (!ret && ftruncate(fd, size))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/* Whether the copy at path has a hole before its end (a note, not a
 * check: the contract asks for the bytes, not the holes). */
static bool has_hole(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	off_t hole;

	if (fd < 0)
		return false;
	hole = lseek(fd, 0, SEEK_HOLE);
	if (fstat(fd, &st))
		hole = -1;
	close(fd);
	return hole >= 0 && hole < st.st_size;
}

static void group_sparse(struct conform *cf)
{
	/* holes at the start, in the middle and at the end */
	static const struct extent holey[] = {
		{ 1 * MiB, 64 * KiB + 3 },
		{ 2 * MiB + 5, 1 * MiB - 5 },
	};
	static const struct {
		const char *what;
		uint64_t size;
		const struct extent *ext;
		size_t n;
	} files[] = {
		{ "holes at start, middle and end", 4 * MiB + 17, holey, 2 },
		{ "all hole", 3 * MiB + 1, NULL, 0 },
	};
	char src[PATH_MAX], dst[PATH_MAX];

	path_in(cf, src, sizeof(src), "sparse-src");
	path_in(cf, dst, sizeof(dst), "dst");
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		int ret;
		bool holes = true;

		case_begin(cf, "sparse", "%s, %llu bytes", files[f].what,
			   (unsigned long long)files[f].size);
		ret = make_sparse(cf, src, files[f].size, files[f].ext,
				  files[f].n);
		if (ret)
			failf(cf, cf->variants[0], "cannot make the source: %s",
			      strerror(-ret));
		for (size_t v = 0; !ret && v < cf->nvariants; v++) {
			copy_whole(cf, cf->variants[v], src, cf->expect,
				   files[f].size);
			holes = holes && has_hole(dst);
		}
		if (!ret && !cf->c.failures)
			case_note(cf, CONFORM_PASS, "holes %s",
				  holes ? "kept" : "filled with zeros");
		case_end(cf);
	}
}

/* ---- an existing, longer destination ---- */

static void group_longer(struct conform *cf)
{
	static const uint64_t sizes[] = { 0, 65537, MiB + 13 };
	char src[PATH_MAX], dst[PATH_MAX];

	path_in(cf, dst, sizeof(dst), "dst");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int ret = source_for(cf, sizes[i], src, sizeof(src));

		case_begin(cf, "longer destination",
			   "%llu bytes over a 3 MiB file",
			   (unsigned long long)sizes[i]);
		if (ret)
			failf(cf, cf->variants[0],
			      "cannot write the source: %s", strerror(-ret));
		for (size_t v = 0; !ret && v < cf->nvariants; v++) {
			memset(cf->expect, 0xcd, 3 * MiB);
			ret = conform_write_file(dst, cf->expect, 3 * MiB);
			if (ret) {
				failf(cf, cf->variants[v],
				      "cannot write the "
				      "destination: %s",
				      strerror(-ret));
				break;
			}
			copy_whole(cf, cf->variants[v], src,
				   content(cf, sizes[i]), sizes[i]);
		}
		case_end(cf);
	}
}

/* ---- a full filesystem ---- */

/* 4 MiB onto a 5 MiB tmpfs holding the 4 MiB source: must fail. In the
 * group's child, whose private mount namespace dies with it. */
static void group_enospc(struct conform *cf)
{
	char mnt[PATH_MAX], src[PATH_MAX + 8], dst[PATH_MAX + 8], why[256];
	struct copy_range r = { .len = ENOSPC_SRC };
	int ret;

	case_begin(cf, "ENOSPC", "4 MiB onto a tmpfs with 1 MiB free");
	path_in(cf, mnt, sizeof(mnt), "enospc");
	snprintf(src, sizeof(src), "%s/src", mnt);
	snprintf(dst, sizeof(dst), "%s/dst", mnt);
	if (conform_private_tmpfs(mnt, "5m", why, sizeof(why))) {
		case_note(cf, CONFORM_SKIP, "%s", why);
		goto out;
	}
	ret = conform_write_file(src, cf->pool, ENOSPC_SRC);
	if (ret) {
		failf(cf, NULL, "cannot write the source: %s", strerror(-ret));
		goto out;
	}
	if (strategy_probe(cf->s, mnt, why, sizeof(why))) {
		case_note(cf, CONFORM_SKIP, "not usable on tmpfs: %s", why);
		goto out;
	}
	/* a write-back strategy may only learn of ENOSPC when dst closes */
	ret = copy_paths(cf, NULL, src, dst, O_CREAT | O_TRUNC, &r);
	if (!ret)
		failf(cf, NULL,
		      "reported success: a copy that cannot fit must "
		      "fail");
	else
		case_note(cf, CONFORM_PASS, "failed with %s%s", strerror(-ret),
			  ret == -ENOSPC ? "" : " (not ENOSPC)");
out:
	case_end(cf);
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
	const struct copy_option *size = size_option(s);
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
	{ CONFORM_WHOLE, "whole file", group_whole },
	{ CONFORM_RANGES, "range", group_ranges },
	{ CONFORM_SPLIT, "split", group_split },
	{ CONFORM_SPARSE, "sparse", group_sparse },
	{ CONFORM_LONGER, "longer destination", group_longer },
	{ CONFORM_ENOSPC, "ENOSPC", group_enospc },
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
