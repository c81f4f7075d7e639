/* SPDX-License-Identifier: MIT */
/*
 * The machine's own limits, measured in the same run: memcpy bandwidth
 * (page-cache-to-page-cache ceiling) and sequential O_DIRECT bandwidth of
 * the scratch directory's device (cold-copy ceiling).
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

/*
 * Fills run->limits for run->request: memcpy bandwidth for every swept
 * size (working set, capped) x buffer (chunk), then O_DIRECT write and
 * read bandwidth in request.dir. What cannot be measured (O_DIRECT on
 * tmpfs) is NaN with the reason in direct_reason. About 1-3 s.
 * 0 or -ENOMEM.
 */
int limits_measure(struct run *run);

/*
 * The ceiling a cell of `size` bytes in `cache` mode is measured against:
 * warm -> the best memcpy bandwidth at that size's working set; cold ->
 * O_DIRECT read. MiB/s, NaN when unknown. *what names it for people
 * ("memcpy", "O_DIRECT read").
 */
double limits_ceiling(const struct run_limits *l, uint64_t size,
		      enum cache_mode cache, const char **what);

/* JSON of the limits: null when not measured. New reference. */
json_t *limits_to_json(const struct run_limits *l);
/* Reads what limits_to_json() wrote (v may be NULL or null: not
 * measured). 0, or -EINVAL with the reason in why. */
int limits_from_json(json_t *v, struct run_limits *l, char *why,
		     size_t len);

/* Adds request.limits, request.references and limits to a results.json
 * document being written. 0 or -ENOMEM. */
int limits_json_attach(json_t *root, const struct run *run);
/* Reads them back (all optional: older files have none). 0, or -errno
 * with "field: what" in why. */
int limits_json_read(json_t *root, struct run *run, char *why, size_t len);

#endif
