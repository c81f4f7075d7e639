// SPDX-License-Identifier: MIT
/*
 * Heap counting for the sample children: malloc, calloc, realloc, free and
 * the aligned allocators are defined here, in the program, and forward to
 * the next allocator (glibc's, or a preloaded one); while a window is
 * open they count calls, bytes and the peak of the live heap.
 *
 * Why interposition and not mallinfo2(): mallinfo2() sums the arenas'
 * in-use bytes at one instant, so a buffer allocated and freed inside the
 * copy (a stdio stream, a temporary) leaves no trace between two
 * snapshots - neither the number of allocations nor the peak can be read
 * from deltas - and each call walks and locks every arena. Interposing
 * sees every call as it happens, for two relaxed atomic additions, and
 * only while a window is open; outside one a call costs one load.
 * glibc documents replacing malloc this way ("Replacing malloc"); calls
 * from inside libc (fopen's FILE, strdup) reach these too.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memcount.h"

/* Sanitizer runtimes replace malloc themselves: leave it to them. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MEMCOUNT_INTERPOSE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
	__has_feature(thread_sanitizer)
#define MEMCOUNT_INTERPOSE 0
#endif
#endif
#ifndef MEMCOUNT_INTERPOSE
#define MEMCOUNT_INTERPOSE 1
#endif

static bool counting;
static uint64_t n_allocs, n_bytes;
static int64_t live, peak;

#define RELAXED __ATOMIC_RELAXED

static inline bool is_counting(void)
{
	return __atomic_load_n(&counting, RELAXED);
}

static void note_alloc(void *p)
{
	int64_t now, top;

	if (!p)
		return;
	now = (int64_t)malloc_usable_size(p);
	__atomic_add_fetch(&n_allocs, 1, RELAXED);
	__atomic_add_fetch(&n_bytes, (uint64_t)now, RELAXED);
	now = __atomic_add_fetch(&live, now, RELAXED);
	top = __atomic_load_n(&peak, RELAXED);
	while (now > top && !__atomic_compare_exchange_n(&peak, &top, now, true,
							 RELAXED, RELAXED))
		;
}

static void note_free(size_t usable)
{
	__atomic_sub_fetch(&live, (int64_t)usable, RELAXED);
}

bool memcount_available(void)
{
	return MEMCOUNT_INTERPOSE;
}

void memcount_begin(void)
{
	__atomic_store_n(&n_allocs, 0, RELAXED);
	__atomic_store_n(&n_bytes, 0, RELAXED);
	__atomic_store_n(&live, 0, RELAXED);
	__atomic_store_n(&peak, 0, RELAXED);
	__atomic_store_n(&counting, true, __ATOMIC_SEQ_CST);
}

void memcount_end(struct memcount *out)
{
	__atomic_store_n(&counting, false, __ATOMIC_SEQ_CST);
	out->allocs = __atomic_load_n(&n_allocs, RELAXED);
	out->bytes = __atomic_load_n(&n_bytes, RELAXED);
	out->peak = (uint64_t)__atomic_load_n(&peak, RELAXED);
}

#if MEMCOUNT_INTERPOSE
/* glibc's allocator under its exported internal names (GLIBC_2.0): what
 * the calls go to until the next allocator is known. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

/* glibc exports no __libc_ name for these two: memalign does it. */
static int libc_posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (!align || align % sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = __libc_memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

#define __libc_posix_memalign libc_posix_memalign
#define __libc_aligned_alloc __libc_memalign

/*
 * The allocator after this one in symbol lookup order: glibc's, or a
 * preloaded one (heaptrack's, a user's jemalloc) so that tools and
 * replacements still see every call. Looked up once, on the first call;
 * calls made meanwhile (dlsym may allocate) go to glibc directly, whose
 * blocks any of them can free.
 */
static struct {
	void *(*malloc)(size_t);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void (*free)(void *);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
} next = {
	__libc_malloc, __libc_calloc, __libc_realloc, __libc_free,
	__libc_memalign, __libc_valloc, __libc_pvalloc,
	libc_posix_memalign, __libc_memalign,
};
static int resolved;	/* 0 not yet, 1 in progress, 2 done */

#define NEXT(name)                                                          \
	do {                                                                \
		void *sym = dlsym(RTLD_NEXT, #name);                        \
		if (sym)                                                    \
			memcpy(&next.name, &sym, sizeof(sym));              \
	} while (0)

static void resolve_next(void)
{
	int idle = 0;

	if (__atomic_load_n(&resolved, __ATOMIC_ACQUIRE) == 2 ||
	    !__atomic_compare_exchange_n(&resolved, &idle, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	NEXT(malloc);
	NEXT(calloc);
	NEXT(realloc);
	NEXT(free);
	NEXT(memalign);
	NEXT(valloc);
	NEXT(pvalloc);
	NEXT(posix_memalign);
	NEXT(aligned_alloc);
	__atomic_store_n(&resolved, 2, __ATOMIC_RELEASE);
}

/* The next allocator's functions once known, glibc's until then. */
#define CALL(name, ...)                                                     \
	(resolve_next(),                                                    \
	 __atomic_load_n(&resolved, __ATOMIC_ACQUIRE) == 2 ?                \
		 next.name(__VA_ARGS__) : __libc_##name(__VA_ARGS__))

/* A new block from the next allocator, counted while counting is on. */
static void *counted(void *p)
{
	if (is_counting())
		note_alloc(p);
	return p;
}

void *malloc(size_t size)
{
	return counted(CALL(malloc, size));
}

void *calloc(size_t n, size_t size)
{
	return counted(CALL(calloc, n, size));
}

void free(void *p)
{
	if (p && is_counting())
		note_free(malloc_usable_size(p));
	CALL(free, p);
}

void *realloc(void *p, size_t size)
{
	bool on = is_counting();
	size_t old = p && on ? malloc_usable_size(p) : 0;
	void *q = CALL(realloc, p, size);

	if (!on)
		return q;
	/* moved or resized: the old block is gone; realloc(p, 0) frees p */
	if (q || (p && !size))
		note_free(old);
	note_alloc(q);
	return q;
}

void *reallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, bytes);
}

void *memalign(size_t align, size_t size)
{
	return counted(CALL(memalign, align, size));
}

void *aligned_alloc(size_t align, size_t size)
{
	return counted(CALL(aligned_alloc, align, size));
}

int posix_memalign(void **out, size_t align, size_t size)
{
	int ret = CALL(posix_memalign, out, align, size);

	if (!ret && is_counting())
		note_alloc(*out);
	return ret;
}

void *valloc(size_t size)
{
	return counted(CALL(valloc, size));
}

void *pvalloc(size_t size)
{
	return counted(CALL(pvalloc, size));
}
#endif

/* "VmRSS:" or "VmHWM:" of /proc/self/status in bytes, read without
 * allocating (the window may be open). 0 or -errno. */
static int status_field(const char *name, uint64_t *bytes)
{
	char buf[8192], *at;
	ssize_t n, got = 0;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	at = strstr(buf, name);
	if (!at)
		return -ENOENT;
	*bytes = strtoull(at + strlen(name), NULL, 10) * 1024;
	return 0;
}

int memcount_rss_reset(uint64_t *rss)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "5", 1) != 1)
		ret = -errno;
	close(fd);
	return ret ? ret : status_field("VmRSS:", rss);
}

int memcount_rss_peak(uint64_t *peak_bytes)
{
	return status_field("VmHWM:", peak_bytes);
}
