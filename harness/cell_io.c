// SPDX-License-Identifier: MIT
/*
 * Per-cell latency histograms and /proc/diskstats deltas of a sweep
 * (cell_io.h): bookkeeping and results.json (the report section is in
 * cell_io_report.c).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_io.h"
#include "clock.h"
#include "json_num.h"
#include "strategies.h"

/* Clock reads per timing round, and rounds (the best one counts). */
#define TIMESTAMP_READS 20000
#define TIMESTAMP_ROUNDS 5

double cell_io_timestamp_ns(void)
{
	double best = INFINITY;

	for (int r = 0; r < TIMESTAMP_ROUNDS; r++) {
		volatile double sink = 0;
		double t0 = clock_now(), t;

		for (int i = 0; i < TIMESTAMP_READS; i++)
			sink += clock_now();
		t = (clock_now() - t0) / TIMESTAMP_READS;
		(void)sink;
		if (t < best)
			best = t;
	}
	return best * 1e9;
}

int run_io_init(struct run *run)
{
	const char *dir = run->request.dir ? run->request.dir : ".";
	struct run_io *io = calloc(1, sizeof(*io));
	char why[512] = "";

	if (!io)
		return -ENOMEM;
	io->cells = calloc(run->n_cells ? run->n_cells : 1,
			   sizeof(*io->cells));
	if (!io->cells)
		goto out_nomem;
	io->n_cells = run->n_cells;
	for (size_t i = 0; i < run->n_cells; i++)
		if (histogram_init(&io->cells[i].lat, CELL_IO_BITS))
			goto out_nomem;
	if (diskstats_resolve_dir(dir, &io->chain, why, sizeof(why))) {
		io->chain.n = 0;
		io->chain_why = strdup(why[0] ? why : "no block device");
		if (!io->chain_why)
			goto out_nomem;
	}
	io->timestamp_ns = cell_io_timestamp_ns();
	run_io_free(run->io);
	run->io = io;
	run->free_io = run_io_free;
	return 0;
out_nomem:
	run_io_free(io);
	return -ENOMEM;
}

void run_io_free(struct run_io *io)
{
	if (!io)
		return;
	for (size_t i = 0; io->cells && i < io->n_cells; i++) {
		histogram_free(&io->cells[i].lat);
		histogram_free(&io->cells[i].io_lat);
	}
	free(io->cells);
	free(io->chain_why);
	free(io);
}

void cell_io_add_sample(struct run_io *io, size_t i, const double *lat,
			unsigned k, const struct diskstats_snapshot *delta,
			uint64_t bytes)
{
	struct cell_io *c;

	if (!io || i >= io->n_cells)
		return;
	c = &io->cells[i];
	for (unsigned f = 0; lat && f < k; f++)
		if (lat[f] >= 0)
			histogram_record(&c->lat, (uint64_t)llround(lat[f] *
								    1e9));
	if (delta) {
		diskstats_add(&c->disk, delta);
		c->disk_samples++;
		c->disk_bytes += bytes;
	}
}

const struct diskstats_counters *cell_io_device(const struct run_io *io,
						const struct cell_io *c,
						size_t *idx)
{
	if (!io || !c->disk_samples)
		return NULL;
	for (size_t i = c->disk.n; i-- > 0;)
		if (c->disk.dev[i].present) {
			if (idx)
				*idx = i;
			return &c->disk.dev[i];
		}
	return NULL;
}

double cell_io_read_per_byte(const struct run_io *io, const struct cell_io *c)
{
	const struct diskstats_counters *d = cell_io_device(io, c, NULL);

	if (!d || !c->disk_bytes)
		return NAN;
	return (double)diskstats_read_bytes(d) / c->disk_bytes;
}

double cell_io_write_per_byte(const struct run_io *io,
			      const struct cell_io *c)
{
	const struct diskstats_counters *d = cell_io_device(io, c, NULL);

	if (!d || !c->disk_bytes)
		return NAN;
	return (double)diskstats_write_bytes(d) / c->disk_bytes;
}

/* ---- results.json ---- */

static json_t *chain_json(const struct diskstats_chain *c)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->n; i++)
		if (json_array_append_new(a, json_pack(
			"{s:s, s:I, s:I, s:s, s:I}", "name", c->dev[i].name,
			"major", (json_int_t)c->dev[i].major,
			"minor", (json_int_t)c->dev[i].minor,
			"role", diskstats_role_name(c->dev[i].role),
			"depth", (json_int_t)c->dev[i].depth))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *cell_disk_json(const struct run_io *io, const struct cell_io *c)
{
	if (!c->disk_samples)
		return json_null();
	return json_pack("{s:I, s:I, s:o, s:o, s:o}",
			 "samples", (json_int_t)c->disk_samples,
			 "copied_bytes", (json_int_t)c->disk_bytes,
			 "read_per_byte", json_num(cell_io_read_per_byte(io, c)),
			 "write_per_byte", json_num(cell_io_write_per_byte(io, c)),
			 "devices", diskstats_delta_to_json(&io->chain,
							    &c->disk));
}

int cell_io_json_run(json_t *root, const struct run_io *io)
{
	if (!io)
		return 0;
	if (json_object_set_new(root, "io", json_pack(
		"{s:o, s:o, s:o}", "chain", chain_json(&io->chain),
		"chain_why", results_json_text(io->chain_why),
		"timestamp_ns", json_num(io->timestamp_ns))))
		return -ENOMEM;
	return 0;
}

int cell_io_json_cell(json_t *cell, const struct run_io *io, size_t i)
{
	const struct cell_io *c;

	if (!io || i >= io->n_cells)
		return 0;
	c = &io->cells[i];
	if (c->lat.total &&
	    json_object_set_new(cell, "latency_ns",
				histogram_summary_json(&c->lat)))
		return -ENOMEM;
	if (c->disk_samples &&
	    json_object_set_new(cell, "diskstats", cell_disk_json(io, c)))
		return -ENOMEM;
	return 0;
}

/* A cell's "diskstats" back into c, devices in chain order. */
static int read_cell_disk(json_t *v, struct cell_io *c)
{
	json_t *devs = json_object_get(v, "devices"), *d;
	size_t i;

	if (!json_is_object(v) || !json_is_array(devs))
		return -EINVAL;
	c->disk_samples = json_integer_value(json_object_get(v, "samples"));
	c->disk_bytes = json_integer_value(json_object_get(v,
							   "copied_bytes"));
	json_array_foreach(devs, i, d) {
		struct diskstats_counters *k;

		if (i >= DISKSTATS_MAX_DEVICES)
			break;
		k = &c->disk.dev[i];
		k->present = json_is_true(json_object_get(d, "present"));
		k->read_sectors = json_integer_value(json_object_get(
			d, "read_bytes")) / DISKSTATS_SECTOR;
		k->reads = json_integer_value(json_object_get(d, "reads"));
		k->read_merges = json_integer_value(json_object_get(
			d, "read_merges"));
		k->write_sectors = json_integer_value(json_object_get(
			d, "write_bytes")) / DISKSTATS_SECTOR;
		k->writes = json_integer_value(json_object_get(d, "writes"));
		k->write_merges = json_integer_value(json_object_get(
			d, "write_merges"));
		k->discard_sectors = json_integer_value(json_object_get(
			d, "discard_bytes")) / DISKSTATS_SECTOR;
		k->flushes = json_integer_value(json_object_get(d,
								"flushes"));
		k->busy_ms = json_integer_value(json_object_get(d,
								"busy_ms"));
		c->disk.n = i + 1;
	}
	return 0;
}

static int read_chain(json_t *a, struct diskstats_chain *c)
{
	json_t *d;
	size_t i;

	json_array_foreach(a, i, d) {
		const char *name = json_string_value(json_object_get(d,
								     "name"));

		if (i >= DISKSTATS_MAX_DEVICES)
			break;
		if (!name)
			return -EINVAL;
		snprintf(c->dev[i].name, sizeof(c->dev[i].name), "%s", name);
		c->dev[i].major = json_integer_value(json_object_get(d,
								     "major"));
		c->dev[i].minor = json_integer_value(json_object_get(d,
								     "minor"));
		c->dev[i].depth = json_integer_value(json_object_get(d,
								     "depth"));
		c->n = i + 1;
	}
	return 0;
}

int cell_io_json_read(json_t *root, struct run *run, char *err, size_t len)
{
	json_t *v = json_object_get(root, "io");
	json_t *cells = json_object_get(root, "cells");
	struct run_io *io;
	json_t *why;

	if (!v)
		return 0;
	if (!json_is_object(v))
		return strategy_why(err, len, -EINVAL,
				    "io: expected an object");
	io = calloc(1, sizeof(*io));
	if (!io || !(io->cells = calloc(run->n_cells ? run->n_cells : 1,
					sizeof(*io->cells)))) {
		free(io);
		return strategy_why(err, len, -ENOMEM, "io: out of memory");
	}
	io->n_cells = run->n_cells;
	run_io_free(run->io);
	run->io = io;
	run->free_io = run_io_free;
	io->timestamp_ns = json_is_number(json_object_get(v, "timestamp_ns")) ?
			   json_number_value(json_object_get(v,
							     "timestamp_ns")) :
			   NAN;
	why = json_object_get(v, "chain_why");
	if (json_is_string(why) &&
	    !(io->chain_why = strdup(json_string_value(why))))
		return strategy_why(err, len, -ENOMEM, "io: out of memory");
	if (read_chain(json_object_get(v, "chain"), &io->chain))
		return strategy_why(err, len, -EINVAL,
				    "io.chain: expected devices with names");
	for (size_t i = 0; i < run->n_cells; i++) {
		json_t *o = json_array_get(cells, i);
		json_t *lat = json_object_get(o, "latency_ns");
		json_t *disk = json_object_get(o, "diskstats");
		char why_h[256];
		int ret;

		if (lat) {
			ret = histogram_from_json(json_object_get(lat,
								  "histogram"),
						  &io->cells[i].lat, why_h,
						  sizeof(why_h));
			if (ret)
				return strategy_why(err, len, ret,
						    "cells[%zu].latency_ns: %s",
						    i, why_h);
		} else if (histogram_init(&io->cells[i].lat, CELL_IO_BITS)) {
			return strategy_why(err, len, -ENOMEM,
					    "io: out of memory");
		}
		if (disk && !json_is_null(disk) &&
		    read_cell_disk(disk, &io->cells[i]))
			return strategy_why(err, len, -EINVAL,
					    "cells[%zu].diskstats: expected an "
					    "object with devices", i);
	}
	return 0;
}
