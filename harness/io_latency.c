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

struct io_latency_sample *io_latency_sample_new(unsigned n)
{
	size_t per = histogram_n_buckets(IO_LATENCY_BITS);
	size_t head = sizeof(struct io_latency_sample) +
		      n * sizeof(struct io_latency_recorder);
	size_t len = head + (size_t)n * per * sizeof(uint64_t);
	struct io_latency_sample *s;
	uint64_t *counts;

	if (!n || n > THREADS_MAX)
		return NULL;
	s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (s == MAP_FAILED)
		return NULL;
	/* the counters follow the recorders: one mapping, one address in
	 * both processes */
	counts = (uint64_t *)((char *)s + head);
	for (unsigned i = 0; i < n; i++) {
		struct io_latency_recorder *r = &s->rec[i];

		if (histogram_init_on(&r->h, IO_LATENCY_BITS, counts + i * per,
				      per)) {
			munmap(s, len);
			return NULL;
		}
		r->obs = (struct copy_io_observer){ .complete = record_one,
						    .ctx = &r->h };
	}
	s->n = n;
	s->map_len = len;
	return s;
}

void io_latency_sample_free(struct io_latency_sample *s)
{
	if (s)
		munmap(s, s->map_len);
}

const struct copy_io_observer *io_latency_observer(
	struct io_latency_sample *s, unsigned i)
{
	return s && i < s->n ? &s->rec[i].obs : NULL;
}

int io_latency_add_sample(struct run_io *io, size_t i,
			  const struct io_latency_sample *s)
{
	struct histogram *h;
	int ret = 0;

	if (!io || i >= io->n_cells || !s)
		return 0;
	h = &io->cells[i].io_lat;
	for (unsigned k = 0; k < s->n && !ret; k++) {
		if (!s->rec[k].h.total)
			continue;
		if (!h->counts && histogram_init(h, IO_LATENCY_BITS))
			return -ENOMEM;
		ret = histogram_merge(h, &s->rec[k].h);
	}
	return ret;
}

bool io_latency_any(const struct run_io *io)
{
	for (size_t i = 0; io && i < io->n_cells; i++)
		if (io->cells[i].io_lat.total)
			return true;
	return false;
}

/* ---- results.json ---- */

int io_latency_json_cell(json_t *cell, const struct run_io *io, size_t i)
{
	json_t *v;

	if (!io || i >= io->n_cells || !io->cells[i].io_lat.total)
		return 0;
	v = histogram_summary_json(&io->cells[i].io_lat);
	if (!v ||
	    json_object_set_new(v, "unit", json_string(IO_LATENCY_UNIT)) ||
	    json_object_set_new(cell, IO_LATENCY_KEY, v))
		return -ENOMEM;
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
