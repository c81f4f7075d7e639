/* SPDX-License-Identifier: MIT */
/*
 * Device ceilings measured the way fio measures them: sequential and
 * random O_DIRECT I/O through io_uring over a queue-depth sweep, page-
 * cache read and write, and file metadata operations; time-based with a
 * ramp, repeated, with per-I/O latency histograms and /proc/diskstats
 * deltas. `iobench device` prints them; a sweep can measure the jobs it
 * needs as its limits.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_DEVICE_H
#define IOBENCH_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "diskstats.h"
#include "env_storage.h"
#include "histogram.h"

#define DEVICE_SCHEMA "iobench-device/1"

/* What one job does. The names are fio's rw= values where fio has one. */
enum device_kind {
	DEVICE_READ,	     /* "read": sequential O_DIRECT read */
	DEVICE_WRITE,	     /* "write": sequential O_DIRECT overwrite */
	DEVICE_RANDREAD,     /* "randread": uniform random O_DIRECT read */
	DEVICE_RANDWRITE,    /* "randwrite" */
	DEVICE_CACHED_READ,  /* "cached-read": buffered read, all cached */
	DEVICE_CACHED_WRITE, /* "cached-write": buffered write, new files */
	DEVICE_METADATA,     /* "metadata": create+close+unlink, empty */
	DEVICE_N_KINDS,
};

#define DEVICE_KIND_BIT(k) (1u << (k))
#define DEVICE_ALL_KINDS ((1u << DEVICE_N_KINDS) - 1)
#define DEVICE_DIRECT_KINDS                                                    \
	(DEVICE_KIND_BIT(DEVICE_READ) | DEVICE_KIND_BIT(DEVICE_WRITE) |        \
	 DEVICE_KIND_BIT(DEVICE_RANDREAD) | DEVICE_KIND_BIT(DEVICE_RANDWRITE))

/* Defaults of `iobench device`. */
#define DEVICE_DEFAULT_RUNTIME 1.0 /* seconds measured per repeat */
#define DEVICE_DEFAULT_RAMP 0.25   /* seconds discarded before it */
#define DEVICE_DEFAULT_REPEATS 3
#define DEVICE_DEFAULT_SIZE (2ull << 30) /* the O_DIRECT file */
#define DEVICE_RANDOM_BS 4096u
#define DEVICE_MAX_LIST 16 /* block sizes / queue depths */

/* "read", "write", "randread", "randwrite", "cached-read",
 * "cached-write", "metadata". */
const char *device_kind_name(enum device_kind k);
/* 0, or -EINVAL for an unknown name. */
int device_kind_parse(const char *s, enum device_kind *k);
/* Bandwidth jobs report bytes/s, the others (random, metadata) ops/s. */
bool device_kind_is_bandwidth(enum device_kind k);
/* write, randwrite and cached-write. */
bool device_kind_writes(enum device_kind k);

/* What to measure. Zeroed fields take the defaults above; empty lists
 * the default sweeps (block sizes 128K and 1M, queue depths 1, 4, 16,
 * 32 sequential and 1, 32 random). */
struct device_options {
	double runtime, ramp;
	unsigned repeats;
	uint64_t size;	    /* bytes of the O_DIRECT file (capped at a
			     * quarter of the free space) */
	uint64_t cache_set; /* page-cache working set; 0: 4 x LLC,
			     * at least 64 MiB */
	unsigned kinds;	    /* DEVICE_KIND_BIT()s; 0 = all */
	uint64_t seq_bs[DEVICE_MAX_LIST];
	size_t n_seq_bs;
	unsigned seq_qd[DEVICE_MAX_LIST];
	size_t n_seq_qd;
	unsigned rand_qd[DEVICE_MAX_LIST];
	size_t n_rand_qd;
	uint64_t seed; /* random offsets (GSL mt19937) */
};

/* One job: a kind at a block size and queue depth. */
struct device_job {
	enum device_kind kind;
	uint64_t bs; /* bytes per I/O; 0 for metadata */
	unsigned qd; /* I/Os in flight; 1 for synchronous jobs */
};

enum device_status {
	DEVICE_PENDING, /* not run (an interrupted run) */
	DEVICE_OK,
	DEVICE_SKIPPED, /* cannot run here; reason says why */
	DEVICE_FAILED,	/* an error while running; reason says it */
};

/* One repeat of a job: what completed inside its measured window. */
struct device_repeat {
	double seconds; /* the window */
	uint64_t ios, bytes;
	double rate; /* bytes/s or ops/s (device_kind_is_bandwidth) */
};

/* A job's outcome on one target. */
struct device_result {
	struct device_job job;
	enum device_status status;
	char *reason;		       /* NULL when ok */
	struct device_repeat *repeats; /* n_repeats, owned */
	size_t n_repeats;
	double median, min, max; /* of the repeats' rates */
	struct histogram lat;	 /* per-I/O latency, ns, all repeats */
	/* what the job issued, ramp and drain included: the denominator
	 * of device bytes per byte */
	uint64_t issued_ios, issued_bytes;
	struct diskstats_snapshot disk; /* summed deltas over the repeats */
};

/* One --dir: where, on what, and every job's result. */
struct device_target {
	char *dir;
	char *fs_type;
	struct env_storage storage; /* readahead, queue, features ... */
	struct diskstats_chain chain;
	char *chain_why;    /* why there are no device counters, or NULL */
	char *direct_why;   /* why O_DIRECT jobs are skipped, or NULL */
	uint64_t file_size; /* the O_DIRECT file; 0 when none */
	uint64_t cache_set; /* page-cache working set */
	uint64_t llc;	    /* last-level cache bytes (all of them) */
	char **notes;	    /* for people: caveats met while measuring */
	size_t n_notes;
	struct device_result *results;
	size_t n_results;
	/* repeats taken again because the process was stopped in them */
	unsigned stopped_repeats;
};

/* A whole `iobench device` run. Strings and arrays are owned. */
struct device_run {
	char *id, *started, *command_line, *version, *commit;
	double duration;
	bool incomplete;	    /* interrupted */
	struct device_options opts; /* as resolved (defaults filled) */
	struct device_target *targets;
	size_t n_targets;
};

struct device_progress {
	/* before each job repeat; may be NULL */
	void (*update)(void *ctx, const struct device_run *run, size_t target,
		       size_t result, unsigned repeat, size_t done,
		       size_t total);
	void *ctx;
};

/* o with every zero field replaced by its default. */
void device_resolve_options(struct device_options *o);
/* The jobs o asks for, in table order, into a malloc'd array. */
int device_plan_jobs(const struct device_options *o, struct device_job **jobs,
		     size_t *n);

/*
 * Prepares run->targets for the directories (each must exist) with the
 * jobs of run->opts (resolved here), then measures them: every target
 * gets a scratch directory (scratch.h) and its files first; then, for
 * each repeat, every job runs on every target in turn (the job order
 * rotated from repeat to repeat), so drift hits all jobs and targets
 * alike. Scratch directories are removed before this returns, whatever
 * happens. A job that cannot run is skipped with its reason, one that
 * fails is failed with it; the others go on.
 * 0 when everything ran, -EINTR when stopped (run->incomplete), other
 * -errno when nothing could be measured (why in err).
 */
int device_measure(struct device_run *run, char *const *dirs, size_t n_dirs,
		   const struct device_progress *progress, char *err,
		   size_t len);
/* Stops device_measure() within a few milliseconds. Async-signal-safe. */
void device_request_stop(void);

/*
 * Measures the read jobs of run->opts on an existing file, read-only
 * (O_RDONLY | O_DIRECT | O_NOFOLLOW; nothing is created or written):
 * one target whose dir is the file's path. For cross-checks with other
 * tools on the very same file. 0 or -errno (why in err).
 */
int device_measure_file(struct device_run *run, const char *path,
			const struct device_progress *progress, char *err,
			size_t len);

/* The best median of a target's ok results of `kind` (any block size
 * and queue depth), NaN when none; *which (may be NULL) gets it. */
double device_ceiling(const struct device_target *t, enum device_kind kind,
		      const struct device_result **which);
/* Device bytes moved per byte issued, on the chain's device `i`: read
 * bytes for reads, written bytes for writes. NaN when unknown. */
double device_bytes_per_byte(const struct device_result *r, size_t i);

/* Frees everything run owns and zeroes it; safe on a zeroed struct. */
void device_run_free(struct device_run *run);

/* ---- outputs (device_report.c) ---- */

/* device.json: schema DEVICE_SCHEMA. New reference, NULL on ENOMEM. */
json_t *device_to_json(const struct device_run *run);
/* One target as device.json's targets[] hold it (for embedding a
 * sweep's ceilings in results.json). New reference, NULL on ENOMEM. */
json_t *device_target_to_json(const struct device_target *t);
/* Writes device.json and device.md into dir, atomically. 0 or -errno. */
int device_write_outputs(const struct device_run *run, const char *dir);
/* Markdown report into a malloc'd string (NULL on ENOMEM). */
char *device_markdown(const struct device_run *run);
/* The terminal table: per target, every job with its median, spread,
 * latency percentiles and device bytes per byte; side by side when
 * there are several targets. */
void device_print_table(const struct device_run *run, FILE *f);

#endif
