/* SPDX-License-Identifier: MIT */
/*
 * Running another program and waiting for it (git, meson, ninja, another
 * iobench, valgrind): its output to a file descriptor or captured, the
 * environment cleaned of variables that would redirect it, and the
 * caller's stop signal passed on to it.
 */
#ifndef IOBENCH_PROC_H
#define IOBENCH_PROC_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_opts {
	const char *cwd;		/* NULL: the caller's */
	int out_fd, err_fd;		/* -1: /dev/null; PROC_INHERIT: ours */
	/* stdout captured into a malloc'd, NUL-terminated buffer (you
	 * free it) instead of out_fd; NULL: not captured */
	char **capture;
	/* environment variables to leave out (NULL-terminated), e.g.
	 * GIT_DIR so git works on the directory it is given */
	const char *const *unset;
	/* set: a stop signal to pass on (the caller's handler stores the
	 * signal's number there); the wait goes on until the child ends */
	volatile sig_atomic_t *stop;
	/* > 0: a descriptor the child gets as its descriptor 3 (e.g. one
	 * end of a socketpair); 0: none */
	int child_fd;
};

#define PROC_INHERIT (-2)

/* Variables that point git elsewhere than the directory it runs in. */
extern const char *const proc_git_env[];

/*
 * Runs argv[0] (found on $PATH when it has no '/') with argv and waits.
 * 0 with the exit status in *status (waitpid's), or -errno when it could
 * not be started (-ENOENT: not found).
 */
int proc_run(char *const *argv, const struct proc_opts *o, int *status);

/*
 * Starts argv as proc_run() does (no capture: o->capture must be NULL)
 * and returns at once: 0 with *pid, or -errno. Wait for it with
 * proc_wait().
 */
int proc_spawn(char *const *argv, const struct proc_opts *o, pid_t *pid);

/* Waits for pid, passing on a stop signal stored in *stop (NULL: none).
 * 0 with waitpid's status, or -errno. */
int proc_wait(pid_t pid, int *status, volatile sig_atomic_t *stop);

/* "exit 3", "killed by SIGKILL": a waitpid status for people. */
const char *proc_status_text(int status, char *out, size_t len);

#endif
