/* SPDX-License-Identifier: MIT */
/*
 * A real directory tree as the sweep's source (--source DIR): walked once,
 * read only, its files' identity and content recorded so the run can show
 * it left the tree unchanged.
 */
#ifndef IOBENCH_SOURCE_TREE_H
#define IOBENCH_SOURCE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* One regular file of the tree, as found before the run. */
struct source_file {
	char *path;			/* absolute, below the tree's root */
	uint64_t size;
	uint64_t hash;			/* XXH3-64 of the content */
	uint64_t ino, dev;
	struct timespec mtime, ctime, atime;
	int oflags;			/* O_NOATIME when permitted, else 0 */
};

/* The tree: regular files in walk order; everything else is skipped. */
struct source_tree {
	char *root;			/* realpath() of --source */
	struct source_file *files;
	size_t n_files;
	size_t n_skipped;		/* symlinks, FIFOs, sockets, devices */
	uint64_t total_bytes;
};

/*
 * Walks dir without following any symlink (fts FTS_PHYSICAL), records
 * every regular file's size, inode and times, and hashes it through a
 * read-only, O_NOFOLLOW (and O_NOATIME where permitted) descriptor.
 * Returns a tree you own (source_tree_free()), or NULL with the reason in
 * err: dir missing or not a directory, no regular file, a file that cannot
 * be read (the first one is named).
 */
struct source_tree *source_tree_scan(const char *dir, char *err, size_t len);
void source_tree_free(struct source_tree *t);

/*
 * Opens file i read-only, never through a symlink, O_NOATIME when the scan
 * found it permitted; extra is or'ed in (O_DIRECT). An fd or -errno.
 */
int source_tree_open(const struct source_tree *t, size_t i, int extra);

/*
 * Stats and hashes every recorded file again. 0 when all are as they were
 * (size, mtime, ctime, inode, content), 1 when some changed (the count and
 * the first change in why), -errno when checking failed.
 */
int source_tree_check(const struct source_tree *t, char *why, size_t len);

#endif
