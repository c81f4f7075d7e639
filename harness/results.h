/* SPDX-License-Identifier: MIT */
/*
 * The results model: one run, its environment and request, and every cell
 * with raw samples. Produced by the runner, rendered by the writers
 * (JSON, CSV, Markdown), read back from results.json for baselines.
 * All strings are owned by the struct that holds them (free with
 * results_free()).
 */
#ifndef IOBENCH_RESULTS_H
#define IOBENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cell.h"
#include "strategies.h"
#include "dataset.h"
#include "iobench/strategy.h"
#include "env_storage.h"
#include "env_load.h"
#include "stats.h"

#define RESULTS_SCHEMA "iobench/2"
/* the schema before strategies declared their own tunables: still read */
#define RESULTS_SCHEMA_V1 "iobench/1"

struct source_tree;
struct workload;
struct run_io;
struct device_run;
struct analysis;

/*
 * With fewer samples than this a median's 95% CI covers less than 95%
 * (stats.h): the runner's floor of rounds, sweep's --samples minimum,
 * and the report's and compare's warning.
 */
#define RESULTS_MIN_SAMPLES 6

/* Page counts from cachestat(2) (or mincore: dirty/writeback -1 = n/a). */
struct cache_pages {
	int64_t cached, dirty, writeback;
};

/* One thread's share of a threaded sample: its own barrier-to-finish
 * time and the bytes it copied. */
struct thread_figure {
	double seconds;
	uint64_t bytes;
};

/* sweep --mpi: how the ranks share the work (cluster.h). */
enum cluster_layout {
	CLUSTER_FILES,		/* a file per process (IOR's N-N) */
	CLUSTER_SHARED,		/* each rank a range of shared files (N-1) */
};

/* One rank's share of an MPI sample: its own barrier-to-finish time, when
 * it started after the sample's first start (both on rank 0's clock), and
 * what it copied (shared layout: files = the ranges it finished). */
struct rank_figure {
	double start, seconds;
	uint64_t bytes;
	unsigned files;
};

/* What a sample's copy did to memory, counted in the sample process
 * over the timed region. heap_known / rss_known are false when it was
 * not counted: a reference tool (another process), a sanitizer build,
 * a file written before these were measured. */
struct sample_memory {
	bool heap_known, rss_known;
	uint64_t allocs;	/* allocation calls (memcount.h) */
	uint64_t alloc_bytes;	/* usable bytes they returned */
	uint64_t heap_peak;	/* peak net growth of the live heap, bytes */
	uint64_t rss_before;	/* resident set right before the copy */
	uint64_t rss_peak;	/* its peak during the copy (VmHWM) */
};

/* One timed sample: `batch` files copied back to back (per thread when
 * the cell runs threads, per rank when it runs ranks). */
struct sample {
	/* threads > 1 or pinned: first thread's finish, since the start,
	 * and one figure per thread (cell.threads entries, owned); 0/NULL
	 * for the sequential path */
	double first_finish;
	struct thread_figure *per_thread;
	/* sweep --mpi: one figure per rank (cell.ranks entries, owned), the
	 * sample from the first rank's start to the last one's finish; with
	 * --stonewall, the files' worth all ranks copied (bytes / size;
	 * 0 = the whole batch) */
	struct rank_figure *per_rank;
	double copies;
	double seconds;		/* timed region, whole batch */
	double sync_seconds;	/* of which fdatasync (--sync end) */
	double cpu_user, cpu_sys; /* timed-region CPU (getrusage deltas) */
	uint64_t src_pages;	/* pages the batch's sources span */
	int64_t src_resident_before, src_resident_after;
	struct cache_pages dst;	/* destinations right after the copy */
	bool residency_ok;	/* warm: fully resident before; cold: none */
	/* when it ran: the size's round (every cell of a size runs once per
	 * round, so samples of one round pair up) and the start, seconds
	 * since the run began */
	unsigned round;
	unsigned run;		/* --runs: the pass it belongs to */
	double start;
	/* memory of the timed region (memcount.h, sample_metric.h) */
	struct sample_memory mem;
};

/* Child rusage summed over the cell's sample processes (wait4). */
struct cell_usage {
	double user, sys;
	long minflt, majflt, nvcsw, nivcsw;
	long maxrss_kb;		/* peak over the samples */
};

/* Counters `iobench profile` reads over each sample's timed region with
 * perf_event_open(2) (harness/profile.h). */
enum profile_counter {
	PROFILE_TASK_CLOCK,		/* nanoseconds on a CPU */
	PROFILE_CONTEXT_SWITCHES,
	PROFILE_CPU_MIGRATIONS,
	PROFILE_MINOR_FAULTS,
	PROFILE_MAJOR_FAULTS,
	PROFILE_CYCLES,			/* hardware: often not exposed */
	PROFILE_INSTRUCTIONS,
	PROFILE_CACHE_MISSES,
	PROFILE_BRANCH_MISSES,
	PROFILE_SYSCALLS,		/* raw_syscalls:sys_enter */
	PROFILE_N_COUNTERS,
};

/* One symbol's share of the perf samples taken of a cell's copies. */
struct hot_spot {
	char *symbol;
	double pct;
};

/*
 * A profiled cell: counters summed over its samples (the warm-up too:
 * every sample is a fresh process doing the same work). A counter this
 * machine cannot read has its reason in na[] and value 0, which is never
 * to be shown as a figure. Strings and hot[] are owned.
 */
struct cell_profile {
	bool on;			/* the cell was profiled */
	uint64_t copies;		/* copies the counters cover */
	uint64_t value[PROFILE_N_COUNTERS];
	char *na[PROFILE_N_COUNTERS];	/* NULL, or why it is not known */
	struct hot_spot *hot;		/* top symbols, largest share first */
	size_t n_hot;
	uint64_t hot_samples;		/* perf samples the shares are of */
	char *hot_why;			/* NULL, or why there are no hot spots */
};

struct cell {
	/* parameters: the key a baseline comparison matches on */
	char *strategy;
	uint64_t size;			/* bytes per file */
	struct cell_tunables tun;	/* the strategy's options, resolved */
	enum cache_mode cache;
	enum sync_mode sync;
	enum content_kind content;
	unsigned batch;			/* files per sample (>= 1), fixed */
	bool batch_fixed;		/* batch given (--batch-from), not
					 * calibrated by the warm-up */
	/* thread sweeps: 0 reads as 1; prealloc for ranges and trees */
	unsigned threads;
	enum parallel_mode parallel;
	enum pin_mode pin;
	enum prealloc_mode prealloc;
	/* sweep --mpi: the ranks copying (--ranks); 0 for a single host */
	unsigned ranks;

	/* outcome */
	enum cell_status status;
	char *reason;			/* NULL when ok */
	double warmup_seconds;		/* the untimed first sample */
	/* a reference cell: its tool's start-up (median of TOOL --version,
	 * seconds), which every process of its copies includes; else 0 */
	double tool_start;
	struct sample *samples;
	size_t n_samples;
	struct cell_usage usage;
	struct estimates est;		/* over per-copy seconds */
	bool verified;			/* every copy matched (XXH3 + size) */
	uint64_t copies_verified;
	struct cell_profile profile;	/* iobench profile only */
	/* sweep --dir A,B: the directory the cell copied in (part of its
	 * identity, targets.h); NULL in a run with one --dir */
	char *target;
};

/* sweep --mpi: one host as its ranks saw it (cluster.h); ranks whose facts
 * are all equal share an entry. Strings and ranks owned. */
struct env_host {
	char *hostname, *kernel, *cpu_model, *fs_type, *device, *mount_options;
	unsigned *ranks;
	size_t n_ranks;
	/* how far its ranks' times may be off rank 0's clock, s: 0 on rank
	 * 0's boot, else half the shortest ping-pong round trip */
	double clock_error;
};

struct environment {
	char *hostname, *kernel, *cpu_model;
	unsigned packages, numa_nodes, cores, pus;
	uint64_t l3_per_package;	/* bytes of L3 in one package; 0 n/a */
	uint64_t mem_total;
	char *fs_type, *mount_options, *device, *device_model;
	int rotational;			/* 1, 0, or -1 unknown */
	char *scheduler;
	unsigned logical_block_size, dio_mem_align, dio_offset_align;
	char *governor;			/* "performance", ... or "unknown" */
	char *cache_probe;		/* "cachestat" or "mincore" */
	/* sweep --src-dir: the sources' filesystem and mount source (NULL
	 * without it: they were on --dir's) */
	char *src_fs_type, *src_device;
	/* readahead, queue, virtualisation, THP, dirty_*, fs features
	 * (env_storage.h); probed is false for files written before */
	struct env_storage storage;
	/* sweep --mpi: every host of the job (none for a single host) */
	struct env_host *hosts;
	size_t n_hosts;
	/* other load while the run measured (env_load.h) */
	struct env_load load;
};

/* One memcpy measurement: chunks of `buffer` bytes over a working set
 * of `size` bytes (the file size, capped), as MiB/s. */
struct limit_memcpy {
	uint64_t size, buffer;
	double mib_s;
};

/* The machine's own ceilings, measured in the run (iobench sweep
 * --limits): memcpy for page-cache-to-page-cache copies, sequential
 * O_DIRECT read / write for cold copies. Strings and arrays owned. */
struct run_limits {
	bool measured;
	struct limit_memcpy *memcpy;
	size_t n_memcpy;
	uint64_t direct_bytes, direct_block;	/* per direction; block */
	double direct_read_mib_s, direct_write_mib_s;	/* NaN: n/a */
	char *direct_reason;		/* why O_DIRECT is n/a, else NULL */
	/* device ceilings measured like fio on --dir (device.h; the
	 * cells' limits): MiB/s or files/s, NaN when n/a */
	bool ceilings;
	double dev_read_mib_s;		/* best O_DIRECT sequential read */
	uint64_t dev_read_bs;		/* ... at this block size */
	unsigned dev_read_qd;		/* ... and queue depth */
	double pc_read_mib_s, pc_write_mib_s;	/* page cache */
	double meta_files_s;		/* create+close+unlink, empty */
	uint64_t cache_set, llc;	/* page-cache working set; LLC */
	char *ceilings_why;		/* why some are n/a, else NULL */
	/* the whole measurement, for results.json; NULL when read back */
	struct device_run *device;
	/* --sustained: buffered writes into a new file for `seconds`: the
	 * first (burst) window's rate and the last half's, once writeback
	 * throttles; NaN when not measured (why in sustained_why) */
	double sus_seconds, sus_burst_seconds;
	uint64_t sus_bytes;
	double sus_burst_mib_s, sus_mib_s;
	char *sustained_why;
};

/* sweep --dir A,B: one directory the plan was measured on, and its
 * device (targets.h). Strings owned. */
struct run_target {
	char *dir;
	char *fs_type, *mount_options, *device, *device_model, *scheduler;
	int rotational;			/* 1, 0, or -1 unknown */
	struct run_limits limits;	/* --limits: its own ceilings */
};

struct run_request {
	char **strategies; size_t n_strategies;
	uint64_t *sizes; size_t n_sizes;
	/* per tunable (cell.h's table): the values to sweep; none = each
	 * strategy's own default */
	struct tunable_values {
		uint64_t *v;
		size_t n, cap;
	} tune[TUNABLES_MAX];
	bool cache_warm, cache_cold;
	bool sync_none, sync_end;
	enum content_kind content;
	/* --sparse: holes of sparse sources, run-wide (strategies.h) */
	enum strategy_sparse sparse;
	/* --preserve: a tree's copies get mode, owner and times (cp -a) */
	bool preserve;
	char *source;			/* --source DIR or NULL */
	/* --source: regular files in the tree; sizes[0] is their total */
	uint64_t source_files;
	char *dir, *out;
	/* --src-dir: the generated sources' directory (another device),
	 * NULL when they live in dir */
	char *src_dir;
	/* sweep --dir A,B: every target (dirs[0] is dir); n_dirs 0 or 1 for
	 * one --dir */
	char **dirs; size_t n_dirs;
	unsigned samples;
	unsigned runs;			/* --runs: independent passes (0 = 1) */
	double budget, timeout;
	uint64_t seed;
	bool drop_caches;
	/* --cold metadata: drop_caches 3 (page cache, dentries, inodes)
	 * before each cold sample, not only the data pages */
	bool cold_metadata;
	/* --sustained S: seconds of buffered writing with the limits
	 * (0 = not measured) */
	double sustained;
	/* iobench profile: counters and hot spots per cell */
	bool profile;
	/* thread sweeps (none given: 1 thread, files, unpinned) */
	uint64_t *threads; size_t n_threads;
	bool parallel_files, parallel_ranges;
	enum pin_mode pin;
	enum prealloc_mode prealloc;
	/* measure the machine's limits (limits.h) in the same run */
	bool limits;
	/* reference tools copied like cells ("cp", "dd", "rsync") */
	char **references; size_t n_references;
	/* sweep --mpi (cluster.h): ranks in the job, 0 for a single host;
	 * the rank counts to sweep (--ranks; none: the whole job); the
	 * layout; --stonewall seconds (0: off) */
	unsigned mpi_world;
	uint64_t *ranks; size_t n_ranks;
	enum cluster_layout layout;
	double stonewall;
};

struct run {
	char *schema;			/* RESULTS_SCHEMA */
	char *id;			/* "20261129-181500-ab12" */
	char *started;			/* ISO 8601 UTC */
	double duration;		/* seconds */
	char *command_line;
	char *version, *commit;
	bool incomplete;		/* interrupted: some cells pending */
	struct environment env;
	struct run_request request;
	struct cell *cells;
	size_t n_cells;
	char **warnings;		/* run-wide, e.g. governor */
	size_t n_warnings;
	/* Markdown the report adds before "Reproduce" ("Change since
	 * NAME"); not part of results.json */
	char *report_appendix;
	struct run_limits limits;	/* zeroed (measured false) when off */
	/* --source: the tree scanned before the run (source_tree.h); not
	 * part of results.json */
	struct source_tree *source_tree;
	/* --dataset: the dataset, its trees and summary (workload.h);
	 * results.json's request.dataset */
	struct workload *workload;
	/* per-cell latency histograms and device deltas (cell_io.h);
	 * results.json's "io" and each cell's latency_ns / diskstats */
	struct run_io *io;
	/* sweep --dir A,B: the targets, in --dir's order (targets.h); none
	 * with one --dir */
	struct run_target *targets;
	size_t n_targets;
};

/* Recomputes every cell's est from its samples (per-copy times). */
int results_estimate(struct run *run);
/* Files one sample copies: batch, times the threads when by files, times
 * the ranks for a file per process. */
unsigned results_files_per_sample(const struct cell *c);
/* Per-copy seconds of a cell's samples into a malloc'd array (the
 * sample's time over the files it copied: aggregate throughput). */
double *results_per_copy(const struct cell *c);
/* Throughput of one copy of `size` bytes taking `seconds`, in MiB/s. */
double results_mib_s(uint64_t size, double seconds);
void results_add_warning(struct run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Frees everything run owns and zeroes it; safe on a zeroed struct. */
void results_free(struct run *run);
/* Frees n targets (their strings and limits) and the array. */
void results_free_targets(struct run_target *t, size_t n);
/* Frees the environment's strings and zeroes it. */
void results_free_environment(struct environment *env);

/* Per-sample page-cache figures, as a share of the pages a sample's files
 * span (destinations span as many as their sources). */
enum results_figure {
	RESULTS_SRC_RESIDENT_BEFORE,
	RESULTS_SRC_RESIDENT_AFTER,
	RESULTS_DST_CACHED,
	RESULTS_DST_DIRTY,
	RESULTS_DST_WRITEBACK,
};
/* Mean over the cell's samples, in percent; NaN when no sample knows it
 * (no samples, 0-byte files, or -1 under the mincore fallback). */
double results_sample_pct(const struct cell *c, enum results_figure which);
/* Medians over a cell's threaded samples (NaN when it has none): the
 * slowest thread's time over the fastest's (1 = balanced), and the
 * first finish as a share of the sample's time. */
double results_thread_imbalance(const struct cell *c);
double results_first_finish_share(const struct cell *c);
/* The same over a cell's MPI samples: slowest rank over fastest. */
double results_rank_imbalance(const struct cell *c);
/* "files" or "shared"; parse: 0 or -EINVAL. */
const char *cluster_layout_name(enum cluster_layout l);
int cluster_layout_parse(const char *s, enum cluster_layout *out);
/*
 * Writers: atomic (temp file in the same directory, fsync, rename).
 * 0 or -errno. results.json is built from the run and, when a is not
 * NULL, its analysis (the "summary" object and each cell's "analysis");
 * results.csv has a row per cell with the analysis's figures.
 */
int results_write_json(const struct run *run, const struct analysis *a,
		       const char *path);
/* results.json as `name` in dirfd (outfile_write_at()). */
int results_write_json_at(const struct run *run, const struct analysis *a,
			  int dirfd, const char *name);
int results_write_csv(const struct analysis *a, const char *path);
/* A cell's tunables as a JSON object ({"buffer": 131072, "direct":
 * false}): results.json and compare.json write them alike. You own it. */
struct json_t *results_json_cell_tunables(const struct cell *c);
/*
 * A JSON string for text that may not be UTF-8 (a path, a message quoting
 * one): as is when it is UTF-8, else every byte >= 0x80 as \\xHH and each
 * backslash doubled; inside results.json such a string's JSON Pointer is
 * listed in run.escaped. null for NULL; NULL when memory runs out.
 */
struct json_t *results_json_text(const char *s);
/* Reader: 0, or -EINVAL with "file:line:col: what" in err. Reads the
 * current schema and iobench/1. */
int results_read_json(const char *path, struct run *run, char *err,
		      size_t len);

/* Writes `len` bytes to path atomically: outfile_write_path() (outfile.h),
 * the one writer of every output file. */
int results_write_file_atomic(const char *path, const void *data,
			      size_t len);

#endif
