// SPDX-License-Identifier: MIT
/*
 * Scratch directories: DIR/iobench-XXXXXX/data-RANDOM, flat, removed
 * whole, owner-marked; and the removal of those whose owner is gone (see
 * scratch.h). Liveness is the process id *and* its start time, so a
 * recycled PID does not keep a stale directory alive.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"
#include "scratch.h"
#include "strategies.h"

#define MARK_MAX 512
/* a directory younger than this without a mark may be a run between its
 * mkdtemp and its mark: not reported */
#define UNMARKED_GRACE_S 60

struct owner {
	long pid;
	unsigned long long start;	/* /proc/PID/stat field 22 */
	char boot[64];			/* /proc/sys/kernel/random/boot_id */
	char pidns[64];			/* readlink /proc/self/ns/pid */
	char host[HOST_NAME_MAX + 1];
};

static void read_first_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* The start time of process pid, in clock ticks after boot; 0 or -errno
 * (-ENOENT: no such process). */
static int start_time(long pid, unsigned long long *start)
{
	char path[64], line[1024], *p, *tok, *save = NULL;
	int field = 3;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	read_first_line(path, line, sizeof(line));
	if (!*line)
		return access("/proc/self/stat", R_OK) ? -ENOSYS : -ENOENT;
	/* fields from 3 on follow "(comm)", which may hold spaces */
	p = strrchr(line, ')');
	if (!p)
		return -EINVAL;
	for (tok = strtok_r(p + 1, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), field++)
		if (field == 22)
			return sscanf(tok, "%llu", start) == 1 ? 0 : -EINVAL;
	return -EINVAL;
}

static void this_owner(struct owner *o)
{
	ssize_t n;

	memset(o, 0, sizeof(*o));
	o->pid = getpid();
	if (start_time(o->pid, &o->start))
		o->start = 0;
	read_first_line("/proc/sys/kernel/random/boot_id", o->boot,
			sizeof(o->boot));
	n = readlink("/proc/self/ns/pid", o->pidns, sizeof(o->pidns) - 1);
	o->pidns[n > 0 ? n : 0] = '\0';
	if (gethostname(o->host, sizeof(o->host) - 1))
		o->host[0] = '\0';
}

int scratch_make_top(const char *dir, const char *prefix, char *out,
		     size_t len)
{
	char mark[MARK_MAX];
	struct owner o;
	int fd, n, ret;

	if (snprintf(out, len, "%s/%s-XXXXXX", dir, prefix) >= (int)len)
		return -ENAMETOOLONG;
	if (!mkdtemp(out))
		return -errno;
	this_owner(&o);
	n = snprintf(mark, sizeof(mark), "iobench scratch directory\n"
		     "pid %ld\nstart %llu\nboot %s\npidns %s\nhost %s\n",
		     o.pid, o.start, o.boot, o.pidns, o.host);
	fd = open(out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		rmdir(out);
		return ret;
	}
	ret = outfile_write_at(fd, SCRATCH_MARK, mark,
			       n < (int)sizeof(mark) ? (size_t)n
						     : sizeof(mark) - 1);
	close(fd);
	if (ret)
		rmdir(out);
	return ret;
}

int scratch_release(const char *path)
{
	char mark[PATH_MAX + sizeof(SCRATCH_MARK) + 1];

	if (snprintf(mark, sizeof(mark), "%s/%s", path, SCRATCH_MARK) <
	    (int)sizeof(mark))
		unlink(mark);
	return rmdir(path) ? -errno : 0;
}

/* ext4 ignores the flag where it is unsupported; so do we. */
static void set_topdir_flag(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	int flags;

	if (fd < 0)
		return;
	if (!ioctl(fd, FS_IOC_GETFLAGS, &flags)) {
		flags |= FS_TOPDIR_FL;
		(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
}

int scratch_create(const char *dir, struct scratch *s, char *why, size_t len)
{
	uint32_t salt;
	int ret;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	ret = scratch_make_top(dir, "iobench", s->top, sizeof(s->top));
	if (ret) {
		s->top[0] = '\0';
		return strategy_why(why, len, ret,
				    "creating a scratch "
				    "directory in %s: %s",
				    dir, strerror(-ret));
	}
	set_topdir_flag(s->top);
	if (getrandom(&salt, sizeof(salt), 0) != sizeof(salt))
		salt = (uint32_t)getpid() ^ (uint32_t)time(NULL);
	snprintf(s->data, sizeof(s->data), "%.*s/data-%08x",
		 (int)(sizeof(s->data) - 16), s->top, salt);
	if (mkdir(s->data, 0700)) {
		ret = -errno;
		goto out_rmdir;
	}
	s->fd = open(s->data, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (s->fd < 0) {
		ret = -errno;
		rmdir(s->data);
		goto out_rmdir;
	}
	return 0;

out_rmdir:
	strategy_why(why, len, ret, "creating a directory in %s: %s", s->top,
		     strerror(-ret));
	scratch_release(s->top);
	s->top[0] = s->data[0] = '\0';
	return ret;
}

void scratch_remove(struct scratch *s)
{
	struct dirent *de;
	DIR *d;

	if (s->fd >= 0) {
		d = fdopendir(s->fd);
		if (d) {
			while ((de = readdir(d)))
				if (strcmp(de->d_name, ".") &&
				    strcmp(de->d_name, ".."))
					unlinkat(dirfd(d), de->d_name, 0);
			closedir(d);
		} else {
			close(s->fd);
		}
		s->fd = -1;
	}
	if (s->data[0])
		rmdir(s->data);
	if (s->top[0])
		scratch_release(s->top);
	s->top[0] = s->data[0] = '\0';
}

/* Parses a mark; false when it is not one. */
static bool parse_mark(int dirfd, struct owner *o)
{
	char buf[MARK_MAX], *line, *save = NULL;
	int fd = openat(dirfd, SCRATCH_MARK, O_RDONLY | O_NOFOLLOW |
			O_CLOEXEC);
	ssize_t n;
	int got = 0;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	memset(o, 0, sizeof(*o));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		got += sscanf(line, "pid %ld", &o->pid) == 1;
		got += sscanf(line, "start %llu", &o->start) == 1;
		got += sscanf(line, "boot %63s", o->boot) == 1;
		got += sscanf(line, "pidns %63s", o->pidns) == 1;
		got += sscanf(line, "host %64s", o->host) == 1;
	}
	return got >= 2 && o->pid > 0;
}

/* Whether the marked owner is gone; why names an owner we cannot judge
 * (another host or PID namespace) and leaves the answer false. */
static bool owner_gone(const struct owner *o, const struct owner *me,
		       const char **why)
{
	unsigned long long start;

	*why = NULL;
	if (*o->host && *me->host && strcmp(o->host, me->host)) {
		*why = "another host";
		return false;
	}
	if (*o->boot && *me->boot && strcmp(o->boot, me->boot))
		return true;		/* the machine rebooted since */
	if (*o->pidns && *me->pidns && strcmp(o->pidns, me->pidns)) {
		*why = "another PID namespace";
		return false;
	}
	switch (start_time(o->pid, &start)) {
	case 0:
		/* the same PID, a later process: the owner is gone */
		return o->start && start != o->start;
	case -ENOENT:
		return true;
	default:
		*why = "process table unreadable";
		return false;
	}
}

static void look_at(int dfd, const char *name, const struct owner *me,
		    void (*found)(void *, const struct scratch_finding *),
		    void *ctx)
{
	struct scratch_finding f = { .name = name };
	struct owner o;
	struct stat st;
	int sfd;
	bool marked, gone;

	sfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	if (sfd < 0)
		return;		/* not a directory, or a link: not ours */
	if (fstat(sfd, &st) || (st.st_uid != geteuid() && geteuid())) {
		close(sfd);
		return;
	}
	marked = parse_mark(sfd, &o);
	close(sfd);
	if (!marked) {
		if (time(NULL) - st.st_mtime < UNMARKED_GRACE_S)
			return;
		f.state = SCRATCH_UNMARKED;
		found(ctx, &f);
		return;
	}
	f.pid = (pid_t)o.pid;
	gone = owner_gone(&o, me, &f.why);
	if (!gone) {
		if (f.why) {
			f.state = SCRATCH_FOREIGN;
			found(ctx, &f);
		}
		return;
	}
	f.err = outfile_remove_tree(dfd, name, &f.bytes);
	f.state = f.err ? SCRATCH_REMOVE_FAILED : SCRATCH_REMOVED;
	found(ctx, &f);
}

int scratch_clean_stale(const char *dir,
			void (*found)(void *ctx,
				      const struct scratch_finding *f),
			void *ctx)
{
	struct dirent *de;
	struct owner me;
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	int dfd, ret = 0;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dup(dfd));
	if (!d) {
		ret = -errno;
		close(dfd);
		return ret;
	}
	/* names first: removing while reading a directory may skip some */
	while ((de = readdir(d))) {
		char **p;

		if (strncmp(de->d_name, "iobench-", 8) ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		p = realloc(names, (n + 1) * sizeof(*p));
		if (!p || !(p[n] = strdup(de->d_name))) {
			names = p ? p : names;
			ret = -ENOMEM;
			break;
		}
		names = p;
		n++;
	}
	closedir(d);
	this_owner(&me);
	for (size_t i = 0; i < n; i++) {
		if (!ret)
			look_at(dfd, names[i], &me, found, ctx);
		free(names[i]);
	}
	free(names);
	close(dfd);
	return ret;
}

void scratch_finding_text(const char *dir, const struct scratch_finding *f,
			  char *out, size_t len)
{
	switch (f->state) {
	case SCRATCH_REMOVED:
		snprintf(out, len, "removed stale scratch directory %s/%s "
			 "(its run, process %d, is gone; %.1f MiB freed)", dir,
			 f->name, (int)f->pid, f->bytes / (1024.0 * 1024));
		break;
	case SCRATCH_REMOVE_FAILED:
		snprintf(out, len, "stale scratch directory %s/%s (its run, "
			 "process %d, is gone): cannot remove it: %s", dir,
			 f->name, (int)f->pid, strerror(-f->err));
		break;
	case SCRATCH_FOREIGN:
		snprintf(out, len, "scratch directory %s/%s belongs to process "
			 "%d on %s: left alone", dir, f->name, (int)f->pid,
			 f->why);
		break;
	case SCRATCH_UNMARKED:
		snprintf(out, len, "scratch directory %s/%s has no owner mark "
			 "(an older iobench?): left alone", dir, f->name);
		break;
	}
}
