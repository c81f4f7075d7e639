// SPDX-License-Identifier: MIT
/*
 * iobench compare: its options; compares the two runs (baseline names,
 * run ids, results directories or results.json paths, found by
 * bench/compare_files.c) and prints the verdicts; exit 4 when a cell
 * regressed, for CI. With a git commit-ish instead (or sweep options),
 * compare REF: bench/compare_ref.c.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calibration.h"
#include "compare.h"
#include "compare_files.h"
#include "compare_ref.h"
#include "outfile.h"
#include "parse.h"
#include "plots.h"
#include "verbs.h"

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: iobench compare [BASE] [NEW] [OPTIONS]\n"
		"       iobench compare REF [--runs N] [--cache-dir DIR]\n"
		"                       [--preset quick|full|none] [OPTIONS]\n"
		"                       [SWEEP OPTIONS]\n"
		"       iobench compare --list [--results DIR]\n"
		"\n"
		"Compares two runs cell by cell: cells are matched by strategy,\n"
		"size, tunables, cache, sync and content. Per matched cell: the\n"
		"change of the median time per copy with its 95%% CI and a\n"
		"verdict - with one run per side a two-sided Mann-Whitney U test\n"
		"and a seeded bootstrap (within-run), with several runs per side\n"
		"(--runs) the hierarchical bootstrap over runs, then rounds, and\n"
		"Welch's test on the runs' log medians. p-values are Holm-\n"
		"adjusted over the cells (a cell with a noise floor, below: its\n"
		"floor is family-wise, its p is taken as it is). Verdicts:\n"
		"✅ improved / ❌ regressed\n"
		"(the CI wholly beyond -/+threshold), ≈ no change or within noise\n"
		"(significant, but the CI reaches inside the threshold, or the\n"
		"change is below this host's noise floor). CPU s/GiB, peak RSS\n"
		"growth, heap (peak, allocations per copy) and page-cache\n"
		"footprint get verdicts too.\n"
		"\n"
		"BASE and NEW are each a baseline name (RESULTS/baselines/NAME.json),\n"
		"a run id (RESULTS/ID/results.json), a results directory or a\n"
		"results.json path. Defaults: BASE = baseline 'main', NEW =\n"
		"RESULTS/latest. With one run per side, a noise floor from\n"
		"`iobench calibrate` (RESULTS/baselines/calibration.json, same host)\n"
		"turns smaller changes into \"within noise\" (CPU s/GiB changes\n"
		"against a CPU floor of their own, where the calibration has\n"
		"one); a size's shift\n"
		"(below) widens its floor to sqrt(floor^2 + (z x 0.1)^2 x\n"
		"|shift|), as cells do not all follow it alike. A side of one run\n"
		"measured while other processes kept more than a quarter of a CPU\n"
		"busy, at another time than the other side: its time changes are\n"
		"not judged (within noise; the summary says which side and how\n"
		"busy), as that load fell on one side only; when one of them\n"
		"had regressed the summary says \"Not judged\" and the exit is 2\n"
		"(the gate could not look), never a silent 0. With one run per\n"
		"side, time and CPU s/GiB changes are judged net of the shift\n"
		"common to their size (the median change of its 4 or more cells\n"
		"of one kind of copy and thread count; for time, 2 or more of\n"
		"copies that wait for the device, which move with it, and two\n"
		"with a verdict are not judged): between runs the\n"
		"machine's level moves every strategy of a size together;\n"
		"compare.md lists the shifts, and a change common to all of them\n"
		"is compare REF's to judge. When a size's cells did not move\n"
		"together (the robust SD of their changes about the shift above\n"
		"10%% and above the size's floor), their time changes are not\n"
		"judged either: \"Not judged\" and exit 2 when one had regressed\n"
		"and nothing else did. With one run per side and a noise\n"
		"floor, each variant (strategy, tunables, cache, sync, threads)\n"
		"measured at two sizes or more, its cells with a shift of 3 cells\n"
		"or more (of two, each mirrors the other's change), is also\n"
		"judged across them: its cells' changes net of their shifts,\n"
		"weighted by 1 / their variance (sigma: the larger of the A/A\n"
		"SD, floor / z, and the change's own standard error in this\n"
		"pair); beyond the floors' z (family-\n"
		"wise over cells and variants) and the threshold it is regressed\n"
		"or improved across sizes (compare.md \"Across sizes\",\n"
		"compare.json across_sizes), and such a regression exits 4 like\n"
		"a cell's: a strategy 15%% slower at every size is caught when no\n"
		"single cell clears its floor.\n"
		"\n"
		"compare REF: run inside a git checkout of iobench, REF any\n"
		"commit-ish (main, HEAD~3, a tag, a hash) that is not a saved run's\n"
		"name (--git forces it), or any SWEEP OPTION given. REF is fetched\n"
		"from the checkout into the build cache and built there with meson\n"
		"(once per commit; the checkout is only read: no checkout, stash or\n"
		"worktree). Then this binary (the working tree; refused when it is\n"
		"not built from the checkout as it is now) and REF's run the same\n"
		"sweep - the preset's options, then the SWEEP OPTIONS - at once,\n"
		"taking turns one sample process at a time in the order A B B A\n"
		"(sweep --lockstep), --runs times; each cell is judged on its pairs\n"
		"of samples (pass, round): the Hodges-Lehmann ratio, its block-\n"
		"bootstrap CI (the passes as one series unless their ratios\n"
		"differ, Kruskal-Wallis p < 0.05: then over passes, then rounds)\n"
		"and the signed-rank test, so what the machine does over seconds\n"
		"falls on both alike. A REF whose\n"
		"sweep has no --lockstep runs as whole passes A B B A, judged on\n"
		"the pairs of passes (mean log ratio of medians, t interval).\n"
		"Writes RESULTS/compare-ID/\n"
		"(compare.md, compare.json, passes/) and prints the table\n"
		"| operation | time (REF) | time (current) | change | status |.\n"
		"\n"
		"options:\n"
		"  -a, --alpha A          significance level (default 0.05)\n"
		"  -t, --threshold PCT    smallest change that matters, in percent\n"
		"                         of the median time (default 3)\n"
		"      --holm             Holm-adjust the p-values over the cells\n"
		"                         (the default)\n"
		"      --no-holm          leave the p-values unadjusted\n"
		"      --fail-on LIST     which regressions exit 4: any of time, cpu,\n"
		"                         memory (RSS, heap, allocations), cache\n"
		"                         (default time)\n"
		"      --no-floor         ignore this host's calibration\n"
		"      --ignore PARTS     leave key parts out of the match: any of\n"
		"                         buffer,qd,direct,sqpoll,content (e.g. to\n"
		"                         judge a buffer change like a code change)\n"
		"  -o, --out DIR          where compare.md, compare.json and plots/\n"
		"                         go (default: NEW's results directory; the\n"
		"                         current directory when NEW is a baseline;\n"
		"                         RESULTS/compare-ID for REF); checked\n"
		"                         before any work, each file written whole,\n"
		"                         never through a symlink\n"
		"      --allow-incomplete\n"
		"                         compare results of an interrupted run\n"
		"  -r, --results DIR      the results tree (default results)\n"
		"      --plugin PATH.so   load a strategy plugin, as the runs did\n"
		"                         (repeatable; also IOBENCH_PLUGIN_PATH);\n"
		"                         its strategies match by name like\n"
		"                         built-ins\n"
		"  -l, --list             list the baselines: date, host, cells\n"
		"  -q, --quiet            no progress on stderr (REF)\n"
		"  -h, --help             show this help\n"
		"compare REF only:\n"
		"      --git              REF is a commit even if a saved run has\n"
		"                         its name\n"
		"      --runs N           passes per side, 1-100 (default 3; with\n"
		"                         2 or more the CIs hold run-to-run\n"
		"                         variation)\n"
		"      --preset NAME      the sweep's starting options: quick\n"
		"                         (default), full, or none (sweep's own)\n"
		"      --cache-dir DIR    where REF is built: DIR/<commit> (default\n"
		"                         $XDG_CACHE_HOME/iobench/builds, else\n"
		"                         ~/.cache/iobench/builds); delete it to\n"
		"                         reclaim the space\n"
		"  SWEEP OPTIONS          any of sweep's (see iobench sweep --help),\n"
		"                         short forms too, but --dry-run and\n"
		"                         --lockstep (--out and -q are compare's),\n"
		"                         e.g. --sizes 1M -s rw,sendfile --samples\n"
		"                         10; checked by this binary's sweep\n"
		"                         --dry-run before REF is built\n"
		"\n"
		"exit codes: 0 nothing --fail-on names regressed; 4 something did;\n"
		"3 (REF) some cells failed, none regressed; 1 bad input (missing\n"
		"baseline, unreadable, corrupt or truncated JSON, unknown schema, an\n"
		"incomplete run, an empty path, an --out where nothing can be\n"
		"created, not an iobench checkout, no such commit, a stale build of\n"
		"the working tree): nothing written; 2 the outputs (stdout\n"
		"included) could not be written, REF did not build, or nothing was\n"
		"compared (no matched cell with samples on both sides; compare.md\n"
		"says so), or a time change that regressed was not judged (its\n"
		"side measured under other load, or its size's cells moved\n"
		"apart: \"Not judged\"; with time in --fail-on, the default);\n"
		"128+n stopped by signal n. Numbers are\n"
		"decimal (no hex, exponent or inf); --ignore and --fail-on refuse\n"
		"empty items and duplicates.\n");
}

/* compare.md, compare.json and plots/ go in DIR: files must be creatable
 * there (probed before any work, nothing left). */
static int check_out_dir(const char *dir)
{
	int ret = outfile_check_dest(dir, 64);

	if (!ret)
		return 0;
	if (ret == -ENOTDIR || ret == -ELOOP)
		bench_error("compare: --out %s: not a directory (%s)", dir,
			    strerror(-ret));
	else
		bench_error("compare: --out %s: cannot create files there: %s",
			    dir, strerror(-ret));
	return EXIT_USAGE;
}

/* "0.05" into (0, 1); "3" or "3%" into [0, 100): decimal numbers, by
 * the rule every option's numbers follow (parse_decimal()). */
static int parse_real(const char *s, double min, double max, bool percent,
		      double *out)
{
	char num[64];
	size_t n = strlen(s);
	double v;

	if (percent && n && s[n - 1] == '%')
		n--;
	if (n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_decimal(num, &v, NULL, 0) || v < min || v >= max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Every path argument: an empty one is bad input, never "here". */
static int check_not_empty(const char *what, const char *path)
{
	if (*path)
		return 0;
	bench_error("compare: %s: empty path", what);
	return EXIT_USAGE;
}

enum {
	OPT_NO_HOLM = 256, OPT_FAIL_ON, OPT_NO_FLOOR, OPT_GIT, OPT_RUNS,
	OPT_CACHE_DIR, OPT_PRESET,
};

/* compare's own options; the others are sweep's (compare REF). */
static const struct option compare_opts[] = {
	{ "alpha", required_argument, NULL, 'a' },
	{ "threshold", required_argument, NULL, 't' },
	{ "holm", no_argument, NULL, 'H' },
	{ "no-holm", no_argument, NULL, OPT_NO_HOLM },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "no-floor", no_argument, NULL, OPT_NO_FLOOR },
	{ "ignore", required_argument, NULL, 'g' },
	{ "out", required_argument, NULL, 'o' },
	{ "allow-incomplete", no_argument, NULL, 'I' },
	{ "results", required_argument, NULL, 'r' },
	{ "list", no_argument, NULL, 'l' },
	BENCH_OPTION_PLUGIN,
	{ "quiet", no_argument, NULL, 'q' },
	{ "git", no_argument, NULL, OPT_GIT },
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "preset", required_argument, NULL, OPT_PRESET },
	BENCH_OPTION_HELP,
	{ 0 },
};
#define COMPARE_SHORT ":a:t:o:r:lqh"

/* compare REF's own options, parsed once BASE is known to be REF. */
static int parse_ref_option(int c, const char *arg, struct compare_request *rq)
{
	rq->ref_options = true;
	switch (c) {
	case OPT_RUNS:
		return bench_parse_whole("compare", "--runs", arg, 1, 100,
					 &rq->runs);
	case OPT_CACHE_DIR:
		rq->cache_dir = arg;
		return check_not_empty("--cache-dir", arg);
	case OPT_PRESET:
		return bench_parse_preset("compare", arg, &rq->preset);
	}
	return 0;
}

static int compare_option(int c, const char *arg, void *ctx)
{
	struct compare_request *rq = ctx;
	char err[128];
	double pct;

	switch (c) {
	case 'a':
		if (parse_real(arg, 1e-12, 1, false, &rq->opts.alpha) ||
		    rq->opts.alpha <= 0) {
			bench_error("compare: --alpha '%s': expected a number "
				    "in (0, 1), e.g. 0.05", arg);
			return EXIT_USAGE;
		}
		break;
	case 't':
		if (parse_real(arg, 0, 100, true, &pct)) {
			bench_error("compare: --threshold '%s': expected a "
				    "percentage in [0, 100), e.g. 3", arg);
			return EXIT_USAGE;
		}
		rq->opts.threshold = pct / 100;
		break;
	case 'H':
	case OPT_NO_HOLM:
		rq->opts.holm = c == 'H';
		break;
	case OPT_FAIL_ON:
		if (compare_fail_on_parse(arg, &rq->opts.fail_on, err,
					  sizeof(err))) {
			bench_error("compare: --fail-on %s", err);
			return EXIT_USAGE;
		}
		break;
	case OPT_RUNS:
	case OPT_CACHE_DIR:
	case OPT_PRESET:
		return parse_ref_option(c, arg, rq);
	case 'g':
		if (compare_ignore_parse(arg, &rq->opts.ignore, err,
					 sizeof(err))) {
			bench_error("compare: --ignore %s", err);
			return EXIT_USAGE;
		}
		break;
	}
	return 0;
}

/* The options that only store into a compare_request. */
static const struct bench_store compare_stores[] = {
	{ OPT_NO_FLOOR, offsetof(struct compare_request, no_floor) },
	{ OPT_GIT, offsetof(struct compare_request, git) },
	{ 'q', offsetof(struct compare_request, quiet) },
	{ 'o', offsetof(struct compare_request, out) },
	{ 'I', offsetof(struct compare_request, allow_incomplete) },
	{ 'r', offsetof(struct compare_request, results) },
	{ 'l', offsetof(struct compare_request, list) },
	{ 0 },
};

static const struct bench_cli compare_cli = {
	.verb = "compare", .shortopts = COMPARE_SHORT,
	.longopts = compare_opts, .stores = compare_stores,
	.usage = compare_usage, .operands = true,
};

/* BASE and NEW, the words after compare's options (optind on), and the
 * paths given checked. */
static int parse_operands(int argc, char **argv, struct compare_request *rq)
{
	if (optind < argc)
		rq->base_spec = argv[optind++];
	if (optind < argc)
		rq->new_spec = argv[optind++];
	if (optind < argc) {
		bench_error("compare: unexpected argument '%s' (at most BASE "
			    "and NEW)", argv[optind]);
		return EXIT_USAGE;
	}
	if (rq->list && rq->base_spec) {
		bench_error("compare: --list takes no BASE or NEW");
		return EXIT_USAGE;
	}
	if (check_not_empty("--results", rq->results) ||
	    (rq->out && check_not_empty("--out", rq->out)) ||
	    (rq->base_spec && check_not_empty("BASE", rq->base_spec)) ||
	    (rq->new_spec && check_not_empty("NEW", rq->new_spec)))
		return EXIT_USAGE;
	return rq->out ? check_out_dir(rq->out) : 0;
}

static int render_and_write(const struct compare_request *rq,
			    const struct comparison *cmp,
			    const struct compare_side *base,
			    const struct compare_side *new)
{
	struct compare_sides sides = {
		.base_label = base->label,
		.new_label = new->label,
		.base = &base->run,
		.new = &new->run,
	};
	char *md = compare_markdown(cmp, &sides);
	char *json = compare_json(cmp, &sides);
	char out[PATH_MAX];
	int outfd = -1, ret = EXIT_RUNTIME;

	if (!md || !json) {
		bench_error("compare: out of memory");
		goto out_free;
	}
	if (rq->out)
		snprintf(out, sizeof(out), "%s", rq->out);
	else
		bench_compare_default_out(new, out);
	outfd = outfile_dir_open(AT_FDCWD, out, OUTFILE_CREATE);
	if (outfd < 0) {
		bench_error("compare: cannot create %s: %s", out,
			    strerror(-outfd));
		goto out_free;
	}
	/* the change per cell drawn beside compare.md (plots.h) */
	if (plots_compare_section(cmp, out, &md)) {
		bench_error("compare: out of memory");
		goto out_free;
	}
	/* the files first: a broken stdout still leaves them (main() then
	 * reports it) */
	if (bench_compare_write(outfd, out, "compare.md", md) ||
	    bench_compare_write(outfd, out, "compare.json", json))
		goto out_free;
	fputs(md, stdout);
	ret = compare_failed(cmp) ? EXIT_REGRESSION : EXIT_OK;
	/* a regression the gate could not judge must not pass for none */
	if (compare_unjudged(cmp)) {
		bench_error("compare: %zu time change%s that regressed not "
			    "judged: %s; exit 2",
			    compare_unjudged_regressed(cmp),
			    compare_unjudged_regressed(cmp) == 1 ? "" : "s",
			    cmp->unjudged_why);
		ret = EXIT_RUNTIME;
	}
	/* a check that tested nothing must not pass for "no regression" */
	if (!compare_tested(cmp)) {
		bench_error("compare: nothing compared: no cell of %s matches "
			    "one of %s with samples on both sides (%zu "
			    "matched without data, %zu only in base, %zu "
			    "only in new)", base->label, new->label,
			    cmp->n_no_data, cmp->n_only_base,
			    cmp->n_only_new);
		ret = EXIT_RUNTIME;
	}
out_free:
	if (outfd >= 0)
		close(outfd);
	free(md);
	free(json);
	return ret;
}

/* compare REF: the request from the parsed options and sweep's. */
static int compare_ref(struct compare_request *rq, char **sweep, int n_sweep)
{
	char looked[2 * PATH_MAX + 8] = "";
	struct compare_ref_request ref = {
		.ref = rq->base_spec,
		.opts = rq->opts,
		.results = rq->results,
		.out = rq->out,
		.cache_dir = rq->cache_dir,
		.preset = rq->preset,
		.runs = rq->runs ? rq->runs : 3,
		.sweep = sweep,
		.n_sweep = n_sweep,
		.quiet = rq->quiet,
	};

	if (!rq->base_spec || rq->new_spec || rq->list) {
		bench_error("compare: %s", rq->list ? "--list takes no sweep "
			    "options" : !rq->base_spec ?
			    "sweep options or --runs/--cache-dir/--preset "
			    "need REF, a git commit-ish" :
			    "compare REF takes one REF, not BASE and NEW");
		return EXIT_USAGE;
	}
	for (int i = 0; i < n_sweep; i++) {
		if (!strncmp(sweep[i], "--save-baseline", 15) ||
		    !strncmp(sweep[i], "--baseline", 10)) {
			bench_error("compare: %s: not with compare REF (its "
				    "passes are compared with each other)",
				    sweep[i]);
			return EXIT_USAGE;
		}
	}
	if (!n_sweep && !rq->ref_options && !rq->git) {
		snprintf(looked, sizeof(looked), "%s/baselines/%s.json and "
			 "%s/%s/results.json", rq->results, rq->base_spec,
			 rq->results, rq->base_spec);
		ref.looked_for = looked;
	}
	/* the floors are for single runs of saved sweeps */
	ref.opts.floors = NULL;
	return bench_compare_ref(&ref);
}

int cmd_compare(int argc, char **argv)
{
	struct compare_request rq = { .results = "results",
				      .preset = "quick" };
	struct compare_side *base = NULL, *new = NULL;
	struct calibration cal = { 0 };
	struct comparison cmp;
	char **own = NULL, **sweep = NULL;
	int ret, n_own, n_sweep;

	compare_default_options(&rq.opts);
	ret = bench_split_sweep_args(&compare_cli, argc, argv, compare_option,
				     &rq, &own, &n_own, &sweep, &n_sweep);
	if (!ret)
		ret = parse_operands(n_own, own, &rq);
	if (ret) {
		ret = ret < 0 ? EXIT_OK : ret;
		goto out_free;
	}
	/* REF mode: asked for, or a word that names no saved run */
	if (n_sweep || rq.ref_options || rq.git ||
	    (rq.base_spec && !rq.new_spec &&
	     !bench_compare_names_saved_run(rq.base_spec, rq.results))) {
		ret = compare_ref(&rq, sweep, n_sweep);
		goto out_free;
	}
	if (rq.list) {
		ret = bench_compare_list_baselines(rq.results);
		goto out_free;
	}

	/* two PATH_MAX-heavy structs: keep them off the stack */
	base = calloc(1, sizeof(*base));
	new = calloc(1, sizeof(*new));
	if (!base || !new) {
		bench_error("compare: out of memory");
		ret = EXIT_RUNTIME;
		goto out_free;
	}
	ret = bench_compare_resolve_sides(&rq, base, new);
	if (ret)
		goto out_free;
	if (!rq.out) {
		char out[PATH_MAX];

		/* NEW's directory (or .): checked before the comparison */
		bench_compare_default_out(new, out);
		ret = check_out_dir(out);
		if (ret)
			goto out_free;
	}
	bench_compare_load_floors(&rq, base, new, &cal);
	rq.opts.floors = cal.n_sizes ? &cal : NULL;
	ret = compare_runs(&base->run, &new->run, &rq.opts, &cmp);
	if (ret) {
		bench_error("compare: %s", strerror(-ret));
		ret = ret == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
		goto out_free;
	}
	ret = render_and_write(&rq, &cmp, base, new);
	compare_free(&cmp);
out_free:
	if (base)
		results_free(&base->run);
	if (new)
		results_free(&new->run);
	free(base);
	free(new);
	calibration_free(&cal);
	free(own);
	free(sweep);
	return ret;
}
