// SPDX-License-Identifier: MIT
/*
 * env_storage_*: the storage probes read what sysfs and procfs say on
 * this machine, the JSON round trip (alone and inside results.json),
 * older results.json files without the storage facts still load, and
 * defects are refused. With a DIR argument it writes a results.json
 * carrying storage facts into DIR instead (for the schema check).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "env_storage.h"
#include "fmt.h"
#include "results.h"
#include "synthetic.h"

static const char *test_dir(void)
{
	const char *d = getenv("IOBENCH_TEST_DIR");

	return d ? d : "/var/tmp";
}

static long long proc_number(const char *path)
{
	FILE *f = fopen(path, "re");
	long long v = -1;

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void probe_reads_this_machine(void **state)
{
	struct env_storage s;
	char buf[256];
	FILE *f;

	(void)state;
	assert_int_equal(env_storage_probe(test_dir(), &s), 0);
	assert_true(s.probed);
	assert_int_equal(s.dirty_ratio,
			 proc_number("/proc/sys/vm/dirty_ratio"));
	assert_int_equal(s.dirty_background_bytes,
			 proc_number("/proc/sys/vm/dirty_background_bytes"));
	assert_int_equal(s.dirty_expire_centisecs,
			 proc_number("/proc/sys/vm/dirty_expire_centisecs"));
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
	if (f) {
		assert_non_null(fgets(buf, sizeof(buf), f));
		fclose(f);
		assert_non_null(s.thp_enabled);
		assert_non_null(strstr(buf, s.thp_enabled));
		assert_non_null(strchr(buf, '['));
	}
	assert_true(s.rotational >= -1 && s.rotational <= 1);
	assert_true(s.balloon >= -1 && s.balloon <= 1);
	assert_int_equal(s.reclaim_idle_s, env_storage_reclaim_idle("/sys"));
	assert_int_equal(s.reporting_order,
			 proc_number("/sys/module/page_reporting/parameters/"
				     "page_reporting_order"));
	assert_int_equal(s.reporting_min_free_ms,
			 proc_number("/sys/module/page_reporting/parameters/"
				     "min_free_ms"));
	assert_true(s.reflink >= -1 && s.reflink <= 1);
#if defined(__x86_64__) || defined(__i386__)
	assert_non_null(s.virtualization); /* CPUID always answers */
#endif
	/* a directory on a block device has its queue read */
	if (s.block_device) {
		assert_true(s.read_ahead_kb >= 0);
		assert_true(s.max_sectors_kb > 0);
		assert_true(s.nr_requests > 0);
		assert_non_null(s.device_chain);
		assert_true(!strncmp(s.device_chain, s.block_device,
				     strlen(s.block_device)));
	}
	if (s.reflink == 0)
		assert_non_null(s.reflink_why);
	env_storage_free(&s);
	assert_false(s.probed);

	/* no block device, no reflink: unknown, never an error */
	assert_int_equal(env_storage_probe("/proc", &s), 0);
	assert_null(s.block_device);
	assert_int_equal(s.read_ahead_kb, -1);
	assert_int_equal(s.ext4_journal, -1);
	env_storage_free(&s);
}

/* Every member set, unknowns included, so the round trip sees them all. */
static void fill(struct env_storage *s)
{
	memset(s, 0, sizeof(*s));
	s->probed = true;
	s->block_device = strdup("loop3");
	s->device_chain = strdup("loop3 -> vda");
	s->read_ahead_kb = 128;
	s->max_sectors_kb = 1280;
	s->max_hw_sectors_kb = -1;
	s->nr_requests = 256;
	s->queue_depth = 128;
	s->hw_queues = 2;
	s->write_cache = strdup("write back");
	s->rotational = 0;
	s->discard_max_bytes = 0;
	s->virtualization = strdup("kvm");
	s->container = NULL;
	s->balloon = 1;
	s->reporting_order = 9;
	s->reporting_min_free_ms = -1;
	s->reclaim_idle_s = 60;
	s->thp_enabled = strdup("madvise");
	s->thp_defrag = strdup("never");
	s->dirty_ratio = 20;
	s->dirty_bytes = 0;
	s->dirty_background_ratio = 10;
	s->dirty_background_bytes = 0;
	s->dirty_expire_centisecs = 3000;
	s->dirty_writeback_centisecs = 500;
	s->ext4_journal = 0;
	s->reflink = 0;
	s->reflink_why = strdup("FICLONE: not supported by ext4");
}

static void assert_same(const struct env_storage *a,
			const struct env_storage *b)
{
	json_t *ja = env_storage_to_json(a), *jb = env_storage_to_json(b);

	assert_non_null(ja);
	assert_non_null(jb);
	if (!json_equal(ja, jb)) {
		char *x = json_dumps(ja, 0), *y = json_dumps(jb, 0);

		fail_msg("differ:\n%s\n%s", x, y);
	}
	assert_int_equal(a->max_hw_sectors_kb, b->max_hw_sectors_kb);
	assert_int_equal(a->balloon, b->balloon);
	assert_int_equal(a->reclaim_idle_s, b->reclaim_idle_s);
	assert_int_equal(a->reporting_order, b->reporting_order);
	assert_int_equal(a->reporting_min_free_ms, b->reporting_min_free_ms);
	json_decref(ja);
	json_decref(jb);
}

static void json_round_trip_keeps_unknowns(void **state)
{
	struct env_storage s, back;
	char why[256];
	json_t *j;

	(void)state;
	fill(&s);
	j = env_storage_to_json(&s);
	assert_true(json_is_null(json_object_get(j, "max_hw_sectors_kb")));
	assert_true(json_is_null(json_object_get(j, "container")));
	assert_int_equal(env_storage_from_json(j, &back, why, sizeof(why)), 0);
	assert_same(&s, &back);
	assert_int_equal(back.max_hw_sectors_kb, -1);
	assert_null(back.container);
	json_decref(j);
	env_storage_free(&back);

	/* an object with none of the members: everything unknown */
	j = json_object();
	assert_int_equal(env_storage_from_json(j, &back, why, sizeof(why)), 0);
	assert_true(back.probed);
	assert_int_equal(back.read_ahead_kb, -1);
	assert_int_equal(back.reflink, -1);
	assert_null(back.thp_enabled);
	json_decref(j);
	env_storage_free(&back);
	env_storage_free(&s);
}

static void json_reader_refuses_defects(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"read_ahead_kb\": \"128\"}",
		"{\"read_ahead_kb\": -5}",
		"{\"balloon\": 2}",
		"{\"reclaim_idle_s\": -60}",
		"{\"thp_enabled\": 7}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		json_t *j = json_loads(bad[i], 0, NULL);
		struct env_storage s;
		char why[256] = "";

		assert_non_null(j);
		if (env_storage_from_json(j, &s, why, sizeof(why)) != -EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_true(why[0]);
		assert_null(s.block_device);
		json_decref(j);
	}
}

/* Writes text into root/rel, its directories made. */
static void put(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX], cmd[2 * PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "we");
	assert_non_null(f);
	fprintf(f, "%s\n", text);
	assert_int_equal(fclose(f), 0);
}

#define KD "kernel/mm/damon/admin/kdamonds/"

/* The report's environment rows of s, as text in row. */
static void markdown_rows(const struct env_storage *s, char *row, size_t len)
{
	FILE *f = fmemopen(row, len, "w");
	size_t n;

	assert_non_null(f);
	env_storage_markdown_rows(f, s);
	n = ftell(f);
	fclose(f);
	row[n < len ? n : len - 1] = '\0';
}

/* A running kdamond's pageout scheme, as a VM host's: the fewest
 * seconds idle it evicts after; stopped kdamonds and other actions do
 * not count; damon_reclaim's min_age does. */
static void reclaim_idle_reads_damon(void **state)
{
	char root[PATH_MAX], cmd[PATH_MAX + 16], row[4096], want[160];
	char block[FMT_LEN];
	struct env_storage s;

	(void)state;
	snprintf(root, sizeof(root), "%s/iobench-damon-XXXXXX", test_dir());
	assert_non_null(mkdtemp(root));
	assert_int_equal(env_storage_reclaim_idle(root), -1);
	/* kdamond 0 on: 12 intervals of 5 s, pageout */
	put(root, KD "0/state", "on");
	put(root, KD "0/contexts/0/monitoring_attrs/intervals/aggr_us",
	    "5000000");
	put(root, KD "0/contexts/0/schemes/0/action", "stat");
	put(root, KD "0/contexts/0/schemes/0/access_pattern/age/min", "1");
	assert_int_equal(env_storage_reclaim_idle(root), -1);
	put(root, KD "0/contexts/0/schemes/1/action", "pageout");
	put(root, KD "0/contexts/0/schemes/1/access_pattern/age/min", "12");
	assert_int_equal(env_storage_reclaim_idle(root), 60);
	/* kdamond 1 would evict sooner, but is off */
	put(root, KD "1/state", "off");
	put(root, KD "1/contexts/0/monitoring_attrs/intervals/aggr_us",
	    "1000000");
	put(root, KD "1/contexts/0/schemes/0/action", "pageout");
	put(root, KD "1/contexts/0/schemes/0/access_pattern/age/min", "3");
	assert_int_equal(env_storage_reclaim_idle(root), 60);
	put(root, KD "1/state", "on");
	assert_int_equal(env_storage_reclaim_idle(root), 3);
	put(root, KD "1/state", "off");
	/* the damon_reclaim module, enabled, 30 s */
	put(root, "module/damon_reclaim/parameters/min_age", "30000000");
	put(root, "module/damon_reclaim/parameters/enabled", "N");
	assert_int_equal(env_storage_reclaim_idle(root), 60);
	put(root, "module/damon_reclaim/parameters/enabled", "Y");
	assert_int_equal(env_storage_reclaim_idle(root), 30);

	/* the report's row says it, or that none was found */
	memset(&s, 0, sizeof(s));
	fill(&s);
	markdown_rows(&s, row, sizeof(row));
	assert_non_null(strstr(row, "| proactive reclaim | DAMON pages out "
				    "page-cache pages idle 60 s or more"));
	s.reclaim_idle_s = -1;
	markdown_rows(&s, row, sizeof(row));
	assert_non_null(strstr(row, "| proactive reclaim | none found |"));
	/* free page reporting: its smallest block (order 9: 2 MiB of 4 KiB
	 * pages), and its delay if any */
	fmt_bytes((uint64_t)sysconf(_SC_PAGESIZE) << 9, block, sizeof(block));
	snprintf(want, sizeof(want),
		 "free page reporting on (free blocks of %s and more go back "
		 "to the host; ",
		 block);
	assert_non_null(strstr(row, want));
	assert_false(env_storage_reporting_soon(&s)); /* no min_free_ms */
	s.reporting_min_free_ms = 0;
	markdown_rows(&s, row, sizeof(row));
	assert_non_null(strstr(row, "to the host once free 0 ms; "));
	/* handed back at once: the report warns, doctor too */
	assert_true(env_storage_reporting_soon(&s));
	s.reporting_min_free_ms = ENV_REPORTING_QUIET_MS - 1;
	assert_true(env_storage_reporting_soon(&s));
	s.reporting_min_free_ms = ENV_REPORTING_QUIET_MS;
	assert_false(env_storage_reporting_soon(&s));
	s.reporting_min_free_ms = 0;
	s.balloon = 0;
	assert_false(env_storage_reporting_soon(&s));
	env_storage_free(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* Writes the synthetic run with storage facts as DIR/results.json. */
static int write_with_storage(const char *dir, char *path, size_t len)
{
	struct run run;
	int ret;

	if (synthetic_run(&run))
		return -ENOMEM;
	fill(&run.env.storage);
	snprintf(path, len, "%s/results.json", dir);
	ret = results_write_json(&run, NULL, path);
	results_free(&run);
	return ret;
}

static void results_json_carries_storage(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], err[512], cmd[3 * PATH_MAX];
	struct env_storage want;
	struct run run;
	json_t *doc;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/iobench-envst-XXXXXX", test_dir());
	assert_non_null(mkdtemp(dir));
	assert_int_equal(write_with_storage(dir, path, sizeof(path)), 0);
	assert_int_equal(results_read_json(path, &run, err, sizeof(err)), 0);
	fill(&want);
	assert_true(run.env.storage.probed);
	assert_same(&want, &run.env.storage);
	results_free(&run);

	/* written before the storage facts existed: loads, not probed */
	doc = json_load_file(path, 0, NULL);
	assert_non_null(doc);
	json_object_del(json_object_get(doc, "environment"), "storage");
	assert_int_equal(json_dump_file(doc, path, 0), 0);
	assert_int_equal(results_read_json(path, &run, err, sizeof(err)), 0);
	assert_false(run.env.storage.probed);
	assert_null(run.env.storage.block_device);
	results_free(&run);

	/* a defect inside it is named */
	json_object_set_new(json_object_get(doc, "environment"), "storage",
			    json_pack("{s:s}", "hw_queues", "two"));
	assert_int_equal(json_dump_file(doc, path, 0), 0);
	assert_int_equal(results_read_json(path, &run, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "environment.storage"));
	assert_non_null(strstr(err, "hw_queues"));
	json_decref(doc);
	env_storage_free(&want);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_reads_this_machine),
		cmocka_unit_test(json_round_trip_keeps_unknowns),
		cmocka_unit_test(json_reader_refuses_defects),
		cmocka_unit_test(reclaim_idle_reads_damon),
		cmocka_unit_test(results_json_carries_storage),
	};
	char path[PATH_MAX + 32];

	if (argc == 2) {
		int ret = write_with_storage(argv[1], path, sizeof(path));

		if (ret)
			fprintf(stderr, "test_env_storage: %s: %s\n", argv[1],
				strerror(-ret));
		return ret ? 1 : 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
