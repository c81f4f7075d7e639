/* SPDX-License-Identifier: MIT */
/*
 * The fields of results.json an MPI run adds (sweep --mpi): section
 * writers the JSON writer (json_write.c) calls as it builds each part,
 * read back after the rest. Absent from a single-host run's file;
 * optional on reading.
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_CLIENTS_JSON_H
#define IOBENCH_CLIENTS_JSON_H

#include <jansson.h>

#include "results.h"

/*
 * Each adds its members to the object being built, for an MPI run only
 * (nothing otherwise); 0 or -ENOMEM. request.mpi {world, layout, ranks,
 * stonewall}; environment.hosts [{hostname, kernel, cpu_model, fs_type,
 * device, mount_options, ranks, clock_error}]; a cell's parameters.ranks
 * (ranks: the cell's ranks, 0 for none); a sample's first_finish,
 * per_rank [{start, seconds, bytes, files}] and copies (stonewalled
 * samples).
 */
int clients_json_request(json_t *request, const struct run_request *q);
int clients_json_env(json_t *env, const struct run *run);
int clients_json_params(json_t *params, unsigned ranks);
int clients_json_sample(json_t *sample, const struct sample *s,
			unsigned ranks);
/* Reads them into run (cells and samples already read, same order). 0,
 * or -EINVAL with "file: where: what" in err. */
int clients_json_read(json_t *root, const char *file, struct run *run,
		      char *err, size_t len);

#endif
