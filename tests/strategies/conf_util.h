/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the strategy conformance and fault tests: scratch
 * directories, whole-buffer I/O, opening files the way the harness does.
 */
#ifndef IOBENCH_CONF_UTIL_H
#define IOBENCH_CONF_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "params.h"
#include "strategies.h"

/* Exit status meson reads as "skipped". */
#define CONF_EXIT_SKIP 77

/*
 * A fresh directory "<base>/iobench-<tag>-XXXXXX" in out. base is
 * $IOBENCH_TEST_DIR, else /var/tmp (a real filesystem: O_DIRECT and
 * FIEMAP need one). 0 or -errno.
 */
int conf_mkdtemp(char *out, size_t len, const char *base, const char *tag);
/* Removes dir and everything below it (no symlinks followed). 0 or -errno. */
int conf_rmtree(const char *dir);

/* pwrite/pread all of len bytes at off, retrying short transfers and
 * EINTR. conf_pread_all returns -ENODATA if the file ends first. */
int conf_pwrite_all(int fd, const void *buf, size_t len, off_t off);
int conf_pread_all(int fd, void *buf, size_t len, off_t off);

/* Fills buf with len bytes from getrandom(2). 0 or -errno. */
int conf_fill_random(void *buf, size_t len);

/* Creates (O_TRUNC) path holding len bytes of buf. 0 or -errno. */
int conf_write_file(const char *path, const void *buf, size_t len);

/*
 * Opens src read-only and dst write-only as the harness does, both with
 * test_open_flags(s, p); dst_flags adds e.g. O_CREAT|O_TRUNC.
 * 0 with both fds set, or -errno with neither open.
 */
int conf_open_pair(const struct copy_strategy *s, const struct test_params *p,
		   const char *src_path, const char *dst_path, int dst_flags,
		   int *src, int *dst);

/* Streaming XXH3-64 of the whole file and its length. 0 or -errno. */
int conf_hash_file(const char *path, uint64_t *hash, uint64_t *size);

/* "buf=64K qd=32 direct" for failure messages: the params a copy used. */
void conf_params_str(const struct copy_strategy *s, const struct test_params *p,
		     char *out, size_t len);

#endif
