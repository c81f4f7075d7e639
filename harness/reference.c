// SPDX-License-Identifier: MIT
/*
 * Reference tools as cells: GNU cp (default and --reflink=never), dd (bs =
 * the cell's buffer) and rsync (--whole-file), each copy a fork + exec.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "reference.h"
#include "signals.h"
#include "strategies.h"

/* The tool's first words of complaint kept for the cell's reason. */
#define TOOL_MSG_LEN 160
/* "if=" + a scratch path */
#define PATH_MAX_ARG (PATH_MAX + 8)

enum ref_tool { REF_CP, REF_CP_NOREFLINK, REF_DD, REF_RSYNC };

/* The probe hook has no strategy argument: one per program. */
static int probe_cp(const char *dir, char *why, size_t len);
static int probe_dd(const char *dir, char *why, size_t len);
static int probe_rsync(const char *dir, char *why, size_t len);
static int ref_copy_unused(void *state, int src, int dst,
			   const struct copy_range *r);

/* dd's block size is the one tunable a reference tool reads. */
struct ref_dd_options {
	uint64_t buffer;
};

static const struct copy_option ref_dd_options[] = {
	COPY_OPTION_BUFFER(struct ref_dd_options, buffer,
			   STRATEGY_DEFAULT_BUFFER),
	COPY_OPTION_END,
};

#define REF_STRATEGY(id, opts, opts_size, what, probe_fn) {		\
	.abi = COPY_STRATEGY_ABI,					\
	.name = id,							\
	.summary = what,						\
	.options = opts,						\
	.options_size = opts_size,					\
	.probe = probe_fn,						\
	.copy = ref_copy_unused,					\
}

static const struct copy_strategy ref_strategies[] = {
	[REF_CP] = REF_STRATEGY("ref:cp", NULL, 0, "GNU cp, its defaults",
				probe_cp),
	[REF_CP_NOREFLINK] = REF_STRATEGY("ref:cp-reflink-never", NULL, 0,
					  "GNU cp --reflink=never", probe_cp),
	[REF_DD] = REF_STRATEGY("ref:dd", ref_dd_options,
				sizeof(struct ref_dd_options), "dd, bs = the buffer",
				probe_dd),
	[REF_RSYNC] = REF_STRATEGY("ref:rsync", NULL, 0, "rsync --whole-file",
				   probe_rsync),
};

#define N_REF (sizeof(ref_strategies) / sizeof(ref_strategies[0]))

static const char *const ref_command_line[N_REF] = {
	[REF_CP] = "cp SRC DST",
	[REF_CP_NOREFLINK] = "cp --reflink=never SRC DST",
	[REF_DD] = "dd if=SRC of=DST bs=BUFFER status=none",
	[REF_RSYNC] = "rsync --whole-file SRC DST",
};

/* --reference names: which placeholders each one plans. */
static const struct {
	const char *tool;
	enum ref_tool first, last;
} ref_tools[] = {
	{ "cp", REF_CP, REF_CP_NOREFLINK },
	{ "dd", REF_DD, REF_DD },
	{ "rsync", REF_RSYNC, REF_RSYNC },
};

#define N_TOOLS (sizeof(ref_tools) / sizeof(ref_tools[0]))

static int ref_index(const struct copy_strategy *s)
{
	if (s < ref_strategies || s >= ref_strategies + N_REF)
		return -1;
	return (int)(s - ref_strategies);
}

bool reference_is(const struct copy_strategy *s)
{
	return ref_index(s) >= 0;
}

bool reference_name(const char *cell_strategy)
{
	return cell_strategy && !strncmp(cell_strategy, REFERENCE_PREFIX,
					 strlen(REFERENCE_PREFIX));
}

bool reference_cell(const struct cell *c)
{
	return reference_name(c->strategy);
}

const struct copy_strategy *reference_find(const char *cell_strategy)
{
	for (size_t i = 0; cell_strategy && i < N_REF; i++)
		if (!strcmp(ref_strategies[i].name, cell_strategy))
			return &ref_strategies[i];
	return NULL;
}

const char *reference_command(const struct copy_strategy *s)
{
	int i = ref_index(s);

	return i < 0 ? "?" : ref_command_line[i];
}

static int tool_index(const char *name)
{
	for (size_t t = 0; t < N_TOOLS; t++)
		if (!strcmp(ref_tools[t].tool, name))
			return (int)t;
	return -1;
}

int reference_parse(const char *list, char ***names, size_t *n, char *err,
		    size_t len)
{
	char *copy, *tok, *save = NULL;
	int ret = 0;

	if (!strcmp(list, "none"))
		return 0;
	if (!*list || list[0] == ',' || list[strlen(list) - 1] == ',' ||
	    strstr(list, ",,"))
		return strategy_why(err, len, -EINVAL,
				    "'%s': empty item in list", list);
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		char **v;

		if (tool_index(tok) < 0) {
			ret = strategy_why(err, len, -EINVAL,
					   "unknown tool '%s' (expected %s or "
					   "none)", tok, REFERENCE_TOOLS);
			break;
		}
		for (size_t i = 0; i < *n; i++)
			if (!strcmp((*names)[i], tok))
				ret = strategy_why(err, len, -EINVAL,
						   "'%s': listed twice", tok);
		if (ret)
			break;
		v = realloc(*names, (*n + 1) * sizeof(*v));
		if (!v) {
			ret = -ENOMEM;
			break;
		}
		*names = v;
		v[*n] = strdup(tok);
		if (!v[*n]) {
			ret = -ENOMEM;
			break;
		}
		(*n)++;
	}
	free(copy);
	return ret;
}

const struct copy_strategy *reference_at(const struct run_request *rq,
					 size_t i)
{
	for (size_t k = 0; k < rq->n_references; k++) {
		int t = tool_index(rq->references[k]);
		size_t count;

		if (t < 0)
			continue;
		count = ref_tools[t].last - ref_tools[t].first + 1;
		if (i < count)
			return &ref_strategies[ref_tools[t].first + i];
		i -= count;
	}
	return NULL;
}

int harness_run_program(char *const argv[], const char *cwd, char *msg,
			size_t len)
{
	pid_t parent = getpid(), pid;
	int pfd[2], status = 0;
	size_t got = 0;

	if (len)
		msg[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		/* a tool (gnuplot writing the plots, cp in a sample) finishes
		 * its work on Ctrl-C: the parent decides */
		signals_ignore_stop();
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || (cwd && chdir(cwd)))
			_exit(127);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
		    dup2(null, STDOUT_FILENO) < 0 ||
		    dup2(pfd[1], STDERR_FILENO) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
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

/*
 * A program is usable when it answers --version with status 0 and, for
 * cp and dd, is GNU coreutils (the options used are GNU ones). Probed
 * once per process and program: planning asks once per size.
 */
static int probe_program(const char *prog, bool gnu, int *cached,
			 char *reason, size_t rlen, char *why, size_t len)
{
	char msg[TOOL_MSG_LEN];
	char *const argv[] = { (char *)prog, "--version", NULL };
	int status;

	if (!*cached) {
		status = harness_run_program(argv, NULL, msg, sizeof(msg));
		*cached = 1;
		if (status < 0) {
			*cached = status;
			snprintf(reason, rlen, "running %s: %s", prog,
				 strerror(-status));
		} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			*cached = exit_errno(status, msg);
			if (*cached == -ENOENT)
				snprintf(reason, rlen, "%s not found on PATH "
					 "(install %s)", prog,
					 gnu ? "coreutils" : prog);
			else
				describe_exit(prog, status, msg, reason, rlen);
		}
	}
	if (*cached < 0)
		return strategy_why(why, len, *cached, "%s", reason);
	return 0;
}

#define PROBE_FN(fn, prog, gnu)						\
static int fn(const char *dir, char *why, size_t len)			\
{									\
	static int cached;						\
	static char reason[TOOL_MSG_LEN + 64];				\
									\
	(void)dir;							\
	return probe_program(prog, gnu, &cached, reason,		\
			     sizeof(reason), why, len);			\
}

PROBE_FN(probe_cp, "cp", true)
PROBE_FN(probe_dd, "dd", true)
PROBE_FN(probe_rsync, "rsync", false)

/* Never called: the runner runs reference_copy() for placeholders. */
static int ref_copy_unused(void *state, int src, int dst,
			   const struct copy_range *r)
{
	(void)state;
	(void)src;
	(void)dst;
	(void)r;
	return -ENOSYS;
}

int reference_copy(const struct copy_strategy *s, const struct cell *c,
		   const char *src, const char *dst, double *sync_seconds,
		   char *why, size_t len)
{
	int i = ref_index(s), status;
	char bs[40], in[PATH_MAX_ARG], out[PATH_MAX_ARG];
	char msg[TOOL_MSG_LEN];
	char *argv[6] = { 0 };

	switch (i) {
	case REF_CP:
		argv[0] = "cp";
		argv[1] = (char *)src;
		argv[2] = (char *)dst;
		break;
	case REF_CP_NOREFLINK:
		argv[0] = "cp";
		argv[1] = "--reflink=never";
		argv[2] = (char *)src;
		argv[3] = (char *)dst;
		break;
	case REF_DD:
		snprintf(in, sizeof(in), "if=%s", src);
		snprintf(out, sizeof(out), "of=%s", dst);
		snprintf(bs, sizeof(bs), "bs=%" PRIu64,
			 cell_tunable(c, "buffer", STRATEGY_DEFAULT_BUFFER));
		argv[0] = "dd";
		argv[1] = in;
		argv[2] = out;
		argv[3] = bs;
		argv[4] = "status=none";
		break;
	case REF_RSYNC:
		argv[0] = "rsync";
		argv[1] = "--whole-file";
		argv[2] = (char *)src;
		argv[3] = (char *)dst;
		break;
	default:
		return strategy_why(why, len, -EINVAL,
				    "not a reference tool");
	}
	status = harness_run_program(argv, NULL, msg, sizeof(msg));
	if (status < 0)
		return strategy_why(why, len, status, "running %s: %s",
				    argv[0], strerror(-status));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		describe_exit(argv[0], status, msg, why, len);
		return exit_errno(status, msg);
	}
	if (c->sync == SYNC_END) {
		/* the tools do not sync: durability is added the way the
		 * strategies' cells add it, on the destination they wrote */
		double t0 = clock_now();
		int fd = open(dst, O_WRONLY | O_CLOEXEC);
		int ret = 0;

		if (fd < 0 || fdatasync(fd))
			ret = strategy_why(why, len, -errno, "fdatasync: %s",
					   strerror(errno));
		if (fd >= 0)
			close(fd);
		*sync_seconds += clock_now() - t0;
		return ret;
	}
	return 0;
}

void reference_add_children_cpu(double *user, double *sys)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru))
		return;
	*user += ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	*sys += ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}
