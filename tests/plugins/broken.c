// SPDX-License-Identifier: MIT
/*
 * Plugins with one fault each, for the loader and `iobench check` tests;
 * meson builds this file once per BROKEN_* macro. The loader must refuse
 * the first five with one line; check must fail crash and lossy, and
 * stop cleanly mid-way through slow; every verb must survive the probes
 * of probe_crash and probe_hang (tests/faults/plugin_probe_contained.sh).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "iobench/strategy.h"

struct broken_options {
	uint64_t chunk;
};

/* read/write of r at most 64K at a time; the faults below change it */
static int __attribute__((unused))
broken_copy(void *state, int src, int dst, const struct copy_range *r)
{
	static char buf[65536];
	uint64_t done = 0, len = r->len;

	(void)state;
#ifdef BROKEN_CRASH
	if (len > 4096)
		abort(); /* SIGABRT in the middle of a copy */
#endif
#ifdef BROKEN_SLOW
	if (len > 4096)
		sleep(60); /* hangs: for stopping check mid-run */
#endif
#ifdef BROKEN_LOSSY
	if (len > 1 && len % 2)
		len--; /* drops the last byte of odd lengths */
#endif
	while (done < len) {
		size_t want =
			len - done < sizeof(buf) ? len - done : sizeof(buf);
		ssize_t n = pread(src, buf, want, r->src_off + done), w;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		for (ssize_t off = 0; off < n; off += w) {
			w = pwrite(dst, buf + off, n - off,
				   r->dst_off + done + off);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				return w < 0 ? -errno : -EIO;
		}
		done += n;
	}
	return 0;
}

#if defined(BROKEN_PROBE_CRASH) || defined(BROKEN_PROBE_HANG)
static int broken_probe(const char *dir, char *why, size_t len)
{
	(void)dir;
	(void)why;
	(void)len;
#ifdef BROKEN_PROBE_CRASH
	abort(); /* SIGABRT while iobench asks whether it can run */
#else
	for (;;)
		pause(); /* never answers */
#endif
	return 0;
}
#endif

static const struct copy_option broken_option_table[] = {
#ifdef BROKEN_OPTIONS
	/* offset 8 of an 8-byte struct: outside it */
	{ "chunk", COPY_OPT_SIZE, 8, 65536, 4096, 1 << 20, 0, "bytes" },
#else
	{ "chunk", COPY_OPT_SIZE, offsetof(struct broken_options, chunk), 65536,
	  4096, 1 << 20, 0, "bytes" },
#endif
	COPY_OPTION_END,
};

static const struct copy_strategy broken_strategy = {
#ifdef BROKEN_ABI
	.abi = COPY_STRATEGY_ABI + 1,
#else
	.abi = COPY_STRATEGY_ABI,
#endif
#ifdef BROKEN_CLASH
	.name = "rw",
#else
	.name = BROKEN_NAME,
#endif
	.summary = "a plugin with a fault, for the tests",
	.flags = COPY_RANGES,
	.options = broken_option_table,
	.options_size = sizeof(struct broken_options),
#ifndef BROKEN_NO_COPY
	.copy = broken_copy,
#endif
#if defined(BROKEN_PROBE_CRASH) || defined(BROKEN_PROBE_HANG)
	.probe = broken_probe,
#endif
};

#ifndef BROKEN_NO_ENTRY
COPY_STRATEGY_PLUGIN(&broken_strategy);
#else
/* what a plugin built without COPY_STRATEGY_PLUGIN() looks like */
const struct copy_strategy *broken_entry(void);
const struct copy_strategy *broken_entry(void)
{
	return &broken_strategy;
}
#endif
