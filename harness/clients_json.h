/* SPDX-License-Identifier: MIT */
/*
 * The fields of results.json an MPI run adds (sweep --mpi): written into
 * the document the JSON writer built, read back after the rest. Absent
 * from a single-host run's file; optional on reading.
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_CLIENTS_JSON_H
#define IOBENCH_CLIENTS_JSON_H

#include <jansson.h>

#include "results.h"

/*
 * For an MPI run only: request.mpi {world, layout, ranks, stonewall},
 * environment.hosts [{hostname, kernel, cpu_model, fs_type, device,
 * mount_options, ranks, clock_error}], cells[i].parameters.ranks,
 * and per sample first_finish, per_rank [{start, seconds, bytes, files}]
 * and copies (stonewalled samples). 0 or -ENOMEM.
 */
int clients_json_annotate(json_t *root, const struct run *run);
/* Reads them into run (cells and samples already read, same order). 0,
 * or -EINVAL with "file: where: what" in err. */
int clients_json_read(json_t *root, const char *file, struct run *run,
		      char *err, size_t len);

#endif
