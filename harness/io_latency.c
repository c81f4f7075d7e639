// SPDX-License-Identifier: MIT
/*
 * Per-I/O completion latency (io_latency.h): the histogram a sample
 * process shares with the runner, per-cell bookkeeping and results.json.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cell_io.h"
#include "io_latency.h"
#include "strategies.h"

/* The observer's callback: one completed request, in the sample process
 * (inside the timed copy: a few nanoseconds). */
static void record_one(void *ctx, uint64_t latency_ns)
{
	histogram_record(ctx, latency_ns);
}

struct io_latency_sample *io_latency_sample_new(void)
{
	size_t n = histogram_n_buckets(IO_LATENCY_BITS);
	size_t len = sizeof(struct io_latency_sample) + n * sizeof(uint64_t);
	struct io_latency_sample *s;

	s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (s == MAP_FAILED)
		return NULL;
	/* the counters follow the struct: one mapping, one address in both
	 * processes */
	if (histogram_init_on(&s->h, IO_LATENCY_BITS, (uint64_t *)(s + 1),
			      n)) {
		munmap(s, len);
		return NULL;
	}
	s->obs = (struct copy_io_observer){ .complete = record_one,
					    .ctx = &s->h };
	s->map_len = len;
	return s;
}

void io_latency_sample_free(struct io_latency_sample *s)
{
	if (s)
		munmap(s, s->map_len);
}

int io_latency_add_sample(struct run_io *io, size_t i,
			  const struct io_latency_sample *s)
{
	struct histogram *h;

	if (!io || i >= io->n_cells || !s || !s->h.total)
		return 0;
	h = &io->cells[i].io_lat;
	if (!h->counts && histogram_init(h, IO_LATENCY_BITS))
		return -ENOMEM;
	return histogram_merge(h, &s->h);
}

bool io_latency_any(const struct run_io *io)
{
	for (size_t i = 0; io && i < io->n_cells; i++)
		if (io->cells[i].io_lat.total)
			return true;
	return false;
}

/* ---- results.json ---- */

int io_latency_json_annotate(json_t *cells, const struct run_io *io)
{
	for (size_t i = 0; io && i < io->n_cells; i++) {
		json_t *o = json_array_get(cells, i), *v;

		if (!o || !io->cells[i].io_lat.total)
			continue;
		v = histogram_summary_json(&io->cells[i].io_lat);
		if (!v || json_object_set_new(v, "unit",
					      json_string(IO_LATENCY_UNIT)) ||
		    json_object_set_new(o, IO_LATENCY_KEY, v))
			return -ENOMEM;
	}
	return 0;
}

int io_latency_json_read(json_t *cells, struct run_io *io, char *err,
			 size_t len)
{
	for (size_t i = 0; io && i < io->n_cells; i++) {
		json_t *v = json_object_get(json_array_get(cells, i),
					    IO_LATENCY_KEY);
		const char *unit;
		char why[256];
		int ret;

		if (!v || json_is_null(v))
			continue;
		unit = json_string_value(json_object_get(v, "unit"));
		if (!json_is_object(v) || (unit && strcmp(unit,
							  IO_LATENCY_UNIT)))
			return strategy_why(err, len, -EINVAL,
					    "cells[%zu]." IO_LATENCY_KEY
					    ": expected an object in %s", i,
					    IO_LATENCY_UNIT);
		ret = histogram_from_json(json_object_get(v, "histogram"),
					  &io->cells[i].io_lat, why,
					  sizeof(why));
		if (ret)
			return strategy_why(err, len, ret,
					    "cells[%zu]." IO_LATENCY_KEY ": %s",
					    i, why);
	}
	return 0;
}
