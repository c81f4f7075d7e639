// SPDX-License-Identifier: MIT
/*
 * iobench sweep: parses and validates the request (before creating
 * anything), runs the planned cells and writes results.json, results.csv
 * and report.md under OUT/<run-id>/, with OUT/latest pointing at it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "clock.h"
#include "env.h"
#include "fmt.h"
#include "machine_limits.h"
#include "parse.h"
#include "path.h"
#include "reference.h"
#include "report.h"
#include "compare.h"
#include "results.h"
#include "runner.h"
#include "shell.h"
#include "outfile.h"
#include "scratch.h"
#include "signals.h"
#include "source_tree.h"
#include "strategies.h"
#include "threads.h"
#include "verbs.h"
#include "version.h"
#include "workload.h"

#define DEFAULT_SIZES "4K,1M,64M"
#define DEFAULT_SAMPLES 10
#define MIN_SAMPLES 6
#define DEFAULT_BUDGET 10.0
#define DEFAULT_TIMEOUT 60.0
#define DEFAULT_SEED 42
#define MAX_FILE_SIZE (1ull << 40)
#define MAX_SECONDS 86400.0

enum {
	OPT_SIZES = 256, OPT_DIRECT,
	OPT_CACHE, OPT_SYNC, OPT_CONTENT, OPT_SOURCE,
	OPT_SAMPLES, OPT_BUDGET, OPT_TIMEOUT, OPT_SEED, OPT_DROP_CACHES,
	OPT_SAVE_BASELINE, OPT_BASELINE,
	OPT_THREADS, OPT_PARALLEL, OPT_PIN, OPT_PREALLOC, OPT_SQPOLL, OPT_OPT,
	OPT_RUNS, OPT_PLUGIN,
};

/* issue 6's limits and reference tools */
enum { OPT_LIMITS = 512, OPT_NO_LIMITS, OPT_REFERENCE };
/* iobench profile (harness/profile.h) */
enum { OPT_PROFILE = 768 };
/* --dataset (harness/workload.h) */
enum { OPT_DATASET = 1024 };
/* holes of sparse sources (strategy_copy_sparse()) */
enum { OPT_SPARSE = 1280 };

static const struct option options[] = {
	{ "sizes", required_argument, NULL, OPT_SIZES },
	{ "strategies", required_argument, NULL, 's' },
	{ "buffers", required_argument, NULL, 'b' },
	{ "qd", required_argument, NULL, 'Q' },
	{ "direct", required_argument, NULL, OPT_DIRECT },
	{ "sqpoll", required_argument, NULL, OPT_SQPOLL },
	{ "opt", required_argument, NULL, OPT_OPT },
	{ "plugin", required_argument, NULL, OPT_PLUGIN },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "sync", required_argument, NULL, OPT_SYNC },
	{ "content", required_argument, NULL, OPT_CONTENT },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "dir", required_argument, NULL, 'd' },
	{ "out", required_argument, NULL, 'o' },
	{ "samples", required_argument, NULL, OPT_SAMPLES },
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "drop-caches", no_argument, NULL, OPT_DROP_CACHES },
	{ "quiet", no_argument, NULL, 'q' },
	{ "save-baseline", required_argument, NULL, OPT_SAVE_BASELINE },
	{ "limits", no_argument, NULL, OPT_LIMITS },
	{ "no-limits", no_argument, NULL, OPT_NO_LIMITS },
	{ "reference", required_argument, NULL, OPT_REFERENCE },
	{ "profile", no_argument, NULL, OPT_PROFILE },
	{ "sparse", required_argument, NULL, OPT_SPARSE },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "parallel", required_argument, NULL, OPT_PARALLEL },
	{ "pin", required_argument, NULL, OPT_PIN },
	{ "prealloc", required_argument, NULL, OPT_PREALLOC },
	{ "dataset", required_argument, NULL, OPT_DATASET },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "  source-tree  8,000 source ... \n" per named dataset */
static const char *named_datasets(void)
{
	static char text[1024];
	size_t n = 0;

	for (size_t i = 0; dataset_named_at(i) && n < sizeof(text); i++)
		n += snprintf(text + n, sizeof(text) - n, "  %-12s %s\n",
			      dataset_named_at(i), dataset_named_summary(i));
	return text;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: iobench sweep [OPTIONS]\n"
"Measures every strategy x size x tunable x cache mode x sync mode and\n"
"writes OUT/<run-id>/{report.md,results.json,results.csv}.\n"
"\n"
"  --sizes LIST          file sizes, e.g. 0,4K,1M,100M (default\n"
"                        " DEFAULT_SIZES "; units below)\n"
"  -s, --strategies LIST|all\n"
"                        strategies to measure (default all; see iobench\n"
"                        list); one not usable here is recorded as skipped\n"
"  -b, --buffers LIST    buffer sizes for strategies with a buffer tunable\n"
"                        (default: each strategy's own, see iobench list)\n"
"  -Q, --qd LIST         queue depths for strategies with one (default:\n"
"                        each strategy's own)\n"
"  --direct LIST         no, yes, no,yes (or both): O_DIRECT variants of\n"
"                        strategies where it is optional (default no)\n"
"  --sqpoll LIST         no, yes, no,yes: io_uring with a kernel thread\n"
"                        polling its submission queue (default no)\n"
"  --opt NAME=LIST       any other tunable a strategy declares (see\n"
"                        iobench list --json), e.g. a plugin's\n"
"  --plugin PATH.so      load a strategy plugin: its strategies join\n"
"                        --strategies (and all) after the built-ins\n"
"                        (repeatable; also IOBENCH_PLUGIN_PATH, a colon\n"
"                        list of .so files and directories)\n"
"  --cache LIST          warm,cold: source in the page cache or evicted\n"
"                        (default warm,cold)\n"
"  --sync LIST           none,end: end adds fdatasync to the timed region\n"
"                        (default none)\n"
"  --threads LIST        thread counts, e.g. 1,2,4 (1 to 256; default 1);\n"
"                        a sample's time runs from the first thread's\n"
"                        start to the last one's finish\n"
"  --parallel LIST       files,ranges: above 1 thread, each thread copies\n"
"                        its own files, or its range of one file\n"
"                        (range-capable strategies; default files)\n"
"  --pin MODE            none|compact|spread: pin each thread to a PU\n"
"                        (hwloc), its buffers on its NUMA node (default\n"
"                        none)\n"
"  --prealloc MODE       none|truncate|fallocate: how a ranges destination\n"
"                        is pre-sized, inside the timing (default truncate)\n"
"  --content KIND        random|zeros|sparse source data (default random)\n"
"  --sparse WHEN         auto|always|never, as GNU cp, run-wide: auto keeps\n"
"                        the holes of a source that looks sparse (each\n"
"                        data extent copied with the strategy, found with\n"
"                        SEEK_DATA/SEEK_HOLE, inside the timing); always\n"
"                        also makes 4 KiB blocks of zeros holes; never\n"
"                        writes every byte (default auto)\n"
"  --source DIR          copy the regular files of a real tree instead of\n"
"                        generated ones (not with --sizes): read-only,\n"
"                        symlinks never followed, one sample = the whole\n"
"                        tree; checked unchanged after the run; --dir,\n"
"                        --out and OUT/baselines may not lead into it by\n"
"                        any route (.., symlink, bind mount)\n"
"  --dataset NAME|FILE   copy a synthetic dataset generated from --seed\n"
"                        (not with --sizes, --source or --content):\n"
"                        source-tree, photos, vm-images, mixed, or a size\n"
"                        histogram FILE; NAME:files=N or NAME:total=SIZE\n"
"                        scales it. Written in the scratch directory before\n"
"                        the first cell; one sample = the whole dataset,\n"
"                        and each size class is also run as its own tree\n"
"  -d, --dir DIR         where the copies happen, in a scratch directory\n"
"                        removed afterwards (default .); one that a run\n"
"                        killed outright left there is removed, said so\n"
"  -o, --out DIR         where results go (default results): results.json\n"
"                        first, each file written whole, never through a\n"
"                        planted symlink; checked before any work\n"
"  --samples N           rounds per size (each cell once a round), at\n"
"                        least %d (default %d)\n"
"  --runs N              independent passes over the whole plan (1-100,\n"
"                        default 1); with 2 or more, confidence intervals\n"
"                        cover run-to-run variation\n"
"  --budget SECONDS      per cell: stop after this once it has %d samples\n"
"                        (default %g)\n"
"  --timeout SECONDS     per sample process; a hang fails the cell\n"
"                        (default %g; time the process group is stopped,\n"
"                        e.g. by Ctrl-Z, does not count)\n"
"  --seed N              seed of the generated data (default %d)\n"
"  --drop-caches         cold cache by dropping all caches (root only)\n"
"                        instead of evicting each source\n"
"  -n, --dry-run         print the plan (a table of the cells per\n"
"                        strategy), the cell count and the estimated\n"
"                        duration, then exit 0: nothing is run or created\n"
"  -q, --quiet           no progress on stderr\n"
"  --save-baseline NAME  also store results.json as OUT/baselines/NAME.json\n"
"  --limits              measure memcpy and O_DIRECT bandwidth first and\n"
"                        show each size's best as a share of them\n"
"                        (default on; about 1-3 s)\n"
"  --no-limits           do not measure them\n"
"  --reference LIST|none\n"
"                        reference tools copying the same files, timed\n"
"                        with their process start: cp (default and\n"
"                        --reflink=never), dd (bs = each buffer), rsync\n"
"                        (default cp)\n"
"  --baseline NAME       compare with OUT/baselines/NAME.json when done: a\n"
"                        \"Change since NAME\" section in report.md, and\n"
"                        exit 4 when a cell regressed (as iobench compare);\n"
"                        a baseline with impossible samples is bad input,\n"
"                        and a comparison that cannot be made exits 2\n"
"  --profile             per cell: perf_event_open counters, system calls\n"
"                        and perf hot spots (what iobench profile runs)\n"
"  -h, --help            this help\n"
"\n"
"Of two contradicting options the last wins. Long options are spelled in\n"
"full. Option values may follow as the next argument or after '='.\n"
"\n"
BENCH_SIZE_HELP
"\n"
"Datasets (--dataset):\n"
"%s"
"A histogram FILE has one line per group of files ('#' starts a comment):\n"
"  SIZE COUNT [KIND]              COUNT files of SIZE bytes\n"
"  SIZE_LO SIZE_HI COUNT [KIND]   COUNT files, log-uniform in [LO, HI]\n"
"  total SIZE                     scale the counts to SIZE bytes in all\n"
"  name NAME                      the dataset's name in the report\n"
"Sizes as above (4K, 1M); KIND random (default), zeros or sparse (10-40%%\n"
"data extents, holes elsewhere). Size classes: <4K, 4K-64K, 64K-1M,\n"
"1M-16M, 16M-256M, >=256M.\n"
"\n"
"Numbers are decimal (no hex, exponent or inf); lists refuse empty items\n"
"and duplicates; an empty path is bad input.\n"
"\n"
"exit codes: 0 ok (skipped cells included), 1 bad input (nothing\n"
"created), 2 nothing measured or an output (stdout included) not\n"
"written, 3 some cells failed, 4 --baseline found a regression (and no\n"
"cell failed), 128+n stopped by signal n: 130 SIGINT, 143 SIGTERM, 129\n"
"SIGHUP, 131 SIGQUIT, 138/140 SIGUSR1/2, 142 SIGALRM (partial results\n"
"written, marked incomplete; also when it came while they were written)\n",
		MIN_SAMPLES, DEFAULT_SAMPLES, MIN_SAMPLES, DEFAULT_BUDGET,
		DEFAULT_TIMEOUT, DEFAULT_SEED, named_datasets());
}

struct sweep_opts {
	const char *reference;		/* --reference list or "none" */
	bool no_limits;
	const char *sizes, *strategies, *cache, *sync, *content, *source,
		*dir, *out, *samples, *runs, *budget, *timeout, *seed,
		*baseline, *compare_to, *sparse;
	/* per tunable (cell.h): the list given, or NULL for the default */
	const char *tune[TUNABLES_MAX];
	const char *threads, *parallel, *pin, *prealloc;	/* threads.h */
	bool drop_caches, quiet;
	bool profile;
	bool dry_run;			/* print the plan, run nothing */
	bool sizes_given;		/* --source and --sizes are exclusive */
	const char *dataset;		/* --dataset NAME|FILE */
	bool content_given;
};

/* Splits a comma list of names; calls one() per item. */
static int each_name(const char *opt, const char *list,
		     int (*one)(const char *opt, const char *name, void *ctx),
		     void *ctx)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	if (!*list || list[0] == ',' || list[strlen(list) - 1] == ',' ||
	    strstr(list, ",,")) {
		bench_error("sweep: %s: '%s': empty item in list", opt, list);
		ret = -EINVAL;
	}
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save))
		ret = one(opt, tok, ctx);
	free(copy);
	return ret;
}

static int one_cache(const char *opt, const char *name, void *ctx)
{
	struct run_request *rq = ctx;
	enum cache_mode m;
	bool *flag;

	if (cache_mode_parse(name, &m)) {
		bench_error("sweep: %s: '%s': expected warm or cold", opt,
			    name);
		return -EINVAL;
	}
	flag = m == CACHE_WARM ? &rq->cache_warm : &rq->cache_cold;
	if (*flag) {
		bench_error("sweep: %s: '%s': listed twice", opt, name);
		return -EINVAL;
	}
	*flag = true;
	return 0;
}

static int one_sync(const char *opt, const char *name, void *ctx)
{
	struct run_request *rq = ctx;
	enum sync_mode m;
	bool *flag;

	if (sync_mode_parse(name, &m)) {
		bench_error("sweep: %s: '%s': expected none or end", opt,
			    name);
		return -EINVAL;
	}
	flag = m == SYNC_NONE ? &rq->sync_none : &rq->sync_end;
	if (*flag) {
		bench_error("sweep: %s: '%s': listed twice", opt, name);
		return -EINVAL;
	}
	*flag = true;
	return 0;
}

static int one_strategy(const char *opt, const char *name, void *ctx)
{
	struct run_request *rq = ctx;
	const char *hint;
	char **n;

	if (!strcmp(name, "all")) {
		bench_error("sweep: %s: 'all' cannot be combined with names",
			    opt);
		return -EINVAL;
	}
	if (!strategy_find(name)) {
		hint = strategy_suggest(name);
		if (hint)
			bench_error("sweep: %s: unknown strategy '%s' (did you "
				    "mean '%s'?)", opt, name, hint);
		else
			bench_error("sweep: %s: unknown strategy '%s' (see "
				    "iobench list)", opt, name);
		return -EINVAL;
	}
	for (size_t i = 0; i < rq->n_strategies; i++) {
		if (!strcmp(rq->strategies[i], name)) {
			bench_error("sweep: %s: '%s': listed twice", opt,
				    name);
			return -EINVAL;
		}
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

/* Every path option: an empty one is bad input, never "here" or "/". */
static int check_not_empty(const char *opt, const char *path)
{
	if (*path)
		return 0;
	if (strcmp(opt, "--source"))
		bench_error("sweep: %s: empty path (give a directory, e.g. "
			    "%s .)", opt, opt);
	else
		bench_error("sweep: %s: empty path (give a directory)", opt);
	return -EINVAL;
}

/* --dir must be an existing, writable directory: probed with a real
 * (unnamed) file, since access(2) says yes to root on a read-only mount. */
static int check_dir(const char *dir)
{
	struct stat st;
	int fd;

	if (check_not_empty("--dir", dir))
		return -EINVAL;
	if (stat(dir, &st)) {
		bench_error("sweep: --dir %s: %s", dir, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		bench_error("sweep: --dir %s: not a directory", dir);
		return -EINVAL;
	}
	if (access(dir, W_OK | X_OK)) {
		bench_error("sweep: --dir %s: not writable: %s", dir,
			    strerror(errno));
		return -EINVAL;
	}
	fd = strategy_tmpfile(dir, 0);
	if (fd < 0) {
		bench_error("sweep: --dir %s: not writable: %s", dir,
			    strerror(-fd));
		return -EINVAL;
	}
	close(fd);
	return 0;
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

	if (check_not_empty("--out", out))
		return -EINVAL;
	ret = outfile_check_dest(out, OUT_ROOM);
	if (ret == -ENAMETOOLONG) {
		bench_error("sweep: --out %s: path too long", out);
		return -EINVAL;
	}
	if (ret == -ENOTDIR || ret == -ELOOP) {
		bench_error("sweep: --out %s: not a directory (%s)", out,
			    strerror(-ret));
		return -EINVAL;
	}
	if (ret) {
		bench_error("sweep: --out %s: cannot create files there: %s",
			    out, strerror(-ret));
		return -EINVAL;
	}
	snprintf(base, sizeof(base), "%s/baselines", out);
	if (saves_baseline && !lstat(base, &st) && !S_ISDIR(st.st_mode)) {
		bench_error("sweep: --save-baseline: %s is %s, not a "
			    "directory: not followed", base,
			    S_ISLNK(st.st_mode) ? "a symlink" : "a file");
		return -EINVAL;
	}
	return 0;
}

static bool valid_baseline_name(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > 100)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") == strlen(s);
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
static int parse_tunables(const struct sweep_opts *o, struct run_request *rq)
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
			bench_error("sweep: %s: %s",
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
				bench_error("sweep: %s: %s takes %s to %s",
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

/* --opt NAME=LIST: the list of any tunable, a plugin's included. */
static int set_opt(struct sweep_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[32];
	int i;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		bench_error("sweep: --opt '%s': expected NAME=LIST", arg);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	i = tunable_index(name);
	if (i < 0) {
		bench_error("sweep: --opt %s: no strategy declares it (see "
			    "iobench list --json)", name);
		return -EINVAL;
	}
	o->tune[i] = eq + 1;
	return 0;
}

/* Each helper prints its own one-line error; 0 or -EINVAL. */
static int build_request(const struct sweep_opts *o, struct run_request *rq)
{
	char err[256];
	uint64_t v;

	if (parse_size_list(o->sizes, MAX_FILE_SIZE, &rq->sizes, &rq->n_sizes,
			    err, sizeof(err))) {
		bench_error("sweep: --sizes: %s", err);
		return -EINVAL;
	}
	if (parse_strategies(o->strategies, rq))
		return -EINVAL;
	if (threads_parse_request(o->threads, o->parallel, o->pin,
				  o->prealloc, rq, err, sizeof(err))) {
		bench_error("sweep: %s", err);
		return -EINVAL;
	}
	if (parse_tunables(o, rq))
		return -EINVAL;
	if (each_name("--cache", o->cache, one_cache, rq) ||
	    each_name("--sync", o->sync, one_sync, rq))
		return -EINVAL;
	if (content_kind_parse(o->content, &rq->content)) {
		bench_error("sweep: --content: '%s': expected random, zeros "
			    "or sparse", o->content);
		return -EINVAL;
	}
	if (strategy_sparse_parse(o->sparse, &rq->sparse)) {
		bench_error("sweep: --sparse: '%s': expected auto, always or "
			    "never", o->sparse);
		return -EINVAL;
	}
	if (o->source && o->sizes_given) {
		bench_error("sweep: --source and --sizes are exclusive (the "
			    "tree's files have their own sizes)");
		return -EINVAL;
	}
	if (o->dataset && (o->sizes_given || o->source || o->content_given)) {
		bench_error("sweep: --dataset and %s are exclusive (the "
			    "dataset sets each file's size and content)",
			    o->source ? "--source" : o->sizes_given ?
			    "--sizes" : "--content");
		return -EINVAL;
	}
	if (parse_count(o->samples, MIN_SAMPLES, 1000000, &v, err,
			sizeof(err))) {
		bench_error("sweep: --samples: %s (fewer than %d samples give "
			    "no usable confidence interval)", err,
			    MIN_SAMPLES);
		return -EINVAL;
	}
	rq->samples = v;
	if (parse_count(o->runs, 1, 100, &v, err, sizeof(err))) {
		bench_error("sweep: --runs: %s", err);
		return -EINVAL;
	}
	rq->runs = v;
	if (parse_seconds(o->budget, MAX_SECONDS, &rq->budget, err,
			  sizeof(err))) {
		bench_error("sweep: --budget: %s", err);
		return -EINVAL;
	}
	if (parse_seconds(o->timeout, MAX_SECONDS, &rq->timeout, err,
			  sizeof(err))) {
		bench_error("sweep: --timeout: %s", err);
		return -EINVAL;
	}
	if (parse_count(o->seed, 0, UINT64_MAX, &rq->seed, err,
			sizeof(err))) {
		bench_error("sweep: --seed: %s", err);
		return -EINVAL;
	}
	if (o->drop_caches && geteuid()) {
		bench_error("sweep: --drop-caches needs root (writes "
			    "/proc/sys/vm/drop_caches)");
		return -EINVAL;
	}
	rq->drop_caches = o->drop_caches;
	rq->limits = !o->no_limits;
	rq->profile = o->profile;
	if (reference_parse(o->reference, &rq->references,
			    &rq->n_references, err, sizeof(err))) {
		bench_error("sweep: --reference: %s", err);
		return -EINVAL;
	}
	if (o->baseline && !valid_baseline_name(o->baseline)) {
		bench_error("sweep: --save-baseline: '%s': use letters, digits, "
			    "'.', '_' and '-' only", o->baseline);
		return -EINVAL;
	}
	if (check_dir(o->dir) || check_out(o->out, o->baseline))
		return -EINVAL;
	rq->dir = strdup(o->dir);
	rq->out = strdup(o->out);
	return rq->dir && rq->out ? 0 : -ENOMEM;
}

/* ---- --source ---- */

/*
 * No output or scratch path may resolve inside the --source tree by any
 * route: a missing level, `..`, a symlink or a bind mount (outfile_guard
 * compares the device and inode of every existing directory on the way
 * up with the tree's directories). 0 or -EINVAL (printed).
 */
static int check_outside_tree(const char *source,
			      const struct run_request *rq, bool baseline)
{
	struct { const char *opt, *path; } outs[3] = {
		{ "--dir", rq->dir }, { "--out", rq->out },
	};
	char base[PATH_MAX];
	struct outfile_guard *g;
	size_t n = 2;
	int ret = 0;

	if (baseline) {
		snprintf(base, sizeof(base), "%s/baselines", rq->out);
		outs[n++] = (typeof(outs[0])){ "--save-baseline", base };
	}
	g = outfile_guard_new(source, &ret);
	if (!g) {
		bench_error("sweep: --source %s: %s", source, strerror(-ret));
		return -EINVAL;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		int in = outfile_guard_check(g, outs[i].path);

		if (in == 1)
			bench_error("sweep: %s %s is inside --source %s (by its "
				    "path, a symlink or a mount): the tree is "
				    "never written", outs[i].opt, outs[i].path,
				    source);
		else if (in < 0)
			bench_error("sweep: %s %s: %s", outs[i].opt,
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
static int load_source(const struct sweep_opts *o, struct run *run)
{
	struct run_request *rq = &run->request;
	struct source_tree *t;
	char err[PATH_MAX + 128];
	struct stat st;

	if (check_not_empty("--source", o->source))
		return -EINVAL;
	/* before the (long) scan; a missing tree is the scan's to report */
	if (!stat(o->source, &st) && S_ISDIR(st.st_mode) &&
	    check_outside_tree(o->source, rq, o->baseline))
		return -EINVAL;
	t = source_tree_scan(o->source, err, sizeof(err));
	if (!t) {
		bench_error("sweep: --source %s", err);
		return -EINVAL;
	}
	run->source_tree = t;
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
	if (!o->quiet) {
		fprintf(stderr, "source: %s: %zu files, %llu bytes, %zu other "
			"entr%s skipped\n", t->root, t->n_files,
			(unsigned long long)t->total_bytes, t->n_skipped,
			t->n_skipped == 1 ? "y" : "ies");
		for (size_t i = 0; i < run->n_warnings; i++)
			if (strstr(run->warnings[i], "left out:") ||
			    strstr(run->warnings[i], "neither owned"))
				fprintf(stderr, "iobench: note: %s\n",
					run->warnings[i]);
	}
	return 0;
}

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
	fprintf(stderr, "iobench: warning: %s\n",
		run->warnings[run->n_warnings - 1]);
}

/* ---- --dataset ---- */

/*
 * --dataset NAME|FILE: builds the dataset's spec from --seed before
 * anything is created, so a bad name or histogram is bad input. Its
 * trees (the whole dataset, each size class) become the run's sizes.
 * 0 or -EINVAL (printed).
 */
static int load_dataset(const struct sweep_opts *o, struct run *run)
{
	struct workload *w;
	char err[PATH_MAX + 256], bytes[32], data[32];

	w = workload_open(o->dataset, run->request.seed, err, sizeof(err));
	if (!w) {
		bench_error("sweep: --dataset %s", err);
		return -EINVAL;
	}
	run->workload = w;
	if (workload_plan(w, run))
		return -ENOMEM;
	if (o->quiet)
		return 0;
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
	return 0;
}

/* ---- the run's identity ---- */

static int set_identity(struct run *run, int argc, char **argv)
{
	time_t t = time(NULL);
	struct tm tm;
	char stamp[32], iso[32];
	unsigned short rnd = 0;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned short)(getpid() ^ t);
	if (asprintf(&run->id, "%s-%04x", stamp, rnd) < 0)
		run->id = NULL;
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

/* ---- progress ---- */

struct progress_ctx {
	bool tty, quiet, line_open;
	size_t n_cells;
	size_t finished;		/* cells done (skipped ones included) */
	bool *announced;		/* finished cells counted / printed */
};

/* "1M rw buf 128K warm none": what a progress line names; a dataset's
 * tree by its size class ("4K-64K rw ..."). */
static void progress_label(const struct run *run, const struct cell *c,
			   char *out, size_t len)
{
	const struct workload_tree *t = workload_tree_of(run->workload,
							 c->size);
	char size[32], tun[160];
	bool none;

	if (t)
		snprintf(size, sizeof(size), "%s", t->size_class < 0 ? "all" :
			 dataset_class_name(t->size_class));
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

static void show_progress(void *ctx, const struct run *run, size_t ci,
			  size_t done, size_t total, double eta)
{
	struct progress_ctx *p = ctx;
	const struct cell *c = &run->cells[ci];
	char label[256];
	unsigned e = eta > 0 ? (unsigned)(eta + 0.5) : 0;

	if (p->quiet)
		return;
	/* cells run interleaved: count finished ones, not plan positions */
	announce_finished(p, run);
	if (!p->tty)
		return;
	progress_label(run, c, label, sizeof(label));
	fprintf(stderr, "\r[%zu/%zu done] %s  sample %zu/%zu  ETA %u:%02u"
		"\033[K", p->finished, run->n_cells, label,
		/* a noisy cell may take more than n samples */
		done, total < done ? done : total, e / 60, e % 60);
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

static volatile sig_atomic_t got_signal;

/* First signal: stop after the sample in flight; second: kill it. Both
 * return to the runner, which removes its scratch directory; a third
 * falls through to the default action. */
static void on_signal(int sig)
{
	if (!got_signal)
		got_signal = sig;
	else
		signal(sig, SIG_DFL);
	runner_request_stop();
}

/* ---- outputs ---- */

/* OUT/baselines/NAME.json: the same results.json, written atomically;
 * baselines/ is iobench's name, so a symlink there is not followed. */
static int save_baseline(const struct run *run, int outfd, const char *name,
			 bool quiet)
{
	char file[128];
	int fd, ret;

	fd = outfile_dir_open(outfd, "baselines",
			      OUTFILE_CREATE | OUTFILE_NOFOLLOW);
	if (fd < 0)
		return fd;
	snprintf(file, sizeof(file), "%s.json", name);
	if (!quiet && !faccessat(fd, file, F_OK, AT_SYMLINK_NOFOLLOW))
		fprintf(stderr, "iobench: replacing baseline %s\n", name);
	ret = results_write_json_at(run, fd, file);
	close(fd);
	return ret;
}

/*
 * Writes OUT/<run-id>/: results.json first (it holds the measurements),
 * then the baseline, results.csv and report.md (with its plots), each
 * whole or not at all; OUT/latest moves to the run once all are there.
 * 0 or -errno (printed, with where the measurements are when they are).
 */
static int write_outputs(const struct run *run, const char *baseline,
			 bool quiet)
{
	const char *out = run->request.out;
	char rundir[PATH_MAX], path[PATH_MAX + 32];
	int outfd, runfd, ret;

	snprintf(rundir, sizeof(rundir), "%s/%s", out, run->id);
	outfd = outfile_dir_open(AT_FDCWD, out, OUTFILE_CREATE);
	if (outfd < 0) {
		bench_error("sweep: creating %s: %s: the measurements are "
			    "lost", out, strerror(-outfd));
		return outfd;
	}
	runfd = outfile_dir_open(outfd, run->id,
				 OUTFILE_CREATE | OUTFILE_NOFOLLOW);
	if (runfd < 0) {
		ret = runfd;
		bench_error("sweep: creating %s: %s: the measurements are "
			    "lost", rundir, strerror(-ret));
		goto out_close;
	}
	ret = results_write_json_at(run, runfd, "results.json");
	if (ret) {
		bench_error("sweep: writing %s/results.json: %s: the "
			    "measurements are lost", rundir, strerror(-ret));
		/* nothing else was written: no empty run directory */
		unlinkat(outfd, run->id, AT_REMOVEDIR);
		goto out_close_run;
	}
	if (baseline) {
		snprintf(path, sizeof(path), "%s/baselines/%s.json", out,
			 baseline);
		ret = save_baseline(run, outfd, baseline, quiet);
	}
	if (!ret) {
		snprintf(path, sizeof(path), "%s/results.csv", rundir);
		ret = results_write_csv(run, path);
	}
	if (!ret) {
		snprintf(path, sizeof(path), "%s/report.md", rundir);
		ret = report_write_markdown(run, path);
	}
	if (!ret) {
		snprintf(path, sizeof(path), "%s/latest", out);
		ret = outfile_symlink(outfd, "latest", run->id);
	}
	if (ret)
		bench_error("sweep: writing %s: %s (the measurements are in "
			    "%s/results.json)", path, strerror(-ret), rundir);
out_close_run:
	close(runfd);
out_close:
	close(outfd);
	return ret;
}

static int exit_code(const struct run *run)
{
	size_t ok = 0, failed = 0;

	if (got_signal)
		return signals_exit_code(got_signal);
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
 * --dir (every cell would fail), names the sizes that do not fit (their
 * cells will fail), and warns about warm sizes over half of RAM, whose
 * source cannot stay cached. 0 or -ENOSPC.
 */
static int check_space(struct run *run, bool quiet)
{
	const struct run_request *rq = &run->request;
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	uint64_t ram = pages > 0 && page > 0 ? (uint64_t)pages * page : 0;
	uint64_t avail, smallest = UINT64_MAX;
	char sz[32], need[32], have[32], mem[32];
	struct statvfs vfs;
	size_t fits = 0;

	/* the runner reports a --dir it cannot stat */
	avail = statvfs(rq->dir, &vfs) ? UINT64_MAX :
		(uint64_t)vfs.f_bavail * vfs.f_frsize;
	fmt_bytes(avail, have, sizeof(have));
	for (size_t z = 0; z < rq->n_sizes; z++) {
		uint64_t n = runner_bytes_needed(rq->sizes[z]);

		if (n < smallest)
			smallest = n;
		fits += n <= avail;
	}
	if (!fits && rq->n_sizes) {
		fmt_bytes(smallest, need, sizeof(need));
		bench_error("sweep: --dir %s: not enough free space: the "
			    "smallest size needs %s, %s available", rq->dir,
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
			fprintf(stderr, "iobench: warning: %s\n",
				run->warnings[run->n_warnings - 1]);
	}
	for (size_t z = 0; z < rq->n_sizes && !quiet; z++) {
		uint64_t n = runner_bytes_needed(rq->sizes[z]);

		if (n <= avail)
			continue;
		fmt_size(rq->sizes[z], sz, sizeof(sz));
		fmt_bytes(n, need, sizeof(need));
		fprintf(stderr, "iobench: warning: size %s needs %s free in "
			"--dir %s, %s available: its cells will fail\n", sz,
			need, rq->dir, have);
	}
	return 0;
}

/* --baseline NAME: reads OUT/baselines/NAME.json before anything runs,
 * so a missing or broken baseline is bad input. 0 or -errno (printed). */
static int load_baseline(const struct run_request *rq, const char *name,
			 struct run *base)
{
	char path[PATH_MAX], err[512];
	int ret;

	if (!valid_baseline_name(name)) {
		bench_error("sweep: --baseline: '%s': use letters, digits, '.', "
			    "'_' and '-' only", name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/baselines/%s.json", rq->out, name);
	if (access(path, F_OK)) {
		bench_error("sweep: --baseline: no baseline '%s' in %s/baselines"
			    " (save one with --save-baseline %s)", name,
			    rq->out, name);
		return -ENOENT;
	}
	ret = results_read_json(path, base, err, sizeof(err));
	if (ret)
		bench_error("sweep: --baseline: %s", err);
	return ret;
}

/*
 * Compares the finished run with the baseline: the comparison becomes the
 * report's "Change since NAME" section. Returns EXIT_REGRESSION when a
 * cell regressed, EXIT_OK otherwise; EXIT_RUNTIME (said on stderr and in
 * the report) when the comparison cannot be made: the check the user
 * asked for did not happen, which must not pass for "no regression".
 */
static int compare_with_baseline(struct run *run, const struct run *base,
				 const char *name)
{
	struct compare_options opts;
	struct comparison cmp;
	char label[PATH_MAX], title[PATH_MAX];
	int code = EXIT_OK, ret;

	compare_default_options(&opts);
	ret = compare_runs(base, run, &opts, &cmp);
	if (ret) {
		bench_error("sweep: comparison with baseline %s failed: %s",
			    name, strerror(-ret));
		results_add_warning(run, "comparison with baseline %s failed: "
				    "%s", name, strerror(-ret));
		return EXIT_RUNTIME;
	}
	snprintf(label, sizeof(label), "baseline %s", name);
	snprintf(title, sizeof(title), "Change since %s", name);
	run->report_appendix = compare_markdown(&cmp, &(struct compare_sides){
		label, run->id, base, run, title });
	if (cmp.n_regressed)
		code = EXIT_REGRESSION;
	compare_free(&cmp);
	return code;
}

/* A stop signal that came after every cell had finished: the run is
 * still marked, so exit 128 + n always means "marked incomplete". */
static void mark_interrupted(struct run *run, const char *when)
{
	if (run->incomplete)
		return;
	run->incomplete = true;
	results_add_warning(run, "interrupted by %s %s: every cell had "
			    "finished", signals_name(got_signal), when);
}

/*
 * After the cells: the tree check, the baseline comparison and the
 * outputs. A stop signal while they are written does not cut them short:
 * they are finished, written again marked incomplete, and the exit
 * status is the signal's.
 */
static int sweep_finish(struct run *run, const struct sweep_opts *o,
			const struct run *base, const char *rundir,
			bool interrupted)
{
	int signalled, ret, code, cmp = EXIT_OK;

	if (interrupted && !o->quiet)
		fprintf(stderr, "iobench: interrupted: writing partial "
			"results\n");
	check_source_unchanged(run);
	if (base)
		cmp = compare_with_baseline(run, base, o->compare_to);
	if (got_signal)
		mark_interrupted(run, "after the last sample");
	signalled = got_signal;
	ret = write_outputs(run, o->baseline, o->quiet);
	if (!ret && got_signal && !signalled) {
		fprintf(stderr, "iobench: interrupted by %s while writing the "
			"outputs: finishing them, marked incomplete\n",
			signals_name(got_signal));
		mark_interrupted(run, "while the outputs were written");
		ret = write_outputs(run, o->baseline, true);
	}
	code = exit_code(run);
	/* a comparison that could not be made is an error, never a 0 */
	if (cmp == EXIT_RUNTIME || (cmp == EXIT_REGRESSION && code == EXIT_OK))
		code = cmp;
	if (ret)
		return code == EXIT_OK || code == EXIT_CELLS_FAILED ||
		       code == EXIT_REGRESSION ? EXIT_RUNTIME : code;
	/* a failed write to stdout is reported by main() */
	printf("%s/report.md\n", rundir);
	return code;
}

/* Plans, runs and writes everything once the request is valid. */
static int sweep_run(struct run *run, const struct sweep_opts *o,
		     const struct run *base)
{
	struct progress_ctx pc = { .tty = isatty(STDERR_FILENO),
				   .quiet = o->quiet };
	struct runner_progress prog = { show_progress, &pc };
	char rundir[PATH_MAX], err[512];
	const char *gov;
	size_t skipped = 0;
	double t0 = clock_now(), est;
	int ret;

	/* from here on a signal leaves partial results, not a stray dir */
	signals_install_stop(on_signal);
	ret = runner_plan(run);
	if (ret) {
		bench_error("sweep: planning: %s", strerror(-ret));
		return EXIT_RUNTIME;
	}
	if (check_space(run, o->quiet))
		return EXIT_USAGE;
	if (env_probe(run->request.dir, &run->env)) {
		bench_error("sweep: probing the environment: %s",
			    strerror(ENOMEM));
		return EXIT_RUNTIME;
	}
	/* the machine's own ceilings, for the report (machine_limits.h) */
	if (run->request.limits && limits_measure(run)) {
		bench_error("sweep: measuring limits: %s", strerror(ENOMEM));
		return EXIT_RUNTIME;
	}
	if (env_ext4_without_journal(run->request.dir))
		results_add_warning(run, "%s is ext4 without a journal: it "
				    "skips inodes deleted in the last 1-6 "
				    "minutes when it creates files, so small-"
				    "file figures are slower and noisier right "
				    "after many deletions (a previous run "
				    "included)", run->request.dir);
	gov = run->env.governor ? run->env.governor : env_governor();
	if (strcmp(gov, "performance") && strcmp(gov, "unknown"))
		results_add_warning(run, "CPU frequency governor is '%s', not "
				    "'performance': timings may drift", gov);
	if (threads_oversubscribed(run) && !o->quiet)
		fprintf(stderr, "iobench: warning: %s\n",
			threads_oversubscribed(run));
	/* OUT/<run-id> is created when there is something to put in it */
	snprintf(rundir, sizeof(rundir), "%s/%s", run->request.out, run->id);
	for (size_t i = 0; i < run->n_cells; i++)
		skipped += run->cells[i].status == CELL_SKIPPED;
	est = runner_estimate_seconds(run);
	if (!o->quiet) {
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
	/* a run killed outright left its scratch directory: remove it */
	bench_clean_stale_scratch(run->request.dir);
	ret = runner_run(run, &prog, err, sizeof(err));
	run->duration = clock_now() - t0;
	if (!o->quiet)
		announce_finished(&pc, run);
	if (pc.line_open)
		fputc('\n', stderr);
	free(pc.announced);
	if (ret && ret != -EINTR) {
		bench_error("sweep: %s", err);
		return EXIT_RUNTIME;
	}
	return sweep_finish(run, o, base, rundir, ret == -EINTR);
}

/* --dry-run: plans as sweep_run does, prints the plan, creates nothing. */
static int sweep_dry_run(struct run *run, const struct sweep_opts *o)
{
	int ret = runner_plan(run);

	if (ret) {
		bench_error("sweep: planning: %s", strerror(-ret));
		return EXIT_RUNTIME;
	}
	if (check_space(run, o->quiet))
		return EXIT_USAGE;
	ret = bench_print_plan(run, stdout);
	if (ret || fflush(stdout)) {
		bench_error("sweep: standard output: %s",
			    strerror(ret ? -ret : errno));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o = {
		.sizes = DEFAULT_SIZES, .strategies = "all",
		.cache = "warm,cold", .sync = "none",
		.content = "random", .dir = ".", .out = "results",
		.samples = "10", .runs = "1", .budget = "10", .timeout = "60",
		.seed = "42", .reference = "cp", .sparse = "auto",
	};
	struct run run = { 0 }, base = { 0 };
	int c, code;

	optind = 1;
	while ((c = bench_getopt("sweep", argc, argv, ":s:b:Q:d:o:nqh",
				 options)) != -1) {
		switch (c) {
		case OPT_SIZES:
			o.sizes = optarg;
			o.sizes_given = true;
			break;
		case 's': o.strategies = optarg; break;
		case 'b': o.tune[tunable_index("buffer")] = optarg; break;
		case 'Q': o.tune[tunable_index("qd")] = optarg; break;
		case OPT_DIRECT: o.tune[tunable_index("direct")] = optarg; break;
		case OPT_SQPOLL: o.tune[tunable_index("sqpoll")] = optarg; break;
		case OPT_OPT:
			if (set_opt(&o, optarg)) {
				results_free(&run);
				return EXIT_USAGE;
			}
			break;
		case OPT_PLUGIN: break;	/* loaded first: bench/plugins.c */
		case OPT_CACHE: o.cache = optarg; break;
		case OPT_SYNC: o.sync = optarg; break;
		case OPT_CONTENT:
			o.content = optarg;
			o.content_given = true;
			break;
		case OPT_SOURCE: o.source = optarg; break;
		case 'd': o.dir = optarg; break;
		case 'o': o.out = optarg; break;
		case OPT_SAMPLES: o.samples = optarg; break;
		case OPT_RUNS: o.runs = optarg; break;
		case OPT_BUDGET: o.budget = optarg; break;
		case OPT_TIMEOUT: o.timeout = optarg; break;
		case OPT_SEED: o.seed = optarg; break;
		case OPT_DROP_CACHES: o.drop_caches = true; break;
		case OPT_SAVE_BASELINE: o.baseline = optarg; break;
		case OPT_THREADS: o.threads = optarg; break;
		case OPT_PARALLEL: o.parallel = optarg; break;
		case OPT_PIN: o.pin = optarg; break;
		case OPT_PREALLOC: o.prealloc = optarg; break;
		case OPT_BASELINE: o.compare_to = optarg; break;
		case OPT_LIMITS: o.no_limits = false; break;
		case OPT_NO_LIMITS: o.no_limits = true; break;
		case OPT_REFERENCE: o.reference = optarg; break;
		case OPT_PROFILE: o.profile = true; break;
		case OPT_DATASET: o.dataset = optarg; break;
		case OPT_SPARSE: o.sparse = optarg; break;
		case 'q': o.quiet = true; break;
		case 'n': o.dry_run = true; break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		bench_error("sweep: unexpected argument '%s' (see iobench "
			    "sweep --help)", argv[optind]);
		return EXIT_USAGE;
	}
	if (build_request(&o, &run.request) ||
	    (o.source && load_source(&o, &run)) ||
	    (o.dataset && load_dataset(&o, &run))) {
		results_free(&run);
		return EXIT_USAGE;
	}
	if (o.compare_to && load_baseline(&run.request, o.compare_to, &base)) {
		results_free(&run);
		return EXIT_USAGE;
	}
	if (set_identity(&run, argc, argv)) {
		bench_error("sweep: %s", strerror(ENOMEM));
		results_free(&run);
		results_free(&base);
		return EXIT_RUNTIME;
	}
	code = o.dry_run ? sweep_dry_run(&run, &o) :
	       sweep_run(&run, &o, o.compare_to ? &base : NULL);
	results_free(&run);
	results_free(&base);
	return code;
}
