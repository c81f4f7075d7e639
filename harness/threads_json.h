/* SPDX-License-Identifier: MIT */
/*
 * The thread-sweep fields of results.json: placed by the JSON writer as
 * it builds the document, read back after the rest. All of them are
 * optional on reading, so results written before thread sweeps still
 * load. (environment.l3_per_package is the writer's own.)
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_THREADS_JSON_H
#define IOBENCH_THREADS_JSON_H

#include <jansson.h>

#include "results.h"

/*
 * The members the writer (json_write.c) places as it builds results.json:
 * request.{threads, parallel, pin, prealloc}; a cell's
 * parameters.{threads, parallel, pin, prealloc}; a threaded sample's
 * first_finish and per_thread [{seconds, bytes}] (nothing for the
 * sequential path). Each sets them in o: 0 or -ENOMEM.
 */
int threads_json_request(json_t *o, const struct run_request *q);
int threads_json_params(json_t *params, const struct cell *c);
int threads_json_sample(json_t *o, const struct sample *s, unsigned threads);
/*
 * Reads those fields of root into run, whose cells and samples the
 * reader already filled (same order). 0, or -EINVAL with
 * "file: cells[2].parameters.threads: what" in err.
 */
int threads_json_read(json_t *root, const char *file, struct run *run,
		      char *err, size_t len);

#endif
