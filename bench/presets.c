// SPDX-License-Identifier: MIT
/*
 * iobench quick / full: preset sweeps: the preset's options, then the
 * user's extra ones, parsed into one request (sweep_main).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verbs.h"

struct preset {
	const char *name;
	const char *what;		/* one paragraph for --help */
	const char *const *args;	/* sweep options, NULL-terminated */
};

static const char *const quick_args[] = {
	"--sizes", "4K,1M,64M", "--cache", "warm", "--samples", "10", NULL,
};

/* replaced at run time by "1,2,N" (N = online CPUs, when above 2) */
#define THREADS_ARG "1,2,<cores>"

static const char *const full_args[] = {
	"--sizes", "1K,64K,1M,16M,256M,1G",
	"--buffers", "4K,64K,128K,1M",
	"--qd", "1,8,32",
	"--cache", "warm,cold",
	"--sync", "none,end",
	"--threads", THREADS_ARG,
	"--parallel", "files,ranges",
	"--profile",
	NULL,
};

static const struct preset quick = {
	"quick",
	"A short sweep of every strategy usable here: sizes 4K, 1M and 64M,\n"
	"warm cache, default tunables, 10 samples per cell. `iobench` with no\n"
	"verb runs it.\n",
	quick_args,
};

static const struct preset full = {
	"full",
	"The big sweep: sizes 1K, 64K, 1M, 16M, 256M and 1G; buffers 4K,\n"
	"64K, 128K and 1M; queue depths 1, 8 and 32; warm and cold cache;\n"
	"sync none and end; 1, 2 and as many threads as cores, by files and\n"
	"by ranges; profiling on (counters, system calls, hot spots). It\n"
	"takes long: sweep prints the planned cell count and duration before\n"
	"it starts; --budget SECONDS bounds each cell.\n",
	full_args,
};

static void preset_usage(const struct preset *p)
{
	printf("usage: iobench %s [SWEEP OPTIONS]\n\n%s\nIt runs:\n  "
	       "iobench sweep", p->name, p->what);
	for (const char *const *a = p->args; *a; a++)
		printf(" %s", *a);
	printf(" [SWEEP OPTIONS]\n\nSWEEP OPTIONS (--dir, --out, --budget, "
	       "--quiet, --dry-run,\n--save-baseline ...; see iobench sweep "
	       "--help) are passed on after\nthe preset's own, so a repeated "
	       "option replaces the preset's value;\nexit codes are sweep's. "
	       "--dry-run (-n) prints the plan, its cell count\nand "
	       "estimated duration, and runs nothing.\n");
}

/* "1,2" plus the number of online CPUs when that is more than 2. */
static char *threads_list(void)
{
	static char list[32];
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cores > 2)
		snprintf(list, sizeof(list), "1,2,%ld", cores);
	else
		snprintf(list, sizeof(list), "1,2");
	return list;
}

/* The preset's options (argv[0] the verb, as getopt wants), then the
 * user's, through sweep_main. */
static int run_preset(const struct preset *p, int argc, char **argv)
{
	size_t n = 0;
	char **args;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			preset_usage(p);
			return EXIT_OK;
		}
	}
	while (p->args[n])
		n++;
	args = calloc(n + 2, sizeof(*args));
	if (!args) {
		bench_error("%s: out of memory", p->name);
		return EXIT_RUNTIME;
	}
	args[0] = (char *)p->name;
	for (size_t i = 0; i < n; i++)
		args[i + 1] = strcmp(p->args[i], THREADS_ARG) ?
			      (char *)p->args[i] : threads_list();
	ret = sweep_main(p->name, args, argc, argv);
	free(args);
	return ret;
}

const char *const *bench_preset_args(const char *name)
{
	static const char *args[sizeof(full_args) / sizeof(full_args[0])];
	const struct preset *p = !strcmp(name, "quick") ? &quick :
				 !strcmp(name, "full") ? &full : NULL;
	size_t n = 0;

	if (!p)
		return NULL;
	for (; p->args[n]; n++)
		args[n] = strcmp(p->args[n], THREADS_ARG) ? p->args[n] :
			  threads_list();
	args[n] = NULL;
	return args;
}

int cmd_quick(int argc, char **argv)
{
	return run_preset(&quick, argc, argv);
}

int cmd_full(int argc, char **argv)
{
	return run_preset(&full, argc, argv);
}
