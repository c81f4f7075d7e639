// SPDX-License-Identifier: MIT
/*
 * libaio: Linux native AIO on O_DIRECT descriptors: io_setup(2),
 * io_submit(2) of io_prep_pread/io_prep_pwrite iocbs, io_getevents(2).
 * Up to queue_depth chunks in flight; each completed read becomes the
 * write of the same buffer, as liburing's io_uring-cp does. With an I/O
 * observer, each iocb is stamped as io_submit takes it and timed when
 * io_getevents returns its event.
 */
#include <errno.h>
#include <inttypes.h>
#include <libaio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strategies.h"

struct libaio_options {
	uint64_t buffer, qd;
};

struct libaio_state {
	io_context_t ctx;
	struct strategy_pool pool; /* t_submit: when io_submit took it */
	struct iocb *iocbs;	   /* per chunk */
	struct iocb **pending;	   /* prepared, not yet accepted by io_submit */
	unsigned npending;
	struct io_event *events;
};

/* What a copy needs besides the state: the files and their geometry. */
struct libaio_copy {
	int src, dst;
	const struct copy_range *r;
	struct strategy_dio d;
	const struct copy_io_observer *obs; /* NULL: no timestamps */
	uint64_t now; /* with obs: when the last events were reaped, ns */
};

static int libaio_probe(const char *dir, char *why, size_t len)
{
	io_context_t ctx = 0;
	int ret;

	ret = io_setup(1, &ctx);
	if (ret == -EAGAIN) {
		int64_t max;

		if (strategy_read_number("/proc/sys/fs/aio-max-nr", &max))
			max = 0;
		return strategy_why(
			why, len, ret,
			"io_setup: fs.aio-max-nr (%" PRId64 ") exhausted", max);
	}
	if (ret == -ENOSYS)
		return strategy_why(why, len, ret,
				    "io_setup: kernel built without AIO");
	if (ret < 0)
		return strategy_why(why, len, ret, "io_setup: %s",
				    strerror(-ret));
	io_destroy(ctx);
	return strategy_probe_direct(dir, why, len);
}

static int libaio_setup(void *state, const void *options)
{
	const struct libaio_options *p = options;
	struct libaio_state *st = state;
	int ret;

	ret = strategy_pool_init(&st->pool, p->qd, p->buffer);
	if (ret)
		return ret;
	st->iocbs = calloc(st->pool.qd, sizeof(*st->iocbs));
	st->pending = calloc(st->pool.qd, sizeof(*st->pending));
	st->events = calloc(st->pool.qd, sizeof(*st->events));
	if (!st->iocbs || !st->pending || !st->events)
		return -ENOMEM;
	ret = io_setup(st->pool.qd, &st->ctx);
	if (ret < 0) {
		st->ctx = 0;
		return ret;
	}
	return 0;
}

/* Prepares the next transfer of chunk i (read or write, what is left). */
static void libaio_queue(struct libaio_state *st, struct libaio_copy *cp,
			 unsigned i)
{
	struct strategy_chunk *c = &st->pool.chunks[i];
	struct iocb *cb = &st->iocbs[i];
	char *buf = c->buf + c->done;
	size_t left = c->io_len - c->done;

	if (c->writing)
		io_prep_pwrite(cb, cp->dst, buf, left,
			       cp->r->dst_off + c->pos + c->done);
	else
		io_prep_pread(cb, cp->src, buf, left,
			      cp->r->src_off + c->pos + c->done);
	cb->data = c;
	st->pending[st->npending++] = cb;
}

/* Chunks in the kernel: neither idle nor waiting for io_submit. */
static unsigned libaio_inflight(const struct libaio_state *st)
{
	return st->pool.qd - st->pool.nfree - st->npending;
}

/* Forgets the prepared iocbs io_submit never took: their chunks are idle. */
static void libaio_drop_pending(struct libaio_state *st)
{
	for (unsigned k = 0; k < st->npending; k++) {
		struct strategy_chunk *c = st->pending[k]->data;

		strategy_pool_put(&st->pool, c - st->pool.chunks);
	}
	st->npending = 0;
}

/* Stamps the pending iocbs with the time they are submitted. */
static void libaio_stamp(struct libaio_state *st)
{
	uint64_t now = strategy_io_clock_ns();

	for (unsigned k = 0; k < st->npending; k++) {
		struct strategy_chunk *c = st->pending[k]->data;

		st->pool.t_submit[c - st->pool.chunks] = now;
	}
}

/* Hands the prepared iocbs to the kernel; EAGAIN with requests in
 * flight leaves the rest pending until completions free resources. */
static int libaio_submit(struct libaio_state *st,
			 const struct copy_io_observer *obs)
{
	while (st->npending) {
		int n;

		if (obs)
			libaio_stamp(st);
		n = io_submit(st->ctx, st->npending, st->pending);
		if (n == -EINTR)
			continue;
		if (n == -EAGAIN && libaio_inflight(st))
			return 0;
		if (n < 0)
			return n;
		st->npending -= n;
		memmove(st->pending, st->pending + n,
			st->npending * sizeof(*st->pending));
	}
	return 0;
}

/* Accounts one completion: queues the chunk's next transfer or idles it. */
static int libaio_complete(struct libaio_state *st, struct libaio_copy *cp,
			   const struct io_event *ev)
{
	struct strategy_chunk *c = ev->data;
	unsigned i = c - st->pool.chunks;
	long res = (long)ev->res;
	int ret;

	if (cp->obs)
		cp->obs->complete(cp->obs->ctx, cp->now - st->pool.t_submit[i]);
	if (res == -EINTR || res == -EAGAIN) {
		libaio_queue(st, cp, i);
		return 0;
	}
	ret = res < 0 ? (int)res : strategy_chunk_advance(c, &cp->d, res);
	if (ret)
		strategy_pool_put(&st->pool, i);
	else
		libaio_queue(st, cp, i);
	return ret < 0 ? ret : 0;
}

/* Starts reads of the range from pos while idle buffers last. */
static uint64_t libaio_start_reads(struct libaio_state *st,
				   struct libaio_copy *cp, uint64_t pos)
{
	while (pos < cp->r->len && st->pool.nfree) {
		unsigned i =
			strategy_pool_start(&st->pool, &cp->d, pos, cp->r->len);

		libaio_queue(st, cp, i);
		pos += st->pool.chunks[i].need;
	}
	return pos;
}

static int libaio_copy(void *state, int src, int dst,
		       const struct copy_range *r)
{
	struct libaio_state *st = state;
	struct libaio_copy cp = { .src = src, .dst = dst, .r = r,
				  .obs = strategy_io_observer() };
	uint64_t pos = 0;
	int ret, err;

	if (!r->len)
		return 0;
	err = strategy_dio_begin(src, dst, r, st->pool.buf_size, &cp.d);
	if (err)
		return err;
	st->npending = 0;
	strategy_pool_reset(&st->pool);

	/* after an error no new transfer starts; what is in flight drains */
	while (st->pool.nfree < st->pool.qd || (!err && pos < r->len)) {
		int n;

		if (!err) {
			pos = libaio_start_reads(st, &cp, pos);
			err = libaio_submit(st, cp.obs);
		}
		if (err)
			libaio_drop_pending(st);
		if (!libaio_inflight(st))
			continue;
		n = io_getevents(st->ctx, 1, libaio_inflight(st), st->events,
				 NULL);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n; /* a broken context: nothing to drain */
		if (cp.obs)
			cp.now = strategy_io_clock_ns();
		for (int k = 0; k < n; k++) {
			if (err) {
				struct strategy_chunk *c = st->events[k].data;

				strategy_pool_put(&st->pool,
						  c - st->pool.chunks);
				continue;
			}
			ret = libaio_complete(st, &cp, &st->events[k]);
			if (ret && !err)
				err = ret;
		}
	}
	if (err)
		return err;
	return strategy_dio_end(dst, r, &cp.d);
}

static void libaio_teardown(void *state)
{
	struct libaio_state *st = state;

	if (st->ctx)
		io_destroy(st->ctx);
	free(st->events);
	free(st->pending);
	free(st->iocbs);
	strategy_pool_free(&st->pool);
}

static const struct copy_option libaio_options[] = {
	COPY_OPTION_BUFFER(struct libaio_options, buffer,
			   STRATEGY_DEFAULT_BUFFER),
	COPY_OPTION_QD(struct libaio_options, qd, STRATEGY_DEFAULT_QD),
	COPY_OPTION_END,
};

const struct copy_strategy strategy_libaio = {
	.abi = COPY_STRATEGY_ABI,
	.name = "libaio",
	.summary = "Linux native AIO (io_submit) on O_DIRECT, queue depth",
	/* offsets aligned; only the range ending at EOF may end unaligned */
	.flags = COPY_RANGES | COPY_RANGES_ALIGNED | COPY_ALWAYS_DIRECT,
	.options = libaio_options,
	.options_size = sizeof(struct libaio_options),
	.state_size = sizeof(struct libaio_state),
	.probe = libaio_probe,
	.setup = libaio_setup,
	.copy = libaio_copy,
	.teardown = libaio_teardown,
};
