// SPDX-License-Identifier: MIT
/*
 * The sweep pipeline (see pipeline.h): identity, plan and space check,
 * environment and limits, the cells, then the tree check, the baseline
 * comparison and the outputs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "calibration.h"
#include "clients.h"
#include "clock.h"
#include "cluster.h"
#include "compare.h"
#include "env.h"
#include "env_load.h"
#include "env_noise.h"
#include "env_storage.h"
#include "lockstep.h"
#include "exitcode.h"
#include "fmt.h"
#include "machine_limits.h"
#include "msg.h"
#include "outfile.h"
#include "outputs.h"
#include "pipeline.h"
#include "request.h"
#include "shell.h"
#include "signals.h"
#include "source_tree.h"
#include "targets.h"
#include "threads.h"
#include "version.h"

/* After the run: the tree must be as the scan found it. A change came
 * from outside (sources are opened read-only): the cells stay, a loud
 * warning says what changed. */
static void check_source_unchanged(struct run *run)
{
	char why[PATH_MAX + 256];
	int ret;

	if (!run->source_tree)
		return;
	ret = source_tree_check(run->source_tree, why, sizeof(why));
	if (!ret)
		return;
	if (ret < 0)
		snprintf(why, sizeof(why), "checking it failed: %s",
			 strerror(-ret));
	results_add_warning(run, "--source tree %s changed during the run "
			    "(not by iobench, which opens it read-only): %s",
			    run->source_tree->root, why);
	msg_warning("%s", run->warnings[run->n_warnings - 1]);
}

int pipeline_identity(struct run *run, int argc, char **argv)
{
	char id[CLOCK_STAMP_LEN], iso[CLOCK_STAMP_LEN];

	clock_run_stamp(id, iso);
	run->id = strdup(id);
	run->schema = strdup(RESULTS_SCHEMA);
	run->started = strdup(iso);
	run->command_line = shell_join("iobench", argc, argv);
	run->version = strdup(IOBENCH_VERSION);
	run->commit = strdup(IOBENCH_COMMIT);
	if (!run->id || !run->schema || !run->started || !run->command_line ||
	    !run->version || !run->commit)
		return -ENOMEM;
	return 0;
}

/* OUT/baselines/NAME.json: the same results.json, written atomically;
 * baselines/ is iobench's name, so a symlink there is not followed. */
static int save_baseline(const struct run *run, const struct analysis *a,
			 int outfd, const char *name, bool quiet)
{
	char file[128];
	int fd, ret;

	fd = outfile_dir_open(outfd, "baselines",
			      OUTFILE_CREATE | OUTFILE_NOFOLLOW);
	if (fd < 0)
		return fd;
	snprintf(file, sizeof(file), "%s.json", name);
	if (!quiet && !faccessat(fd, file, F_OK, AT_SYMLINK_NOFOLLOW))
		msg_note("replacing baseline %s", name);
	ret = results_write_json_at(run, a, fd, file);
	close(fd);
	return ret;
}

/*
 * Writes OUT/<run-id>/ (outputs_write(): results.json first, it holds the
 * measurements, then results.csv and report.md with its plots), then the
 * baseline, each whole or not at all; OUT/latest moves to the run once
 * all are there. 0 or -errno (printed, with where the measurements are
 * when they are).
 */
static int write_outputs(const struct run *run, const struct analysis *a,
			 const char *baseline, bool quiet)
{
	const char *out = run->request.out, *failed;
	char rundir[PATH_MAX], path[PATH_MAX + 32];
	int outfd, runfd, ret;

	snprintf(rundir, sizeof(rundir), "%s/%s", out, run->id);
	outfd = outfile_dir_open(AT_FDCWD, out, OUTFILE_CREATE);
	if (outfd < 0) {
		msg_error("sweep: creating %s: %s: the measurements are "
			    "lost", out, strerror(-outfd));
		return outfd;
	}
	runfd = outfile_dir_open(outfd, run->id,
				 OUTFILE_CREATE | OUTFILE_NOFOLLOW);
	if (runfd < 0) {
		ret = runfd;
		msg_error("sweep: creating %s: %s: the measurements are "
			    "lost", rundir, strerror(-ret));
		goto out_close;
	}
	ret = outputs_write(run, a, runfd, rundir, &failed);
	if (ret && !strcmp(failed, OUTPUTS_MEASUREMENTS)) {
		msg_error("sweep: writing %s/%s: %s: the measurements are "
			  "lost", rundir, failed, strerror(-ret));
		/* nothing else was written: no empty run directory */
		unlinkat(outfd, run->id, AT_REMOVEDIR);
		goto out_close_run;
	}
	snprintf(path, sizeof(path), "%s/%s", rundir, ret ? failed : "");
	if (!ret && baseline) {
		snprintf(path, sizeof(path), "%s/baselines/%s.json", out,
			 baseline);
		ret = save_baseline(run, a, outfd, baseline, quiet);
	}
	if (!ret) {
		snprintf(path, sizeof(path), "%s/latest", out);
		ret = outfile_symlink(outfd, "latest", run->id);
	}
	if (ret)
		msg_error("sweep: writing %s: %s (the measurements are in "
			  "%s/%s)", path, strerror(-ret), rundir,
			  OUTPUTS_MEASUREMENTS);
out_close_run:
	close(runfd);
out_close:
	close(outfd);
	return ret;
}

static int exit_code(const struct run *run, int stop_signal)
{
	size_t ok = 0, failed = 0;

	if (stop_signal)
		return signals_exit_code(stop_signal);
	for (size_t i = 0; i < run->n_cells; i++) {
		ok += run->cells[i].status == CELL_OK;
		failed += run->cells[i].status == CELL_FAILED;
	}
	if (!ok)
		return EXIT_RUNTIME;
	return failed ? EXIT_CELLS_FAILED : EXIT_OK;
}

/*
 * Before anything is created: refuses a sweep none of whose sizes fits in
 * --dir and --src-dir (every cell would fail), names the sizes that do
 * not fit (their cells will fail), and warns about warm sizes over half of RAM, whose
 * source cannot stay cached. 0 or -ENOSPC.
 */
static int check_space(struct run *run, bool quiet)
{
	const struct run_request *rq = &run->request;
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	uint64_t ram = pages > 0 && page > 0 ? (uint64_t)pages * page : 0;
	uint64_t avail, smallest = UINT64_MAX;
	char sz[32], need[32], have[32], mem[32];
	const char *opt = "--dir", *dir = rq->dir;
	struct statvfs vfs;
	size_t fits = 0;

	/* the runner reports a --dir it cannot stat; with several targets
	 * each needs its own room: the smallest bounds the run */
	avail = UINT64_MAX;
	for (size_t t = 0; t < targets_count(rq); t++)
		if (!statvfs(targets_dir(rq, t), &vfs) &&
		    (uint64_t)vfs.f_bavail * vfs.f_frsize < avail) {
			avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
			dir = targets_dir(rq, t);
		}
	/* --src-dir holds the sources: the smaller room bounds the run */
	if (rq->src_dir && !statvfs(rq->src_dir, &vfs) &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < avail) {
		avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		opt = "--src-dir";
		dir = rq->src_dir;
	}
	fmt_bytes(avail, have, sizeof(have));
	for (size_t z = 0; z < rq->n_sizes; z++) {
		uint64_t n = runner_bytes_needed(rq->sizes[z]);

		if (n < smallest)
			smallest = n;
		fits += n <= avail;
	}
	if (!fits && rq->n_sizes) {
		fmt_bytes(smallest, need, sizeof(need));
		msg_error("sweep: %s %s: not enough free space: the "
			    "smallest size needs %s, %s available", opt, dir,
			    need, have);
		return -ENOSPC;
	}
	for (size_t z = 0; z < rq->n_sizes && rq->cache_warm && ram; z++) {
		if (rq->sizes[z] <= ram / 2)
			continue;
		fmt_size(rq->sizes[z], sz, sizeof(sz));
		fmt_bytes(ram, mem, sizeof(mem));
		results_add_warning(run, "warm-cache size %s is more than half "
				    "of RAM (%s): its source cannot stay "
				    "cached, warm cells measure partly cold "
				    "copies", sz, mem);
		if (!quiet && run->n_warnings)
			msg_warning("%s", run->warnings[run->n_warnings - 1]);
	}
	for (size_t z = 0; z < rq->n_sizes && !quiet; z++) {
		uint64_t n = runner_bytes_needed(rq->sizes[z]);

		if (n <= avail)
			continue;
		fmt_size(rq->sizes[z], sz, sizeof(sz));
		fmt_bytes(n, need, sizeof(need));
		msg_warning("size %s needs %s free in %s %s, %s available: "
			    "its cells will fail", sz, need, opt, dir, have);
	}
	return 0;
}

/* --baseline NAME: reads OUT/baselines/NAME.json before anything runs,
 * so a missing or broken baseline is bad input. 0 or -errno (printed). */
int pipeline_load_baseline(const struct run_request *rq, const char *name,
			   struct run *base)
{
	char path[PATH_MAX], err[512];
	int ret;

	if (!request_valid_baseline_name(name)) {
		msg_error("sweep: --baseline: '%s': use letters, digits, '.', "
			    "'_' and '-' only", name);
		return -EINVAL;
	}
	if (request_reserved_baseline_name(name)) {
		msg_error("sweep: --baseline: '%s' is this host's noise floor "
			  "(iobench calibrate), not a baseline",
			  name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/baselines/%s.json", rq->out, name);
	if (access(path, F_OK)) {
		msg_error("sweep: --baseline: no baseline '%s' in %s/baselines"
			    " (save one with --save-baseline %s)", name,
			    rq->out, name);
		return -ENOENT;
	}
	ret = results_read_json(path, base, err, sizeof(err));
	if (ret)
		msg_error("sweep: --baseline: %s", err);
	return ret;
}

/*
 * Compares the finished run with the baseline: the comparison becomes the
 * report's "Change since NAME" section. Returns EXIT_REGRESSION when a
 * cell regressed, EXIT_OK otherwise; EXIT_RUNTIME (said on stderr and in
 * the report) when the comparison cannot be made: the check the user
 * asked for did not happen, which must not pass for "no regression".
 */
static int compare_with_baseline(struct run *run, struct analysis *a,
				 const struct run *base, const char *name)
{
	struct compare_options opts;
	struct comparison cmp;
	char label[PATH_MAX], title[PATH_MAX];
	int code = EXIT_OK, ret;

	compare_default_options(&opts);
	ret = compare_runs(base, run, &opts, &cmp);
	if (ret) {
		msg_error("sweep: comparison with baseline %s failed: %s",
			    name, strerror(-ret));
		results_add_warning(run, "comparison with baseline %s failed: "
				    "%s", name, strerror(-ret));
		return EXIT_RUNTIME;
	}
	snprintf(label, sizeof(label), "baseline %s", name);
	snprintf(title, sizeof(title), "Change since %s", name);
	run->report_appendix = compare_markdown(&cmp, &(struct compare_sides){
		.base_label = label, .new_label = run->id, .base = base,
		.new = run, .title = title, .base_short = name,
		.new_short = "this run" });
	if (analysis_set_baseline(a, &cmp, name))
		results_add_warning(run, "comparison with baseline %s: %s",
				    name, strerror(ENOMEM));
	if (cmp.n_regressed)
		code = EXIT_REGRESSION;
	/* a regression it could not judge: the check did not happen */
	if (compare_unjudged(&cmp)) {
		size_t n = compare_unjudged_regressed(&cmp);

		msg_error("sweep: %zu time change%s since baseline %s that "
			  "regressed not judged: %s",
			  n, n == 1 ? "" : "s", name, cmp.unjudged_why);
		results_add_warning(run,
				    "%zu time change%s since baseline %s "
				    "that regressed not judged: %s",
				    n, n == 1 ? "" : "s", name,
				    cmp.unjudged_why);
		code = EXIT_RUNTIME;
	}
	/* no cell tested: the check the user asked for did not happen */
	if (!compare_tested(&cmp)) {
		msg_error("sweep: nothing compared with baseline %s: no cell "
			  "matches one of it with samples on both sides", name);
		results_add_warning(run, "nothing compared with baseline %s: "
				    "no cell matches one of it with samples "
				    "on both sides", name);
		code = EXIT_RUNTIME;
	}
	compare_free(&cmp);
	return code;
}

size_t pipeline_fix_batches(struct run *run, const struct run *from)
{
	size_t n = 0;

	for (size_t i = 0; i < run->n_cells; i++) {
		struct cell *c = &run->cells[i];

		for (size_t j = 0; j < from->n_cells; j++) {
			const struct cell *f = &from->cells[j];

			if (!f->batch || !cell_same_key(c, f, 0))
				continue;
			c->batch = f->batch;
			c->batch_fixed = true;
			n++;
			break;
		}
	}
	return n;
}

/* md joins the report's appendix, after the baseline comparison; out of
 * memory, the report goes without it. */
static void add_appendix(struct run *run, const char *md)
{
	char *joined;

	if (!run->report_appendix)
		joined = strdup(md);
	else if (asprintf(&joined, "%s\n%s", run->report_appendix, md) < 0)
		joined = NULL;
	if (!joined)
		return;
	free(run->report_appendix);
	run->report_appendix = joined;
}

/*
 * The run-to-run band of a single run (analysis_set_calibration()): from
 * the results tree's calibration when it was made on this host. None is
 * no band; a broken one, or another host's, is said in the warnings.
 */
static void set_band(struct run *run, struct analysis *a)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	struct calibration cal;
	int ret;

	if (!a->within_run ||
	    snprintf(path, sizeof(path), "%s/baselines/%s", run->request.out,
		     CALIBRATION_FILE) >= (int)sizeof(path))
		return;
	ret = calibration_read(path, &cal, err, sizeof(err));
	if (ret == -ENOENT)
		return;
	if (ret)
		results_add_warning(run, "no run-to-run band: %s", err);
	else if (!cal.hostname || !run->env.hostname ||
		 strcmp(cal.hostname, run->env.hostname))
		results_add_warning(run, "no run-to-run band: %s was "
				    "calibrated on host %s, not this one",
				    path, cal.hostname ? cal.hostname : "?");
	else if (analysis_set_calibration(a, &cal))
		results_add_warning(run, "no run-to-run band: %s",
				    strerror(ENOMEM));
	else
		ret = 1;	/* set */
	if (ret <= 0 && run->n_warnings)
		msg_warning("%s", run->warnings[run->n_warnings - 1]);
	calibration_free(&cal);
}

/* A stop signal that came after every cell had finished: the run is
 * still marked, so exit 128 + n always means "marked incomplete". */
static void mark_interrupted(struct run *run, int sig, const char *when)
{
	if (run->incomplete)
		return;
	run->incomplete = true;
	results_add_warning(run, "interrupted by %s %s: every cell had "
			    "finished", signals_name(sig), when);
}

int pipeline_finish(struct run *run, const struct pipeline_opts *po,
		    bool interrupted, bool *written)
{
	struct outputs_show_opts show = {
		.quiet = po->quiet,
		.export_markdown = po->export_markdown,
		.export_json = po->export_json,
	};
	struct analysis a;
	char rundir[PATH_MAX];
	int signalled, ret, code, cmp = EXIT_OK;

	*written = false;
	if (interrupted && !po->quiet)
		msg_note("interrupted: writing partial results");
	check_source_unchanged(run);
	ret = analysis_build(run, &a);
	if (ret) {
		msg_error("sweep: analysing the results: %s", strerror(-ret));
		return EXIT_RUNTIME;
	}
	set_band(run, &a);
	if (po->base)
		cmp = compare_with_baseline(run, &a, po->base, po->baseline);
	if (po->appendix)
		add_appendix(run, po->appendix);
	if (*po->stop_signal)
		mark_interrupted(run, *po->stop_signal,
				 "after the last sample");
	signalled = *po->stop_signal;
	ret = write_outputs(run, &a, po->save_baseline, po->quiet);
	if (!ret && *po->stop_signal && !signalled) {
		msg_note("interrupted by %s while writing the outputs: "
			 "finishing them, marked incomplete",
			 signals_name(*po->stop_signal));
		mark_interrupted(run, *po->stop_signal,
				 "while the outputs were written");
		ret = write_outputs(run, &a, po->save_baseline, true);
	}
	code = exit_code(run, *po->stop_signal);
	/* a comparison that could not be made is an error, never a 0 */
	if ((cmp == EXIT_RUNTIME && code < 128) ||
	    (cmp == EXIT_REGRESSION && code == EXIT_OK))
		code = cmp;
	if (!ret) {
		*written = true;
		snprintf(rundir, sizeof(rundir), "%s/%s", run->request.out,
			 run->id);
		ret = outputs_show(&a, &show, rundir);
	}
	analysis_free(&a);
	if (ret)
		return code == EXIT_OK || code == EXIT_CELLS_FAILED ||
		       code == EXIT_REGRESSION ? EXIT_RUNTIME : code;
	return code;
}

int pipeline_plan(struct run *run, bool quiet)
{
	int ret = runner_plan(run);

	if (ret) {
		msg_error("sweep: planning: %s", strerror(-ret));
		return EXIT_RUNTIME;
	}
	/* with MPI each rank checks its own --dir, and all agree */
	return pipeline_mpi_agree(check_space(run, quiet)) ? EXIT_USAGE :
	       EXIT_OK;
}

/* ---- sweep --mpi ---- */

/* The ranks but 0 keep their last error here for rank 0 to say. */
static char mpi_last_error[512];

static void mpi_keep_error(enum msg_kind kind, const char *fmt, va_list ap)
{
	if (kind == MSG_ERROR)
		vsnprintf(mpi_last_error, sizeof(mpi_last_error), fmt, ap);
}

int pipeline_mpi_start(bool mpi, bool *quiet)
{
	char why[256];
	int ret;

	if (!mpi || !HAVE_MPI)
		return 0;	/* request_build() refuses --mpi without MPI */
	ret = cluster_start(NULL, NULL, why, sizeof(why));
	if (ret) {
		msg_error("sweep: --mpi: %s", why);
		return ret;
	}
	if (!cluster_writer()) {
		*quiet = true;
		msg_set_routine(mpi_keep_error);
	}
	return 0;
}

int pipeline_mpi_agree(int ret)
{
	const char *mine = mpi_last_error;
	char why[512];

	if (!cluster_on())
		return ret;
	/* "sweep: --dir x: ..." is said as "sweep: rank 2 (HOST): --dir" */
	if (!strncmp(mine, "sweep: ", 7))
		mine += 7;
	snprintf(why, sizeof(why), "%s", ret ? mine : "");
	ret = cluster_agree(ret ? -EINVAL : 0, 0, why, sizeof(why));
	/* rank 0's own fault was printed already */
	if (ret && cluster_writer() && strncmp(why, "rank 0 ", 7))
		msg_error("sweep: %s", why);
	return ret ? -EINVAL : 0;
}

/* Every host's facts into run->env.hosts, and a warning when the hosts
 * differ. 0 or -errno (printed). */
static int mpi_hosts(struct run *run)
{
	char why[512];
	int ret = cluster_gather_hosts(&run->env, why, sizeof(why));

	if (ret) {
		msg_error("sweep: gathering the hosts' facts: %s", why);
		return ret;
	}
	if (clients_warn_hosts(run))
		return -ENOMEM;
	if (cluster_writer() && run->n_warnings && clients_hosts_differ(run))
		msg_warning("%s", run->warnings[run->n_warnings - 1]);
	return 0;
}

int pipeline_mpi_finish(struct run *run, const struct pipeline_opts *po,
			int ret, bool *written, bool *ended)
{
	int code;

	*written = false;
	*ended = ret == -EINTR || ret == -EPIPE || cluster_broken();
	if (*ended)
		cluster_leave();
	else
		cluster_finish();
	if (ret > 0 && !*ended)
		return ret;	/* printed by pipeline_measure() */
	/* a whole job's status is rank 0's: another rank's non-zero exit
	 * would make mpirun kill rank 0 while it writes */
	if (!cluster_writer())
		return !*ended ? EXIT_OK : *po->stop_signal ?
		       signals_exit_code(*po->stop_signal) : EXIT_RUNTIME;
	code = pipeline_finish(run, po, ret != 0, written);
	if (ret && ret != -EINTR && !*po->stop_signal)
		code = EXIT_RUNTIME;
	return code;
}

int pipeline_prepare(struct run *run, bool quiet)
{
	const char *gov;

	if (env_probe(run->request.dir, &run->env) ||
	    (run->request.src_dir &&
	     env_probe_src_dir(run->request.src_dir, &run->env))) {
		msg_error("sweep: probing the environment: %s",
			  strerror(ENOMEM));
		return EXIT_RUNTIME;
	}
	if (cluster_on() && mpi_hosts(run))
		return EXIT_RUNTIME;
	/* sweep --dir A,B: each target's device (targets.h) */
	if (targets_describe(run)) {
		msg_error("sweep: probing the targets: %s", strerror(ENOMEM));
		return EXIT_RUNTIME;
	}
	/* the machine's own ceilings, for the report (machine_limits.h);
	 * a stop while measuring them reaches the runner, which stops too;
	 * with several targets, each target's. They take seconds before
	 * the plan is printed (15 s on a VM whose fresh pages are slow),
	 * so the wait is announced. */
	if (run->request.limits) {
		double t0 = clock_now();

		if (!quiet)
			fprintf(stderr, "limits: measuring the ceilings of "
				"%s first (--no-limits skips them)\n",
				targets_count(&run->request) > 1 ?
					"each --dir" :
					run->request.dir ? run->request.dir :
							   ".");
		if (limits_measure(run) == -ENOMEM ||
		    targets_measure_limits(run) == -ENOMEM) {
			msg_error("sweep: measuring limits: %s",
				  strerror(ENOMEM));
			return EXIT_RUNTIME;
		}
		run->limits.seconds = clock_now() - t0;
	}
	if (env_ext4_without_journal(run->request.dir))
		results_add_warning(run, "%s is ext4 without a journal: it "
				    "skips inodes deleted in the last 1-6 "
				    "minutes when it creates files, so small-"
				    "file figures are slower and noisier right "
				    "after many deletions (a previous run "
				    "included)", run->request.dir);
	if (env_storage_reporting_soon(&run->env.storage))
		results_add_warning(
			run,
			"free page reporting hands memory "
			"back to the host %lld ms after it is "
			"freed: what one sample frees is gone "
			"before the next takes it, so page-cache "
			"cells' spread comes in bursts (`iobench "
			"doctor` gives the setting that delays it)",
			(long long)run->env.storage.reporting_min_free_ms);
	gov = run->env.governor ? run->env.governor : env_governor();
	if (strcmp(gov, "performance") && strcmp(gov, "unknown"))
		results_add_warning(run, "CPU frequency governor is '%s', not "
				    "'performance': timings may drift", gov);
	if (threads_oversubscribed(run) && !quiet)
		msg_warning("%s", threads_oversubscribed(run));
	return EXIT_OK;
}

int pipeline_measure(struct run *run, const struct runner_progress *progress)
{
	double t0 = clock_now();
	struct env_load_mark mark;
	char err[512], busy[512];
	int ret;

	env_load_mark(&mark);
	/* the machine's reference samples (one a round), not while a
	 * --lockstep peer measures in this sweep's turns; a run without
	 * memfd goes on, unprobed */
	if (!lockstep_on())
		(void)env_noise_start();
	ret = runner_run(run, progress, err, sizeof(err));
	run->duration = clock_now() - t0;
	env_load_finish(&mark, &run->env.load);
	env_noise_finish(&run->env.noise);
	if (env_load_disturbed(&run->env.load, busy, sizeof(busy)))
		results_add_warning(run, "%s", busy);
	if (ret == -EPIPE && cluster_on()) {
		msg_error("sweep: %s: writing what was measured", err);
		return ret;
	}
	if (ret && ret != -EINTR) {
		msg_error("sweep: %s", err);
		return EXIT_RUNTIME;
	}
	return ret;
}

