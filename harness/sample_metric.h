/* SPDX-License-Identifier: MIT */
/*
 * The figures a sample carries besides its time, each as one number per
 * sample: CPU per GiB, peak RSS growth, heap peak, allocations per copy,
 * page-cache footprint. compare judges each; the Memory table shows
 * their medians; results.json writes a cell's medians.
 *
 * Layer: model; includes only lib/, copy_strategies/, datasets/ and the model.
 */
#ifndef IOBENCH_SAMPLE_METRIC_H
#define IOBENCH_SAMPLE_METRIC_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"

enum sample_metric {
	METRIC_TIME,	/* seconds per copy */
	METRIC_CPU,	/* timed-region CPU (user + sys) per GiB copied */
	METRIC_RSS,	/* peak RSS growth over the RSS before the copy, bytes */
	METRIC_HEAP,	/* peak net heap growth during the copy, bytes */
	METRIC_ALLOCS,	/* heap allocations per copy */
	METRIC_CACHE,	/* destination pages cached right after the copy,
			 * % of the file */
	METRIC_COUNT,
};

/* "time", "cpu", "rss", "heap", "allocs", "cache". */
const char *sample_metric_name(enum sample_metric m);
/* For people: "CPU s/GiB", "peak RSS growth", ... */
const char *sample_metric_title(enum sample_metric m);

/* One sample's figure; NaN when the sample does not know it (memory not
 * counted, cachestat unavailable, 0-byte files for CPU per GiB). */
double sample_metric_value(const struct cell *c, const struct sample *s,
			   enum sample_metric m);

/*
 * The cell's known figures for m into a malloc'd array (you free it), in
 * sample order; *n how many. NULL with *n = 0 when none is known (or
 * memory runs out: *n is then SIZE_MAX).
 */
double *sample_metric_values(const struct cell *c, enum sample_metric m,
			     size_t *n);

/* The median of the cell's known figures for m; NaN when none. */
double sample_metric_median(const struct cell *c, enum sample_metric m);

#endif
