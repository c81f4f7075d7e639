/* SPDX-License-Identifier: MIT */
/*
 * The thread-sweep fields of results.json: written into the document the
 * JSON writer built, read back after the rest. All of them are optional
 * on reading, so results written before thread sweeps still load.
 */
#ifndef IOBENCH_THREADS_JSON_H
#define IOBENCH_THREADS_JSON_H

#include <jansson.h>

#include "results.h"

/*
 * Adds to root (as results_write_json builds it): request.threads,
 * request.parallel, request.pin, request.prealloc,
 * environment.l3_per_package, cells[i].parameters.{threads, parallel,
 * pin, prealloc} and, for threaded samples, samples[j].first_finish and
 * samples[j].per_thread [{seconds, bytes}]. 0 or -ENOMEM.
 */
int threads_json_annotate(json_t *root, const struct run *run);
/*
 * Reads those fields of root into run, whose cells and samples the
 * reader already filled (same order). 0, or -EINVAL with
 * "file: cells[2].parameters.threads: what" in err.
 */
int threads_json_read(json_t *root, const char *file, struct run *run,
		      char *err, size_t len);

#endif
