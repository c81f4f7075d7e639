// SPDX-License-Identifier: MIT
/*
 * Device ceiling engines: io_uring (liburing) O_DIRECT I/O with qd in
 * flight (IORING_OP_READ_FIXED / WRITE_FIXED on registered buffers and a
 * registered file, io_uring_submit_and_wait(), completions stamped once
 * per batch as fio does) on buffers from mmap(2), buffered pread(2) /
 * pwrite(2) for the page cache, and openat(2) + close(2) + unlinkat(2)
 * for metadata.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "device_internal.h"
#include "strategies.h"
#if HAVE_LIBURING
#include <liburing.h>
#endif

static volatile sig_atomic_t stop_flag;

void device_request_stop(void)
{
	stop_flag = 1;
}

bool device_io_stopped(void)
{
	return stop_flag;
}

void device_io_reset_stop(void)
{
	stop_flag = 0;
}

uint64_t device_io_now_ns(void)
{
	/* the clock the strategies stamp their I/O with */
	return strategy_io_clock_ns();
}

static uint64_t seconds_ns(double s)
{
	return (uint64_t)(s * 1e9);
}

struct device_io_window device_io_window(const struct device_options *o,
					 const struct device_job *job)
{
	struct device_io_window w = { .start = device_io_now_ns() };

	w.ramp_end = w.start + seconds_ns(o->ramp);
	w.end = w.ramp_end + seconds_ns(o->runtime);
	w.min_ios = 2ull * job->qd > 8 ? 2ull * job->qd : 8;
	return w;
}

static void count_io(struct device_io_out *out,
		     const struct device_io_window *w, uint64_t submitted,
		     uint64_t done, uint64_t bytes)
{
	out->issued_ios++;
	out->issued_bytes += bytes;
	if (w->one_pass || done < w->ramp_end || out->closed)
		return;
	out->rep.ios++;
	out->rep.bytes += bytes;
	if (out->lat)
		histogram_record(out->lat, done - submitted);
	if (done >= w->end && out->rep.ios >= w->min_ios) {
		out->closed = true;
		out->rep.seconds = (double)(done - w->ramp_end) / 1e9;
	}
}

/* ---- the O_DIRECT buffers ---- */

/*
 * Fresh anonymous pages, as fio's malloc of its whole I/O area gives
 * (glibc maps an area that large). Read buffers are left untouched:
 * registering them faults them in from inside the kernel in one go,
 * which on a loaded machine yields physically longer runs than faulting
 * them in from user space page by page (zero-filling them first left
 * almost every 4 KiB page its own segment). Each request then carries
 * fewer segments: a 1 MiB read of 256 scattered pages is split in two
 * at a 254-segment queue limit, and a virtual disk costs its host time
 * per segment; zero-filled buffers held 1M reads at QD 32 to 0.6x of
 * fio's rate. Written data is not zeros: a device that compresses or
 * dedups must not gain.
 */
void *device_io_alloc_buffers(size_t size, unsigned mem_align, bool writes)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	/* mmap aligns to a page; no O_DIRECT memory alignment is larger */
	if (!size || (page > 0 && mem_align > (unsigned long)page)) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	for (size_t i = 0; writes && i + 8 <= size; i += 8)
		memcpy(p + i, &(uint64_t){ i * 0x9e3779b97f4a7c15ull }, 8);
	return p;
}

void device_io_free_buffers(void *bufs, size_t size)
{
	if (bufs)
		munmap(bufs, size);
}

/* ---- the io_uring engine ---- */

#if HAVE_LIBURING

struct uring_run {
	struct io_uring ring;
	char *bufs;
	size_t bufs_size;
	struct iovec *iov;
	uint64_t *submitted; /* per slot: when it was submitted */
	unsigned *pending;   /* slots prepared since the last submit */
	unsigned n_pending;
	bool fixed_bufs, fixed_file;
	int fd;
	uint64_t next, nblocks;
};

static bool uring_prep(struct uring_run *u, struct device_io_target *ts,
		       const struct device_job *job, unsigned slot,
		       bool one_pass)
{
	struct io_uring_sqe *sqe;
	uint64_t block;
	bool wr = device_kind_writes(job->kind);
	int fd = u->fixed_file ? 0 : u->fd;

	if (job->kind == DEVICE_RANDREAD || job->kind == DEVICE_RANDWRITE) {
		block = gsl_rng_uniform_int(ts->rng, u->nblocks);
	} else {
		if (one_pass && u->next >= u->nblocks)
			return false;
		block = u->next++ % u->nblocks;
	}
	sqe = io_uring_get_sqe(&u->ring);
	if (!sqe)
		return false;
	if (u->fixed_bufs && wr)
		io_uring_prep_write_fixed(sqe, fd, u->iov[slot].iov_base,
					  (unsigned)job->bs, block * job->bs,
					  (int)slot);
	else if (u->fixed_bufs)
		io_uring_prep_read_fixed(sqe, fd, u->iov[slot].iov_base,
					 (unsigned)job->bs, block * job->bs,
					 (int)slot);
	else if (wr)
		io_uring_prep_write(sqe, fd, u->iov[slot].iov_base,
				    (unsigned)job->bs, block * job->bs);
	else
		io_uring_prep_read(sqe, fd, u->iov[slot].iov_base,
				   (unsigned)job->bs, block * job->bs);
	if (u->fixed_file)
		sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, slot);
	u->pending[u->n_pending++] = slot;
	return true;
}

static void uring_free(struct uring_run *u, bool ring_ready)
{
	if (ring_ready)
		io_uring_queue_exit(&u->ring);
	device_io_free_buffers(u->bufs, u->bufs_size);
	free(u->iov);
	free(u->submitted);
	free(u->pending);
}

static int uring_setup(struct uring_run *u, struct device_io_target *ts,
		       const struct device_job *job, uint64_t file_size)
{
	unsigned qd = job->qd;
	int ret;

	memset(u, 0, sizeof(*u));
	u->fd = ts->direct_fd;
	u->nblocks = file_size / job->bs;
	if (!u->nblocks)
		return -EINVAL;
	u->bufs_size = (size_t)job->bs * qd;
	u->bufs = device_io_alloc_buffers(u->bufs_size, ts->mem_align,
					  device_kind_writes(job->kind));
	if (!u->bufs)
		return -errno;
	u->iov = calloc(qd, sizeof(*u->iov));
	u->submitted = calloc(qd, sizeof(*u->submitted));
	u->pending = calloc(qd, sizeof(*u->pending));
	if (!u->bufs || !u->iov || !u->submitted || !u->pending) {
		uring_free(u, false);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < qd; i++)
		u->iov[i] = (struct iovec){ u->bufs + (size_t)i * job->bs,
					    job->bs };
	/* the ring fio 3.33 sets up: one issuer, completions run when it
	 * waits for them (no task-work interrupts); plain on older kernels */
	ret = io_uring_queue_init(qd, &u->ring,
				  IORING_SETUP_SINGLE_ISSUER |
					  IORING_SETUP_DEFER_TASKRUN |
					  IORING_SETUP_COOP_TASKRUN);
	if (ret == -EINVAL)
		ret = io_uring_queue_init(qd, &u->ring, 0);
	if (ret) {
		uring_free(u, false);
		return ret;
	}
	/* registered buffers and file as fio's fixedbufs/registerfiles;
	 * without them (RLIMIT_MEMLOCK) the plain opcodes do the same */
	u->fixed_bufs = !io_uring_register_buffers(&u->ring, u->iov, qd);
	u->fixed_file = !io_uring_register_files(&u->ring, &u->fd, 1);
	return 0;
}

/*
 * One repeat of an O_DIRECT job (or, with w->one_pass, one sequential
 * pass over the file): qd I/Os in flight, each completion resubmitted
 * at once until the window ends, then the rest drained. 0 or -errno
 * (an I/O error, a short transfer as -EIO, -EINTR when stopped).
 */
int device_io_uring(struct device_io_target *ts, const struct device_job *job,
		    uint64_t file_size, const struct device_io_window *w,
		    struct device_io_out *out)
{
	struct io_uring_cqe *cqes[64];
	struct uring_run u;
	unsigned inflight = 0;
	int ret, err = 0;

	ret = uring_setup(&u, ts, job, file_size);
	if (ret)
		return ret;
	for (unsigned s = 0; s < job->qd; s++)
		inflight += uring_prep(&u, ts, job, s, w->one_pass);
	while (inflight) {
		uint64_t t = device_io_now_ns();
		bool go_on;
		unsigned n;

		for (unsigned i = 0; i < u.n_pending; i++)
			u.submitted[u.pending[i]] = t;
		u.n_pending = 0;
		ret = io_uring_submit_and_wait(&u.ring, 1);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN &&
		    ret != -EBUSY) {
			err = ret;
			break;
		}
		t = device_io_now_ns();
		go_on = !err && !stop_flag && (w->one_pass || !out->closed);
		while ((n = io_uring_peek_batch_cqe(&u.ring, cqes, 64))) {
			for (unsigned i = 0; i < n; i++) {
				unsigned slot =
					(unsigned)io_uring_cqe_get_data64(
						cqes[i]);
				int res = cqes[i]->res;

				if (res != (int)job->bs) {
					if (!err)
						err = res < 0 ? res : -EIO;
					go_on = false;
				} else {
					count_io(out, w, u.submitted[slot], t,
						 job->bs);
				}
				if (!go_on || out->closed ||
				    !uring_prep(&u, ts, job, slot, w->one_pass))
					inflight--;
			}
			io_uring_cq_advance(&u.ring, n);
		}
	}
	uring_free(&u, true);
	if (!err && stop_flag)
		err = -EINTR;
	return err;
}

#else /* !HAVE_LIBURING */

/* Built without liburing: device.c skips the O_DIRECT jobs, saying so. */
int device_io_uring(struct device_io_target *ts, const struct device_job *job,
		    uint64_t file_size, const struct device_io_window *w,
		    struct device_io_out *out)
{
	(void)ts, (void)job, (void)file_size, (void)w, (void)out;
	return -ENOSYS;
}

#endif

/* ---- the synchronous engines ---- */

/* Buffered sequential preads of bs over the resident cached file. */
int device_io_cached_read(struct device_io_target *ts,
			  const struct device_job *job,
			  const struct device_io_window *w,
			  struct device_io_out *out)
{
	uint64_t size = ts->t->cache_set / job->bs * job->bs, off = 0, t0, t1;
	char *buf = strategy_alloc_aligned(0, job->bs);
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	memset(buf, 1, job->bs);
	t0 = device_io_now_ns();
	while (!stop_flag && !out->closed) {
		ssize_t n = pread(ts->cache_fd, buf, job->bs, (off_t)off);

		t1 = device_io_now_ns();
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)job->bs) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		count_io(out, w, t0, t1, job->bs);
		off = off + job->bs >= size ? 0 : off + job->bs;
		t0 = t1;
	}
	free(buf);
	return ret ? ret : stop_flag ? -EINTR : 0;
}

/* Creates the new file `name` in the scratch directory for writing: its
 * descriptor, or -errno. */
static int create_scratch_file(const struct device_io_target *ts,
			       const char *name)
{
	int fd = openat(ts->scratch.fd, name,
			O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			0600);

	return fd < 0 ? -errno : fd;
}

/*
 * New files of cache_set bytes written with buffered pwrites of bs, each
 * timed from its create to its close; each is unlinked untimed right
 * after, so its dirty pages are dropped, never written back, and the
 * next file reuses them. The rate is bytes over the timed seconds of the
 * files that started after the ramp (at least one).
 */
int device_io_cached_write(struct device_io_target *ts,
			   const struct device_job *job,
			   const struct device_io_window *w,
			   struct device_io_out *out)
{
	uint64_t size = ts->t->cache_set / job->bs * job->bs;
	char *buf, name[32];
	int ret = 0;

	/* no room for one block: empty files would never count an I/O */
	if (!size)
		return -ENOSPC;
	buf = strategy_alloc_aligned(0, job->bs);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < job->bs; i++)
		buf[i] = (char)(i * 131 + 7);
	while (!stop_flag && !ret) {
		uint64_t t0 = device_io_now_ns(), ta, tb;
		bool counted = t0 >= w->ramp_end;
		struct device_io_window file_w = *w;
		int fd;

		if (t0 >= w->end && out->rep.ios)
			break;
		/* a file that started in the window counts whole */
		file_w.ramp_end = counted ? 0 : UINT64_MAX;
		file_w.end = UINT64_MAX;
		snprintf(name, sizeof(name), "cw-%u", ts->seq++);
		fd = create_scratch_file(ts, name);
		if (fd < 0) {
			ret = fd;
			break;
		}
		ta = device_io_now_ns();
		for (uint64_t off = 0; off < size && !ret; off += job->bs) {
			ret = strategy_pwrite_all(fd, buf, job->bs, off);
			tb = device_io_now_ns();
			if (!ret)
				count_io(out, &file_w, ta, tb, job->bs);
			ta = tb;
		}
		if (close(fd) && !ret)
			ret = -errno;
		if (counted && !ret)
			out->rep.seconds +=
				(double)(device_io_now_ns() - t0) / 1e9;
		unlinkat(ts->scratch.fd, name, 0);
	}
	free(buf);
	return ret ? ret : stop_flag ? -EINTR : 0;
}

/* create + close + unlink of empty files, one after another. */
int device_io_metadata(struct device_io_target *ts,
		       const struct device_io_window *w,
		       struct device_io_out *out)
{
	char name[32];
	int ret = 0;

	while (!stop_flag) {
		uint64_t t0, t1;
		int fd;

		if (out->closed)
			break;
		snprintf(name, sizeof(name), "m-%u", ts->seq++);
		t0 = device_io_now_ns();
		fd = create_scratch_file(ts, name);
		if (fd < 0) {
			ret = fd;
			break;
		}
		if (close(fd) || unlinkat(ts->scratch.fd, name, 0)) {
			ret = -errno;
			unlinkat(ts->scratch.fd, name, 0);
			break;
		}
		t1 = device_io_now_ns();
		count_io(out, w, t0, t1, 0);
	}
	return ret ? ret : stop_flag ? -EINTR : 0;
}
