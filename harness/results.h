/* SPDX-License-Identifier: MIT */
/*
 * The results model: one run, its environment and request, and every cell
 * with raw samples. Produced by the runner, rendered by the writers
 * (JSON, CSV, Markdown), read back from results.json for baselines.
 * All strings are owned by the struct that holds them (free with
 * results_free()).
 *
 * Layer: model; includes only lib/, copy_strategies/, datasets/ and the model.
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
#include "env_types.h"
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

/* sweep --mpi: how the ranks share the work (cluster.h). */
enum cluster_layout {
	CLUSTER_FILES,		/* a file per process (IOR's N-N) */
	CLUSTER_SHARED,		/* each rank a range of shared files (N-1) */
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
	/* the reference samples taken between rounds (env_noise.h) */
	struct env_noise noise;
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
	/* the whole measurement, for results.json; NULL when read back.
	 * limits_free() frees it with free_device, which its builder sets
	 * beside it (device.h is above the model), then free()s it */
	struct device_run *device;
	void (*free_device)(struct device_run *run);
	/* --sustained: buffered writes into a new file for `seconds`: the
	 * first (burst) window's rate and the last half's, once writeback
	 * throttles; NaN when not measured (why in sustained_why) */
	double sus_seconds, sus_burst_seconds;
	uint64_t sus_bytes;
	double sus_burst_mib_s, sus_mib_s;
	char *sustained_why;
	double seconds;			/* measuring them took (not stored) */
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
	/*
	 * The parts below are built by modules above the model. Each comes
	 * with the function that frees it, set by its builder beside it
	 * (that module's *_free()): results_free() calls it, so the model
	 * includes none of their headers.
	 */
	/* --source: the tree scanned before the run (source_tree.h); not
	 * part of results.json */
	struct source_tree *source_tree;
	void (*free_source_tree)(struct source_tree *t);
	/* --dataset: the dataset, its trees and summary (workload.h);
	 * results.json's request.dataset */
	struct workload *workload;
	void (*free_workload)(struct workload *w);
	/* per-cell latency histograms and device deltas (cell_io.h);
	 * results.json's "io" and each cell's latency_ns / diskstats */
	struct run_io *io;
	/* sweep --dir A,B: the targets, in --dir's order (targets.h); none
	 * with one --dir */
	struct run_target *targets;
	size_t n_targets;
	void (*free_io)(struct run_io *io);
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
/* Frees what l owns (the device measurement with l->free_device) and
 * zeroes it. */
void limits_free(struct run_limits *l);

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
