// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the strategy files: O_DIRECT alignment, aligned
 * buffers, whole-buffer writes, probe scratch files and reasons, the
 * per-thread I/O latency observer, and what several built-ins share: the
 * buffer-only option table, transfer results and the chunk pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "strategies.h"

#ifndef STATX_DIOALIGN
#define STATX_DIOALIGN 0x00002000U
#endif

static bool is_pow2(unsigned v)
{
	return v && !(v & (v - 1));
}

/* The block layer's logical block size for the device holding fd. */
static unsigned logical_block_size(int fd)
{
	struct stat st;
	char path[PATH_MAX];
	int64_t v;
	int ret;

	if (fstat(fd, &st))
		return 0;
	snprintf(path, sizeof(path),
		 "/sys/dev/block/%u:%u/queue/logical_block_size",
		 major(st.st_dev), minor(st.st_dev));
	ret = strategy_read_number(path, &v);
	if (ret && ret != -EINVAL) {
		/* a partition: its queue/ lives in the parent device */
		snprintf(path, sizeof(path),
			 "/sys/dev/block/%u:%u/../queue/logical_block_size",
			 major(st.st_dev), minor(st.st_dev));
		ret = strategy_read_number(path, &v);
	}
	return !ret && v > 0 && v <= UINT_MAX ? (unsigned)v : 0;
}

void strategy_dio_alignment(int fd, unsigned *mem_align, unsigned *off_align)
{
	struct statx stx;
	unsigned mem = 0, off = 0;

	if (!statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) &&
	    (stx.stx_mask & STATX_DIOALIGN)) {
		mem = stx.stx_dio_mem_align;
		off = stx.stx_dio_offset_align;
	}
	if (!is_pow2(off))
		off = logical_block_size(fd);
	if (!is_pow2(off))
		off = 4096;
	if (!is_pow2(mem))
		mem = off;
	if (mem_align)
		*mem_align = mem;
	if (off_align)
		*off_align = off;
}

void *strategy_alloc_aligned(size_t align, size_t size)
{
	void *p = NULL;
	long page = sysconf(_SC_PAGESIZE);
	int ret;

	if (align < (size_t)page)
		align = page;
	ret = posix_memalign(&p, align, size ? size : 1);
	if (ret) {
		errno = ret;
		return NULL;
	}
	memset(p, 0, size);
	return p;
}

int strategy_tmpfile(const char *dir, int extra_flags)
{
	char path[PATH_MAX];
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC | extra_flags, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	if (snprintf(path, sizeof(path), "%s/.iobench-probe-XXXXXX", dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = mkostemp(path, O_CLOEXEC | extra_flags);
	if (fd < 0)
		return -errno;
	unlink(path);
	return fd;
}

/* The loop behind both: write(2) at the file position when at_pos is
 * false, else pwrite(2) at off. */
static int write_loop(int fd, const char *p, size_t len, bool at_pos,
		      uint64_t off)
{
	while (len) {
		ssize_t n = TEMP_FAILURE_RETRY(
			at_pos ? pwrite(fd, p, len, (off_t)off)
			       : write(fd, p, len));
		int ret = strategy_xfer_ret(n, -EIO);

		if (ret)
			return ret;
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

int strategy_write_all(int fd, const void *buf, size_t len)
{
	return write_loop(fd, buf, len, false, 0);
}

int strategy_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	/* off_t is signed: an offset it cannot hold would wrap */
	if (off > (uint64_t)INT64_MAX || len > INT64_MAX - off)
		return -EFBIG;
	return write_loop(fd, buf, len, true, off);
}

int strategy_probe_pair(const char *dir, const void *data, size_t len,
			int fds[2], char *why, size_t why_len)
{
	int a, b, ret;

	fds[0] = fds[1] = -1;
	a = strategy_tmpfile(dir, 0);
	if (a < 0)
		return strategy_why(why, why_len, a,
				    "cannot create a file in %s: %s", dir,
				    strerror(-a));
	b = strategy_tmpfile(dir, 0);
	if (b < 0) {
		ret = strategy_why(why, why_len, b,
				   "cannot create a file in %s: %s", dir,
				   strerror(-b));
		goto out_close_a;
	}
	/* the real errno (ENOSPC, EDQUOT...): it is the reason shown */
	ret = strategy_pwrite_all(a, data, len, 0);
	if (ret) {
		strategy_why(why, why_len, ret, "cannot write a file in %s: %s",
			     dir, strerror(-ret));
		close(b);
		goto out_close_a;
	}
	fds[0] = a;
	fds[1] = b;
	return 0;
out_close_a:
	close(a);
	return ret;
}

bool strategy_probe_readback(int fd, const void *data, size_t len)
{
	/* one byte more than expected: a longer file is no good copy */
	char *back = malloc(len + 1);
	size_t got = 0;
	bool same;

	if (!back)
		return false;
	while (got <= len) {
		ssize_t n = pread(fd, back + got, len + 1 - got, got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	same = got == len && !memcmp(back, data, len);
	free(back);
	return same;
}

int strategy_why(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *strategy_fs_name(const char *dir)
{
	static const struct {
		long magic;
		const char *name;
	} names[] = {
		{ EXT4_SUPER_MAGIC, "ext4" },	/* also ext2/ext3 */
		{ XFS_SUPER_MAGIC, "xfs" },
		{ BTRFS_SUPER_MAGIC, "btrfs" },
		{ TMPFS_MAGIC, "tmpfs" },
		{ OVERLAYFS_SUPER_MAGIC, "overlayfs" },
		{ NFS_SUPER_MAGIC, "nfs" },
		{ 0x2fc12fc1, "zfs" },
		{ 0xf2f52010, "f2fs" },
		{ 0x65735546, "fuse" },
		{ MSDOS_SUPER_MAGIC, "vfat" },
		{ 0x5346544e, "ntfs" },
		{ 0xca451a4e, "bcachefs" },
	};
	struct statfs sf;

	if (statfs(dir, &sf))
		return "unknown";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].magic == (long)sf.f_type)
			return names[i].name;
	return "unknown";
}

/* ---- O_DIRECT geometry shared by odirect, libaio and io_uring ---- */

void strategy_dio_none(struct strategy_dio *d)
{
	d->mem_align = 1;
	d->off_align = 1;
	d->trim = false;
}

int strategy_dio_begin(int src, int dst, const struct copy_range *r,
		       size_t buf_size, struct strategy_dio *d)
{
	unsigned src_mem, src_off, dst_mem, dst_off;
	struct stat st;

	strategy_dio_alignment(src, &src_mem, &src_off);
	strategy_dio_alignment(dst, &dst_mem, &dst_off);
	/* powers of two: the larger one satisfies both ends */
	d->mem_align = src_mem > dst_mem ? src_mem : dst_mem;
	d->off_align = src_off > dst_off ? src_off : dst_off;
	d->trim = r->len % d->off_align != 0;
	/* buffers come from strategy_alloc_aligned(0, ...): page aligned */
	if (d->mem_align > (unsigned)sysconf(_SC_PAGESIZE) ||
	    buf_size % d->off_align || r->src_off % d->off_align ||
	    r->dst_off % d->off_align)
		return -EINVAL;
	/*
	 * ext4 (and others) complete O_DIRECT writes that extend the file
	 * synchronously, which serialises a queue of them; allocating the
	 * range first (as fio's fallocate=native does) keeps them async.
	 * Mode 0 only ever grows the file, so concurrent ranges are safe;
	 * where it is unsupported the copy just runs slower.
	 */
	if (fallocate(dst, 0, r->dst_off, r->len) && errno == ENOSPC)
		return -ENOSPC;
	if (!d->trim)
		return 0;
	/*
	 * The rounded-up tail write lands past dst_off + len; that is only
	 * harmless when nothing of dst lives there yet (the trim at the end
	 * removes it). Otherwise the range is not the one ending at EOF.
	 */
	if (fstat(dst, &st))
		return -errno;
	if ((uint64_t)st.st_size > r->dst_off + r->len)
		return -EINVAL;
	return 0;
}

uint64_t strategy_dio_round(const struct strategy_dio *d, uint64_t n)
{
	uint64_t a = d->off_align;

	return (n + a - 1) / a * a;
}

int strategy_dio_read_progress(const struct strategy_dio *d, uint64_t need,
			       uint64_t got, uint64_t res)
{
	if (got >= need)
		return 1;
	/* 0 is EOF; so is a short O_DIRECT read ending off the alignment */
	if (!res || got % d->off_align)
		return -ENODATA;
	return 0;
}

size_t strategy_dio_write_len(const struct strategy_dio *d, char *buf,
			      size_t need, size_t got)
{
	size_t wlen = strategy_dio_round(d, need);

	/* past EOF the buffer holds an older chunk: never write that out */
	if (got < wlen)
		memset(buf + got, 0, wlen - got);
	return wlen;
}

int strategy_dio_end(int dst, const struct copy_range *r,
		     const struct strategy_dio *d)
{
	uint64_t end = r->dst_off + r->len;
	struct stat st;

	if (!d->trim)
		return 0;
	if (fstat(dst, &st))
		return -errno;
	if ((uint64_t)st.st_size <= end)
		return 0;
	while (ftruncate(dst, end))
		if (errno != EINTR)
			return -errno;
	return 0;
}

void strategy_chunk_start(struct strategy_chunk *c,
			  const struct strategy_dio *d, uint64_t pos,
			  size_t need)
{
	c->pos = pos;
	c->need = need;
	c->io_len = strategy_dio_round(d, need);
	c->done = 0;
	c->writing = false;
}

int strategy_chunk_advance(struct strategy_chunk *c,
			   const struct strategy_dio *d, size_t res)
{
	int ret;

	c->done += res;
	if (c->writing) {
		if (!res)
			return -EIO;
		return c->done >= c->io_len;
	}
	ret = strategy_dio_read_progress(d, c->need, c->done, res);
	if (ret <= 0)
		return ret;
	c->io_len = strategy_dio_write_len(d, c->buf, c->need, c->done);
	c->done = 0;
	c->writing = true;
	return 0;
}

int strategy_probe_direct(const char *dir, char *why, size_t len)
{
	unsigned mem_align, off_align;
	size_t size;
	char *buf;
	ssize_t n;
	int fd, ret = 0;

	fd = strategy_tmpfile(dir, O_DIRECT);
	if (fd == -EINVAL)
		return strategy_why(why, len, fd,
				    "O_DIRECT not supported by %s",
				    strategy_fs_name(dir));
	if (fd < 0)
		return strategy_why(why, len, fd,
				    "cannot create a file in %s: %s", dir,
				    strerror(-fd));
	strategy_dio_alignment(fd, &mem_align, &off_align);
	size = off_align > 4096 ? off_align : 4096;
	buf = strategy_alloc_aligned(mem_align, size);
	if (!buf) {
		ret = strategy_why(why, len, -errno, "O_DIRECT probe: %s",
				   strerror(errno));
		goto out_close;
	}
	memset(buf, 0x5a, size);
	n = pwrite(fd, buf, size, 0);
	if (n == (ssize_t)size) {
		memset(buf, 0, size);
		n = pread(fd, buf, size, 0);
	}
	if (n < 0 && errno == EINVAL)
		ret = strategy_why(why, len, -EINVAL,
				   "O_DIRECT not supported by %s",
				   strategy_fs_name(dir));
	else if (n < 0)
		ret = strategy_why(why, len, -errno, "O_DIRECT transfer: %s",
				   strerror(errno));
	else if (n != (ssize_t)size || buf[0] != 0x5a || buf[size - 1] != 0x5a)
		ret = strategy_why(
			why, len, -EIO,
			"O_DIRECT transfer: data did not round-trip");
	free(buf);
out_close:
	close(fd);
	return ret;
}

/* Per thread: each copy() runs on one thread, with its own state. */
static _Thread_local const struct copy_io_observer *io_observer;

void strategy_io_observer_set(const struct copy_io_observer *o)
{
	io_observer = o && o->complete ? o : NULL;
}

const struct copy_io_observer *strategy_io_observer(void)
{
	return io_observer;
}

uint64_t strategy_io_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- what several built-ins share (strategies.h) ---- */

const struct copy_option strategy_buffer_option_table[] = {
	COPY_OPTION_BUFFER(struct strategy_buffer_options, buffer,
			   STRATEGY_DEFAULT_BUFFER),
	COPY_OPTION_END,
};

int strategy_xfer_ret(ssize_t n, int stalled)
{
	if (n < 0)
		return -errno;
	return n ? 0 : stalled;
}

int strategy_read_number(const char *path, int64_t *v)
{
	FILE *f = fopen(path, "re");
	int got;

	if (!f)
		return -errno;
	got = fscanf(f, "%" SCNd64, v);
	fclose(f);
	return got == 1 ? 0 : -EINVAL;
}

int strategy_pool_init(struct strategy_pool *p, unsigned qd, uint64_t buffer)
{
	p->qd = qd;
	p->buf_size = (buffer + 4095) / 4096 * 4096;
	if (!p->qd || p->buf_size > SIZE_MAX / p->qd)
		return -EINVAL;
	p->bufs = strategy_alloc_aligned(0, p->buf_size * p->qd);
	p->chunks = calloc(p->qd, sizeof(*p->chunks));
	p->free_slots = calloc(p->qd, sizeof(*p->free_slots));
	p->t_submit = calloc(p->qd, sizeof(*p->t_submit));
	if (!p->bufs || !p->chunks || !p->free_slots || !p->t_submit)
		return -ENOMEM;
	for (unsigned i = 0; i < p->qd; i++)
		p->chunks[i].buf = p->bufs + (size_t)i * p->buf_size;
	return 0;
}

void strategy_pool_reset(struct strategy_pool *p)
{
	p->nfree = p->qd;
	for (unsigned i = 0; i < p->qd; i++)
		p->free_slots[i] = i;
}

unsigned strategy_pool_start(struct strategy_pool *p,
			     const struct strategy_dio *d, uint64_t pos,
			     uint64_t len)
{
	unsigned i = p->free_slots[--p->nfree];
	uint64_t left = len - pos;

	strategy_chunk_start(&p->chunks[i], d, pos,
			     left < p->buf_size ? left : p->buf_size);
	return i;
}

void strategy_pool_put(struct strategy_pool *p, unsigned i)
{
	p->free_slots[p->nfree++] = i;
}

void strategy_pool_free(struct strategy_pool *p)
{
	free(p->t_submit);
	free(p->free_slots);
	free(p->chunks);
	free(p->bufs);
}
