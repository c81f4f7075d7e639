/* SPDX-License-Identifier: MIT */
/*
 * The files of a sample, made and checked outside the timing, alike for
 * the runner (runner_scratch.c, runner_sample.c) and its MPI side
 * (ranks_sample.c): a generated source and its hash, the sources written
 * back, a copy checked against the hash its source gave.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_SAMPLE_FILES_H
#define IOBENCH_SAMPLE_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

/*
 * Creates path (never following a link planted there) with the content
 * rq->content and rq->seed give file `index` of `size` bytes, and its
 * XXH3 in *hash. A partial file is removed: it must not be taken for a
 * whole one. 0, or -errno with the reason in why.
 */
int sample_files_make_source(const char *path, uint64_t size,
			     const struct run_request *rq, uint64_t index,
			     uint64_t *hash, char *why, size_t len);
/* syncfs() of the directory fd holding new sources, so their writeback
 * does not land in a later timed region. 0, or -errno with why. */
int sample_files_write_back(int dir_fd, char *why, size_t len);
/*
 * Destination i of a sample (dst) must be `size` bytes: the XXH3 of its
 * bytes [off, off + range) into *hash. 0, or -errno with the reason in
 * why ("verification failed: dst I ..."); -EBADMSG for another size.
 */
int sample_files_hash_copy(const char *dst, unsigned i, uint64_t size,
			   uint64_t off, uint64_t range, uint64_t *hash,
			   char *why, size_t len);

#endif
