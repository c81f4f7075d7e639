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
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "reference.h"
#include "signals.h"
#include "strategies.h"
#include "tree_copy.h"

/* The tool's first words of complaint kept for the cell's reason. */
#define TOOL_MSG_LEN 160
/* "if=" + a scratch path */
#define PATH_MAX_ARG (PATH_MAX + 8)
/* A view probe's reason, sent back through a pipe. */
#define REASON_PROBE_LEN 256

enum ref_tool {
	REF_CP, REF_CP_NOREFLINK, REF_DD, REF_RSYNC,
	/* a --source tree, copied whole by one process */
	REF_TREE_CP_R, REF_TREE_CP_A, REF_TREE_RSYNC_A, REF_TREE_TAR,
};

/* The probe hook has no strategy argument: one per program. */
static int probe_cp(const char *dir, char *why, size_t len);
static int probe_dd(const char *dir, char *why, size_t len);
static int probe_rsync(const char *dir, char *why, size_t len);
static int probe_tar(const char *dir, char *why, size_t len);
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
	[REF_TREE_CP_R] = REF_STRATEGY("ref:cp-r", NULL, 0,
				       "GNU cp -r, the whole tree", probe_cp),
	[REF_TREE_CP_A] = REF_STRATEGY("ref:cp-a", NULL, 0,
				       "GNU cp -a, the whole tree", probe_cp),
	[REF_TREE_RSYNC_A] = REF_STRATEGY("ref:rsync-a", NULL, 0,
					  "rsync -a, the whole tree",
					  probe_rsync),
	[REF_TREE_TAR] = REF_STRATEGY("ref:tar", NULL, 0,
				      "tar -c | tar -x, the whole tree",
				      probe_tar),
};

#define N_REF (sizeof(ref_strategies) / sizeof(ref_strategies[0]))

static const char *const ref_command_line[N_REF] = {
	[REF_CP] = "cp -t DIR SRC...",
	[REF_CP_NOREFLINK] = "cp --reflink=never -t DIR SRC...",
	[REF_DD] = "dd if=SRC of=DST bs=BUFFER status=none",
	[REF_RSYNC] = "rsync --whole-file SRC... DIR/",
	[REF_TREE_CP_R] = "cp -r TREE DST",
	[REF_TREE_CP_A] = "cp -a TREE DST",
	[REF_TREE_RSYNC_A] = "rsync -a TREE/ DST/",
	[REF_TREE_TAR] = "tar -C TREE -cf - . | tar -C DST -xf -",
};

/* --reference names: which placeholders each one plans, for generated
 * files and for a --source tree (n = 0: none). */
static const struct {
	const char *tool;
	enum ref_tool first;
	unsigned n;
	enum ref_tool tree_first;
	unsigned tree_n;
} ref_tools[] = {
	{ "cp", REF_CP, 2, REF_TREE_CP_R, 2 },
	{ "dd", REF_DD, 1, 0, 0 },
	{ "rsync", REF_RSYNC, 1, REF_TREE_RSYNC_A, 1 },
	{ "tar", 0, 0, REF_TREE_TAR, 1 },
};

#define N_TOOLS (sizeof(ref_tools) / sizeof(ref_tools[0]))

static int ref_index(const struct copy_strategy *s)
{
	if (s < ref_strategies || s >= ref_strategies + N_REF)
		return -1;
	return (int)(s - ref_strategies);
}

const struct copy_strategy *reference_nth(size_t i)
{
	return i < N_REF ? &ref_strategies[i] : NULL;
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
		count = rq->source ? ref_tools[t].tree_n : ref_tools[t].n;
		if (i < count)
			return &ref_strategies[(rq->source ?
						ref_tools[t].tree_first :
						ref_tools[t].first) + i];
		i -= count;
	}
	return NULL;
}

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

/* harness_run_program() with stdin from in_fd (-1: /dev/null). */
static int run_program_io(char *const argv[], const char *cwd, int in_fd,
			  char *msg, size_t len)
{
	int pfd[2], status = 0;
	size_t got = 0;
	pid_t pid;

	if (len)
		msg[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = spawn(argv, cwd, in_fd, -1, pfd[1]);
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
	return run_program_io(argv, cwd, -1, msg, len);
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
static int probe_program(const char *prog, const char *pkg, int *cached,
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
					 pkg);
			else
				describe_exit(prog, status, msg, reason, rlen);
		}
	}
	if (*cached < 0)
		return strategy_why(why, len, *cached, "%s", reason);
	return 0;
}

#define PROBE_FN(fn, prog, pkg)						\
static int fn(const char *dir, char *why, size_t len)			\
{									\
	static int cached;						\
	static char reason[TOOL_MSG_LEN + 64];				\
									\
	(void)dir;							\
	return probe_program(prog, pkg, &cached, reason,		\
			     sizeof(reason), why, len);			\
}

PROBE_FN(probe_cp, "cp", "coreutils")
PROBE_FN(probe_dd, "dd", "coreutils")
PROBE_FN(probe_rsync, "rsync", "rsync")
PROBE_FN(probe_tar, "tar", "tar")

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
	if (c->sync == SYNC_END)
		return sync_outputs((char *const *)&dst, 1, sync_seconds, why,
				    len);
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


/* ---- a --source tree, one process for the whole tree ---- */

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

/* tar -c | tar -x: the writer runs beside the reader; the first failing
 * status wins. */
static int run_pipeline(char *const w_argv[], char *const r_argv[],
			char *msg, size_t len)
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
	status = run_program_io(r_argv, NULL, p[0], msg, len);
	close(p[0]);
	while (waitpid(pid, &w_status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (status >= 0 && !(WIFEXITED(status) && !WEXITSTATUS(status)))
		return status;
	return w_status ? w_status : status;
}

int reference_tree_copy(const struct copy_strategy *s, const struct cell *c,
			const char *view, const char *dir, char *const *dst,
			unsigned k, double *sync_seconds, char *why, size_t len)
{
	char out[PATH_MAX], in_slash[PATH_MAX + 2], out_slash[PATH_MAX + 2];
	char msg[TOOL_MSG_LEN];
	int i = ref_index(s), status;

	if (snprintf(out, sizeof(out), "%s/" TREE_COPY_DIR, dir) >=
	    (int)sizeof(out))
		return strategy_why(why, len, -ENAMETOOLONG, "%s: %s", dir,
				    strerror(ENAMETOOLONG));
	snprintf(in_slash, sizeof(in_slash), "%s/", view);
	snprintf(out_slash, sizeof(out_slash), "%s/", out);
	{
		char *cp_r[] = { "cp", "-r", (char *)view, out, NULL };
		char *cp_a[] = { "cp", "-a", (char *)view, out, NULL };
		char *rsync_a[] = { "rsync", "-a", in_slash, out_slash, NULL };
		char *tar_c[] = { "tar", "-C", (char *)view, "-cf", "-", ".",
				  NULL };
		char *tar_x[] = { "tar", "-C", out, "-xf", "-", NULL };

		switch (i) {
		case REF_TREE_CP_R:
			status = harness_run_program(cp_r, NULL, msg,
						     sizeof(msg));
			break;
		case REF_TREE_CP_A:
			status = harness_run_program(cp_a, NULL, msg,
						     sizeof(msg));
			break;
		case REF_TREE_RSYNC_A:
			status = harness_run_program(rsync_a, NULL, msg,
						     sizeof(msg));
			break;
		case REF_TREE_TAR:
			/* tar -x needs its directory: made inside the
			 * timed region, as cp and rsync make theirs */
			if (mkdir(out, 0755))
				return strategy_why(why, len, -errno,
						    "mkdir %s: %s", out,
						    strerror(errno));
			status = run_pipeline(tar_c, tar_x, msg, sizeof(msg));
			break;
		default:
			return strategy_why(why, len, -EINVAL, "%s: not a "
					    "tool for a tree", s->name);
		}
	}
	if (status < 0)
		return strategy_why(why, len, status, "running %s: %s",
				    s->name, strerror(-status));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		describe_exit(reference_command(s), status, msg, why, len);
		return exit_errno(status, msg);
	}
	if (c->sync == SYNC_END)
		return sync_outputs(dst, k, sync_seconds, why, len);
	return 0;
}


/* ---- generated files: one process for the batch ---- */

/* Paths one tool process takes at most: well below ARG_MAX for scratch
 * paths; a larger batch runs the tool again for the rest. */
#define REF_BATCH_MAX 2048

bool reference_batches(const struct copy_strategy *s)
{
	int i = ref_index(s);

	return i == REF_CP || i == REF_CP_NOREFLINK || i == REF_RSYNC;
}

int reference_batch_copy(const struct copy_strategy *s, const struct cell *c,
			 char *const *src, char *const *dst, unsigned k,
			 const char *dir, double *sync_seconds, char *why,
			 size_t len)
{
	int i = ref_index(s), status = 0;
	char dir_slash[PATH_MAX + 2], msg[TOOL_MSG_LEN];
	char **argv;
	size_t head;

	if (!reference_batches(s))
		return strategy_why(why, len, -EINVAL, "%s: copies one file "
				    "per process", s->name);
	argv = calloc(REF_BATCH_MAX + 6, sizeof(*argv));
	if (!argv)
		return strategy_why(why, len, -ENOMEM, "%s", strerror(ENOMEM));
	snprintf(dir_slash, sizeof(dir_slash), "%s/", dir);
	/* cp -t DIR SRC...; rsync SRC... DIR/ */
	head = 0;
	argv[head++] = i == REF_RSYNC ? "rsync" : "cp";
	if (i == REF_CP_NOREFLINK)
		argv[head++] = "--reflink=never";
	if (i == REF_RSYNC) {
		argv[head++] = "--whole-file";
	} else {
		argv[head++] = "-t";
		argv[head++] = (char *)dir;
	}
	for (unsigned from = 0; from < k && !status; from += REF_BATCH_MAX) {
		unsigned n = k - from < REF_BATCH_MAX ? k - from : REF_BATCH_MAX;
		size_t a = head;

		for (unsigned f = 0; f < n; f++)
			argv[a++] = src[from + f];
		if (i == REF_RSYNC)
			argv[a++] = dir_slash;
		argv[a] = NULL;
		status = harness_run_program(argv, NULL, msg, sizeof(msg));
	}
	free(argv);
	if (status < 0)
		return strategy_why(why, len, status, "running %s: %s",
				    s->name, strerror(-status));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		describe_exit(s->name + strlen(REFERENCE_PREFIX), status, msg,
			      why, len);
		return exit_errno(status, msg);
	}
	if (c->sync == SYNC_END)
		return sync_outputs(dst, k, sync_seconds, why, len);
	return 0;
}

/* How many times reference_start_seconds() starts a tool (after one
 * untimed start that loads it into the page cache). */
#define START_RUNS 9

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double reference_start_seconds(const struct copy_strategy *s)
{
	static struct {
		const char *prog;
		double seconds;
	} known[8];
	static size_t n_known;
	const char *prog;
	double t[START_RUNS];
	int i = ref_index(s);

	if (i < 0)
		return 0;
	/* the program the cell runs: tar's reader, cp, dd, rsync */
	prog = i == REF_DD ? "dd" : i == REF_RSYNC || i == REF_TREE_RSYNC_A ?
	       "rsync" : i == REF_TREE_TAR ? "tar" : "cp";
	for (size_t k = 0; k < n_known; k++)
		if (!strcmp(known[k].prog, prog))
			return known[k].seconds;
	{
		char *const argv[] = { (char *)prog, "--version", NULL };
		char msg[16];

		if (harness_run_program(argv, NULL, msg, sizeof(msg)))
			return 0;
		for (int r = 0; r < START_RUNS; r++) {
			double t0 = clock_now();

			if (harness_run_program(argv, NULL, msg, sizeof(msg)))
				return 0;
			t[r] = clock_now() - t0;
		}
	}
	qsort(t, START_RUNS, sizeof(t[0]), cmp_double);
	if (n_known < sizeof(known) / sizeof(known[0]))
		known[n_known++] = (typeof(known[0])){ prog,
						       t[START_RUNS / 2] };
	return t[START_RUNS / 2];
}


/* ---- one sample of a reference cell ---- */

int reference_sample(const struct reference_job *j, double *seconds,
		     double *sync_seconds, char *why, size_t len)
{
	char view[PATH_MAX];
	double t0;
	int ret = 0;

	/* a tree is read through a read-only view of it, made untimed */
	if (j->tree) {
		ret = reference_tree_view(j->tree, j->dir, view, sizeof(view),
					  why, len);
		if (ret)
			return ret;
	}
	t0 = clock_now();
	if (j->tree)
		ret = reference_tree_copy(j->s, j->c, view, j->dir, j->dst,
					  j->k, sync_seconds, why, len);
	else if (reference_batches(j->s))
		ret = reference_batch_copy(j->s, j->c, j->src, j->dst, j->k,
					   j->dir, sync_seconds, why, len);
	else
		for (unsigned i = 0; i < j->k && !ret; i++)
			ret = reference_copy(j->s, j->c, j->src[i], j->dst[i],
					     sync_seconds, why, len);
	*seconds = clock_now() - t0;
	return ret;
}
