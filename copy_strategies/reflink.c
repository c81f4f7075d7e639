// SPDX-License-Identifier: MIT
/*
 * reflink: share the source's extents instead of copying bytes, with
 * ioctl(2) FICLONE (whole file) or FICLONERANGE (a range). Where the
 * filesystem can't, the errno is reported: never a silent byte copy.
 */
#include <errno.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strategies.h"

static bool clone_unsupported(int err)
{
	return err == EOPNOTSUPP || err == ENOTTY || err == EINVAL ||
	       err == EXDEV || err == ENOSYS;
}

/* Writes 4096 bytes to one scratch file and clones it into another. */
static int reflink_probe(const char *dir, char *why, size_t len)
{
	char buf[4096];
	int fds[2], ret;

	memset(buf, 0xa5, sizeof(buf));
	ret = strategy_probe_pair(dir, buf, sizeof(buf), fds, why, len);
	if (ret)
		return ret;
	if (ioctl(fds[1], FICLONE, fds[0])) {
		int err = errno;

		if (clone_unsupported(err))
			ret = strategy_why(why, len, -err,
					   "FICLONE: not supported by %s",
					   strategy_fs_name(dir));
		else
			ret = strategy_why(why, len, -err, "FICLONE: %s",
					   strerror(err));
	} else if (!strategy_probe_readback(fds[1], buf, sizeof(buf))) {
		ret = strategy_why(why, len, -EIO,
				   "FICLONE: the clone does not read back");
	}
	close(fds[1]);
	close(fds[0]);
	return ret;
}

static int reflink_copy(void *state, int src, int dst,
			const struct copy_range *r)
{
	struct file_clone_range fcr = {
		.src_fd = src,
		.src_offset = r->src_off,
		.src_length = r->len,
		.dest_offset = r->dst_off,
	};
	struct stat st;
	int ret;

	(void)state;
	if (!r->len)
		return 0;
	if (fstat(src, &st))
		return -errno;
	if (r->src_off + r->len > (uint64_t)st.st_size)
		return -ENODATA;
	/* one call, all or nothing; EINTR means nothing was cloned yet */
	do {
		if (!r->src_off && !r->dst_off &&
		    r->len == (uint64_t)st.st_size)
			ret = ioctl(dst, FICLONE, src);
		else
			ret = ioctl(dst, FICLONERANGE, &fcr);
	} while (ret && errno == EINTR);
	return ret ? -errno : 0;
}

const struct copy_strategy strategy_reflink = {
	.abi = COPY_STRATEGY_ABI,
	.name = "reflink",
	.summary = "ioctl FICLONE/FICLONERANGE: shares extents, copies nothing",
	/* offsets and length block aligned, except a length reaching EOF;
	 * both files on one filesystem that supports reflinks */
	.flags = COPY_RANGES | COPY_RANGES_ALIGNED | COPY_SAME_FS_ONLY,
	.probe = reflink_probe,
	.copy = reflink_copy,
};
