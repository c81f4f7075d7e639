/* SPDX-License-Identifier: MIT */
/*
 * A real directory tree as the sweep's source (--source DIR): walked once,
 * read only, its files' identity and content recorded so the run can show
 * it left the tree unchanged.
 *
 * Layer: run; includes the model and below, never output or pipeline.
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
	char *rel;			/* the same below the root: "a/b/f" */
	uint64_t size;
	uint64_t hash;			/* XXH3-64 of the content */
	uint64_t ino, dev;
	struct timespec mtime, ctime, atime;
	int oflags;			/* O_NOATIME when permitted, else 0 */
	/* cachestat/mincore report its page-cache residency: only to the
	 * file's owner or a writer (or root) */
	bool residency_readable;
};

/* The tree: regular files in walk order; everything else is skipped. */
struct source_tree {
	char *root;			/* realpath() of --source */
	int root_fd;			/* O_PATH of root: every open starts here */
	struct source_file *files;
	size_t n_files;
	size_t n_skipped;		/* symlinks, FIFOs, sockets, devices */
	/* regular files whose content is not their size (procfs, sysfs,
	 * some FUSE files: size 0 or 4096 whatever they hold; or a file
	 * growing while read): a copy could not be verified, so they are
	 * left out; the first one's path */
	size_t n_unsized;
	char *first_unsized;
	/* files whose page-cache residency cannot be read (not owned, not
	 * writable): cold cells cannot be checked and are skipped */
	size_t n_residency_unreadable;
	uint64_t total_bytes;
	/* every regular file's path below the root the scan found (sorted),
	 * so the check after the run can tell which ones are new */
	char **known;
	size_t n_known;
};

/*
 * Walks dir from directory descriptors opened O_DIRECTORY|O_NOFOLLOW, so
 * no symlink is ever followed (the root itself may be reached through
 * one: the user named it), records every regular file's size, inode and
 * times, and hashes it through a read-only descriptor (O_NOATIME where
 * permitted). Returns a tree you own (source_tree_free()), or NULL with
 * the reason in err: dir missing or not a directory, no regular file, a
 * file that cannot be read (the first one is named).
 */
struct source_tree *source_tree_scan(const char *dir, char *err, size_t len);
void source_tree_free(struct source_tree *t);

/*
 * A tree of the files of t that keep(file, ctx) accepts, in t's order:
 * its own copies of everything (its own descriptor of t's root), freed
 * with source_tree_free(). NULL when out of memory or out of descriptors.
 */
struct source_tree *source_tree_subset(const struct source_tree *t,
				       bool (*keep)(const struct source_file *f,
						    void *ctx),
				       void *ctx);

/*
 * Opens file i read-only below the root without following any symlink on
 * the way (openat2 RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH; component by
 * component with O_NOFOLLOW where the kernel lacks openat2), O_NOATIME
 * when the scan found it permitted; extra is or'ed in (O_DIRECT). The
 * open never blocks: a file replaced by a FIFO is refused. An fd, or
 * -errno: -ELOOP when a component is now a symlink, -EINVAL when the
 * file is no longer a regular file.
 */
int source_tree_open(const struct source_tree *t, size_t i, int extra);

/*
 * A tree as people read it, by name, file count and size in human units:
 * "include (8517 files, 114 MiB)" (the last component of root). Returns
 * out.
 */
const char *source_tree_label(const char *root, uint64_t files,
			      uint64_t bytes, char *out, size_t len);

/* For tests: open tree files component by component (the fallback for
 * kernels without openat2) even where openat2 works. */
void source_tree_force_walk(bool on);

/*
 * Stats and hashes every recorded file again and walks the tree again.
 * 0 when all are as they were (size, mtime, ctime, inode, content) and
 * none was added, 1 when some changed or appeared (the counts and the
 * first change in why), -errno when checking failed.
 */
int source_tree_check(const struct source_tree *t, char *why, size_t len);

#endif
