// SPDX-License-Identifier: MIT
/*
 * A --source tree copied file by file: directories made on demand, the
 * source opened below the tree's root, optional pre-sizing and cp -a's
 * attributes (tree_copy.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strategies.h"
#include "tree_copy.h"

/* Deeper than this is not a tree a benchmark removes by recursion. */
#define REMOVE_DEPTH_MAX 256

/* mkdir -p of path's first n bytes, not below keep bytes: one mkdir
 * when the parent exists (the common case), EEXIST is success since
 * other threads make directories too. */
static int make_dirs(char *path, size_t n, size_t keep)
{
	char saved = path[n];
	char *slash;
	int ret = 0;

	path[n] = '\0';
	if (!mkdir(path, 0755) || errno == EEXIST)
		goto out;
	ret = -errno;
	slash = strrchr(path, '/');
	if (ret != -ENOENT || !slash || (size_t)(slash - path) <= keep)
		goto out;
	ret = make_dirs(path, (size_t)(slash - path), keep);
	if (!ret && mkdir(path, 0755) && errno != EEXIST)
		ret = -errno;
out:
	path[n] = saved;
	return ret;
}

static int make_parent(const struct tree_copy_job *job, const char *dst,
		       struct tree_copy_dirs *dirs, char *why, size_t len)
{
	const char *slash = strrchr(dst, '/');
	size_t n = slash ? (size_t)(slash - dst) : 0;
	char path[sizeof(dirs->last)];
	int ret;

	if (n <= job->base_len)
		return 0;
	if (n >= sizeof(path))
		return strategy_why(why, len, -ENAMETOOLONG, "%s: %s", dst,
				    strerror(ENAMETOOLONG));
	if (!strncmp(dirs->last, dst, n) && dirs->last[n] == '\0')
		return 0;
	memcpy(path, dst, n);
	path[n] = '\0';
	ret = make_dirs(path, n, job->base_len);
	if (ret)
		return strategy_why(why, len, ret, "making directory %s: %s",
				    path, strerror(-ret));
	memcpy(dirs->last, path, n + 1);
	return 0;
}

static int open_source(const struct source_tree *t, unsigned i, int oflags,
		       char *why, size_t len)
{
	int fd = source_tree_open(t, i, oflags);

	if (fd == -EINVAL)
		return strategy_why(why, len, fd, "opening %s: no longer a "
				    "regular file", t->files[i].path);
	if (fd == -ELOOP)
		return strategy_why(why, len, fd, "opening %s: a symlink on "
				    "its path (never followed)",
				    t->files[i].path);
	if (fd < 0)
		return strategy_why(why, len, fd, "opening %s: %s",
				    t->files[i].path, strerror(-fd));
	return fd;
}

int tree_copy_presize(const char *dst, enum prealloc_mode mode,
		      uint64_t size, char *why, size_t len)
{
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		      O_NOFOLLOW, 0644);
	int ret = 0;

	if (fd < 0)
		return strategy_why(why, len, -errno, "creating the "
				    "destination: %s", strerror(errno));
	if (size && mode == PREALLOC_TRUNCATE && ftruncate(fd, (off_t)size))
		ret = strategy_why(why, len, -errno, "pre-sizing (truncate): "
				   "%s", strerror(errno));
	if (size && mode == PREALLOC_FALLOCATE &&
	    fallocate(fd, 0, 0, (off_t)size))
		ret = strategy_why(why, len, -errno, "pre-sizing (fallocate): "
				   "%s", strerror(errno));
	if (close(fd) && !ret)
		ret = strategy_why(why, len, -errno, "close: %s",
				   strerror(errno));
	return ret;
}

/* cp -a's attributes: the owner first (chown clears set-id bits), where
 * permitted (a user cannot give a file away: cp -a then keeps going), then
 * the mode, then the times (last: nothing after them changes them). */
static int preserve_attributes(const struct stat *st, const char *dst,
			       char *why, size_t len)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (fchownat(AT_FDCWD, dst, st->st_uid, st->st_gid,
		     AT_SYMLINK_NOFOLLOW) && errno != EPERM)
		return strategy_why(why, len, -errno, "preserving the owner: "
				    "%s", strerror(errno));
	if (fchmodat(AT_FDCWD, dst, st->st_mode & 07777, 0))
		return strategy_why(why, len, -errno, "preserving the mode: "
				    "%s", strerror(errno));
	if (utimensat(AT_FDCWD, dst, ts, AT_SYMLINK_NOFOLLOW))
		return strategy_why(why, len, -errno, "preserving the times: "
				    "%s", strerror(errno));
	return 0;
}

int tree_copy_file(const struct copy_unit *u, const struct tree_copy_job *job,
		   unsigned i, const char *dst, struct tree_copy_dirs *dirs,
		   double *sync_seconds, char *why, size_t len)
{
	uint64_t size = job->tree->files[i].size;
	struct copy_range range = { 0, 0, size };
	enum copy_unit_dst mode = COPY_UNIT_CREATE;
	struct stat st;
	int sfd, ret;

	ret = make_parent(job, dst, dirs, why, len);
	if (ret)
		return ret;
	sfd = open_source(job->tree, i, u->oflags, why, len);
	if (sfd < 0)
		return sfd;
	if (job->preserve && fstat(sfd, &st)) {
		ret = strategy_why(why, len, -errno, "stat %s: %s",
				   job->tree->files[i].path, strerror(errno));
		close(sfd);
		return ret;
	}
	if (job->prealloc != PREALLOC_NONE && size) {
		ret = tree_copy_presize(dst, job->prealloc, size, why, len);
		if (ret) {
			close(sfd);
			return ret;
		}
		mode = COPY_UNIT_EXISTING;
	}
	ret = copy_unit_fd(u, sfd, dst, mode, &range, sync_seconds, why, len);
	if (!ret && job->preserve)
		ret = preserve_attributes(&st, dst, why, len);
	return ret;
}

static const struct source_tree *sort_tree;

static int larger_first(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	uint64_t sx = sort_tree->files[x].size, sy = sort_tree->files[y].size;

	if (sx != sy)
		return sx < sy ? 1 : -1;
	return x < y ? -1 : x > y;
}

unsigned *tree_copy_largest_first(const struct source_tree *t)
{
	unsigned *order = malloc((t->n_files ? t->n_files : 1) *
				 sizeof(*order));

	if (!order)
		return NULL;
	for (size_t i = 0; i < t->n_files; i++)
		order[i] = (unsigned)i;
	/* qsort has no context argument in C11: the planner is single-
	 * threaded, so a file-scope pointer is enough */
	sort_tree = t;
	qsort(order, t->n_files, sizeof(*order), larger_first);
	sort_tree = NULL;
	return order;
}

/* keep: empty every regular file (truncate to 0 bytes) and remove
 * nothing; else remove everything. */
static void remove_below(int parent, const char *name, dev_t dev, int depth,
			 bool keep)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW))
		return;
	if (!S_ISDIR(st.st_mode)) {
		if (!keep) {
			unlinkat(parent, name, 0);
		} else if (S_ISREG(st.st_mode) && st.st_size) {
			fd = openat(parent, name, O_WRONLY | O_CLOEXEC |
				    O_NOFOLLOW | O_NONBLOCK);
			if (fd >= 0) {
				(void)ftruncate(fd, 0);
				close(fd);
			}
		}
		return;
	}
	/* a mount point (another filesystem) is never entered */
	if (st.st_dev != dev || depth > REMOVE_DEPTH_MAX)
		return;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		    O_NOFOLLOW);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			remove_below(dirfd(d), de->d_name, dev, depth + 1,
				     keep);
	closedir(d);
	if (!keep)
		unlinkat(parent, name, AT_REMOVEDIR);
}

void tree_copy_remove(int parent, const char *name)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW))
		return;
	remove_below(parent, name, st.st_dev, 0, false);
}

void tree_copy_empty(int parent, const char *name)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW))
		return;
	remove_below(parent, name, st.st_dev, 0, true);
}
