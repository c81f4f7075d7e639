/* SPDX-License-Identifier: MIT */
/* The iobench verbs; each takes its own argv (argv[0] = verb name) and
 * returns the process exit code (see EXIT_* below). */
#ifndef IOBENCH_VERBS_H
#define IOBENCH_VERBS_H

/* One convention for every verb (README "Exit codes"). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,		/* bad input or usage; nothing created */
	EXIT_RUNTIME = 2,	/* runtime error, nothing measured */
	EXIT_CELLS_FAILED = 3,	/* completed, but some cells failed */
	EXIT_REGRESSION = 4,	/* compare found a regression */
	EXIT_SIGINT = 130,
	EXIT_SIGTERM = 143,
};

int cmd_list(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_flame(int argc, char **argv);
int cmd_device(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_new_strategy(int argc, char **argv);
/* Presets (bench/presets.c): sweeps with fixed options. */
int cmd_quick(int argc, char **argv);
int cmd_full(int argc, char **argv);

/*
 * Loads the plugins of IOBENCH_PLUGIN_PATH and of every --plugin PATH in
 * argv (the verb's own argv) when the verb takes them, before it parses
 * its options; the verbs accept --plugin and ignore it. EXIT_OK, or
 * EXIT_USAGE after one line naming the plugin and its fault.
 */
int bench_plugins_load(const char *verb, int argc, char **argv);

/* "iobench: " + message to stderr. */
void bench_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For getopt_long's ':' / '?' (optstring starting with ':'): prints
 * "iobench: VERB: ..." naming the bad option; returns EXIT_USAGE. */
int bench_option_error(const char *verb, char **argv, int c);
/* Removes the scratch directories in dir that runs killed outright left
 * (their owner is gone), saying so on stderr. */
void bench_clean_stale_scratch(const char *dir);

#endif
