// SPDX-License-Identifier: MIT
/*
 * rw: read(2)/write(2) through one page-aligned buffer, as coreutils cp
 * does without copy offload; POSIX_FADV_SEQUENTIAL on the source.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "strategies.h"

struct rw_state {
	char *buf;
	size_t buf_size;
};

static int rw_setup(void *state, const void *options)
{
	const struct strategy_buffer_options *p = options;
	struct rw_state *st = state;

	st->buf_size = p->buffer;
	st->buf = strategy_alloc_aligned(0, st->buf_size);
	return st->buf ? 0 : -errno;
}

static int rw_copy(void *state, int src, int dst, const struct copy_range *r)
{
	struct rw_state *st = state;
	uint64_t left = r->len;

	if (lseek(src, r->src_off, SEEK_SET) < 0 ||
	    lseek(dst, r->dst_off, SEEK_SET) < 0)
		return -errno;
	posix_fadvise(src, r->src_off, r->len, POSIX_FADV_SEQUENTIAL);
	while (left) {
		size_t want = left < st->buf_size ? left : st->buf_size;
		/* a short read is not EOF: only 0 is */
		ssize_t n = TEMP_FAILURE_RETRY(read(src, st->buf, want));
		int ret = strategy_xfer_ret(n, -ENODATA);

		if (!ret)
			ret = strategy_write_all(dst, st->buf, n);
		if (ret)
			return ret;
		left -= n;
	}
	return 0;
}

static void rw_teardown(void *state)
{
	struct rw_state *st = state;

	free(st->buf);
}

const struct copy_strategy strategy_rw = {
	.abi = COPY_STRATEGY_ABI,
	.name = "rw",
	.summary = "read(2)/write(2) through a page-aligned buffer",
	.flags = COPY_RANGES,
	.options = strategy_buffer_option_table,
	.options_size = sizeof(struct strategy_buffer_options),
	.state_size = sizeof(struct rw_state),
	.setup = rw_setup,
	.copy = rw_copy,
	.teardown = rw_teardown,
};
