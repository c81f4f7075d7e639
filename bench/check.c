// SPDX-License-Identifier: MIT
/*
 * iobench check: runs the conformance matrix (harness/conform.c) against
 * strategies, a plugin's first of all, and prints pass, fail or skip per
 * case; exit 0 only when no case failed.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "parse.h"
#include "strategies.h"
#include "strlist.h"
#include "verbs.h"

#define MAX_CHECKED 128

struct check_request {
	const struct copy_strategy *s[MAX_CHECKED];
	size_t n;
	const char *dir;
	const char *list;	/* --strategies, NULL when not given */
	unsigned timeout;
	bool quiet;
};

/* The options that only store into a check_request. */
static const struct bench_store check_stores[] = {
	{ 's', offsetof(struct check_request, list) },
	{ 'd', offsetof(struct check_request, dir) },
	{ 'q', offsetof(struct check_request, quiet) },
	{ 0 },
};

static void check_usage(FILE *f)
{
	fprintf(f,
		"usage: iobench check [--plugin PATH.so]... [-s LIST] [-d "
		"DIR]\n"
		"                     [--timeout SECONDS] [-q]\n"
		"\n"
		"Runs the conformance matrix against each strategy and prints "
		"PASS,\n"
		"FAIL or SKIP per case: whole files (0, 1, 511, 512, 4095 to "
		"4097,\n"
		"65535, 65537 bytes, 1 MiB + 13, 8 MiB + 1, one buffer - 1 and "
		"+ 1),\n"
		"byte ranges with odd offsets (aligned ones for "
		"COPY_RANGES_ALIGNED;\n"
		"skipped without COPY_RANGES), one file split across 3 "
		"threads,\n"
		"sparse sources, a longer existing destination, and ENOSPC: 4 "
		"MiB\n"
		"onto a tmpfs with 1 MiB free must fail (in a private mount\n"
		"namespace; skipped with the reason where mounting is not "
		"allowed).\n"
		"Every case runs with each option set the strategy declares: "
		"buffers\n"
		"4K, 64K and 1M, O_DIRECT off and on where optional, queue "
		"depths 1\n"
		"and 256, each other switch flipped. Every copy is compared "
		"byte for\n"
		"byte. Each group of cases runs in a child process: a crash or "
		"hang\n"
		"fails that group, the rest goes on.\n"
		"\n"
		"options:\n"
		"      --plugin PATH.so   load a strategy plugin (repeatable; "
		"also\n"
		"                         IOBENCH_PLUGIN_PATH, a colon list of "
		".so\n"
		"                         files and directories); a plugin "
		"that fails\n"
		"                         the loader's checks is refused (exit "
		"1)\n"
		"  -s, --strategies LIST  strategies to check, or all "
		"(default: every\n"
		"                         plugin's, else every built-in)\n"
		"  -d, --dir DIR          where the scratch directory goes, "
		"removed\n"
		"                         afterwards (default .; needs ~30 "
		"MiB)\n"
		"      --timeout SECONDS  per group of cases (default 600)\n"
		"  -q, --quiet            print only failures and the totals\n"
		"  -h, --help             show this help\n"
		"\n"
		"exit codes: 0 every case passed or was skipped; 1 bad usage "
		"or a\n"
		"plugin refused; 2 nothing could be checked (no usable "
		"strategy,\n"
		"no scratch directory); 3 some case failed.\n");
}

static int add_strategy(const char *name, void *ctx)
{
	struct check_request *rq = ctx;
	const struct copy_strategy *s = strategy_find(name);
	const char *near;

	if (!s) {
		near = strategy_suggest(name);
		if (near)
			bench_error("check: unknown strategy '%s' (did you "
				    "mean '%s'?)",
				    name, near);
		else
			bench_error("check: unknown strategy '%s' (see "
				    "iobench list)",
				    name);
		return -EINVAL;
	}
	for (size_t i = 0; i < rq->n; i++)
		if (rq->s[i] == s)
			return 0;
	if (rq->n == MAX_CHECKED) {
		bench_error("check: more than %d strategies", MAX_CHECKED);
		return -EINVAL;
	}
	rq->s[rq->n++] = s;
	return 0;
}

/* Every strategy from `first` on (0: built-ins and plugins). */
static void add_from(struct check_request *rq, size_t first)
{
	for (size_t i = first; i < strategy_count() && rq->n < MAX_CHECKED; i++)
		rq->s[rq->n++] = strategy_at(i);
}

/* --timeout, the one option of check's that needs more than a store. */
static int check_timeout(int c, const char *arg, void *ctx)
{
	struct check_request *rq = ctx;
	char err[160];
	uint64_t v;

	(void)c;
	if (parse_count(arg, 1, 86400, &v, err, sizeof(err))) {
		bench_error("check: --timeout: %s", err);
		return EXIT_USAGE;
	}
	rq->timeout = (unsigned)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct check_request *rq)
{
	static const struct option opts[] = {
		BENCH_OPTION_PLUGIN,
		{ "strategies", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		BENCH_OPTION_HELP,
		{ 0 },
	};
	static const struct bench_cli cli = {
		.verb = "check", .shortopts = ":s:d:qh", .longopts = opts,
		.stores = check_stores, .usage = check_usage,
	};
	char err[160];
	int ret;

	ret = bench_parse_options(&cli, argc, argv, check_timeout, rq);
	if (ret)
		return ret;
	if (rq->list && !strcmp(rq->list, "all"))
		add_from(rq, 0);
	else if (rq->list && strlist_each(rq->list, ',', STRLIST_NO_EMPTY,
					  add_strategy, rq, err, sizeof(err))) {
		if (err[0])
			bench_error("check: --strategies: %s", err);
		return EXIT_USAGE;
	}
	if (!rq->list)
		add_from(rq,
			 strategy_plugin_count()
				 ? strategy_count() - strategy_plugin_count()
				 : 0);
	return EXIT_OK;
}

static const char *const status_names[] = { "PASS", "FAIL", "SKIP" };

static void print_case(void *ctx, const struct conform_case *c)
{
	const struct check_request *rq = ctx;

	if (rq->quiet && c->status != CONFORM_FAIL)
		return;
	printf("  %s  %s: %s", status_names[c->status], c->group, c->name);
	if (c->status == CONFORM_PASS && c->copies)
		printf(" (%u cop%s)", c->copies, c->copies == 1 ? "y" : "ies");
	if (c->detail[0])
		printf(": %s", c->detail);
	if (c->failures > 1)
		printf(" (and %u more failure%s)", c->failures - 1,
		       c->failures == 2 ? "" : "s");
	putchar('\n');
	fflush(stdout);
}

/*
 * One strategy: its probe, then the matrix. Adds to totals; returns 1
 * when it could be checked, 0 when not usable here, -errno when the
 * run could not start.
 */
static int check_one(const struct check_request *rq,
		     const struct copy_strategy *s, struct conform_totals *all)
{
	const char *from = strategy_plugin_path(s);
	struct conform_request cr = {
		.s = s,
		.dir = rq->dir,
		.timeout = rq->timeout,
		.report = print_case,
		.ctx = (void *)rq,
	};
	struct conform_totals t;
	char why[512];
	int ret;

	printf("%s%s%s%s in %s (%s):\n", s->name, from ? " (plugin " : "",
	       from ? from : "", from ? ")" : "", rq->dir,
	       strategy_fs_name(rq->dir));
	if (strategy_probe(s, rq->dir, why, sizeof(why))) {
		printf("  SKIP  not usable here: %s\n", why);
		all->skip++;
		return 0;
	}
	fflush(stdout);
	ret = conform_run(&cr, &t, why, sizeof(why));
	if (ret == -EINTR)
		return ret;
	if (ret) {
		bench_error("check: %s: %s", s->name, why);
		return ret;
	}
	printf("%s: %u passed, %u failed, %u skipped\n\n", s->name, t.pass,
	       t.fail, t.skip);
	all->pass += t.pass;
	all->fail += t.fail;
	all->skip += t.skip;
	return 1;
}

static volatile sig_atomic_t stop_signal;

/* SIGINT / SIGTERM: the running group's child is killed, the scratch
 * directory removed, and check exits 130 / 143. */
static void on_stop(int sig)
{
	stop_signal = sig;
	conform_stop();
}

static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int cmd_check(int argc, char **argv)
{
	struct check_request rq = { .dir = "." };
	struct conform_totals all = { 0 };
	size_t checked = 0;
	int ret;

	ret = parse_args(argc, argv, &rq);
	if (!ret)
		ret = bench_check_dir("check", "--dir ", rq.dir);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	catch_stop_signals();
	for (size_t i = 0; i < rq.n && !stop_signal; i++) {
		ret = check_one(&rq, rq.s[i], &all);
		if (ret < 0 && !stop_signal)
			return EXIT_RUNTIME;
		checked += ret > 0;
	}
	if (stop_signal) {
		fflush(stdout);
		bench_error("check: stopped by %s; the scratch directory is "
			    "removed",
			    stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
		return stop_signal == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
	}
	printf("%u passed, %u failed, %u skipped\n", all.pass, all.fail,
	       all.skip);
	if (fflush(stdout)) {
		bench_error("check: standard output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	if (!checked) {
		bench_error("check: no strategy could be checked in %s",
			    rq.dir);
		return EXIT_RUNTIME;
	}
	return all.fail ? EXIT_CELLS_FAILED : EXIT_OK;
}
