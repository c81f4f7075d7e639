// SPDX-License-Identifier: MIT
/*
 * The plugin loader: dlopen(3)s a shared object, asks its
 * iobench_strategy_entry() for its strategies, checks each one as the
 * built-ins are checked (strategy_check) and appends them to the registry
 * after the built-ins, in load order. A plugin with any fault is refused
 * whole and unloaded, as fio refuses an external engine. A plugin's
 * probe runs in a child process with a time limit: a probe that crashes
 * or never returns fails with the reason instead of taking iobench down.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strategies.h"

/* More than any plugin needs; bounds a runaway entry() array. */
#define PLUGIN_STRATEGIES_MAX 64
/* A probe looks at a directory: seconds, not minutes, even on slow disks. */
#define PLUGIN_PROBE_TIMEOUT_S 20
#define PLUGIN_WHY_MAX 512

struct plugin {
	void *handle;
	char *path; /* as given, for messages and listings */
};

struct plugin_strategy {
	const struct copy_strategy *s;
	size_t plugin; /* index into plugins */
	int probe_fault; /* its probe crashed or hung: -errno, else 0 */
	char *probe_fault_why; /* why, said again without probing */
};

static struct plugin *plugins;
static size_t n_plugins;
static struct plugin_strategy *loaded;
static size_t n_loaded;
/* probes run here, unisolated: no process may be forked (MPI) */
static bool probe_in_process;

void strategy_plugin_probe_in_process(bool yes)
{
	probe_in_process = yes;
}

size_t strategy_plugin_count(void)
{
	return n_loaded;
}

const struct copy_strategy *strategy_plugin_at(size_t i)
{
	return i < n_loaded ? loaded[i].s : NULL;
}

const char *strategy_plugin_path(const struct copy_strategy *s)
{
	for (size_t i = 0; i < n_loaded; i++)
		if (loaded[i].s == s)
			return plugins[loaded[i].plugin].path;
	return NULL;
}

/* What a probe child sends back: its return value and reason. */
struct probe_answer {
	int ret;
	char why[PLUGIN_WHY_MAX];
};

/* Whether process pid is stopped (SIGSTOP, Ctrl-Z): the time it spends so
 * does not count against a probe's time limit. */
static bool process_stopped(pid_t pid)
{
	char path[64], line[512], *p;
	FILE *f;
	bool stopped = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	/* the state follows "(comm)", which may hold spaces */
	if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')))
		stopped = p[1] == ' ' && (p[2] == 'T' || p[2] == 't');
	fclose(f);
	return stopped;
}

/* In the probe child: default signal actions (the parent's handlers only
 * set flags), the probe, its answer down fd. Never returns. */
static void probe_child(const struct copy_strategy *s, const char *dir,
			int fd)
{
	struct probe_answer a = { 0 };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	a.ret = s->probe(dir, a.why, sizeof(a.why));
	a.why[sizeof(a.why) - 1] = '\0';
	if (write(fd, &a, sizeof(a)) != (ssize_t)sizeof(a))
		_exit(1);
	_exit(0);
}

/* Waits for the child's answer for up to PLUGIN_PROBE_TIMEOUT_S of time
 * it was not stopped; then kills it if it is still there and reaps it.
 * 0 with a whole answer, or -errno with the reason in why. */
static int probe_wait(const struct copy_strategy *s, pid_t pid, int fd,
		      struct probe_answer *a, char *why, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	int waited_ms = 0, status, ret = 0;

	while (got < sizeof(*a)) {
		ssize_t n;
		int r = poll(&pfd, 1, 250);

		if (r < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (r <= 0) {
			if (!process_stopped(pid))
				waited_ms += 250;
			if (waited_ms >= PLUGIN_PROBE_TIMEOUT_S * 1000) {
				ret = -ETIMEDOUT;
				break;
			}
			continue;
		}
		n = read(fd, (char *)a + got, sizeof(*a) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* the child died, or its answer is short */
		got += n;
	}
	if (ret)
		kill(pid, SIGKILL);	/* never wait on a probe that hangs */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == -ETIMEDOUT)
		return strategy_why(why, len, ret, "%s: its probe did not "
				    "return within %d s (plugin %s)", s->name,
				    PLUGIN_PROBE_TIMEOUT_S,
				    strategy_plugin_path(s));
	if (!ret && WIFSIGNALED(status))
		return strategy_why(why, len, -EFAULT, "%s: its probe crashed: "
				    "signal %d (%s) (plugin %s)", s->name,
				    WTERMSIG(status), strsignal(WTERMSIG(status)),
				    strategy_plugin_path(s));
	if (!ret && got < sizeof(*a))
		return strategy_why(why, len, -EPROTO, "%s: its probe exited "
				    "without an answer (plugin %s)", s->name,
				    strategy_plugin_path(s));
	return ret ? strategy_why(why, len, ret, "%s: probing it: %s",
				  s->name, strerror(-ret)) : 0;
}

int strategy_plugin_probe(const struct copy_strategy *s, const char *dir,
			  char *why, size_t len)
{
	struct plugin_strategy *ps = NULL;
	struct probe_answer a;
	int fds[2], ret;
	pid_t pid;

	for (size_t i = 0; i < n_loaded; i++)
		if (loaded[i].s == s)
			ps = &loaded[i];
	if (!ps || !s->probe || probe_in_process)
		return s->probe ? s->probe(dir, why, len) : 0;
	if (ps->probe_fault)
		return strategy_why(why, len, ps->probe_fault, "%s",
				    ps->probe_fault_why ? ps->probe_fault_why
							: "its probe failed");
	if (pipe2(fds, O_CLOEXEC))
		return strategy_why(why, len, -errno, "%s: probing it: %s",
				    s->name, strerror(errno));
	fflush(NULL);	/* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return strategy_why(why, len, ret, "%s: probing it: %s",
				    s->name, strerror(-ret));
	}
	if (!pid) {
		close(fds[0]);
		probe_child(s, dir, fds[1]);
	}
	close(fds[1]);
	ret = probe_wait(s, pid, fds[0], &a, why, len);
	close(fds[0]);
	if (ret == -ETIMEDOUT || ret == -EFAULT || ret == -EPROTO) {
		/* a defect of the plugin, not of dir: not probed again */
		ps->probe_fault = ret;
		free(ps->probe_fault_why);
		ps->probe_fault_why = len ? strdup(why) : NULL;
		return ret;
	}
	if (ret)
		return ret;
	if (len)
		snprintf(why, len, "%s", a.why);
	return a.ret;
}

/* dlerror() names the file first ("PATH: cannot open ..."): drop that,
 * the message names it already. */
static const char *dl_reason(const char *path)
{
	const char *e = dlerror();
	size_t n = strlen(path);

	if (!e)
		return "unknown dynamic loader error";
	if (!strncmp(e, path, n) && !strncmp(e + n, ": ", 2))
		return e + n + 2;
	return e;
}

/* Who already has the name: 0 if nobody, else -EEXIST + why. */
static int check_name_free(const char *path, const struct copy_strategy *s,
			   const struct copy_strategy *const *mine, size_t i,
			   char *why, size_t len)
{
	const struct copy_strategy *other = strategy_find(s->name);
	const char *owner;

	for (size_t k = 0; k < i; k++)
		if (!strcmp(mine[k]->name, s->name))
			return strategy_why(why, len, -EEXIST,
					    "plugin %s: "
					    "declares strategy '%s' twice",
					    path, s->name);
	if (!other)
		return 0;
	owner = strategy_plugin_path(other);
	if (!owner)
		return strategy_why(why, len, -EEXIST,
				    "plugin %s: strategy "
				    "'%s' is a built-in name: choose another",
				    path, s->name);
	return strategy_why(why, len, -EEXIST,
			    "plugin %s: strategy '%s' is "
			    "already loaded from %s",
			    path, s->name, owner);
}

/* Every strategy the entry point returned, checked: 0 or -errno + why. */
static int check_strategies(const char *path,
			    const struct copy_strategy *const *list,
			    size_t *count, char *why, size_t len)
{
	char reason[512];
	size_t n = 0;
	int ret;

	if (!list || !list[0])
		return strategy_why(why, len, -EINVAL,
				    "plugin %s: %s() "
				    "returned no strategy",
				    path, COPY_STRATEGY_ENTRY);
	for (; list[n]; n++) {
		if (n == PLUGIN_STRATEGIES_MAX)
			return strategy_why(why, len, -E2BIG,
					    "plugin %s: more "
					    "than %d strategies (is the array "
					    "NULL-ended?)",
					    path, PLUGIN_STRATEGIES_MAX);
		ret = strategy_check(list[n], reason, sizeof(reason));
		if (ret)
			return strategy_why(why, len, ret, "plugin %s: %s",
					    path, reason);
		ret = check_name_free(path, list[n], list, n, why, len);
		if (ret)
			return ret;
	}
	*count = n;
	return 0;
}

/* Appends the checked strategies of a new plugin: 0 or -ENOMEM. */
static int add_plugin(void *handle, const char *path,
		      const struct copy_strategy *const *list, size_t n)
{
	struct plugin *p = realloc(plugins, (n_plugins + 1) * sizeof(*p));
	struct plugin_strategy *l;

	if (!p)
		return -ENOMEM;
	plugins = p;
	l = realloc(loaded, (n_loaded + n) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	loaded = l;
	p[n_plugins].path = strdup(path);
	if (!p[n_plugins].path)
		return -ENOMEM;
	p[n_plugins].handle = handle;
	for (size_t i = 0; i < n; i++)
		l[n_loaded++] = (struct plugin_strategy){ .s = list[i],
							  .plugin = n_plugins };
	n_plugins++;
	return 0;
}

int strategy_plugin_load(const char *path, char *why, size_t len)
{
	const struct copy_strategy *const *(*entry)(void);
	const struct copy_strategy *const *list;
	const char *open_path = path;
	char local[PATH_MAX];
	struct stat st;
	void *handle;
	size_t n = 0;
	int ret;

	if (len)
		why[0] = '\0';
	if (stat(path, &st))
		return strategy_why(why, len, -errno, "plugin %s: %s", path,
				    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return strategy_why(why, len, -EINVAL,
				    "plugin %s: not a "
				    "regular file",
				    path);
	/* dlopen searches the library path for a name without a slash;
	 * a plugin named on the command line is a file here */
	if (!strchr(path, '/') &&
	    snprintf(local, sizeof(local), "./%s", path) < (int)sizeof(local))
		open_path = local;
	dlerror();
	handle = dlopen(open_path, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return strategy_why(why, len, -ENOEXEC,
				    "plugin %s: cannot "
				    "load: %s",
				    path, dl_reason(open_path));
	for (size_t i = 0; i < n_plugins; i++) {
		if (plugins[i].handle == handle) {
			/* the same file again (a path and a directory
			 * naming it): already in the registry */
			dlclose(handle);
			return 0;
		}
	}
	*(void **)&entry = dlsym(handle, COPY_STRATEGY_ENTRY);
	if (!entry) {
		ret = strategy_why(why, len, -ENOEXEC,
				   "plugin %s: not an "
				   "iobench plugin: no %s() (see "
				   "iobench/strategy.h)",
				   path, COPY_STRATEGY_ENTRY);
		goto out_close;
	}
	list = entry();
	ret = check_strategies(path, list, &n, why, len);
	if (!ret)
		ret = add_plugin(handle, path, list, n);
	if (ret == -ENOMEM)
		strategy_why(why, len, ret, "plugin %s: out of memory", path);
	if (!ret)
		return 0;
out_close:
	dlclose(handle);
	return ret;
}

static int so_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 3 &&
	       !strcmp(d->d_name + n - 3, ".so");
}

/* Every *.so in dir, in name order. */
static int load_dir(const char *dir, char *why, size_t len)
{
	struct dirent **names;
	char path[PATH_MAX];
	int n = scandir(dir, &names, so_file, alphasort), ret = 0;

	if (n < 0)
		return strategy_why(why, len, -errno,
				    "plugin directory %s: "
				    "%s",
				    dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		if (!ret) {
			if (snprintf(path, sizeof(path), "%s/%s", dir,
				     names[i]->d_name) >= (int)sizeof(path))
				ret = strategy_why(why, len, -ENAMETOOLONG,
						   "plugin directory %s: %s: "
						   "name too long",
						   dir, names[i]->d_name);
			else
				ret = strategy_plugin_load(path, why, len);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int strategy_plugin_load_list(const char *list, char *why, size_t len)
{
	char *copy = strdup(list), *save = NULL;
	struct stat st;
	int ret = 0;

	if (!copy)
		return strategy_why(why, len, -ENOMEM, "out of memory");
	for (char *item = strtok_r(copy, ":", &save); item && !ret;
	     item = strtok_r(NULL, ":", &save)) {
		if (!stat(item, &st) && S_ISDIR(st.st_mode))
			ret = load_dir(item, why, len);
		else
			ret = strategy_plugin_load(item, why, len);
	}
	free(copy);
	return ret;
}
