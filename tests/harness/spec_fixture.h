/* SPDX-License-Identifier: MIT */
/*
 * The dataset tests' fixture: one test directory for the whole group,
 * specs built from a named recipe or a --dataset value, and a digest of
 * everything that identifies a spec. Helpers fail the running cmocka
 * test when what they need cannot be had.
 */
#ifndef IOBENCH_TEST_SPEC_FIXTURE_H
#define IOBENCH_TEST_SPEC_FIXTURE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "spec.h"
#include "workload.h"

/* The group's directory, under IOBENCH_TEST_DIR (else /var/tmp):
 * spec_dir_make() and spec_dir_remove() are the group's setup and
 * teardown (the directory removed with everything in it). */
extern char spec_dir[PATH_MAX - 256];
int spec_dir_make(void **state);
int spec_dir_remove(void **state);
/* Removes path and everything below it (no link followed). */
void spec_remove_tree(const char *path);
/* A fresh, empty subdirectory of the test directory, its path in out. */
void spec_subdir(const char *name, char *out, size_t len);
/* The spec of a named recipe at seed. */
struct dataset_spec *spec_named(const char *name, uint64_t seed);
/* A spec from a --dataset value (named or histogram, scaled). */
struct workload *spec_workload(const char *arg, uint64_t seed);
/* A hash of the spec's paths, sizes, kinds and extents, and with
 * content every file's content. */
uint64_t spec_digest(const struct dataset_spec *s, bool content);

#endif
