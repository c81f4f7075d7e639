// SPDX-License-Identifier: MIT
/*
 * odirect: pread(2)/pwrite(2) on O_DIRECT descriptors through one aligned
 * buffer, as dd iflag=direct oflag=direct does; the unaligned tail is
 * rounded up and the destination trimmed back with ftruncate(2). Each
 * syscall's latency goes to the thread's I/O observer, when there is one.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "strategies.h"

struct odirect_state {
	struct strategy_chunk chunk; /* chunk.buf: the aligned buffer */
	size_t buf_size; /* a multiple of 4096: any O_DIRECT alignment */
};

static int odirect_probe(const char *dir, char *why, size_t len)
{
	return strategy_probe_direct(dir, why, len);
}

static int odirect_setup(void *state, const void *options)
{
	const struct strategy_buffer_options *p = options;
	struct odirect_state *st = state;

	/* 4096 is a multiple of every logical block size statx reports */
	st->buf_size = (p->buffer + 4095) / 4096 * 4096;
	st->chunk.buf = strategy_alloc_aligned(0, st->buf_size);
	return st->chunk.buf ? 0 : -errno;
}

/* Reads then writes one chunk, resuming short transfers; each syscall
 * is one request for the observer (obs, may be NULL). */
static int odirect_copy_chunk(struct strategy_chunk *c,
			      const struct strategy_dio *d, int src, int dst,
			      const struct copy_range *r,
			      const struct copy_io_observer *obs)
{
	for (;;) {
		size_t left = c->io_len - c->done;
		char *buf = c->buf + c->done;
		uint64_t t0 = obs ? strategy_io_clock_ns() : 0;
		ssize_t n;
		int ret;

		if (c->writing)
			n = pwrite(dst, buf, left,
				   r->dst_off + c->pos + c->done);
		else
			n = pread(src, buf, left,
				  r->src_off + c->pos + c->done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (obs)
			obs->complete(obs->ctx, strategy_io_clock_ns() - t0);
		ret = strategy_chunk_advance(c, d, n);
		if (ret)
			return ret < 0 ? ret : 0;
	}
}

static int odirect_copy(void *state, int src, int dst,
			const struct copy_range *r)
{
	struct odirect_state *st = state;
	const struct copy_io_observer *obs = strategy_io_observer();
	struct strategy_dio d;
	uint64_t pos;
	int ret;

	if (!r->len)
		return 0;
	ret = strategy_dio_begin(src, dst, r, st->buf_size, &d);
	if (ret)
		return ret;
	for (pos = 0; pos < r->len; pos += st->chunk.need) {
		uint64_t left = r->len - pos;

		strategy_chunk_start(&st->chunk, &d, pos,
				     left < st->buf_size ? left : st->buf_size);
		ret = odirect_copy_chunk(&st->chunk, &d, src, dst, r, obs);
		if (ret)
			return ret;
	}
	return strategy_dio_end(dst, r, &d);
}

static void odirect_teardown(void *state)
{
	struct odirect_state *st = state;

	free(st->chunk.buf);
}

static const struct copy_option odirect_options[] = {
	COPY_OPTION_BUFFER(struct strategy_buffer_options, buffer, 1024 * 1024),
	COPY_OPTION_END,
};

const struct copy_strategy strategy_odirect = {
	.abi = COPY_STRATEGY_ABI,
	.name = "odirect",
	.summary =
		"pread(2)/pwrite(2) with O_DIRECT on both ends, aligned buffer",
	/* offsets aligned; only the range ending at EOF may end unaligned */
	.flags = COPY_RANGES | COPY_RANGES_ALIGNED | COPY_ALWAYS_DIRECT,
	.options = odirect_options,
	.options_size = sizeof(struct strategy_buffer_options),
	.state_size = sizeof(struct odirect_state),
	.probe = odirect_probe,
	.setup = odirect_setup,
	.copy = odirect_copy,
	.teardown = odirect_teardown,
};
