// SPDX-License-Identifier: MIT
/*
 * --source DIR: walks a user's tree once without following symlinks,
 * records and hashes its regular files read-only, and checks afterwards
 * that the run left every one of them as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset.h"
#include "source_tree.h"
#include "strategies.h"

void source_tree_free(struct source_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_files; i++)
		free(t->files[i].path);
	free(t->files);
	free(t->root);
	free(t);
}

/*
 * Opens a source read-only: O_NOFOLLOW so a file swapped for a symlink is
 * refused rather than followed out of the tree; O_NOATIME so reading it
 * leaves no trace, retried without it where the kernel says EPERM (only
 * the owner or CAP_FOWNER may ask). *noatime says which one worked.
 */
static int open_source(const char *path, int extra, int *noatime)
{
	int base = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | extra;
	int fd = open(path, base | O_NOATIME);

	if (fd >= 0) {
		*noatime = O_NOATIME;
		return fd;
	}
	if (errno != EPERM)
		return -errno;
	*noatime = 0;
	fd = open(path, base);
	return fd < 0 ? -errno : fd;
}

int source_tree_open(const struct source_tree *t, size_t i, int extra)
{
	int fd = open(t->files[i].path,
		      O_RDONLY | O_CLOEXEC | O_NOFOLLOW | t->files[i].oflags |
		      extra);

	return fd < 0 ? -errno : fd;
}

static void record_stat(struct source_file *f, const struct stat *st)
{
	f->size = (uint64_t)st->st_size;
	f->ino = st->st_ino;
	f->dev = st->st_dev;
	f->mtime = st->st_mtim;
	f->ctime = st->st_ctim;
	f->atime = st->st_atim;
}

/* Hashes one file through its own descriptor and stats it on that same
 * descriptor, so the figures describe the file really read. */
static int snapshot_file(struct source_file *f, char *err, size_t len)
{
	struct stat st;
	int fd, ret = 0;

	fd = open_source(f->path, 0, &f->oflags);
	if (fd < 0)
		return strategy_why(err, len, fd, "%s: %s", f->path,
				    strerror(-fd));
	if (fstat(fd, &st)) {
		ret = strategy_why(err, len, -errno, "%s: %s", f->path,
				   strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = strategy_why(err, len, -EINVAL, "%s: no longer a "
				   "regular file", f->path);
		goto out_close;
	}
	record_stat(f, &st);
	ret = dataset_hash_fd(fd, f->size, &f->hash);
	if (ret)
		strategy_why(err, len, ret, "%s: reading: %s", f->path,
			     strerror(-ret));
out_close:
	close(fd);
	return ret;
}

static int add_file(struct source_tree *t, size_t *cap, const char *path)
{
	if (t->n_files == *cap) {
		size_t want = *cap ? 2 * *cap : 64;
		struct source_file *p = realloc(t->files,
						want * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->files = p;
		*cap = want;
	}
	memset(&t->files[t->n_files], 0, sizeof(t->files[0]));
	t->files[t->n_files].path = strdup(path);
	if (!t->files[t->n_files].path)
		return -ENOMEM;
	t->n_files++;
	return 0;
}

/*
 * The walk itself. fts rather than nftw: no global state for the
 * callback, and FTS_PHYSICAL reports a symlink as one (never followed);
 * FTS_XDEV is not set, so mounts inside the tree are part of it.
 */
static int walk(struct source_tree *t, char *err, size_t len)
{
	char *argv[] = { t->root, NULL };
	size_t cap = 0;
	FTSENT *e;
	FTS *fts;
	int ret = 0;

	fts = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!fts)
		return strategy_why(err, len, -errno, "%s: %s", t->root,
				    strerror(errno));
	while (!ret) {
		/* fts_read() says "end" and "error" both with NULL */
		errno = 0;
		e = fts_read(fts);
		if (!e) {
			if (errno)
				ret = strategy_why(err, len, -errno, "%s: %s",
						   t->root, strerror(errno));
			break;
		}
		switch (e->fts_info) {
		case FTS_D:
		case FTS_DP:
			break;
		case FTS_F:
			ret = add_file(t, &cap, e->fts_path);
			if (ret)
				strategy_why(err, len, ret, "%s",
					     strerror(-ret));
			break;
		case FTS_DNR:
		case FTS_ERR:
		case FTS_NS:
			ret = strategy_why(err, len, -e->fts_errno, "%s: %s",
					   e->fts_path,
					   strerror(e->fts_errno));
			break;
		default:
			/* symlinks, FIFOs, sockets, devices, cycles */
			t->n_skipped++;
			break;
		}
	}
	fts_close(fts);
	return ret;
}

struct source_tree *source_tree_scan(const char *dir, char *err, size_t len)
{
	struct source_tree *t = calloc(1, sizeof(*t));
	struct stat st;
	int ret;

	if (!t) {
		strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	if (stat(dir, &st)) {
		strategy_why(err, len, -errno, "%s: %s", dir, strerror(errno));
		goto out_free;
	}
	if (!S_ISDIR(st.st_mode)) {
		strategy_why(err, len, -ENOTDIR, "%s: not a directory", dir);
		goto out_free;
	}
	/* the root may be reached through symlinks (the user named it);
	 * below it none is followed */
	t->root = realpath(dir, NULL);
	if (!t->root) {
		strategy_why(err, len, -errno, "%s: %s", dir, strerror(errno));
		goto out_free;
	}
	if (walk(t, err, len))
		goto out_free;
	if (!t->n_files) {
		strategy_why(err, len, -ENOENT, "%s: no regular file in the "
			     "tree (%zu other entr%s skipped)", dir,
			     t->n_skipped, t->n_skipped == 1 ? "y" : "ies");
		goto out_free;
	}
	for (size_t i = 0; i < t->n_files; i++) {
		ret = snapshot_file(&t->files[i], err, len);
		if (ret)
			goto out_free;
		t->total_bytes += t->files[i].size;
	}
	return t;
out_free:
	source_tree_free(t);
	return NULL;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* What differs between the recorded file and now, or NULL. */
static const char *difference(const struct source_file *was,
			      const struct source_file *now)
{
	if (was->ino != now->ino || was->dev != now->dev)
		return "replaced (another inode)";
	if (was->size != now->size)
		return "size changed";
	if (!same_time(&was->mtime, &now->mtime))
		return "modification time changed";
	if (!same_time(&was->ctime, &now->ctime))
		return "status change time changed";
	if (was->hash != now->hash)
		return "content changed";
	return NULL;
}

int source_tree_check(const struct source_tree *t, char *why, size_t len)
{
	size_t changed = 0;
	char first[PATH_MAX + 64] = "";

	for (size_t i = 0; i < t->n_files; i++) {
		const struct source_file *was = &t->files[i];
		struct source_file now = { .path = was->path };
		char err[PATH_MAX + 64];
		const char *what;

		if (snapshot_file(&now, err, sizeof(err))) {
			what = err;
		} else {
			what = difference(was, &now);
			if (!what)
				continue;
		}
		if (!changed++)
			snprintf(first, sizeof(first), "%s: %s", was->path,
				 what);
	}
	if (!changed)
		return 0;
	snprintf(why, len, "%zu of %zu file%s changed during the run; first: "
		 "%s", changed, t->n_files, t->n_files == 1 ? "" : "s", first);
	return 1;
}
