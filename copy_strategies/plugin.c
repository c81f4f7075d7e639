// SPDX-License-Identifier: MIT
/*
 * The plugin loader: dlopen(3)s a shared object, asks its
 * iobench_strategy_entry() for its strategies, checks each one as the
 * built-ins are checked (strategy_check) and appends them to the registry
 * after the built-ins, in load order. A plugin with any fault is refused
 * whole and unloaded, as fio refuses an external engine.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strategies.h"

/* More than any plugin needs; bounds a runaway entry() array. */
#define PLUGIN_STRATEGIES_MAX 64

struct plugin {
	void *handle;
	char *path; /* as given, for messages and listings */
};

struct plugin_strategy {
	const struct copy_strategy *s;
	size_t plugin; /* index into plugins */
};

static struct plugin *plugins;
static size_t n_plugins;
static struct plugin_strategy *loaded;
static size_t n_loaded;

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
		l[n_loaded++] = (struct plugin_strategy){ list[i], n_plugins };
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
