// SPDX-License-Identifier: MIT
/*
 * io_uring: liburing with IORING_OP_READ_FIXED/WRITE_FIXED on registered
 * buffers and registered files (io_uring_register_buffers,
 * io_uring_register_files_update), optional IORING_SETUP_SQPOLL and
 * O_DIRECT. Up to queue_depth chunks in flight; each completed read
 * becomes the write of the same buffer, as liburing's io_uring-cp does.
 * With an I/O observer, each SQE is stamped as it is prepared (its
 * user_data, the chunk, finds the stamp) and timed when its CQE is reaped.
 *
 * Buffered, much of the cost is per request: a filesystem without
 * non-blocking buffered writes (ext4: no FMODE_BUF_WASYNC) fails every
 * write's inline attempt, so each one is punted to an io-wq worker and,
 * once done, wakes the submitter through task_work, whatever the ring's
 * TASKRUN flags or the number of completions it waits for. The defaults
 * amortise that with 256K requests, 8 in flight (2 MiB of buffers), and
 * the reads run beside the io-wq writer when a second CPU is free.
 * Larger requests were no faster: from 512K on, copies on a VM ran
 * intermittently 3x slower, the time all in the write's copy into the
 * (then larger) new page-cache folios.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "strategies.h"

/* SQPOLL thread stays awake this long without work: covers the gap
 * between batched small-file copies, sleeps between samples. */
#define IO_URING_SQ_IDLE_MS 200
/* Registered buffers are at most 16384, of at most 1 GiB each (and
 * cqe->res is 32 bits); the ring, 2 * qd entries, at most 32768. */
#define IO_URING_MAX_QD 16384u
#define IO_URING_MAX_BUFFER (1u << 30)
/* Defaults: see the top of the file */
#define IO_URING_DEFAULT_BUFFER (256u * 1024)
#define IO_URING_DEFAULT_QD 8u
/*
 * A wait for completions that sees none for this long cancels what is in
 * flight and issues it again; after IO_URING_STALL_TRIES such waits in a
 * row, with no completion between them, the copy fails (-ETIMEDOUT)
 * instead of waiting forever. Seen on Linux 6.18 under load (1 in about
 * 40 runs of the conformance matrix beside another test): a buffered
 * write the kernel handed to io-wq never completed and no io-wq worker
 * thread existed (the ring's fdinfo: SqHead 2, CqTail 1; the process had
 * one thread); a cancel takes such a request back off io-wq's list. A
 * request a worker is still doing is not cancelled (-EALREADY) and goes
 * on. Needs IORING_FEAT_EXT_ARG (5.11) for the timed wait and
 * IORING_ASYNC_CANCEL_ANY (5.19) for the cancel; older kernels wait as
 * before.
 */
#define IO_URING_STALL_SEC 10
#define IO_URING_STALL_TRIES 6

enum { IO_URING_SRC, IO_URING_DST }; /* registered file slots */

struct uring_options {
	uint64_t buffer, qd, direct, sqpoll;
};

struct uring_state {
	struct io_uring ring;
	bool ring_ready;
	bool direct; /* params asked for O_DIRECT */
	int broken;  /* a ring call failed mid-copy: -errno */
	/* bufs: the registered buffers; t_submit: when the SQE was prepared */
	struct strategy_pool pool;
	unsigned stalls; /* timed-out waits since the last completion */
	long long stall_ns; /* IO_URING_STALL_SEC, or the test's figure */
};

/* What a copy needs besides the state: the range and its geometry.
 * (Hooks are prefixed uring_, not io_uring_: that is liburing's namespace.) */
struct uring_job {
	const struct copy_range *r;
	struct strategy_dio d;
	const struct copy_io_observer *obs; /* NULL: no timestamps */
	uint64_t now; /* with obs: when the last CQEs were reaped, ns */
};

static int uring_disabled_sysctl(void)
{
	int64_t v;

	if (strategy_read_number("/proc/sys/kernel/io_uring_disabled", &v))
		return -1;
	return v;
}

static int uring_probe(const char *dir, char *why, size_t len)
{
	struct io_uring_probe *probe;
	struct io_uring ring;
	int ret;

	(void)dir;
	ret = io_uring_queue_init(2, &ring, 0);
	if (ret == -ENOSYS)
		return strategy_why(why, len, ret,
				    "kernel built without io_uring");
	if (ret == -EPERM)
		return strategy_why(
			why, len, ret,
			"io_uring_setup: %s (kernel.io_uring_disabled = %d)",
			strerror(-ret), uring_disabled_sysctl());
	if (ret < 0)
		return strategy_why(why, len, ret, "io_uring_setup: %s",
				    strerror(-ret));
	probe = io_uring_get_probe_ring(&ring);
	if (!probe)
		ret = strategy_why(why, len, -EOPNOTSUPP,
				   "io_uring: opcode probe not supported");
	else if (!io_uring_opcode_supported(probe, IORING_OP_READ_FIXED) ||
		 !io_uring_opcode_supported(probe, IORING_OP_WRITE_FIXED))
		ret = strategy_why(
			why, len, -EOPNOTSUPP,
			"io_uring: READ_FIXED/WRITE_FIXED not supported");
	io_uring_free_probe(probe);
	io_uring_queue_exit(&ring);
	return ret;
}

static int uring_setup_ring(struct uring_state *st,
			    const struct uring_options *p,
			    const struct iovec *iovs)
{
	struct io_uring_params params = { 0 };
	static const int no_files[] = { -1, -1 };
	int ret;

	if (p->sqpoll) {
		params.flags |= IORING_SETUP_SQPOLL;
		params.sq_thread_idle = IO_URING_SQ_IDLE_MS;
	}
	/*
	 * At most qd requests exist, but an SQE the kernel already completed
	 * may hold its SQ slot until the SQPOLL thread ends its batch:
	 * 2 * qd entries always suffice, and the CQ (twice that) never fills.
	 */
	ret = io_uring_queue_init_params(2 * st->pool.qd, &st->ring, &params);
	if (ret < 0)
		return ret;
	st->ring_ready = true;
	ret = io_uring_register_buffers(&st->ring, iovs, st->pool.qd);
	if (ret < 0)
		return ret;
	/* empty slots now; each copy puts its two files in them */
	return io_uring_register_files(&st->ring, no_files, 2);
}

static int uring_setup(void *state, const void *options)
{
	const struct uring_options *p = options;
	struct uring_state *st = state;
	struct strategy_pool *pool = &st->pool;
	struct iovec *iovs;
	int ret;

	const char *stall = getenv("IOBENCH_URING_STALL_MS");

	st->direct = p->direct;
	/* test-only: a shorter stall timeout, so a test can show it */
	st->stall_ns = stall && atoi(stall) > 0 ?
		       atoi(stall) * 1000000LL :
		       IO_URING_STALL_SEC * 1000000000LL;
	/* the pool rounds buffer up to 4096, which IO_URING_MAX_BUFFER is
	 * a multiple of */
	if ((unsigned)p->qd > IO_URING_MAX_QD ||
	    p->buffer > IO_URING_MAX_BUFFER)
		return -EINVAL;
	ret = strategy_pool_init(pool, p->qd, p->buffer);
	if (ret)
		return ret;
	/* registering the buffers copies the iovecs into the kernel */
	iovs = calloc(pool->qd, sizeof(*iovs));
	if (!iovs)
		return -ENOMEM;
	for (unsigned i = 0; i < pool->qd; i++) {
		iovs[i].iov_base = pool->chunks[i].buf;
		iovs[i].iov_len = pool->buf_size;
	}
	ret = uring_setup_ring(st, p, iovs);
	free(iovs);
	return ret;
}

/* A free SQE; with SQPOLL the kernel thread may still be freeing one. */
static struct io_uring_sqe *uring_get_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe;

	while (!(sqe = io_uring_get_sqe(ring))) {
		int ret;

		if (!(ring->flags & IORING_SETUP_SQPOLL))
			return NULL; /* the ring is sized so this can't be */
		ret = io_uring_submit(ring);
		if (ret >= 0)
			ret = io_uring_sqring_wait(ring);
		if (ret < 0 && ret != -EINTR)
			return NULL;
	}
	return sqe;
}

/* Prepares the next transfer of chunk i (read or write, what is left). */
static int uring_queue(struct uring_state *st, struct uring_job *cp, unsigned i)
{
	struct strategy_chunk *c = &st->pool.chunks[i];
	struct io_uring_sqe *sqe = uring_get_sqe(&st->ring);
	char *buf = c->buf + c->done;
	unsigned left = c->io_len - c->done;

	if (!sqe)
		return -EBUSY;
	if (c->writing)
		io_uring_prep_write_fixed(sqe, IO_URING_DST, buf, left,
					  cp->r->dst_off + c->pos + c->done, i);
	else
		io_uring_prep_read_fixed(sqe, IO_URING_SRC, buf, left,
					 cp->r->src_off + c->pos + c->done, i);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	io_uring_sqe_set_data(sqe, c);
	if (cp->obs)
		st->pool.t_submit[i] = strategy_io_clock_ns();
	return 0;
}

/* Accounts one completion: queues the chunk's next transfer or idles it.
 * After an error (err) chunks only drain. */
static int uring_complete(struct uring_state *st, struct uring_job *cp,
			  const struct io_uring_cqe *cqe, int err)
{
	struct strategy_chunk *c = io_uring_cqe_get_data(cqe);
	unsigned i;
	int ret;

	if (!c)
		return 0; /* a cancel's own completion (uring_unstall) */
	i = c - st->pool.chunks;
	if (cqe->res != -ECANCELED)
		st->stalls = 0; /* the kernel answered */
	if (err) {
		strategy_pool_put(&st->pool, i);
		return 0;
	}
	if (cp->obs)
		cp->obs->complete(cp->obs->ctx, cp->now - st->pool.t_submit[i]);
	if (cqe->res == -EINTR || cqe->res == -EAGAIN ||
	    cqe->res == -ECANCELED)
		ret = 0; /* nothing moved: issue the same transfer again */
	else if (cqe->res < 0)
		ret = cqe->res;
	else
		ret = strategy_chunk_advance(c, &cp->d, cqe->res);
	if (!ret)
		ret = uring_queue(st, cp, i);
	if (ret)
		strategy_pool_put(&st->pool, i);
	return ret < 0 ? ret : 0;
}

/* Starts reads of the range from pos while idle buffers last. */
static uint64_t uring_start_reads(struct uring_state *st, struct uring_job *cp,
				  uint64_t pos, int *err)
{
	while (!*err && pos < cp->r->len && st->pool.nfree) {
		unsigned i =
			strategy_pool_start(&st->pool, &cp->d, pos, cp->r->len);

		*err = uring_queue(st, cp, i);
		if (*err)
			strategy_pool_put(&st->pool, i);
		else
			pos += st->pool.chunks[i].need;
	}
	return pos;
}

/* No completion for IO_URING_STALL_SEC: cancels every request in flight
 * (they complete with -ECANCELED and are issued again); the cancel's own
 * completion carries no chunk. */
static int uring_unstall(struct uring_state *st)
{
	struct io_uring_sqe *sqe;

	if (++st->stalls > IO_URING_STALL_TRIES)
		return -ETIMEDOUT;
	sqe = uring_get_sqe(&st->ring);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
	io_uring_sqe_set_data(sqe, NULL);
	return 0; /* submitted by the next wait */
}

/* Submits what is queued and waits for at least one completion (or
 * gives up waiting after IO_URING_STALL_SEC, see uring_unstall()). */
static int uring_submit_wait(struct uring_state *st)
{
	unsigned busy = st->pool.qd - st->pool.nfree;
	int ret;

	if (st->ring.features & IORING_FEAT_EXT_ARG) {
		struct __kernel_timespec ts = {
			.tv_sec = st->stall_ns / 1000000000LL,
			.tv_nsec = st->stall_ns % 1000000000LL,
		};
		struct io_uring_cqe *cqe;

		ret = io_uring_submit_and_wait_timeout(&st->ring, &cqe, 1, &ts,
						       NULL);
		if (ret == -ETIME)
			return uring_unstall(st);
	} else {
		ret = io_uring_submit_and_wait(&st->ring, 1);
	}
	if (ret >= 0 || ret == -EINTR)
		return 0;
	if (ret != -EAGAIN && ret != -EBUSY)
		return ret;
	/* out of kernel resources: let a request in flight finish first */
	if (busy <= io_uring_sq_ready(&st->ring))
		return ret;
	do {
		struct io_uring_cqe *cqe;

		ret = io_uring_wait_cqe(&st->ring, &cqe);
	} while (ret == -EINTR);
	return ret;
}

/* Runs the copy loop; on error still waits for every request in flight,
 * since their buffers and the ring serve the next copy. */
static int uring_run(struct uring_state *st, struct uring_job *cp)
{
	uint64_t pos = 0;
	int err = 0;

	strategy_pool_reset(&st->pool);
	st->stalls = 0;
	while (st->pool.nfree < st->pool.qd || (!err && pos < cp->r->len)) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		int ret;

		pos = uring_start_reads(st, cp, pos, &err);
		if (st->pool.nfree == st->pool.qd)
			break;
		ret = uring_submit_wait(st);
		if (ret) {
			st->broken = ret;
			return ret;
		}
		if (cp->obs)
			cp->now = strategy_io_clock_ns();
		io_uring_for_each_cqe(&st->ring, head, cqe)
		{
			ret = uring_complete(st, cp, cqe, err);
			if (ret && !err)
				err = ret;
			seen++;
		}
		io_uring_cq_advance(&st->ring, seen);
	}
	return err;
}

static bool fd_is_direct(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_DIRECT);
}

static int uring_copy(void *state, int src, int dst, const struct copy_range *r)
{
	struct uring_state *st = state;
	struct uring_job cp = { .r = r, .obs = strategy_io_observer() };
	static const int no_files[] = { -1, -1 };
	int files[] = { src, dst };
	int ret, ret2;

	if (st->broken)
		return st->broken;
	if (!r->len)
		return 0;
	/* the descriptors decide: the caller opened them with
	 * strategy_open_flags(), which follows p->direct */
	strategy_dio_none(&cp.d);
	if (st->direct || fd_is_direct(src) || fd_is_direct(dst)) {
		ret = strategy_dio_begin(src, dst, r, st->pool.buf_size, &cp.d);
		if (ret)
			return ret;
	} else {
		/* as rw does: a larger readahead window when cold */
		posix_fadvise(src, r->src_off, r->len, POSIX_FADV_SEQUENTIAL);
	}
	ret = io_uring_register_files_update(&st->ring, 0, files, 2);
	if (ret < 0)
		return ret;
	ret = uring_run(st, &cp);
	/* drop the file references so the caller's close() really closes */
	ret2 = io_uring_register_files_update(&st->ring, 0, no_files, 2);
	if (!ret && ret2 < 0)
		ret = ret2;
	if (!ret)
		ret = strategy_dio_end(dst, r, &cp.d);
	return ret;
}

static void uring_teardown(void *state)
{
	struct uring_state *st = state;

	if (st->ring_ready)
		io_uring_queue_exit(&st->ring);
	strategy_pool_free(&st->pool);
}

static const struct copy_option uring_options[] = {
	COPY_OPTION_BUFFER(struct uring_options, buffer,
			   IO_URING_DEFAULT_BUFFER),
	COPY_OPTION_QD(struct uring_options, qd, IO_URING_DEFAULT_QD),
	COPY_OPTION_DIRECT(struct uring_options, direct),
	{ "sqpoll", COPY_OPT_BOOL, offsetof(struct uring_options, sqpoll), 0,
	  0, 1, 0, "a kernel thread polls the submission queue" },
	COPY_OPTION_END,
};

const struct copy_strategy strategy_io_uring = {
	.abi = COPY_STRATEGY_ABI,
	.name = "io_uring",
	.summary = "liburing, registered buffers and files, queue depth; "
		   "optional SQPOLL and O_DIRECT",
	/* any range buffered; with --direct offsets must be aligned and
	 * only the range ending at EOF may end unaligned */
	.flags = COPY_RANGES | COPY_RANGES_ALIGNED,
	.options = uring_options,
	.options_size = sizeof(struct uring_options),
	.state_size = sizeof(struct uring_state),
	.probe = uring_probe,
	.setup = uring_setup,
	.copy = uring_copy,
	.teardown = uring_teardown,
};
