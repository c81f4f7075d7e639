// SPDX-License-Identifier: MIT
/*
 * The synthetic run shared by the report tests and the schema check's
 * generator: every figure is chosen so the expected report is known; the
 * writer tests' fixture (a private directory with that run).
 */
#include <fcntl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "cell_kind.h"
#include "files.h"
#include "report.h"
#include "strategies.h"
#include "synthetic.h"
#include "tree_copy.h"

#define MIB (1024ull * 1024)

/* Relative spread of the samples around the median: the median is exact. */
static const double steady[] = { 1.00, 1.02, 0.98, 1.01, 0.99, 1.00,
				 1.03, 0.97 };
static const double noisy[] = { 1.00, 1.40, 0.70, 1.30, 0.80, 1.00,
				1.25, 0.75 };

struct cell_spec {
	const char *strategy;
	uint64_t size;
	enum cache_mode cache;
	enum sync_mode sync;
	enum cell_status status;
	const char *reason;
	double per_copy;	/* median seconds per copy */
	bool noisy;
	size_t n;		/* samples */
	bool dst_uncached;	/* O_DIRECT: destination not in the cache */
	bool residency_fails;	/* one sample's check failed */
	size_t buffer;		/* 0: 128K for strategies with TUNE_BUF */
};

static const struct cell_spec specs[] = {
	{ "rw", MIB, CACHE_WARM, SYNC_NONE, CELL_OK, NULL,
	  SYN_RW_1M_WARM, false, 8, false, false, 0 },
	{ "rw", MIB, CACHE_COLD, SYNC_NONE, CELL_OK, NULL,
	  0.0050, false, 8, false, false, 0 },
	{ "rw", MIB, CACHE_WARM, SYNC_END, CELL_OK, NULL,
	  0.0100, false, 8, false, false, 0 },
	{ "copy_file_range", MIB, CACHE_WARM, SYNC_NONE, CELL_OK, NULL,
	  SYN_CFR_1M_WARM, false, 8, false, false, 0 },
	{ "copy_file_range", MIB, CACHE_COLD, SYNC_NONE, CELL_OK, NULL,
	  0.0040, false, 8, false, true, 0 },
	{ "odirect", MIB, CACHE_WARM, SYNC_NONE, CELL_OK, NULL,
	  0.0040, false, 8, true, false, 0 },
	{ "odirect", MIB, CACHE_COLD, SYNC_NONE, CELL_OK, NULL,
	  0.0045, false, 5, true, false, 0 },
	{ "rw", MIB, CACHE_WARM, SYNC_NONE, CELL_OK, NULL,
	  0.00199, false, 8, false, false, MIB },
	{ "reflink", MIB, CACHE_WARM, SYNC_NONE, CELL_SKIPPED,
	  "FICLONE: not supported by ext4, \"skipped\"", 0, false, 0, false,
	  false, 0 },
	{ "rw", 100 * MIB, CACHE_WARM, SYNC_NONE, CELL_OK, NULL,
	  0.100, false, 8, false, false, 0 },
	{ "rw", 100 * MIB, CACHE_COLD, SYNC_NONE, CELL_OK, NULL,
	  0.300, false, 8, false, false, 0 },
	{ "copy_file_range", 100 * MIB, CACHE_WARM, SYNC_NONE, CELL_OK, NULL,
	  0.040, false, 8, false, false, 0 },
	{ "copy_file_range", 100 * MIB, CACHE_COLD, SYNC_NONE, CELL_FAILED,
	  "No space left on device", 0, false, 0, false, false, 0 },
	{ "odirect", 100 * MIB, CACHE_WARM, SYNC_NONE, CELL_OK, NULL,
	  0.080, false, 8, true, false, 0 },
	{ "odirect", 100 * MIB, CACHE_COLD, SYNC_NONE, CELL_OK, NULL,
	  0.090, true, 8, true, false, 0 },
};

static int fill_samples(struct cell *c, const struct cell_spec *s)
{
	const double *spread = s->noisy ? noisy : steady;
	uint64_t pages = (c->size + 4095) / 4096 * c->batch;

	c->samples = calloc(s->n ? s->n : 1, sizeof(*c->samples));
	if (!c->samples)
		return -ENOMEM;
	c->n_samples = s->n;
	for (size_t i = 0; i < s->n; i++) {
		struct sample *x = &c->samples[i];

		x->seconds = s->per_copy * spread[i] * c->batch;
		x->sync_seconds = s->sync == SYNC_END ? x->seconds / 2 : 0;
		x->cpu_user = x->seconds * 0.1;
		x->cpu_sys = x->seconds * 0.4;
		x->src_pages = pages;
		x->src_resident_before = s->cache == CACHE_WARM ? pages : 0;
		x->src_resident_after = s->cache == CACHE_WARM ? pages :
					pages / 2;
		x->dst.cached = s->dst_uncached ? 0 : pages;
		x->dst.dirty = s->dst_uncached || s->sync == SYNC_END ? 0 :
			       pages * 3 / 4;
		x->dst.writeback = s->dst_uncached ? 0 : pages / 8;
		x->residency_ok = !(s->residency_fails && i == 2);
		/* every cell of a size runs once per round */
		x->round = (unsigned)i;
		x->start = 0.05 * (double)i;
	}
	/* warm-up: a normal copy, except one slow first cell */
	c->warmup_seconds = s->per_copy * c->batch *
			    (s->residency_fails ? 3.0 : 1.1);
	return 0;
}

static int fill_cell(struct cell *c, const struct cell_spec *s)
{
	c->strategy = strdup(s->strategy);
	c->reason = s->reason ? strdup(s->reason) : NULL;
	if (!c->strategy || (s->reason && !c->reason))
		return -ENOMEM;
	c->size = s->size;
	/* the strategy's own options; buffers default to the sweep's 128K */
	if (cell_set_strategy(c, strategy_find(s->strategy)))
		return -ENOMEM;
	cell_set_tunable(c, "buffer", s->buffer ? s->buffer : 128 * 1024);
	c->cache = s->cache;
	c->sync = s->sync;
	c->content = CONTENT_RANDOM;
	/* the runner sizes batches per cell: cold ones differ from warm */
	c->batch = s->size > MIB ? 1 : s->cache == CACHE_WARM ?
		   SYN_BATCH_1M : SYN_BATCH_1M / 2;
	c->status = s->status;
	c->usage = (struct cell_usage){ .user = 0.25, .sys = 1.5,
		.minflt = 1200, .majflt = 3, .nvcsw = 40, .nivcsw = 7,
		.maxrss_kb = 2048 + (long)(s->size / MIB) };
	c->verified = s->status == CELL_OK;
	c->copies_verified = c->verified ? s->n * c->batch : 0;
	return fill_samples(c, s);
}

static char *dup_or_fail(const char *s, int *ret)
{
	char *d = strdup(s);

	if (!d)
		*ret = -ENOMEM;
	return d;
}

static int fill_header(struct run *run)
{
	struct environment *e = &run->env;
	struct run_request *q = &run->request;
	struct tunable_values *bufs, *qds;
	int ret = 0;

	run->schema = dup_or_fail(RESULTS_SCHEMA, &ret);
	run->id = dup_or_fail("20261129-181500-ab12", &ret);
	run->started = dup_or_fail("2026-11-29T18:15:00Z", &ret);
	run->duration = 73.25;
	run->command_line = dup_or_fail("iobench sweep --sizes 1M,100M "
					"--strategies rw,copy_file_range,"
					"odirect,reflink", &ret);
	run->version = dup_or_fail("0.1.0", &ret);
	run->commit = dup_or_fail("0123456789ab", &ret);
	e->hostname = dup_or_fail("bench-host", &ret);
	e->kernel = dup_or_fail("6.18.0 #1 SMP PREEMPT_DYNAMIC", &ret);
	e->cpu_model = dup_or_fail("Example CPU @ 3.00GHz", &ret);
	e->packages = 1, e->numa_nodes = 1, e->cores = 2, e->pus = 4;
	e->mem_total = 16ull << 30;
	e->fs_type = dup_or_fail("ext4", &ret);
	e->mount_options = dup_or_fail("rw,relatime|odd", &ret);
	e->device = dup_or_fail("/dev/vda", &ret);
	e->device_model = dup_or_fail("virtio_blk", &ret);
	e->rotational = 0;
	e->scheduler = dup_or_fail("mq-deadline", &ret);
	e->logical_block_size = 512, e->dio_mem_align = 512;
	e->dio_offset_align = 512;
	e->governor = dup_or_fail("powersave", &ret);
	e->cache_probe = dup_or_fail("cachestat", &ret);

	q->n_strategies = 4;
	q->strategies = calloc(4, sizeof(char *));
	q->n_sizes = 2;
	q->sizes = calloc(2, sizeof(uint64_t));
	bufs = &q->tune[tunable_index("buffer")];
	qds = &q->tune[tunable_index("qd")];
	bufs->n = 2;
	bufs->v = calloc(2, sizeof(uint64_t));
	qds->n = 1;
	qds->v = calloc(1, sizeof(uint64_t));
	if (!q->strategies || !q->sizes || !bufs->v || !qds->v)
		return -ENOMEM;
	q->strategies[0] = dup_or_fail("rw", &ret);
	q->strategies[1] = dup_or_fail("copy_file_range", &ret);
	q->strategies[2] = dup_or_fail("odirect", &ret);
	q->strategies[3] = dup_or_fail("reflink", &ret);
	q->sizes[0] = MIB, q->sizes[1] = 100 * MIB;
	bufs->v[0] = 128 * 1024, bufs->v[1] = MIB, qds->v[0] = 32;
	q->cache_warm = q->cache_cold = true;
	q->sync_none = q->sync_end = true;
	q->content = CONTENT_RANDOM;
	q->dir = dup_or_fail("/tmp/my dir", &ret);
	q->out = dup_or_fail("results", &ret);
	q->samples = 8, q->budget = 2.5, q->timeout = 60;
	q->seed = 18446744073709551557ull;	/* above INT64_MAX */
	return ret;
}

int synthetic_run(struct run *run)
{
	size_t n = sizeof(specs) / sizeof(specs[0]);
	int ret;

	memset(run, 0, sizeof(*run));
	ret = fill_header(run);
	run->cells = calloc(n, sizeof(*run->cells));
	if (ret || !run->cells)
		goto out_free;
	run->n_cells = n;
	for (size_t i = 0; i < n && !ret; i++)
		ret = fill_cell(&run->cells[i], &specs[i]);
	if (!ret)
		ret = results_estimate(run);
	if (!ret) {
		results_add_warning(run, "scratch space was nearly full");
		return 0;
	}
out_free:
	results_free(run);
	return ret ? ret : -ENOMEM;
}

int synthetic_find(const struct run *run, const char *strategy,
		   uint64_t size, enum cache_mode cache, enum sync_mode sync)
{
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (!strcmp(c->strategy, strategy) && c->size == size &&
		    c->cache == cache && c->sync == sync)
			return (int)i;
	}
	return -1;
}

/* Analyses run and hands the analysis to write. */
static int with_analysis(const struct run *run, const char *path,
			 int (*write)(const struct analysis *, const char *))
{
	struct analysis a;
	int ret = analysis_build(run, &a);

	if (ret)
		return ret;
	ret = write(&a, path);
	analysis_free(&a);
	return ret;
}

int synthetic_write_report(const struct run *run, const char *path)
{
	return with_analysis(run, path, report_write_markdown);
}

int synthetic_write_csv(const struct run *run, const char *path)
{
	return with_analysis(run, path, results_write_csv);
}

char *synthetic_report_md(const struct run *run, const char *path)
{
	int ret = synthetic_write_report(run, path);

	if (ret) {
		fprintf(stderr, "synthetic_report_md: %s: %s\n", path,
			strerror(-ret));
		abort();
	}
	return test_slurp(path, NULL);
}

/* ---- runs built cell by cell ---- */

int synthetic_base(struct run *run)
{
	int ret;

	memset(run, 0, sizeof(*run));
	ret = fill_header(run);
	if (ret)
		results_free(run);
	return ret;
}

double synthetic_normal(uint64_t *state)
{
	double u[2];

	/* two uniforms in (0, 1) from splitmix64, then Box-Muller */
	for (int i = 0; i < 2; i++) {
		uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		u[i] = ((double)(z >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

int synthetic_add(struct run *run, const struct synthetic_cell *sc)
{
	struct cell_kind k = cell_kind_find(sc->strategy);
	struct cell *grown, *c;
	size_t n = sc->rounds * (sc->runs ? sc->runs : 1);

	grown = realloc(run->cells, (run->n_cells + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	run->cells = grown;
	c = &grown[run->n_cells++];
	memset(c, 0, sizeof(*c));
	c->strategy = strdup(sc->strategy);
	if (k.type == CELL_KIND_NONE || !c->strategy ||
	    cell_set_options(c, cell_kind_options(&k)))
		return k.type != CELL_KIND_NONE ? -ENOMEM : -EINVAL;
	if (sc->buffer)
		cell_set_tunable(c, "buffer", sc->buffer);
	c->size = sc->size;
	c->cache = sc->cache;
	c->sync = sc->sync;
	c->content = CONTENT_RANDOM;
	c->batch = 1;
	c->status = CELL_OK;
	c->verified = true;
	c->copies_verified = n;
	c->usage.maxrss_kb = sc->rss_kb ? sc->rss_kb : 2048;
	c->warmup_seconds = sc->time(0, 0, sc->ctx);
	c->samples = calloc(n ? n : 1, sizeof(*c->samples));
	if (!c->samples)
		return -ENOMEM;
	c->n_samples = n;
	for (size_t i = 0; i < n; i++) {
		struct sample *x = &c->samples[i];
		uint64_t pages = (c->size + 4095) / 4096;

		x->run = (unsigned)(i / sc->rounds);
		x->round = (unsigned)(i % sc->rounds);
		x->start = 0.01 * (double)i;
		x->seconds = sc->time(x->run, x->round, sc->ctx);
		x->cpu_user = x->seconds * 0.1;
		x->cpu_sys = x->seconds * (sc->cpu_share ? sc->cpu_share :
							   0.4);
		x->src_pages = pages;
		x->src_resident_before = x->src_resident_after =
			c->cache == CACHE_WARM ? (int64_t)pages : 0;
		x->dst.cached = sc->uncached ? 0 : (int64_t)pages;
		x->dst.dirty = sc->uncached ? 0 : (int64_t)pages / 2;
		x->residency_ok = true;
	}
	return 0;
}

/* ---- the writer tests' fixture ---- */

int synthetic_setup(void **state)
{
	struct synthetic_fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/iobench-report-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(fx->dir) || synthetic_run(&fx->run)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

int synthetic_teardown(void **state)
{
	struct synthetic_fixture *fx = *state;

	/* everything the writers made, plots/ included */
	tree_copy_remove(AT_FDCWD, fx->dir);
	results_free(&fx->run);
	free(fx);
	return 0;
}

void synthetic_path(const struct synthetic_fixture *fx, const char *name,
		    char *out, size_t len)
{
	snprintf(out, len, "%s/%s", fx->dir, name);
}
