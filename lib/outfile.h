/* SPDX-License-Identifier: MIT */
/*
 * Every file iobench writes goes through here: directories opened without
 * following planted links, files written whole or not at all (a temporary
 * file, fsync, rename), and the checks that keep outputs out of places
 * they must not go (a --source tree, a filesystem that takes no files).
 *
 * Invariants:
 *  - A name iobench adds under a directory (a run id, plots/, baselines/,
 *    a file) is never followed if it is a symlink: directories are opened
 *    with O_NOFOLLOW one component at a time, files are created under a
 *    temporary name and renamed over the final one, which replaces a link
 *    instead of writing through it.
 *  - A path the user typed (--out, --dir) is resolved as the kernel does,
 *    symlinks included: it is theirs to point anywhere but into --source.
 *  - A reader never sees a cut-off file: it sees the old content or the
 *    new one. A failed write leaves no temporary file behind (O_TMPFILE
 *    where the filesystem has it; else a named one, removed on failure).
 *
 * Every function returns 0 (or an fd) or -errno.
 */
#ifndef IOBENCH_OUTFILE_H
#define IOBENCH_OUTFILE_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- directories ---- */

enum {
	OUTFILE_CREATE = 1 << 0,	/* create missing directories, 0755 */
	OUTFILE_NOFOLLOW = 1 << 1,	/* no component may be a symlink */
};

/*
 * Opens the directory `path` under `at` (AT_FDCWD: the current directory,
 * or / for an absolute path), one component at a time, creating missing
 * ones with OUTFILE_CREATE (as mkdir -p does). With OUTFILE_NOFOLLOW a
 * symlink anywhere in `path` is -ELOOP: use it for names iobench chose.
 * Returns an O_RDONLY | O_DIRECTORY | O_CLOEXEC fd you own, or -errno
 * (-ENOENT without OUTFILE_CREATE, -ENOTDIR, -ELOOP, -EINVAL for "").
 */
int outfile_dir_open(int at, const char *path, unsigned flags);

/* ---- files written whole ---- */

/*
 * Writes `len` bytes as `name` (one component, no '/') in dirfd: a
 * temporary file, fsync, rename over `name`, fsync of the directory.
 * A symlink at `name` is replaced, never followed. Mode 0644 & ~umask.
 */
int outfile_write_at(int dirfd, const char *name, const void *data,
		     size_t len);

/*
 * outfile_write_at() for a path: its directory is opened with the last
 * component not followed (a run directory, plots/, baselines/ swapped for
 * a symlink is -ELOOP); the components above it are the caller's.
 */
int outfile_write_path(const char *path, const void *data, size_t len);

/* outfile_write_at() for a file the user named (flame --out,
 * --export-json): its directory is resolved as the kernel does, links
 * included; the file itself is replaced, never written through. */
int outfile_write_user(const char *path, const void *data, size_t len);
/* Whether a file the user named may be written (0): absent, a regular
 * file, a link to one or to nothing. Every outfile write refuses to
 * replace anything else: -EEXIST for a device (/dev/null), FIFO, socket,
 * a link to one or into /proc (/dev/stdout), -EISDIR for a directory,
 * -EINVAL for "". For checks before any work is done. */
int outfile_check_user(const char *path);

/*
 * A file written as a stream (gnuplot data, scripts): outfile_open(), then
 * fprintf(of.f, ...), then outfile_commit() (publishes it, reporting the
 * first write error, e.g. -ENOSPC) or outfile_discard(). Either one frees
 * everything; of.f is NULL afterwards.
 */
struct outfile {
	FILE *f;
	int fd;
	int dirfd;			/* borrowed */
	int err;			/* first write error, -errno */
	bool named;			/* a named temporary (no O_TMPFILE) */
	char tmp[64];			/* its name, when named */
	char name[256];
};

int outfile_open(struct outfile *of, int dirfd, const char *name);
int outfile_commit(struct outfile *of);
void outfile_discard(struct outfile *of);

/*
 * Publishes a file another program wrote (gnuplot's SVG) in a private
 * directory: it must be a regular file, not a link; it is fsynced and
 * renamed to `name` in dirfd (the same filesystem). `complete`, when not
 * NULL, is what its last bytes must be, trailing white space aside
 * ("</svg>"): a file cut short (a full disk) is -EIO and stays where it
 * was.
 */
int outfile_adopt(int from_dirfd, const char *from, int dirfd,
		  const char *name, const char *complete);

/* Points the symlink `name` in dirfd at `target`, replacing whatever is
 * there atomically (a temporary link renamed over it). */
int outfile_symlink(int dirfd, const char *name, const char *target);

/*
 * A private directory inside dirfd for a program's output (.NAME-XXXXXX,
 * mode 0700): its fd, with its name in `out` (len bytes). Remove it with
 * outfile_remove_tree().
 */
int outfile_private_dir(int dirfd, const char *prefix, char *out,
			size_t len);

/*
 * Removes `name` in dirfd and everything below it, never following a
 * symlink and never crossing into another filesystem. Adds the bytes it
 * freed to *freed when freed is not NULL.
 */
int outfile_remove_tree(int dirfd, const char *name,
			unsigned long long *freed);

/* ---- checks made before any work ---- */

/*
 * Whether files can be created where `path` is or would be (its deepest
 * existing directory), probed with an unnamed temporary file; nothing is
 * left behind. -EINVAL for "", -ENAMETOOLONG when path leaves less than
 * `room` bytes of PATH_MAX for the names iobench adds below it, -ENOTDIR,
 * or the probe's errno (-EACCES, -EROFS, -ENOENT for /proc ...).
 */
int outfile_check_dest(const char *path, size_t room);

/*
 * The directories of a tree no output may be written in (a --source
 * tree), by device and inode: a bind mount, a symlink or `..` leads to
 * the same ones. The root is resolved as the user named it.
 */
struct outfile_guard;

struct outfile_guard *outfile_guard_new(const char *root, int *err);
void outfile_guard_free(struct outfile_guard *g);
/*
 * 1 when `path` (existing or not) would resolve inside the guarded tree:
 * its deepest existing directory, or any directory above that, is one of
 * the tree's. 0 when not, -errno when it cannot be told.
 */
int outfile_guard_check(const struct outfile_guard *g, const char *path);

#endif
