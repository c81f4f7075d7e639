// SPDX-License-Identifier: MIT
/*
 * iobench compare REF: builds git REF beside the checkout (harness/
 * gitbuild.h), runs the requested sweep with both binaries as whole
 * passes in A B B A order (harness/passes.h), compares them across the
 * passes (hierarchical bootstrap) and writes compare.md and compare.json;
 * exit 4 when something --fail-on names regressed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "compare.h"
#include "compare_files.h"
#include "compare_ref.h"
#include "gitbuild.h"
#include "outfile.h"
#include "passes.h"
#include "signals.h"
#include "suggest.h"
#include "verbs.h"
#include "version.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* ---- splitting the verb's options from sweep's ---- */

static const struct option *find_long(const struct option *t,
				      const char *name, size_t n)
{
	for (; t && t->name; t++)
		if (strlen(t->name) == n && !strncmp(t->name, name, n))
			return t;
	return NULL;
}

/* A sweep option by its short form ('s' for -s), NULL when it has none. */
static const struct option *find_short(const struct option *t, int c)
{
	for (; t && t->name; t++)
		if (t->val == c)
			return t;
	return NULL;
}

/*
 * Sweep options a verb that runs its own sweeps cannot pass on: it
 * sets where their results go (--out; compare REF's own --out is the
 * comparison's), runs them itself (--dry-run: the plan is `iobench
 * sweep --dry-run`'s) and takes turns between them (--lockstep).
 */
static bool refused(const char *verb, const struct option *o)
{
	static const struct {
		const char *name, *why;
	} no[] = {
		{ "out", "its sweeps' results go under --results" },
		{ "dry-run", "iobench sweep --dry-run shows a sweep's plan" },
		{ "lockstep", "it takes turns between its sweeps itself" },
	};

	for (size_t k = 0; k < sizeof(no) / sizeof(no[0]); k++)
		if (!strcmp(o->name, no[k].name)) {
			bench_error("%s: --%s is not passed on to its sweeps "
				    "(%s)",
				    verb, o->name, no[k].why);
			return true;
		}
	return false;
}

/* A sweep option that takes a value, last on the line with none: said
 * here, before the verb adds its own options after it (the sweep would
 * name one of those as the value). */
static bool no_value(const char *verb, const struct option *o, bool last)
{
	if (o->has_arg != required_argument || !last)
		return false;
	bench_error("%s: --%s: missing value", verb, o->name);
	return true;
}

/* Appends argv[*i] (and its value when it takes one and has none yet). */
static void take(char **to, int *n, int argc, char **argv, int *i,
		 bool value)
{
	to[(*n)++] = argv[*i];
	if (value && *i + 1 < argc)
		to[(*n)++] = argv[++*i];
}

/* "VERB: unknown option 'A' (did you mean '--x'?)", the nearest among
 * the verb's options and sweep's, as every verb says it (bench/cli.c). */
static void unknown_option(const char *verb, const char *a,
			   const struct option *own,
			   const struct option *sweep)
{
	char word[64], names[160];
	struct suggest s;
	size_t n;

	if (strncmp(a, "--", 2)) {
		bench_error("%s: unknown option '%.2s' (see iobench %s --help)",
			    verb, a, verb);
		return;
	}
	n = strcspn(a, "=");
	snprintf(word, sizeof(word), "%.*s", (int)(n - 2), a + 2);
	suggest_init(&s, word);
	for (const struct option *o = own; o->name; o++)
		suggest_consider(&s, o->name);
	for (const struct option *o = sweep; o->name; o++)
		if (!find_long(own, o->name, strlen(o->name)))
			suggest_consider(&s, o->name);
	suggest_format(&s, "--", names, sizeof(names));
	if (s.n)
		bench_error("%s: unknown option '%.*s' (did you mean %s?)", verb,
			    (int)n, a, names);
	else
		bench_error("%s: unknown option '%.*s' (see iobench %s --help)",
			    verb, (int)n, a, verb);
}

int bench_split_sweep_args(const struct bench_cli *cli, int argc, char **argv,
			   int (*on)(int c, const char *arg, void *ctx),
			   void *ctx, char ***own_argv, int *own_argc,
			   char ***sweep_argv, int *sweep_argc)
{
	const struct option *own = cli->longopts, *o;
	const struct option *sweep = bench_sweep_options();
	char **mine = calloc((size_t)argc + 1, sizeof(*mine));
	char **theirs = calloc((size_t)argc + 1, sizeof(*theirs));
	int nm = 0, nt = 0, i;

	if (!mine || !theirs) {
		free(mine);
		free(theirs);
		bench_error("%s: out of memory", cli->verb);
		return EXIT_RUNTIME;
	}
	mine[nm++] = argv[0];
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < argc)
				mine[nm++] = argv[i++];
			break;
		}
		if (!strncmp(a, "--", 2)) {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			if ((o = find_long(own, a + 2, n)))
				take(mine, &nm, argc, argv, &i,
				     o->has_arg == required_argument && !eq);
			else if ((o = find_long(sweep, a + 2, n))) {
				if (refused(cli->verb, o) ||
				    no_value(cli->verb, o,
					     !eq && i + 1 >= argc))
					goto out_usage;
				take(theirs, &nt, argc, argv, &i,
				     o->has_arg == required_argument && !eq);
			} else {
				goto unknown;
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			const char *s = strchr(cli->shortopts, a[1]);

			/* the verb's own short option, else sweep's (-s) */
			if (s && a[1] != ':') {
				take(mine, &nm, argc, argv, &i,
				     s[1] == ':' && !a[2]);
				continue;
			}
			o = find_short(sweep, (unsigned char)a[1]);
			if (!o)
				goto unknown;
			if (refused(cli->verb, o) ||
			    no_value(cli->verb, o, !a[2] && i + 1 >= argc))
				goto out_usage;
			take(theirs, &nt, argc, argv, &i,
			     o->has_arg == required_argument && !a[2]);
			continue;
		}
		mine[nm++] = argv[i];
	}
	*own_argv = mine;
	*own_argc = nm;
	*sweep_argv = theirs;
	*sweep_argc = nt;
	optind = 1;	/* the verb's share of the command line */
	return bench_parse_options(cli, nm, mine, on, ctx);
unknown:
	unknown_option(cli->verb, argv[i], own, sweep);
out_usage:
	free(mine);
	free(theirs);
	return EXIT_USAGE;
}

/* ---- compare REF ---- */

int bench_stamped_dir(const char *results, const char *prefix, char *out,
		      size_t len)
{
	unsigned short rnd = 0;
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned short)getpid();
	return snprintf(out, len, "%s/%s-%s-%04x", results, prefix, stamp,
			rnd) >= (int)len ? -ENAMETOOLONG : 0;
}

int bench_self_exe(char *path, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", path, len - 1);

	if (n <= 0)
		return n ? -errno : -ENOENT;
	path[n] = '\0';
	return 0;
}

/* The compare's directory: --out, or RESULTS/compare-ID. */
static int make_out_dir(const struct compare_ref_request *rq, char *out,
			size_t len)
{
	if (rq->out)
		return snprintf(out, len, "%s", rq->out) >= (int)len ?
		       -ENAMETOOLONG : 0;
	return bench_stamped_dir(rq->results, "compare", out, len);
}

/* The sweep every pass runs: the preset's options, then the user's; no
 * limits measured (nothing compares them) when both binaries know the
 * option. The array is calloc'd (you free it, not the strings). */
static char **pass_args(const struct compare_ref_request *rq,
			const char *const *bins, size_t n_bins, size_t *n)
{
	const char *const *preset = rq->preset ?
				    bench_preset_args(rq->preset) : NULL;
	size_t np = 0;
	char **args;
	bool no_limits = true;

	while (preset && preset[np])
		np++;
	/* room for --no-limits and --batch-from FILE */
	args = calloc(np + (size_t)rq->n_sweep + 4, sizeof(*args));
	if (!args)
		return NULL;
	*n = 0;
	for (size_t i = 0; i < np; i++)
		args[(*n)++] = (char *)preset[i];
	for (int i = 0; i < rq->n_sweep; i++)
		args[(*n)++] = rq->sweep[i];
	for (size_t b = 0; b < n_bins; b++)
		no_limits &= passes_binary_has_option(bins[b], "--no-limits");
	if (no_limits)
		args[(*n)++] = "--no-limits";
	return args;
}

/* The passes' sweep options, checked by this binary's sweep before the
 * commit is built (passes_check_args()). */
static int check_args(const struct compare_ref_request *rq, const char *self,
		      const char *out)
{
	const char *const bins[1] = { self };
	size_t n_args;
	char **args = pass_args(rq, bins, 1, &n_args);
	int ret;

	if (!args)
		return -ENOMEM;
	ret = passes_check_args(self, args, n_args, out);
	free(args);
	return ret == -EINVAL || ret == -ENOMEM ? ret : 0;
}

struct side {
	const char *name;		/* "main", "current" */
	const char *bin;
	struct run run;
	unsigned passes;
	bool cells_failed;
	bool batch_from;		/* its sweep takes --batch-from */
	bool lockstep;			/* and --lockstep */
};

static void progress(const struct compare_ref_request *rq, const char *fmt,
		     ...) __attribute__((format(printf, 2, 3)));

static void progress(const struct compare_ref_request *rq, const char *fmt,
		     ...)
{
	va_list ap;

	if (rq->quiet)
		return;
	fputs("iobench: compare: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * 2 x runs passes, A B B A ..., each merged into its side. The first pass
 * calibrates each cell's batch (files per sample); every later pass of a
 * binary that takes --batch-from copies the same batches, since the cost
 * per file depends on the batch (a batch of 20 1 MiB files leaves 20 MiB
 * dirty) and passes that calibrated apart would differ by that alone.
 */
/* The log's entry of one pass. */
static void log_pass(json_t *log, unsigned k, const struct side *s,
		     const char *dir, const struct passes_outcome *o,
		     const struct run *pass, bool ok)
{
	json_array_append_new(log, json_pack(
		"{s:I, s:s, s:s, s:i, s:f, s:s?}", "pass", (json_int_t)k + 1,
		"side", s->name, "directory", dir, "exit", o->code, "seconds",
		o->seconds, "run_id", ok ? pass->id : NULL));
}

/*
 * --runs pairs of passes, each pair both binaries at once taking turns
 * one sample process at a time (sweep --lockstep): sample k of one runs
 * next to sample k of the other, so what the machine does over seconds
 * falls on both alike. Passes after the first pair copy its batches.
 */
static int run_lockstep(const struct compare_ref_request *rq, const char *out,
			struct side sides[2], json_t *log, char **args,
			size_t n_args)
{
	const char *bins[2] = { sides[0].bin, sides[1].bin };
	char first[PATH_MAX + 64] = "";
	int ret = 0;

	for (unsigned k = 0; k < rq->runs && !ret; k++) {
		char dirs[2][PATH_MAX + 32], err[PATH_MAX + 512];
		const char *dp[2] = { dirs[0], dirs[1] };
		struct passes_outcome o[2];
		struct run pass[2];
		unsigned turns;

		for (int i = 0; i < 2; i++)
			snprintf(dirs[i], sizeof(dirs[i]), "%s/passes/%02u-%s",
				 out, k + 1, i ? "ref" : "current");
		progress(rq, "passes %u/%u: %s and %s taking turns ...", k + 1,
			 rq->runs, sides[1].name, sides[0].name);
		if (*first) {
			args[n_args] = "--batch-from";
			args[n_args + 1] = first;
		}
		ret = passes_run_pair(bins, args, n_args + (*first ? 2 : 0), dp,
				      k % 2, &stop_signal, pass, o, &turns, err,
				      sizeof(err));
		args[n_args] = args[n_args + 1] = NULL;
		for (int i = 0; i < 2; i++)
			log_pass(log, k, &sides[i], dirs[i], &o[i], &pass[i],
				 !ret);
		if (ret == -EINTR)
			break;
		if (ret) {
			bench_error("compare: passes %u: %s", k + 1, err);
			ret = ret == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
			break;
		}
		progress(rq, "passes %u/%u: done in %.0f s (%u turns)", k + 1,
			 rq->runs, fmax(o[0].seconds, o[1].seconds), turns);
		if (!*first)
			snprintf(first, sizeof(first), "%s", o[0].results);
		for (int i = 0; i < 2 && !ret; i++) {
			sides[i].cells_failed |= o[i].code == 3;
			if (passes_merge(&sides[i].run, &pass[i],
					 sides[i].passes++)) {
				bench_error("compare: out of memory");
				ret = EXIT_RUNTIME;
			}
		}
		results_free(&pass[0]);
		results_free(&pass[1]);
	}
	return ret;
}

static int run_passes(const struct compare_ref_request *rq, const char *out,
		      struct side sides[2], json_t *log)
{
	const char *bins[2] = { sides[0].bin, sides[1].bin };
	size_t n_args;
	char **args = pass_args(rq, bins, 2, &n_args);
	char first[PATH_MAX + 64] = "";
	unsigned total = 2 * rq->runs;
	int ret = 0;

	for (int i = 0; i < 2; i++) {
		sides[i].batch_from = passes_binary_has_option(sides[i].bin,
							       "--batch-from");
		sides[i].lockstep = passes_binary_has_option(sides[i].bin,
							     "--lockstep");
	}
	if (!sides[1].lockstep)
		progress(rq, "%s's sweep has no --lockstep: whole passes in "
			 "turn (noisier)", sides[1].name);
	else if (!sides[1].batch_from)
		progress(rq, "%s's sweep has no --batch-from: its passes "
			 "calibrate their own batches (noisier)", sides[1].name);

	if (!args) {
		bench_error("compare: out of memory");
		return EXIT_RUNTIME;
	}
	if (sides[0].lockstep && sides[1].lockstep) {
		ret = run_lockstep(rq, out, sides, log, args, n_args);
		total = 0;
	}
	for (unsigned k = 0; k < total && !ret; k++) {
		struct side *s = &sides[passes_abba(k)];
		struct passes_outcome o;
		char dir[PATH_MAX + 32], err[PATH_MAX + 512];
		struct run pass;

		snprintf(dir, sizeof(dir), "%s/passes/%02u-%s", out, k + 1,
			 s == &sides[0] ? "current" : "ref");
		progress(rq, "pass %u/%u: %s ...", k + 1, total, s->name);
		if (*first && s->batch_from) {
			args[n_args] = "--batch-from";
			args[n_args + 1] = first;
		}
		ret = passes_run_one(s->bin, args,
				     n_args + (*first && s->batch_from ? 2 : 0),
				     dir, &stop_signal, &pass, &o, err,
				     sizeof(err));
		args[n_args] = args[n_args + 1] = NULL;
		log_pass(log, k, s, dir, &o, &pass, !ret);
		if (ret == -EINTR)
			break;
		if (ret) {
			bench_error("compare: pass %u (%s): %s", k + 1, s->name,
				    err);
			ret = ret == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
			break;
		}
		s->cells_failed |= o.code == 3;
		if (!*first)
			snprintf(first, sizeof(first), "%s", o.results);
		progress(rq, "pass %u/%u: %s done in %.0f s", k + 1, total,
			 s->name, o.seconds);
		if (passes_merge(&s->run, &pass, s->passes++)) {
			bench_error("compare: out of memory");
			ret = EXIT_RUNTIME;
		}
		results_free(&pass);
	}
	free(args);
	if (ret == -EINTR || stop_signal) {
		bench_error("compare: stopped by %s", signals_name(stop_signal));
		return signals_exit_code(stop_signal ? stop_signal : SIGINT);
	}
	return ret;
}

/* The terminal: the summary, the main-vs-current table, other figures. */
static void print_terminal(const struct comparison *cmp,
			   const struct compare_sides *s, const char *out)
{
	char line[1024];

	compare_summary(cmp, line, sizeof(line));
	printf("%s vs %s: %s\n\n", s->base_label, s->new_label, line);
	compare_md_headline(stdout, cmp, s);
	compare_md_figures(stdout, cmp, s, "##");
	printf("\nfull report: %s/compare.md (and compare.json)\n", out);
}

static int render(const struct compare_ref_request *rq, const char *out,
		  struct side sides[2], const char *ref_hash,
		  const struct gitbuild_checkout *co, bool reused,
		  json_t *log)
{
	char base_label[256], new_label[256];
	struct compare_sides s = { .base_label = base_label,
				   .new_label = new_label,
				   .base = &sides[1].run,
				   .new = &sides[0].run,
				   .base_short = rq->ref,
				   .new_short = "current" };
	struct comparison cmp;
	struct compare_options o = rq->opts;
	char *md = NULL, *js = NULL;
	int dirfd = -1, ret;

	snprintf(base_label, sizeof(base_label), "%s (%.12s)", rq->ref,
		 ref_hash);
	snprintf(new_label, sizeof(new_label), "working tree%s (%s)",
		 co->dirty ? " (dirty)" : "", IOBENCH_COMMIT);
	/* pass k of each side ran next to pass k of the other (A B B A);
	 * taking turns, sample k of each next to the other's */
	o.paired_runs = true;
	o.paired_rounds = sides[0].lockstep && sides[1].lockstep;
	ret = compare_runs(&sides[1].run, &sides[0].run, &o, &cmp);
	if (ret) {
		bench_error("compare: %s", strerror(-ret));
		return EXIT_RUNTIME;
	}
	s.extra = json_pack("{s:{s:s, s:s, s:s, s:b, s:I, s:b}, s:{s:s, s:s, "
			    "s:b, s:s}, s:I, s:O}",
			    "ref", "name", rq->ref, "commit", ref_hash,
			    "binary", sides[1].bin, "build_reused", reused,
			    "passes", (json_int_t)sides[1].passes,
			    "same_batches", sides[1].batch_from,
			    "current", "commit", IOBENCH_COMMIT, "binary",
			    sides[0].bin, "dirty", co->dirty, "checkout",
			    co->top, "runs_per_side", (json_int_t)rq->runs,
			    "passes", log);
	md = compare_markdown(&cmp, &s);
	js = compare_json(&cmp, &s);
	ret = EXIT_RUNTIME;
	if (!md || !js || !s.extra) {
		bench_error("compare: out of memory");
		goto out_free;
	}
	dirfd = outfile_dir_open(AT_FDCWD, out, OUTFILE_CREATE);
	if (dirfd < 0) {
		bench_error("compare: cannot create %s: %s", out,
			    strerror(-dirfd));
		goto out_free;
	}
	if (bench_compare_write(dirfd, out, "compare.md", md) ||
	    bench_compare_write(dirfd, out, "compare.json", js))
		goto out_free;
	print_terminal(&cmp, &s, out);
	ret = compare_failed(&cmp) ? EXIT_REGRESSION :
	      sides[0].cells_failed || sides[1].cells_failed ?
	      EXIT_CELLS_FAILED : EXIT_OK;
	/* a check that tested nothing must not pass for "no regression" */
	if (!compare_tested(&cmp)) {
		bench_error("compare: nothing compared: no cell has samples "
			    "from both binaries");
		ret = EXIT_RUNTIME;
	}
out_free:
	if (dirfd >= 0)
		close(dirfd);
	json_decref(s.extra);
	free(md);
	free(js);
	compare_free(&cmp);
	return ret;
}

int bench_compare_ref(const struct compare_ref_request *rq)
{
	struct gitbuild_checkout co;
	char hash[GITBUILD_HASH_LEN] = "", cache[PATH_MAX];
	char bin[PATH_MAX + 64];
	char self[PATH_MAX], out[PATH_MAX], err[PATH_MAX + 512];
	struct side sides[2] = { { .name = "current", .bin = self },
				 { .name = rq->ref, .bin = bin } };
	json_t *log = json_array();
	bool reused;
	int ret;

	if (!log) {
		bench_error("compare: out of memory");
		return EXIT_RUNTIME;
	}
	ret = gitbuild_checkout(".", &co, err, sizeof(err));
	if (!ret)
		ret = gitbuild_resolve(&co, rq->ref, hash, err, sizeof(err));
	if (!ret)
		ret = gitbuild_check_current(&co, IOBENCH_COMMIT, err,
					     sizeof(err));
	if (!ret && gitbuild_cache_dir(rq->cache_dir, cache, sizeof(cache))) {
		snprintf(err, sizeof(err), "no cache directory: set HOME or "
			 "XDG_CACHE_HOME, or pass --cache-dir");
		ret = -EINVAL;
	}
	if (!ret && make_out_dir(rq, out, sizeof(out))) {
		snprintf(err, sizeof(err), "--results: path too long");
		ret = -ENAMETOOLONG;
	}
	if (!ret && (ret = outfile_check_dest(out, 64)))
		snprintf(err, sizeof(err), "cannot create files in %s: %s",
			 out, strerror(-ret));
	if (!ret && (ret = bench_self_exe(self, sizeof(self)))) {
		snprintf(err, sizeof(err), "cannot find this binary: %s",
			 strerror(-ret));
		ret = -ENOENT;
	}
	if (!ret && (ret = check_args(rq, self, out)))
		snprintf(err, sizeof(err), "%s",
			 ret == -EINVAL ? "the sweep refused its options "
					  "(above); nothing built, run or "
					  "created"
					: strerror(-ret));
	if (ret) {
		if (rq->looked_for && !*co.top)
			/* no checkout at all: the saved-run reading was meant */
			bench_error("compare: '%s' is no baseline, run id, "
				    "results directory or results.json (looked "
				    "for %s)", rq->ref, rq->looked_for);
		else if (rq->looked_for && ret == -ENOENT && !*hash)
			bench_error("compare: '%s' is no baseline, run id, "
				    "results directory or results.json (looked "
				    "for %s), nor a commit in %s", rq->ref,
				    rq->looked_for, co.top);
		else
			bench_error("compare: %s", err);
		json_decref(log);
		return EXIT_USAGE;
	}
	signals_install_stop(on_stop);
	progress(rq, "%s is %.12s; its build: %s/%s (made once per commit)",
		 rq->ref, hash, cache, hash);
	ret = gitbuild_build(&co, hash, cache, bin, sizeof(bin), &reused,
			     &stop_signal, err, sizeof(err));
	if (ret) {
		bench_error("compare: building %s: %s", rq->ref, err);
		json_decref(log);
		return stop_signal ? signals_exit_code(stop_signal) :
				     EXIT_RUNTIME;
	}
	progress(rq, "%s: %s", reused ? "reused the build" : "built", bin);
	ret = run_passes(rq, out, sides, log);
	if (!ret)
		ret = render(rq, out, sides, hash, &co, reused, log);
	results_free(&sides[0].run);
	results_free(&sides[1].run);
	json_decref(log);
	return ret;
}
