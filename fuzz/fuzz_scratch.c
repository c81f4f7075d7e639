// SPDX-License-Identifier: MIT
/* The fuzzers' scratch directory (see fuzz_scratch.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_scratch.h"

static char dir[] = "/tmp/iobench-fuzz-XXXXXX";
static char path[PATH_MAX];

static void remove_scratch(void)
{
	remove(path); /* a file or an empty directory */
	rmdir(dir);
}

const char *fuzz_scratch_path(const char *leaf)
{
	if (!mkdtemp(dir) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, leaf) >=
		    (int)sizeof(path))
		abort();
	atexit(remove_scratch);
	return path;
}

const char *fuzz_scratch_dir(void)
{
	return dir;
}
