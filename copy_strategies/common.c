// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the strategy files: O_DIRECT alignment, aligned
 * buffers, probe scratch files and reasons.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
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
	unsigned v = 0;
	FILE *f;

	if (fstat(fd, &st))
		return 0;
	snprintf(path, sizeof(path),
		 "/sys/dev/block/%u:%u/queue/logical_block_size",
		 major(st.st_dev), minor(st.st_dev));
	f = fopen(path, "re");
	if (!f) {
		/* a partition: its queue/ lives in the parent device */
		snprintf(path, sizeof(path),
			 "/sys/dev/block/%u:%u/../queue/logical_block_size",
			 major(st.st_dev), minor(st.st_dev));
		f = fopen(path, "re");
	}
	if (!f)
		return 0;
	if (fscanf(f, "%u", &v) != 1)
		v = 0;
	fclose(f);
	return v;
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
