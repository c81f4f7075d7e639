// SPDX-License-Identifier: MIT
/*
 * Page-cache observation with cachestat(2) (mincore(2) over a read-only
 * mapping where the kernel lacks it) and control: evict, warm, drop all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "config.h"
#include "cache.h"

#ifndef __NR_cachestat
#define __NR_cachestat 451	/* same number on every architecture */
#endif

/*
 * The uapi layout of struct cachestat_range / struct cachestat (Linux 6.5,
 * <linux/mman.h>). Kept local under our own names: older headers lack it
 * (config.h HAVE_CACHESTAT_HEADER) and newer ones must not clash with it.
 */
struct iob_cachestat_range {
	uint64_t off;
	uint64_t len;		/* 0: to the end of the file */
};

struct iob_cachestat {
	uint64_t nr_cache;
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t nr_evicted;
	uint64_t nr_recently_evicted;
};

#define WARM_CHUNK (1u << 20)
#define MINCORE_WINDOW (1u << 18)	/* pages per mincore() call */

/* -1 not probed yet, 0 no, 1 yes */
static atomic_int have_cachestat = -1;
static atomic_bool force_mincore;

static long sys_cachestat(int fd, uint64_t off, uint64_t len,
			  struct iob_cachestat *cs)
{
	struct iob_cachestat_range range = { off, len };

	return syscall(__NR_cachestat, fd, &range, cs, 0);
}

bool cache_have_cachestat(void)
{
	int have = atomic_load(&have_cachestat);

	if (have < 0) {
		struct iob_cachestat cs;

		/*
		 * On a bad fd a kernel with the call says EBADF; one without
		 * it (or a seccomp filter denying it) says ENOSYS or EPERM.
		 */
		have = sys_cachestat(-1, 0, 0, &cs) < 0 && errno == EBADF;
		atomic_store(&have_cachestat, have);
	}
	return have && !atomic_load(&force_mincore);
}

void cache_force_mincore(bool on)
{
	atomic_store(&force_mincore, on);
}

const char *cache_probe_name(void)
{
	return cache_have_cachestat() ? "cachestat" : "mincore";
}

uint64_t cache_file_pages(int fd)
{
	return cache_range_pages(fd, 0, 0);
}

/* The file's size, or 0 when it cannot be known. */
static uint64_t file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) || st.st_size <= 0 ? 0 : (uint64_t)st.st_size;
}

/* [off, off + len) cut to the file (len 0: to its end), as whole pages:
 * the first page and the count. */
static void range_to_pages(int fd, uint64_t off, uint64_t len,
			   uint64_t *first, uint64_t *pages)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t size = file_size(fd);
	uint64_t end = len && off + len < size ? off + len : size;

	*first = off / page;
	*pages = end > off ? (end + page - 1) / page - *first : 0;
}

uint64_t cache_range_pages(int fd, uint64_t off, uint64_t len)
{
	uint64_t first, pages;

	range_to_pages(fd, off, len, &first, &pages);
	return pages;
}

/* Resident pages of a mapping of `pages` pages, counted in windows so the
 * vector stays small for huge files. */
static int count_resident(void *map, uint64_t pages, int64_t *resident)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *vec = malloc(MINCORE_WINDOW);
	int64_t n = 0;

	if (!vec)
		return -ENOMEM;
	for (uint64_t done = 0; done < pages;) {
		uint64_t w = pages - done < MINCORE_WINDOW ? pages - done :
							     MINCORE_WINDOW;

		if (mincore((char *)map + done * page, w * page, vec)) {
			free(vec);
			return -errno;
		}
		for (uint64_t i = 0; i < w; i++)
			n += vec[i] & 1;
		done += w;
	}
	free(vec);
	*resident = n;
	return 0;
}

/*
 * Whether the kernel tells this process about fd's page cache: cachestat
 * (Linux 6.5+ as hardened) and mincore (since 5.2) do only for a file
 * opened for writing, owned by the caller or writable by it, or with
 * CAP_FOWNER (root here). mincore does not fail otherwise: it reports
 * every page resident, a silent lie this check keeps out.
 */
static bool residency_visible(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	struct stat st;

	if (flags >= 0 && (flags & O_ACCMODE) != O_RDONLY)
		return true;
	if (fstat(fd, &st) || st.st_uid == geteuid() || geteuid() == 0)
		return true;
	return !faccessat(fd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS);
}

/*
 * mincore() fallback. The mapping needs a readable fd, so a write-only one
 * is reopened through /proc/self/fd. -EPERM where mincore would not tell
 * the truth (residency_visible()).
 */
static int mincore_pages(int fd, uint64_t off, uint64_t len,
			 struct cache_pages *out)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t first, pages;
	char path[64];
	int rfd = -1, ret;
	void *map;

	range_to_pages(fd, off, len, &first, &pages);
	out->cached = 0;
	out->dirty = out->writeback = -1;
	if (fcntl(fd, F_GETFD) < 0)
		return -errno;
	if (!residency_visible(fd))
		return -EPERM;
	if (!pages)
		return 0;
	if (pages > SIZE_MAX / page)
		return -EFBIG;
	map = mmap(NULL, pages * page, PROT_READ, MAP_SHARED, fd,
		   (off_t)(first * page));
	if (map == MAP_FAILED && errno == EACCES) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		rfd = open(path, O_RDONLY | O_CLOEXEC);
		if (rfd < 0)
			return -errno;
		map = mmap(NULL, pages * page, PROT_READ, MAP_SHARED, rfd,
			   (off_t)(first * page));
	}
	if (map == MAP_FAILED) {
		ret = -errno;
		goto out_close;
	}
	ret = count_resident(map, pages, &out->cached);
	munmap(map, pages * page);
out_close:
	if (rfd >= 0)
		close(rfd);
	return ret;
}

int cache_pages_of(int fd, struct cache_pages *out)
{
	return cache_pages_range(fd, 0, 0, out);
}

int cache_pages_range(int fd, uint64_t off, uint64_t len,
		      struct cache_pages *out)
{
	struct iob_cachestat cs;

	if (!cache_have_cachestat())
		return mincore_pages(fd, off, len, out);
	if (sys_cachestat(fd, off, len, &cs))
		return -errno;
	out->cached = (int64_t)cs.nr_cache;
	out->dirty = (int64_t)cs.nr_dirty;
	out->writeback = (int64_t)cs.nr_writeback;
	return 0;
}

int cache_resident_nowait(int fd, struct cache_pages *out)
{
	uint64_t pages = cache_file_pages(fd);
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	int64_t n = 0;
	char byte;

	out->dirty = out->writeback = -1;
	for (uint64_t i = 0; i < pages; i++) {
		struct iovec iov = { &byte, 1 };
		ssize_t r = preadv2(fd, &iov, 1, (off_t)(i * page), RWF_NOWAIT);

		if (r > 0)
			n++;
		else if (r < 0 && errno == EINTR)
			i--;
		else if (r < 0 && errno != EAGAIN)
			return -errno;
	}
	out->cached = n;
	return 0;
}

int cache_evict_fd(int fd)
{
	return cache_evict_range(fd, 0, 0);
}

int cache_evict_range(int fd, uint64_t off, uint64_t len)
{
	struct cache_pages cp;
	int ret;

	/* Nothing dirty, nothing in writeback: no fdatasync. On ext4 it
	 * sends the device a cache flush even for a clean file (1-2 ms on
	 * this kind of VM disk), once per source file of every cold sample.
	 * Nothing resident either: nothing to drop. cachestat(2) only: the
	 * mincore() fallback cannot tell dirty pages. */
	if (cache_have_cachestat() && !cache_pages_range(fd, off, len, &cp) &&
	    !cp.dirty && !cp.writeback) {
		if (!cp.cached)
			return 0;
		goto drop;
	}
	/* DONTNEED skips dirty and writeback pages: make them clean first */
	if (fdatasync(fd) && errno != EINVAL)
		return -errno;
drop:
	ret = posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_DONTNEED);
	return -ret;	/* posix_fadvise returns the error number itself */
}

int cache_warm_fd(int fd)
{
	return cache_warm_range(fd, 0, 0);
}

int cache_warm_range(int fd, uint64_t start, uint64_t len)
{
	uint64_t end = len ? start + len : UINT64_MAX;
	off_t off = (off_t)start;
	char *buf;
	int flags = fcntl(fd, F_GETFL);
	int ret = 0;

	if (flags < 0)
		return -errno;
	if (flags & O_DIRECT)
		return -EINVAL;	/* its reads would bypass the cache */
	/* start readahead of the whole file, then make sure by reading it */
	posix_fadvise(fd, (off_t)start, (off_t)len, POSIX_FADV_WILLNEED);
	buf = malloc(WARM_CHUNK);
	if (!buf)
		return -ENOMEM;
	while ((uint64_t)off < end) {
		uint64_t want = end - (uint64_t)off < WARM_CHUNK ?
				end - (uint64_t)off : WARM_CHUNK;
		ssize_t n = pread(fd, buf, want, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		off += n;
	}
	free(buf);
	return ret;
}

static int drop_caches(const char *what)
{
	int fd, ret = 0;

	/* drop_caches frees only clean pages: write everything back first */
	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = write(fd, what, 1);

		if (n == 1)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		ret = n < 0 ? -errno : -EIO;
		break;
	}
	close(fd);
	return ret;
}

int cache_drop_all(void)
{
	return drop_caches("1");
}

int cache_drop_all_metadata(void)
{
	return drop_caches("3");
}
