/* SPDX-License-Identifier: MIT */
/*
 * The machine's own limits, measured in the same run: memcpy bandwidth
 * (page-cache-to-page-cache ceiling) and sequential O_DIRECT bandwidth of
 * the scratch directory's device (cold-copy ceiling).
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_MACHINE_LIMITS_H
#define IOBENCH_MACHINE_LIMITS_H

#include <jansson.h>

#include "results.h"

/* Working sets above this are memory-bound alike: capped there. */
#define LIMITS_MEMCPY_MAX_SET (64ull << 20)
/* O_DIRECT: bytes per direction at most, block size, time bound. */
#define LIMITS_DIRECT_BYTES (256ull << 20)
#define LIMITS_DIRECT_BLOCK (4u << 20)
#define LIMITS_DIRECT_SECONDS 1.0

/* The device ceilings of a sweep (device.h jobs on --dir), kept short:
 * per job LIMITS_DEVICE_REPEATS x (ramp + runtime) seconds. */
#define LIMITS_DEVICE_RUNTIME 0.3
#define LIMITS_DEVICE_RAMP 0.1
#define LIMITS_DEVICE_REPEATS 2
#define LIMITS_DEVICE_SIZE (512ull << 20)
/* --sustained: the burst is the first this many seconds (at most a
 * quarter of the run). */
#define LIMITS_BURST_SECONDS 1.0
/* A share of the ceiling up to this is within the noise of measuring
 * both. */
#define LIMITS_NOISE 1.10

/*
 * Fills run->limits for run->request: memcpy bandwidth for every swept
 * size (working set, capped) x buffer (chunk), O_DIRECT write and read
 * bandwidth in request.dir (one stream), then the device ceilings the
 * cells are measured against: O_DIRECT sequential read through io_uring
 * at queue depths 1, 8 and 32, page-cache read and write with a working
 * set larger than the last-level cache, and the metadata rate (device.h).
 * What cannot be measured (O_DIRECT on tmpfs) is NaN with the reason in
 * direct_reason / ceilings_why. About 5-8 s. 0, -EINTR (stopped by
 * limits_request_stop()) or -ENOMEM.
 */
int limits_measure(struct run *run);
/* Stops limits_measure() soon. Async-signal-safe. */
void limits_request_stop(void);
/* Marks every device ceiling of l unknown (NaN). */
void limits_no_ceilings(struct run_limits *l);

/* What a ceiling is. */
enum limit_kind {
	LIMIT_NONE,
	LIMIT_DEVICE_READ,	/* O_DIRECT read, best queue depth */
	LIMIT_DIRECT_STREAM,	/* O_DIRECT read, one stream (older runs) */
	LIMIT_PAGE_CACHE,	/* page-cache read + write, in series */
	LIMIT_MEMCPY,		/* memcpy of the working set (older runs) */
	LIMIT_METADATA,		/* files/s x the file size */
};

/*
 * The ceiling a cell of `size` bytes in `cache` mode is measured against,
 * the lowest that applies: cold -> the device's O_DIRECT read ceiling
 * (best queue depth); warm -> page-cache read and write in series
 * (1 / (1/read + 1/write)); and for every size the metadata rate times
 * the size when that is lower (small files). Runs without device
 * ceilings fall back to one-stream O_DIRECT read and memcpy.
 * MiB/s, NaN when unknown; *what (may be NULL) names it for people,
 * *kind (may be NULL) says which.
 */
double limits_ceiling(const struct run_limits *l, uint64_t size,
		      enum cache_mode cache, const char **what);
double limits_ceiling_kind(const struct run_limits *l, uint64_t size,
			   enum cache_mode cache, enum limit_kind *kind);

/*
 * Why cell c, at `mib_s` against a ceiling of kind `kind` and `lim`
 * MiB/s, is above it: the explanation the data supports (source pages
 * already cached, device bytes read per byte copied, an in-kernel or
 * offloaded copy, data that fits in the CPU caches, noise), into out.
 * NULL when it is not above (share <= 100%).
 */
const char *limits_explain_above(const struct run *run, const struct cell *c,
				 double mib_s, double lim,
				 enum limit_kind kind, char *out, size_t len);

/* JSON of the limits: null when not measured. New reference. */
json_t *limits_to_json(const struct run_limits *l);
/* Reads what limits_to_json() wrote (v may be NULL or null: not
 * measured). 0, or -EINVAL with the reason in why. */
int limits_from_json(json_t *v, struct run_limits *l, char *why,
		     size_t len);

/* Reads request.limits, request.references and limits back (all
 * optional: older files have none). 0, or -errno with "field: what" in
 * why. (The writer, json_write.c, places them.) */
int limits_json_read(json_t *root, struct run *run, char *why, size_t len);

#endif
