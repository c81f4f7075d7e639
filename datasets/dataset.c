// SPDX-License-Identifier: MIT
/*
 * Deterministic file content (random, zeros, sparse) generated at memory
 * speed, written with pwrite and checked with XXH3-64.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY	/* XXH3_state_t on the stack: no malloc */
#include <xxhash.h>

#include "dataset.h"
#include "strategies.h"

#define CHUNK (1u << 20)		/* write/read unit */
#define HASH_CHUNK (64u << 10)		/* generation unit, on the stack */
#define SPARSE_ALIGN 4096u
#define GOLDEN 0x9e3779b97f4a7c15ull

static const char *const kind_names[] = {
	[CONTENT_RANDOM] = "random",
	[CONTENT_ZEROS] = "zeros",
	[CONTENT_SPARSE] = "sparse",
};

const char *content_kind_name(enum content_kind c)
{
	if ((unsigned)c >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "unknown";
	return kind_names[c];
}

int content_kind_parse(const char *s, enum content_kind *c)
{
	for (unsigned i = 0; s && i < sizeof(kind_names) / sizeof(*kind_names);
	     i++) {
		if (!strcasecmp(s, kind_names[i])) {
			*c = (enum content_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * The splitmix64 finaliser. Hand-written rather than GSL's RNG: the
 * content must be random-access (word w of the file is mix64(key + w *
 * GOLDEN), so any range is generated without the bytes before it) and
 * a function call per number would cap generation well below 2 GB/s.
 */
static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t stream_key(uint64_t seed, uint64_t index)
{
	return mix64(mix64(seed + GOLDEN) ^ mix64(index + 2 * GOLDEN));
}

uint64_t dataset_mix(uint64_t seed, uint64_t index)
{
	return stream_key(seed, index);
}

/* Random bytes [off, off + len) of the stream `key`, little-endian words,
 * so a file's bytes do not depend on where the range starts. */
static void fill_random(unsigned char *p, uint64_t off, size_t len,
			uint64_t key)
{
	uint64_t w = off / 8, v;
	size_t skip = off % 8;

	if (skip) {
		size_t n = 8 - skip < len ? 8 - skip : len;

		v = htole64(mix64(key + w++ * GOLDEN));
		memcpy(p, (unsigned char *)&v + skip, n);
		p += n;
		len -= n;
	}
	for (uint64_t s = key + w * GOLDEN; len >= 8; s += GOLDEN) {
		v = htole64(mix64(s));
		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
		w++;
	}
	if (len) {
		v = htole64(mix64(key + w * GOLDEN));
		memcpy(p, &v, len);
	}
}

/*
 * Sparse layout: with p = size / 5 rounded down to 4 KiB, data at
 * [p, 2p) and [3p, 4p), holes elsewhere (the last one takes the rest).
 * 0 when the file is too small (< 20 KiB) for aligned holes.
 */
static uint64_t sparse_unit(uint64_t size)
{
	return size / 5 / SPARSE_ALIGN * SPARSE_ALIGN;
}

/* Bytes [off, off + len) of a file of `size` bytes of this kind. */
static void generate(unsigned char *buf, uint64_t off, size_t len,
		     uint64_t size, enum content_kind kind, uint64_t key)
{
	uint64_t p = sparse_unit(size);

	if (kind == CONTENT_ZEROS) {
		memset(buf, 0, len);
		return;
	}
	if (kind == CONTENT_RANDOM || !p) {
		fill_random(buf, off, len, key);
		return;
	}
	memset(buf, 0, len);
	for (uint64_t start = p; start < 4 * p; start += 2 * p) {
		uint64_t lo = off > start ? off : start;
		uint64_t hi = off + len < start + p ? off + len : start + p;

		if (lo < hi)
			fill_random(buf + (lo - off), lo, hi - lo, key);
	}
}

void dataset_generate(void *buf, uint64_t off, size_t len, uint64_t size,
		      enum content_kind kind, uint64_t seed, uint64_t index)
{
	generate(buf, off, len, size, kind, stream_key(seed, index));
}

/* Generates and writes bytes [from, to) of the file in CHUNK pieces. */
static int write_range(int fd, unsigned char *buf, uint64_t from, uint64_t to,
		       uint64_t size, enum content_kind kind, uint64_t key)
{
	while (from < to) {
		size_t n = to - from < CHUNK ? to - from : CHUNK;
		int ret;

		generate(buf, from, n, size, kind, key);
		ret = strategy_pwrite_all(fd, buf, n, from);
		if (ret)
			return ret;
		from += n;
	}
	return 0;
}

int dataset_fill(int fd, uint64_t size, enum content_kind kind, uint64_t seed,
		 uint64_t index)
{
	uint64_t key = stream_key(seed, index), p = sparse_unit(size);
	unsigned char *buf;
	int ret;

	if ((unsigned)kind > CONTENT_SPARSE)
		return -EINVAL;
	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	if (ftruncate(fd, 0))
		return -errno;
	/* page-aligned so an O_DIRECT fd works too, but only for sizes
	 * (and sparse extents) that are multiples of its alignment: the
	 * last, shorter write would fail with EINVAL */
	if (posix_memalign((void **)&buf, SPARSE_ALIGN, CHUNK))
		return -ENOMEM;
	if (kind == CONTENT_SPARSE && p) {
		/* holes are never written: extend, then write the extents */
		ret = ftruncate(fd, (off_t)size) ? -errno : 0;
		for (uint64_t s = p; !ret && s < 4 * p; s += 2 * p)
			ret = write_range(fd, buf, s, s + p, size, kind, key);
	} else {
		ret = write_range(fd, buf, 0, size, size, kind, key);
	}
	free(buf);
	return ret;
}

int dataset_hash_fd(int fd, uint64_t size, uint64_t *hash)
{
	return dataset_hash_range(fd, 0, size, hash);
}

int dataset_hash_range(int fd, uint64_t start, uint64_t len, uint64_t *hash)
{
	uint64_t off = start, size = start + len;
	XXH3_state_t st;
	unsigned char *buf;
	int ret = 0;

	buf = malloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	XXH3_64bits_reset(&st);
	while (off < size) {
		size_t want = size - off < CHUNK ? size - off : CHUNK;
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -ENODATA;
			goto out_free_buf;
		}
		XXH3_64bits_update(&st, buf, (size_t)n);
		off += (uint64_t)n;
	}
	*hash = XXH3_64bits_digest(&st);
out_free_buf:
	free(buf);
	return ret;
}

/*
 * Measured on this project's VM, 100 MiB cached: pread + XXH3 283 ms,
 * mmap + XXH3 109 ms (1 MiB: 1.85 vs 0.53 ms), same hash: the copy out of
 * the page cache cost more than the hashing. Verification runs between
 * samples, so this shortens every sweep.
 */
int dataset_hash_mapped(int fd, uint64_t off, uint64_t len, uint64_t *hash)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t start = off - off % (uint64_t)(page > 0 ? page : 4096);
	size_t map_len = (size_t)(off - start + len);
	unsigned char *p;

	if (!len || map_len != off - start + len)
		return dataset_hash_range(fd, off, len, hash);
	p = mmap(NULL, map_len, PROT_READ, MAP_SHARED, fd, (off_t)start);
	if (p == MAP_FAILED)
		return dataset_hash_range(fd, off, len, hash);
	madvise(p, map_len, MADV_SEQUENTIAL);
	*hash = XXH3_64bits(p + (off - start), (size_t)len);
	munmap(p, map_len);
	return 0;
}

uint64_t dataset_expected_hash(uint64_t size, enum content_kind kind,
			       uint64_t seed, uint64_t index)
{
	uint64_t key = stream_key(seed, index);
	unsigned char buf[HASH_CHUNK];
	XXH3_state_t st;

	XXH3_64bits_reset(&st);
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < HASH_CHUNK ? size - off : HASH_CHUNK;

		generate(buf, off, n, size, kind, key);
		XXH3_64bits_update(&st, buf, n);
		off += n;
	}
	return XXH3_64bits_digest(&st);
}
