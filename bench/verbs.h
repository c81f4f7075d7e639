/* SPDX-License-Identifier: MIT */
/* The iobench verbs; each takes its own argv (argv[0] = verb name) and
 * returns the process exit code (see EXIT_* below). */
#ifndef IOBENCH_VERBS_H
#define IOBENCH_VERBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "exitcode.h"
#include "msg.h"

int cmd_list(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
/*
 * A sweep as verb `verb` (for its messages): the preset's options
 * (NULL-terminated, parsed as if given first; NULL for none), then argv's
 * (argv[0] is the verb), so a repeated option replaces the preset's. The
 * exit code.
 */
int sweep_main(const char *verb, char *const *preset, int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_flame(int argc, char **argv);
int cmd_device(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_new_strategy(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
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

/* The units every size-taking option reads (lib/parse.h), for the
 * verbs' --help. */
#define BENCH_SIZE_HELP \
"Sizes: a whole number of bytes (4096 or 4096B), or with a unit: K, M,\n" \
"G, T (also KiB, MiB, GiB, TiB) are powers of 1024: 4K = 4KiB = 4096;\n" \
"KB, MB, GB, TB (and kB) are powers of 1000, as in dd: 1MB = 1000000.\n" \
"k is K, as in dd. Anything else (1m, 1Mb, 1.5M, 4 K) is refused.\n"

/* "iobench: " + message to stderr: lib/msg.h's funnel. */
#define bench_error msg_error
/*
 * getopt_long for every verb (bench/cli.c), stricter: a long option must
 * be spelled in full (getopt_long alone takes "--size" for "--sizes"), and
 * a value may not look like an option ("--sizes --samples 6"). An
 * unknown, abbreviated or ambiguous option, or a missing value, prints one
 * line naming it with the nearest options ("did you mean '--sizes'?") and
 * returns '?'. optstring must start with ':'. Otherwise as getopt_long.
 */
struct option;
int bench_getopt(const char *verb, int argc, char **argv,
		 const char *optstring, const struct option *longopts);

/* An option that only stores into the verb's request (ctx): its value
 * into a const char * member, or true into a bool member when it takes
 * none. */
struct bench_store {
	int c;				/* the option's getopt value */
	size_t member;			/* offsetof() that member */
};
/* The option-table entries of the options bench_parse_options() handles
 * itself: --plugin (passed over) and --help. */
#define BENCH_OPTION_PLUGIN { "plugin", required_argument, NULL, 'P' }
#define BENCH_OPTION_HELP { "help", no_argument, NULL, 'h' }
/* A verb's command line, for bench_parse_options(). */
struct bench_cli {
	const char *verb;		/* for its messages */
	const char *shortopts;		/* getopt's string, ':' first */
	const struct option *longopts;
	const struct bench_store *stores; /* ended by { 0 }; may be NULL */
	void (*usage)(FILE *f);		/* its --help */
	bool operands;			/* words may follow the options */
};
/*
 * A verb's option loop (bench/cli.c): bench_getopt over argv; an option of
 * cli->stores is stored into ctx, 'h' prints cli->usage on stdout and ends
 * the loop, 'P' (--plugin) is passed over (loaded before parsing, see
 * bench_plugins_load()), and any other calls on(c, optarg, ctx) (on may be
 * NULL when there is none), which returns 0 to go on or the exit code to
 * stop with. A word after the options, unless cli->operands, is refused
 * ("VERB: unexpected argument 'WORD'"). 0 (optind at the first operand),
 * -1 after --help, or an exit code (EXIT_USAGE after a bad option).
 */
int bench_parse_options(const struct bench_cli *cli, int argc, char **argv,
			int (*on)(int c, const char *arg, void *ctx), void *ctx);
/* bench_parse_options() for a verb that works in a directory: then
 * bench_check_dir() on *dir, where its options left it. */
int bench_parse_in_dir(const struct bench_cli *cli, int argc, char **argv,
		       int (*on)(int c, const char *arg, void *ctx), void *ctx,
		       const char *const *dir);
/* VERB's option opt (as "--runs") taking a whole number from min to max:
 * 0 with *out set, or EXIT_USAGE after one line naming the range. */
int bench_parse_whole(const char *verb, const char *opt, const char *arg,
		      unsigned min, unsigned max, unsigned *out);
/* --preset NAME: quick, full or none; *out is NULL for none. 0, or
 * EXIT_USAGE after one line naming the choices. */
int bench_parse_preset(const char *verb, const char *arg, const char **out);
/*
 * The directory dir a verb works in, checked before any work: 0, or
 * EXIT_USAGE after one line, "VERB: --dir: empty path (...)" or "VERB:
 * LABELDIR: why" (label: how the message names it, "" or "--dir ").
 */
int bench_check_dir(const char *verb, const char *label, const char *dir);

/* sweep --dry-run (bench/plan.c): the planned run's matrix, one row per
 * strategy, the cell count and the estimated duration. 0 or -errno. */
struct run;
int bench_print_plan(const struct run *run, FILE *f);

/* sweep's long options (bench/sweep.c): compare REF and calibrate pass
 * them on to the sweeps they run. */
const struct option *bench_sweep_options(void);
/* Markdown (malloc'd; sweep owns it) the next sweep adds to its report,
 * after the cells: profile --memory's heap profiles. */
void bench_sweep_add_section(char *md);
/* fn(arg) runs once sweep's options are known good, before the sweep
 * (never on --dry-run): an exit code other than EXIT_OK ends the verb
 * with it. */
void bench_sweep_before_run(int (*fn)(void *), void *arg);
/* A preset's sweep options, "quick" or "full", NULL-terminated (static
 * storage); NULL for another name. */
const char *const *bench_preset_args(const char *name);

/*
 * compare REF / calibrate: their own options (cli's) and the sweep
 * options they pass on, split, then their own parsed by
 * bench_parse_options(cli, ..., on, ctx). argv[0] is the verb. Fills
 * own_argv (the verb, its options and the positional words, in order;
 * optind at the first positional one) and sweep_argv (sweep's options
 * with their values), both calloc'd to argc + 1 entries (you free the
 * arrays, not the strings). 0, -1 after --help, or an exit code
 * (EXIT_USAGE after naming an option neither knows).
 */
int bench_split_sweep_args(const struct bench_cli *cli, int argc, char **argv,
			   int (*on)(int c, const char *arg, void *ctx),
			   void *ctx, char ***own_argv, int *own_argc,
			   char ***sweep_argv, int *sweep_argc);

/* The path of this binary (/proc/self/exe) into path, for the passes of
 * itself that compare REF, calibrate and profile run. 0 or -errno. */
int bench_self_exe(char *path, size_t len);

/* "RESULTS/PREFIX-YYYYmmdd-HHMMSS-xxxx" (UTC, 4 random hex digits) into
 * out: where compare REF and calibrate put their passes. 0 or
 * -ENAMETOOLONG. */
int bench_stamped_dir(const char *results, const char *prefix, char *out,
		      size_t len);

/* Removes the scratch directories in dir that runs killed outright left
 * (their owner is gone), saying so on stderr. */
void bench_clean_stale_scratch(const char *dir);

#endif
