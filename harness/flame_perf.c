// SPDX-License-Identifier: MIT
/*
 * Flame graphs (flame.h): perf record --call-graph dwarf of a worker child
 * running on a stack of its own, the unsampled preparation it asks its
 * parent for, and perf script's output folded (flame.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "clock.h"
#include "flame.h"
#include "path.h"
#include "strategies.h"

/* sampling frequency of perf record (Hz) */
#define PERF_FREQ "999"
/*
 * Call stacks are unwound from a copy of each sample's stack with the
 * DWARF unwind tables (perf record --call-graph dwarf): libc and the
 * kernel's callers are not built with frame pointers, and frame-pointer
 * walks through them end in [unknown]. The copy is WORKER_STACK_DUMP
 * bytes (16 MB of perf data per second sampled at PERF_FREQ), enough
 * for a copy's frames on the worker's own stack of WORKER_STACK_SIZE.
 */
#define WORKER_STACK_DUMP "16384"
#define WORKER_STACK_SIZE (8u << 20)

bool flame_find_perf(char *out, size_t len, char *why, size_t why_len)
{
	if (path_find_program("perf", out, len))
		return true;
	snprintf(why, why_len, "perf is not installed (on Debian: apt-get "
		 "install linux-perf)");
	return false;
}

/* The worker's line to its parent, which prepares (unsampled) for it. */
struct flame_ctl {
	int req_w, rep_r;
};

int flame_prepare(struct flame_ctl *ctl)
{
	int32_t ret;
	size_t got = 0;

	if (write(ctl->req_w, "p", 1) != 1)
		return -EPIPE;
	while (got < sizeof(ret)) {
		ssize_t n = read(ctl->rep_r, (char *)&ret + got,
				 sizeof(ret) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		got += n;
	}
	return ret;
}

/* Sends perf record a control command and waits for its "ack\n". */
static int perf_command(int ctl_w, int ack_r, const char *cmd)
{
	char ack[4];
	size_t got = 0;

	if (write(ctl_w, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return -EPIPE;
	while (got < sizeof(ack)) {
		ssize_t n = read(ack_r, ack + got, sizeof(ack) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		got += n;
	}
	return 0;
}

/* Waits for pid until the deadline, then kills it. Its wait status. */
static int reap_until(pid_t pid, double deadline)
{
	int status = 0;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (clock_now() > deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		usleep(10000);
	}
}

/* The last non-empty line of a log file, for error messages. */
static void last_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	snprintf(out, len, "no message");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			snprintf(out, len, "%s", line);
	}
	free(line);
	fclose(f);
}

/*
 * In a perf child, before exec: perf writes only under tmpdir (the run's
 * scratch directory). HOME and TMPDIR point there (perf's build-id cache
 * is ~/.debug; record also gets --no-buildid-cache); its own process
 * group keeps the terminal's signals away (perf is stopped by us, with
 * SIGINT, on which it cleans up: a killed `perf script` leaves its copy
 * of the vDSO in /tmp); SIGINT too when we die.
 */
static void perf_child_setup(const char *tmpdir)
{
	setenv("HOME", tmpdir, 1);
	setenv("TMPDIR", tmpdir, 1);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGINT);
	/* our end of its pipe closing is EPIPE, not a death that skips
	 * that clean-up */
	signal(SIGPIPE, SIG_IGN);
}

/* Stops a perf process the way it cleans up after itself (SIGINT), and
 * kills it only when it does not exit within a few seconds. */
static void stop_perf(pid_t pid)
{
	kill(pid, SIGINT);
	if (reap_until(pid, clock_now() + 3) < 0)
		return;		/* reap_until killed and reaped it */
}

/* Runs `perf record` on worker `pid` with events disabled until the
 * worker says so; control through ctl_r / ack_w. Returns perf's pid. */
static pid_t spawn_perf_record(const char *perf, pid_t pid, int ctl_r,
			       int ack_w, const char *tmpdir, const char *data,
			       const char *log)
{
	char pidstr[32], control[64];
	pid_t p;

	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	/* perf gets the pipes as fds 3 and 4 */
	snprintf(control, sizeof(control), "fd:3,4");
	p = fork();
	if (p)
		return p;
	{
		int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				 O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		int c = fcntl(ctl_r, F_DUPFD_CLOEXEC, 10);
		int a = fcntl(ack_w, F_DUPFD_CLOEXEC, 10);

		if (logfd < 0 || nul < 0 || c < 0 || a < 0)
			_exit(127);
		dup2(nul, STDIN_FILENO);
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		dup2(c, 3);
		dup2(a, 4);
		perf_child_setup(tmpdir);
		/* no build-ids: nothing to look up or cache outside tmpdir */
		execl(perf, "perf", "record", "--call-graph",
		      "dwarf," WORKER_STACK_DUMP, "-F", PERF_FREQ, "-D", "-1",
		      "--no-buildid", "--no-buildid-cache", "--control",
		      control, "-o", data, "-p", pidstr, (char *)NULL);
		_exit(127);
	}
}

/* perf script of data, folded into fp. */
static int fold_data(const char *perf, const char *tmpdir, const char *data,
		     const char *log, struct flame_profile *fp, char *why,
		     size_t len)
{
	int pfd[2], ret, status;
	FILE *in;
	pid_t p;

	if (pipe2(pfd, O_CLOEXEC))
		return strategy_why(why, len, -errno, "pipe: %s",
				    strerror(errno));
	p = fork();
	if (p < 0) {
		ret = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return strategy_why(why, len, ret, "fork: %s", strerror(-ret));
	}
	if (!p) {
		int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				 O_CLOEXEC, 0644);

		dup2(pfd[1], STDOUT_FILENO);
		if (logfd >= 0)
			dup2(logfd, STDERR_FILENO);
		perf_child_setup(tmpdir);
		execl(perf, "perf", "script", "--no-inline", "-F",
		      "comm,ip,sym,dso", "-i", data, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	in = fdopen(pfd[0], "r");
	if (!in) {
		close(pfd[0]);
		stop_perf(p);
		return strategy_why(why, len, -ENOMEM, "%s", strerror(ENOMEM));
	}
	ret = flame_fold_perf_script(in, fp);
	fclose(in);
	while (waitpid(p, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == -EINVAL) {
		char msg[200];

		last_line(log, msg, sizeof(msg));
		return strategy_why(why, len, ret, "perf script gave no "
				    "samples (%s)", msg);
	}
	if (ret)
		return strategy_why(why, len, ret, "%s", strerror(-ret));
	return 0;
}

/* The worker's job, for the fresh stack it runs on. */
static struct {
	int (*work)(void *, struct flame_ctl *);
	void *ctx;
	struct flame_ctl *ctl;
} worker_job;

/* The worker's exit status: the errno of its result, when it fits. */
static int worker_status(int ret)
{
	int n = -ret;

	return n <= 0 ? 0 : n < 126 ? n : 125;
}

/* Works and exits from the job's own stack: the exit (the process torn
 * down, sampled too) must not walk back into the caller's stack. */
static void __attribute__((noreturn)) worker_entry(void)
{
	_exit(worker_status(worker_job.work(worker_job.ctx, worker_job.ctl)));
}

/*
 * Runs the job on a stack of its own (makecontext), whose bottom is the
 * job: perf copies WORKER_STACK_DUMP bytes of stack per sample to unwind
 * with DWARF, and the callers' stacks (path buffers of PATH_MAX, the
 * sweep runner's frames) would not fit, leaving the outermost frames
 * [unknown]. Falls back to the caller's stack when there is no memory.
 * Never returns: the stack is the process's until it exits.
 */
static void __attribute__((noreturn))
run_on_own_stack(int (*work)(void *, struct flame_ctl *), void *ctx,
		 struct flame_ctl *ctl)
{
	ucontext_t caller, job;
	void *stack = malloc(WORKER_STACK_SIZE);

	if (stack && !getcontext(&job)) {
		worker_job.work = work;
		worker_job.ctx = ctx;
		worker_job.ctl = ctl;
		job.uc_stack.ss_sp = stack;
		job.uc_stack.ss_size = WORKER_STACK_SIZE;
		job.uc_link = NULL;
		makecontext(&job, worker_entry, 0);
		swapcontext(&caller, &job);
	}
	_exit(worker_status(work(ctx, ctl)));
}

/* The worker: waits for the go byte, works, exits with its result. */
static void __attribute__((noreturn))
run_worker(int (*work)(void *, struct flame_ctl *), void *ctx, int go_r,
	   struct flame_ctl *ctl)
{
	char c;
	ssize_t n;

	prctl(PR_SET_PDEATHSIG, SIGINT);
	do
		n = read(go_r, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(126);
	run_on_own_stack(work, ctx, ctl);
}

/* Runs prepare() whenever the worker asks, until it closes its end
 * (done or dead). 0, or -ETIMEDOUT past the deadline. */
static volatile sig_atomic_t stop_requested;

void flame_request_stop(void)
{
	stop_requested = 1;
}

static int serve_worker(int req_r, int rep_w, int (*prepare)(void *),
			void *ctx, double deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = req_r, .events = POLLIN };
		double left = deadline - clock_now();
		int32_t ret;
		ssize_t n;
		char c;

		if (stop_requested)
			return -EINTR;
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left > 1 ? 1000 : (int)(left * 1000) + 1);
		if (n <= 0)
			continue;
		n = read(req_r, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		ret = prepare ? prepare(ctx) : 0;
		if (write(rep_w, &ret, sizeof(ret)) != sizeof(ret))
			return 0;
	}
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++) {
		if (p[i] >= 0)
			close(p[i]);
		p[i] = -1;
	}
}

int flame_record(int (*work)(void *ctx, struct flame_ctl *ctl),
		 int (*prepare)(void *ctx), void *ctx, const char *tmpdir,
		 double timeout, struct flame_profile *fp, char *why,
		 size_t len)
{
	char perf[PATH_MAX], data[PATH_MAX], log[PATH_MAX], msg[200];
	int go[2] = { -1, -1 }, ctl[2] = { -1, -1 }, ack[2] = { -1, -1 };
	int req[2] = { -1, -1 }, rep[2] = { -1, -1 };
	double deadline = clock_now() + timeout;
	pid_t worker = -1, recorder = -1;
	struct flame_ctl fc;
	int ret, status;

	if (!flame_find_perf(perf, sizeof(perf), why, len))
		return -ENOENT;
	snprintf(data, sizeof(data), "%s/perf-%d.data", tmpdir, (int)getpid());
	snprintf(log, sizeof(log), "%s/perf-%d.log", tmpdir, (int)getpid());
	if (pipe2(go, O_CLOEXEC) || pipe2(ctl, O_CLOEXEC) ||
	    pipe2(ack, O_CLOEXEC) || pipe2(req, O_CLOEXEC) ||
	    pipe2(rep, O_CLOEXEC)) {
		ret = strategy_why(why, len, -errno, "pipe: %s",
				   strerror(errno));
		goto out_close;
	}
	fflush(NULL);
	worker = fork();
	if (worker < 0) {
		ret = strategy_why(why, len, -errno, "fork: %s",
				   strerror(errno));
		goto out_close;
	}
	if (!worker) {
		/* only the worker's ends: a gone parent reads as EOF */
		close(go[1]);
		close_pair(ctl);
		close_pair(ack);
		close(req[0]);
		close(rep[1]);
		fc = (struct flame_ctl){ .req_w = req[1], .rep_r = rep[0] };
		run_worker(work, ctx, go[0], &fc);
	}
	recorder = spawn_perf_record(perf, worker, ctl[0], ack[1], tmpdir,
				     data, log);
	if (recorder < 0) {
		ret = strategy_why(why, len, -errno, "fork: %s",
				   strerror(errno));
		goto out_kill;
	}
	close(ctl[0]);
	close(ack[1]);
	close(req[1]);
	close(rep[0]);
	ctl[0] = ack[1] = req[1] = rep[0] = -1;
	/*
	 * perf starts with its events off (-D -1) and answers once it has
	 * attached and turned them on: nothing before is missed. The work
	 * is sampled from then on, so whatever must not be (cleaning up,
	 * evicting) runs here, in the parent, through prepare().
	 */
	ret = perf_command(ctl[1], ack[0], "enable\n");
	if (ret) {
		last_line(log, msg, sizeof(msg));
		ret = strategy_why(why, len, -EIO, "perf record did not start: "
				   "%s", msg);
		goto out_kill;
	}
	if (write(go[1], "g", 1) != 1) {
		ret = strategy_why(why, len, -EPIPE, "the worker is gone");
		goto out_kill;
	}
	ret = serve_worker(req[0], rep[1], prepare, ctx, deadline);
	if (ret == -EINTR) {
		ret = strategy_why(why, len, -EINTR, "interrupted");
		goto out_kill;
	}
	status = ret ? -1 : reap_until(worker, deadline);
	if (status < 0) {
		ret = strategy_why(why, len, -ETIMEDOUT, "timed out after "
				   "%g s", timeout);
		goto out_kill;
	}
	worker = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		ret = WIFEXITED(status) ? -WEXITSTATUS(status) : -ECHILD;
		strategy_why(why, len, ret, "the profiled copy failed: %s",
			     WIFEXITED(status) ? strerror(-ret) : "crashed");
		goto out_kill;
	}
	/* perf ends by itself when the process it follows exits */
	status = reap_until(recorder, deadline + 10);
	recorder = -1;
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		last_line(log, msg, sizeof(msg));
		ret = strategy_why(why, len, -EIO, "perf record failed: %s",
				   msg);
		goto out_unlink;
	}
	ret = fold_data(perf, tmpdir, data, log, fp, why, len);
	/* what ran the job (the caller's stack, makecontext's start) is
	 * not the job's: stacks start at the work itself */
	if (!ret)
		ret = flame_trim_below(fp, "worker_entry");
	goto out_unlink;
out_kill:
	if (worker > 0) {
		kill(worker, SIGKILL);
		waitpid(worker, NULL, 0);
	}
	if (recorder > 0)
		stop_perf(recorder);
out_unlink:
	unlink(data);
	unlink(log);
	{
		/* perf renames an old data file to .old */
		char old[PATH_MAX + 8];

		snprintf(old, sizeof(old), "%s.old", data);
		unlink(old);
	}
out_close:
	close_pair(go);
	close_pair(ctl);
	close_pair(ack);
	close_pair(req);
	close_pair(rep);
	return ret;
}
