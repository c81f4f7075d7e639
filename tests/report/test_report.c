// SPDX-License-Identifier: MIT
/*
 * The results model and its writers on a synthetic run with known
 * samples: CSV shape, report.md content, atomic writes, and the
 * environment probe on this machine (results.json: test_results_json.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "env.h"
#include "files.h"
#include "report.h"
#include "strategies.h"
#include "synthetic.h"

#define MIB (1024ull * 1024)
#define CSV_COLUMNS 61
/* a no-break space: report.md keeps a figure and its CI together */
#define NB "\xc2\xa0"

static void spit(const char *path, const char *text)
{
	assert_int_equal(results_write_file_atomic(path, text, strlen(text)),
			 0);
}

/* ---- results.c ---- */

static void test_names_and_figures(void **state)
{
	enum cache_mode cm;
	enum sync_mode sm;
	enum cell_status st;
	struct cell c = { .size = 4096, .batch = 4 };
	struct sample s[2] = { { .seconds = 0.004, .src_pages = 4,
				 .src_resident_after = 2,
				 .dst = { .cached = 4, .dirty = -1 } },
			       { .seconds = 0.008, .src_pages = 4,
				 .src_resident_after = 4,
				 .dst = { .cached = 0, .dirty = -1 } } };
	double *x;

	(void)state;
	assert_string_equal(cache_mode_name(CACHE_COLD), "cold");
	assert_string_equal(sync_mode_name(SYNC_END), "end");
	assert_string_equal(cell_status_name(CELL_SKIPPED), "skipped");
	assert_int_equal(cache_mode_parse("warm", &cm), 0);
	assert_int_equal(cm, CACHE_WARM);
	assert_int_equal(sync_mode_parse("none", &sm), 0);
	assert_int_equal(sm, SYNC_NONE);
	assert_int_equal(cell_status_parse("failed", &st), 0);
	assert_int_equal(st, CELL_FAILED);
	assert_int_equal(cache_mode_parse("tepid", &cm), -EINVAL);
	assert_int_equal(sync_mode_parse("", &sm), -EINVAL);

	assert_true(fabs(results_mib_s(100 * MIB, 0.5) - 200) < 1e-9);
	assert_true(results_mib_s(MIB, 0) == 0);

	c.samples = s;
	c.n_samples = 2;
	x = results_per_copy(&c);
	assert_non_null(x);
	assert_true(fabs(x[0] - 0.001) < 1e-15 && fabs(x[1] - 0.002) < 1e-15);
	free(x);
	assert_true(fabs(results_sample_pct(&c, RESULTS_SRC_RESIDENT_AFTER) -
			 75) < 1e-9);
	assert_true(fabs(results_sample_pct(&c, RESULTS_DST_CACHED) - 50) <
		    1e-9);
	assert_true(isnan(results_sample_pct(&c, RESULTS_DST_DIRTY)));
}

static void test_tunables_desc(void **state)
{
	struct cell c = { .strategy = "io_uring" };
	char out[160];

	(void)state;
	assert_int_equal(cell_set_strategy(&c, &strategy_io_uring), 0);
	cell_set_tunable(&c, "buffer", MIB);
	cell_set_tunable(&c, "qd", 8);
	cell_set_tunable(&c, "direct", 1);
	assert_string_equal(cell_tunables_desc(&c, out, sizeof(out)),
			    "buf 1M, qd 8, direct");	/* sqpoll off */
	cell_set_tunable(&c, "direct", 0);
	cell_set_tunable(&c, "sqpoll", 1);
	assert_string_equal(cell_tunables_desc(&c, out, sizeof(out)),
			    "buf 1M, qd 8, sqpoll");
	/* an option the strategy lacks cannot be set */
	assert_int_equal(cell_set_tunable(&c, "nosuch", 1), -ENOENT);
	c.threads = 2;
	c.parallel = PARALLEL_RANGES;
	assert_string_equal(cell_tunables_desc(&c, out, sizeof(out)),
			    "buf 1M, qd 8, sqpoll, 2 threads by ranges (none)");
	assert_string_equal(cell_options_desc(&c, out, sizeof(out)),
			    "buf 1M, qd 8, sqpoll");
	assert_string_equal(cell_key(&c, out, sizeof(out)),
			    "io_uring 0 buffer=1M qd=8 direct=no sqpoll=yes "
			    "warm sync=none random threads=2/ranges "
			    "prealloc=none");
	c = (struct cell){ .strategy = "sendfile" };
	assert_int_equal(cell_set_strategy(&c, &strategy_sendfile), 0);
	assert_string_equal(cell_tunables_desc(&c, out, sizeof(out)), "-");
	assert_string_equal(cell_label(&c, out, sizeof(out)), "`sendfile`");
}

static void test_free_zeroed_and_warnings(void **state)
{
	struct run run = { 0 };

	(void)state;
	results_free(&run);	/* must not crash */
	results_add_warning(&run, "governor is %s", "powersave");
	results_add_warning(&run, "%d cells failed", 3);
	assert_int_equal(run.n_warnings, 2);
	assert_string_equal(run.warnings[1], "3 cells failed");
	results_free(&run);
	assert_int_equal(run.n_warnings, 0);
	assert_null(run.warnings);
}

static void test_estimate_per_copy(void **state)
{
	struct synthetic_fixture *fx = *state;
	int i = synthetic_find(&fx->run, "rw", MIB, CACHE_WARM, SYNC_NONE);
	const struct cell *c = &fx->run.cells[i];

	assert_true(i >= 0);
	/* samples hold whole batches; estimates are per copy */
	assert_int_equal(c->batch, SYN_BATCH_1M);
	assert_int_equal(c->est.n, 8);
	assert_true(fabs(c->est.median - SYN_RW_1M_WARM) < 1e-12);
	assert_true(c->est.median_lo <= c->est.median &&
		    c->est.median <= c->est.median_hi);
	i = synthetic_find(&fx->run, "reflink", MIB, CACHE_WARM, SYNC_NONE);
	assert_int_equal(fx->run.cells[i].est.n, 0);
}

/* Files in dir whose name starts with prefix. */
static int count_files(const char *dir, const char *prefix)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static void test_write_atomic(void **state)
{
	struct synthetic_fixture *fx = *state;
	char path[256], bad[300];
	struct stat st;
	char *text;

	synthetic_path(fx, "a.txt", path, sizeof(path));
	spit(path, "first version, longer than the second\n");
	spit(path, "second\n");
	text = test_slurp(path, NULL);
	assert_string_equal(text, "second\n");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_files(fx->dir, "a.txt.tmp"), 0);
	assert_int_equal(results_write_file_atomic(path, "", 0), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);

	snprintf(bad, sizeof(bad), "%s/missing/x.json", fx->dir);
	assert_int_equal(results_write_file_atomic(bad, "x", 1), -ENOENT);
	/* the target is a directory: rename fails, the temp file goes */
	synthetic_path(fx, "sub", path, sizeof(path));
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(bad, sizeof(bad), "%s/sub2", fx->dir);
	assert_int_equal(mkdir(bad, 0755), 0);
	snprintf(bad, sizeof(bad), "%s/sub2/f", fx->dir);
	assert_int_equal(mkdir(bad, 0755), 0);
	snprintf(bad, sizeof(bad), "%s/sub2", fx->dir);
	assert_int_equal(results_write_file_atomic(bad, "x", 1), -EISDIR);
	assert_int_equal(count_files(fx->dir, "sub2.tmp"), 0);
	snprintf(bad, sizeof(bad), "%s/sub2/f", fx->dir);
	rmdir(bad);
	snprintf(bad, sizeof(bad), "%s/sub2", fx->dir);
	rmdir(bad);
	rmdir(path);
}

/* ---- csv.c ---- */

/* Fields in one RFC 4180 record starting at *p; *p moves past its CRLF. */
static int csv_fields(const char **p)
{
	const char *s = *p;
	bool quoted = false;
	int n = 1;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;	/* "" toggles twice */
		else if (!quoted && *s == ',')
			n++;
		else if (!quoted && *s == '\r' && s[1] == '\n')
			break;
	}
	assert_false(quoted);
	assert_true(*s == '\r');
	*p = s + 2;
	return n;
}

static void test_csv(void **state)
{
	struct synthetic_fixture *fx = *state;
	const char *p;
	char path[256];
	char *text;
	size_t rows = 0;

	synthetic_path(fx, "results.csv", path, sizeof(path));
	assert_int_equal(synthetic_write_csv(&fx->run, path), 0);
	text = test_slurp(path, NULL);
	assert_true(!strncmp(text, "strategy,size,buffer_size,queue_depth,"
			     "direct,sqpoll,cache,sync,content,batch,status,"
			     "reason,n,median_s,", 74));
	for (p = text; *p; rows++)
		assert_int_equal(csv_fields(&p), CSV_COLUMNS);
	assert_int_equal(rows, fx->run.n_cells + 1);
	/* a reason with a comma and quotes is quoted, quotes doubled */
	assert_non_null(strstr(text, ",skipped,\"FICLONE: not supported by "
			       "ext4, \"\"skipped\"\"\",0,"));
	/* rw 1M warm: 500 MiB/s median, 4 files per sample */
	/* rw reads a buffer only: qd, direct and sqpoll are empty */
	assert_non_null(strstr(text, "rw,1048576,131072,,,,warm,none,"
			       "random,4,ok,,8,0.002,"));
	free(text);
}

/* ---- report.c ---- */

static char *write_report(struct synthetic_fixture *fx)
{
	char path[256];

	synthetic_path(fx, "report.md", path, sizeof(path));
	return synthetic_report_md(&fx->run, path);
}

static void assert_contains(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("report.md lacks '%s'", needle);
}

static void test_report_sections(void **state)
{
	static const char *const headings[] = {
		"# iobench report: run 20261129-181500-ab12\n",
		"\n## Executive summary\n", "\n## Environment\n",
		"\n## Size 1M\n", "\n## Size 100M\n",
		"\n## Page-cache effects\n", "\n## Memory\n",
		"\n### Allocations and RSS of the timed copy\n",
		"\n## Verification\n", "\n## Recommendations\n",
		"\n## Warnings\n", "\n## Skipped and failed cells\n",
		"\n## Reproduce\n",
	};
	struct synthetic_fixture *fx = *state;
	char *md = write_report(fx);
	const char *prev = md;

	/* every heading, in this order */
	for (size_t i = 0; i < sizeof(headings) / sizeof(headings[0]); i++) {
		const char *at = strstr(prev, headings[i]);

		if (!at)
			fail_msg("missing or out of order: %s", headings[i]);
		prev = at;
	}
	free(md);
}

static void test_report_figures(void **state)
{
	struct synthetic_fixture *fx = *state;
	char *md = write_report(fx);

	/* best at 1M: copy_file_range, per-round times of rw / cfr */
	assert_contains(md, "| 1M | warm | `copy_file_range` | 1250" NB "[1210,"
			NB "1290] | 2.50x" NB "[2.50," NB "2.50] |");
	assert_contains(md, "- 1M (warm): `copy_file_range` is fastest; 2.50x "
			"[2.50, 2.50] faster than `rw`.");
	assert_contains(md, "**Uncertainty**: CIs are within-run");
	/* the per-size table: bold best set, paired speed-up, spread, n */
	assert_contains(md, "### 1M, warm\n\n| strategy | tunables | MiB/s "
			"[95% CI] | vs `rw` [95% CI] | CPU s/GiB | spread | n "
			"|\n|---|---|---:|---:|---:|---:|---:|\n| "
			"**`copy_file_range`** | - | 1250" NB "[1210," NB "1290] "
			"| 2.50x" NB "[2.50," NB "2.50] | 0.410 | 0% (2.50%) | "
			"8 |");
	/* the fixture's cells all move alike from round to round: their
	 * spread is the rounds', none their own */
	assert_contains(md, "in brackets as measured where that differs. "
			"The rounds' effects spread (IQR / median): warm ");
	assert_contains(md, "| `rw` | buf 128K | 500" NB "[485," NB "515] | "
			"baseline |");
	assert_contains(md, "### 1M, warm, fdatasync at end\n\n");
	assert_contains(md, "| **`rw`** | buf 128K | 100" NB "[97.1," NB "103] "
			"| baseline |");
	/* ranked and merged recommendations */
	assert_contains(md, "**High**: Use `copy_file_range` for 1M and 100M "
			"files: 2.50x `rw` at 1M warm (1.22 GiB/s vs 500 "
			"MiB/s; 95% CI [2.50, 2.50]); 1.25x `rw` at 1M cold");
	assert_contains(md, "**Medium**: To keep the page cache for other "
			"work, use `odirect` for 1M and 100M files");
	assert_contains(md, "**Low**: Keep 128K buffers for `rw`: 1M buffers "
			"change its speed by less than 2% for 1M files");
	/* observations apart from recommendations */
	assert_contains(md, "### Observations\n\n- Cold copies (source not "
			"cached) are much slower for 1M files");
	/* page cache: one line per mode, only the odd ones named */
	assert_contains(md, "- **1M, warm**: source 100% cached after the copy; "
			"destination 100% cached (75.0% dirty), except "
			"`odirect` 0%.");
	assert_contains(md, "| 1M | `rw` (buf 128K) | warm | 500" NB "[485," NB
			"515] | 100" NB "[97.1," NB "103] | 5.00x" NB "[5.00,"
			NB "5.00] |");
	assert_contains(md, "Peak RSS of a sample process: 2.00 MiB to 2.10 "
			"MiB, alike for every strategy.");
	assert_contains(md, "242 copies, all identical");
	/* warnings: one table, one sentence per kind */
	assert_contains(md, "| `copy_file_range`, 1M cold | slow first copy | "
			"3.00x the median |");
	assert_contains(md, "| `copy_file_range`, 1M cold | cache check failed "
			"| 1 of 8 samples |");
	assert_contains(md, "| `odirect` (buf 128K), 1M cold | few samples | 5 "
			"samples |");
	assert_contains(md, "| `odirect` (buf 128K), 100M cold | noisy | IQR "
			"47.5% of the median |");
	assert_contains(md, "- **noisy**: The middle half");
	assert_contains(md, "governor is `powersave`");
	assert_contains(md, "- scratch space was nearly full\n");
	assert_contains(md, "| `copy_file_range` | - | 100M | cold | none | "
			"failed | No space left on device |");
	assert_contains(md, "| rw,relatime\\|odd |");	/* pipe escaped */
	assert_contains(md, "| sparse sources (--sparse) | auto: a source "
			"that looks sparse keeps its holes");
	assert_contains(md, "iobench sweep --sizes 1M,100M --strategies "
			"rw,copy_file_range,odirect,reflink --buffers 128K,1M "
			"--qd 32 --cache warm,cold --sync none,end --content "
			"random --sparse auto --samples 8 --timeout 60 --budget 2.5 --seed "
			"18446744073709551557 --dir '/tmp/my dir' --out "
			"results --no-limits --reference none\n```\n");
	free(md);
}

/* A run where nothing was measured still gives a whole report. */
static void test_report_empty_run(void **state)
{
	struct synthetic_fixture *fx = *state;
	struct run empty = { 0 };
	char path[256];
	char *md;

	synthetic_path(fx, "empty.md", path, sizeof(path));
	md = synthetic_report_md(&empty, path);
	assert_contains(md, "## Recommendations\n\nNo rule fired");
	assert_contains(md, "## Skipped and failed cells\n\nNone");
	free(md);
}

/* ---- env.c ---- */

static bool power_of_two(unsigned v)
{
	return v && !(v & (v - 1));
}

static void test_env_probe(void **state)
{
	struct synthetic_fixture *fx = *state;
	struct environment e;
	struct utsname u;

	assert_int_equal(env_probe(fx->dir, &e), 0);
	assert_int_equal(uname(&u), 0);
	assert_string_equal(e.hostname, u.nodename);
	assert_true(!strncmp(e.kernel, u.release, strlen(u.release)));
	assert_true(e.pus >= 1 && e.pus >= e.cores);
	assert_true(e.mem_total > 0);
	assert_true(strcmp(e.fs_type, "") != 0);
	assert_true(!strcmp(e.cache_probe, "cachestat") ||
		    !strcmp(e.cache_probe, "mincore"));
	assert_true(power_of_two(e.dio_mem_align));
	assert_true(power_of_two(e.dio_offset_align));
	assert_true(e.rotational >= -1 && e.rotational <= 1);
	assert_non_null(e.mount_options);
	assert_string_equal(e.governor, env_governor());
	results_free_environment(&e);

	/* a directory that does not exist: unknowns, never a failure */
	assert_int_equal(env_probe("/nonexistent/iobench", &e), 0);
	assert_string_equal(e.fs_type, "unknown");
	assert_string_equal(e.device, "unknown");
	assert_int_equal(e.rotational, -1);
	results_free_environment(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_figures),
		cmocka_unit_test(test_tunables_desc),
		cmocka_unit_test(test_free_zeroed_and_warnings),
		cmocka_unit_test_setup_teardown(test_estimate_per_copy,
						synthetic_setup,
						synthetic_teardown),
		cmocka_unit_test_setup_teardown(
			test_write_atomic, synthetic_setup, synthetic_teardown),
		cmocka_unit_test_setup_teardown(test_csv, synthetic_setup,
						synthetic_teardown),
		cmocka_unit_test_setup_teardown(test_report_sections,
						synthetic_setup,
						synthetic_teardown),
		cmocka_unit_test_setup_teardown(test_report_figures,
						synthetic_setup,
						synthetic_teardown),
		cmocka_unit_test_setup_teardown(test_report_empty_run,
						synthetic_setup,
						synthetic_teardown),
		cmocka_unit_test_setup_teardown(test_env_probe, synthetic_setup,
						synthetic_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
