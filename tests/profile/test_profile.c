// SPDX-License-Identifier: MIT
/*
 * Profiling units: perf_event_open counters around a real rw copy, the
 * cell sums and their n/a reasons, JSON round trip, CSV columns, folding
 * canned `perf script` text, hot spots, the SVG and the report section.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"
#include "params.h"
#include "dataset.h"
#include "flame.h"
#include "profile.h"
#include "report.h"
#include "strategies.h"
#include "synthetic.h"

#define MIB (1024 * 1024)

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/iobench-prof-XXXXXX",
		 tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd))
		return -1;
	free(fx);
	return 0;
}

static void path_in(const struct fixture *fx, const char *name, char *out,
		    size_t len)
{
	snprintf(out, len, "%s/%s", fx->dir, name);
}

/* The CPU PMU is there when the kernel lists one (cpu, or cpu_core on
 * hybrid parts). */
static bool have_cpu_pmu(void)
{
	return !access("/sys/bus/event_source/devices/cpu", F_OK) ||
	       !access("/sys/bus/event_source/devices/cpu_core", F_OK);
}

/* ---- counters around a real copy ---- */

static void copy_1m_rw(const struct fixture *fx, struct profile_sample *ps)
{
	const struct copy_strategy *rw = strategy_find("rw");
	struct test_params p = { .buffer_size = 128 * 1024 };
	struct copy_range r = { 0, 0, MIB };
	struct profile_session sess;
	char src[128], dst[128];
	int sfd, dfd;
	void *state, *opts;

	assert_non_null(rw);
	path_in(fx, "src", src, sizeof(src));
	path_in(fx, "dst", dst, sizeof(dst));
	sfd = open(src, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(sfd >= 0);
	assert_int_equal(dataset_fill(sfd, MIB, CONTENT_RANDOM, 1, 0), 0);
	dfd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(dfd >= 0);
	opts = test_options(rw, &p);
	state = calloc(1, rw->state_size ? rw->state_size : 1);
	assert_non_null(state);
	assert_int_equal(rw->setup ? rw->setup(state, opts) : 0, 0);
	free(opts);
	profile_begin(&sess, true);
	assert_int_equal(rw->copy(state, sfd, dfd, &r), 0);
	profile_end(&sess, ps);
	if (rw->teardown)
		rw->teardown(state);
	free(state);
	close(sfd);
	close(dfd);
}

static void test_counters_real_copy(void **state)
{
	struct fixture *fx = *state;
	struct profile_sample ps;
	struct cell_profile cp = { 0 };

	copy_1m_rw(fx, &ps);
	assert_true(ps.measured);
	if (ps.err[PROFILE_TASK_CLOCK] == EACCES ||
	    ps.err[PROFILE_TASK_CLOCK] == EPERM) {
		print_message("perf_event_open not permitted here\n");
		skip();
	}
	assert_int_equal(ps.err[PROFILE_TASK_CLOCK], 0);
	assert_true(ps.value[PROFILE_TASK_CLOCK] > 0);
	for (int i = PROFILE_CONTEXT_SWITCHES; i <= PROFILE_MAJOR_FAULTS; i++)
		assert_int_equal(ps.err[i], 0);
	/* 8 reads of 128K, the read at EOF, 8 writes; no more than a few
	 * dozen */
	if (ps.err[PROFILE_SYSCALLS]) {
		print_message("syscall counter n/a: errno %d\n",
			      ps.err[PROFILE_SYSCALLS]);
	} else {
		assert_true(ps.value[PROFILE_SYSCALLS] >= 16);
		assert_true(ps.value[PROFILE_SYSCALLS] < 64);
	}
	assert_int_equal(profile_add(&cp, &ps, 1), 0);
	assert_true(cp.on);
	assert_int_equal(cp.copies, 1);
	assert_true(profile_per_copy(&cp, PROFILE_TASK_CLOCK) > 0);
	if (!have_cpu_pmu()) {
		char txt[128];

		for (int i = PROFILE_CYCLES; i <= PROFILE_BRANCH_MISSES; i++) {
			assert_non_null(cp.na[i]);
			assert_true(isnan(profile_per_copy(&cp, i)));
			profile_na_text(&cp, i, txt, sizeof(txt));
			assert_string_equal(txt, "n/a (not supported here)");
		}
	}
	profile_free(&cp);
	assert_false(cp.on);
}

static void test_counters_off(void **state)
{
	struct profile_session sess;
	struct profile_sample ps;

	(void)state;
	profile_begin(&sess, false);
	profile_end(&sess, &ps);
	assert_false(ps.measured);
	for (int i = 0; i < PROFILE_N_COUNTERS; i++)
		assert_int_equal(ps.value[i], 0);
}

/* A sample that did not count (thread-pool cells) is n/a, never 0; an
 * error in one sample makes the counter n/a for the cell. */
static void test_add_reasons(void **state)
{
	struct profile_sample a = { .measured = true }, b = { 0 };
	struct cell_profile cp = { 0 };
	char txt[128];

	(void)state;
	a.value[PROFILE_TASK_CLOCK] = 1000;
	a.value[PROFILE_SYSCALLS] = 40;
	a.err[PROFILE_CYCLES] = ENOENT;
	a.err[PROFILE_INSTRUCTIONS] = EACCES;
	a.err[PROFILE_SYSCALLS] = 0;
	assert_int_equal(profile_add(&cp, &a, 2), 0);
	assert_true(profile_per_copy(&cp, PROFILE_SYSCALLS) == 20);
	assert_true(profile_syscalls_per_mib(&cp, 2 * MIB) == 10);
	assert_true(profile_cpu_s_per_gib(&cp, 1024 * MIB) == 500e-9);
	assert_string_equal(cp.na[PROFILE_CYCLES], "not supported here");
	assert_non_null(strstr(cp.na[PROFILE_INSTRUCTIONS],
			       "perf_event_paranoid="));
	profile_na_text(&cp, PROFILE_INSTRUCTIONS, txt, sizeof(txt));
	assert_int_equal(strncmp(txt, "n/a (perf_event_paranoid=", 25), 0);
	assert_true(profile_per_copy(&cp, PROFILE_TASK_CLOCK) == 500);
	assert_int_equal(profile_add(&cp, &b, 1), 0);
	assert_int_equal(cp.copies, 3);
	assert_true(isnan(profile_per_copy(&cp, PROFILE_TASK_CLOCK)));
	assert_non_null(strstr(cp.na[PROFILE_TASK_CLOCK], "thread-pool"));
	profile_free(&cp);
}

/* ---- folding, hot spots, SVG ---- */

static void fold_canned(struct flame_profile *fp)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/profile/perf-script.txt",
		 getenv("SOURCE_ROOT"));
	f = fopen(path, "re");
	assert_non_null(f);
	assert_int_equal(flame_fold_perf_script(f, fp), 0);
	fclose(f);
}

/* Stacks with a frame perf could not name, and stacks cut at the
 * frame that ran the work. */
static void test_unresolved_and_trim(void **state)
{
	static const char text[] =
		"iobench 1 1.0: 1 cpu-clock:\n"
		"\t1 rw_copy+0x1 (/usr/bin/iobench)\n"
		"\t2 worker_entry+0x1 (/usr/bin/iobench)\n"
		"\t3 [unknown] (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
		"\n"
		"iobench 1 1.1: 1 cpu-clock:\n"
		"\t1 rw_copy+0x9 (/usr/bin/iobench)\n"
		"\t2 worker_entry+0x1 (/usr/bin/iobench)\n"
		"\t3 __start_context (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
		"\n"
		"iobench 1 1.2: 1 cpu-clock:\n"
		"\t1 [unknown] ([unknown])\n"
		"\t2 main+0x1 (/usr/bin/iobench)\n"
		"\n"
		"iobench 1 1.3: 1 cpu-clock:\n"
		"\t1 read+0x1 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
		"\t2 main+0x1 (/usr/bin/iobench)\n";
	struct flame_profile fp = { 0 };
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	(void)state;
	assert_non_null(f);
	assert_int_equal(flame_fold_perf_script(f, &fp), 0);
	fclose(f);
	/* [unknown], and [libc.so.6]: 1, then 2 of 4 samples */
	assert_true(fabs(flame_unresolved_share(&fp, false) - 0.25) < 1e-9);
	assert_true(fabs(flame_unresolved_share(&fp, true) - 0.5) < 1e-9);
	assert_int_equal(flame_trim_below(&fp, "worker_entry"), 0);
	/* both worker stacks are now one: the command, then the work */
	assert_int_equal(fp.n, 3);
	assert_true(flame_has_frame(&fp, "iobench;rw_copy"));
	assert_false(flame_has_frame(&fp, "worker_entry"));
	assert_false(flame_has_frame(&fp, "libc.so.6"));
	assert_int_equal(fp.total, 4);
	assert_true(fabs(flame_unresolved_share(&fp, true) - 0.25) < 1e-9);
	flame_free(&fp);
}

static void test_fold_canned(void **state)
{
	static const char *const want[] = {
		"iobench;[iobench];read;entry_SYSCALL_64_after_hwframe;"
		"do_syscall_64;ksys_read;vfs_read;filemap_read;"
		"copy_page_to_iter 2",
		"iobench;[unknown];write;entry_SYSCALL_64_after_hwframe;"
		"do_syscall_64;ksys_write;vfs_write;generic_perform_write;"
		"copy_page_from_iter_atomic 1",
		"iobench;a:b;operator<<(std::ostream&, char const*) 1",
		"iobench;rw_copy;__memcpy_avx_unaligned 1",
	};
	struct flame_profile fp = { 0 };
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, i = 0;
	FILE *f;

	(void)state;
	fold_canned(&fp);
	assert_int_equal(fp.total, 5);
	assert_int_equal(fp.n, 4);
	f = open_memstream(&buf, &len);
	assert_int_equal(flame_write_folded(&fp, f), 0);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		assert_true(i < 4);
		assert_string_equal(line, want[i]);
	}
	assert_int_equal(i, 4);
	assert_true(flame_has_frame(&fp, "ksys_read"));
	assert_false(flame_has_frame(&fp, "copy_file_range"));
	free(buf);
	flame_free(&fp);
}

static void test_fold_empty(void **state)
{
	struct flame_profile fp = { 0 };
	FILE *f = fmemopen("# nothing\n\n", 11, "r");

	(void)state;
	assert_non_null(f);
	assert_int_equal(flame_fold_perf_script(f, &fp), -EINVAL);
	fclose(f);
	assert_int_equal(fp.total, 0);
	flame_free(&fp);
}

static void test_top_self(void **state)
{
	struct flame_profile fp = { 0 };
	struct hot_spot hot[3];
	size_t n = 0;

	(void)state;
	fold_canned(&fp);
	assert_int_equal(flame_top_self(&fp, hot, 3, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(hot[0].symbol, "copy_page_to_iter");
	assert_true(fabs(hot[0].pct - 40.0) < 1e-9);
	/* ties: by name */
	assert_string_equal(hot[1].symbol, "__memcpy_avx_unaligned");
	assert_string_equal(hot[2].symbol, "copy_page_from_iter_atomic");
	assert_true(fabs(hot[2].pct - 20.0) < 1e-9);
	for (size_t i = 0; i < n; i++)
		free(hot[i].symbol);
	flame_free(&fp);
}

static void test_svg(void **state)
{
	struct fixture *fx = *state;
	struct flame_profile fp = { 0 };
	char path[128], cmd[256], *svg;
	FILE *f;

	fold_canned(&fp);
	path_in(fx, "flame.svg", path, sizeof(path));
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(flame_write_svg(&fp, "rw <1M> & co", f), 0);
	assert_int_equal(fclose(f), 0);
	svg = test_slurp(path, NULL);
	/* every frame: a group placed in samples (start, count, depth)
	 * with a hover title, a rect and its share */
	assert_non_null(strstr(svg, "data-n=\"2\" data-d=\"8\"><title>"
				    "copy_page_to_iter (2 samples, 40.00%)"
				    "</title><rect "));
	assert_non_null(strstr(svg, "<g data-s=\"0\" data-n=\"5\" "
				    "data-d=\"0\"><title>iobench "));
	/* click-to-zoom and search: the script, its buttons, the frames'
	 * group with the total the shares are of */
	assert_non_null(strstr(svg, "<script type=\"text/ecmascript\">"
				    "<![CDATA["));
	assert_non_null(strstr(svg, "function zoom("));
	assert_non_null(strstr(svg, "function search("));
	assert_non_null(strstr(svg, "onload=\"init()\""));
	assert_non_null(strstr(svg, "id=\"unzoom\""));
	assert_non_null(strstr(svg, ">Search</text>"));
	assert_non_null(strstr(svg, "<g id=\"frames\" data-total=\"5\">"));
	assert_non_null(strstr(svg, "<title>iobench (5 samples, 100.00%)"));
	assert_non_null(strstr(svg, "operator&lt;&lt;(std::ostream&amp;"));
	assert_non_null(strstr(svg, "rw &lt;1M&gt; &amp; co"));
	/* the root spans the whole width (1200 less 2 x 10 padding) */
	assert_non_null(strstr(svg, "width=\"1180.0\""));
	free(svg);
	flame_free(&fp);
	if (access("/usr/bin/xmllint", X_OK)) {
		print_message("xmllint missing (libxml2-utils)\n");
		skip();
	}
	snprintf(cmd, sizeof(cmd), "/usr/bin/xmllint --noout '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* ---- results: JSON, CSV, report ---- */

static void make_profiled(struct run *run)
{
	struct cell_profile *p;
	int ci;

	assert_int_equal(synthetic_run(run), 0);
	run->request.profile = true;
	ci = synthetic_find(run, "rw", MIB, CACHE_WARM, SYNC_NONE);
	assert_true(ci >= 0);
	p = &run->cells[ci].profile;
	p->on = true;
	p->copies = 24;
	for (int i = 0; i < PROFILE_N_COUNTERS; i++)
		p->value[i] = 1000 + i;
	for (int i = PROFILE_CYCLES; i <= PROFILE_BRANCH_MISSES; i++) {
		p->value[i] = 0;
		p->na[i] = strdup("not supported here");
	}
	p->hot = calloc(2, sizeof(*p->hot));
	assert_non_null(p->hot);
	p->hot[0] = (struct hot_spot){ strdup("copy_page_to_iter"), 38.25 };
	p->hot[1] = (struct hot_spot){ strdup("memcpy"), 1.0 / 3 };
	p->n_hot = 2;
	p->hot_samples = 300;
	ci = synthetic_find(run, "copy_file_range", MIB, CACHE_WARM,
			    SYNC_NONE);
	assert_true(ci >= 0);
	p = &run->cells[ci].profile;
	p->on = true;
	p->copies = 10;
	p->value[PROFILE_TASK_CLOCK] = 5000;
	for (int i = PROFILE_CYCLES; i <= PROFILE_BRANCH_MISSES; i++)
		p->na[i] = strdup("not supported here");
	p->hot_why = strdup("perf is not installed");
}

static void test_json_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct run a, b;
	char path[128], path2[128], err[512], *t1, *t2;

	make_profiled(&a);
	path_in(fx, "results.json", path, sizeof(path));
	path_in(fx, "again.json", path2, sizeof(path2));
	assert_int_equal(results_write_json(&a, NULL, path), 0);
	assert_int_equal(results_read_json(path, &b, err, sizeof(err)), 0);
	assert_true(b.request.profile);
	for (size_t i = 0; i < a.n_cells; i++) {
		const struct cell_profile *x = &a.cells[i].profile;
		const struct cell_profile *y = &b.cells[i].profile;

		assert_int_equal(x->on, y->on);
		assert_int_equal(x->copies, y->copies);
		assert_memory_equal(x->value, y->value, sizeof(x->value));
		for (int k = 0; k < PROFILE_N_COUNTERS; k++) {
			assert_int_equal(!x->na[k], !y->na[k]);
			if (x->na[k])
				assert_string_equal(x->na[k], y->na[k]);
		}
		assert_int_equal(x->n_hot, y->n_hot);
		for (size_t k = 0; k < x->n_hot; k++) {
			assert_string_equal(x->hot[k].symbol, y->hot[k].symbol);
			assert_true(x->hot[k].pct == y->hot[k].pct);
		}
		assert_int_equal(x->hot_samples, y->hot_samples);
		assert_int_equal(!x->hot_why, !y->hot_why);
	}
	assert_int_equal(results_write_json(&b, NULL, path2), 0);
	t1 = test_slurp(path, NULL);
	t2 = test_slurp(path2, NULL);
	assert_string_equal(t1, t2);
	/* a count standing in for n/a would be a lie: reasons are strings */
	assert_non_null(strstr(t1, "\"cycles\": \"not supported here\""));
	free(t1);
	free(t2);
	results_free(&a);
	results_free(&b);
}

static void test_json_bad_profile(void **state)
{
	struct fixture *fx = *state;
	struct run a, b;
	char path[128], err[512], *t, *at;
	FILE *f;

	make_profiled(&a);
	path_in(fx, "bad.json", path, sizeof(path));
	assert_int_equal(results_write_json(&a, NULL, path), 0);
	results_free(&a);
	t = test_slurp(path, NULL);
	at = strstr(t, "\"syscalls\": 1009");
	assert_non_null(at);
	memcpy(at, "\"syscalls\": -1  ", 16);
	f = fopen(path, "we");
	fputs(t, f);
	fclose(f);
	free(t);
	assert_int_equal(results_read_json(path, &b, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, ".profile.counters.syscalls: expected a "
				    "count or a reason"));
}

static void test_csv_columns(void **state)
{
	struct fixture *fx = *state;
	char path[128], *csv, *row, *save = NULL;
	struct run a;
	size_t rows = 0, header_fields = 0;

	make_profiled(&a);
	path_in(fx, "results.csv", path, sizeof(path));
	assert_int_equal(synthetic_write_csv(&a, path), 0);
	csv = test_slurp(path, NULL);
	assert_non_null(strstr(csv, PROFILE_CSV_COLUMNS "\r\n"));
	for (row = strtok_r(csv, "\n", &save); row;
	     row = strtok_r(NULL, "\n", &save), rows++) {
		if (!rows) {
			for (char *c = row; *c; c++)
				header_fields += *c == ',';
			continue;
		}
		if (!strncmp(row, "rw,1048576,131072,", 18) &&
		    strstr(row, ",warm,none,")) {
			/* task-clock 1000 ns over 24 copies of 1M, in s/GiB,
			 * then 1009/24 syscalls; the hardware columns empty */
			char *tail = row + strlen(row);
			int commas = 0;

			while (tail > row && commas < PROFILE_CSV_N_COLUMNS)
				commas += *--tail == ',';
			assert_int_equal(strncmp(tail, ",4.26666667e-05,"
						 "42.0416667,42.0416667,", 38),
					 0);
			assert_non_null(strstr(tail, ",,,,\r"));
		}
	}
	assert_true(header_fields >= PROFILE_CSV_N_COLUMNS);
	free(csv);
	results_free(&a);
}

static void test_report_section(void **state)
{
	static const char *const want[] = {
		"## Profile\n",
		"Hardware counters (cycles, instructions, cache misses, "
		"branch misses): n/a",
		"### Key hot spots",
		"- **rw** 1M warm: `copy_page_to_iter` 38%, `memcpy` 0% (of "
		"300 samples)",
		"| 42.0 |", /* 1009 syscalls / 24 copies */
		"Some cells have none: perf is not installed.",
		"--profile",
		NULL
	};
	struct fixture *fx = *state;
	char path[128], *md;
	struct run a;

	make_profiled(&a);
	path_in(fx, "report.md", path, sizeof(path));
	md = synthetic_report_md(&a, path);
	test_expect_all(md, want);
	free(md);
	results_free(&a);

	/* not profiled: no section */
	assert_int_equal(synthetic_run(&a), 0);
	md = synthetic_report_md(&a, path);
	assert_null(strstr(md, "## Profile"));
	free(md);
	results_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counters_real_copy, setup,
						teardown),
		cmocka_unit_test(test_counters_off),
		cmocka_unit_test(test_add_reasons),
		cmocka_unit_test(test_fold_canned),
		cmocka_unit_test(test_unresolved_and_trim),
		cmocka_unit_test(test_fold_empty),
		cmocka_unit_test(test_top_self),
		cmocka_unit_test_setup_teardown(test_svg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_bad_profile, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_csv_columns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_report_section, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
