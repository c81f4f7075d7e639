/* SPDX-License-Identifier: MIT */
/*
 * Scratch directories in a user's directory: DIR/iobench-XXXXXX (ext4
 * TOPDIR flag) holding one data-RANDOM directory with every file, as the
 * sweep runner lays out its own; DIR/iobench-flame-XXXXXX for flame. Each
 * carries an owner mark, .iobench-owner: the process id, its start time,
 * the boot and the PID namespace. A run removes its own directory on
 * every exit it lives through; one killed outright (SIGKILL, a crash,
 * power loss) leaves a marked directory that the next run and `iobench
 * doctor` recognise as stale (owner gone) and remove.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_SCRATCH_H
#define IOBENCH_SCRATCH_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define SCRATCH_MARK ".iobench-owner"

struct scratch {
	char top[PATH_MAX];  /* DIR/iobench-XXXXXX */
	char data[PATH_MAX]; /* top/data-RANDOM: every file lives here */
	int fd;		     /* data, O_DIRECTORY; -1 when closed */
};

/*
 * Creates the directories (mode 0700), top owner-marked. On ext4 top gets
 * FS_TOPDIR_FL and data a random name, so the allocator puts data in a
 * block group of its own, away from inodes deleted by earlier runs (see
 * the README's note on ext4 without a journal). 0, or -errno with what
 * failed in why (nothing left behind). s->fd is -1 until this succeeds.
 */
int scratch_create(const char *dir, struct scratch *s, char *why, size_t len);
/* Removes every file in data (flat), data, the mark and top; safe to call
 * twice and on a scratch whose creation failed. */
void scratch_remove(struct scratch *s);

/* Only the top: DIR/PREFIX-XXXXXX (mkdtemp, 0700) with this process's
 * owner mark; its path in out (len bytes). 0 or -errno (nothing left). */
int scratch_make_top(const char *dir, const char *prefix, char *out,
		     size_t len);
/* Removes the owner mark and the (by then empty) top. 0 or -errno
 * (-ENOTEMPTY when files remain: the directory stays, still marked). */
int scratch_release(const char *top);

enum scratch_state {
	SCRATCH_REMOVED,	/* stale (owner gone): removed */
	SCRATCH_REMOVE_FAILED,	/* stale, but removing it failed: err */
	SCRATCH_FOREIGN,	/* marked by another host or PID namespace:
				 * cannot tell, left alone */
	SCRATCH_UNMARKED,	/* no owner mark (an older iobench): left */
};

struct scratch_finding {
	const char *name;	/* the directory's name in DIR */
	enum scratch_state state;
	pid_t pid;		/* the owner, when marked */
	unsigned long long bytes;	/* freed (SCRATCH_REMOVED) */
	int err;		/* -errno (SCRATCH_REMOVE_FAILED) */
	const char *why;	/* SCRATCH_FOREIGN: whose it is */
};

/*
 * Looks at every iobench-* directory in dir that this user owns (root: any)
 * and removes those whose owner is gone; found() is called for each one
 * removed or left for a reason (never for a live run's directory).
 * 0, or -errno when dir cannot be read.
 */
int scratch_clean_stale(const char *dir,
			void (*found)(void *ctx,
				      const struct scratch_finding *f),
			void *ctx);
/* One line on a finding, e.g. "removed stale scratch directory
 * D/iobench-x1Y2z3 (its run, process 123, is gone; 41.2 MiB freed)". */
void scratch_finding_text(const char *dir, const struct scratch_finding *f,
			  char *out, size_t len);

#endif
