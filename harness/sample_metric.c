// SPDX-License-Identifier: MIT
/* Per-sample figures besides time (see sample_metric.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sample_metric.h"

static const struct {
	const char *name, *title;
} metrics[METRIC_COUNT] = {
	[METRIC_TIME] = { "time", "time per copy" },
	[METRIC_CPU] = { "cpu", "CPU s/GiB" },
	[METRIC_RSS] = { "rss", "peak RSS growth" },
	[METRIC_HEAP] = { "heap", "peak heap" },
	[METRIC_ALLOCS] = { "allocs", "allocations per copy" },
	[METRIC_CACHE] = { "cache", "page-cache footprint" },
};

const char *sample_metric_name(enum sample_metric m)
{
	return m < METRIC_COUNT ? metrics[m].name : "?";
}

const char *sample_metric_title(enum sample_metric m)
{
	return m < METRIC_COUNT ? metrics[m].title : "?";
}

double sample_metric_value(const struct cell *c, const struct sample *s,
			   enum sample_metric m)
{
	double files = results_files_per_sample(c);
	double gib = (double)c->size * files / (1024.0 * 1024 * 1024);

	switch (m) {
	case METRIC_TIME:
		return s->seconds / files;
	case METRIC_CPU:
		return gib > 0 ? (s->cpu_user + s->cpu_sys) / gib : NAN;
	case METRIC_RSS:
		if (!s->mem.rss_known)
			return NAN;
		/* the kernel's lazy counters can put the peak a page or
		 * two below the RSS read before */
		return s->mem.rss_peak > s->mem.rss_before ?
		       (double)(s->mem.rss_peak - s->mem.rss_before) : 0;
	case METRIC_HEAP:
		return s->mem.heap_known ? (double)s->mem.heap_peak : NAN;
	case METRIC_ALLOCS:
		return s->mem.heap_known ? (double)s->mem.allocs / files : NAN;
	case METRIC_CACHE:
		/* destinations span as many pages as their sources */
		if (s->dst.cached < 0 || !s->src_pages)
			return NAN;
		return 100.0 * (double)s->dst.cached / (double)s->src_pages;
	case METRIC_COUNT:
		break;
	}
	return NAN;
}

double *sample_metric_values(const struct cell *c, enum sample_metric m,
			     size_t *n)
{
	double *x = malloc((c->n_samples ? c->n_samples : 1) * sizeof(*x));

	*n = 0;
	if (!x) {
		*n = SIZE_MAX;
		return NULL;
	}
	for (size_t i = 0; i < c->n_samples; i++) {
		double v = sample_metric_value(c, &c->samples[i], m);

		if (isfinite(v))
			x[(*n)++] = v;
	}
	if (!*n) {
		free(x);
		return NULL;
	}
	return x;
}

double sample_metric_median(const struct cell *c, enum sample_metric m)
{
	size_t n;
	double *x = sample_metric_values(c, m, &n), med;

	if (!x)
		return NAN;
	gsl_sort(x, 1, n);
	med = gsl_stats_median_from_sorted_data(x, 1, n);
	free(x);
	return med;
}
