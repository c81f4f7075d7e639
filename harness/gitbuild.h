/* SPDX-License-Identifier: MIT */
/*
 * iobench at another commit, built beside the user's checkout without
 * touching it: the checkout found from a directory, a commit-ish resolved
 * with git, and that commit fetched (git fetch --depth 1 from the
 * checkout: read-only there) into a cache directory and built with meson
 * there, once per commit. The user's repository is only read: no
 * checkout, stash, worktree, index refresh or ref is written there.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_GITBUILD_H
#define IOBENCH_GITBUILD_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define GITBUILD_HASH_LEN 41	/* a SHA-1 in hex and its NUL */

struct gitbuild_checkout {
	char top[PATH_MAX];		/* the working tree's top directory */
	char head[GITBUILD_HASH_LEN];	/* HEAD's commit, "" when unborn */
	bool dirty;			/* tracked files differ from HEAD */
};

/*
 * The iobench checkout dir lies in. 0; -ENOENT when dir is not in a git
 * working tree (or git is missing), -EINVAL when it is not iobench's
 * (no meson.build declaring project 'iobench'); the reason in err.
 */
int gitbuild_checkout(const char *dir, struct gitbuild_checkout *co,
		      char *err, size_t len);

/*
 * The commit ref (any commit-ish: a branch, a tag, HEAD~3, a hash) names
 * in co's repository, into hash. 0; -ENOENT (no such commit) or -EINVAL
 * (not an iobench commit) with one line in err.
 */
int gitbuild_resolve(const struct gitbuild_checkout *co, const char *ref,
		     char *hash, char *err, size_t len);

/* The build cache: given (when not NULL), else $XDG_CACHE_HOME/iobench/
 * builds, else $HOME/.cache/iobench/builds. 0 or -EINVAL (no HOME). */
int gitbuild_cache_dir(const char *given, char *out, size_t len);

/*
 * Checks that the running binary (its stamp, lib/version.h) is this
 * checkout as it is now: same commit, dirty when the tree is. 0, or
 * -ESTALE with what differs and how to rebuild in err.
 */
int gitbuild_check_current(const struct gitbuild_checkout *co,
			   const char *stamp, char *err, size_t len);

/*
 * iobench built at hash under cache/<hash> (src/ holds the commit,
 * build/ the meson build; build.log what they printed): reused when a
 * complete build is there (*reused true), else fetched and built, one
 * process at a time per commit (a lock file beside it). The binary's
 * path into bin. A stop signal stored in *stop ends the build. 0, or
 * -errno with one line in err (naming the log).
 */
int gitbuild_build(const struct gitbuild_checkout *co, const char *hash,
		   const char *cache, char *bin, size_t binlen, bool *reused,
		   volatile sig_atomic_t *stop, char *err, size_t len);

#endif
