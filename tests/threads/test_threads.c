// SPDX-License-Identifier: MIT
/*
 * Thread sweeps: range splitting, request parsing, planning, N-thread
 * copies by ranges and by files (byte-identical, bytes accounted), and
 * pinning (each worker's affinity matches the plan) on this machine's
 * topology and on synthetic 2-package, 2-NUMA-node XML topologies.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <hwloc/glibc-sched.h>

#include "cell_kind.h"
#include "files.h"
#include "dataset.h"
#include "report.h"
#include "strategies.h"
#include "synthetic.h"
#include "threads.h"
#include "topology.h"

#define MIB (1024ull * 1024)
#define SEED 7

static char dir[256];
static char srcdir[] = "SOURCE_ROOT";

/* ---- fixtures ---- */

static int make_dir(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	/* a disk-backed filesystem when /var/tmp has one: O_DIRECT
	 * strategies need it (tmpfs refuses O_DIRECT) */
	if (!base)
		base = access("/var/tmp", W_OK) ? "/tmp" : "/var/tmp";
	snprintf(dir, sizeof(dir), "%s/iobench-threads-XXXXXX", base);
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_in(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* Creates path with size bytes of dataset file `index`; its hash. */
static uint64_t make_source(const char *path, uint64_t size, uint64_t index)
{
	uint64_t h = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(dataset_fill(fd, size, CONTENT_RANDOM, SEED, index),
			 0);
	assert_int_equal(dataset_hash_fd(fd, size, &h), 0);
	close(fd);
	return h;
}

/* Size and content hash of path. */
static void hash_file(const char *path, uint64_t *size, uint64_t *hash)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	*size = (uint64_t)st.st_size;
	assert_int_equal(dataset_hash_fd(fd, *size, hash), 0);
	close(fd);
}

static unsigned n_or_1(unsigned n)
{
	return n ? n : 1;
}

/* ---- splitting ---- */

static void test_split_ranges(void **state)
{
	static const struct {
		uint64_t size;
		unsigned n, used;
	} cases[] = {
		{ 0, 3, 0 }, { 13, 4, 1 }, { MIB + 13, 3, 3 },
		{ MIB + 13, 4, 4 }, { 8 * MIB + 4097, 3, 3 },
		{ 8 * MIB + 4097, 4, 4 }, { 4 * MIB, 4, 4 },
		{ 3 * MIB + 1, 256, 256 }, { 8 * MIB + 4097, 4, 4 },
	};
	struct copy_range r[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t next = 0;
		unsigned used = threads_split_ranges(cases[i].size, cases[i].n,
						     r);

		assert_int_equal(used, cases[i].used);
		for (unsigned t = 0; t < cases[i].n; t++) {
			/* contiguous, in order, covering the file */
			assert_int_equal(r[t].src_off, next);
			assert_int_equal(r[t].dst_off, r[t].src_off);
			if (r[t].len && r[t].src_off + r[t].len < cases[i].size)
				assert_int_equal(r[t].len % 4096, 0);
			if (r[t].len && cases[i].size / cases[i].n >= MIB)
				assert_int_equal(r[t].src_off % MIB, 0);
			next += r[t].len;
		}
		assert_int_equal(next, cases[i].size);
	}
}

/* ---- the request ---- */

static void test_parse_request(void **state)
{
	static const struct {
		const char *threads, *parallel, *pin, *prealloc, *needle;
	} bad[] = {
		{ "0", NULL, NULL, NULL, "--threads: '0': must be at least 1" },
		{ "-1", NULL, NULL, NULL, "--threads: '-1': not a whole" },
		{ "100000", NULL, NULL, NULL,
		  "--threads: '100000': too large" },
		{ "", NULL, NULL, NULL, "--threads: " },
		{ "1,,2", NULL, NULL, NULL, "--threads: " },
		{ "2,2", NULL, NULL, NULL, "--threads: " },
		{ "2", "lines", NULL, NULL, "--parallel: 'lines'" },
		{ "2", "files,files", NULL, NULL, "listed twice" },
		{ "2", NULL, "tight", NULL, "--pin: 'tight'" },
		{ "2", NULL, NULL, "zero", "--prealloc: 'zero'" },
	};
	struct run_request rq;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&rq, 0, sizeof(rq));
		err[0] = '\0';
		assert_int_equal(threads_parse_request(bad[i].threads,
						       bad[i].parallel,
						       bad[i].pin,
						       bad[i].prealloc, &rq,
						       err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i].needle))
			fail_msg("'%s' not in '%s'", bad[i].needle, err);
		assert_null(strchr(err, '\n'));
		free(rq.threads);
	}
	memset(&rq, 0, sizeof(rq));
	assert_int_equal(threads_parse_request("1,2,4", "files,ranges",
					       "spread", "fallocate", &rq,
					       err, sizeof(err)), 0);
	assert_int_equal(rq.n_threads, 3);
	assert_int_equal(rq.threads[2], 4);
	assert_true(rq.parallel_files && rq.parallel_ranges);
	assert_int_equal(rq.pin, PIN_SPREAD);
	assert_int_equal(rq.prealloc, PREALLOC_FALLOCATE);
	/* 1 thread once, then files and ranges for 2 and 4 */
	assert_int_equal(threads_n_configs(&rq), 5);
	rq.parallel_files = false;
	assert_int_equal(threads_n_configs(&rq), 3);
	free(rq.threads);
}

/* A strategy that cannot copy ranges gets its ranges cells skipped. */
static void test_plan_skips_ranges(void **state)
{
	struct copy_strategy whole = strategy_rw;
	struct cell_kind k = cell_kind_strategy(&whole);
	uint64_t threads[] = { 1, 2 };
	struct cell cells[3] = { 0 };
	struct run run = { 0 };

	(void)state;
	whole.flags = 0;
	run.request.threads = threads;
	run.request.n_threads = 2;
	run.request.parallel_files = run.request.parallel_ranges = true;
	run.request.prealloc = PREALLOC_TRUNCATE;
	run.cells = cells;
	assert_int_equal(threads_n_configs(&run.request), 3);
	for (size_t t = 0; t < 3; t++) {
		cells[t].status = CELL_PENDING;
		run.n_cells = t + 1;
		assert_int_equal(threads_apply_config(&run, t, &k, t), 0);
	}
	assert_int_equal(cells[0].threads, 1);
	assert_int_equal(cells[0].status, CELL_PENDING);
	assert_int_equal(cells[1].threads, 2);
	assert_int_equal(cells[1].parallel, PARALLEL_FILES);
	assert_int_equal(cells[1].prealloc, PREALLOC_NONE);
	assert_int_equal(cells[1].status, CELL_PENDING);
	assert_int_equal(cells[2].parallel, PARALLEL_RANGES);
	assert_int_equal(cells[2].prealloc, PREALLOC_TRUNCATE);
	assert_int_equal(cells[2].status, CELL_SKIPPED);
	assert_string_equal(cells[2].reason, "not range-capable");
	free(cells[2].reason);
}

/* ---- copies ---- */

/* One N-thread copy of one file by ranges; byte-identical. 0, or 1 when
 * the strategy cannot run here (printed). */
static int ranges_copy(const struct copy_strategy *s, uint64_t size,
		       unsigned n, enum prealloc_mode prealloc)
{
	char src[300], dst[300], why[256];
	char *srcs[1] = { src }, *dsts[1] = { dst };
	struct threads_outcome *o = calloc(1, sizeof(*o));
	struct threads_job job = {
		.s = s, .parallel = PARALLEL_RANGES, .prealloc = prealloc,
		.sync = SYNC_NONE, .threads = n, .size = size,
		.src = srcs, .dst = dsts, .n_files = 1,
	};
	uint64_t want, got, got_size, bytes = 0;
	int ret;

	assert_non_null(o);
	path_in("src", src, sizeof(src));
	path_in("dst", dst, sizeof(dst));
	want = make_source(src, size, size);
	ret = threads_run(&job, o, why, sizeof(why));
	if (ret)
		fail_msg("%s, %u threads, %llu bytes, prealloc %s: %s",
			 s->name, n, (unsigned long long)size,
			 prealloc_mode_name(prealloc), why);
	hash_file(dst, &got_size, &got);
	assert_int_equal(got_size, size);
	if (got != want)
		fail_msg("%s: %u threads by ranges, %llu bytes: copy differs",
			 s->name, n, (unsigned long long)size);
	for (unsigned t = 0; t < n; t++)
		bytes += o->per_thread[t].bytes;
	assert_int_equal(bytes, size);
	assert_true(o->seconds >= o->first_finish);
	unlink(dst);
	free(o);
	return 0;
}

static void test_ranges_every_strategy(void **state)
{
	static const uint64_t sizes[] = { MIB + 13, 8 * MIB + 4097 };
	static const enum prealloc_mode modes[] = {
		PREALLOC_TRUNCATE, PREALLOC_FALLOCATE, PREALLOC_NONE
	};
	size_t tested = 0, k = 0;

	(void)state;
	for (size_t i = 0; i < strategy_count(); i++) {
		const struct copy_strategy *s = strategy_at(i);
		char why[256] = "";

		if (!(s->flags & COPY_RANGES))
			continue;
		if (strategy_probe(s, dir, why, sizeof(why))) {
			printf("# %s: not usable here: %s\n", s->name, why);
			continue;
		}
		for (size_t z = 0; z < 2; z++)
			for (unsigned n = 3; n <= 4; n++)
				ranges_copy(s, sizes[z], n, modes[k++ % 3]);
		tested++;
	}
	if (!tested)
		skip();
}

static void test_files_mode(void **state)
{
	enum { THREADS = 4, PER = 3, N = THREADS * PER };
	const uint64_t size = 256 * 1024 + 5;
	char *src[N], *dst[N], p[300], why[256];
	uint64_t want[N];
	struct threads_outcome *o = calloc(1, sizeof(*o));
	struct threads_job job = {
		.s = strategy_find("rw"), .parallel = PARALLEL_FILES,
		.sync = SYNC_END, .threads = THREADS, .size = size,
		.src = src, .dst = dst, .n_files = N,
	};

	(void)state;
	assert_non_null(o);
	for (unsigned i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "%s/src-%u", dir, i);
		src[i] = strdup(p);
		snprintf(p, sizeof(p), "%s/dst-%u", dir, i);
		dst[i] = strdup(p);
		want[i] = make_source(src[i], size, i);
	}
	assert_int_equal(threads_run(&job, o, why, sizeof(why)), 0);
	for (unsigned i = 0; i < N; i++) {
		uint64_t got, got_size;

		hash_file(dst[i], &got_size, &got);
		assert_int_equal(got_size, size);
		assert_true(got == want[i]);
	}
	for (unsigned t = 0; t < THREADS; t++) {
		/* each thread copied its own PER files */
		assert_int_equal(o->per_thread[t].bytes, PER * size);
		assert_true(o->per_thread[t].seconds > 0);
		assert_true(o->per_thread[t].seconds <= o->seconds);
	}
	assert_true(o->first_finish <= o->seconds);
	/* a missing source fails the sample with the thread named */
	unlink(src[N - 1]);
	assert_int_not_equal(threads_run(&job, o, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "thread 4"));
	for (unsigned i = 0; i < N; i++) {
		free(src[i]);
		free(dst[i]);
	}
	free(o);
}

/* ---- pinning ---- */

struct affinity_log {
	hwloc_topology_t topo;
	hwloc_bitmap_t seen[THREADS_MAX];
};

/* Runs in each worker after it pinned itself. */
static void record_affinity(unsigned idx, void *ctx)
{
	struct affinity_log *log = ctx;
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	log->seen[idx] = hwloc_bitmap_alloc();
	hwloc_cpuset_from_glibc_sched_affinity(log->topo, log->seen[idx],
					       &set, sizeof(set));
}

/* Workers of a pinned job run where the plan says (topo's PUs must exist
 * on this machine). */
static void check_pinning(hwloc_topology_t topo, enum pin_mode mode,
			  unsigned n)
{
	struct affinity_log log = { .topo = topo };
	struct topology_plan plan;
	struct threads_outcome *o = calloc(1, sizeof(*o));
	char src[300], dst[300], why[256];
	char *srcs[1] = { src }, *dsts[1] = { dst };
	struct threads_job job = {
		.s = strategy_find("rw"), .parallel = PARALLEL_RANGES,
		.prealloc = PREALLOC_TRUNCATE, .threads = n, .size = MIB,
		.src = srcs, .dst = dsts, .n_files = 1, .plan = &plan,
		.topo = topo, .on_start = record_affinity, .ctx = &log,
	};

	assert_non_null(o);
	path_in("pin-src", src, sizeof(src));
	path_in("pin-dst", dst, sizeof(dst));
	make_source(src, MIB, 1);
	assert_int_equal(topology_plan_placement(topo, mode, n, &plan), 0);
	if (threads_run(&job, o, why, sizeof(why)))
		fail_msg("%s, %u threads: %s", pin_mode_name(mode), n, why);
	for (unsigned i = 0; i < n; i++) {
		char a[64], b[64];

		assert_non_null(log.seen[i]);
		hwloc_bitmap_snprintf(a, sizeof(a), log.seen[i]);
		hwloc_bitmap_snprintf(b, sizeof(b), plan.cpuset[i]);
		if (!hwloc_bitmap_isequal(log.seen[i], plan.cpuset[i]))
			fail_msg("%s thread %u runs on %s, planned %s",
				 pin_mode_name(mode), i, a, b);
		assert_int_equal(hwloc_bitmap_weight(plan.cpuset[i]), 1);
		hwloc_bitmap_free(log.seen[i]);
	}
	topology_plan_free(&plan);
	free(o);
}

static void test_pin_machine(void **state)
{
	hwloc_topology_t topo = topology_machine();
	int pus;

	(void)state;
	if (!topo)
		skip();
	pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	for (int mode = PIN_COMPACT; mode <= PIN_SPREAD; mode++) {
		check_pinning(topo, mode, 1);
		check_pinning(topo, mode, 2);
		/* more threads than PUs: allowed, they wrap around */
		check_pinning(topo, mode, (unsigned)pus + 1);
	}
}

static hwloc_topology_t load_fixture(const char *name)
{
	const char *root = getenv(srcdir);
	char path[512];
	hwloc_topology_t t;

	snprintf(path, sizeof(path), "%s/tests/threads/%s",
		 root ? root : ".", name);
	t = topology_load_xml(path);
	if (!t)
		fail_msg("loading %s: %s", path, strerror(errno));
	return t;
}

/* The OS index of the PU of plan entry i. */
static int pu_of(const struct topology_plan *plan, unsigned i)
{
	return hwloc_bitmap_first(plan->cpuset[i]);
}

/* Package (logical index) holding the PU of plan entry i. */
static int package_of(hwloc_topology_t t, const struct topology_plan *plan,
		      unsigned i)
{
	hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t, pu_of(plan, i));
	hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE,
							 pu);

	assert_non_null(pkg);
	return (int)pkg->logical_index;
}

/* 2 packages x 1 NUMA node x 2 cores: compact fills package 0 first,
 * spread alternates; both wrap past 4 PUs; memory follows the PU. */
static void test_plan_synthetic(void **state)
{
	hwloc_topology_t t = load_fixture("topo-2pkg-2numa-4pu.xml");
	static const int compact[] = { 0, 0, 1, 1, 0 };
	static const int spread[] = { 0, 1, 0, 1, 0 };
	struct topology_plan plan;

	(void)state;
	assert_int_equal(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE), 2);
	assert_int_equal(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE), 2);
	assert_int_equal(topology_plan_placement(t, PIN_NONE, 2, &plan),
			 -EINVAL);
	assert_int_equal(topology_plan_placement(t, PIN_COMPACT, 5, &plan), 0);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(package_of(t, &plan, i), compact[i]);
		/* NUMA node i of package i */
		assert_int_equal(hwloc_bitmap_first(plan.nodeset[i]),
				 compact[i]);
	}
	assert_int_not_equal(pu_of(&plan, 0), pu_of(&plan, 1));
	assert_int_equal(pu_of(&plan, 4), pu_of(&plan, 0));
	topology_plan_free(&plan);
	assert_int_equal(topology_plan_placement(t, PIN_SPREAD, 5, &plan), 0);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(package_of(t, &plan, i), spread[i]);
	assert_int_not_equal(pu_of(&plan, 0), pu_of(&plan, 2));
	topology_plan_free(&plan);
	hwloc_topology_destroy(t);
}

/* 2 packages x 1 NUMA node x 1 PU (OS indexes 0 and 1, which a 2-CPU
 * machine has): workers really run where the synthetic plan says. */
static void test_pin_synthetic(void **state)
{
	hwloc_topology_t t = load_fixture("topo-2pkg-2numa-2pu.xml");
	cpu_set_t online;

	(void)state;
	CPU_ZERO(&online);
	if (sched_getaffinity(0, sizeof(online), &online) ||
	    !CPU_ISSET(0, &online) || !CPU_ISSET(1, &online)) {
		hwloc_topology_destroy(t);
		printf("# CPUs 0 and 1 are not both usable here\n");
		skip();
	}
	for (int mode = PIN_COMPACT; mode <= PIN_SPREAD; mode++)
		for (unsigned n = 1; n <= 3; n++)
			check_pinning(t, mode, n);
	hwloc_topology_destroy(t);
}

/* ---- results.json, report.md ---- */

/* The synthetic run plus copy_file_range 1M warm with 2 threads by
 * ranges, each sample twice as fast as the 1-thread cell's. */
static void threaded_run(struct run *run)
{
	int i;
	struct cell *c;
	static uint64_t threads[] = { 1, 2 };

	assert_int_equal(synthetic_run(run), 0);
	i = synthetic_find(run, "copy_file_range", 1 << 20, CACHE_WARM,
			   SYNC_NONE);
	assert_true(i >= 0);
	run->cells = realloc(run->cells, (run->n_cells + 1) * sizeof(*c));
	assert_non_null(run->cells);
	c = &run->cells[run->n_cells];
	*c = run->cells[i];
	run->n_cells++;
	c->strategy = strdup(c->strategy);
	c->reason = NULL;
	c->threads = 2;
	c->parallel = PARALLEL_RANGES;
	c->prealloc = PREALLOC_FALLOCATE;
	c->samples = calloc(c->n_samples, sizeof(*c->samples));
	assert_non_null(c->samples);
	for (size_t j = 0; j < c->n_samples; j++) {
		struct sample *s = &c->samples[j];

		*s = run->cells[i].samples[j];
		s->seconds /= 2;
		s->first_finish = s->seconds * 0.75;
		s->per_thread = calloc(2, sizeof(*s->per_thread));
		assert_non_null(s->per_thread);
		s->per_thread[0] = (struct thread_figure){ s->seconds * 0.75,
			(uint64_t)c->batch << 19 };
		s->per_thread[1] = (struct thread_figure){ s->seconds,
			(uint64_t)c->batch << 19 };
	}
	run->request.threads = malloc(sizeof(threads));
	memcpy(run->request.threads, threads, sizeof(threads));
	run->request.n_threads = 2;
	run->request.parallel_ranges = true;
	run->request.prealloc = PREALLOC_FALLOCATE;
	run->env.l3_per_package = 32 << 20;
	assert_int_equal(results_estimate(run), 0);
}

static void test_json_round_trip(void **state)
{
	struct run a, b;
	char path[300], err[512];
	const struct cell *x, *y;

	(void)state;
	threaded_run(&a);
	path_in("results.json", path, sizeof(path));
	assert_int_equal(results_write_json(&a, NULL, path), 0);
	if (results_read_json(path, &b, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(b.request.n_threads, 2);
	assert_int_equal(b.request.threads[1], 2);
	assert_true(b.request.parallel_ranges && !b.request.parallel_files);
	assert_int_equal(b.request.prealloc, PREALLOC_FALLOCATE);
	assert_int_equal(b.env.l3_per_package, 32 << 20);
	assert_int_equal(b.n_cells, a.n_cells);
	for (size_t i = 0; i < a.n_cells; i++) {
		x = &a.cells[i];
		y = &b.cells[i];
		assert_int_equal(n_or_1(y->threads), n_or_1(x->threads));
		assert_true(cell_same_threads(x, y));
		for (size_t j = 0; j < x->n_samples; j++) {
			assert_true(!x->samples[j].per_thread ==
				    !y->samples[j].per_thread);
			if (!x->samples[j].per_thread)
				continue;
			assert_true(x->samples[j].first_finish ==
				    y->samples[j].first_finish);
			assert_memory_equal(x->samples[j].per_thread,
					    y->samples[j].per_thread,
					    2 * sizeof(struct thread_figure));
		}
	}
	results_free(&b);
	/* a per-thread array of the wrong length is refused by name */
	{
		char *doc = test_slurp(path, NULL), *p = strstr(doc, "\"per_thread\"");
		char *q;
		FILE *f;

		assert_non_null(p);
		q = strstr(p, "},");
		assert_non_null(q);
		/* drop the first figure: 1 entry for 2 threads */
		memmove(strchr(p, '{'), q + 2, strlen(q + 2) + 1);
		f = fopen(path, "we");
		fputs(doc, f);
		fclose(f);
		free(doc);
		assert_int_equal(results_read_json(path, &b, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "per_thread"));
	}
	results_free(&a);
}

static void test_report_section(void **state)
{
	static const char *const want[] = {
		"L3 32.0 MiB per package",
		"with `copy_file_range` and 2 threads by ranges (fallocate) "
		"for ",
		"2.00x [2.00, 2.00] over 1 thread at ",
		"--threads 1,2 --parallel ranges --pin none --prealloc "
		"fallocate",
		NULL
	};
	struct run a;
	char path[300], *md, *sec;

	(void)state;
	threaded_run(&a);
	path_in("report.md", path, sizeof(path));
	md = synthetic_report_md(&a, path);
	sec = test_find(md, "## Thread scaling");
	assert_non_null(strstr(sec, "| `copy_file_range` | warm/none | - | "
				    "none | 1 |"));
	if (!strstr(sec, "| `copy_file_range` | warm/none | ranges "
			 "(fallocate) | none | 2 |"))
		fail_msg("no threaded row in %.2000s", sec);
	/* half the time: 2.00x, 100% efficient; slowest/fastest 1.33 */
	assert_non_null(strstr(sec, "| 2.00x\xc2\xa0["));
	assert_non_null(strstr(sec, "| 100% | 1.33 | 75.0% |"));
	test_expect_all(md, want);
	free(md);
	results_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_ranges),
		cmocka_unit_test(test_parse_request),
		cmocka_unit_test(test_plan_skips_ranges),
		cmocka_unit_test(test_plan_synthetic),
		cmocka_unit_test_setup_teardown(test_ranges_every_strategy,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_files_mode, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_pin_machine, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_pin_synthetic, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_json_round_trip, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_report_section, make_dir,
						remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
