/* SPDX-License-Identifier: MIT */
/*
 * Copying a --source tree file by file into a sample directory: the
 * destination mirrors the tree (SAMPLE/tree/REL), its directories are
 * made as the copy goes (inside the timed region, as cp -r makes them),
 * and --preserve gives each copy its source's mode, owner and times.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_TREE_COPY_H
#define IOBENCH_TREE_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cell.h"
#include "copy_unit.h"
#include "source_tree.h"

/* The destination root below a sample directory: SAMPLE/tree. */
#define TREE_COPY_DIR "tree"

/* What every file of one tree copy shares. */
struct tree_copy_job {
	const struct source_tree *tree;
	enum prealloc_mode prealloc;	/* pre-size each destination */
	bool preserve;			/* mode, owner, times, as cp -a */
	size_t base_len;	/* strlen(SAMPLE): directories below it are
				 * made on demand */
};

/* A copier's memory of the last directory it made (or found), so a run
 * of files in one directory costs no extra system call. */
struct tree_copy_dirs {
	char last[4096];
};

/*
 * The timed unit for file i of the tree: makes dst's missing parent
 * directories (below job->base_len), opens the source below the tree's
 * root (source_tree_open(): no symlink, O_NOATIME where permitted),
 * pre-sizes dst when job->prealloc asks, copies it whole with u, and
 * with job->preserve sets dst's owner (where permitted, as cp -a does),
 * mode and access and modification times from the source. 0, or -errno
 * with the reason in why. Safe to call from several threads with one
 * tree_copy_dirs each.
 */
int tree_copy_file(const struct copy_unit *u, const struct tree_copy_job *job,
		   unsigned i, const char *dst, struct tree_copy_dirs *dirs,
		   double *sync_seconds, char *why, size_t len);

/*
 * Creates dst empty (truncating what is there, never following a
 * symlink) and, for a non-zero size, gives it its final size before a
 * copy writes into it, as a tool that pre-sizes does: PREALLOC_TRUNCATE
 * leaves a hole, PREALLOC_FALLOCATE allocates the blocks. 0, or -errno
 * with the reason in why.
 */
int tree_copy_presize(const char *dst, enum prealloc_mode mode,
		      uint64_t size, char *why, size_t len);

/*
 * The order for a shared work queue: file indexes of t, largest first
 * (ties in walk order). A malloc'd array of t->n_files you own, or NULL.
 */
unsigned *tree_copy_largest_first(const struct source_tree *t);

/*
 * Removes name (a file, or a directory and everything below it) under the
 * directory parent, never following a symlink and never crossing into
 * another filesystem (a mount point found below is left alone).
 */
void tree_copy_remove(int parent, const char *name);
/*
 * Empties name instead: every regular file below it (or name itself) is
 * truncated to 0 bytes, which frees its pages and blocks as unlinking
 * would, but keeps its inode; nothing is removed. Same walk rules.
 */
void tree_copy_empty(int parent, const char *name);

#endif
