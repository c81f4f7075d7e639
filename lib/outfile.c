// SPDX-License-Identifier: MIT
/*
 * Safe outputs (see outfile.h): openat walks with O_NOFOLLOW, O_TMPFILE
 * or O_EXCL temporaries published by rename (the path checks run before
 * any work: outfile_check.c). Hand-written: no packaged library does
 * these with directory fds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"
#include "outfile_internal.h"

/* ---- directories ---- */

/* Whether `name` in dirfd is a symlink (for a clear -ELOOP). */
static bool is_link(int dirfd, const char *name)
{
	struct stat st;

	return !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) &&
	       S_ISLNK(st.st_mode);
}

/* Copies the component at *p into comp and moves *p past it; false at
 * the end. -ENAMETOOLONG in *err for a component over NAME_MAX. */
static bool next_component(const char **p, char *comp, int *err)
{
	const char *s = *p, *e;

	while (*s == '/')
		s++;
	if (!*s)
		return false;
	e = strchrnul(s, '/');
	if (e - s > NAME_MAX) {
		*err = -ENAMETOOLONG;
		return false;
	}
	memcpy(comp, s, e - s);
	comp[e - s] = '\0';
	*p = e;
	return true;
}

/*
 * The walk behind outfile_dir_open() and the checks: opens each component
 * of path under at (O_PATH), creating it with OUTFILE_CREATE. With
 * `missing` not NULL nothing is created: the walk stops at the first
 * component that does not exist and returns the deepest existing
 * directory, counting in *missing the levels still to create (`..` after
 * a missing level removes one, as mkdir -p would go back up).
 */
int outfile_walk(int at, const char *path, unsigned flags, size_t *missing)
{
	bool nofollow = flags & OUTFILE_NOFOLLOW;
	char comp[NAME_MAX + 1];
	const char *p = path;
	size_t pending = 0;
	int cur, next, err = 0;

	if (!*path)
		return -EINVAL;
	if (*path == '/' || at == AT_FDCWD)
		cur = open(*path == '/' ? "/" : ".",
			   O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		cur = openat(at, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -errno;
	while (next_component(&p, comp, &err)) {
		if (!strcmp(comp, "."))
			continue;
		if (nofollow && !strcmp(comp, "..")) {
			err = -EINVAL;
			break;
		}
		if (pending) {
			/* a level still to create, or one going back up */
			if (strcmp(comp, ".."))
				pending++;
			else
				pending--;
			continue;
		}
		next = openat(cur, comp, O_PATH | O_DIRECTORY | O_CLOEXEC |
			      (nofollow ? O_NOFOLLOW : 0));
		if (next < 0 && errno == ENOENT && missing) {
			pending = 1;
			continue;
		}
		if (next < 0 && errno == ENOENT && (flags & OUTFILE_CREATE)) {
			if (mkdirat(cur, comp, 0755) && errno != EEXIST) {
				err = -errno;
				break;
			}
			next = openat(cur, comp, O_PATH | O_DIRECTORY |
				      O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
		}
		if (next < 0) {
			err = errno == ENOTDIR && nofollow && is_link(cur, comp)
			      ? -ELOOP : -errno;
			break;
		}
		close(cur);
		cur = next;
	}
	if (err) {
		close(cur);
		return err;
	}
	if (missing)
		*missing = pending;
	return cur;
}

int outfile_dir_open(int at, const char *path, unsigned flags)
{
	int pfd = outfile_walk(at, path, flags, NULL), fd;

	if (pfd < 0)
		return pfd;
	/* O_PATH cannot be fsynced or read: reopen the directory itself */
	fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	close(pfd);
	return fd;
}

/* ---- temporary files ---- */

uint32_t outfile_random_u32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)getpid() * 2654435761u ^ (uint32_t)clock();
	return r;
}

/* A fresh hidden name for `name` in dirfd: ".NAME.tmp.XXXXXXXX". */
static void tmp_name(const char *name, char *out, size_t len)
{
	snprintf(out, len, ".%.40s.tmp.%08x", name, outfile_random_u32());
}

static bool one_component(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..") && strlen(name) <= NAME_MAX;
}

/* The temporary file: unnamed (O_TMPFILE) where the filesystem has it,
 * so nothing is left if we die; else a named one made with O_EXCL. */
static int tmp_open(struct outfile *of)
{
	int fd = openat(of->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
			0644);

	of->named = false;
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	for (int i = 0; i < 100; i++) {
		tmp_name(of->name, of->tmp, sizeof(of->tmp));
		fd = openat(of->dirfd, of->tmp, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0) {
			of->named = true;
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Gives an O_TMPFILE file a temporary name (of->tmp). */
static int link_unnamed(struct outfile *of)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", of->fd);
	for (int i = 0; i < 100; i++) {
		tmp_name(of->name, of->tmp, sizeof(of->tmp));
		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not */
		if (!linkat(of->fd, "", of->dirfd, of->tmp, AT_EMPTY_PATH) ||
		    (errno != EEXIST &&
		     !linkat(AT_FDCWD, proc, of->dirfd, of->tmp,
			     AT_SYMLINK_FOLLOW))) {
			of->named = true;
			return 0;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static int fsync_dir(int dirfd)
{
	/* some filesystems cannot sync a directory: not an error */
	if (fsync(dirfd) && errno != EINVAL && errno != EROFS)
		return -errno;
	return 0;
}

/* fsync, name, rename over of->name, fsync the directory. */
/* 0 when name in dirfd is absent, a regular file, or a symlink to a
 * regular file or to nothing (a planted link is replaced, its target
 * untouched); -EEXIST for a device (/dev/null), FIFO or socket, or a
 * link to one or into /proc (/dev/stdout: the kernel's name of an open
 * file); -EISDIR for a directory. Renaming over those would swap a
 * special file for a regular one, so they are never replaced. */
static int replaceable(int dirfd, const char *name)
{
	char target[16];
	struct stat st;
	ssize_t n;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(dirfd, name, target, sizeof(target));
		if (n >= 6 && !memcmp(target, "/proc/", 6))
			return -EEXIST;
		if (fstatat(dirfd, name, &st, 0))
			return 0; /* dangling */
	}
	if (S_ISREG(st.st_mode))
		return 0;
	return S_ISDIR(st.st_mode) ? -EISDIR : -EEXIST;
}

static int publish(struct outfile *of)
{
	int ret;

	if (fsync(of->fd))
		return -errno;
	/* checked again: the name may have changed since begin() */
	ret = replaceable(of->dirfd, of->name);
	if (ret)
		return ret;
	if (!of->named) {
		ret = link_unnamed(of);
		if (ret)
			return ret;
	}
	if (renameat(of->dirfd, of->tmp, of->dirfd, of->name))
		return -errno;
	of->named = false;	/* the temporary name is gone */
	return fsync_dir(of->dirfd);
}

static void tmp_close(struct outfile *of)
{
	if (of->fd >= 0)
		close(of->fd);
	of->fd = -1;
	if (of->named)
		unlinkat(of->dirfd, of->tmp, 0);
	of->named = false;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

static int begin(struct outfile *of, int dirfd, const char *name)
{
	int ret;

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	of->dirfd = dirfd;
	if (!one_component(name))
		return -EINVAL;
	ret = replaceable(dirfd, name);
	if (ret)
		return ret;
	snprintf(of->name, sizeof(of->name), "%s", name);
	of->fd = tmp_open(of);
	return of->fd < 0 ? of->fd : 0;
}

int outfile_write_at(int dirfd, const char *name, const void *data,
		     size_t len)
{
	struct outfile of;
	int ret = begin(&of, dirfd, name);

	if (!ret)
		ret = write_all(of.fd, data, len);
	if (!ret)
		ret = publish(&of);
	tmp_close(&of);
	return ret;
}

/* Opens path's directory (the last component not followed when
 * nofollow) and points *name at its file name. An fd or -errno. */
static int open_parent(const char *path, bool nofollow, const char **name)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int dfd;

	*name = slash ? slash + 1 : path;
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return -ENAMETOOLONG;
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		   (nofollow ? O_NOFOLLOW : 0));
	if (dfd < 0)
		return errno == ENOTDIR && nofollow && is_link(AT_FDCWD, dir) ?
		       -ELOOP : -errno;
	return dfd;
}

static int write_in_parent(const char *path, bool nofollow,
			   const void *data, size_t len)
{
	const char *name;
	int dfd = open_parent(path, nofollow, &name), ret;

	if (dfd < 0)
		return dfd;
	ret = outfile_write_at(dfd, name, data, len);
	close(dfd);
	return ret;
}

int outfile_write_path(const char *path, const void *data, size_t len)
{
	/* the directory's last name is iobench's: never followed */
	return write_in_parent(path, true, data, len);
}

int outfile_write_user(const char *path, const void *data, size_t len)
{
	return write_in_parent(path, false, data, len);
}

int outfile_check_user(const char *path)
{
	const char *name;
	int dfd, ret;

	if (!*path)
		return -EINVAL;
	dfd = open_parent(path, false, &name);
	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd; /* said when it is written */
	ret = *name ? replaceable(dfd, name) : -EISDIR;
	close(dfd);
	return ret;
}

/* ---- streams ---- */

/* The stream's writes, remembering the first error's errno. */
static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
	struct outfile *of = cookie;
	int ret;

	if (of->err)
		return 0;
	ret = write_all(of->fd, buf, size);
	if (ret) {
		of->err = ret;
		errno = -ret;
		return 0;	/* fopencookie: 0 is an error */
	}
	return (ssize_t)size;
}

int outfile_open(struct outfile *of, int dirfd, const char *name)
{
	static const cookie_io_functions_t io = { .write = cookie_write };
	int ret = begin(of, dirfd, name);

	if (ret)
		return ret;
	of->f = fopencookie(of, "w", io);
	if (!of->f) {
		tmp_close(of);
		return -ENOMEM;
	}
	return 0;
}

int outfile_commit(struct outfile *of)
{
	int ret;

	if (!of->f)
		return -EBADF;
	if (fflush(of->f) && !of->err)
		of->err = -EIO;
	if (ferror(of->f) && !of->err)
		of->err = -EIO;
	ret = of->err;
	if (!ret)
		ret = publish(of);
	fclose(of->f);
	of->f = NULL;
	tmp_close(of);
	return ret;
}

void outfile_discard(struct outfile *of)
{
	if (of->f) {
		/* nothing more may reach the file */
		of->err = of->err ? of->err : -ECANCELED;
		fclose(of->f);
		of->f = NULL;
	}
	tmp_close(of);
}

/* ---- other programs' files, links, private directories ---- */

/* Whether the file's last bytes, trailing white space aside, are tail. */
static bool ends_with(int fd, off_t size, const char *tail)
{
	size_t n = strlen(tail);
	char buf[64];
	ssize_t got;
	off_t from;

	if (n > sizeof(buf) / 2)
		return false;
	from = size > (off_t)sizeof(buf) ? size - (off_t)sizeof(buf) : 0;
	got = pread(fd, buf, sizeof(buf), from);
	while (got > 0 && strchr(" \t\r\n", buf[got - 1]))
		got--;
	return got >= (ssize_t)n && !memcmp(buf + got - n, tail, n);
}

int outfile_adopt(int from_dirfd, const char *from, int dirfd,
		  const char *name, const char *complete)
{
	struct stat st;
	int fd, ret = 0;

	if (!one_component(name))
		return -EINVAL;
	fd = openat(from_dirfd, from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	else if (complete && !ends_with(fd, st.st_size, complete))
		ret = -EIO;
	else if (fsync(fd))
		ret = -errno;
	else if (renameat(from_dirfd, from, dirfd, name))
		ret = -errno;
	close(fd);
	return ret ? ret : fsync_dir(dirfd);
}

int outfile_symlink(int dirfd, const char *name, const char *target)
{
	char tmp[64];

	if (!one_component(name))
		return -EINVAL;
	for (int i = 0; i < 100; i++) {
		tmp_name(name, tmp, sizeof(tmp));
		if (!symlinkat(target, dirfd, tmp))
			break;
		if (errno != EEXIST)
			return -errno;
	}
	if (renameat(dirfd, tmp, dirfd, name)) {
		int ret = -errno;

		unlinkat(dirfd, tmp, 0);
		return ret;
	}
	return fsync_dir(dirfd);
}

int outfile_private_dir(int dirfd, const char *prefix, char *out, size_t len)
{
	for (int i = 0; i < 100; i++) {
		int fd;

		if (snprintf(out, len, ".%s-%08x", prefix, outfile_random_u32()) >=
		    (int)len)
			return -ENAMETOOLONG;
		if (mkdirat(dirfd, out, 0700)) {
			if (errno == EEXIST)
				continue;
			return -errno;
		}
		fd = openat(dirfd, out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0) {
			int ret = -errno;

			unlinkat(dirfd, out, AT_REMOVEDIR);
			return ret;
		}
		return fd;
	}
	return -EEXIST;
}

/* Depth of the trees iobench makes is 3 at most; a deeper one is not
 * ours to remove. */
#define REMOVE_MAX_DEPTH 16

static int remove_below(int parent, const char *name, dev_t dev,
			unsigned long long *freed, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, ret = 0;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode)) {
		if (freed && st.st_nlink == 1)
			*freed += (unsigned long long)st.st_blocks * 512;
		return unlinkat(parent, name, 0) && errno != ENOENT ? -errno
								   : 0;
	}
	if (st.st_dev != dev)
		return -EXDEV;
	if (depth > REMOVE_MAX_DEPTH)
		return -ELOOP;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		int r;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = remove_below(dirfd(d), de->d_name, dev, freed, depth + 1);
		if (r && !ret)
			ret = r;
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) && !ret && errno != ENOENT)
		ret = -errno;
	return ret;
}

int outfile_remove_tree(int dirfd, const char *name,
			unsigned long long *freed)
{
	struct stat st;

	if (!one_component(name))
		return -EINVAL;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	return remove_below(dirfd, name, st.st_dev, freed, 0);
}
