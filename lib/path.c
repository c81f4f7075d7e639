// SPDX-License-Identifier: MIT
/* $PATH lookup, a path's directory (see path.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"
#include "strlist.h"

struct lookup {
	const char *name;
	char *out;
	size_t len;
};

static int try_dir(const char *dir, void *ctx)
{
	struct lookup *l = ctx;
	char full[PATH_MAX];

	if (snprintf(full, sizeof(full), "%s/%s", *dir ? dir : ".",
		     l->name) >= (int)sizeof(full) ||
	    access(full, X_OK))
		return 0;
	if (l->len)
		snprintf(l->out, l->len, "%s", full);
	return 1;
}

bool path_find_program(const char *name, char *out, size_t len)
{
	struct lookup l = { name, out, len };
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		if (access(name, X_OK))
			return false;
		if (len)
			snprintf(out, len, "%s", name);
		return true;
	}
	/* then the sbin directories a non-root $PATH often lacks (mkfs) */
	return strlist_each(path ? path : "/usr/bin:/bin", ':', 0, try_dir,
			    &l, NULL, 0) == 1 ||
	       strlist_each("/usr/local/sbin:/usr/sbin:/sbin", ':', 0,
			    try_dir, &l, NULL, 0) == 1;
}

void path_dir_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash)
		snprintf(out, len, "%.*s", (int)(slash - path), path);
	else
		snprintf(out, len, ".");
}
