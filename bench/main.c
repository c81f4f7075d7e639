// SPDX-License-Identifier: MIT
/*
 * iobench: file-copy I/O benchmark. Dispatches to the verbs.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "scratch.h"
#include "verbs.h"
#include "version.h"

static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} verbs[] = {
	{ "quick", cmd_quick, "short preset sweep (< 30 s); also: no verb" },
	{ "full", cmd_full, "big preset sweep: sizes, buffers, qd, cold, sync, threads, profiling" },
	{ "sweep", cmd_sweep, "measure strategies x sizes x tunables; write a report" },
	{ "compare", cmd_compare, "compare two runs or baselines; exit 4 on regression" },
	{ "profile", cmd_profile, "sweep with counters, syscalls and hot spots per cell" },
	{ "flame", cmd_flame, "SVG flame graph of one strategy copying (perf)" },
	{ "list", cmd_list, "strategies, their tunables, usable here or not" },
	{ "cp", cmd_cp, "copy one file with one strategy" },
	{ "doctor", cmd_doctor, "pre-flight checks: what works here and why" },
	{ "device", cmd_device, "fio-grade device ceilings: bandwidth, IOPS, latency" },
	{ "check", cmd_check, "conformance matrix against a strategy or plugin" },
	{ "new-strategy", cmd_new_strategy, "write a strategy plugin skeleton" },
};

void bench_error(const char *fmt, ...)
{
	va_list ap;

	fputs("iobench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* What a run finds of the runs killed outright before it (scratch.h):
 * the directories it removed, or could not, said on stderr. */
static void on_stale_scratch(void *ctx, const struct scratch_finding *f)
{
	char line[PATH_MAX + 256];

	if (f->state != SCRATCH_REMOVED && f->state != SCRATCH_REMOVE_FAILED)
		return;		/* iobench doctor reports the others */
	scratch_finding_text(ctx, f, line, sizeof(line));
	fprintf(stderr, "iobench: %s%s\n",
		f->state == SCRATCH_REMOVED ? "" : "warning: ", line);
}

void bench_clean_stale_scratch(const char *dir)
{
	scratch_clean_stale(dir, on_stale_scratch, (void *)dir);
}

int bench_option_error(const char *verb, char **argv, int c)
{
	const char *arg = argv[optind - 1];
	char shortopt[3] = { '-', (char)optopt, '\0' };

	/* a bundled short option ("-vq") is named by optopt, not by argv */
	if (strncmp(arg, "--", 2) && optopt)
		arg = shortopt;
	if (c == ':')
		bench_error("%s: option '%s' needs a value", verb, arg);
	else
		bench_error("%s: unknown option '%s' (see iobench %s --help)",
			    verb, arg, verb);
	return EXIT_USAGE;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: iobench VERB [OPTIONS]   (iobench VERB --help for "
		   "a verb's options)\n\nverbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f,
		"\nplugins: list, cp, sweep, compare, check and the presets load\n"
		"  strategy plugins given with --plugin PATH.so or on\n"
		"  IOBENCH_PLUGIN_PATH (a colon list of .so files and directories);\n"
		"  iobench new-strategy NAME writes one to start from\n"
		"\nexit codes: 0 success, 1 bad input or usage (nothing created),\n"
		"  2 runtime error (nothing measured), 3 completed but some cells\n"
		"  failed, 4 compare found a regression, 128+n stopped by signal n\n"
		"  (130 SIGINT, 143 SIGTERM, 129 SIGHUP; partial results kept,\n"
		"  marked incomplete)\n");
}

/*
 * Whatever a verb printed must have reached stdout: a full disk or a
 * closed pipe there is an error (exit 2 when the verb had succeeded),
 * never a silent success. A verb that failed with 2 said why already.
 */
static int check_stdout(int code)
{
	errno = 0;
	if ((!fflush(stdout) && !ferror(stdout)) || code == EXIT_RUNTIME)
		return code;
	bench_error("standard output: %s", errno ? strerror(errno) :
		    "write error");
	return code == EXIT_OK ? EXIT_RUNTIME : code;
}

int main(int argc, char **argv)
{
	/* past RLIMIT_FSIZE a write must fail with EFBIG (reported as an
	 * error) instead of killing the process; children inherit this */
	signal(SIGXFSZ, SIG_IGN);
	/* no verb: the quick preset, the one-command first look */
	if (argc < 2)
		return check_stdout(cmd_quick(1, (char *[]){ "quick", NULL }));
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return check_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("iobench %s (%s)\n", IOBENCH_VERSION, IOBENCH_COMMIT);
		return check_stdout(EXIT_OK);
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (!strcmp(argv[1], verbs[i].name)) {
			int ret = bench_plugins_load(argv[1], argc - 1,
						     argv + 1);

			return ret ? ret : check_stdout(verbs[i].run(argc - 1,
								    argv + 1));
		}
	}
	bench_error("unknown verb '%s' (see iobench --help)", argv[1]);
	return EXIT_USAGE;
}
