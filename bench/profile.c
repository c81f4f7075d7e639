// SPDX-License-Identifier: MIT
/*
 * iobench profile: a sweep with profiling on (sweep --profile): counters,
 * system calls, CPU per GiB, memory and perf hot spots per cell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flame.h"
#include "verbs.h"

static void usage(void)
{
	printf("usage: iobench profile [SWEEP OPTIONS]\n\n"
"Runs iobench sweep --profile: each cell's samples also count, over the\n"
"timed region, with perf_event_open(2): task-clock, context switches,\n"
"CPU migrations, minor and major page faults, cycles, instructions,\n"
"cache misses and branch misses (\"n/a (not supported here)\" where the\n"
"hardware does not expose them), and system calls (raw_syscalls:\n"
"sys_enter tracepoint). When perf is on PATH, each cell is also sampled\n"
"with perf record (DWARF stacks) for its hot spots. report.md gets a \"Profile\"\n"
"section; results.json a \"profile\" object per cell. perf writes only\n"
"in the scratch directory (HOME and TMPDIR there, no build-id cache).\n\n"
"SWEEP OPTIONS are sweep's (see iobench sweep --help; --dry-run prints\n"
"the plan and runs nothing); exit codes are sweep's. Example:\n"
"  iobench profile --sizes 1M,64M --strategies rw,copy_file_range,io_uring"
" --cache warm\n");
}

int cmd_profile(int argc, char **argv)
{
	char perf[4096], why[256];
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return EXIT_OK;
		}
	}
	/* counters need no perf tool; only the hot spots do */
	if (!flame_find_perf(perf, sizeof(perf), why, sizeof(why)))
		fprintf(stderr, "iobench: profile: no hot spots: %s\n", why);
	ret = sweep_main("profile", (char *[]){ "profile", "--profile", NULL },
			 argc, argv);
	return ret;
}
