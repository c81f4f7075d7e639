// SPDX-License-Identifier: MIT
/* Runs built in memory for the compare tests: known per-copy times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static void *must(void *p)
{
	if (!p) {
		fprintf(stderr, "fixture: out of memory\n");
		abort();
	}
	return p;
}

static char *dup(const char *s)
{
	return must(strdup(s));
}

void fixture_run(struct run *r, const char *id)
{
	memset(r, 0, sizeof(*r));
	r->schema = dup(RESULTS_SCHEMA);
	r->id = dup(id);
	r->started = dup("2026-01-02T03:04:05Z");
	r->duration = 1;
	r->command_line = dup("iobench sweep --sizes 1M");
	r->version = dup("0.1.0");
	r->commit = dup("0123456789ab");
	r->env.hostname = dup("testhost");
	r->env.kernel = dup("6.18.0");
	r->env.cpu_model = dup("Test CPU");
	r->env.fs_type = dup("ext4");
	r->env.mount_options = dup("rw,relatime");
	r->env.device = dup("/dev/vda");
	r->env.device_model = dup("virtio");
	r->env.rotational = 0;
	r->env.scheduler = dup("none");
	r->env.governor = dup("unknown");
	r->env.cache_probe = dup("cachestat");
	r->env.cores = r->env.pus = 2;
	r->request.samples = 10;
	r->request.cache_warm = r->request.sync_none = true;
}

struct cell *fixture_add_cell(struct run *r, const char *strategy,
			      uint64_t size, size_t buffer, const double *t,
			      size_t n, double scale)
{
	struct cell *c;

	r->cells = must(realloc(r->cells, (r->n_cells + 1) * sizeof(*c)));
	c = &r->cells[r->n_cells++];
	memset(c, 0, sizeof(*c));
	c->strategy = dup(strategy);
	c->size = size;
	/* buffer 0: a strategy without tunables (sendfile) */
	if (buffer) {
		c->tun.mask = 1u << tunable_index("buffer");
		c->tun.v[tunable_index("buffer")] = buffer;
	}
	c->cache = CACHE_WARM;
	c->sync = SYNC_NONE;
	c->content = CONTENT_RANDOM;
	c->batch = 2;
	c->status = CELL_OK;
	c->verified = true;
	c->samples = must(calloc(n ? n : 1, sizeof(*c->samples)));
	c->n_samples = n;
	for (size_t i = 0; i < n; i++) {
		c->samples[i].seconds = 2 * t[i] * scale;
		c->samples[i].residency_ok = true;
	}
	c->copies_verified = 2 * n;
	return c;
}

const double fixture_tight[10] = { 1.000e-3, 1.007e-3, 1.003e-3, 1.009e-3,
				   1.001e-3, 1.005e-3, 1.008e-3, 1.002e-3,
				   1.006e-3, 1.004e-3 };
const char *const fixture_six[6] = { "rw", "stdio", "mmap", "sendfile",
				     "copy_file_range", "splice" };
