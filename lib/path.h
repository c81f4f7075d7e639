/* SPDX-License-Identifier: MIT */
/* Finding programs on $PATH (gnuplot, perf, cp, rsync, ...); a path's
 * directory. */
#ifndef IOBENCH_PATH_H
#define IOBENCH_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Whether an executable `name` is on $PATH, or else in the sbin
 * directories; its full path into out (len bytes; out may be NULL when
 * len is 0). A name with a '/' is checked as given. */
bool path_find_program(const char *name, char *out, size_t len);

/* The directory part of path into out (len bytes): "." when path has no
 * '/', "" for a file at the root ("/x"). */
void path_dir_of(const char *path, char *out, size_t len);

#endif
