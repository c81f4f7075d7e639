// SPDX-License-Identifier: MIT
/*
 * The sweep request: option values as text validated into a run_request
 * before anything is created (see request.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster.h"
#include "config.h"
#include "msg.h"
#include "outfile.h"
#include "parse.h"
#include "reference.h"
#include "request.h"
#include "source_tree.h"
#include "strategies.h"
#include "strlist.h"
#include "targets.h"
#include "threads.h"
#include "workload.h"

#define MAX_FILE_SIZE (1ull << 40)
#define MAX_SECONDS 86400.0

void request_opts_init(struct request_opts *o)
{
	*o = (struct request_opts){
		.sizes = REQUEST_DEFAULT_SIZES, .strategies = "all",
		.cache = "warm,cold", .sync = "none", .content = "random",
		.dir = ".", .out = "results", .samples = "10", .runs = "1",
		.budget = "10", .timeout = "60", .seed = "42",
		.reference = "cp", .sparse = "auto",
	};
}

struct name_list {
	const char *opt;
	int (*one)(const char *opt, const char *name, void *ctx);
	void *ctx;
};

static int one_name(const char *name, void *p)
{
	struct name_list *l = p;

	return l->one(l->opt, name, l->ctx);
}

/* A comma list of names, one() per item; empty items and names listed
 * twice are refused (printed). */
static int each_name(const char *opt, const char *list,
		     int (*one)(const char *opt, const char *name, void *ctx),
		     void *ctx)
{
	struct name_list l = { opt, one, ctx };
	char err[160] = "";
	int ret = strlist_each(list, ',', STRLIST_NO_EMPTY | STRLIST_UNIQUE,
			       one_name, &l, err, sizeof(err));

	/* an item's own fault was printed by one() */
	if (ret == -EINVAL && !strncmp(err, "empty", 5))
		msg_error("sweep: %s: '%s': %s", opt, list, err);
	else if (ret == -EINVAL && *err)
		msg_error("sweep: %s: %s", opt, err);
	return ret;
}

/* An option that lists modes of two (--cache warm,cold; --sync none,end):
 * each mode named switches its flag on. */
struct mode_flags {
	const char *names[2];
	bool *flags[2];
};

static int one_mode(const char *opt, const char *name, void *ctx)
{
	const struct mode_flags *mf = ctx;

	for (size_t i = 0; i < 2; i++)
		if (!strcmp(name, mf->names[i])) {
			*mf->flags[i] = true;
			return 0;
		}
	msg_error("sweep: %s: '%s': expected %s or %s", opt, name,
		  mf->names[0], mf->names[1]);
	return -EINVAL;
}

static int one_strategy(const char *opt, const char *name, void *ctx)
{
	struct run_request *rq = ctx;
	const char *hint;
	char **n;

	if (!strcmp(name, "all")) {
		msg_error("sweep: %s: 'all' cannot be combined with names",
			    opt);
		return -EINVAL;
	}
	if (!strategy_find(name)) {
		hint = strategy_suggest(name);
		if (hint)
			msg_error("sweep: %s: unknown strategy '%s' (did you "
				    "mean '%s'?)", opt, name, hint);
		else
			msg_error("sweep: %s: unknown strategy '%s' (see "
				    "iobench list)", opt, name);
		return -EINVAL;
	}
	n = realloc(rq->strategies, (rq->n_strategies + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	rq->strategies = n;
	n[rq->n_strategies] = strdup(name);
	if (!n[rq->n_strategies])
		return -ENOMEM;
	rq->n_strategies++;
	return 0;
}

static int parse_strategies(const char *list, struct run_request *rq)
{
	if (!strcmp(list, "all")) {
		/* every registered strategy; the unusable ones are skipped */
		for (size_t i = 0; i < strategy_count(); i++) {
			int ret = one_strategy("--strategies",
					       strategy_at(i)->name, rq);

			if (ret)
				return ret;
		}
		return 0;
	}
	return each_name("--strategies", list, one_strategy, rq);
}

/* Room under --out for the names iobench adds: a run id, plots/, a file
 * and its temporary name. */
#define OUT_ROOM 160


/*
 * --src-dir: where the generated sources live instead of --dir, so the
 * copies cross devices. Checked like --dir; not with --source, --dataset
 * or --mpi (their sources are made elsewhere); one of the --dir targets
 * is refused as pointless (targets_parse()). 0 or -EINVAL.
 */
static int check_src_dir(const struct request_opts *o)
{
	if (!o->src_dir)
		return 0;
	if (o->source || o->dataset || o->mpi) {
		msg_error("sweep: --src-dir and %s are exclusive (%s)",
			  o->source ? "--source" : o->dataset ? "--dataset" :
			  "--mpi", o->mpi ? "each rank makes its own sources" :
			  "its files are the sources");
		return -EINVAL;
	}
	return targets_check_dir("--src-dir", o->src_dir);
}

/*
 * --out may not exist yet: then files must be creatable in its deepest
 * existing directory (probed, nothing left), so /proc/x or a read-only
 * mount is bad input before any work. With --save-baseline, an existing
 * OUT/baselines must be a real directory: a symlink is never followed.
 */
static int check_out(const char *out, bool saves_baseline)
{
	char base[PATH_MAX];
	struct stat st;
	int ret;

	if (targets_check_not_empty("--out", out))
		return -EINVAL;
	ret = outfile_check_dest(out, OUT_ROOM);
	if (ret == -ENAMETOOLONG) {
		msg_error("sweep: --out %s: path too long", out);
		return -EINVAL;
	}
	if (ret == -ENOTDIR || ret == -ELOOP) {
		msg_error("sweep: --out %s: not a directory (%s)", out,
			    strerror(-ret));
		return -EINVAL;
	}
	if (ret) {
		msg_error("sweep: --out %s: cannot create files there: %s",
			    out, strerror(-ret));
		return -EINVAL;
	}
	snprintf(base, sizeof(base), "%s/baselines", out);
	if (saves_baseline && !lstat(base, &st) && !S_ISDIR(st.st_mode)) {
		msg_error("sweep: --save-baseline: %s is %s, not a "
			    "directory: not followed", base,
			    S_ISLNK(st.st_mode) ? "a symlink" : "a file");
		return -EINVAL;
	}
	return 0;
}

bool request_valid_baseline_name(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > 100)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") == strlen(s);
}

bool request_reserved_baseline_name(const char *s)
{
	return !strcmp(s, "calibration");
}

/* The flag a tunable is given with: "--buffers" or "--opt NAME". */
static const char *tunable_flag(const struct tunable *t, char *out,
				size_t len)
{
	if (t->sweep_flag)
		snprintf(out, len, "--%s", t->sweep_flag);
	else
		snprintf(out, len, "--opt %s", t->name);
	return out;
}

/*
 * Each tunable's list (given, or the table's sweep default), checked
 * against every requested strategy that reads it: a value outside a
 * strategy's range is bad input, not a failed cell. 0 or -EINVAL.
 */
static int parse_tunables(const struct request_opts *o, struct run_request *rq)
{
	char err[256], flag[48], lo[32], hi[32];

	for (size_t i = 0; i < tunable_count(); i++) {
		const struct tunable *t = tunable_at(i);
		const char *list = o->tune[i] ? o->tune[i] : t->sweep_default;
		struct tunable_values *tv = &rq->tune[i];

		if (!list)
			continue;
		if (tunable_parse_list(t, list, &tv->v, &tv->n, err,
				       sizeof(err))) {
			msg_error("sweep: %s: %s",
				    tunable_flag(t, flag, sizeof(flag)), err);
			return -EINVAL;
		}
		for (size_t k = 0; k < rq->n_strategies; k++) {
			const struct copy_strategy *s =
				strategy_find(rq->strategies[k]);
			const struct copy_option *op =
				s ? strategy_option(s, t->name) : NULL;

			for (size_t v = 0; op && v < tv->n; v++) {
				if (tv->v[v] >= op->min && tv->v[v] <= op->max)
					continue;
				msg_error("sweep: %s: %s takes %s to %s",
					    tunable_flag(t, flag, sizeof(flag)),
					    s->name,
					    tunable_format(t, op->min, lo,
							   sizeof(lo)),
					    tunable_format(t, op->max, hi,
							   sizeof(hi)));
				return -EINVAL;
			}
		}
	}
	return 0;
}

int request_set_opt(struct request_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[32];
	int i;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		msg_error("sweep: --opt '%s': expected NAME=LIST", arg);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	i = tunable_index(name);
	if (i < 0) {
		msg_error("sweep: --opt %s: no strategy declares it (see "
			    "iobench list --json)", name);
		return -EINVAL;
	}
	o->tune[i] = eq + 1;
	return 0;
}

/* ---- sweep --mpi ---- */

/* What --mpi cannot be combined with, and why (out): each forks after
 * MPI_Init (reference tools, profiling with perf), or needs what one
 * rank cannot give (a tree or dataset of its own, threads in a rank, one
 * host's ceilings). NULL when nothing conflicts. */
static const char *mpi_conflict(const struct request_opts *o,
				const char **why)
{
	*why = "";
	if (o->threads && strcmp(o->threads, "1")) {
		*why = " (run more ranks instead)";
		return "--threads";
	}
	if (o->pin && strcmp(o->pin, "none"))
		return "--pin";
	if (o->profile)
		return "--profile";
	if (o->source)
		return "--source";
	if (o->dataset)
		return "--dataset";
	if (o->reference_given && strcmp(o->reference, "none")) {
		*why = " (a tool run per copy would fork the rank)";
		return "--reference";
	}
	if (o->limits_given && !o->no_limits) {
		*why = " (they are one host's ceilings)";
		return "--limits";
	}
	return NULL;
}

/*
 * The MPI fields of the request: the job's size, --mpi-layout, --ranks
 * (each at most the job's size), --stonewall. Without --mpi those three
 * are refused; without MPI support --mpi is. 0 or -EINVAL (printed).
 */
static int mpi_request(const struct request_opts *o, struct run_request *rq)
{
	const char *why, *conflict = mpi_conflict(o, &why);
	char err[200];

	if (!o->mpi) {
		const char *opt = o->mpi_layout ? "--mpi-layout" :
				  o->ranks ? "--ranks" :
				  o->stonewall ? "--stonewall" : NULL;

		if (!opt)
			return 0;
		msg_error("sweep: %s needs --mpi (mpirun -n N iobench sweep "
			  "--mpi ...)", opt);
		return -EINVAL;
	}
	if (!HAVE_MPI) {
		msg_error("sweep: --mpi: this iobench was built without MPI "
			  "(apt-get install libopenmpi-dev openmpi-bin, then "
			  "meson setup --reconfigure build -Dmpi=enabled; "
			  "scripts/iobench sweep --mpi does both)");
		return -EINVAL;
	}
	if (conflict) {
		msg_error("sweep: --mpi and %s are exclusive%s", conflict,
			  why);
		return -EINVAL;
	}
	rq->mpi_world = (unsigned)cluster_size();
	rq->limits = false;
	/* the default reference tool (cp) is left out, said in --help */
	for (size_t i = 0; i < rq->n_references; i++)
		free(rq->references[i]);
	free(rq->references);
	rq->references = NULL;
	rq->n_references = 0;
	if (o->mpi_layout && cluster_layout_parse(o->mpi_layout, &rq->layout)) {
		msg_error("sweep: --mpi-layout: '%s': expected files or "
			  "shared", o->mpi_layout);
		return -EINVAL;
	}
	if (o->ranks && parse_count_list(o->ranks, 1, rq->mpi_world,
					 &rq->ranks, &rq->n_ranks, err,
					 sizeof(err))) {
		msg_error("sweep: --ranks: %s (the job has %u rank%s)", err,
			  rq->mpi_world, rq->mpi_world == 1 ? "" : "s");
		return -EINVAL;
	}
	if (o->stonewall && parse_seconds(o->stonewall, MAX_SECONDS,
					  &rq->stonewall, err, sizeof(err))) {
		msg_error("sweep: --stonewall: %s", err);
		return -EINVAL;
	}
	return 0;
}

int request_build(const struct request_opts *o, struct run_request *rq)
{
	struct mode_flags cache = {
		{ cache_mode_name(CACHE_WARM), cache_mode_name(CACHE_COLD) },
		{ &rq->cache_warm, &rq->cache_cold },
	};
	struct mode_flags sync = {
		{ sync_mode_name(SYNC_NONE), sync_mode_name(SYNC_END) },
		{ &rq->sync_none, &rq->sync_end },
	};
	char err[256];
	uint64_t v;
	int ret;

	if (parse_size_list(o->sizes, MAX_FILE_SIZE, &rq->sizes, &rq->n_sizes,
			    err, sizeof(err))) {
		msg_error("sweep: --sizes: %s", err);
		return -EINVAL;
	}
	if (parse_strategies(o->strategies, rq))
		return -EINVAL;
	if (threads_parse_request(o->threads, o->parallel, o->pin,
				  o->prealloc, rq, err, sizeof(err))) {
		msg_error("sweep: %s", err);
		return -EINVAL;
	}
	/* a tree's files are pre-sized only when asked (by ranges the
	 * default is truncate) */
	if (!o->prealloc && (o->source || o->dataset))
		rq->prealloc = PREALLOC_NONE;
	if (parse_tunables(o, rq))
		return -EINVAL;
	if (each_name("--cache", o->cache, one_mode, &cache) ||
	    each_name("--sync", o->sync, one_mode, &sync))
		return -EINVAL;
	if (content_kind_parse(o->content, &rq->content)) {
		msg_error("sweep: --content: '%s': expected random, zeros "
			    "or sparse", o->content);
		return -EINVAL;
	}
	if (strategy_sparse_parse(o->sparse, &rq->sparse)) {
		msg_error("sweep: --sparse: '%s': expected auto, always or "
			    "never", o->sparse);
		return -EINVAL;
	}
	if (o->source && o->sizes_given) {
		msg_error("sweep: --source and --sizes are exclusive (the "
			    "tree's files have their own sizes)");
		return -EINVAL;
	}
	if (o->preserve && !o->source) {
		msg_error("sweep: --preserve needs --source (the attributes "
			    "of a real tree's files)");
		return -EINVAL;
	}
	rq->preserve = o->preserve;
	if (o->dataset && (o->sizes_given || o->source || o->content_given)) {
		msg_error("sweep: --dataset and %s are exclusive (the "
			    "dataset sets each file's size and content)",
			    o->source ? "--source" : o->sizes_given ?
			    "--sizes" : "--content");
		return -EINVAL;
	}
	if (parse_count(o->samples, REQUEST_MIN_SAMPLES, 1000000, &v, err,
			sizeof(err))) {
		msg_error("sweep: --samples: %s (fewer than %d samples give "
			    "no usable confidence interval)", err,
			    REQUEST_MIN_SAMPLES);
		return -EINVAL;
	}
	rq->samples = v;
	if (parse_count(o->runs, 1, 100, &v, err, sizeof(err))) {
		msg_error("sweep: --runs: %s", err);
		return -EINVAL;
	}
	rq->runs = v;
	if (parse_seconds(o->budget, MAX_SECONDS, &rq->budget, err,
			  sizeof(err))) {
		msg_error("sweep: --budget: %s", err);
		return -EINVAL;
	}
	if (parse_seconds(o->timeout, MAX_SECONDS, &rq->timeout, err,
			  sizeof(err))) {
		msg_error("sweep: --timeout: %s", err);
		return -EINVAL;
	}
	if (parse_count(o->seed, 0, UINT64_MAX, &rq->seed, err,
			sizeof(err))) {
		msg_error("sweep: --seed: %s", err);
		return -EINVAL;
	}
	if (o->cold && strcmp(o->cold, "data") && strcmp(o->cold, "metadata")) {
		msg_error("sweep: --cold: '%s': expected data or metadata",
			  o->cold);
		return -EINVAL;
	}
	rq->cold_metadata = o->cold && !strcmp(o->cold, "metadata");
	if (rq->cold_metadata && geteuid()) {
		msg_error("sweep: --cold metadata needs root (writes 3 to "
			    "/proc/sys/vm/drop_caches)");
		return -EINVAL;
	}
	if (o->sustained && (parse_seconds(o->sustained, MAX_SECONDS,
					   &rq->sustained, err, sizeof(err)) ||
			     !(rq->sustained > 0))) {
		msg_error("sweep: --sustained: %s", rq->sustained > 0 || err[0] ?
			  err : "expected seconds above 0");
		return -EINVAL;
	}
	if (rq->sustained > 0 && o->no_limits) {
		msg_error("sweep: --sustained is measured with the limits: "
			  "not with --no-limits");
		return -EINVAL;
	}
	if (o->drop_caches && geteuid()) {
		msg_error("sweep: --drop-caches needs root (writes "
			    "/proc/sys/vm/drop_caches)");
		return -EINVAL;
	}
	/* --cold metadata drops every cache before each cold sample */
	rq->drop_caches = o->drop_caches || rq->cold_metadata;
	rq->limits = !o->no_limits;
	rq->profile = o->profile;
	if (reference_parse(o->reference, &rq->references,
			    &rq->n_references, err, sizeof(err))) {
		msg_error("sweep: --reference: %s", err);
		return -EINVAL;
	}
	if (o->save_baseline && !request_valid_baseline_name(o->save_baseline)) {
		msg_error("sweep: --save-baseline: '%s': use letters, digits, "
			    "'.', '_' and '-' only", o->save_baseline);
		return -EINVAL;
	}
	if (o->save_baseline &&
	    request_reserved_baseline_name(o->save_baseline)) {
		msg_error(
			"sweep: --save-baseline: '%s' is taken by this host's "
			"noise floor (iobench calibrate writes "
			"baselines/%s.json); choose another name",
			o->save_baseline, o->save_baseline);
		return -EINVAL;
	}
	if (mpi_request(o, rq))
		return -EINVAL;
	/* with MPI only rank 0 writes: the others' --out is not theirs */
	ret = check_src_dir(o) ? -EINVAL :
	      targets_parse(o->n_dirs ? o->dirs : &o->dir,
			    o->n_dirs ? o->n_dirs : 1, o->mpi, o->dataset,
			    o->src_dir, rq);
	if (ret)
		return ret;
	if (cluster_writer() && check_out(o->out, o->save_baseline))
		return -EINVAL;
	rq->out = strdup(o->out);
	if (o->src_dir && !(rq->src_dir = strdup(o->src_dir)))
		return -ENOMEM;
	return rq->dir && rq->out ? 0 : -ENOMEM;
}

/*
 * No output or scratch path may resolve inside the --source tree by any
 * route: a missing level, `..`, a symlink or a bind mount (outfile_guard
 * compares the device and inode of every existing directory on the way
 * up with the tree's directories). 0 or -EINVAL (printed).
 */
static int check_outside_tree(const char *source,
			      const struct run_request *rq, bool baseline)
{
	struct { const char *opt, *path; } outs[TARGETS_MAX + 2] = {
		{ "--out", rq->out },
	};
	char base[PATH_MAX];
	struct outfile_guard *g;
	size_t n = 1;
	int ret = 0;

	for (size_t t = 0; t < targets_count(rq); t++)
		outs[n++] = (typeof(outs[0])){ "--dir", targets_dir(rq, t) };

	if (baseline) {
		snprintf(base, sizeof(base), "%s/baselines", rq->out);
		outs[n++] = (typeof(outs[0])){ "--save-baseline", base };
	}
	g = outfile_guard_new(source, &ret);
	if (!g) {
		msg_error("sweep: --source %s: %s", source, strerror(-ret));
		return -EINVAL;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		int in = outfile_guard_check(g, outs[i].path);

		if (in == 1)
			msg_error("sweep: %s %s is inside --source %s (by its "
				    "path, a symlink or a mount): the tree is "
				    "never written", outs[i].opt, outs[i].path,
				    source);
		else if (in < 0)
			msg_error("sweep: %s %s: %s", outs[i].opt,
				    outs[i].path, strerror(-in));
		ret = in ? -EINVAL : 0;
	}
	outfile_guard_free(g);
	return ret;
}

/*
 * --source DIR: walks and hashes the tree before anything is created,
 * so a bad tree is bad input. The tree becomes the run's one "size"
 * (its total bytes) and request.source its real path. --dir and --out
 * may not lie inside it: nothing is ever written into the user's tree.
 * 0 or -EINVAL (printed).
 */
int request_load_source(const struct request_opts *o, struct run *run)
{
	struct run_request *rq = &run->request;
	struct source_tree *t;
	char err[PATH_MAX + 128];
	struct stat st;

	if (targets_check_not_empty("--source", o->source))
		return -EINVAL;
	/* before the (long) scan; a missing tree is the scan's to report */
	if (!stat(o->source, &st) && S_ISDIR(st.st_mode) &&
	    check_outside_tree(o->source, rq, o->save_baseline))
		return -EINVAL;
	t = source_tree_scan(o->source, err, sizeof(err));
	if (!t) {
		msg_error("sweep: --source %s", err);
		return -EINVAL;
	}
	run->source_tree = t;
	run->free_source_tree = source_tree_free;
	free(rq->source);
	rq->source = strdup(t->root);
	if (!rq->source)
		return -ENOMEM;
	rq->sizes[0] = t->total_bytes;
	rq->n_sizes = 1;
	rq->source_files = t->n_files;
	if (t->n_skipped)
		results_add_warning(run, "--source %s: %zu entr%s that are "
				    "not regular files skipped (symlinks are "
				    "never followed)", t->root, t->n_skipped,
				    t->n_skipped == 1 ? "y" : "ies");
	if (t->n_unsized)
		results_add_warning(run, "--source %s: %zu file%s left out: "
				    "the content is not as long as the size "
				    "says (procfs, sysfs and some FUSE files "
				    "show 0 or 4096 bytes whatever they hold; "
				    "or the file grew while read), so a copy "
				    "could not be verified; first: %s", t->root,
				    t->n_unsized, t->n_unsized == 1 ? "" : "s",
				    t->first_unsized);
	if (t->n_residency_unreadable)
		results_add_warning(run, "--source %s: %zu of %zu files are "
				    "neither owned nor writable by this user: "
				    "the kernel does not report their page-"
				    "cache residency, so cold cells are skipped "
				    "and warm residency is counted by non-"
				    "blocking reads", t->root,
				    t->n_residency_unreadable, t->n_files);
	return 0;
}

/*
 * --dataset NAME|FILE: builds the dataset's spec from --seed before
 * anything is created, so a bad name or histogram is bad input. Its
 * trees (the whole dataset, each size class) become the run's sizes.
 * 0 or -EINVAL (printed).
 */
int request_load_dataset(const struct request_opts *o, struct run *run)
{
	struct workload *w;
	char err[PATH_MAX + 256];

	w = workload_open(o->dataset, run->request.seed, err, sizeof(err));
	if (!w) {
		msg_error("sweep: --dataset %s", err);
		return -EINVAL;
	}
	run->workload = w;
	run->free_workload = workload_free;
	if (workload_plan(w, run))
		return -ENOMEM;
	return 0;
}
