// SPDX-License-Identifier: MIT
/* Running a program and waiting for it (see proc.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

extern char **environ;

const char *const proc_git_env[] = {
	"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR",
	"GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", NULL,
};

static bool unset_has(const char *const *unset, const char *entry)
{
	size_t n;

	for (; unset && *unset; unset++) {
		n = strlen(*unset);
		if (!strncmp(entry, *unset, n) && entry[n] == '=')
			return true;
	}
	return false;
}

/* environ without the unset names; the strings are environ's. */
static char **clean_env(const char *const *unset)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!unset_has(unset, environ[i]))
			env[k++] = environ[i];
	return env;
}

static int redirect(posix_spawn_file_actions_t *fa, int fd, int target)
{
	if (fd == PROC_INHERIT)
		return 0;
	if (fd < 0)
		return posix_spawn_file_actions_addopen(fa, target, "/dev/null",
							O_WRONLY, 0);
	return posix_spawn_file_actions_adddup2(fa, fd, target);
}

/* Reads the child's stdout to EOF into *out, passing on stop signals. */
static int read_all(int fd, char **out, pid_t pid,
		    volatile sig_atomic_t *stop)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	int passed = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (stop && *stop && !passed) {
			passed = *stop;
			kill(pid, passed);
		}
		if (len + 1 >= cap) {
			char *grown = realloc(buf, cap * 2);

			if (!grown) {
				free(buf);
				return -ENOMEM;
			}
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

static int wait_for(pid_t pid, int *status, volatile sig_atomic_t *stop)
{
	int passed = 0;

	for (;;) {
		if (stop && *stop && !passed) {
			passed = *stop;
			kill(pid, passed);
		}
		if (waitpid(pid, status, 0) == pid)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/*
 * The child starts in a process group of its own, so a Ctrl-C reaches it
 * once, through the caller (o->stop), not twice; and with every signal's
 * default action (an ignored SIGPIPE or SIGXFSZ is not passed on).
 */
static int init_attr(posix_spawnattr_t *attr)
{
	sigset_t all, none;
	int ret = posix_spawnattr_init(attr);

	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	sigemptyset(&none);
	if (!ret)
		ret = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP |
					       POSIX_SPAWN_SETSIGDEF |
					       POSIX_SPAWN_SETSIGMASK);
	if (!ret)
		ret = posix_spawnattr_setpgroup(attr, 0);
	if (!ret)
		ret = posix_spawnattr_setsigdefault(attr, &all);
	if (!ret)
		ret = posix_spawnattr_setsigmask(attr, &none);
	return ret;
}

/* Starts argv; with capture, *pipe_rd is the read end of its stdout. */
static int spawn(char *const *argv, const struct proc_opts *o, pid_t *pidp,
		 int *pipe_rd)
{
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 }, ret;
	char **env = clean_env(o->unset);
	pid_t pid;

	if (!env)
		return -ENOMEM;
	if (o->capture && pipe2(pipefd, O_CLOEXEC)) {
		ret = -errno;
		free(env);
		return ret;
	}
	ret = init_attr(&attr);
	if (ret) {
		free(env);
		return -ret;
	}
	ret = posix_spawn_file_actions_init(&fa);
	if (!ret && o->cwd)
		ret = posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	if (!ret)
		ret = o->capture ? posix_spawn_file_actions_adddup2(
					   &fa, pipefd[1], STDOUT_FILENO) :
				   redirect(&fa, o->out_fd, STDOUT_FILENO);
	if (!ret)
		ret = redirect(&fa, o->err_fd, STDERR_FILENO);
	/* dup2 onto 3 clears close-on-exec; the caller's copy keeps it */
	if (!ret && o->child_fd > 0)
		ret = posix_spawn_file_actions_adddup2(&fa, o->child_fd, 3);
	if (!ret)
		ret = strchr(argv[0], '/') ?
		      posix_spawn(&pid, argv[0], &fa, &attr, argv, env) :
		      posix_spawnp(&pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(env);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (ret) {
		if (pipefd[0] >= 0)
			close(pipefd[0]);
		return -ret;
	}
	*pidp = pid;
	*pipe_rd = pipefd[0];
	return 0;
}

int proc_spawn(char *const *argv, const struct proc_opts *o, pid_t *pid)
{
	int rd;

	if (o->capture)
		return -EINVAL;
	return spawn(argv, o, pid, &rd);
}

int proc_wait(pid_t pid, int *status, volatile sig_atomic_t *stop)
{
	return wait_for(pid, status, stop);
}

int proc_run(char *const *argv, const struct proc_opts *o, int *status)
{
	int rd = -1, ret;
	pid_t pid;

	ret = spawn(argv, o, &pid, &rd);
	if (ret)
		return ret;
	if (o->capture) {
		ret = read_all(rd, o->capture, pid, o->stop);
		close(rd);
	}
	if (!ret)
		return wait_for(pid, status, o->stop);
	wait_for(pid, status, o->stop);
	return ret;
}

const char *proc_status_text(int status, char *out, size_t len)
{
	if (WIFEXITED(status))
		snprintf(out, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, len, "killed by SIG%s",
			 sigabbrev_np(WTERMSIG(status)) ?
			 sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(out, len, "status %d", status);
	return out;
}
