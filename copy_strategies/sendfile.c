// SPDX-License-Identifier: MIT
/*
 * sendfile: sendfile(2) from the source, at an explicit offset, to the
 * destination positioned with lseek(2).
 */
#include <errno.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "strategies.h"

/* The most one read or write moves on Linux (MAX_RW_COUNT). */
#define SENDFILE_MAX_CHUNK 0x7ffff000ull

static int sendfile_copy(void *state, int src, int dst,
			 const struct copy_range *r)
{
	off_t off = r->src_off;
	uint64_t left = r->len;

	(void)state;
	if (!left)
		return 0;
	if (lseek(dst, r->dst_off, SEEK_SET) < 0)
		return -errno;
	while (left) {
		size_t want =
			left < SENDFILE_MAX_CHUNK ? left : SENDFILE_MAX_CHUNK;
		ssize_t n = TEMP_FAILURE_RETRY(sendfile(dst, src, &off, want));
		/* 0 is the end of the source: the range is not all there */
		int ret = strategy_xfer_ret(n, -ENODATA);

		if (ret)
			return ret;
		left -= n;
	}
	return 0;
}

const struct copy_strategy strategy_sendfile = {
	.abi = COPY_STRATEGY_ABI,
	.name = "sendfile",
	.summary = "sendfile(2): in-kernel copy through the page cache",
	.flags = COPY_RANGES,
	.copy = sendfile_copy,
};
