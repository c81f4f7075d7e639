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
#include "machine_limits.h"
#include "outfile.h"
#include "pipeline.h"
#include "request.h"
#include "results.h"
#include "runner.h"
#include "signals.h"
#include "source_tree.h"
#include "strategies.h"
#include "verbs.h"
#include "workload.h"

#define DEFAULT_SIZES REQUEST_DEFAULT_SIZES
#define DEFAULT_SAMPLES REQUEST_DEFAULT_SAMPLES
#define MIN_SAMPLES REQUEST_MIN_SAMPLES
#define DEFAULT_BUDGET REQUEST_DEFAULT_BUDGET
#define DEFAULT_TIMEOUT REQUEST_DEFAULT_TIMEOUT
#define DEFAULT_SEED REQUEST_DEFAULT_SEED

enum {
	OPT_SIZES = 256, OPT_DIRECT,
	OPT_CACHE, OPT_SYNC, OPT_CONTENT, OPT_SOURCE,
	OPT_SAMPLES, OPT_BUDGET, OPT_TIMEOUT, OPT_SEED, OPT_DROP_CACHES, OPT_COLD, OPT_SUSTAINED,
	OPT_SAVE_BASELINE, OPT_BASELINE,
	OPT_THREADS, OPT_PARALLEL, OPT_PIN, OPT_PREALLOC, OPT_SQPOLL, OPT_OPT,
	OPT_RUNS, OPT_PLUGIN, OPT_SRC_DIR,
};

/* issue 6's limits and reference tools */
enum { OPT_LIMITS = 512, OPT_NO_LIMITS, OPT_REFERENCE };
/* iobench profile (harness/profile.h) */
enum { OPT_PROFILE = 768 };
/* --dataset (harness/workload.h) */
enum { OPT_DATASET = 1024 };
/* holes of sparse sources (strategy_copy_sparse()) */
enum { OPT_SPARSE = 1280 };
/* sweep --mpi (harness/cluster.h, harness/ranks.h) */
enum { OPT_MPI = 1536, OPT_MPI_LAYOUT, OPT_RANKS, OPT_STONEWALL };
/* the end-of-run summary's exports (harness/outputs.h) */
enum { OPT_EXPORT_MARKDOWN = 1792, OPT_EXPORT_JSON };
/* a tree's copies with their attributes (harness/tree_copy.h) */
enum { OPT_PRESERVE = 2048 };
/* batches of an earlier run (compare REF's passes) */
enum { OPT_BATCH_FROM = 2304 };

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
	{ "src-dir", required_argument, NULL, OPT_SRC_DIR },
	{ "out", required_argument, NULL, 'o' },
	{ "samples", required_argument, NULL, OPT_SAMPLES },
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	{ "batch-from", required_argument, NULL, OPT_BATCH_FROM },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "drop-caches", no_argument, NULL, OPT_DROP_CACHES },
	{ "cold", required_argument, NULL, OPT_COLD },
	{ "sustained", required_argument, NULL, OPT_SUSTAINED },
	{ "quiet", no_argument, NULL, 'q' },
	{ "save-baseline", required_argument, NULL, OPT_SAVE_BASELINE },
	{ "limits", no_argument, NULL, OPT_LIMITS },
	{ "no-limits", no_argument, NULL, OPT_NO_LIMITS },
	{ "reference", required_argument, NULL, OPT_REFERENCE },
	{ "profile", no_argument, NULL, OPT_PROFILE },
	{ "sparse", required_argument, NULL, OPT_SPARSE },
	{ "preserve", no_argument, NULL, OPT_PRESERVE },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "parallel", required_argument, NULL, OPT_PARALLEL },
	{ "pin", required_argument, NULL, OPT_PIN },
	{ "prealloc", required_argument, NULL, OPT_PREALLOC },
	{ "dataset", required_argument, NULL, OPT_DATASET },
	{ "mpi", no_argument, NULL, OPT_MPI },
	{ "mpi-layout", required_argument, NULL, OPT_MPI_LAYOUT },
	{ "ranks", required_argument, NULL, OPT_RANKS },
	{ "stonewall", required_argument, NULL, OPT_STONEWALL },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "export-markdown", required_argument, NULL, OPT_EXPORT_MARKDOWN },
	{ "export-json", required_argument, NULL, OPT_EXPORT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct option *bench_sweep_options(void)
{
	return options;
}

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
"                        is pre-sized, inside the timing (default truncate);\n"
"                        with --source or --dataset each file of the tree\n"
"                        (default none)\n"
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
"                        any route (.., symlink, bind mount); the copy\n"
"                        mirrors the tree, directories made inside the\n"
"                        timing; with --threads N the threads share one\n"
"                        queue of its files, largest first\n"
"  --preserve            with --source: each copy gets its source's mode,\n"
"                        owner (where permitted) and times, as cp -a\n"
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
"  --src-dir DIR         generate the sources there (another device) and\n"
"                        copy them into --dir: cross-device copies;\n"
"                        strategies that copy within one filesystem only\n"
"                        are skipped with the reason, cold cells on a\n"
"                        tmpfs too (not with --source, --dataset or --mpi)\n"
"  -o, --out DIR         where results go (default results): results.json\n"
"                        first, each file written whole, never through a\n"
"                        planted symlink; checked before any work\n"
"  --samples N           rounds per size (each cell once a round), at\n"
"                        least %d (default %d); telling k strategies\n"
"                        apart needs (k-1) 2^-N < 0.05: 9 need 8\n"
"  --runs N              independent passes over the whole plan (1-100,\n"
"                        default 1); with 2 or more, confidence intervals\n"
"                        cover run-to-run variation\n"
"  --budget SECONDS      per cell: stop after this once it has %d samples\n"
"                        (default %g)\n"
"  --batch-from FILE     files per sample of each cell from an earlier\n"
"                        run's results.json, not calibrated by the warm-up\n"
"                        (cells it lacks calibrate): runs made apart copy\n"
"                        the same batches (compare REF's passes)\n"
"  --timeout SECONDS     per sample process; a hang fails the cell\n"
"                        (default %g; time the process group is stopped,\n"
"                        e.g. by Ctrl-Z, does not count)\n"
"  --seed N              seed of the generated data (default %d)\n"
"  --drop-caches         cold cache by dropping all caches (root only)\n"
"                        instead of evicting each source\n"
"  --cold data|metadata  what a cold cell evicts: data (default) the\n"
"                        source's pages; metadata drops every cache with\n"
"                        dentries and inodes (drop_caches 3, root only)\n"
"                        before each cold sample, labelled in the report\n"
"  -n, --dry-run         print the plan (a table of the cells per\n"
"                        strategy), the cell count, the estimated\n"
"                        duration and the rounds expected per size (more\n"
"                        on a busy machine), then exit 0: nothing is run\n"
"                        or created\n"
"  -q, --quiet           no progress on stderr (otherwise: on a terminal\n"
"                        a live line of samples run and expected, cells\n"
"                        finished and the ETA from the samples' measured\n"
"                        cost; else a line per cell; then how long the run\n"
"                        took); on stdout only the report's path (no\n"
"                        summary)\n"
"  --export-markdown FILE\n"
"                        also write the executive summary (Markdown, as\n"
"                        report.md starts) to FILE; - is stdout\n"
"  --export-json FILE    also write results.json's \"summary\" object to\n"
"                        FILE; - is stdout (the summary and the report's\n"
"                        path then go to stderr); a device, FIFO or\n"
"                        socket is refused, never replaced\n"
"  --save-baseline NAME  also store results.json as OUT/baselines/NAME.json\n"
"  --limits              measure the device ceilings of --dir first (as\n"
"                        iobench device: O_DIRECT read at QD 1, 8, 32,\n"
"                        page-cache read and write, files/s) and show each\n"
"                        size's best as a share of the lowest that applies,\n"
"                        a share above 100%% with its explanation; also\n"
"                        memcpy and one-stream O_DIRECT (default on; about\n"
"                        5-8 s)\n"
"  --no-limits           do not measure them\n"
"  --sustained SECONDS   with the limits: buffered writes into one new file\n"
"                        for SECONDS (at most a quarter of the free space),\n"
"                        the burst rate of the first second next to the\n"
"                        writeback-throttled rate of the last half\n"
"  --reference LIST|none\n"
"                        reference tools copying the same files, timed\n"
"                        with their start-up (median of 9 TOOL --version,\n"
"                        shown beside them): cp (default and\n"
"                        --reflink=never) and rsync, one process per\n"
"                        sample's batch (cp -t DIR SRC...), dd (bs = each\n"
"                        buffer) one per file (default cp); tar only a\n"
"                        tree; with --source one process copies\n"
"                        the whole tree: cp -r and cp -a, rsync -a, tar\n"
"                        (tar -c | tar -x), reading a read-only view of\n"
"                        the tree (root or user namespaces; else only on\n"
"                        a noatime mount) so its access times stay\n"
"                        unchanged\n"
"  --baseline NAME       compare with OUT/baselines/NAME.json when done: a\n"
"                        \"Change since NAME\" section in report.md, and\n"
"                        exit 4 when a cell regressed (as iobench compare);\n"
"                        a baseline with impossible samples is bad input,\n"
"                        and a comparison that cannot be made exits 2\n"
"  --profile             per cell: perf_event_open counters, system calls\n"
"                        and perf hot spots (what iobench profile runs)\n"
"  --mpi                 one client per MPI rank: run as mpirun -n N\n"
"                        iobench sweep --mpi [...] with a --dir every rank\n"
"                        sees; a barrier starts every sample on all ranks,\n"
"                        which runs from the first rank's start to the last\n"
"                        one's finish; rank 0 writes the results (not with\n"
"                        --threads, --pin, --profile, --source, --dataset,\n"
"                        --reference, --limits)\n"
"  --mpi-layout LAYOUT   files: each rank copies files of its own (N-N;\n"
"                        default); shared: each rank copies its range of\n"
"                        the same files (N-1; range-capable strategies)\n"
"  --ranks LIST          rank counts to sweep, e.g. 1,2,4 (the first N\n"
"                        ranks copy, the others wait; default: all)\n"
"  --stonewall SECONDS   with --mpi: no rank starts another file after\n"
"                        this long into a sample (batches sized for twice\n"
"                        it); each rank's files and bytes are reported\n"
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
"When the run ends, stdout shows the executive summary (per size: the\n"
"best set, ties within 3%%, its speed-up over rw with a 95%% CI) and, last,\n"
"the report's path.\n"
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
		bench_clean_stale_scratch(run->request.dir);
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
	/* the whole run, planning to the files written, against the plan */
	if (!po->quiet)
		fprintf(stderr, "done: %zu cells, %zu samples; took %s "
			"(%.0f s; planned ~%s)\n", run->n_cells, pc.samples,
			fmt_duration(clock_now() - t0, took, sizeof(took)),
			clock_now() - t0,
			fmt_duration(est, planned, sizeof(planned)));
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

/*
 * One option into o: EXIT_OK, EXIT_USAGE (printed), or -1 for --help.
 * The presets parse their own options first, then the user's, so a
 * repeated option replaces the preset's value.
 */
static int set_option(struct request_opts *o, int c)
{
	switch (c) {
	case OPT_SIZES:
		o->sizes = optarg;
		o->sizes_given = true;
		break;
	case 's': o->strategies = optarg; break;
	case 'b': o->tune[tunable_index("buffer")] = optarg; break;
	case 'Q': o->tune[tunable_index("qd")] = optarg; break;
	case OPT_DIRECT: o->tune[tunable_index("direct")] = optarg; break;
	case OPT_SQPOLL: o->tune[tunable_index("sqpoll")] = optarg; break;
	case OPT_OPT:
		return request_set_opt(o, optarg) ? EXIT_USAGE : EXIT_OK;
	case OPT_PLUGIN: break;	/* loaded first: bench/plugins.c */
	case OPT_CACHE: o->cache = optarg; break;
	case OPT_SYNC: o->sync = optarg; break;
	case OPT_CONTENT:
		o->content = optarg;
		o->content_given = true;
		break;
	case OPT_SOURCE: o->source = optarg; break;
	case 'd': o->dir = optarg; break;
	case OPT_SRC_DIR: o->src_dir = optarg; break;
	case 'o': o->out = optarg; break;
	case OPT_SAMPLES: o->samples = optarg; break;
	case OPT_RUNS: o->runs = optarg; break;
	case OPT_BUDGET: o->budget = optarg; break;
	case OPT_BATCH_FROM: o->batch_from = optarg; break;
	case OPT_TIMEOUT: o->timeout = optarg; break;
	case OPT_SEED: o->seed = optarg; break;
	case OPT_DROP_CACHES: o->drop_caches = true; break;
	case OPT_COLD: o->cold = optarg; break;
	case OPT_SUSTAINED: o->sustained = optarg; break;
	case OPT_SAVE_BASELINE: o->save_baseline = optarg; break;
	case OPT_THREADS: o->threads = optarg; break;
	case OPT_PARALLEL: o->parallel = optarg; break;
	case OPT_PIN: o->pin = optarg; break;
	case OPT_PREALLOC: o->prealloc = optarg; break;
	case OPT_BASELINE: o->baseline = optarg; break;
	case OPT_LIMITS:
		o->no_limits = false;
		o->limits_given = true;
		break;
	case OPT_NO_LIMITS: o->no_limits = true; break;
	case OPT_REFERENCE:
		o->reference = optarg;
		o->reference_given = true;
		break;
	case OPT_MPI: o->mpi = true; break;
	case OPT_MPI_LAYOUT: o->mpi_layout = optarg; break;
	case OPT_RANKS: o->ranks = optarg; break;
	case OPT_STONEWALL: o->stonewall = optarg; break;
	case OPT_PROFILE: o->profile = true; break;
	case OPT_DATASET: o->dataset = optarg; break;
	case OPT_SPARSE: o->sparse = optarg; break;
	case OPT_EXPORT_MARKDOWN: o->export_markdown = optarg; break;
	case OPT_EXPORT_JSON: o->export_json = optarg; break;
	case OPT_PRESERVE: o->preserve = true; break;
	case 'q': o->quiet = true; break;
	case 'n': o->dry_run = true; break;
	case 'h':
		usage(stdout);
		return -1;
	default:
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* argv (argv[0] is the verb) into o: EXIT_OK, EXIT_USAGE or -1. */
static int parse_args(const char *verb, int argc, char **argv,
		      struct request_opts *o)
{
	int c, ret;

	optind = 1;
	while ((c = bench_getopt(verb, argc, argv, ":s:b:Q:d:o:nqh",
				 options)) != -1) {
		ret = set_option(o, c);
		if (ret)
			return ret;
	}
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
			results_free(&run);
			results_free(&base);
			if (cluster_on())
				cluster_abort(EXIT_USAGE);
			return EXIT_USAGE;
		}
	}
	if (!o.quiet && run.source_tree)
		announce_source(&run);
	if (!o.quiet && run.workload)
		announce_dataset(run.workload);
	if (pipeline_identity(&run, argc, argv)) {
		bench_error("%s: %s", verb, strerror(ENOMEM));
		results_free(&run);
		results_free(&base);
		results_free(&batches);
		if (cluster_on())
			cluster_abort(EXIT_RUNTIME);
		return EXIT_RUNTIME;
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
		if (code) {
			results_free(&run);
			results_free(&base);
			results_free(&batches);
			if (cluster_on())
				cluster_abort(code);
			return code;
		}
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
