// SPDX-License-Identifier: MIT
/*
 * iobench: file-copy I/O benchmark. Dispatches to the verbs.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "scratch.h"
#include "suggest.h"
#include "verbs.h"
#include "version.h"

static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} verbs[] = {
	{ "quick", cmd_quick, "short preset sweep (< 1 min); also: no verb" },
	{ "full", cmd_full, "big preset sweep: sizes, buffers, qd, cold, sync, threads, profiling" },
	{ "sweep", cmd_sweep, "measure strategies x sizes x tunables; write a report" },
	{ "compare", cmd_compare, "compare two runs, or build git REF and measure both; exit 4 on regression" },
	{ "calibrate", cmd_calibrate, "A/A of a preset: this host's noise floor, used by compare" },
	{ "profile", cmd_profile, "sweep with counters, syscalls and hot spots per cell" },
	{ "flame", cmd_flame, "SVG flame graph of one strategy copying (perf)" },
	{ "list", cmd_list, "strategies, their tunables, usable here or not" },
	{ "cp", cmd_cp, "copy one file with one strategy" },
	{ "doctor", cmd_doctor, "pre-flight checks: what works here and why" },
	{ "device", cmd_device, "fio-grade device ceilings: bandwidth, IOPS, latency" },
	{ "check", cmd_check, "conformance matrix against a strategy or plugin" },
	{ "new-strategy", cmd_new_strategy, "write a strategy plugin skeleton" },
};

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(name, verbs[i].name))
			return &verbs[i];
	return NULL;
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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iobench [VERB] [OPTIONS]    (no verb: iobench quick)\n"
		"       iobench help [VERB]         (= iobench VERB --help)\n"
		"       iobench -V | --version      (version and commit)\n"
		"\nverbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f,
		"\nplugins: list, cp, sweep, compare, check and the presets load\n"
		"  strategy plugins given with --plugin PATH.so or on\n"
		"  IOBENCH_PLUGIN_PATH (a colon list of .so files and directories);\n"
		"  iobench new-strategy NAME writes one to start from\n"
		"\nshort options mean the same in every verb that has them:\n"
		"  -h --help     -q --quiet    -d --dir      -o --out\n"
		"  -Q --qd       -n --dry-run  -s --strategies (cp: --strategy)\n"
		"  -b --buffers (cp, flame: --buffer)\n"
		"Long options are spelled in full; a mistyped verb or option\n"
		"gets the nearest names.\n\n"
		BENCH_SIZE_HELP
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

/* "unknown verb 'x'" with the nearest verbs, or global options for a
 * word starting with '-'. */
static int unknown_verb(const char *word)
{
	static const char *const globals[] = { "help", "version" };
	const char *w = word + strspn(word, "-");
	bool dashed = w != word;
	char names[160];
	struct suggest s;

	suggest_init(&s, dashed ? w : word);
	if (dashed) {
		for (size_t i = 0; i < 2; i++)
			suggest_consider(&s, globals[i]);
	} else {
		for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
			suggest_consider(&s, verbs[i].name);
		suggest_consider(&s, "help");
	}
	suggest_format(&s, dashed ? "--" : "", names, sizeof(names));
	if (s.n)
		bench_error("unknown verb '%s' (did you mean %s?)", word,
			    names);
	else
		bench_error("unknown verb '%s' (see iobench --help)", word);
	return EXIT_USAGE;
}

/* iobench help [VERB]: the general usage, or VERB --help. */
static int help(int argc, char **argv)
{
	const struct verb *v;

	if (argc < 2 || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 2) {
		bench_error("help: one verb at a time (got '%s' after '%s')",
			    argv[2], argv[1]);
		return EXIT_USAGE;
	}
	v = find_verb(argv[1]);
	if (!v)
		return unknown_verb(argv[1]);
	return v->run(2, (char *[]){ argv[1], "--help", NULL });
}

int main(int argc, char **argv)
{
	const struct verb *v;

	/* past RLIMIT_FSIZE a write must fail with EFBIG (reported as an
	 * error) instead of killing the process; children inherit this */
	signal(SIGXFSZ, SIG_IGN);
	/* no verb: the quick preset, the one-command first look */
	if (argc < 2)
		return check_stdout(cmd_quick(1, (char *[]){ "quick", NULL }));
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return check_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "help"))
		return check_stdout(help(argc - 1, argv + 1));
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("iobench %s (commit %s)\n", IOBENCH_VERSION,
		       IOBENCH_COMMIT);
		return check_stdout(EXIT_OK);
	}
	v = find_verb(argv[1]);
	if (v) {
		int ret = bench_plugins_load(argv[1], argc - 1, argv + 1);

		return ret ? ret : check_stdout(v->run(argc - 1, argv + 1));
	}
	return unknown_verb(argv[1]);
}
