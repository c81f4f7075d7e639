/* SPDX-License-Identifier: MIT */
/*
 * A --dataset run (workload.h) in report.md and in results.json
 * (workload_report.c).
 *
 * Layer: output; includes the run layer and below, never the pipeline.
 */
#ifndef IOBENCH_WORKLOAD_REPORT_H
#define IOBENCH_WORKLOAD_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "workload.h"

struct analysis;

/* report.md's "Dataset" section: what was generated, the size
 * distribution (table and plot), and the best figures per class. */
int workload_report_section(FILE *f, const struct analysis *a,
			    const char *report_path);
/* results.json's request.dataset, which the writer places (new
 * reference; NULL when memory runs out), and its reader. */
json_t *workload_json(const struct workload *w);
int workload_json_read(json_t *root, const char *file, struct run *run,
		       char *err, size_t len);

#endif
