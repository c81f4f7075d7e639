/* SPDX-License-Identifier: MIT */
/*
 * Deterministic test data: a file's content is a pure function of
 * (content kind, seed, file index, size), so runs are reproducible and
 * copies can be checked.
 */
#ifndef IOBENCH_DATASET_H
#define IOBENCH_DATASET_H

#include <stdint.h>

#include <stdbool.h>

enum content_kind { CONTENT_RANDOM, CONTENT_ZEROS, CONTENT_SPARSE };

/* "random" / "zeros" / "sparse", and back (0 or -EINVAL). */
const char *content_kind_name(enum content_kind c);
int content_kind_parse(const char *s, enum content_kind *c);

/*
 * Writes `size` bytes to fd (truncating it first): random bytes, zeros,
 * or sparse (data extents alternating with holes: a hole at the start,
 * data, a hole in the middle, data, a hole at the end). 0 or -errno.
 */
int dataset_fill(int fd, uint64_t size, enum content_kind kind, uint64_t seed,
		 uint64_t index);
/* XXH3-64 of the first `size` bytes of fd (read with pread). 0 or -errno;
 * -ENODATA when the file is shorter. */
int dataset_hash_fd(int fd, uint64_t size, uint64_t *hash);
/* XXH3-64 of the content dataset_fill would write, without I/O. */
uint64_t dataset_expected_hash(uint64_t size, enum content_kind kind,
			       uint64_t seed, uint64_t index);

#endif
