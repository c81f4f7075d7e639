// SPDX-License-Identifier: MIT
/*
 * A --source tree's read-only view for the reference tools: a bind mount
 * remounted read-only in the sample process's private mount namespace,
 * so a tool reading the tree leaves its access times alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reference.h"
#include "source_tree.h"
#include "strategies.h"

/* A view probe's reason, sent back through a pipe. */
#define REASON_PROBE_LEN 256

/* statvfs flags a bind remount must keep (a user namespace may not drop
 * the ones the mount was made with), as mount flags */
static unsigned long kept_mount_flags(const struct statvfs *sv)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC }, { ST_NOATIME, MS_NOATIME },
		{ ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	unsigned long ms = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (sv->f_flag & map[i].st)
			ms |= map[i].ms;
	return ms;
}

static int write_proc(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* A mount namespace of this process's own: as root directly, otherwise
 * inside a user namespace mapping only our uid and gid, so the tools run
 * as the same user with the same permissions. */
static int private_mounts(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	int ret;

	if (!unshare(CLONE_NEWNS))
		goto out_private;
	if (errno != EPERM)
		return -errno;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return -errno;
	ret = write_proc("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
	if (!ret)
		ret = write_proc("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
	if (!ret)
		ret = write_proc("/proc/self/gid_map", map);
	if (ret)
		return ret;
out_private:
	/* nothing mounted here propagates back to the real mounts */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	return 0;
}

/*
 * Why a read-only bind mount: a tool reads the tree with plain open()
 * (no O_NOATIME), so on a relatime or strictatime mount reading a file
 * whose atime is older than its mtime or a day old updates it, and
 * restoring atimes afterwards would change every ctime instead. The
 * kernel never updates atimes through a read-only mount (touch_atime()
 * needs write access to the mount), and a private mount namespace keeps
 * the view invisible to everything else and gone with the sample
 * process. It also keeps a tool from writing into the tree.
 */
int reference_tree_view(const struct source_tree *t, const char *dir,
			char *view, size_t vlen, char *why, size_t len)
{
	struct statvfs sv;
	unsigned long flags;
	int ret;

	if (snprintf(view, vlen, "%s/src", dir) >= (int)vlen)
		return strategy_why(why, len, -ENAMETOOLONG, "%s/src: %s",
				    dir, strerror(ENAMETOOLONG));
	if (mkdir(view, 0700) && errno != EEXIST)
		return strategy_why(why, len, -errno, "mkdir %s: %s", view,
				    strerror(errno));
	if (statvfs(t->root, &sv))
		return strategy_why(why, len, -errno, "statvfs %s: %s",
				    t->root, strerror(errno));
	ret = private_mounts();
	if (ret) {
		/* a noatime mount needs no view: reads leave atimes alone */
		if (sv.f_flag & ST_NOATIME) {
			snprintf(view, vlen, "%s", t->root);
			return 0;
		}
		return strategy_why(why, len, ret, "the tree's access times "
				    "would change: a read-only view of it "
				    "needs root or user namespaces (%s), and "
				    "%s is not mounted noatime", strerror(-ret),
				    t->root);
	}
	if (mount(t->root, view, NULL, MS_BIND, NULL))
		return strategy_why(why, len, -errno, "bind-mounting %s: %s",
				    t->root, strerror(errno));
	flags = MS_REMOUNT | MS_BIND | MS_RDONLY | kept_mount_flags(&sv);
	/* noatime too where permitted (root); read-only alone suffices */
	if (mount(NULL, view, NULL, flags | MS_NOATIME, NULL) &&
	    mount(NULL, view, NULL, flags, NULL))
		return strategy_why(why, len, -errno, "remounting %s "
				    "read-only: %s", view, strerror(errno));
	if (statvfs(view, &sv) || !(sv.f_flag & ST_RDONLY))
		return strategy_why(why, len, -EROFS, "the view %s of the "
				    "tree is not read-only", view);
	return 0;
}

int reference_tree_probe(const struct source_tree *t, const char *dir,
			 char *why, size_t len)
{
	char probe[PATH_MAX], view[PATH_MAX + 8];
	int pfd[2], status = 0;
	ssize_t got;
	pid_t pid;

	if (snprintf(probe, sizeof(probe), "%s/.iobench-view-XXXXXX", dir) >=
	    (int)sizeof(probe) || !mkdtemp(probe))
		return strategy_why(why, len, -errno, "probing a view of the "
				    "tree in %s: %s", dir, strerror(errno));
	if (pipe2(pfd, O_CLOEXEC)) {
		rmdir(probe);
		return -errno;
	}
	memset(why, 0, len);
	pid = fork();
	if (!pid) {
		char msg[REASON_PROBE_LEN] = "";
		int ret = reference_tree_view(t, probe, view, sizeof(view),
					      msg, sizeof(msg));

		if (ret)
			strategy_write_all(pfd[1], msg, strlen(msg));
		_exit(ret ? 1 : 0);
	}
	close(pfd[1]);
	got = pid < 0 ? 0 : read(pfd[0], why, len ? len - 1 : 0);
	close(pfd[0]);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	snprintf(view, sizeof(view), "%s/src", probe);
	rmdir(view);
	rmdir(probe);
	if (pid < 0)
		return strategy_why(why, len, -errno, "fork: %s",
				    strerror(errno));
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (got <= 0)
		snprintf(why, len, "a read-only view of the tree failed");
	return -EPERM;
}
