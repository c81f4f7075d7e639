// SPDX-License-Identifier: MIT
/*
 * iobench sweep's option table and its --help text (sweep_opts.h).
 */
#include <getopt.h>
#include <stdio.h>

#include "spec.h"
#include "request.h"
#include "sweep_opts.h"
#include "verbs.h"

#define DEFAULT_SIZES REQUEST_DEFAULT_SIZES
#define DEFAULT_SAMPLES REQUEST_DEFAULT_SAMPLES
#define MIN_SAMPLES REQUEST_MIN_SAMPLES
#define DEFAULT_BUDGET REQUEST_DEFAULT_BUDGET
#define DEFAULT_TIMEOUT REQUEST_DEFAULT_TIMEOUT
#define DEFAULT_SEED REQUEST_DEFAULT_SEED

static const struct option options[] = {
	{ "sizes", required_argument, NULL, OPT_SIZES },
	{ "strategies", required_argument, NULL, OPT_STRATEGIES },
	{ "buffers", required_argument, NULL, OPT_BUFFERS },
	{ "qd", required_argument, NULL, OPT_QD },
	{ "direct", required_argument, NULL, OPT_DIRECT },
	{ "sqpoll", required_argument, NULL, OPT_SQPOLL },
	{ "opt", required_argument, NULL, OPT_OPT },
	{ "plugin", required_argument, NULL, OPT_PLUGIN },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "sync", required_argument, NULL, OPT_SYNC },
	{ "content", required_argument, NULL, OPT_CONTENT },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "src-dir", required_argument, NULL, OPT_SRC_DIR },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "samples", required_argument, NULL, OPT_SAMPLES },
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	{ "batch-from", required_argument, NULL, OPT_BATCH_FROM },
	{ "lockstep", required_argument, NULL, OPT_LOCKSTEP },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "drop-caches", no_argument, NULL, OPT_DROP_CACHES },
	{ "cold", required_argument, NULL, OPT_COLD },
	{ "sustained", required_argument, NULL, OPT_SUSTAINED },
	{ "quiet", no_argument, NULL, OPT_QUIET },
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
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "export-markdown", required_argument, NULL, OPT_EXPORT_MARKDOWN },
	{ "export-json", required_argument, NULL, OPT_EXPORT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

const struct option *bench_sweep_options(void)
{
	return options;
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

void bench_sweep_usage(FILE *f)
{
	fprintf(f,
"usage: iobench sweep [OPTIONS]\n"
"Measures every strategy x size x tunable x cache mode x sync mode and\n"
"writes OUT/<run-id>/{report.md,results.json,results.csv}. Before each\n"
"round it also times a reference sample with no strategy in it (1 MiB\n"
"in-memory copies, on the round's CPU): the machine's own steadiness,\n"
"which the report states and warns noisy cells against. A round of a\n"
"one-thread cell runs on one CPU: the fastest of the CPUs the sweep may\n"
"use (taskset chooses them), as that reference work timed on each right\n"
"before the round found them (a VM's vCPUs differ in speed; --lockstep\n"
"rotates instead).\n"
"The report's spread is each cell's net of its rounds' effects (what\n"
"moved every cell of the round: the machine's), as measured beside it.\n"
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
"                        (default warm,cold); a warm sample that found\n"
"                        its source not all cached is taken again (5\n"
"                        times a cell at most, then kept and warned of);\n"
"                        with both, cold cells copy sources of their own\n"
"                        (same content): none evicts a warm cell's source\n"
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
"  -d, --dir A,B,...     several targets (up to 8; or --dir repeated):\n"
"                        the same plan measured on each in one run,\n"
"                        interleaved (every round visits each target's\n"
"                        cells, one variant's back to back, the target\n"
"                        going first rotating), each with its own scratch\n"
"                        and sources (unless --src-dir) and room checked;\n"
"                        one directory given twice is refused. The report\n"
"                        adds a Devices section: per target its ceilings\n"
"                        (--limits) and per strategy x size x cache the\n"
"                        figures side by side with the ratio B/A and its\n"
"                        95%% CI from paired per-round ratios, and which\n"
"                        is faster or \"tie\"; cells carry their target\n"
"                        (not with --mpi or --dataset)\n"
"  --src-dir DIR         generate the sources there (another device) and\n"
"                        copy them into --dir: cross-device copies;\n"
"                        strategies that copy within one filesystem only\n"
"                        are skipped with the reason, cold cells on a\n"
"                        tmpfs too (not with --source, --dataset or --mpi)\n"
"  -o, --out DIR         where results go (default results): results.json\n"
"                        first, each file written whole, never through a\n"
"                        planted symlink; checked before any work\n"
"  --samples N           rounds per size (each cell once a round), at\n"
"                        least %d (default %d); up to twice as many while\n"
"                        a cell's median CI is wider than 5%% and the size\n"
"                        within 1.25x its planned time; telling k\n"
"                        strategies apart needs (k-1) 2^-N < 0.05: 9 need 8\n"
"  --runs N              independent passes over the whole plan (1-100,\n"
"                        default 1); with 2 or more, confidence intervals\n"
"                        cover run-to-run variation; with 1, the report\n"
"                        states the host's run-to-run band per size when\n"
"                        OUT/baselines/calibration.json (iobench\n"
"                        calibrate, this host) holds the size; a cell\n"
"                        whose median is less steady in this run (two\n"
"                        modes, a wide spread) gets a wider band\n"
"  --budget SECONDS      per cell: stop after this once it has %d samples\n"
"                        (default %g)\n"
"  --batch-from FILE     files per sample of each cell from an earlier\n"
"                        run's results.json, not calibrated by the warm-up\n"
"                        (cells it lacks calibrate): runs made apart copy\n"
"                        the same batches (compare REF's passes)\n"
"  --lockstep FD         take turns with another sweep through socket FD\n"
"                        (compare REF runs both binaries so): one sample\n"
"                        process per turn, no rounds beyond --samples\n"
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
"                        FILE (the lines per size, what the CIs cover:\n"
"                        ci_line); - is stdout (the summary and the\n"
"                        report's path then go to stderr); a device, FIFO\n"
"                        or socket is refused, never replaced\n"
"  --save-baseline NAME  also store results.json as OUT/baselines/NAME.json\n"
"                        (not \"calibration\": the host's noise floor)\n"
"  --limits              measure the device ceilings of --dir first (as\n"
"                        iobench device: O_DIRECT read at QD 1, 8, 32,\n"
"                        page-cache read and write, files/s) and show each\n"
"                        size's best as a share of the lowest that applies,\n"
"                        a share above 100%% with its explanation; also\n"
"                        memcpy and one-stream O_DIRECT (default on; 5-20\n"
"                        s, said on stderr before the plan)\n"
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
"                        this long into a sample (batches sized for four\n"
"                        times it); each rank's files and bytes are\n"
"                        reported\n"
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
"best set, ties within 3%%, named in the sweep's order, not fastest first;\n"
"its speed-up over rw with a 95%% CI) and, last, the report's path.\n"
"\n"
"exit codes: 0 ok (skipped cells included), 1 bad input (nothing\n"
"created), 2 nothing measured, an output (stdout included) not\n"
"written, or --baseline could not compare or judge a time\n"
"regression (a run measured under other load, or a size's cells\n"
"moved apart), 3 some cells failed,\n"
"4 --baseline found a regression (and no cell failed), 128+n\n"
"stopped by signal n: 130 SIGINT, 143 SIGTERM, 129\n"
"SIGHUP, 131 SIGQUIT, 138/140 SIGUSR1/2, 142 SIGALRM (partial results\n"
"written, marked incomplete; also when it came while they were written)\n",
		MIN_SAMPLES, DEFAULT_SAMPLES, MIN_SAMPLES, DEFAULT_BUDGET,
		DEFAULT_TIMEOUT, DEFAULT_SEED, named_datasets());
}

