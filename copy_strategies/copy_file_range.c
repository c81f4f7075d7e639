// SPDX-License-Identifier: MIT
/*
 * copy_file_range: copy_file_range(2) with explicit offsets on both ends;
 * the filesystem may offload or reflink. Never falls back to another way.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strategies.h"

/* Per call: large enough to amortise the call, small enough to stay
 * well inside every filesystem's and MAX_RW_COUNT's limits. */
#define CFR_MAX_CHUNK (1ull << 30)

/*
 * copy_file_range returned 0 before the range was done: the source ended
 * (-ENODATA), or this pair of files cannot be copied this way.
 */
static int zero_copy_error(int src, loff_t src_pos)
{
	struct stat sb;

	if (fstat(src, &sb))
		return -errno;
	return sb.st_size <= src_pos ? -ENODATA : -EOPNOTSUPP;
}

static int copy_file_range_copy(void *state, int src, int dst,
				const struct copy_range *r)
{
	loff_t in = r->src_off, out = r->dst_off;
	uint64_t left = r->len;

	(void)state;
	while (left) {
		size_t want = left < CFR_MAX_CHUNK ? left : CFR_MAX_CHUNK;
		ssize_t n = TEMP_FAILURE_RETRY(
			copy_file_range(src, &in, dst, &out, want, 0));

		if (n < 0) {
			/* EXDEV, EOPNOTSUPP, ENOSYS, EINVAL included: a
			 * benchmark must measure what it names */
			return -errno;
		}
		if (n == 0)
			return zero_copy_error(src, in);
		left -= n;
	}
	return 0;
}

/* Copies a few bytes between two scratch files in dir and checks them. */
static int copy_file_range_probe(const char *dir, char *why, size_t len)
{
	static const char probe[] = "iobench copy_file_range probe";
	loff_t in = 0, out = 0;
	int fds[2], ret;
	ssize_t n;

	ret = strategy_probe_pair(dir, probe, sizeof(probe), fds, why, len);
	if (ret)
		return ret;
	n = TEMP_FAILURE_RETRY(
		copy_file_range(fds[0], &in, fds[1], &out, sizeof(probe), 0));
	if (n < 0) {
		int err = errno; /* strategy_fs_name() may change it */

		ret = strategy_why(why, len, -err, "copy_file_range: %s on %s",
				   strerror(err), strategy_fs_name(dir));
	} else if (n != (ssize_t)sizeof(probe) ||
		   !strategy_probe_readback(fds[1], probe, sizeof(probe))) {
		ret = strategy_why(why, len, -EOPNOTSUPP,
				   "copy_file_range: short or wrong copy on %s",
				   strategy_fs_name(dir));
	}
	close(fds[1]);
	close(fds[0]);
	return ret;
}

const struct copy_strategy strategy_copy_file_range = {
	.abi = COPY_STRATEGY_ABI,
	.name = "copy_file_range",
	.summary = "copy_file_range(2): in-kernel copy, offloaded or reflinked "
		   "where the filesystem can",
	/* no tunables: the kernel picks its own chunking */
	.flags = COPY_RANGES |
		 /* across filesystems the kernel answers EXDEV (except
		  * NFS/CIFS server-side copies) */
		 COPY_SAME_FS_ONLY,
	.probe = copy_file_range_probe,
	.copy = copy_file_range_copy,
};
