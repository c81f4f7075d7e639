// SPDX-License-Identifier: MIT
/*
 * Whole-file copies built on a strategy's copy(): sparse sources (holes
 * found with lseek SEEK_DATA/SEEK_HOLE, as GNU cp does, kept as holes)
 * and sources without a trustworthy size (procfs, sysfs, some FUSE
 * files), read until EOF into a scratch file first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strategies.h"

/* Holes are kept in units of this: a multiple of every filesystem block
 * and O_DIRECT alignment iobench meets, so aligned strategies can copy
 * each extent. */
#define SPARSE_UNIT 4096u
#define ZERO_SCAN_CHUNK (1u << 20)
#define SNAPSHOT_CHUNK (1u << 20)

static const char *const sparse_names[] = {
	[STRATEGY_SPARSE_AUTO] = "auto",
	[STRATEGY_SPARSE_ALWAYS] = "always",
	[STRATEGY_SPARSE_NEVER] = "never",
};

const char *strategy_sparse_name(enum strategy_sparse m)
{
	return (unsigned)m <= STRATEGY_SPARSE_NEVER ? sparse_names[m] : "?";
}

int strategy_sparse_parse(const char *s, enum strategy_sparse *m)
{
	for (unsigned i = 0; i <= STRATEGY_SPARSE_NEVER; i++) {
		if (!strcmp(s, sparse_names[i])) {
			*m = i;
			return 0;
		}
	}
	return -EINVAL;
}

static uint64_t round_down(uint64_t v)
{
	return v / SPARSE_UNIT * SPARSE_UNIT;
}

static uint64_t round_up(uint64_t v)
{
	return (v + SPARSE_UNIT - 1) / SPARSE_UNIT * SPARSE_UNIT;
}

/* s->copy() of src bytes [from, to) of range r. */
static int copy_part(const struct copy_strategy *s, void *state, int src,
		     int dst, const struct copy_range *r, uint64_t from,
		     uint64_t to)
{
	struct copy_range part = {
		.src_off = from,
		.dst_off = r->dst_off + (from - r->src_off),
		.len = to - from,
	};

	return to > from ? s->copy(state, src, dst, &part) : 0;
}

/* Whether buf[0..len) is all zero bytes. */
static bool all_zero(const char *buf, size_t len)
{
	return !len || (!buf[0] && !memcmp(buf, buf + 1, len - 1));
}

/*
 * --sparse always: copies the data extent [from, to) of range r, leaving
 * out every SPARSE_UNIT block that reads as zeros (they stay holes).
 */
static int copy_nonzero_runs(const struct copy_strategy *s, void *state,
			     int src, int dst, const struct copy_range *r,
			     uint64_t from, uint64_t to)
{
	char *buf = strategy_alloc_aligned(SPARSE_UNIT, ZERO_SCAN_CHUNK);
	uint64_t run = from;	/* start of the pending non-zero run */
	int ret = 0;

	if (!buf)
		return -errno;
	for (uint64_t off = from; off < to && !ret;) {
		size_t want = to - off < ZERO_SCAN_CHUNK ? to - off
							  : ZERO_SCAN_CHUNK;
		ssize_t n = pread(src, buf, round_up(want), (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if ((size_t)n < want) {
			ret = -ENODATA;	/* the source ended early */
			break;
		}
		for (size_t b = 0; b < want && !ret; b += SPARSE_UNIT) {
			size_t blen = want - b < SPARSE_UNIT ? want - b
							     : SPARSE_UNIT;

			if (!all_zero(buf + b, blen))
				continue;
			ret = copy_part(s, state, src, dst, r, run, off + b);
			run = off + b + blen;
		}
		off += want;
	}
	if (!ret)
		ret = copy_part(s, state, src, dst, r, run, to);
	free(buf);
	return ret;
}

/* A source "looks sparse" as GNU cp judges it: fewer blocks allocated
 * than its size needs. */
static bool looks_sparse(const struct stat *st)
{
	return (uint64_t)st->st_blocks * 512 < (uint64_t)st->st_size;
}

int strategy_copy_sparse(const struct copy_strategy *s, void *state,
			 int src, int dst, const struct copy_range *r,
			 enum strategy_sparse mode)
{
	uint64_t end = r->src_off + r->len, pos = r->src_off;
	struct stat st;
	int ret = 0;

	if (mode == STRATEGY_SPARSE_NEVER || !r->len)
		return s->copy(state, src, dst, r);
	if (fstat(src, &st))
		return -errno;
	if (mode == STRATEGY_SPARSE_AUTO && !looks_sparse(&st))
		return s->copy(state, src, dst, r);
	while (pos < end && !ret) {
		off_t data = lseek(src, (off_t)pos, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			break;		/* a hole up to EOF */
		if (data < 0) {
			/* no SEEK_DATA here (or not for this file): all data */
			if (errno != EINVAL && errno != EOPNOTSUPP)
				return -errno;
			data = (off_t)pos;
			hole = (off_t)end;
		} else {
			hole = lseek(src, data, SEEK_HOLE);
			if (hole < 0)
				return -errno;
		}
		/* whole units, so aligned strategies can copy each extent;
		 * a hole shorter than a unit is copied as data */
		data = (off_t)round_down((uint64_t)data);
		if ((uint64_t)data < pos)
			data = (off_t)pos;
		hole = (off_t)round_up((uint64_t)hole);
		if ((uint64_t)hole > end || (uint64_t)data >= end)
			hole = (off_t)end;
		if ((uint64_t)data >= end)
			break;
		if (mode == STRATEGY_SPARSE_ALWAYS)
			ret = copy_nonzero_runs(s, state, src, dst, r, data,
						hole);
		else
			ret = copy_part(s, state, src, dst, r, data, hole);
		pos = (uint64_t)hole;
	}
	if (ret)
		return ret;
	/* a source that ends before the range does is an error, as in
	 * copy(): holes must not hide it */
	if (fstat(src, &st))
		return -errno;
	if ((uint64_t)st.st_size < end)
		return -ENODATA;
	/* a hole at the end of the range: the range sets dst's size (only
	 * growing it, so concurrent ranges of one file are safe) */
	if (fstat(dst, &st))
		return -errno;
	if ((uint64_t)st.st_size < r->dst_off + r->len &&
	    ftruncate(dst, (off_t)(r->dst_off + r->len)))
		return -errno;
	return 0;
}

bool strategy_source_unsized(int fd, const struct stat *st)
{
	char byte;

	if (!S_ISREG(st->st_mode))
		return false;
	/* content past the size (procfs, sysfs: 0), or none at its last
	 * byte (sysfs: 4096 whatever it holds) */
	if (!st->st_size)
		return pread(fd, &byte, 1, 0) > 0;
	return pread(fd, &byte, 1, st->st_size - 1) == 0;
}

int strategy_snapshot_source(int src, const char *dir, uint64_t *size)
{
	char *buf = malloc(SNAPSHOT_CHUNK);
	uint64_t got = 0;
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	fd = strategy_tmpfile(dir, 0);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	/* one pass of read(2) from the start, as cp reads such a file */
	if (lseek(src, 0, SEEK_SET) < 0 && errno != ESPIPE) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = read(src, buf, SNAPSHOT_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n)
			break;
		ret = strategy_pwrite_all(fd, buf, (size_t)n, got);
		if (ret)
			break;
		got += (uint64_t)n;
	}
out:
	free(buf);
	if (ret) {
		close(fd);
		return ret;
	}
	*size = got;
	return fd;
}
