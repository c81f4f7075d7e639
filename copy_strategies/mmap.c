// SPDX-License-Identifier: MIT
/*
 * mmap: mmap(2) the source range read-only, madvise(MADV_SEQUENTIAL), and
 * write(2) from the mapping in buffer-sized chunks. The mapping is placed
 * at an address congruent to its file offset modulo 2 MiB (map_window()).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strategies.h"

/*
 * Ranges are mapped at most this much at a time: bounds the address space
 * one copy uses and keeps every length within size_t on 32-bit systems.
 */
#define MMAP_WINDOW (1ull << 30)

/* Mappings of more than a page start at an address congruent to their
 * file offset modulo this: the page cache's largest folios (PMD size on
 * x86-64) then map whole (map_window()). */
#define MMAP_ALIGN (2ull << 20)

struct mmap_state {
	size_t buf_size; /* bytes per write(2) */
	uint64_t page_mask;
	void *map; /* the live window, for cleanup after SIGBUS */
	size_t map_len;
};

/*
 * A source truncated while mapped raises SIGBUS when user space touches a
 * page past the new end (write(2) itself returns EFAULT instead). The
 * handler jumps back into the copy running in this thread; with no copy
 * active it behaves as the disposition it replaced.
 */
static pthread_once_t sigbus_once = PTHREAD_ONCE_INIT;
static int sigbus_install_err;
static struct sigaction sigbus_prev;
static _Thread_local sigjmp_buf *volatile sigbus_jmp;

static void mmap_sigbus(int sig, siginfo_t *info, void *ctx)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	if (sigbus_jmp)
		siglongjmp(*sigbus_jmp, 1);
	if (sigbus_prev.sa_flags & SA_SIGINFO) {
		sigbus_prev.sa_sigaction(sig, info, ctx);
	} else if (sigbus_prev.sa_handler == SIG_IGN) {
		/* a sent signal may be ignored; a real fault would recur */
		if (info->si_code > 0)
			sigaction(sig, &dfl, NULL);
	} else if (sigbus_prev.sa_handler == SIG_DFL) {
		/* a fault re-executes and a sent signal is re-raised: the
		 * default action happens either way */
		sigaction(sig, &dfl, NULL);
		if (info->si_code <= 0)
			raise(sig);
	} else {
		sigbus_prev.sa_handler(sig);
	}
}

static void install_sigbus_handler(void)
{
	struct sigaction sa = {
		.sa_sigaction = mmap_sigbus,
		/* NODEFER: siglongjmp out of the handler leaves SIGBUS
		 * unblocked without saving the mask in every copy */
		.sa_flags = SA_SIGINFO | SA_NODEFER,
	};

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &sigbus_prev))
		sigbus_install_err = -errno;
}

static int mmap_setup(void *state, const void *options)
{
	const struct strategy_buffer_options *p = options;
	struct mmap_state *st = state;

	st->buf_size = p->buffer;
	st->page_mask = ~((uint64_t)sysconf(_SC_PAGESIZE) - 1);
	pthread_once(&sigbus_once, install_sigbus_handler);
	return sigbus_install_err;
}

/* -ENODATA when the source ends before the range does. */
static int check_source_covers(int src, const struct copy_range *r)
{
	struct stat sb;

	if (fstat(src, &sb))
		return -errno;
	if ((uint64_t)sb.st_size < r->src_off ||
	    (uint64_t)sb.st_size - r->src_off < r->len)
		return -ENODATA;
	return 0;
}

/* Writes all of a mapped window; EFAULT means a page could not be read. */
static int write_window(struct mmap_state *st, int dst, const char *p,
			size_t len)
{
	while (len) {
		size_t want = len < st->buf_size ? len : st->buf_size;
		int ret = strategy_write_all(dst, p, want);

		if (ret)
			return ret;
		p += want;
		len -= want;
	}
	return 0;
}

/*
 * Maps len bytes of src from map_off (page-aligned) read-only at an
 * address congruent to map_off modulo MMAP_ALIGN, or MAP_FAILED. The page
 * cache holds a file in large folios, and faults map a folio's pages in
 * one go only where the mapping lines up with it; where the kernel places
 * a mapping follows the process's randomized layout, which every sample
 * process of a run inherits from the runner. Measured, 1 MiB copies: 530-
 * 590 us with the mapping lined up (any multiple of 64 KiB), 655-712 us
 * 4 KiB off, and a whole run's `mmap` 1M cell 750-1100 us from one run to
 * the next with its samples within a few %: the layout, not the copy.
 * Hand-written: libc offers no aligned mmap. A reservation of len +
 * MMAP_ALIGN bytes (PROT_NONE, no memory) is replaced in place
 * (MAP_FIXED, our own range) and its ends given back.
 */
static void *map_window(int src, uint64_t map_off, size_t len)
{
	size_t resv_len = len + MMAP_ALIGN, head, tail;
	uintptr_t base, at;
	void *resv, *map;

	if (len <= (size_t)sysconf(_SC_PAGESIZE))
		return mmap(NULL, len, PROT_READ, MAP_SHARED, src,
			    (off_t)map_off);
	resv = mmap(NULL, resv_len, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (resv == MAP_FAILED)
		return mmap(NULL, len, PROT_READ, MAP_SHARED, src,
			    (off_t)map_off);
	base = (uintptr_t)resv;
	at = ((base + MMAP_ALIGN - 1) & ~(uintptr_t)(MMAP_ALIGN - 1)) +
	     (uintptr_t)(map_off & (MMAP_ALIGN - 1));
	if (at - base + len > resv_len)
		at -= MMAP_ALIGN;
	map = mmap((void *)at, len, PROT_READ, MAP_SHARED | MAP_FIXED, src,
		   (off_t)map_off);
	if (map == MAP_FAILED) {
		int err = errno;

		munmap(resv, resv_len);
		errno = err;
		return MAP_FAILED;
	}
	head = at - base;
	tail = resv_len - head - len;
	if (head)
		munmap(resv, head);
	if (tail)
		munmap((char *)at + len, tail);
	return map;
}

static int copy_windows(struct mmap_state *st, int src, int dst,
			const struct copy_range *r)
{
	for (uint64_t done = 0; done < r->len;) {
		uint64_t file_off = r->src_off + done;
		uint64_t map_off = file_off & st->page_mask;
		size_t delta = file_off - map_off;
		size_t len = r->len - done < MMAP_WINDOW ? r->len - done
							 : MMAP_WINDOW;
		int ret;

		st->map_len = delta + len;
		st->map = map_window(src, map_off, st->map_len);
		if (st->map == MAP_FAILED) {
			st->map = NULL;
			return -errno;
		}
		madvise(st->map, st->map_len, MADV_SEQUENTIAL);
		ret = write_window(st, dst, (char *)st->map + delta, len);
		munmap(st->map, st->map_len);
		st->map = NULL;
		if (ret)
			return ret;
		done += len;
	}
	return 0;
}

static int mmap_copy(void *state, int src, int dst, const struct copy_range *r)
{
	struct mmap_state *st = state;
	sigjmp_buf jb;
	int ret;

	/* mapping zero bytes is EINVAL, and there is nothing to do */
	if (!r->len)
		return 0;
	/* past EOF the last page reads as zeros: never copy those */
	ret = check_source_covers(src, r);
	if (ret)
		return ret;
	if (lseek(dst, r->dst_off, SEEK_SET) < 0)
		return -errno;
	if (sigsetjmp(jb, 0)) {
		ret = -EFAULT;
		goto out_unmap;
	}
	sigbus_jmp = &jb;
	ret = copy_windows(st, src, dst, r);
out_unmap:
	sigbus_jmp = NULL;
	if (st->map) {
		munmap(st->map, st->map_len);
		st->map = NULL;
	}
	/* an unreadable page: the source shrank under us, or an I/O error */
	if (ret == -EFAULT) {
		ret = check_source_covers(src, r);
		if (!ret)
			ret = -EIO;
	}
	return ret;
}

const struct copy_strategy strategy_mmap = {
	.abi = COPY_STRATEGY_ABI,
	.name = "mmap",
	.summary = "mmap(2) of the source, write(2) from the mapping",
	.flags = COPY_RANGES,
	.options = strategy_buffer_option_table,
	.options_size = sizeof(struct strategy_buffer_options),
	.state_size = sizeof(struct mmap_state),
	.setup = mmap_setup,
	.copy = mmap_copy,
};
