/* SPDX-License-Identifier: MIT */
/*
 * results.json's members of sweep --dir A,B (targets_json.c):
 * request.dirs, "targets" and each cell's "target"; written only with
 * several targets, read back when present.
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_TARGETS_JSON_H
#define IOBENCH_TARGETS_JSON_H

#include <jansson.h>

#include "results.h"

/* The writer's sections, each 0 or -ENOMEM and nothing with one
 * target: "dirs" into the request object o; cell i's "target" into its
 * object o; "targets" into the document's root. */
int targets_json_request(json_t *o, const struct run_request *rq);
int targets_json_cell(json_t *o, const struct run *run, size_t i);
int targets_json_run(json_t *root, const struct run *run);
/* Reads them back into run (its cells read already). 0, -ENOMEM, or
 * -EINVAL with "FILE: what" in err. */
int targets_json_read(json_t *root, const char *file, struct run *run,
		      char *err, size_t len);

#endif
