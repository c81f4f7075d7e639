// SPDX-License-Identifier: MIT
/*
 * iobench device: fio-grade ceilings of one or more directories' devices
 * (harness/device.h), printed as a table and written to
 * OUT/<id>/device.json and device.md.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "strategies.h"
#include "clock.h"
#include "parse.h"
#include "outfile.h"
#include "shell.h"
#include "signals.h"
#include "results.h"
#include "verbs.h"
#include "version.h"

#define MAX_DIRS 16
#define MAX_SECONDS 3600.0
#define MAX_REPEATS 64
#define MAX_BS (64ull << 20)
#define MAX_QD 1024

enum {
	/* with a short form, the same in every verb (-d, -o, -Q) */
	OPT_DIR = 'd',
	OPT_OUT = 'o',
	OPT_QD = 'Q',
	OPT_RUNTIME = 256,
	OPT_RAMP,
	OPT_REPEATS,
	OPT_SIZE,
	OPT_JSON,
	OPT_JOBS,
	OPT_BS,
	OPT_RAND_QD,
	OPT_CACHE_SET,
	OPT_FILE,
	OPT_SEED,
};

static const struct option options[] = {
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "runtime", required_argument, NULL, OPT_RUNTIME },
	{ "ramp", required_argument, NULL, OPT_RAMP },
	{ "repeats", required_argument, NULL, OPT_REPEATS },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "bs", required_argument, NULL, OPT_BS },
	{ "qd", required_argument, NULL, OPT_QD },
	{ "rand-qd", required_argument, NULL, OPT_RAND_QD },
	{ "cache-set", required_argument, NULL, OPT_CACHE_SET },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The long name of the option getopt returned as c. */
static const char *option_name(int c)
{
	for (const struct option *o = options; o->name; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iobench device [--dir DIR]... [--runtime S] [--ramp S] "
		"[--repeats N]\n"
		"                      [--size BYTES] [--json FILE] [--out "
		"DIR] [--jobs LIST]\n"
		"                      [--bs LIST] [--qd LIST] [--rand-qd "
		"LIST]\n"
		"                      [--cache-set BYTES] [--seed N] [-q]\n"
		"       iobench device --file FILE [the same options; read "
		"jobs only]\n"
		"\n"
		"Measures the ceilings of each DIR's storage the way fio does: "
		"sequential\n"
		"read/write bandwidth with O_DIRECT through io_uring over "
		"queue depths,\n"
		"random 4K read/write IOPS, page-cache read and write "
		"bandwidth, and\n"
		"create+close+unlink of empty files per second; per-I/O "
		"latency\n"
		"percentiles and device bytes per byte (/proc/diskstats). "
		"Every file lives\n"
		"in DIR/iobench-XXXXXX, removed on every exit path. On tmpfs "
		"the O_DIRECT\n"
		"jobs are skipped (no block device); the others run. A repeat "
		"during\n"
		"which the process was stopped (Ctrl-Z, SIGSTOP) is measured "
		"again.\n"
		"\n"
		"  -d, --dir DIR    a directory to measure (default .); repeat "
		"it to\n"
		"                   measure several side by side, interleaved\n"
		"  --runtime S      seconds measured per repeat of a job "
		"(default 1)\n"
		"  --ramp S         seconds run and discarded before each "
		"(default 0.25)\n"
		"  --repeats N      repeats of every job, 1..64 (default 3); "
		"the table\n"
		"                   shows their median and spread\n"
		"  --size BYTES     the O_DIRECT file (default 2G; at most a "
		"quarter of\n"
		"                   the free space; at least 16M)\n"
		"  --jobs LIST      "
		"read,write,randread,randwrite,cached-read,\n"
		"                   cached-write,metadata (default all)\n"
		"  --bs LIST        block sizes of read, write and the cached "
		"jobs\n"
		"                   (default 128K,1M; multiples of 4K)\n"
		"  -Q, --qd LIST    queue depths of read and write (default "
		"1,4,16,32)\n"
		"  --rand-qd LIST   queue depths of randread and randwrite "
		"(default 1,32)\n"
		"  --cache-set BYTES  page-cache working set (default 4 x the "
		"last-level\n"
		"                   cache, at least 64M)\n"
		"  --file FILE      measure read and randread on an existing "
		"file, opened\n"
		"                   read-only with O_DIRECT; nothing is "
		"written there\n"
		"  --seed N         random offsets (default 42)\n"
		"  --json FILE      also write the JSON document to FILE (- = "
		"stdout; the\n"
		"                   table then goes to stderr)\n"
		"  -o, --out DIR    results directory (default results): "
		"writes\n"
		"                   OUT/<id>/device.json and "
		"OUT/<id>/device.md\n"
		"  -q, --quiet      no progress on stderr\n"
		"  -h, --help       this text\n"
		"\n"
		"Long options are spelled in full.\n"
		"\n"
		BENCH_SIZE_HELP
		"\n"
		"exit codes: 0 success, 1 bad input (nothing created), 2 "
		"nothing\n"
		"  measured, 3 some jobs failed, 130/143 interrupted (partial "
		"results\n"
		"  written, marked incomplete)\n");
}

struct device_opts {
	char *dirs[MAX_DIRS];
	size_t n_dirs;
	const char *out, *json, *file;
	bool quiet;
};

/* ---- signals ---- */

/* First signal: stop the job in flight (the scratch directories are
 * removed, partial results written); a second one the default action.
 * No SA_RESTART: io_uring_enter must return to see the stop. */
static void install_signals(void)
{
	signals_on_stop(device_request_stop);
}

/* ---- options ---- */

static int parse_kinds(const char *s, unsigned *kinds, char *err, size_t len)
{
	char *copy = strdup(s), *save, *tok;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	*kinds = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		enum device_kind k;

		if (device_kind_parse(tok, &k))
			ret = strategy_why(err, len, -EINVAL,
					   "'%s': not a job (read, write, "
					   "randread, randwrite, cached-read, "
					   "cached-write, metadata)",
					   tok);
		else
			*kinds |= DEVICE_KIND_BIT(k);
	}
	free(copy);
	if (!ret && !*kinds)
		ret = strategy_why(err, len, -EINVAL, "no job given");
	return ret;
}

/* A comma list of counts into a fixed array. */
static int parse_qds(const char *s, unsigned *out, size_t *n, char *err,
		     size_t len)
{
	uint64_t *v;
	size_t k;
	int ret = parse_count_list(s, 1, MAX_QD, &v, &k, err, len);

	if (ret)
		return ret;
	if (k > DEVICE_MAX_LIST) {
		free(v);
		return strategy_why(err, len, -EINVAL, "at most %d values",
				    DEVICE_MAX_LIST);
	}
	for (size_t i = 0; i < k; i++)
		out[i] = (unsigned)v[i];
	*n = k;
	free(v);
	return 0;
}

static int parse_bs(const char *s, uint64_t *out, size_t *n, char *err,
		    size_t len)
{
	uint64_t *v;
	size_t k;
	int ret = parse_size_list(s, MAX_BS, &v, &k, err, len);

	if (ret)
		return ret;
	for (size_t i = 0; i < k && !ret; i++)
		if (!v[i] || v[i] % 4096)
			ret = -EINVAL;
	if (ret || k > DEVICE_MAX_LIST) {
		free(v);
		return ret ? strategy_why(err, len, -EINVAL,
					  "'%s': block sizes are multiples "
					  "of 4K",
					  s)
			   : strategy_why(err, len, -EINVAL,
					  "at most %d values", DEVICE_MAX_LIST);
	}
	memcpy(out, v, k * sizeof(*v));
	*n = k;
	free(v);
	return 0;
}

/* 0 is a valid ramp; parse_seconds takes positive values only. */
static int parse_ramp(const char *s, double *out, char *err, size_t len)
{
	if (!strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	return parse_seconds(s, MAX_SECONDS, out, err, len);
}

/* A size of at least min (min_name for people). */
static int parse_size_min(const char *arg, uint64_t min, const char *min_name,
			  uint64_t *out, char *err, size_t len)
{
	int ret = parse_size(arg, out, err, len);

	if (!ret && *out < min)
		return strategy_why(err, len, -EINVAL, "'%s': at least %s",
				    arg, min_name);
	return ret;
}

static int parse_option(int c, const char *arg, struct device_opts *d,
			struct device_options *o, char *err, size_t len)
{
	uint64_t v;
	int ret = 0;

	switch (c) {
	case OPT_DIR:
		if (d->n_dirs == MAX_DIRS)
			return strategy_why(err, len, -EINVAL,
					    "at most %d directories", MAX_DIRS);
		d->dirs[d->n_dirs++] = (char *)arg;
		return 0;
	case OPT_RUNTIME:
		return parse_seconds(arg, MAX_SECONDS, &o->runtime, err, len);
	case OPT_RAMP:
		return parse_ramp(arg, &o->ramp, err, len);
	case OPT_REPEATS:
		ret = parse_count(arg, 1, MAX_REPEATS, &v, err, len);
		o->repeats = (unsigned)v;
		return ret;
	case OPT_SIZE:
		return parse_size_min(arg, 16ull << 20, "16M", &o->size, err,
				      len);
	case OPT_CACHE_SET:
		return parse_size_min(arg, 1ull << 20, "1M", &o->cache_set, err,
				      len);
	case OPT_JOBS:
		return parse_kinds(arg, &o->kinds, err, len);
	case OPT_BS:
		return parse_bs(arg, o->seq_bs, &o->n_seq_bs, err, len);
	case OPT_QD:
		return parse_qds(arg, o->seq_qd, &o->n_seq_qd, err, len);
	case OPT_RAND_QD:
		return parse_qds(arg, o->rand_qd, &o->n_rand_qd, err, len);
	case OPT_SEED:
		ret = parse_count(arg, 1, UINT32_MAX, &v, err, len);
		o->seed = v;
		return ret;
	case OPT_JSON:
		d->json = arg;
		return 0;
	case OPT_OUT:
		d->out = arg;
		return 0;
	case OPT_FILE:
		d->file = arg;
		return 0;
	}
	return -EINVAL;
}

/* Before anything is created: every --dir a writable directory, --file
 * a regular file, and not both. 0 or EXIT_USAGE (printed). */
static int check_targets(const struct device_opts *d,
			 const struct device_options *o)
{
	const unsigned reads =
		DEVICE_KIND_BIT(DEVICE_READ) | DEVICE_KIND_BIT(DEVICE_RANDREAD);
	struct stat st;
	int ret;

	/* the outputs first: an empty path or a --out where nothing can be
	 * created is bad input before any measuring (outfile.h) */
	if (!*d->out || (d->json && !*d->json) || (d->file && !*d->file)) {
		bench_error("device: %s: empty path", !*d->out ? "--out" :
			    d->json && !*d->json ? "--json" : "--file");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < d->n_dirs; i++) {
		if (!*d->dirs[i]) {
			bench_error("device: --dir: empty path");
			return EXIT_USAGE;
		}
	}
	ret = outfile_check_dest(d->out, 64);
	if (ret) {
		bench_error("device: --out %s: cannot create files there: %s",
			    d->out, strerror(-ret));
		return EXIT_USAGE;
	}
	if (d->file && d->n_dirs) {
		bench_error("device: --file and --dir do not go together");
		return EXIT_USAGE;
	}
	if (d->file) {
		if (stat(d->file, &st)) {
			bench_error("device: --file %s: %s", d->file,
				    strerror(errno));
			return EXIT_USAGE;
		}
		if (!S_ISREG(st.st_mode)) {
			bench_error("device: --file %s: not a regular file",
				    d->file);
			return EXIT_USAGE;
		}
		if (o->kinds & ~reads) {
			bench_error("device: --file measures the read and "
				    "randread jobs only");
			return EXIT_USAGE;
		}
		return 0;
	}
	for (size_t i = 0; i < d->n_dirs; i++) {
		if (stat(d->dirs[i], &st)) {
			bench_error("device: --dir %s: %s", d->dirs[i],
				    strerror(errno));
			return EXIT_USAGE;
		}
		if (!S_ISDIR(st.st_mode)) {
			bench_error("device: --dir %s: not a directory",
				    d->dirs[i]);
			return EXIT_USAGE;
		}
		if (access(d->dirs[i], W_OK | X_OK)) {
			bench_error("device: --dir %s: %s", d->dirs[i],
				    strerror(errno));
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* ---- identity and progress ---- */

static int set_identity(struct device_run *run, int argc, char **argv)
{
	char id[CLOCK_STAMP_LEN], iso[CLOCK_STAMP_LEN];

	clock_run_stamp(id, iso);
	run->id = strdup(id);
	run->started = strdup(iso);
	run->command_line = shell_join("iobench", argc, argv);
	run->version = strdup(IOBENCH_VERSION);
	run->commit = strdup(IOBENCH_COMMIT);
	return run->id && run->started && run->command_line && run->version &&
			       run->commit
		       ? 0
		       : -ENOMEM;
}

struct progress {
	bool tty, quiet, line_open;
};

static void show_progress(void *ctx, const struct device_run *run,
			  size_t target, size_t result, unsigned repeat,
			  size_t done, size_t total)
{
	struct progress *p = ctx;
	const struct device_result *r = &run->targets[target].results[result];

	if (p->quiet || (!p->tty && done % (total / run->opts.repeats
						    ? total / run->opts.repeats
						    : 1)))
		return;
	fprintf(stderr,
		"%sdevice: [%zu/%zu] %s %s bs %llu qd %u, repeat "
		"%u/%u%s",
		p->tty ? "\r\033[K" : "", done + 1, total,
		run->targets[target].dir, device_kind_name(r->job.kind),
		(unsigned long long)r->job.bs, r->job.qd, repeat + 1,
		run->opts.repeats, p->tty ? "" : "\n");
	p->line_open = p->tty;
}

/* ---- running ---- */

static int exit_code(const struct device_run *run)
{
	size_t ok = 0, failed = 0;

	if (signals_received)
		return signals_exit_code(signals_received);
	for (size_t t = 0; t < run->n_targets; t++)
		for (size_t i = 0; i < run->targets[t].n_results; i++) {
			ok += run->targets[t].results[i].status == DEVICE_OK;
			failed += run->targets[t].results[i].status ==
				  DEVICE_FAILED;
		}
	if (!ok)
		return EXIT_RUNTIME;
	return failed ? EXIT_CELLS_FAILED : EXIT_OK;
}

static int write_json_copy(const struct device_run *run, const char *path)
{
	json_t *doc = device_to_json(run);
	char *text =
		doc ? json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(10))
		    : NULL;
	int ret;

	json_decref(doc);
	if (!text)
		return -ENOMEM;
	if (!strcmp(path, "-"))
		ret = puts(text) < 0 ? -EIO : 0;
	else
		ret = results_write_file_atomic(path, text, strlen(text));
	free(text);
	return ret;
}

static int device_run_verb(struct device_run *run, struct device_opts *d)
{
	struct progress pc = { .tty = isatty(STDERR_FILENO),
			       .quiet = d->quiet };
	struct device_progress prog = { show_progress, &pc };
	char rundir[PATH_MAX], err[512];
	double t0 = clock_now();
	FILE *table = d->json && !strcmp(d->json, "-") ? stderr : stdout;
	int ret, code, outfd, runfd;

	if (snprintf(rundir, sizeof(rundir), "%s/%s", d->out, run->id) >=
	    (int)sizeof(rundir)) {
		bench_error("device: --out %s: %s", d->out,
			    strerror(ENAMETOOLONG));
		return EXIT_USAGE;
	}
	install_signals();
	/* a run killed outright left its scratch directory: remove it */
	for (size_t i = 0; i < d->n_dirs; i++)
		bench_clean_stale_scratch(d->dirs[i]);
	if (d->file)
		ret = device_measure_file(run, d->file, &prog, err,
					  sizeof(err));
	else
		ret = device_measure(run, d->dirs, d->n_dirs, &prog, err,
				     sizeof(err));
	run->duration = clock_now() - t0;
	if (pc.line_open)
		fputs("\r\033[K", stderr);
	if (ret && ret != -EINTR) {
		bench_error("device: %s", err);
		return EXIT_RUNTIME;
	}
	if (ret == -EINTR && !d->quiet)
		fprintf(stderr, "iobench: interrupted: writing partial "
				"results\n");
	code = exit_code(run);
	if (!(table == stderr && d->quiet))
		device_print_table(run, table);
	/* OUT as the user named it, the run id never through a link */
	outfd = outfile_dir_open(AT_FDCWD, d->out, OUTFILE_CREATE);
	ret = outfd < 0 ? outfd : 0;
	if (!ret) {
		runfd = outfile_dir_open(outfd, run->id,
					 OUTFILE_CREATE | OUTFILE_NOFOLLOW);
		ret = runfd < 0 ? runfd : 0;
		close(outfd);
	}
	if (!ret) {
		close(runfd);
		ret = device_write_outputs(run, rundir);
	}
	if (ret) {
		bench_error("device: writing %s: %s", rundir, strerror(-ret));
		return code == EXIT_OK || code == EXIT_CELLS_FAILED
			       ? EXIT_RUNTIME
			       : code;
	}
	if (d->json && (ret = write_json_copy(run, d->json))) {
		bench_error("device: writing %s: %s", d->json, strerror(-ret));
		return code == EXIT_OK || code == EXIT_CELLS_FAILED
			       ? EXIT_RUNTIME
			       : code;
	}
	if (!(table == stderr && d->quiet))
		fprintf(table, "%s/device.md\n", rundir);
	return code;
}

int cmd_device(int argc, char **argv)
{
	struct device_opts d = { .out = "results" };
	struct device_run run = { 0 };
	char err[256];
	int c, code;

	optind = 1;
	while ((c = bench_getopt("device", argc, argv, ":d:o:Q:qh",
				 options)) != -1) {
		if (c == 'q') {
			d.quiet = true;
		} else if (c == 'h') {
			usage(stdout);
			return EXIT_OK;
		} else if (c == '?') {
			return EXIT_USAGE;
		} else if (parse_option(c, optarg, &d, &run.opts, err,
					sizeof(err))) {
			bench_error("device: --%s: %s", option_name(c), err);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		bench_error("device: unexpected argument '%s' (see iobench "
			    "device --help)",
			    argv[optind]);
		return EXIT_USAGE;
	}
	if (!d.n_dirs && !d.file)
		d.dirs[d.n_dirs++] = ".";
	code = check_targets(&d, &run.opts);
	if (code)
		return code;
	if (set_identity(&run, argc, argv)) {
		bench_error("device: %s", strerror(ENOMEM));
		device_run_free(&run);
		return EXIT_RUNTIME;
	}
	code = device_run_verb(&run, &d);
	device_run_free(&run);
	return code;
}
