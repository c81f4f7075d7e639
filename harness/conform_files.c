// SPDX-License-Identifier: MIT
/*
 * The conformance matrix's file helpers (conform.h): scratch directories,
 * whole reads and writes, random content, content hashes and a private
 * tmpfs. The conformance tests use them too.
 */
#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <unistd.h>
#include <xxhash.h>

#include "conform.h"
#include "strategies.h"

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
