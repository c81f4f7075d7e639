// SPDX-License-Identifier: MIT
/*
 * The path checks run before any work (see outfile.h): a destination
 * directory can take files (probed, nothing left), and the guard that
 * keeps every write out of a source tree.
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

#include "outfile.h"
#include "outfile_internal.h"

int outfile_check_dest(const char *path, size_t room)
{
	size_t missing;
	int at, fd, ret = 0;

	if (!*path)
		return -EINVAL;
	if (strlen(path) + room >= PATH_MAX)
		return -ENAMETOOLONG;
	at = outfile_walk(AT_FDCWD, path, 0, &missing);
	if (at < 0)
		return at;
	/* an unnamed file where the filesystem has them, else a named one
	 * removed at once: the probe leaves nothing */
	fd = openat(at, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR ||
		       errno == EINVAL)) {
		char probe[64];

		snprintf(probe, sizeof(probe), ".iobench-probe-%08x",
			 outfile_random_u32());
		fd = openat(at, probe, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			unlinkat(at, probe, 0);
	}
	if (fd < 0)
		ret = -errno;
	else
		close(fd);
	close(at);
	return ret;
}

struct dev_ino {
	dev_t dev;
	ino_t ino;
};

struct outfile_guard {
	struct dev_ino *dirs;
	size_t n;
};

static int cmp_dev_ino(const void *a, const void *b)
{
	const struct dev_ino *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int guard_add(struct outfile_guard *g, size_t *cap,
		     const struct stat *st)
{
	if (g->n == *cap) {
		size_t want = *cap ? 2 * *cap : 64;
		struct dev_ino *p = realloc(g->dirs, want * sizeof(*p));

		if (!p)
			return -ENOMEM;
		g->dirs = p;
		*cap = want;
	}
	g->dirs[g->n++] = (struct dev_ino){ st->st_dev, st->st_ino };
	return 0;
}

struct outfile_guard *outfile_guard_new(const char *root, int *err)
{
	/* the root as the user named it; below it no link is followed */
	char *argv[] = { (char *)root, NULL };
	struct outfile_guard *g = calloc(1, sizeof(*g));
	size_t cap = 0;
	FTSENT *e;
	FTS *fts;
	int ret = 0;

	if (!g) {
		*err = -ENOMEM;
		return NULL;
	}
	fts = fts_open(argv, FTS_PHYSICAL | FTS_COMFOLLOW | FTS_NOCHDIR,
		       NULL);
	if (!fts) {
		ret = -errno;
		goto out_free;
	}
	while (!ret && (e = fts_read(fts))) {
		/* an unreadable directory still counts: nothing goes in it */
		if (e->fts_info == FTS_D || e->fts_info == FTS_DNR)
			ret = guard_add(g, &cap, e->fts_statp);
	}
	fts_close(fts);
	if (!ret && !g->n)
		ret = -ENOTDIR;
	if (ret)
		goto out_free;
	qsort(g->dirs, g->n, sizeof(*g->dirs), cmp_dev_ino);
	return g;
out_free:
	outfile_guard_free(g);
	*err = ret;
	return NULL;
}

void outfile_guard_free(struct outfile_guard *g)
{
	if (!g)
		return;
	free(g->dirs);
	free(g);
}

int outfile_guard_check(const struct outfile_guard *g, const char *path)
{
	size_t missing;
	int fd = outfile_walk(AT_FDCWD, path, 0, &missing), ret = 0;

	if (fd < 0)
		return fd;
	/* up through `..` as the kernel resolves it (across mounts) to /:
	 * a bind mount of a directory of the tree is one of its inodes */
	for (int depth = 0; depth < 4096; depth++) {
		struct stat st, up;
		struct dev_ino key;
		int parent;

		if (fstat(fd, &st)) {
			ret = -errno;
			break;
		}
		key = (struct dev_ino){ st.st_dev, st.st_ino };
		if (bsearch(&key, g->dirs, g->n, sizeof(key), cmp_dev_ino)) {
			ret = 1;
			break;
		}
		parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0) {
			ret = -errno;
			break;
		}
		if (fstat(parent, &up) ||
		    (up.st_dev == st.st_dev && up.st_ino == st.st_ino)) {
			close(parent);
			break;		/* the root */
		}
		close(fd);
		fd = parent;
	}
	close(fd);
	return ret;
}
