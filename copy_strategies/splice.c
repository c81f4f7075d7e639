// SPDX-License-Identifier: MIT
/*
 * splice: splice(2) file -> pipe -> file through a pipe(2) grown with
 * fcntl(F_SETPIPE_SZ) to the buffer size (capped by fs.pipe-max-size).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "strategies.h"

#define SPLICE_FLAGS (SPLICE_F_MOVE | SPLICE_F_MORE)

struct splice_state {
	int pipe_fd[2];
	bool have_pipe;	  /* the state starts zeroed: fd 0 is not ours */
	bool pipe_dirty;  /* an error left bytes in the pipe */
	size_t pipe_size; /* wanted capacity */
	size_t chunk;	  /* bytes moved per round */
};

/* fs.pipe-max-size, the most an unprivileged F_SETPIPE_SZ may ask. */
static size_t pipe_max_size(void)
{
	unsigned long v = 0;
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "re");

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static void close_pipe(struct splice_state *st)
{
	if (!st->have_pipe)
		return;
	close(st->pipe_fd[0]);
	close(st->pipe_fd[1]);
	st->have_pipe = false;
	st->pipe_dirty = false;
}

/* A fresh pipe of st->pipe_size bytes; the kernel may round it up. */
static int open_pipe(struct splice_state *st)
{
	int got;

	if (pipe2(st->pipe_fd, O_CLOEXEC))
		return -errno;
	st->have_pipe = true;
	got = fcntl(st->pipe_fd[1], F_SETPIPE_SZ, (int)st->pipe_size);
	if (got < 0) {
		int err = -errno;

		close_pipe(st);
		return err;
	}
	if ((size_t)got < st->chunk)
		st->chunk = got;
	return 0;
}

static int splice_setup(void *state, const void *options)
{
	const struct strategy_buffer_options *p = options;
	struct splice_state *st = state;
	size_t max = pipe_max_size();

	st->chunk = p->buffer;
	st->pipe_size = p->buffer;
	if (max && st->pipe_size > max)
		st->pipe_size = max;
	if (st->pipe_size > INT_MAX)
		st->pipe_size = INT_MAX;
	return open_pipe(st);
}

/* Moves exactly len bytes from the pipe to dst at *off. */
static int drain_pipe(struct splice_state *st, int dst, loff_t *off, size_t len)
{
	while (len) {
		ssize_t n = TEMP_FAILURE_RETRY(splice(st->pipe_fd[0], NULL, dst,
						      off, len, SPLICE_FLAGS));
		int ret = strategy_xfer_ret(n, -EIO);

		if (ret)
			return ret;
		len -= n;
	}
	return 0;
}

static int splice_copy(void *state, int src, int dst,
		       const struct copy_range *r)
{
	struct splice_state *st = state;
	loff_t off_in = r->src_off, off_out = r->dst_off;
	uint64_t left = r->len;
	int ret;

	/* stale bytes from a failed copy must not reach this one */
	if (st->pipe_dirty || !st->have_pipe) {
		close_pipe(st);
		ret = open_pipe(st);
		if (ret)
			return ret;
	}
	while (left) {
		size_t want = left < st->chunk ? left : st->chunk;
		/* the pipe is empty each round, so this never blocks */
		ssize_t n =
			TEMP_FAILURE_RETRY(splice(src, &off_in, st->pipe_fd[1],
						  NULL, want, SPLICE_FLAGS));

		ret = strategy_xfer_ret(n, -ENODATA);
		if (ret)
			return ret;
		ret = drain_pipe(st, dst, &off_out, n);
		if (ret) {
			st->pipe_dirty = true;
			return ret;
		}
		left -= n;
	}
	return 0;
}

static void splice_teardown(void *state)
{
	close_pipe(state);
}

const struct copy_strategy strategy_splice = {
	.abi = COPY_STRATEGY_ABI,
	.name = "splice",
	.summary = "splice(2) file -> pipe -> file, pipe sized to the buffer",
	.flags = COPY_RANGES,
	.options = strategy_buffer_option_table,
	.options_size = sizeof(struct strategy_buffer_options),
	.state_size = sizeof(struct splice_state),
	.setup = splice_setup,
	.copy = splice_copy,
	.teardown = splice_teardown,
};
