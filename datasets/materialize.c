// SPDX-License-Identifier: MIT
/*
 * Writes a dataset spec into a directory: mkdirat/openat relative to it,
 * never through a symlink, files created O_EXCL, content generated at
 * memory speed and written with pwrite; sparse files get real holes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "strategies.h"

#define CHUNK (1u << 20)

struct writer {
	const struct dataset_spec *s;
	int root;			/* the target directory */
	int cur;			/* the directory of the last file */
	char cur_path[PATH_MAX];	/* its path relative to root */
	unsigned char *buf;
	char *why;
	size_t len;
};

bool dataset_path_safe(const char *p)
{
	if (!*p || *p == '/' || strlen(p) >= PATH_MAX)
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (!n || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/' && !*++p)
			return false;	/* a trailing slash */
	}
	return true;
}

static int dir_is_empty(int fd)
{
	int dup_fd = dup(fd);
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (dup_fd < 0)
		return -errno;
	d = fdopendir(dup_fd);
	if (!d) {
		ret = -errno;
		close(dup_fd);
		return ret;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ret = -ENOTEMPTY;
	closedir(d);
	return ret;
}

/* Makes w->cur the directory `dir` (relative, "" = the root), creating
 * what is missing, one O_NOFOLLOW step at a time from the root. */
static int enter_dir(struct writer *w, const char *dir, size_t n)
{
	char part[PATH_MAX];
	size_t at = 0;
	int fd = w->root;

	if (w->cur != w->root && strlen(w->cur_path) == n &&
	    !memcmp(w->cur_path, dir, n))
		return 0;
	if (w->cur != w->root)
		close(w->cur);
	w->cur = w->root;
	w->cur_path[0] = '\0';
	while (at < n) {
		size_t k = strcspn(dir + at, "/");
		int next;

		k = at + k > n ? n - at : k;
		memcpy(part, dir + at, k);
		part[k] = '\0';
		if (mkdirat(fd, part, 0755) && errno != EEXIST)
			goto fail;
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		if (next < 0)
			goto fail;
		if (fd != w->root)
			close(fd);
		fd = next;
		at += k + 1;
	}
	w->cur = fd;
	memcpy(w->cur_path, dir, n);
	w->cur_path[n] = '\0';
	return 0;
fail:
	at = (size_t)errno;
	if (fd != w->root)
		close(fd);
	return strategy_why(w->why, w->len, -(int)at, "creating directory "
			    "%.*s: %s", (int)n, dir, strerror((int)at));
}

/* Generates and writes bytes [from, to) of file i. */
static int write_range(struct writer *w, size_t i, int fd, uint64_t from,
		       uint64_t to)
{
	while (from < to) {
		size_t n = to - from < CHUNK ? to - from : CHUNK;
		int ret;

		dataset_file_generate(w->s, i, w->buf, from, n);
		ret = strategy_pwrite_all(fd, w->buf, n, from);
		if (ret)
			return ret;
		from += n;
	}
	return 0;
}

static int write_file(struct writer *w, size_t i)
{
	const struct dataset_file *f = &w->s->files[i];
	const char *slash = strrchr(f->path, '/');
	size_t dn = slash ? (size_t)(slash - f->path) : 0;
	int fd, ret;

	if (!dataset_path_safe(f->path))
		return strategy_why(w->why, w->len, -EINVAL, "'%s': not a "
				    "relative path inside the tree", f->path);
	ret = enter_dir(w, f->path, dn);
	if (ret)
		return ret;
	fd = openat(w->cur, slash ? slash + 1 : f->path,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return strategy_why(w->why, w->len, -errno, "creating %s: %s",
				    f->path, strerror(errno));
	if (f->content == CONTENT_SPARSE) {
		/* holes are never written: size the file, then the data */
		ret = ftruncate(fd, (off_t)f->size) ? -errno : 0;
		for (size_t e = 0; !ret && e < f->n_extents; e++)
			ret = write_range(w, i, fd, f->extents[e].offset,
					  f->extents[e].offset +
					  f->extents[e].length);
	} else {
		ret = write_range(w, i, fd, 0, f->size);
	}
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		strategy_why(w->why, w->len, ret, "writing %s: %s", f->path,
			     strerror(-ret));
	return ret;
}

int dataset_materialize(const struct dataset_spec *s, const char *dir,
			bool (*stop)(void *ctx), void *ctx, char *why,
			size_t len)
{
	struct writer w = { .s = s, .why = why, .len = len };
	int ret;

	w.root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.root < 0)
		return strategy_why(why, len, -errno, "%s: %s", dir,
				    strerror(errno));
	w.cur = w.root;
	ret = dir_is_empty(w.root);
	if (ret) {
		strategy_why(why, len, ret, "%s: %s", dir, strerror(-ret));
		goto out_close;
	}
	if (posix_memalign((void **)&w.buf, 4096, CHUNK)) {
		ret = strategy_why(why, len, -ENOMEM, "%s", strerror(ENOMEM));
		goto out_close;
	}
	for (size_t i = 0; !ret && i < s->n_files; i++) {
		if (stop && stop(ctx))
			ret = strategy_why(why, len, -EINTR, "interrupted");
		else
			ret = write_file(&w, i);
	}
	free(w.buf);
out_close:
	if (w.cur != w.root)
		close(w.cur);
	close(w.root);
	return ret;
}
