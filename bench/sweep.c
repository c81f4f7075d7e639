// SPDX-License-Identifier: MIT
/*
 * iobench sweep (and the presets and profile, through sweep_main): argv
 * into a request (harness/request.h), the pipeline (harness/pipeline.h)
 * run with progress on stderr, and the stop signals.
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

#include "clock.h"
#include "cluster.h"
#include "config.h"
#include "fmt.h"
#include "lockstep.h"
#include "machine_limits.h"
#include "outfile.h"
#include "pipeline.h"
#include "request.h"
#include "results.h"
#include "runner.h"
#include "signals.h"
#include "source_tree.h"
#include "strategies.h"
#include "targets.h"
#include "verbs.h"
#include "workload.h"


#include "sweep_opts.h"

/* Markdown another verb adds to the next report (profile --memory). */
static char *extra_section;

void bench_sweep_add_section(char *md)
{
	free(extra_section);
	extra_section = md;
}

/* Work another verb does once the options are known good (profile
 * --memory's heap profiles), before the sweep runs. */
static int (*before_run)(void *);
static void *before_arg;

void bench_sweep_before_run(int (*fn)(void *), void *arg)
{
	before_run = fn;
	before_arg = arg;
}

/* ---- progress ---- */

struct progress_ctx {
	bool tty, quiet, line_open;
	size_t n_cells;
	size_t finished;		/* cells done (skipped ones included) */
	bool *announced;		/* finished cells counted / printed */
	size_t samples;			/* samples run, warm-ups included */
};

/* "1M rw buf 128K warm none": what a progress line names; a dataset's
 * tree by its size class ("4K-64K rw ..."), a --source tree by its name
 * ("include (8517 files, 114 MiB) rw ..."). */
static void progress_label(const struct run *run, const struct cell *c,
			   char *out, size_t len)
{
	const struct workload_tree *t = workload_tree_of(run->workload,
							 c->size);
	char size[80], tun[128];
	bool none;

	if (t)
		snprintf(size, sizeof(size), "%s", t->size_class < 0 ? "all" :
			 dataset_class_name(t->size_class));
	else if (run->request.source)
		source_tree_label(run->request.source,
				  run->request.source_files, c->size, size,
				  sizeof(size));
	else
		fmt_size(c->size, size, sizeof(size));
	cell_tunables_desc(c, tun, sizeof(tun));
	none = !strcmp(tun, "-");
	snprintf(out, len, "%s %s%s%s %s %s", size, c->strategy,
		 none ? "" : " ", none ? "" : tun, cache_mode_name(c->cache),
		 sync_mode_name(c->sync));
}

/* The line of a cell that finished: ok with its samples, or why not. */
static void put_cell_line(const struct progress_ctx *p, const struct run *run,
			  const struct cell *c)
{
	char label[256];

	progress_label(run, c, label, sizeof(label));
	if (c->status == CELL_OK && (run->request.source || run->workload))
		fprintf(stderr, "[%zu/%zu] %s: ok, %zu samples of the tree "
			"(%llu files)\n", p->finished, run->n_cells, label,
			c->n_samples, (unsigned long long)(run->workload ?
			workload_tree_of(run->workload, c->size)->files :
			run->request.source_files));
	else if (c->status == CELL_OK)
		fprintf(stderr, "[%zu/%zu] %s: ok, %zu samples of %u file%s\n",
			p->finished, run->n_cells, label, c->n_samples, c->batch,
			c->batch == 1 ? "" : "s");
	else
		fprintf(stderr, "[%zu/%zu] %s: %s: %s\n", p->finished,
			run->n_cells, label, cell_status_name(c->status),
			c->reason ? c->reason : "");
}

/*
 * Counts and prints every cell that finished since the last call, not
 * only the one the runner reports on: a cell may fail without running a
 * sample (its sources did not fit). One line each without a terminal;
 * on a terminal the failed ones get a line above the live one.
 */
static void announce_finished(struct progress_ctx *p, const struct run *run)
{
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (c->status == CELL_PENDING || p->announced[i])
			continue;
		p->announced[i] = true;
		p->finished++;
		if (p->tty && c->status == CELL_OK)
			continue;
		if (p->line_open)
			fputs("\r\033[K", stderr);
		p->line_open = false;
		put_cell_line(p, run, c);
	}
}

/*
 * The live line: samples run of those expected (the total grows when
 * noisy cells get more rounds), cells finished, the cell just sampled,
 * and the time left from the measured cost of the samples. Work left
 * never reads 0:00: the ETA is rounded up.
 */
static void show_progress(void *ctx, const struct run *run, size_t ci,
			  size_t done, size_t total, double eta)
{
	struct progress_ctx *p = ctx;
	const struct cell *c = &run->cells[ci];
	char label[256];
	unsigned long e = eta > 0 ? (unsigned long)ceil(eta) : 0;

	p->samples = done;
	if (p->quiet)
		return;
	/* cells run interleaved: count finished ones, not plan positions */
	announce_finished(p, run);
	if (!p->tty)
		return;
	if (total > done && !e)
		e = 1;
	progress_label(run, c, label, sizeof(label));
	fprintf(stderr, "\r[%zu/%zu samples, %zu/%zu cells] %s  ETA ",
		done, total < done ? done : total, p->finished, run->n_cells,
		label);
	if (e >= 3600)
		fprintf(stderr, "%lu:%02lu:%02lu", e / 3600, e / 60 % 60,
			e % 60);
	else
		fprintf(stderr, "%lu:%02lu", e / 60, e % 60);
	fputs("\033[K", stderr);
	p->line_open = true;
}

static bool same_reason(const struct cell *a, const struct cell *b)
{
	return a->status == CELL_SKIPPED && b->status == CELL_SKIPPED &&
	       !strcmp(a->reason ? a->reason : "", b->reason ? b->reason : "");
}

/* One line per distinct skip reason, naming its strategies. */
static void announce_skipped(const struct run *run)
{
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		size_t n = 0, j;

		for (j = 0; j < i && !same_reason(&run->cells[j], c); j++)
			;
		if (c->status != CELL_SKIPPED || j < i)
			continue;
		fprintf(stderr, "skipped: %s:", c->reason ? c->reason : "");
		for (j = i; j < run->n_cells; j++) {
			const struct cell *d = &run->cells[j];
			size_t k;

			if (!same_reason(d, c))
				continue;
			n++;
			/* name each strategy once */
			for (k = i; k < j; k++)
				if (same_reason(&run->cells[k], c) &&
				    !strcmp(run->cells[k].strategy,
					    d->strategy))
					break;
			if (k == j)
				fprintf(stderr, " %s", d->strategy);
		}
		fprintf(stderr, " (%zu cell%s)\n", n, n == 1 ? "" : "s");
	}
}

/* ---- signals ---- */

/* First signal: stop after the sample in flight; second: kill it. Both
 * return to the runner, which removes its scratch directory; a third
 * falls through to the default action (signals_on_stop()). */
static void stop_run(void)
{
	limits_request_stop();
	runner_request_stop();
}

/* ---- the source tree or dataset, for people ---- */

static void announce_source(const struct run *run)
{
	const struct source_tree *t = run->source_tree;

	char b[FMT_LEN];

	fprintf(stderr, "source: %s: %zu files, %s (%llu bytes), %zu other "
		"entr%s skipped\n", t->root, t->n_files,
		fmt_bytes(t->total_bytes, b, sizeof(b)),
		(unsigned long long)t->total_bytes, t->n_skipped,
		t->n_skipped == 1 ? "y" : "ies");
	for (size_t i = 0; i < run->n_warnings; i++)
		if (strstr(run->warnings[i], "left out:") ||
		    strstr(run->warnings[i], "neither owned"))
			msg_note("%s", run->warnings[i]);
}

static void announce_dataset(const struct workload *w)
{
	char bytes[32], data[32];

	fmt_bytes(w->sum.bytes, bytes, sizeof(bytes));
	fmt_bytes(w->sum.data_bytes, data, sizeof(data));
	fprintf(stderr, "dataset: %s, seed %llu: %llu file%s in %llu "
		"director%s, %s", w->name, (unsigned long long)w->seed,
		(unsigned long long)w->sum.files, w->sum.files == 1 ? "" : "s",
		(unsigned long long)w->sum.dirs,
		w->sum.dirs == 1 ? "y" : "ies", bytes);
	if (w->sum.data_bytes < w->sum.bytes)
		fprintf(stderr, " (%s data, holes elsewhere)", data);
	fprintf(stderr, "; %zu tree%s (", w->n_trees,
		w->n_trees == 1 ? "" : "s");
	for (size_t i = 0; i < w->n_trees; i++)
		fprintf(stderr, "%s%s %llu file%s", i ? ", " : "",
			w->trees[i].size_class < 0 ? "all" :
			dataset_class_name(w->trees[i].size_class),
			(unsigned long long)w->trees[i].files,
			w->trees[i].files == 1 ? "" : "s");
	fputs("), written before the first cell\n", stderr);
}

/* ---- running ---- */

/* How long the ranks but 0 stay after a stop or a broken job: Open MPI
 * kills every rank left as soon as one of them exits after its SIGTERM,
 * and rank 0 needs a moment to write (tens of ms for a small run). */
#define MPI_LINGER_SECONDS 0.9

/* The end of an MPI run (pipeline_mpi_finish()); a job that did not end
 * whole leaves this host's stale scratch removed, after rank 0 wrote. */
static int mpi_finish(struct run *run, const struct pipeline_opts *po,
		      int ret)
{
	bool written, ended;
	int code = pipeline_mpi_finish(run, po, ret, &written, &ended);

	/* rank 0 printed the summary and the report's path */
	if (ended && cluster_host_leader())
		bench_clean_stale_scratch(run->request.dir);
	if (ended && !cluster_writer()) {
		double until = clock_now() + MPI_LINGER_SECONDS;

		while (clock_now() < until)
			usleep(10000);
	}
	return code;
}

/* Plans, runs and writes everything once the request is valid. */
static int sweep_run(struct run *run, const struct pipeline_opts *po)
{
	struct progress_ctx pc = { .tty = isatty(STDERR_FILENO),
				   .quiet = po->quiet };
	struct runner_progress prog = { show_progress, &pc };
	size_t skipped = 0;
	bool written;
	double est, t0 = clock_now();
	char took[FMT_LEN], planned[FMT_LEN];
	int ret;

	/* from here on a signal leaves partial results, not a stray dir */
	signals_on_stop(stop_run);
	ret = pipeline_plan(run, po->quiet);
	if (!ret && po->batches)
		pipeline_fix_batches(run, po->batches);
	if (!ret)
		ret = pipeline_prepare(run, po->quiet);
	if (ret)
		return ret;
	for (size_t i = 0; i < run->n_cells; i++)
		skipped += run->cells[i].status == CELL_SKIPPED;
	est = runner_estimate_seconds(run);
	if (!po->quiet) {
		fprintf(stderr, "planned: %zu cells (%zu skipped), ~%.0f s\n",
			run->n_cells, skipped, est < 1 ? 1 : est);
		announce_skipped(run);
	}
	pc.n_cells = run->n_cells;
	pc.finished = skipped;
	pc.announced = calloc(run->n_cells ? run->n_cells : 1, 1);
	if (!pc.announced) {
		bench_error("sweep: %s", strerror(ENOMEM));
		return EXIT_RUNTIME;
	}
	/* skipped cells were announced above, one line per reason */
	for (size_t i = 0; i < run->n_cells; i++)
		pc.announced[i] = run->cells[i].status == CELL_SKIPPED;
	/* a run killed outright left its scratch directory: remove it
	 * (with MPI, one rank per host does) */
	if (cluster_host_leader())
		for (size_t t = 0; t < targets_count(&run->request); t++)
			bench_clean_stale_scratch(targets_dir(&run->request,
							      t));
	ret = pipeline_measure(run, &prog);
	if (!po->quiet)
		announce_finished(&pc, run);
	if (pc.line_open)
		fputc('\n', stderr);
	free(pc.announced);
	if (cluster_on())
		return mpi_finish(run, po, ret);
	if (ret > 0)
		return ret;
	/* the summary and OUT/<run-id>/report.md on stdout; a failed
	 * write to stdout is main()'s */
	ret = pipeline_finish(run, po, ret == -EINTR, &written);
	/* the whole run, planning to the files written, against the plan
	 * (which starts once the limits are measured) */
	if (!po->quiet) {
		char lim[FMT_LEN];

		fprintf(stderr, "done: %zu cells, %zu samples; took %s "
			"(%.0f s; planned ~%s", run->n_cells, pc.samples,
			fmt_duration(clock_now() - t0, took, sizeof(took)),
			clock_now() - t0,
			fmt_duration(est, planned, sizeof(planned)));
		if (run->limits.seconds > 0)
			fprintf(stderr, " after the limits' %s",
				fmt_duration(run->limits.seconds, lim,
					     sizeof(lim)));
		fputs(")\n", stderr);
	}
	return ret;
}

/* --dry-run: plans as a run would, prints the plan, creates nothing. */
static int sweep_dry_run(struct run *run, bool quiet)
{
	int ret = pipeline_plan(run, quiet);

	if (ret || !cluster_writer())
		return ret;	/* with MPI, rank 0 prints the plan */
	ret = bench_print_plan(run, stdout);
	if (ret || fflush(stdout)) {
		bench_error("sweep: standard output: %s",
			    strerror(ret ? -ret : errno));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* ---- argv ---- */

/* sweep's options that only store into its request_opts. */
static const struct bench_store sweep_stores[] = {
	{ OPT_STRATEGIES, offsetof(struct request_opts, strategies) },
	{ OPT_OUT, offsetof(struct request_opts, out) },
	{ OPT_QUIET, offsetof(struct request_opts, quiet) },
	{ OPT_DRY_RUN, offsetof(struct request_opts, dry_run) },
	{ OPT_CACHE, offsetof(struct request_opts, cache) },
	{ OPT_SYNC, offsetof(struct request_opts, sync) },
	{ OPT_SOURCE, offsetof(struct request_opts, source) },
	{ OPT_SRC_DIR, offsetof(struct request_opts, src_dir) },
	{ OPT_SAMPLES, offsetof(struct request_opts, samples) },
	{ OPT_RUNS, offsetof(struct request_opts, runs) },
	{ OPT_BUDGET, offsetof(struct request_opts, budget) },
	{ OPT_BATCH_FROM, offsetof(struct request_opts, batch_from) },
	{ OPT_TIMEOUT, offsetof(struct request_opts, timeout) },
	{ OPT_SEED, offsetof(struct request_opts, seed) },
	{ OPT_DROP_CACHES, offsetof(struct request_opts, drop_caches) },
	{ OPT_COLD, offsetof(struct request_opts, cold) },
	{ OPT_SUSTAINED, offsetof(struct request_opts, sustained) },
	{ OPT_SAVE_BASELINE, offsetof(struct request_opts, save_baseline) },
	{ OPT_THREADS, offsetof(struct request_opts, threads) },
	{ OPT_PARALLEL, offsetof(struct request_opts, parallel) },
	{ OPT_PIN, offsetof(struct request_opts, pin) },
	{ OPT_PREALLOC, offsetof(struct request_opts, prealloc) },
	{ OPT_BASELINE, offsetof(struct request_opts, baseline) },
	{ OPT_NO_LIMITS, offsetof(struct request_opts, no_limits) },
	{ OPT_MPI, offsetof(struct request_opts, mpi) },
	{ OPT_MPI_LAYOUT, offsetof(struct request_opts, mpi_layout) },
	{ OPT_RANKS, offsetof(struct request_opts, ranks) },
	{ OPT_STONEWALL, offsetof(struct request_opts, stonewall) },
	{ OPT_PROFILE, offsetof(struct request_opts, profile) },
	{ OPT_DATASET, offsetof(struct request_opts, dataset) },
	{ OPT_SPARSE, offsetof(struct request_opts, sparse) },
	{ OPT_EXPORT_MARKDOWN, offsetof(struct request_opts, export_markdown) },
	{ OPT_EXPORT_JSON, offsetof(struct request_opts, export_json) },
	{ OPT_PRESERVE, offsetof(struct request_opts, preserve) },
	{ 0 },
};

/*
 * One option sweep_stores[] does not take into o (ctx): EXIT_OK or
 * EXIT_USAGE (printed). The presets parse their own options first, then
 * the user's, so a repeated option replaces the preset's value.
 */
/* --lockstep FD: a socket compare REF gave this process (lockstep.h) */
static int attach_lockstep(const char *arg)
{
	char why[128], *end;
	long fd;

	errno = 0;
	fd = strtol(arg, &end, 10);
	if (errno || end == arg || *end || fd < 0 || fd > INT_MAX) {
		bench_error("sweep: --lockstep: '%s' is no file descriptor",
			    arg);
		return EXIT_USAGE;
	}
	if (lockstep_attach((int)fd, why, sizeof(why))) {
		bench_error("sweep: --lockstep: %s", why);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int set_option(int c, const char *arg, void *ctx)
{
	struct request_opts *o = ctx;

	switch (c) {
	case OPT_SIZES:
		o->sizes = arg;
		o->sizes_given = true;
		break;
	case OPT_BUFFERS: o->tune[tunable_index("buffer")] = arg; break;
	case OPT_QD: o->tune[tunable_index("qd")] = arg; break;
	case OPT_DIRECT: o->tune[tunable_index("direct")] = arg; break;
	case OPT_SQPOLL: o->tune[tunable_index("sqpoll")] = arg; break;
	case OPT_OPT:
		return request_set_opt(o, arg) ? EXIT_USAGE : EXIT_OK;
	case OPT_PLUGIN: break;	/* loaded first: bench/plugins.c */
	case OPT_CONTENT:
		o->content = arg;
		o->content_given = true;
		break;
	case OPT_DIR:
		/* repeatable, each a comma list (targets.h) */
		if (o->n_dirs == sizeof(o->dirs) / sizeof(o->dirs[0])) {
			bench_error("sweep: --dir: given too many times");
			return EXIT_USAGE;
		}
		o->dirs[o->n_dirs++] = arg;
		o->dir = o->dirs[0];
		break;
	case OPT_LIMITS:
		o->no_limits = false;
		o->limits_given = true;
		break;
	case OPT_REFERENCE:
		o->reference = arg;
		o->reference_given = true;
		break;
	case OPT_LOCKSTEP:
		return attach_lockstep(arg);
	default:
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* argv (argv[0] is the verb) into o: EXIT_OK, EXIT_USAGE or -1. */
static int parse_args(const char *verb, int argc, char **argv,
		      struct request_opts *o)
{
	const struct bench_cli cli = {
		.verb = verb, .shortopts = ":s:b:Q:d:o:nqh",
		.longopts = bench_sweep_options(), .stores = sweep_stores,
		.usage = bench_sweep_usage, .operands = true,
	};
	int ret;

	optind = 1;
	ret = bench_parse_options(&cli, argc, argv, set_option, o);
	if (ret)
		return ret;
	if (optind < argc) {
		bench_error("%s: unexpected argument '%s' (see iobench %s "
			    "--help)", verb, argv[optind], verb);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* --batch-from FILE: an earlier run's results.json, read before anything
 * runs (bad input when it cannot be). 0 or -errno (printed). */
static int load_batches(const char *verb, const char *path, struct run *out)
{
	char err[512];
	int ret = results_read_json(path, out, err, sizeof(err));

	if (ret)
		bench_error("%s: --batch-from: %s", verb, err);
	return ret;
}

/* A sweep that fails before it runs: frees the runs sweep_main() read
 * and, with MPI, stops every rank. The exit code. */
static int sweep_fail(struct run *run, struct run *base, struct run *batches,
		      int code)
{
	results_free(run);
	results_free(base);
	results_free(batches);
	if (cluster_on())
		cluster_abort(code);
	return code;
}

int sweep_main(const char *verb, char *const *preset, int argc, char **argv)
{
	struct run run = { 0 }, base = { 0 }, batches = { 0 };
	struct request_opts o;
	struct pipeline_opts po = { .stop_signal = &signals_received };
	int code, n = 0;

	request_opts_init(&o);
	while (preset && preset[n])
		n++;
	/* the preset's options are theirs: known good, parsed as given */
	if (n && parse_args(verb, n, (char **)preset, &o))
		return EXIT_RUNTIME;
	code = parse_args(verb, argc, argv, &o);
	if (code)
		return code < 0 ? EXIT_OK : code;
	/* --lockstep: from here on only in this process's turns */
	if (lockstep_turn()) {
		bench_error("%s: --lockstep: the other end has gone", verb);
		return EXIT_RUNTIME;
	}
	if (pipeline_mpi_start(o.mpi, &o.quiet))
		return EXIT_RUNTIME;
	/* with MPI, every rank checks, and all agree (only rank 0 reads
	 * the baseline: only it writes; every rank reads --batch-from) */
	if (pipeline_mpi_agree(request_build(&o, &run.request) ||
			       (o.source && request_load_source(&o, &run)) ||
			       (o.dataset && request_load_dataset(&o, &run)) ||
			       (o.baseline && cluster_writer() &&
				pipeline_load_baseline(&run.request,
						       o.baseline, &base)) ||
			       (o.batch_from &&
				load_batches(verb, o.batch_from, &batches)) ?
			       -EINVAL : 0)) {
		results_free(&run);
		results_free(&base);
		results_free(&batches);
		cluster_finish();
		return EXIT_USAGE;
	}
	/* an export that cannot be written fails before the run, not after */
	for (int i = 0; i < 2; i++) {
		const char *opt = i ? "--export-json" : "--export-markdown";
		const char *p = i ? o.export_json : o.export_markdown;
		int bad = p && strcmp(p, "-") ? outfile_check_user(p) : 0;

		if (bad) {
			bench_error("%s: %s %s: %s", verb, opt, p,
				    bad == -EEXIST ? "not a regular file "
				    "(a device, FIFO or socket is never "
				    "replaced; - writes to stdout)" :
				    strerror(-bad));
			return sweep_fail(&run, &base, &batches, EXIT_USAGE);
		}
	}
	if (!o.quiet && run.source_tree)
		announce_source(&run);
	if (!o.quiet && run.workload)
		announce_dataset(run.workload);
	if (pipeline_identity(&run, argc, argv)) {
		bench_error("%s: %s", verb, strerror(ENOMEM));
		return sweep_fail(&run, &base, &batches, EXIT_RUNTIME);
	}
	po.quiet = o.quiet;
	po.save_baseline = o.save_baseline;
	po.baseline = o.baseline;
	po.base = o.baseline && cluster_writer() ? &base : NULL;
	po.export_markdown = o.export_markdown;
	po.export_json = o.export_json;
	po.batches = o.batch_from ? &batches : NULL;
	if (before_run && !o.dry_run) {
		code = before_run(before_arg);
		if (code)
			return sweep_fail(&run, &base, &batches, code);
	}
	po.appendix = extra_section;
	code = o.dry_run ? sweep_dry_run(&run, o.quiet) : sweep_run(&run, &po);
	cluster_finish();
	results_free(&run);
	results_free(&base);
	results_free(&batches);
	free(extra_section);
	extra_section = NULL;
	return code;
}

int cmd_sweep(int argc, char **argv)
{
	return sweep_main("sweep", NULL, argc, argv);
}
