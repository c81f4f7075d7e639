/* SPDX-License-Identifier: MIT */
/*
 * The strategy tests' cases: each cmocka test runs in a fresh directory
 * under one top directory (case_dir_make/case_dir_remove as its setup
 * and teardown, a struct tcase as its state); deterministic content and
 * whole-file writes and checks that fail the running test on error.
 */
#ifndef IOBENCH_TEST_CASE_H
#define IOBENCH_TEST_CASE_H

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "params.h"
#include "strategies.h"

struct tcase {
	const struct copy_strategy *s;
	char dir[PATH_MAX]; /* fresh per test, removed afterwards */
	char name[96];
};

/* The top directory: made by case_top_dir_make() under TMPDIR (else
 * /tmp) as iobench-WHAT-XXXXXX (0, or -1 said on stderr); removed, once
 * empty, by case_top_dir_remove(). */
extern char case_top_dir[PATH_MAX];
int case_top_dir_make(const char *what);
void case_top_dir_remove(void);
/* cmocka setup and teardown: tc->dir made fresh below the top, removed
 * with everything in it. */
int case_dir_make(void **state);
int case_dir_remove(void **state);
/* fn as a cmocka test named tc->name, run in its own case directory. */
struct CMUnitTest case_unit_test(struct tcase *tc, CMUnitTestFunction fn);

/* splitmix64 bytes from seed: the same seed, the same content. */
void case_fill_random(unsigned char *buf, size_t len, uint64_t seed);
/* tc->dir/name into out (PATH_MAX). */
void case_path(const struct tcase *tc, const char *name, char *out);
/* All of buf at off. */
void case_pwrite_all(int fd, const void *buf, size_t len, off_t off);
/* Creates path holding buf (len bytes). */
void case_write_file(const char *path, const void *buf, size_t len);
/* path holds exactly want (len bytes). */
void case_assert_file(const char *path, const unsigned char *want,
		      size_t len);
/* An fd for reading path; for writing it (created, O_CLOEXEC | flags). */
int case_open_src(const char *path);
int case_open_dst(const char *path, int flags);

/* The case's src and dst paths (PATH_MAX each), and src written with
 * len bytes of data filled from seed. */
void case_source(const struct tcase *tc, unsigned char *data, size_t len,
		 uint64_t seed, char *src, char *dst);
/* A strategy's state, set up for p; freed (torn down) by
 * case_state_free(). */
void *case_state_new(const struct copy_strategy *s,
		     const struct test_params *p);
void case_state_free(const struct copy_strategy *s, void *st);

#endif
