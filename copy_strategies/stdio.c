// SPDX-License-Identifier: MIT
/*
 * stdio: fread(3)/fwrite(3) of BUFSIZ pieces on fdopen(3)ed duplicates of
 * the caller's descriptors, each stream buffered with setvbuf(3) to the
 * buffer size, as a program copying with stdio does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "strategies.h"

struct stdio_state {
	char *chunk;  /* what one fread/fwrite pair moves */
	char *in_buf; /* setvbuf buffers, allocated untimed */
	char *out_buf;
	size_t buf_size;   /* the streams' buffers: bytes per read/write(2) */
	size_t chunk_size; /* bytes per fread/fwrite call */
};

/*
 * glibc's fread/fwrite move a request at least as large as the stream
 * buffer straight between the caller's memory and the file, bypassing the
 * buffer: with pieces that large this strategy would only measure read(2)
 * and write(2). Pieces of BUFSIZ, or half the buffer when that is less, go
 * through the stream buffers, whose size then sets the system calls'.
 */
static size_t stdio_chunk_size(size_t buf_size)
{
	size_t half = buf_size / 2;

	if (half > BUFSIZ)
		return BUFSIZ;
	return half ? half : 1;
}

static int stdio_setup(void *state, const void *options)
{
	const struct strategy_buffer_options *p = options;
	struct stdio_state *st = state;

	st->buf_size = p->buffer;
	st->chunk_size = stdio_chunk_size(st->buf_size);
	/* zeroed, so touched now: first-touch page faults on large buffers
	 * would otherwise be paid inside the timed copy */
	st->chunk = strategy_alloc_aligned(0, st->chunk_size);
	st->in_buf = strategy_alloc_aligned(0, st->buf_size);
	st->out_buf = strategy_alloc_aligned(0, st->buf_size);
	if (!st->chunk || !st->in_buf || !st->out_buf)
		return -ENOMEM;
	return 0;
}

/*
 * A stream on a dup of fd, so fclose() leaves the caller's descriptor
 * open. The dup shares the file position set by the caller's lseek.
 */
static FILE *stream_on(int fd, const char *mode, char *buf, size_t size)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	FILE *f;

	if (dup_fd < 0)
		return NULL;
	f = fdopen(dup_fd, mode);
	if (!f) {
		int err = errno;

		close(dup_fd);
		errno = err;
		return NULL;
	}
	if (setvbuf(f, buf, _IOFBF, size)) {
		fclose(f);
		errno = EINVAL;
		return NULL;
	}
	return f;
}

/*
 * Reads exactly len bytes or fails: a short fread is EOF (-ENODATA) or an
 * error; EINTR is retried (glibc keeps already buffered input intact).
 */
static int read_exact(FILE *in, char *buf, size_t len)
{
	while (len) {
		size_t n;

		errno = 0;
		n = fread(buf, 1, len, in);
		buf += n;
		len -= n;
		if (!len)
			break;
		if (feof(in))
			return -ENODATA;
		if (!ferror(in) || errno != EINTR)
			return errno ? -errno : -EIO;
		clearerr(in);
	}
	return 0;
}

static int copy_streams(struct stdio_state *st, FILE *in, FILE *out,
			uint64_t len)
{
	while (len) {
		size_t want = len < st->chunk_size ? len : st->chunk_size;
		int ret;

		ret = read_exact(in, st->chunk, want);
		if (ret)
			return ret;
		/*
		 * glibc retries short writes itself; a failed fwrite has
		 * discarded its buffer, so it cannot be retried safely.
		 */
		errno = 0;
		if (fwrite(st->chunk, 1, want, out) != want)
			return errno ? -errno : -EIO;
		len -= want;
	}
	return 0;
}

static int stdio_copy(void *state, int src, int dst, const struct copy_range *r)
{
	struct stdio_state *st = state;
	FILE *in, *out;
	int ret;

	if (!r->len)
		return 0;
	/* positioning the shared descriptors makes the streams start there */
	if (lseek(src, r->src_off, SEEK_SET) < 0 ||
	    lseek(dst, r->dst_off, SEEK_SET) < 0)
		return -errno;
	in = stream_on(src, "r", st->in_buf, st->buf_size);
	if (!in)
		return -errno;
	out = stream_on(dst, "w", st->out_buf, st->buf_size);
	if (!out) {
		ret = -errno;
		goto out_close_in;
	}
	ret = copy_streams(st, in, out, r->len);
	/* the last buffered bytes reach the file only here: check both */
	errno = 0;
	if (fflush(out) && !ret)
		ret = errno ? -errno : -EIO;
	if (fclose(out) && !ret)
		ret = errno ? -errno : -EIO;
out_close_in:
	fclose(in);
	return ret;
}

static void stdio_teardown(void *state)
{
	struct stdio_state *st = state;

	free(st->chunk);
	free(st->in_buf);
	free(st->out_buf);
}

const struct copy_strategy strategy_stdio = {
	.abi = COPY_STRATEGY_ABI,
	.name = "stdio",
	.summary = "fread(3)/fwrite(3) on streams buffered with setvbuf(3)",
	/* the streams start wherever the descriptors were lseek'd to */
	.flags = COPY_RANGES,
	.options = strategy_buffer_option_table,
	.options_size = sizeof(struct strategy_buffer_options),
	.state_size = sizeof(struct stdio_state),
	.setup = stdio_setup,
	.copy = stdio_copy,
	.teardown = stdio_teardown,
};
