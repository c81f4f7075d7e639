/* SPDX-License-Identifier: MIT */
/*
 * A cell's identity: what one measured combination is (strategy, file
 * size, the strategy's tunables, cache and sync mode, content, threads)
 * and the one table of tunables that drives parsing, planning, labels,
 * JSON, CSV and compare matching. Adding a tunable is one entry in
 * tunable_table (cell.c) plus the strategy option that reads it. And
 * struct cell itself: that identity with its outcome (samples, usage,
 * estimates, profile counters), which a run (results.h) holds.
 *
 * Layer: model; includes only lib/, copy_strategies/, datasets/ and
 * stats.h. Everything in the harness that names, labels or matches a
 * cell calls these.
 */
#ifndef IOBENCH_CELL_H
#define IOBENCH_CELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "iobench/strategy.h"
#include "stats.h"

struct cell;

enum cache_mode { CACHE_WARM, CACHE_COLD };
enum sync_mode { SYNC_NONE, SYNC_END };
enum cell_status {
	CELL_PENDING,	/* not run (yet): an interrupted sweep leaves some */
	CELL_OK,
	CELL_FAILED,	/* error, crash, timeout, verification mismatch */
	CELL_SKIPPED,	/* strategy not usable here; reason says why */
};
/* Thread sweeps (threads.h): more threads than this is a typo, not a
 * benchmark. */
#define THREADS_MAX 256u
/* Thread sweeps (threads.h): how N threads share a sample's work. */
enum parallel_mode {
	PARALLEL_FILES,		/* each thread copies its own files */
	PARALLEL_RANGES,	/* each file split into N contiguous ranges */
};
/* Where the threads run: anywhere, packed, or across packages/nodes. */
enum pin_mode { PIN_NONE, PIN_COMPACT, PIN_SPREAD };
/* How a ranges destination is pre-sized (inside the timed region). */
enum prealloc_mode { PREALLOC_NONE, PREALLOC_TRUNCATE, PREALLOC_FALLOCATE };

/* Names ("warm", "end", "ok", "ranges", "compact", "truncate") and
 * reverse lookups (0, or -EINVAL for an unknown name). */
const char *cache_mode_name(enum cache_mode m);
const char *sync_mode_name(enum sync_mode m);
const char *cell_status_name(enum cell_status s);
const char *parallel_mode_name(enum parallel_mode m);
const char *pin_mode_name(enum pin_mode m);
const char *prealloc_mode_name(enum prealloc_mode m);
int cache_mode_parse(const char *s, enum cache_mode *m);
int sync_mode_parse(const char *s, enum sync_mode *m);
int cell_status_parse(const char *s, enum cell_status *st);
int parallel_mode_parse(const char *s, enum parallel_mode *m);
int pin_mode_parse(const char *s, enum pin_mode *m);
int prealloc_mode_parse(const char *s, enum prealloc_mode *m);

/* ---- the tunables table ---- */

#define TUNABLES_MAX 16

/* One strategy option the harness can sweep, show and match by name. */
struct tunable {
	const char *name;	/* option name and JSON key: "buffer" */
	const char *sweep_flag;	/* sweep's list option: "buffers" */
	const char *label;	/* "buf" -> "buf 128K"; a bool shows its
				 * label when on */
	const char *csv;	/* CSV column: "buffer_size" */
	enum copy_option_type type;
	/* sweep's default list; NULL: each strategy's own default */
	const char *sweep_default;
	const char *help;	/* sweep --help text */
};

size_t tunable_count(void);
const struct tunable *tunable_at(size_t i);
/* Index of the tunable called name, or -1. */
int tunable_index(const char *name);
/*
 * Adds an option name the table lacks (a plugin's, or one read from a
 * results file): shown as "name=value", swept with --opt name=LIST.
 * Its index, or -ENOSPC when the table is full, -EINVAL when a known
 * name has another type.
 */
int tunable_register(const char *name, enum copy_option_type type);
/* A value the way the command line reads it: "128K", "32", "yes". */
const char *tunable_format(const struct tunable *t, uint64_t v, char *out,
			   size_t len);
/* Parses one value of t ("128K", "8", "no"/"yes"); 0 or -EINVAL with a
 * reason in err. */
int tunable_parse(const struct tunable *t, const char *s, uint64_t *v,
		  char *err, size_t len);

/* A comma list of t's values into a malloc'd array (you free it): sizes
 * or counts, no value twice; a bool's "no", "yes", "no,yes" ("both"
 * reads as no,yes). 0, or -EINVAL with a reason in err. */
int tunable_parse_list(const struct tunable *t, const char *list,
		       uint64_t **values, size_t *n, char *err, size_t len);

/* Which tunables a cell's strategy reads (bit i: tunable_at(i)) and
 * their values. */
struct cell_tunables {
	uint32_t mask;
	uint64_t v[TUNABLES_MAX];
};

/* Whether the cell's strategy reads tunable i; its value. */
bool cell_has_tunable(const struct cell *c, size_t i);
uint64_t cell_tunable(const struct cell *c, const char *name,
		      uint64_t fallback);
/* The strategy's options, with their defaults, as c's tunables (options
 * the table lacks are registered). 0 or -ENOSPC. */
int cell_set_strategy(struct cell *c, const struct copy_strategy *s);
/* The same from an options list (NULL-name terminated, or NULL): what a
 * reference tool reads (cell_kind.h). */
int cell_set_options(struct cell *c, const struct copy_option *options);
/* Sets one tunable the cell's strategy reads: 0, or -ENOENT when it
 * reads no such tunable (cell_set_strategy() first). */
int cell_set_tunable(struct cell *c, const char *name, uint64_t v);
/*
 * Fills opts (s->options_size bytes) from c's tunables over the
 * strategy's defaults. 0, or -ERANGE with the option and the allowed
 * range in why.
 */
int cell_options(const struct cell *c, const struct copy_strategy *s,
		 void *opts, char *why, size_t len);

/* ---- naming, labelling, matching ---- */

/* The strategy's tunables for people: "buf 128K, qd 32, direct", or "-"
 * for none, into out. */
const char *cell_options_desc(const struct cell *c, char *out, size_t len);
/* The same and the threads: "buf 128K, 2 threads by ranges (truncate)",
 * or "-" for none, into out. */
const char *cell_tunables_desc(const struct cell *c, char *out, size_t len);
/* "`rw` (buf 128K)", or "`sendfile`" without tunables, into out. */
const char *cell_label(const struct cell *c, char *out, size_t len);
/* Whether the cell's copies use O_DIRECT: its strategy always does, or
 * its "direct" tunable is on. */
bool cell_direct(const struct cell *c);
/* Whether the timed copy waits for the device: an O_DIRECT copy, a cold
 * source, or --sync end. Such cells vary from run to run as the device
 * does (compare's noise floor is kept apart for them). */
bool cell_reaches_device(const struct cell *c);

/* What cell_same_variant() may ignore: tunable bits (1u << index) and: */
#define CELL_IGNORE_CONTENT (1u << 31)

/* Same strategy, size, tunables (but those in ignore), content and
 * target (sweep --dir A,B; a cell without one matches any): the cells
 * measure one variant, whatever their modes and threads. */
bool cell_same_variant(const struct cell *a, const struct cell *b,
		       uint32_t ignore);
/* Same threads (0 reads as 1), parallel mode, pinning, pre-allocation,
 * and MPI ranks (sweep --mpi). */
bool cell_same_threads(const struct cell *a, const struct cell *b);
/* The whole identity: variant, threads, cache and sync mode. */
bool cell_same_key(const struct cell *a, const struct cell *b,
		   uint32_t ignore);
/* For people: sep + "2 threads by ranges (truncate), pinned compact"
 * ("4 ranks", "4 ranks by ranges (truncate)" with MPI), or nothing for
 * 1 unpinned thread, into out (snprintf's return). */
int cell_threads_desc(const struct cell *c, const char *sep, char *out,
		      size_t len);
/* The identity as one line, stable across runs and versions (compare's
 * JSON key): "rw 1M buffer=128K warm none random threads=1". */
const char *cell_key(const struct cell *c, char *out, size_t len);

/* ---- a measured cell: its samples and outcome ---- */

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
	/* the CPU the copy of a sequential cell ran on, its round's
	 * (runner_sample_cpu()); not known where the scheduler chose
	 * (threads, pinned cells, MPI, one CPU) and in older files */
	bool cpu_known;
	unsigned cpu;
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

/* Frees what p owns and zeroes it. */
void profile_free(struct cell_profile *p);
/* Frees p's hot spots only (hot, n_hot). */
void profile_free_hot(struct cell_profile *p);

#endif
