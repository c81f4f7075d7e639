// SPDX-License-Identifier: MIT
/*
 * iobench compare: finds the two runs (baseline names, run ids, results
 * directories or results.json paths), compares them and prints the
 * verdicts; exit 4 when a cell regressed, for CI.
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

#include "compare.h"
#include "outfile.h"
#include "parse.h"
#include "plots.h"
#include "verbs.h"

struct compare_request {
	struct compare_options opts;
	const char *results;		/* --results, default "results" */
	const char *out;		/* --out, or NULL: see side_out_dir */
	const char *base_spec, *new_spec; /* NULL: the defaults */
	bool allow_incomplete;
	bool list;
};

/* One side of the comparison, as found on disk. */
struct side {
	char path[PATH_MAX];		/* its results.json */
	char label[PATH_MAX];		/* how the report names it */
	bool baseline;			/* from RESULTS/baselines */
	struct run run;
};

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: iobench compare [BASE] [NEW] [--alpha A] [--threshold PCT]\n"
		"                       [--holm] [--out DIR] [--allow-incomplete]\n"
		"                       [--results DIR] [--ignore PARTS]\n"
		"                       [--plugin PATH.so]...\n"
		"       iobench compare --list [--results DIR]\n"
		"\n"
		"Compares two runs cell by cell: cells are matched by strategy,\n"
		"size, tunables, cache, sync and content; per matched cell a\n"
		"two-sided Mann-Whitney U test on the per-copy times and the\n"
		"change of the median time with a seeded bootstrap 95%% CI.\n"
		"Verdicts: ~ (p >= alpha), within noise (significant, but the CI\n"
		"reaches inside +/-threshold), regressed / improved (the CI is\n"
		"wholly beyond +threshold / -threshold).\n"
		"\n"
		"BASE and NEW are each a baseline name (RESULTS/baselines/NAME.json),\n"
		"a run id (RESULTS/ID/results.json), a results directory or a\n"
		"results.json path. Defaults: BASE = baseline 'main', NEW =\n"
		"RESULTS/latest.\n"
		"\n"
		"options:\n"
		"  -a, --alpha A          significance level (default 0.05)\n"
		"  -t, --threshold PCT    smallest change that matters, in percent\n"
		"                         of the median time (default 3)\n"
		"      --holm             Holm-adjust the p-values over the cells\n"
		"      --ignore PARTS     leave key parts out of the match: any of\n"
		"                         buffer,qd,direct,sqpoll,content (e.g. to\n"
		"                         judge a buffer change like a code change)\n"
		"  -o, --out DIR          where compare.md, compare.json and plots/\n"
		"                         go (default: NEW's results directory; the\n"
		"                         current directory when NEW is a baseline);\n"
		"                         checked before any run is read, each file\n"
		"                         written whole, never through a symlink\n"
		"      --allow-incomplete\n"
		"                         compare results of an interrupted run\n"
		"  -r, --results DIR      the results tree (default results)\n"
		"      --plugin PATH.so   load a strategy plugin, as the runs did\n"
		"                         (repeatable; also IOBENCH_PLUGIN_PATH);\n"
		"                         its strategies match by name like\n"
		"                         built-ins\n"
		"  -l, --list             list the baselines: date, host, cells\n"
		"  -h, --help             show this help\n"
		"\n"
		"exit codes: 0 no cell regressed; 4 some cell regressed; 1 bad\n"
		"input (missing baseline, unreadable, corrupt or truncated JSON,\n"
		"unknown schema, an incomplete run, an empty path, an --out where\n"
		"nothing can be created): nothing written; 2 the outputs (stdout\n"
		"included) could not be written, or nothing was compared (no\n"
		"matched cell with samples on both sides; compare.md says so).\n"
		"Numbers are decimal (no hex,\n"
		"exponent or inf); --ignore refuses empty items and duplicates.\n");
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

static int parse_args(int argc, char **argv, struct compare_request *rq)
{
	static const struct option opts[] = {
		{ "alpha", required_argument, NULL, 'a' },
		{ "threshold", required_argument, NULL, 't' },
		{ "holm", no_argument, NULL, 'H' },
		{ "ignore", required_argument, NULL, 'g' },
		{ "out", required_argument, NULL, 'o' },
		{ "allow-incomplete", no_argument, NULL, 'I' },
		{ "results", required_argument, NULL, 'r' },
		{ "list", no_argument, NULL, 'l' },
		{ "plugin", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	double pct;
	int c;

	while ((c = bench_getopt("compare", argc, argv, ":a:t:o:r:lh", opts)) !=
	       -1) {
		switch (c) {
		case 'a':
			if (parse_real(optarg, 1e-12, 1, false,
				       &rq->opts.alpha) ||
			    rq->opts.alpha <= 0) {
				bench_error("compare: --alpha '%s': expected a "
					    "number in (0, 1), e.g. 0.05",
					    optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (parse_real(optarg, 0, 100, true, &pct)) {
				bench_error("compare: --threshold '%s': expected "
					    "a percentage in [0, 100), e.g. 3",
					    optarg);
				return EXIT_USAGE;
			}
			rq->opts.threshold = pct / 100;
			break;
		case 'H':
			rq->opts.holm = true;
			break;
		case 'g': {
			char err[128];

			if (compare_ignore_parse(optarg, &rq->opts.ignore, err,
						 sizeof(err))) {
				bench_error("compare: --ignore %s", err);
				return EXIT_USAGE;
			}
			break;
		}
		case 'o':
			rq->out = optarg;
			break;
		case 'I':
			rq->allow_incomplete = true;
			break;
		case 'r':
			rq->results = optarg;
			break;
		case 'l':
			rq->list = true;
			break;
		case 'P':
			break;	/* loaded before parsing (bench/plugins.c) */
		case 'h':
			compare_usage(stdout);
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
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

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Something other than a file or directory (a FIFO, socket, device):
 * never opened, named in the error instead. */
static bool is_special(const char *path)
{
	struct stat st;

	return !stat(path, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* The first of n paths that is_special(), or NULL. */
static const char *first_special(const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_special(paths[i]))
			return paths[i];
	return NULL;
}

/* snprintf into a PATH_MAX buffer; false when the path does not fit. */
static bool path_fmt(char *buf, const char *fmt, const char *a,
		     const char *b)
{
	return snprintf(buf, PATH_MAX, fmt, a, b) < PATH_MAX;
}

/*
 * Finds the results.json a spec names: an explicit path (a file, or a
 * directory holding results.json) first when it looks like one, then a
 * baseline name, then a run id, then any existing path. 0, or EXIT_USAGE
 * after printing why.
 */
static int resolve_spec(const char *spec, const char *results,
			struct side *s)
{
	bool looks_like_path = strchr(spec, '/') ||
			       strstr(spec, ".json") || !strcmp(spec, ".");
	char tried[3][PATH_MAX];
	const char *special;

	if (!path_fmt(tried[0], "%s/baselines/%s.json", results, spec) ||
	    !path_fmt(tried[1], "%s/%s/results.json", results, spec) ||
	    !path_fmt(tried[2], "%s/%s", spec, "results.json")) {
		bench_error("compare: '%s': path too long", spec);
		return EXIT_USAGE;
	}
	if (looks_like_path || !is_file(tried[0])) {
		if (is_file(spec)) {
			snprintf(s->path, PATH_MAX, "%s", spec);
			goto found;
		}
		if (is_dir(spec) && is_file(tried[2])) {
			snprintf(s->path, PATH_MAX, "%s", tried[2]);
			goto found;
		}
	}
	if (is_file(tried[0])) {
		snprintf(s->path, PATH_MAX, "%s", tried[0]);
		s->baseline = true;
		snprintf(s->label, PATH_MAX, "baseline %s", spec);
		return 0;
	}
	if (is_file(tried[1])) {
		snprintf(s->path, PATH_MAX, "%s", tried[1]);
		goto found;
	}
	special = first_special((const char *const[]){ spec, tried[2],
						       tried[0], tried[1] }, 4);
	if (special)
		bench_error("compare: %s: not a regular file", special);
	else if (is_dir(spec))
		bench_error("compare: %s: no results.json in this directory",
			    spec);
	else
		bench_error("compare: '%s' is no baseline, run id, results "
			    "directory or results.json (looked for %s and %s)",
			    spec, tried[0], tried[1]);
	return EXIT_USAGE;
found:
	snprintf(s->label, PATH_MAX, "%s", spec);
	return 0;
}

static int resolve_default_base(const char *results, struct side *s)
{
	if (path_fmt(s->path, "%s/baselines/%s.json", results, "main") &&
	    is_special(s->path)) {
		bench_error("compare: %s: not a regular file", s->path);
		return EXIT_USAGE;
	}
	if (!path_fmt(s->path, "%s/baselines/%s.json", results, "main") ||
	    !is_file(s->path)) {
		bench_error("compare: no baseline 'main' in %s/baselines (save "
			    "one with iobench sweep --save-baseline main)",
			    results);
		return EXIT_USAGE;
	}
	s->baseline = true;
	snprintf(s->label, PATH_MAX, "baseline main");
	return 0;
}

static int resolve_default_new(const char *results, struct side *s)
{
	char latest[PATH_MAX];

	if (path_fmt(s->path, "%s/latest/%s", results, "results.json") &&
	    is_special(s->path)) {
		bench_error("compare: %s: not a regular file", s->path);
		return EXIT_USAGE;
	}
	if (!path_fmt(latest, "%s/%s", results, "latest") ||
	    !path_fmt(s->path, "%s/latest/%s", results, "results.json") ||
	    !is_file(s->path)) {
		bench_error("compare: no %s/latest/results.json (run iobench "
			    "sweep first, or name NEW)", results);
		return EXIT_USAGE;
	}
	snprintf(s->label, PATH_MAX, "%s", latest);
	return 0;
}

/* Reads a side's results.json; refuses an interrupted run unless asked. */
static int load_side(struct side *s, bool allow_incomplete)
{
	char err[PATH_MAX + 256];
	size_t pending = 0;

	if (results_read_json(s->path, &s->run, err, sizeof(err))) {
		bench_error("compare: %s", err);
		return EXIT_USAGE;
	}
	if (!s->run.incomplete || allow_incomplete)
		return 0;
	for (size_t i = 0; i < s->run.n_cells; i++)
		pending += s->run.cells[i].status == CELL_PENDING;
	bench_error("compare: %s: results of an incomplete run (%zu of %zu "
		    "cells not run); pass --allow-incomplete to compare it "
		    "anyway", s->path, pending, s->run.n_cells);
	return EXIT_USAGE;
}

/* Where compare.md/json go by default: beside NEW's results.json, unless
 * NEW is a baseline (the baselines folder holds baselines only). */
static void default_out_dir(const struct side *new, char *buf)
{
	char *slash;

	if (new->baseline) {
		snprintf(buf, PATH_MAX, ".");
		return;
	}
	snprintf(buf, PATH_MAX, "%s", new->path);
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(buf, PATH_MAX, ".");
}

static int write_output(int dirfd, const char *dir, const char *name,
			const char *doc)
{
	int ret = outfile_write_at(dirfd, name, doc, strlen(doc));

	if (ret)
		bench_error("compare: cannot write %s/%s: %s", dir, name,
			    strerror(-ret));
	return ret;
}

static int json_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	/* NAME.json, not hidden, not a writer's NAME.json.tmp.XXXXXX */
	return d->d_name[0] != '.' && n > 5 &&
	       !strcmp(d->d_name + n - 5, ".json");
}

/* --list: one line per baseline, oldest name first (alphabetical). */
static int list_baselines(const char *results)
{
	char dir[PATH_MAX], path[PATH_MAX], err[PATH_MAX + 256];
	struct dirent **names;
	int n;

	if (!path_fmt(dir, "%s/%s", results, "baselines"))
		return EXIT_USAGE;
	n = scandir(dir, &names, json_name, alphasort);
	if (n < 0) {
		if (errno != ENOENT) {
			bench_error("compare: %s: %s", dir, strerror(errno));
			return EXIT_USAGE;
		}
		n = 0;
	}
	if (!n)
		printf("no baselines in %s (save one with iobench sweep "
		       "--save-baseline NAME)\n", dir);
	else
		printf("%-20s %-22s %-20s %s\n", "NAME", "DATE", "HOST",
		       "CELLS");
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name) - 5;
		struct run run;

		if (path_fmt(path, "%s/%s", dir, names[i]->d_name) &&
		    !results_read_json(path, &run, err, sizeof(err))) {
			printf("%-20.*s %-22s %-20s %zu\n", (int)len,
			       names[i]->d_name,
			       run.started ? run.started : "?",
			       run.env.hostname ? run.env.hostname : "?",
			       run.n_cells);
			results_free(&run);
		} else {
			printf("%-20.*s unreadable: %s\n", (int)len,
			       names[i]->d_name, err);
		}
		free(names[i]);
	}
	free(names);
	return EXIT_OK;
}

static int resolve_sides(const struct compare_request *rq, struct side *base,
			 struct side *new)
{
	int ret;

	ret = rq->base_spec ? resolve_spec(rq->base_spec, rq->results, base) :
			      resolve_default_base(rq->results, base);
	if (ret)
		return ret;
	ret = rq->new_spec ? resolve_spec(rq->new_spec, rq->results, new) :
			     resolve_default_new(rq->results, new);
	if (ret)
		return ret;
	ret = load_side(base, rq->allow_incomplete);
	if (ret)
		return ret;
	return load_side(new, rq->allow_incomplete);
}

static int render_and_write(const struct compare_request *rq,
			    const struct comparison *cmp,
			    const struct side *base, const struct side *new)
{
	struct compare_sides sides = {
		.base_label = base->label, .new_label = new->label,
		.base = &base->run, .new = &new->run,
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
		default_out_dir(new, out);
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
	if (write_output(outfd, out, "compare.md", md) ||
	    write_output(outfd, out, "compare.json", json))
		goto out_free;
	fputs(md, stdout);
	ret = cmp->n_regressed ? EXIT_REGRESSION : EXIT_OK;
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

int cmd_compare(int argc, char **argv)
{
	struct compare_request rq = { .results = "results" };
	struct side *base, *new;
	struct comparison cmp;
	int ret;

	compare_default_options(&rq.opts);
	ret = parse_args(argc, argv, &rq);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (rq.list)
		return list_baselines(rq.results);

	/* two PATH_MAX-heavy structs: keep them off the stack */
	base = calloc(1, sizeof(*base));
	new = calloc(1, sizeof(*new));
	if (!base || !new) {
		bench_error("compare: out of memory");
		ret = EXIT_RUNTIME;
		goto out_free;
	}
	ret = resolve_sides(&rq, base, new);
	if (ret)
		goto out_free;
	if (!rq.out) {
		char out[PATH_MAX];

		/* NEW's directory (or .): checked before the comparison */
		default_out_dir(new, out);
		ret = check_out_dir(out);
		if (ret)
			goto out_free;
	}
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
	return ret;
}
