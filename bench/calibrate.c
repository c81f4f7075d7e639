// SPDX-License-Identifier: MIT
/*
 * iobench calibrate: an A/A of the requested sweep - this binary, the
 * same options, two passes back to back (per --runs pair) - whose cell-by-
 * cell changes give this host's noise floor per size, stored beside the
 * baselines for compare (harness/calibration.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibration.h"
#include "compare.h"
#include "fmt.h"
#include "outfile.h"
#include "passes.h"
#include "signals.h"
#include "verbs.h"

/* A/A pairs by default: a cell's own floor needs 2 (calibration.h), and
 * floors from one pair flagged 2-7 of 297 cells over 9 A/A pairs of
 * `iobench quick` on the development VM (three calibrations, each of
 * one pair), from three 1 of 297 (README, noise floors) */
#define CALIBRATE_DEFAULT_PAIRS 3u

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: iobench calibrate [--runs PAIRS] [--preset quick|full|none]\n"
"                         [--results DIR] [-q] [SWEEP OPTIONS]\n"
"       iobench calibrate --from RESULTS/calibrate-ID [--results DIR]\n"
"\n"
"Measures this host's run-to-run noise: the sweep (the preset's options,\n"
"then the SWEEP OPTIONS; default the quick preset) runs twice back to back\n"
"with this binary - an A/A, per --runs pair (default 3) - and each cell's\n"
"change of the median time between the two runs is noise, taken as\n"
"compare takes it: net of the median change of its size's cells (the\n"
"shift common to the size, at least 4 cells of one kind and threads,\n"
"2 for the time of copies that wait for the device).\n"
"Per file size, and apart for copies that wait for the device (O_DIRECT,\n"
"cold, --sync end): their robust SD and the floor compare uses; the same\n"
"of each cell's CPU s/GiB change (net of its size's CPU shift), the floor\n"
"compare holds CPU changes to. Stored as\n"
"RESULTS/baselines/calibration.json (replaced; the passes under\n"
"RESULTS/calibrate-ID/). Afterwards, `iobench compare BASE NEW` of two\n"
"single runs made on this host calls a change below the floor \"within\n"
"noise\" and states the smallest change it can detect per size and kind,\n"
"and a single `iobench sweep --out RESULTS` of the same options states in\n"
"its report how far another run's medians may land per size (the size's\n"
"shifts, stored too, and the floor: its run-to-run band).\n"
"\n"
"Which to use when: runs saved at different times (CI baselines), one run\n"
"each - calibrate once per host (again after changing it), then compare;\n"
"runs made with --runs N (N >= 2) - compare uses the hierarchical\n"
"bootstrap, no floor needed; \"did my change make copying slower\" -\n"
"iobench compare REF, which measures both builds interleaved.\n"
"\n"
"options:\n"
"      --runs PAIRS       A/A pairs, 1-20 (default 3: a cell's own floor\n"
"                         needs 2); more pairs, a steadier floor\n"
"      --preset NAME      quick (default), full, or none (sweep's own)\n"
"      --from DIR         no measuring: judge again the passes an earlier\n"
"                         calibrate kept in DIR (RESULTS/calibrate-ID), as\n"
"                         this binary's compare judges, and store the floor\n"
"      --results DIR      the results tree (default results)\n"
"  -q, --quiet            no progress on stderr\n"
"  -h, --help             show this help\n"
"  SWEEP OPTIONS          any of sweep's, short forms too (-s rw), but\n"
"                         --out, --dry-run and --lockstep; checked by\n"
"                         sweep --dry-run before anything runs\n"
"\n"
"exit codes: 0 stored; 1 bad input; 2 a pass failed or nothing matched;\n"
"128+n stopped by signal n.\n");
}

enum { OPT_RUNS = 256, OPT_PRESET, OPT_RESULTS, OPT_FROM };

static const struct option calibrate_opts[] = {
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "preset", required_argument, NULL, OPT_PRESET },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "quiet", no_argument, NULL, 'q' },
	BENCH_OPTION_HELP,
	{ 0 },
};

struct calibrate_request {
	unsigned pairs;
	const char *preset, *results;
	const char *from;		/* --from: an earlier calibrate's dir */
	bool pairs_given, quiet;
};

static int calibrate_option(int c, const char *arg, void *ctx)
{
	struct calibrate_request *rq = ctx;

	switch (c) {
	case OPT_RUNS:
		rq->pairs_given = true;
		return bench_parse_whole("calibrate", "--runs", arg, 1, 20,
					 &rq->pairs);
	case OPT_FROM:
		if (!*arg) {
			bench_error("calibrate: --from: empty path");
			return EXIT_USAGE;
		}
		rq->from = arg;
		break;
	case OPT_PRESET:
		return bench_parse_preset("calibrate", arg, &rq->preset);
	case OPT_RESULTS:
		if (!*arg) {
			bench_error("calibrate: --results: empty path");
			return EXIT_USAGE;
		}
		rq->results = arg;
		break;
	case 'q':
		rq->quiet = true;
		break;
	}
	return 0;
}

static const struct bench_cli calibrate_cli = {
	.verb = "calibrate", .shortopts = ":qh", .longopts = calibrate_opts,
	.usage = usage,
};

/* The preset's options, the user's sweep options, --no-limits. */
static char **sweep_args(const struct calibrate_request *rq, char **user,
			 int n_user, size_t *n)
{
	const char *const *preset = rq->preset ?
				    bench_preset_args(rq->preset) : NULL;
	size_t np = 0;
	char **args;

	while (preset && preset[np])
		np++;
	args = calloc(np + (size_t)n_user + 2, sizeof(*args));
	if (!args)
		return NULL;
	*n = 0;
	for (size_t i = 0; i < np; i++)
		args[(*n)++] = (char *)preset[i];
	for (int i = 0; i < n_user; i++)
		args[(*n)++] = user[i];
	args[(*n)++] = "--no-limits";
	return args;
}

/* One A/A pair: two passes, added to cal. */
static int run_pair(const struct calibrate_request *rq, const char *self,
		    char **args, size_t n_args, const char *dir, unsigned pair,
		    struct calibration *cal)
{
	struct run runs[2] = { { 0 } };
	int ret = 0;

	for (int k = 0; k < 2 && !ret; k++) {
		char out[PATH_MAX + 32], err[PATH_MAX + 512];
		struct passes_outcome o;

		snprintf(out, sizeof(out), "%s/passes/%02u", dir,
			 2 * pair + k + 1);
		if (!rq->quiet)
			fprintf(stderr, "iobench: calibrate: pass %u/%u ...\n",
				2 * pair + k + 1, 2 * rq->pairs);
		ret = passes_run_one(self, args, n_args, out, &stop_signal,
				     &runs[k], &o, err, sizeof(err));
		if (ret && ret != -EINTR)
			bench_error("calibrate: pass %u: %s", 2 * pair + k + 1,
				    err);
		if (!ret && !rq->quiet)
			fprintf(stderr, "iobench: calibrate: pass %u/%u done "
				"in %.0f s\n", 2 * pair + k + 1,
				2 * rq->pairs, o.seconds);
	}
	if (!ret) {
		ret = compare_calibration_pair(cal, &runs[0], &runs[1]);
		if (ret == -EINVAL)
			bench_error("calibrate: the two runs share no measured "
				    "cell");
	}
	results_free(&runs[0]);
	results_free(&runs[1]);
	return ret;
}

/*
 * --from: the pairs of passes an earlier calibrate kept under from
 * (passes/01 and 02, 03 and 04, ...), judged by this binary: how compare
 * judges changes, and so what their floor is, can change from one version
 * to the next while the measurements stand. 0, or an exit code after
 * saying why.
 */
static int pairs_from(const char *from, struct calibration *cal)
{
	int ret = 0;

	for (unsigned p = 0; !ret; p++) {
		struct run runs[2] = { { 0 } };
		char path[PATH_MAX + 64], err[PATH_MAX + 512];

		for (int k = 0; k < 2 && !ret; k++) {
			snprintf(path, sizeof(path),
				 "%s/passes/%02u/latest/results.json", from,
				 2 * p + k + 1);
			if (k == 0 && p > 0 && access(path, F_OK))
				return 0;	/* every pair read */
			ret = results_read_json(path, &runs[k], err,
						sizeof(err));
			if (ret) {
				bench_error("calibrate: --from: %s%s", err,
					    k ? " (a pass without its pair)" :
						"");
				ret = EXIT_USAGE;
			}
		}
		if (!ret && compare_calibration_pair(cal, &runs[0], &runs[1])) {
			bench_error("calibrate: --from: passes %02u and %02u "
				    "share no measured cell", 2 * p + 1,
				    2 * p + 2);
			ret = EXIT_USAGE;
		}
		results_free(&runs[0]);
		results_free(&runs[1]);
	}
	return ret;
}

static void print_floors(const struct calibration *cal, const char *path)
{
	size_t m = calibration_cells_per_pair(cal);
	size_t v = calibration_variants(cal), raw = 0;

	printf("noise floor of %s (%zu A/A pair%s), stored in %s:\n\n"
	       "| size | copies | changes | A/A SD | largest | floor (%zu "
	       "cells and %zu variants across sizes compared) | CPU s/GiB "
	       "floor |\n|---|---|--:|--:|--:|--:|--:|\n",
	       cal->hostname ? cal->hostname : "this host", cal->pairs,
	       cal->pairs == 1 ? "" : "s", path, m, v);
	m += v;
	for (size_t k = 0; k < cal->n_sizes; k++) {
		const struct calibration_size *z = &cal->sizes[k];
		char size[FMT_LEN];

		printf("| %s | %s | %zu | %.1f%% | %.1f%% | ±%.1f%% | "
		       "±%.1f%% |\n",
		       fmt_size(z->size, size, sizeof(size)),
		       calibration_kind_name(z->kind), z->n,
		       100 * (exp(calibration_sigma(cal, z)) - 1),
		       100 * (exp(z->max) - 1),
		       100 * (exp(calibration_floor(
				      cal, z->size,
				      z->kind == CALIBRATION_DEVICE, m,
				      0.05)) -
			      1),
		       100 * expm1(calibration_cpu_floor(
				     cal, z->size,
				     z->kind == CALIBRATION_DEVICE, m, 0.05)));
	}
	printf("\nA change smaller than the floor is within noise when two "
	       "single runs are compared (compare BASE NEW); the changes "
	       "are net of their size's shift, as compare judges them");
	/* fewer cells than a shift needs: those changes are raw */
	for (size_t k = 0; k < cal->n_sizes; k++) {
		const struct calibration_size *z = &cal->sizes[k];
		char size[FMT_LEN];

		if (z->n_shifts)
			continue;
		printf("%s%s %s", raw++ ? ", " : " (not at ",
		       fmt_size(z->size, size, sizeof(size)),
		       calibration_kind_name(z->kind));
	}
	if (raw)
		printf(": fewer than %d cells (%d of copies that wait for the "
		       "device), no shift, the changes raw)",
		       COMPARE_SHIFT_MIN_CELLS, COMPARE_SHIFT_MIN_DEVICE);
	printf("; copies that wait for the device (O_DIRECT, cold, --sync "
	       "end) have a floor of their own; CPU s/GiB changes are held "
	       "to the CPU floor alike (a CPU floor of 0: the passes "
	       "counted no CPU time for it).\n");
}

static int store(const struct calibrate_request *rq,
		 const struct calibration *cal, char *path, size_t len)
{
	char dir[PATH_MAX], *doc = calibration_json(cal);
	int fd, ret;

	snprintf(dir, sizeof(dir), "%s/baselines", rq->results);
	snprintf(path, len, "%s/%s", dir, CALIBRATION_FILE);
	if (!doc) {
		bench_error("calibrate: out of memory");
		return EXIT_RUNTIME;
	}
	fd = outfile_dir_open(AT_FDCWD, dir, OUTFILE_CREATE);
	ret = fd < 0 ? fd : outfile_write_at(fd, CALIBRATION_FILE, doc,
					     strlen(doc));
	if (fd >= 0)
		close(fd);
	free(doc);
	if (ret) {
		bench_error("calibrate: cannot write %s: %s", path,
			    strerror(-ret));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int cmd_calibrate(int argc, char **argv)
{
	struct calibrate_request rq = { .pairs = CALIBRATE_DEFAULT_PAIRS,
					.preset = "quick",
					.results = "results" };
	struct calibration cal = { 0 };
	char **own = NULL, **sweep = NULL, **args = NULL;
	char self[PATH_MAX], dir[PATH_MAX], path[PATH_MAX + 64];
	int n_own, n_sweep, ret;
	size_t n_args;

	ret = bench_split_sweep_args(&calibrate_cli, argc, argv,
				     calibrate_option, &rq, &own, &n_own,
				     &sweep, &n_sweep);
	if (ret) {
		ret = ret < 0 ? EXIT_OK : ret;
		goto out_free;
	}
	if (rq.from) {
		if (n_sweep || rq.pairs_given) {
			bench_error("calibrate: --from judges kept passes "
				    "again: no --runs or sweep options");
			ret = EXIT_USAGE;
			goto out_free;
		}
		ret = pairs_from(rq.from, &cal);
		if (ret)
			goto out_free;
		goto finish;
	}
	ret = bench_self_exe(self, sizeof(self));
	args = sweep_args(&rq, sweep, n_sweep, &n_args);
	if (ret || !args) {
		bench_error("calibrate: %s", ret ? "cannot find this binary"
						 : strerror(ENOMEM));
		ret = EXIT_RUNTIME;
		goto out_free;
	}
	if (passes_check_args(self, args, n_args, rq.results) == -EINVAL) {
		bench_error("calibrate: the sweep refused its options "
			    "(above); nothing run or created");
		ret = EXIT_USAGE;
		goto out_free;
	}
	ret = bench_stamped_dir(rq.results, "calibrate", dir, sizeof(dir));
	if (!ret)
		ret = outfile_check_dest(rq.results, 64);
	if (ret) {
		bench_error("calibrate: cannot create files in %s: %s",
			    rq.results, strerror(-ret));
		ret = EXIT_USAGE;
		goto out_free;
	}
	signals_install_stop(on_stop);
	for (unsigned p = 0; p < rq.pairs && !ret; p++)
		ret = run_pair(&rq, self, args, n_args, dir, p, &cal);
	if (stop_signal) {
		bench_error("calibrate: stopped by %s (nothing stored)",
			    signals_name(stop_signal));
		ret = signals_exit_code(stop_signal);
		goto out_free;
	}
	if (ret) {
		ret = ret == -EINVAL && !cal.pairs ? EXIT_USAGE : EXIT_RUNTIME;
		goto out_free;
	}
finish:
	ret = calibration_finish(&cal);
	if (!ret)
		ret = store(&rq, &cal, path, sizeof(path));
	else
		ret = EXIT_RUNTIME;
	if (!ret)
		print_floors(&cal, path);
out_free:
	calibration_free(&cal);
	free(args);
	free(own);
	free(sweep);
	return ret;
}
