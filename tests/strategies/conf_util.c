// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the strategy conformance and fault tests: scratch
 * directories, whole-buffer I/O, opening files the way the harness does.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "params.h"
#include "conf_util.h"

int conf_mkdtemp(char *out, size_t len, const char *base, const char *tag)
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

int conf_rmtree(const char *dir)
{
	/* depth first, do not cross into other mounts or follow links */
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT))
		return errno ? -errno : -EIO;
	return 0;
}

int conf_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	if (off < 0)
		return -EINVAL;
	return strategy_pwrite_all(fd, buf, len, (uint64_t)off);
}

int conf_pread_all(int fd, void *buf, size_t len, off_t off)
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

int conf_fill_random(void *buf, size_t len)
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

int conf_write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ret;

	if (fd < 0)
		return -errno;
	ret = conf_pwrite_all(fd, buf, len, 0);
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int conf_open_pair(const struct copy_strategy *s, const struct test_params *p,
		   const char *src_path, const char *dst_path, int dst_flags,
		   int *src, int *dst)
{
	int extra = test_open_flags(s, p) | O_CLOEXEC;
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

int conf_hash_file(const char *path, uint64_t *hash, uint64_t *size)
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
	/* the big test streams GiB-sized files: ask for full read-ahead */
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

void conf_params_str(const struct copy_strategy *s, const struct test_params *p,
		     char *out, size_t len)
{
	struct test_params rp = test_resolve(s, p);
	int n = snprintf(out, len, "buf=%zu", rp.buffer_size);

	if (n >= 0 && (size_t)n < len && test_has_option(s, "qd"))
		n += snprintf(out + n, len - n, " qd=%u", rp.queue_depth);
	if (n >= 0 && (size_t)n < len)
		snprintf(out + n, len - n, "%s%s", rp.direct ? " direct" : "",
			 rp.sqpoll ? " sqpoll" : "");
}
