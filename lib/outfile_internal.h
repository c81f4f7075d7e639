/* SPDX-License-Identifier: MIT */
/*
 * What outfile.c shares with outfile_check.c. Not API: only outfile*.c
 * include it.
 */
#ifndef IOBENCH_OUTFILE_INTERNAL_H
#define IOBENCH_OUTFILE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Opens each component of path under at (O_PATH), creating it with
 * OUTFILE_CREATE (OUTFILE_NOFOLLOW: no symlink followed). With `missing`
 * not NULL nothing is created: the walk stops at the first component
 * that does not exist and returns the deepest existing directory,
 * counting in *missing the levels still to create. An fd or -errno.
 */
int outfile_walk(int at, const char *path, unsigned flags, size_t *missing);
/* A random number for temporary names (getrandom, else pid and clock). */
uint32_t outfile_random_u32(void);

#endif
