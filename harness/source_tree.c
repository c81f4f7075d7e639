// SPDX-License-Identifier: MIT
/*
 * --source DIR: walks a user's tree once without following symlinks,
 * records and hashes its regular files read-only, and checks afterwards
 * that the run left every one of them as it was and added none.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "array.h"
#include "cache.h"
#include "dataset.h"
#include "fmt.h"
#include "mem_free.h"
#include "source_tree.h"
#include "strategies.h"

/* -1 not probed, 0 the kernel lacks openat2, 1 it has it */
static atomic_int have_openat2 = -1;
static atomic_bool force_walk;

void source_tree_force_walk(bool on)
{
	atomic_store(&force_walk, on);
}


void source_tree_free(struct source_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_files; i++)
		MEM_FREE_ALL(t->files[i].path, t->files[i].rel);
	MEM_FREE_ALL(t->files, t->first_unsized);
	mem_free_strings(t->known, t->n_known);
	if (t->root_fd >= 0)
		close(t->root_fd);
	free(t->root);
	free(t);
}

/*
 * rel below dirfd, one component at a time: every directory on the way
 * opened O_DIRECTORY|O_NOFOLLOW (a symlink there is ELOOP), the file
 * itself O_NOFOLLOW. For kernels without openat2. fd or -errno.
 */
static int open_walk(int dirfd, const char *rel, int flags)
{
	char *copy = strdup(rel), *comp, *slash;
	int dfd = dirfd, fd;

	if (!copy)
		return -ENOMEM;
	for (comp = copy; (slash = strchr(comp, '/')); comp = slash + 1) {
		int next;

		*slash = '\0';
		next = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		fd = next < 0 ? -errno : 0;
		/* O_DIRECTORY says ENOTDIR for a symlink: say what openat2
		 * says, ELOOP */
		if (fd == -ENOTDIR) {
			struct stat st;

			if (!fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) &&
			    S_ISLNK(st.st_mode))
				fd = -ELOOP;
		}
		if (dfd != dirfd)
			close(dfd);
		if (next < 0)
			goto out_free;
		dfd = next;
	}
	fd = openat(dfd, comp, flags | O_NOFOLLOW);
	if (fd < 0)
		fd = -errno;
	if (dfd != dirfd)
		close(dfd);
out_free:
	free(copy);
	return fd;
}

/* rel below dirfd with no symlink anywhere on the way. fd or -errno. */
static int open_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW),
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH,
	};
	long fd;

	if (atomic_load(&have_openat2) != 0 && !atomic_load(&force_walk)) {
		fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS) {
			atomic_store(&have_openat2, 1);
			return fd < 0 ? -errno : (int)fd;
		}
		atomic_store(&have_openat2, 0);
	}
	return open_walk(dirfd, rel, flags);
}

/*
 * Opens a source read-only and non-blocking (a FIFO in a file's place
 * must not hang the run), checks on the descriptor that it is a regular
 * file, then clears O_NONBLOCK. O_NOATIME so reading leaves no trace,
 * retried without it where the kernel says EPERM (only the owner or
 * CAP_FOWNER may ask): *noatime says which one worked. fd or -errno
 * (-EINVAL: not a regular file).
 */
static int open_source(const struct source_tree *t, const char *rel,
		       int extra, int *noatime)
{
	int base = O_RDONLY | O_CLOEXEC | O_NONBLOCK | extra;
	int fd = open_beneath(t->root_fd, rel, base | *noatime);
	struct stat st;
	int ret;

	if (fd == -EPERM && *noatime) {
		*noatime = 0;
		fd = open_beneath(t->root_fd, rel, base);
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out_close;
	}
	if (fcntl(fd, F_SETFL, (base | *noatime) & ~O_NONBLOCK)) {
		ret = -errno;
		goto out_close;
	}
	return fd;
out_close:
	close(fd);
	return ret;
}

int source_tree_open(const struct source_tree *t, size_t i, int extra)
{
	int noatime = t->files[i].oflags;

	return open_source(t, t->files[i].rel, extra, &noatime);
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

/* "not a regular file" reads better than EINVAL; ELOOP is a symlink. */
static const char *open_error(int err)
{
	if (err == -EINVAL)
		return "not a regular file (any more)";
	if (err == -ELOOP)
		return "a symlink on its path (never followed)";
	return strerror(-err);
}

/*
 * Hashes one file through its own descriptor and stats it on that same
 * descriptor, so the figures describe the file really read. *unsized
 * (when not NULL) is set when the content is not as long as the size
 * says: shorter (a read ends early) or longer (a byte past it).
 */
static int snapshot_file(const struct source_tree *t, struct source_file *f,
			 bool *unsized, char *err, size_t len)
{
	struct cache_pages cp;
	struct stat st;
	char extra;
	int fd, ret = 0;

	f->oflags = O_NOATIME;
	fd = open_source(t, f->rel, 0, &f->oflags);
	if (fd < 0)
		return strategy_why(err, len, fd, "%s: %s", f->path,
				    open_error(fd));
	if (fstat(fd, &st)) {
		ret = strategy_why(err, len, -errno, "%s: %s", f->path,
				   strerror(errno));
		goto out_close;
	}
	record_stat(f, &st);
	f->residency_readable = cache_pages_of(fd, &cp) != -EPERM;
	ret = dataset_hash_fd(fd, f->size, &f->hash);
	if (unsized && (ret == -ENODATA ||
			(!ret && pread(fd, &extra, 1, (off_t)f->size) > 0))) {
		*unsized = true;
		ret = 0;
	} else if (ret) {
		strategy_why(err, len, ret, "%s: reading: %s", f->path,
			     strerror(-ret));
	}
out_close:
	close(fd);
	return ret;
}

/* What a walk finds: regular files (paths below the root) and the count
 * of everything else. */
struct walk {
	char **rels;
	size_t n, cap;
	size_t skipped;
	bool tolerate_vanished;	/* the re-walk: entries may go meanwhile */
};

static int walk_add(struct walk *w, const char *rel)
{
	if (ARRAY_GROW(w->rels, w->n + 1, w->cap))
		return -ENOMEM;
	w->rels[w->n] = strdup(rel);
	if (!w->rels[w->n])
		return -ENOMEM;
	w->n++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory but . and .., sorted (a walk order that does
 * not depend on the filesystem's hashing). */
static int read_names(DIR *d, char ***names, size_t *n)
{
	struct walk w = { 0 };
	struct dirent *de;

	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (walk_add(&w, de->d_name)) {
			mem_free_strings(w.rels, w.n);
			return -ENOMEM;
		}
		errno = 0;
	}
	if (errno) {
		int ret = -errno;

		mem_free_strings(w.rels, w.n);
		return ret;
	}
	if (w.n)
		qsort(w.rels, w.n, sizeof(*w.rels), cmp_names);
	*names = w.rels;
	*n = w.n;
	return 0;
}

/*
 * Walks the directory open at dfd (consumed), whose path below the root is
 * rel ("" for the root). Directories are opened O_DIRECTORY|O_NOFOLLOW
 * from their parent's descriptor, so a directory swapped for a symlink is
 * never entered; mounts inside the tree are part of it.
 */
static int walk_dir(struct walk *w, int dfd, const char *rel, const char *root,
		    char *err, size_t len)
{
	char **names = NULL, child[PATH_MAX];
	size_t n = 0;
	DIR *d = fdopendir(dfd);
	int ret;

	if (!d) {
		ret = -errno;
		close(dfd);
		return strategy_why(err, len, ret, "%s/%s: %s", root, rel,
				    strerror(-ret));
	}
	ret = read_names(d, &names, &n);
	if (ret)
		strategy_why(err, len, ret, "%s/%s: %s", root, rel,
			     strerror(-ret));
	for (size_t i = 0; i < n && !ret; i++) {
		struct stat st;
		int cfd;

		if (snprintf(child, sizeof(child), "%s%s%s", rel,
			     *rel ? "/" : "", names[i]) >= (int)sizeof(child)) {
			ret = strategy_why(err, len, -ENAMETOOLONG, "%s/%s: %s",
					   root, rel, strerror(ENAMETOOLONG));
			break;
		}
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW)) {
			if (errno == ENOENT && w->tolerate_vanished)
				continue;
			ret = strategy_why(err, len, -errno, "%s/%s: %s", root,
					   child, strerror(errno));
			break;
		}
		if (S_ISREG(st.st_mode)) {
			ret = walk_add(w, child);
			if (ret)
				strategy_why(err, len, ret, "%s",
					     strerror(-ret));
		} else if (S_ISDIR(st.st_mode)) {
			cfd = openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY |
				     O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0 && w->tolerate_vanished &&
			    (errno == ENOENT || errno == ELOOP ||
			     errno == ENOTDIR))
				continue;
			if (cfd < 0)
				ret = strategy_why(err, len, -errno, "%s/%s: %s",
						   root, child,
						   strerror(errno));
			else
				ret = walk_dir(w, cfd, child, root, err, len);
		} else {
			/* symlinks, FIFOs, sockets, devices */
			w->skipped++;
		}
	}
	mem_free_strings(names, n);
	closedir(d);
	return ret;
}

/* Every regular file below the tree's root, in walk order. */
static int walk_tree(const struct source_tree *t, struct walk *w, char *err,
		     size_t len)
{
	int dfd = openat(t->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return strategy_why(err, len, -errno, "%s: %s", t->root,
				    strerror(errno));
	return walk_dir(w, dfd, "", strcmp(t->root, "/") ? t->root : "", err,
			len);
}

static int add_file(struct source_tree *t, size_t *cap, const char *rel)
{
	struct source_file *f;

	if (ARRAY_GROW(t->files, t->n_files + 1, *cap))
		return -ENOMEM;
	f = &t->files[t->n_files];
	memset(f, 0, sizeof(*f));
	f->rel = strdup(rel);
	if (!f->rel ||
	    asprintf(&f->path, "%s/%s", strcmp(t->root, "/") ? t->root : "",
		     rel) < 0) {
		free(f->rel);
		return -ENOMEM;
	}
	t->n_files++;
	return 0;
}

/* Snapshots every walked file; those whose content is not their size are
 * left out (counted). */
static int snapshot_all(struct source_tree *t, struct walk *w, char *err,
			size_t len)
{
	size_t cap = 0;
	int ret = 0;

	for (size_t i = 0; i < w->n && !ret; i++) {
		struct source_file *f;
		bool unsized = false;

		ret = add_file(t, &cap, w->rels[i]);
		if (ret)
			return strategy_why(err, len, ret, "%s", strerror(-ret));
		f = &t->files[t->n_files - 1];
		ret = snapshot_file(t, f, &unsized, err, len);
		if (ret || !unsized) {
			t->total_bytes += f->size;
			t->n_residency_unreadable += !f->residency_readable;
			continue;
		}
		if (!t->n_unsized++) {
			t->first_unsized = f->path;
			f->path = NULL;
		}
		free(f->path);
		free(f->rel);
		t->n_files--;
	}
	return ret;
}

struct source_tree *source_tree_scan(const char *dir, char *err, size_t len)
{
	struct source_tree *t = calloc(1, sizeof(*t));
	struct walk w = { 0 };
	struct stat st;

	if (!t) {
		strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	t->root_fd = -1;
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
	t->root_fd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->root_fd < 0) {
		strategy_why(err, len, -errno, "%s: %s", dir, strerror(errno));
		goto out_free;
	}
	if (walk_tree(t, &w, err, len))
		goto out_free;
	t->n_skipped = w.skipped;
	/* every name found, for the check after the run */
	t->known = w.rels;
	t->n_known = w.n;
	w.rels = NULL;
	if (snapshot_all(t, &(struct walk){ .rels = t->known, .n = t->n_known },
			 err, len))
		goto out_free;
	if (t->n_known)
		qsort(t->known, t->n_known, sizeof(*t->known), cmp_names);
	if (!t->n_files) {
		strategy_why(err, len, -ENOENT, "%s: no regular file in the "
			     "tree (%zu other entr%s skipped%s)", dir,
			     t->n_skipped, t->n_skipped == 1 ? "y" : "ies",
			     t->n_unsized ? ", and files whose size is not "
			     "their content's" : "");
		goto out_free;
	}
	return t;
out_free:
	source_tree_free(t);
	return NULL;
}

struct source_tree *source_tree_subset(const struct source_tree *t,
				       bool (*keep)(const struct source_file *f,
						    void *ctx),
				       void *ctx)
{
	struct source_tree *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->root_fd = -1;
	s->root = strdup(t->root);
	s->files = calloc(t->n_files ? t->n_files : 1, sizeof(*s->files));
	s->known = calloc(t->n_known ? t->n_known : 1, sizeof(*s->known));
	if (!s->root || !s->files || !s->known)
		goto out_free;
	s->root_fd = fcntl(t->root_fd, F_DUPFD_CLOEXEC, 0);
	if (s->root_fd < 0)
		goto out_free;
	/* the check after a run knows every file of the whole tree */
	for (; s->n_known < t->n_known; s->n_known++) {
		s->known[s->n_known] = strdup(t->known[s->n_known]);
		if (!s->known[s->n_known])
			goto out_free;
	}
	for (size_t i = 0; i < t->n_files; i++) {
		struct source_file *f = &s->files[s->n_files];

		if (!keep(&t->files[i], ctx))
			continue;
		*f = t->files[i];
		f->path = strdup(t->files[i].path);
		f->rel = strdup(t->files[i].rel);
		s->n_files++;
		if (!f->path || !f->rel)
			goto out_free;
		s->total_bytes += f->size;
		s->n_residency_unreadable += !f->residency_readable;
	}
	return s;
out_free:
	source_tree_free(s);
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

/* Files the walk finds now that it did not find before the run. */
static int count_added(const struct source_tree *t, size_t *added,
		       char *first, size_t len)
{
	struct walk w = { .tolerate_vanished = true };
	char err[PATH_MAX + 64];
	int ret = walk_tree(t, &w, err, sizeof(err));

	*added = 0;
	for (size_t i = 0; !ret && i < w.n; i++) {
		if (t->n_known && bsearch(&w.rels[i], t->known, t->n_known,
			    sizeof(*t->known), cmp_names))
			continue;
		if (!(*added)++)
			snprintf(first, len, "%s%s%s: added", t->root,
				 strcmp(t->root, "/") ? "/" : "", w.rels[i]);
	}
	mem_free_strings(w.rels, w.n);
	return ret;
}

int source_tree_check(const struct source_tree *t, char *why, size_t len)
{
	size_t changed = 0, added;
	char first[PATH_MAX + 64] = "", first_added[PATH_MAX + 64] = "";
	int ret;

	for (size_t i = 0; i < t->n_files; i++) {
		const struct source_file *was = &t->files[i];
		struct source_file now = { .path = was->path, .rel = was->rel };
		char err[PATH_MAX + 64];
		const char *what;

		if (snapshot_file(t, &now, NULL, err, sizeof(err))) {
			what = err + strlen(was->path);
			what += !strncmp(what, ": ", 2) ? 2 : 0;
		} else {
			what = difference(was, &now);
			if (!what)
				continue;
		}
		if (!changed++)
			snprintf(first, sizeof(first), "%s: %s", was->path,
				 what);
	}
	ret = count_added(t, &added, first_added, sizeof(first_added));
	if (ret)
		return ret;
	if (!changed && !added)
		return 0;
	snprintf(why, len, "%zu of %zu file%s changed during the run, %zu "
		 "added; first: %s", changed, t->n_files,
		 t->n_files == 1 ? "" : "s", added,
		 changed ? first : first_added);
	return 1;
}

const char *source_tree_label(const char *root, uint64_t files,
			      uint64_t bytes, char *out, size_t len)
{
	const char *slash = root ? strrchr(root, '/') : NULL;
	const char *name = slash && slash[1] ? slash + 1 : root ? root : "?";
	char b[FMT_LEN];

	snprintf(out, len, "%s (%llu file%s, %s)", name,
		 (unsigned long long)files, files == 1 ? "" : "s",
		 fmt_bytes(bytes, b, sizeof(b)));
	return out;
}
