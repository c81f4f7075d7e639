// SPDX-License-Identifier: MIT
/*
 * iobench profile: a sweep with profiling on (sweep --profile): counters,
 * system calls, CPU per GiB, memory and perf hot spots per cell; with
 * --memory STRATEGY, heap profiles (massif, heaptrack) of that strategy
 * copying one file of each size first.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flame.h"
#include "memprofile.h"
#include "parse.h"
#include "signals.h"
#include "strategies.h"
#include "verbs.h"

/* sweep's default sizes, which the heap profiles follow without --sizes */
#define MEMORY_DEFAULT_SIZES "4K,1M,64M"

static void usage(void)
{
	printf("usage: iobench profile [--memory STRATEGY] [SWEEP OPTIONS]\n\n"
"Runs iobench sweep --profile: each cell's samples also count, over the\n"
"timed region, with perf_event_open(2): task-clock, context switches,\n"
"CPU migrations, minor and major page faults, cycles, instructions,\n"
"cache misses and branch misses (\"n/a (not supported here)\" where the\n"
"hardware does not expose them), and system calls (raw_syscalls:\n"
"sys_enter tracepoint). When perf is on PATH, each cell is also sampled\n"
"with perf record (DWARF stacks) for its hot spots. report.md gets a \"Profile\"\n"
"section; results.json a \"profile\" object per cell. perf writes only\n"
"in the scratch directory (HOME and TMPDIR there, no build-id cache).\n\n"
"--memory STRATEGY: first, `iobench cp -s STRATEGY` copies one file of\n"
"each --sizes size (default " MEMORY_DEFAULT_SIZES ") under valgrind's massif\n"
"(Debian package valgrind) and, when installed, heaptrack, in a scratch\n"
"directory under --dir; report.md gets \"Heap profile of STRATEGY\": the\n"
"peak heap and the top allocation sites at the peak (caller ->\n"
"allocating function), and heaptrack's allocation calls, temporary\n"
"allocations and peak. The sweep then measures STRATEGY (unless\n"
"--strategies names others too); its Memory table has allocations per\n"
"copy, peak heap, RSS growth and page-cache footprint per cell.\n\n"
"SWEEP OPTIONS are sweep's (see iobench sweep --help; --dry-run prints\n"
"the plan and runs nothing); exit codes are sweep's. Examples:\n"
"  iobench profile --sizes 1M,64M --strategies rw,copy_file_range,io_uring"
" --cache warm\n"
"  iobench profile --memory stdio --sizes 4K,1M --cache warm\n");
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* The last value of a long option in argv ("--x V" or "--x=V"). */
static const char *last_value(int argc, char **argv, const char *opt)
{
	size_t n = strlen(opt);
	const char *v = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], opt) && i + 1 < argc)
			v = argv[++i];
		else if (!strncmp(argv[i], opt, n) && argv[i][n] == '=')
			v = argv[i] + n + 1;
	}
	return v;
}

/*
 * --memory STRATEGY: the heap profiles per size, as the report section
 * the sweep adds (bench_sweep_add_section). EXIT_OK, or EXIT_USAGE /
 * EXIT_RUNTIME after saying why.
 */
struct memory_request {
	const char *strategy;
	int argc;
	char **argv;
};

static int memory_profiles(void *arg)
{
	const struct memory_request *mr = arg;
	const char *strategy = mr->strategy;
	int argc = mr->argc;
	char **argv = mr->argv;
	const char *sizes = last_value(argc, argv, "--sizes");
	const char *dir = last_value(argc, argv, "--dir");
	char self[PATH_MAX], err[PATH_MAX + 256], *md = NULL;
	struct memprofile *p = NULL;
	uint64_t *v = NULL;
	size_t n = 0, len = 0;
	FILE *f;
	int ret = EXIT_USAGE;

	if (!strategy_find(strategy)) {
		bench_error("profile: --memory '%s': no such strategy (see "
			    "iobench list)", strategy);
		return EXIT_USAGE;
	}
	if (parse_size_list(sizes ? sizes : MEMORY_DEFAULT_SIZES, 1ull << 40,
			    &v, &n, err, sizeof(err))) {
		bench_error("profile: --sizes: %s", err);
		return EXIT_USAGE;
	}
	ret = bench_self_exe(self, sizeof(self));
	p = calloc(n ? n : 1, sizeof(*p));
	if (ret || !p) {
		bench_error("profile: %s", ret ? "cannot find this binary"
					       : strerror(ENOMEM));
		ret = EXIT_RUNTIME;
		goto out_free;
	}
	signals_install_stop(on_stop);
	for (size_t i = 0; i < n && !stop_signal; i++) {
		p[i].size = v[i];
		fprintf(stderr, "iobench: profile: heap profile of %s copying "
			"%" PRIu64 " bytes (massif, and heaptrack when "
			"installed) ...\n", strategy, v[i]);
		if (memprofile_run(self, strategy, dir ? dir : ".",
				   &stop_signal, &p[i], err, sizeof(err))) {
			bench_error("profile: --memory: %s", err);
			ret = EXIT_RUNTIME;
			goto out_free;
		}
	}
	if (stop_signal) {
		bench_error("profile: stopped by %s", signals_name(stop_signal));
		ret = signals_exit_code(stop_signal);
		goto out_free;
	}
	f = open_memstream(&md, &len);
	if (!f) {
		bench_error("profile: %s", strerror(ENOMEM));
		ret = EXIT_RUNTIME;
		goto out_free;
	}
	memprofile_markdown(f, strategy, p, n);
	if (fclose(f)) {
		free(md);
		bench_error("profile: %s", strerror(ENOMEM));
		ret = EXIT_RUNTIME;
		goto out_free;
	}
	bench_sweep_add_section(md);
	ret = EXIT_OK;
out_free:
	free(p);
	free(v);
	return ret;
}

int cmd_profile(int argc, char **argv)
{
	char perf[4096], why[256];
	const char *memory = NULL;
	bool strategies = false;
	struct memory_request mr = { .argc = argc, .argv = argv };
	char **sweep_argv;
	int n = 0, ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return EXIT_OK;
		}
	}
	/* counters need no perf tool; only the hot spots do */
	if (!flame_find_perf(perf, sizeof(perf), why, sizeof(why)))
		fprintf(stderr, "iobench: profile: no hot spots: %s\n", why);
	sweep_argv = calloc((size_t)argc + 3, sizeof(*sweep_argv));
	if (!sweep_argv) {
		bench_error("profile: out of memory");
		return EXIT_RUNTIME;
	}
	sweep_argv[n++] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--memory")) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				bench_error("profile: --memory needs a "
					    "strategy (see iobench list)");
				free(sweep_argv);
				return EXIT_USAGE;
			}
			memory = argv[++i];
			continue;
		}
		if (!strncmp(argv[i], "--memory=", 9)) {
			memory = argv[i] + 9;
			continue;
		}
		strategies |= !strcmp(argv[i], "--strategies") ||
			      !strncmp(argv[i], "--strategies=", 13);
		sweep_argv[n++] = argv[i];
	}
	mr.strategy = memory;
	if (memory && !strategies) {
		sweep_argv[n++] = "--strategies";
		sweep_argv[n++] = (char *)memory;
	}
	/* after sweep has checked the options; not on --dry-run */
	if (memory)
		bench_sweep_before_run(memory_profiles, &mr);
	sweep_argv[n] = NULL;
	ret = sweep_main("profile", (char *[]){ "profile", "--profile", NULL },
			 n, sweep_argv);
	free(sweep_argv);
	return ret;
}
