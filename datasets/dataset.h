/* SPDX-License-Identifier: MIT */
/*
 * Deterministic test data: a file's content is a pure function of
 * (content kind, seed, file index, size), so runs are reproducible and
 * copies can be checked.
 */
#ifndef IOBENCH_DATASET_H
#define IOBENCH_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum content_kind { CONTENT_RANDOM, CONTENT_ZEROS, CONTENT_SPARSE };

/* "random" / "zeros" / "sparse", and back (0 or -EINVAL). */
const char *content_kind_name(enum content_kind c);
int content_kind_parse(const char *s, enum content_kind *c);

/*
 * Writes `size` bytes to fd (truncating it first): random bytes, zeros,
 * or sparse (data extents alternating with holes: a hole at the start,
 * data, a hole in the middle, data, a hole at the end). 0 or -errno.
 * Sparse: with p = size / 5 rounded down to 4 KiB, random data at [p, 2p)
 * and [3p, 4p), holes elsewhere (the last hole takes the remainder).
 * Below 20 KiB no aligned hole fits and a sparse file is all random data.
 * Random bytes depend only on (seed, index) and the offset: a sparse
 * file's data is the random file's bytes at the same offsets. Zeros are
 * written as data, not holes. Writes with pwrite: fd's offset is unused.
 */
int dataset_fill(int fd, uint64_t size, enum content_kind kind, uint64_t seed,
		 uint64_t index);
/* XXH3-64 of the first `size` bytes of fd (read with pread). 0 or -errno;
 * -ENODATA when the file is shorter. */
int dataset_hash_fd(int fd, uint64_t size, uint64_t *hash);
/* The same of the bytes [off, off + len): one rank's range of a shared
 * file (sweep --mpi). */
int dataset_hash_range(int fd, uint64_t off, uint64_t len, uint64_t *hash);
/* dataset_hash_range() through a read-only mapping of the range (pread
 * where the file cannot be mapped): 2-3x faster for page-cache files, as
 * nothing is copied out of the cache. Only for files iobench made and no
 * one else truncates (a mapping of a file that shrinks raises SIGBUS):
 * never for a user's tree. */
int dataset_hash_mapped(int fd, uint64_t off, uint64_t len, uint64_t *hash);
/* Bytes [off, off + len) of the file dataset_fill writes for (size, kind,
 * seed, index), into buf, without I/O (off + len <= size). */
void dataset_generate(void *buf, uint64_t off, size_t len, uint64_t size,
		      enum content_kind kind, uint64_t seed, uint64_t index);
/* XXH3-64 of the content dataset_fill would write, without I/O. */
uint64_t dataset_expected_hash(uint64_t size, enum content_kind kind,
			       uint64_t seed, uint64_t index);

/* A 64-bit key mixed from (seed, index): the key of a content stream,
 * and a seed for the random choices a dataset spec makes. */
uint64_t dataset_mix(uint64_t seed, uint64_t index);

#endif
