/* SPDX-License-Identifier: MIT */
/*
 * A private scratch directory under a user's directory, laid out as the
 * sweep runner lays out its own: DIR/iobench-XXXXXX (ext4 TOPDIR flag)
 * holding one data-RANDOM directory with every file, removed on every
 * exit path by scratch_remove().
 */
#ifndef IOBENCH_SCRATCH_H
#define IOBENCH_SCRATCH_H

#include <limits.h>

struct scratch {
	char top[PATH_MAX];  /* DIR/iobench-XXXXXX */
	char data[PATH_MAX]; /* top/data-RANDOM: every file lives here */
	int fd;		     /* data, O_DIRECTORY; -1 when closed */
};

/*
 * Creates the directories (mode 0700). On ext4 top gets FS_TOPDIR_FL and
 * data a random name, so the allocator puts data in a block group of its
 * own, away from inodes deleted by earlier runs (see the README's note on
 * ext4 without a journal). 0, or -errno with what failed in why (nothing
 * left behind). s->fd is -1 until this succeeds.
 */
int scratch_create(const char *dir, struct scratch *s, char *why, size_t len);
/* Removes every file in data (flat), data and top; safe to call twice
 * and on a scratch whose creation failed. */
void scratch_remove(struct scratch *s);

#endif
