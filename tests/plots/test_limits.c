// SPDX-License-Identifier: MIT
/*
 * Limits and reference tools, unit level: --reference parsing and the
 * cells it plans, the limits' JSON round trip through results.json,
 * ceilings, a real (small) measurement, and the report's figures.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cell_kind.h"
#include "conform.h"
#include "files.h"
#include "../report/synthetic.h"
#include "machine_limits.h"
#include "reference.h"
#include "report.h"
#include "strategies.h"

static char tmp[256];

static int setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	return conform_mkdtemp(tmp, sizeof(tmp), base && *base ? base : "/tmp",
			       "limits");
}

static int teardown(void **state)
{
	(void)state;
	return conform_rmtree(tmp);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void test_reference_parse(void **state)
{
	static const struct {
		const char *list;
		int ret;
		size_t n;
	} cases[] = {
		{ "cp", 0, 1 }, { "cp,dd,rsync", 0, 3 }, { "none", 0, 0 },
		{ "cp,cp", -EINVAL, 1 }, { "scp", -EINVAL, 0 },
		{ "", -EINVAL, 0 }, { "cp,", -EINVAL, 0 },
		{ ",dd", -EINVAL, 0 }, { "cp,,dd", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char **names = NULL, err[128] = "";
		size_t n = 0;
		int ret = reference_parse(cases[i].list, &names, &n, err,
					  sizeof(err));

		assert_int_equal(ret, cases[i].ret);
		if (!ret)
			assert_int_equal(n, cases[i].n);
		else
			assert_true(strlen(err) > 0);
		free_names(names, n);
	}
}

/* cp plans its default and --reflink=never; dd reads the buffer. */
static void test_reference_plan(void **state)
{
	char *tools[] = { "dd", "cp" };
	struct run_request rq = { .references = tools, .n_references = 2 };
	static const char *const want[] = { "ref:dd", "ref:cp",
					    "ref:cp-reflink-never" };
	const struct reference_variant *v;
	struct cell_kind k;
	size_t i;

	(void)state;
	for (i = 0; (v = reference_at(&rq, i)); i++) {
		assert_true(i < 3);
		assert_string_equal(v->name, want[i]);
		assert_ptr_equal(reference_find(v->name), v);
		assert_true(reference_name(v->name));
		k = cell_kind_find(v->name);
		assert_int_equal(k.type, CELL_KIND_REFERENCE);
		assert_ptr_equal(k.ref, v);
	}
	assert_int_equal(i, 3);
	k = cell_kind_reference(reference_at(&rq, 0));
	assert_string_equal(cell_kind_options(&k)->name, "buffer");
	k = cell_kind_reference(reference_at(&rq, 1));
	assert_null(cell_kind_options(&k));
	assert_null(reference_find("rw"));
	assert_false(reference_name("rw"));
}

/* A reference cell copies through the real tool and fails loudly. */
static void test_reference_copy(void **state)
{
	const struct reference_variant *dd = reference_find("ref:dd");
	struct cell c = { .strategy = "ref:dd", .size = 5000,
			  .sync = SYNC_END };
	char src[300], dst[300], why[256] = "";
	char data[5000];
	double sync_s = 0;
	struct stat st;
	FILE *f;

	(void)state;
	assert_int_equal(cell_set_options(&c, reference_tool_of(dd)->options),
			 0);
	assert_int_equal(cell_set_tunable(&c, "buffer", 4096), 0);
	snprintf(src, sizeof(src), "%s/src", tmp);
	snprintf(dst, sizeof(dst), "%s/dst", tmp);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	f = fopen(src, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, sizeof(data), f), sizeof(data));
	fclose(f);
	if (reference_probe(dd, why, sizeof(why))) {
		skip();	/* dd missing: the probe says why */
		return;
	}
	assert_int_equal(reference_copy_file(dd, &c, src, dst, &sync_s, why,
					     sizeof(why)), 0);
	assert_int_equal(stat(dst, &st), 0);
	assert_int_equal(st.st_size, 5000);	/* the 904-byte tail too */
	assert_true(sync_s > 0);
	unlink(dst);
	snprintf(src, sizeof(src), "%s/missing", tmp);
	assert_true(reference_copy_file(dd, &c, src, dst, &sync_s, why,
					sizeof(why)) < 0);
	assert_non_null(strstr(why, "dd exited with status 1"));
	assert_non_null(strstr(why, "missing"));
}

static void fill_limits(struct run_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->measured = true;
	l->n_memcpy = 2;
	l->memcpy = calloc(2, sizeof(*l->memcpy));
	assert_non_null(l->memcpy);
	l->memcpy[0] = (struct limit_memcpy){ 1 << 20, 128 << 10, 4000 };
	l->memcpy[1] = (struct limit_memcpy){ 1 << 20, 1 << 20, 5000 };
	l->direct_bytes = 256 << 20;
	l->direct_block = 4 << 20;
	l->direct_read_mib_s = 2000;
	l->direct_write_mib_s = NAN;
	l->direct_reason = strdup("O_DIRECT write in /x failed: EIO");
}

/* Every field survives results.json, NaN as NaN. */
static void test_json_round_trip(void **state)
{
	struct run run, back;
	char path[300], err[256];

	(void)state;
	assert_int_equal(synthetic_run(&run), 0);
	fill_limits(&run.limits);
	run.limits.ceilings = true;
	run.limits.dev_read_mib_s = 612.5;
	run.limits.dev_read_bs = 1 << 20;
	run.limits.dev_read_qd = 32;
	run.limits.pc_read_mib_s = 2400;
	run.limits.pc_write_mib_s = NAN;
	run.limits.meta_files_s = 11500;
	run.limits.cache_set = 128 << 20;
	run.limits.ceilings_why = strdup("cached-write: no room");
	run.limits.sus_seconds = 4;
	run.limits.sus_bytes = 700 << 20;
	run.limits.sus_burst_seconds = 1;
	run.limits.sus_burst_mib_s = 400;
	run.limits.sus_mib_s = 97.5;
	run.request.limits = true;
	run.request.n_references = 1;
	run.request.references = calloc(1, sizeof(char *));
	run.request.references[0] = strdup("rsync");
	snprintf(path, sizeof(path), "%s/results.json", tmp);
	assert_int_equal(results_write_json(&run, NULL, path), 0);
	assert_int_equal(results_read_json(path, &back, err, sizeof(err)), 0);
	assert_true(back.limits.measured);
	assert_int_equal(back.limits.n_memcpy, 2);
	assert_memory_equal(back.limits.memcpy, run.limits.memcpy,
			    2 * sizeof(*back.limits.memcpy));
	assert_int_equal(back.limits.direct_bytes, 256 << 20);
	assert_int_equal(back.limits.direct_block, 4 << 20);
	assert_true(back.limits.direct_read_mib_s == 2000);
	assert_true(isnan(back.limits.direct_write_mib_s));
	assert_string_equal(back.limits.direct_reason,
			    run.limits.direct_reason);
	assert_true(back.limits.ceilings);
	assert_true(back.limits.dev_read_mib_s == 612.5);
	assert_int_equal(back.limits.dev_read_qd, 32);
	assert_int_equal(back.limits.dev_read_bs, 1 << 20);
	assert_true(back.limits.pc_read_mib_s == 2400);
	assert_true(isnan(back.limits.pc_write_mib_s));
	assert_true(back.limits.meta_files_s == 11500);
	assert_int_equal(back.limits.cache_set, 128 << 20);
	assert_string_equal(back.limits.ceilings_why, "cached-write: no room");
	assert_true(back.limits.sus_burst_mib_s == 400);
	assert_true(back.limits.sus_mib_s == 97.5);
	assert_int_equal(back.limits.sus_bytes, 700 << 20);
	assert_true(back.request.limits);
	assert_int_equal(back.request.n_references, 1);
	assert_string_equal(back.request.references[0], "rsync");
	results_free(&back);
	/* not measured: null, and back as not measured */
	results_free(&run);
	assert_int_equal(synthetic_run(&run), 0);
	assert_int_equal(results_write_json(&run, NULL, path), 0);
	assert_int_equal(results_read_json(path, &back, err, sizeof(err)), 0);
	assert_false(back.limits.measured);
	assert_false(back.request.limits);
	assert_int_equal(back.request.n_references, 0);
	results_free(&back);
	results_free(&run);
}

static void test_ceiling(void **state)
{
	struct run_limits l;
	const char *what;

	(void)state;
	fill_limits(&l);
	/* warm: the best chunk at the file's working set */
	assert_true(limits_ceiling(&l, 1 << 20, CACHE_WARM, &what) == 5000);
	assert_string_equal(what, "memcpy");
	assert_true(isnan(limits_ceiling(&l, 4096, CACHE_WARM, &what)));
	assert_true(limits_ceiling(&l, 4096, CACHE_COLD, &what) == 2000);
	assert_string_equal(what, "O_DIRECT read");
	l.measured = false;
	assert_true(isnan(limits_ceiling(&l, 1 << 20, CACHE_WARM, NULL)));
	limits_free(&l);
}

/* With device ceilings, the lowest that applies: cold -> the device's
 * O_DIRECT read, warm -> page-cache read and write in series, small
 * files -> files/s x size. */
static void test_device_ceiling(void **state)
{
	struct run_limits l;
	enum limit_kind kind;
	const char *what;

	(void)state;
	fill_limits(&l);
	l.ceilings = true;
	l.dev_read_mib_s = 600;
	l.dev_read_bs = 1 << 20;
	l.dev_read_qd = 32;
	l.pc_read_mib_s = 2000;
	l.pc_write_mib_s = 1000;
	l.meta_files_s = 10240;
	assert_true(limits_ceiling(&l, 1 << 20, CACHE_COLD, &what) == 600);
	assert_string_equal(what, "device read");
	assert_true(fabs(limits_ceiling_kind(&l, 1 << 20, CACHE_WARM, &kind) -
			 2000.0 / 3) < 1e-9);
	assert_int_equal(kind, LIMIT_PAGE_CACHE);
	/* 4K: 10240 files/s x 4 KiB = 40 MiB/s, below both */
	assert_true(limits_ceiling_kind(&l, 4096, CACHE_COLD, &kind) == 40);
	assert_int_equal(kind, LIMIT_METADATA);
	assert_true(limits_ceiling_kind(&l, 4096, CACHE_WARM, &kind) == 40);
	assert_int_equal(kind, LIMIT_METADATA);
	/* without an O_DIRECT figure: the one-stream one */
	l.dev_read_mib_s = NAN;
	assert_true(limits_ceiling(&l, 1 << 20, CACHE_COLD, &what) == 2000);
	assert_string_equal(what, "O_DIRECT read");
	limits_free(&l);
}

/* A share above 100% always comes with an explanation, and one below
 * with none. */
static void test_explain_above(void **state)
{
	struct run run = { 0 };
	struct cell c = { .strategy = "mmap", .size = 64 << 20,
			  .cache = CACHE_WARM };
	char why[512];
	const char *s;

	(void)state;
	run.cells = &c;
	run.n_cells = 1;
	run.limits.measured = run.limits.ceilings = true;
	s = limits_explain_above(&run, &c, 800, 650, LIMIT_PAGE_CACHE, why,
				 sizeof(why));
	assert_non_null(s);
	assert_non_null(strstr(s, "mapped"));
	assert_null(limits_explain_above(&run, &c, 600, 650, LIMIT_PAGE_CACHE,
					 why, sizeof(why)));
	c.strategy = "copy_file_range";
	s = limits_explain_above(&run, &c, 700, 650, LIMIT_PAGE_CACHE, why,
				 sizeof(why));
	assert_non_null(strstr(s, "within 10%"));
	assert_non_null(strstr(s, "inside the kernel"));
	c.strategy = "rw";
	c.cache = CACHE_COLD;
	run.limits.dev_read_qd = 32;
	s = limits_explain_above(&run, &c, 1500, 650, LIMIT_DEVICE_READ, why,
				 sizeof(why));
	assert_non_null(strstr(s, "readahead"));
	assert_null(strstr(s, "within 10%"));
	s = limits_explain_above(&run, &c, 50, 40, LIMIT_METADATA, why,
				 sizeof(why));
	assert_non_null(strstr(s, "unlink"));
}

/* A real measurement: memcpy per size x buffer, O_DIRECT here or a
 * reason; well within the few seconds --limits promises. */
static void test_measure(void **state)
{
	uint64_t sizes[] = { 4096, 1 << 20, 1 << 20 };
	uint64_t bufs[] = { 128 << 10 };
	struct run run = { 0 };

	(void)state;
	run.request.sizes = sizes;
	run.request.n_sizes = 3;
	run.request.tune[tunable_index("buffer")].v = bufs;
	run.request.tune[tunable_index("buffer")].n = 1;
	run.request.dir = tmp;
	assert_int_equal(limits_measure(&run), 0);
	assert_true(run.limits.measured);
	/* 4K x 4K and 1M x 128K; the repeated size is measured once */
	assert_int_equal(run.limits.n_memcpy, 2);
	assert_int_equal(run.limits.memcpy[0].buffer, 4096);
	assert_int_equal(run.limits.memcpy[1].buffer, 128 << 10);
	for (size_t i = 0; i < run.limits.n_memcpy; i++)
		assert_true(run.limits.memcpy[i].mib_s > 100);
	if (run.limits.direct_reason) {
		printf("note: %s\n", run.limits.direct_reason);
		assert_true(isnan(run.limits.direct_read_mib_s));
	} else {
		assert_true(run.limits.direct_read_mib_s > 1);
		assert_true(run.limits.direct_write_mib_s > 1);
		assert_true(run.limits.direct_bytes >= 4 << 20);
	}
	/* the device ceilings: page cache and metadata wherever --dir is,
	 * the device's O_DIRECT read or the reason it has none */
	assert_true(run.limits.ceilings);
	assert_true(run.limits.pc_read_mib_s > 1);
	assert_true(run.limits.pc_write_mib_s > 1);
	assert_true(run.limits.meta_files_s > 1);
	if (isnan(run.limits.dev_read_mib_s))
		assert_non_null(run.limits.ceilings_why);
	else
		assert_true(run.limits.dev_read_qd >= 1);
	limits_free(&run.limits);
}

/* The report sets each size's best against its ceiling: 1M warm's best
 * (copy_file_range, 0.8 ms per 1 MiB = 1250 MiB/s) is 25% of 5000. */
static void test_report_share(void **state)
{
	static const char *const want[] = {
		"## Limits",
		"| 1M | warm | `copy_file_range` | 1250 | memcpy | 5000 | "
		"25.0% |",
		"is 25.0% of memcpy (5000 MiB/s)",
		"O_DIRECT bandwidth: n/a (O_DIRECT write in /x failed: EIO)",
		"## Plots",
		NULL
	};
	struct run run;
	char path[300], *md;

	(void)state;
	assert_int_equal(synthetic_run(&run), 0);
	fill_limits(&run.limits);
	run.request.limits = true;
	snprintf(path, sizeof(path), "%s/report.md", tmp);
	md = synthetic_report_md(&run, path);
	test_expect_all(md, want);
	/* no reference cells: no section about them */
	assert_null(strstr(md, "## Reference tools"));
	free(md);
	results_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_parse),
		cmocka_unit_test(test_reference_plan),
		cmocka_unit_test(test_reference_copy),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_device_ceiling),
		cmocka_unit_test(test_explain_above),
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_report_share),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
