// SPDX-License-Identifier: MIT
/*
 * Scratch directories: DIR/iobench-XXXXXX/data-RANDOM, flat, removed
 * whole. The same layout as the sweep runner's (harness/runner.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "scratch.h"
#include "strategies.h"

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
	if (snprintf(s->top, sizeof(s->top), "%s/iobench-XXXXXX", dir) >=
	    (int)sizeof(s->top))
		return strategy_why(why, len, -ENAMETOOLONG, "%s: %s", dir,
				    strerror(ENAMETOOLONG));
	if (!mkdtemp(s->top)) {
		ret = -errno;
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
	rmdir(s->top);
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
		rmdir(s->top);
	s->top[0] = s->data[0] = '\0';
}
