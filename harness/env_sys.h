/* SPDX-License-Identifier: MIT */
/*
 * The system's own files, read for the environment probes (env.c,
 * env_storage.c, env_load.c, diskstats.c, device.c): one line of a sysfs
 * or procfs file, and the mount that holds a directory.
 *
 * Layer: run; includes nothing of the harness.
 */
#ifndef IOBENCH_ENV_SYS_H
#define IOBENCH_ENV_SYS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* First line of a small text file (sysfs, procfs), trailing whitespace
 * cut, into out; false when it cannot be read or is empty. */
bool env_read_line(const char *path, char *out, size_t len);

/* One mount of /proc/self/mountinfo: where, its options (the mount's,
 * then the superblock's), its source and device number. */
struct env_mount {
	char point[PATH_MAX];
	char options[1024];
	char source[PATH_MAX];
	unsigned major, minor;
};

/* The mount holding path (a real path: no symlinks): the longest mount
 * point that prefixes it, the last such line winning, as a later mount
 * hides an earlier one. False when none is found. */
bool env_find_mount(const char *path, struct env_mount *best);
/* The source of the mount holding dir ("/dev/vda1", "tmpfs") into
 * source; false when it cannot be found. */
bool env_mount_source(const char *dir, char *source, size_t len);

#endif
