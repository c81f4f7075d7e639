// SPDX-License-Identifier: MIT
/*
 * Running the reference tools: a program (or a pipeline of two) forked
 * and waited for, its complaint kept for the cell's reason; the probe;
 * one sample of a reference cell (the table's commands, timed); the
 * tools' start-up cost.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "reference.h"
#include "signals.h"
#include "strategies.h"
#include "tree_copy.h"

/* The tool's first words of complaint kept for the cell's reason. */
#define TOOL_MSG_LEN 160
/* Paths one tool process takes at most: well below ARG_MAX for scratch
 * paths; a larger batch runs the tool again for the rest. */
#define REF_BATCH_MAX 2048
/* How many times reference_start_seconds() starts a tool (after one
 * untimed start that loads it into the page cache). */
#define START_RUNS 9

/*
 * Forks argv[0] (searched on PATH) in cwd (NULL: here) with stdin from
 * in_fd, stdout to out_fd and stderr to err_fd (-1: /dev/null). The
 * program dies with its caller (PR_SET_PDEATHSIG). A pid, or -errno.
 */
static pid_t spawn(char *const argv[], const char *cwd, int in_fd,
		   int out_fd, int err_fd)
{
	pid_t parent = getpid(), pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		/* a tool (gnuplot writing the plots, cp in a sample) finishes
		 * its work on Ctrl-C: the parent decides */
		signals_ignore_stop();
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || (cwd && chdir(cwd)))
			_exit(127);
		if (null < 0 ||
		    dup2(in_fd >= 0 ? in_fd : null, STDIN_FILENO) < 0 ||
		    dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO) < 0 ||
		    dup2(err_fd >= 0 ? err_fd : null, STDERR_FILENO) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* harness_run_program() with stdin from in_fd and stdout to out_fd (-1:
 * /dev/null). */
static int run_program_io(char *const argv[], const char *cwd, int in_fd,
			  int out_fd, char *msg, size_t len)
{
	int pfd[2], status = 0;
	size_t got = 0;
	pid_t pid;

	if (len)
		msg[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = spawn(argv, cwd, in_fd, out_fd, pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return (int)pid;
	}
	close(pfd[1]);
	for (;;) {
		char buf[512];
		ssize_t n = read(pfd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* keep the start, drain the rest so the tool never blocks */
		if (len && got + 1 < len) {
			size_t take = (size_t)n < len - 1 - got ?
				      (size_t)n : len - 1 - got;

			memcpy(msg + got, buf, take);
			got += take;
			msg[got] = '\0';
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	/* one line for a table cell */
	for (size_t i = 0; i < got; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = i + 1 == got ? '\0' : ' ';
	return status;
}

int harness_run_program(char *const argv[], const char *cwd, char *msg,
			size_t len)
{
	return run_program_io(argv, cwd, -1, -1, msg, len);
}

/* Why a tool's non-zero exit happened, as an errno for the cell. */
static int exit_errno(int status, const char *msg)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOENT;
	if (strstr(msg, "No space left"))
		return -ENOSPC;
	return -EIO;
}

static void describe_exit(const char *prog, int status, const char *msg,
			  char *why, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(why, len, "%s killed by signal %d%s%s", prog,
			 WTERMSIG(status), *msg ? ": " : "", msg);
	else if (WEXITSTATUS(status) == 127)
		snprintf(why, len, "%s: not found on PATH", prog);
	else
		snprintf(why, len, "%s exited with status %d%s%s", prog,
			 WEXITSTATUS(status), *msg ? ": " : "", msg);
}

/* ---- the probe ---- */

/* The tools probed so far in this process, and what they answered. */
static struct {
	const struct reference_tool *tool;
	int ret;
	char reason[TOOL_MSG_LEN + 64];
} probed[16];
static size_t n_probed;

/* A tool is usable when it answers --version with status 0. */
static int probe_tool(const struct reference_tool *t, char *reason,
		      size_t rlen)
{
	char *const argv[] = { (char *)t->name, "--version", NULL };
	char msg[TOOL_MSG_LEN];
	int status = harness_run_program(argv, NULL, msg, sizeof(msg));

	if (status < 0) {
		snprintf(reason, rlen, "running %s: %s", t->name,
			 strerror(-status));
		return status;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (exit_errno(status, msg) == -ENOENT)
		snprintf(reason, rlen, "%s not found on PATH (install %s)",
			 t->name, t->package);
	else
		describe_exit(t->name, status, msg, reason, rlen);
	return exit_errno(status, msg);
}

int reference_probe(const struct reference_variant *v, char *why,
		    size_t len)
{
	const struct reference_tool *t = reference_tool_of(v);
	size_t i;

	/* planning asks once per size: once per process and tool */
	for (i = 0; i < n_probed && probed[i].tool != t; i++)
		;
	if (i == n_probed) {
		char reason[sizeof(probed[0].reason)] = "";
		int ret = probe_tool(t, reason, sizeof(reason));

		if (i == sizeof(probed) / sizeof(probed[0]))
			return ret ? strategy_why(why, len, ret, "%s", reason)
				   : 0;
		probed[i].tool = t;
		probed[i].ret = ret;
		snprintf(probed[i].reason, sizeof(probed[i].reason), "%s",
			 reason);
		n_probed++;
	}
	if (probed[i].ret)
		return strategy_why(why, len, probed[i].ret, "%s",
				    probed[i].reason);
	return 0;
}

/* ---- running one command ---- */

/* tar -c | tar -x: the writer runs beside the reader (whose output goes
 * to out_fd); the first failing status wins. */
static int run_pipeline(char *const w_argv[], char *const r_argv[],
			int out_fd, char *msg, size_t len)
{
	int p[2], status, w_status = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = spawn(w_argv, NULL, -1, p[1], -1);
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return (int)pid;
	}
	close(p[1]);
	status = run_program_io(r_argv, NULL, p[0], out_fd, msg, len);
	close(p[0]);
	while (waitpid(pid, &w_status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (status >= 0 && !(WIFEXITED(status) && !WEXITSTATUS(status)))
		return status;
	return w_status ? w_status : status;
}

/* Runs what a builder made: its directory first, its output into its
 * file. 0, or -errno with the tool's message in why. */
static int run_cmd(const struct reference_cmd *cmd, char *why, size_t len)
{
	const char *prog = cmd->argv.v[0];
	char msg[TOOL_MSG_LEN];
	int out = -1, status;

	if (cmd->make_dir && mkdir(cmd->make_dir, 0755))
		return strategy_why(why, len, -errno, "mkdir %s: %s",
				    cmd->make_dir, strerror(errno));
	if (cmd->stdout_path) {
		out = open(cmd->stdout_path, O_WRONLY | O_CREAT | O_TRUNC |
			   O_CLOEXEC | O_NOFOLLOW, 0644);
		if (out < 0)
			return strategy_why(why, len, -errno, "creating %s: %s",
					    cmd->stdout_path, strerror(errno));
	}
	if (cmd->reader.n)
		status = run_pipeline(cmd->argv.v, cmd->reader.v, out, msg,
				      sizeof(msg));
	else
		status = run_program_io(cmd->argv.v, NULL, -1, out, msg,
					sizeof(msg));
	if (out >= 0 && close(out) && status >= 0)
		return strategy_why(why, len, -errno, "close %s: %s",
				    cmd->stdout_path, strerror(errno));
	if (status < 0)
		return strategy_why(why, len, status, "running %s: %s", prog,
				    strerror(-status));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		describe_exit(prog, status, msg, why, len);
		return exit_errno(status, msg);
	}
	return 0;
}

/* The tools do not sync: durability is added the way the strategies'
 * cells add it, on the destinations they wrote, timed in *sync_seconds. */
static int sync_outputs(char *const *dst, unsigned k, double *sync_seconds,
			char *why, size_t len)
{
	double t0 = clock_now();
	int ret = 0;

	for (unsigned i = 0; i < k && !ret; i++) {
		int fd = open(dst[i], O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

		if (fd < 0 || fdatasync(fd))
			ret = strategy_why(why, len, -errno, "fdatasync %s: %s",
					   dst[i], strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	*sync_seconds += clock_now() - t0;
	return ret;
}

int reference_copy_file(const struct reference_variant *v,
			const struct cell *c, const char *src, const char *dst,
			double *sync_seconds, char *why, size_t len)
{
	const struct reference_tool *t = reference_tool_of(v);
	struct reference_cmd cmd = { 0 };
	int ret;

	if (!t->file || v->tree)
		return strategy_why(why, len, -EINVAL, "%s: copies whole trees "
				    "only", v->name);
	ret = t->file(&cmd, v, c, src, dst);
	if (ret)
		strategy_why(why, len, ret, "%s", strerror(-ret));
	else
		ret = run_cmd(&cmd, why, len);
	reference_cmd_free(&cmd);
	if (!ret && c->sync == SYNC_END)
		ret = sync_outputs((char *const *)&dst, 1, sync_seconds, why,
				   len);
	return ret;
}

/* ---- one sample ---- */

/* One process of a sample (or a pipeline): the copies dst[..end) are
 * written once it and the ones before it ran. */
struct step {
	struct reference_cmd cmd;
	unsigned end;
};

static void free_steps(struct step *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		reference_cmd_free(&s[i].cmd);
	free(s);
}

/* The processes of a sample, untimed: the tree in one, the batch in one
 * per REF_BATCH_MAX files, or one per file. 0 or -errno. */
static int plan_steps(const struct reference_job *j, const char *view,
		      struct step **out, size_t *n)
{
	const struct reference_tool *t = reference_tool_of(j->v);
	unsigned per = j->tree ? j->k : t->batch ? REF_BATCH_MAX : 1;
	size_t steps = j->tree ? 1 : (j->k + per - 1) / per;
	char tree_out[PATH_MAX];
	int ret = 0;

	if (j->tree ? !t->tree : j->v->tree || !t->file)
		return -EINVAL;
	if (snprintf(tree_out, sizeof(tree_out), "%s/" TREE_COPY_DIR,
		     j->dir) >= (int)sizeof(tree_out))
		return -ENAMETOOLONG;
	*n = steps;
	*out = calloc(steps ? steps : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < steps && !ret; i++) {
		struct step *s = &(*out)[i];
		unsigned from = (unsigned)i * per;
		unsigned cnt = j->k - from < per ? j->k - from : per;

		s->end = from + cnt;
		if (j->tree)
			ret = t->tree(&s->cmd, j->v, j->c, view, tree_out);
		else if (t->batch)
			ret = t->batch(&s->cmd, j->v, j->c, j->src + from, cnt,
				       j->dir);
		else
			ret = t->file(&s->cmd, j->v, j->c, j->src[from],
				      j->dst[from]);
	}
	return ret;
}

int reference_sample(const struct reference_job *j, double *seconds,
		     double *sync_seconds, char *why, size_t len)
{
	char view[PATH_MAX] = "";
	struct step *steps = NULL;
	unsigned done = 0;
	size_t n = 0;
	double t0;
	int ret;

	*seconds = 0;
	/* a tree is read through a read-only view of it, made untimed */
	if (j->tree) {
		ret = reference_tree_view(j->tree, j->dir, view, sizeof(view),
					  why, len);
		if (ret)
			return ret;
	}
	ret = plan_steps(j, view, &steps, &n);
	if (ret) {
		strategy_why(why, len, ret, "%s: %s", j->v->name,
			     strerror(-ret));
		goto out_free;
	}
	t0 = clock_now();
	for (size_t i = 0; i < n && !ret; i++) {
		ret = run_cmd(&steps[i].cmd, why, len);
		if (!ret && j->c->sync == SYNC_END)
			ret = sync_outputs(j->dst + done, steps[i].end - done,
					   sync_seconds, why, len);
		done = steps[i].end;
	}
	*seconds = clock_now() - t0;
out_free:
	free_steps(steps, n);
	return ret;
}

void reference_add_children_cpu(double *user, double *sys)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru))
		return;
	*user += clock_tv_seconds(&ru.ru_utime);
	*sys += clock_tv_seconds(&ru.ru_stime);
}

/* ---- start-up ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double reference_start_seconds(const struct reference_variant *v)
{
	static struct {
		const char *prog;
		double seconds;
	} known[16];
	static size_t n_known;
	/* the program the cell runs (tar: its reader is tar too) */
	const char *prog = reference_tool_of(v)->name;
	char *const argv[] = { (char *)prog, "--version", NULL };
	double t[START_RUNS];
	char msg[16];

	for (size_t k = 0; k < n_known; k++)
		if (!strcmp(known[k].prog, prog))
			return known[k].seconds;
	if (harness_run_program(argv, NULL, msg, sizeof(msg)))
		return 0;
	for (int r = 0; r < START_RUNS; r++) {
		double t0 = clock_now();

		if (harness_run_program(argv, NULL, msg, sizeof(msg)))
			return 0;
		t[r] = clock_now() - t0;
	}
	qsort(t, START_RUNS, sizeof(t[0]), cmp_double);
	if (n_known < sizeof(known) / sizeof(known[0]))
		known[n_known++] = (typeof(known[0])){ prog,
						       t[START_RUNS / 2] };
	return t[START_RUNS / 2];
}
