// SPDX-License-Identifier: MIT
/*
 * sweep --dir A,B in memory: a round's order over the targets, the
 * analysis's Devices rows (paired ratios, verdicts, per-target best
 * sets and advice), results.json's target members read back, and
 * compare's matching of a one-target run against a two-target one.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis.h"
#include "results.h"
#include "synthetic.h"
#include "targets.h"

#define MIB (1024ull * 1024)
#define ROUNDS 12

/* Seconds per copy: ctx points at the cell's level; a little noise. */
static double level_time(unsigned run, unsigned round, void *ctx)
{
	double level = *(const double *)ctx;
	/* the same noise every run: seeded by the round and the level */
	uint64_t st = 0x51u * (round + 1) + run + (uint64_t)(level * 1e7);

	return level * (1 + 0.01 * synthetic_normal(&st));
}

/* rw and sendfile at 1M warm on /a (2 ms, 1 ms) and /b twice as fast;
 * cells 0, 1 on /a, 2, 3 on /b. */
static double levels[4] = { 0.002, 0.001, 0.001, 0.0005 };

static void two_targets(struct run *run)
{
	static const char *const names[] = { "rw", "sendfile" };
	struct run_request *q;

	assert_int_equal(synthetic_base(run), 0);
	q = &run->request;
	q->dirs = calloc(2, sizeof(*q->dirs));
	assert_non_null(q->dirs);
	q->dirs[0] = strdup("/a");
	q->dirs[1] = strdup("/b");
	q->n_dirs = 2;
	free(q->dir);
	q->dir = strdup("/a");
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(synthetic_add(run, &(struct synthetic_cell){
			.strategy = names[i % 2], .size = MIB,
			.cache = CACHE_WARM, .rounds = ROUNDS,
			.time = level_time, .ctx = &levels[i] }), 0);
		run->cells[i].target = strdup(q->dirs[i / 2]);
	}
	run->n_targets = 2;
	run->targets = calloc(2, sizeof(*run->targets));
	assert_non_null(run->targets);
	for (size_t t = 0; t < 2; t++) {
		struct run_target *x = &run->targets[t];

		x->dir = strdup(q->dirs[t]);
		x->fs_type = strdup(t ? "tmpfs" : "ext4");
		x->mount_options = strdup("rw");
		x->device = strdup(t ? "tmpfs" : "/dev/loop0");
		x->device_model = strdup("unknown");
		x->scheduler = strdup("none");
		x->rotational = t ? -1 : 0;
	}
	assert_int_equal(results_estimate(run), 0);
}

static void test_round_order(void **state)
{
	struct run run;
	size_t order[4] = { 3, 0, 2, 1 };

	(void)state;
	two_targets(&run);
	/* round 0: /a first; the variant met first (sendfile) first */
	assert_int_equal(targets_round_order(&run, order, 4, 0), 0);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 3);
	assert_int_equal(order[2], 0);
	assert_int_equal(order[3], 2);
	/* round 1: /b first */
	assert_int_equal(targets_round_order(&run, order, 4, 1), 0);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	assert_int_equal(order[3], 0);
	/* a cell left out of the round (failed) leaves its twin alone */
	size_t three[3] = { 2, 1, 3 };

	assert_int_equal(targets_round_order(&run, three, 3, 0), 0);
	assert_int_equal(three[0], 2);
	assert_int_equal(three[1], 1);
	assert_int_equal(three[2], 3);
	results_free(&run);
}

static void test_analysis(void **state)
{
	struct run run;
	struct analysis a;
	char line[ANALYSIS_LINE_LEN];

	(void)state;
	two_targets(&run);
	assert_int_equal(analysis_build(&run, &a), 0);
	assert_int_equal(a.n_targets, 2);
	assert_int_equal(a.n_device_rows, 2);
	for (size_t r = 0; r < 2; r++) {
		const struct analysis_device_row *row = &a.device_rows[r];

		assert_true(row->have[1]);
		/* /b is twice as fast: time(/a) / time(/b) = 2 */
		assert_true(fabs(row->ratio[1] - 2) < 0.05);
		assert_true(row->lo[1] > 1.9 && row->hi[1] < 2.1);
		assert_int_equal(row->verdict[1], 1);
		assert_int_equal(targets_of_cell(&run.request,
			run.cells + row->cell[1]), 1);
	}
	/* one group per target, each with its own best (sendfile) */
	assert_int_equal(a.n_groups, 2);
	assert_int_equal(a.groups[0].target, 0);
	assert_int_equal(a.groups[1].target, 1);
	assert_int_equal(a.groups[0].best, 1);
	assert_int_equal(a.groups[1].best, 3);
	/* the summary is the first target's */
	assert_int_equal(a.sizes[0].headline, 0);
	/* advice per target, named */
	bool on_a = false, on_b = false;

	for (size_t i = 0; i < a.n_recs; i++) {
		on_a |= !strncmp(a.recs[i].text, "On `/a`: ", 9);
		on_b |= !strncmp(a.recs[i].text, "On `/b`: ", 9);
	}
	assert_true(on_a && on_b);
	analysis_devices_line(&a, 1, false, line, sizeof(line));
	assert_non_null(strstr(line, "/b (tmpfs) vs /a (ext4): faster in 2, "
				  "slower in 0, a tie in 0 of 2 variants; "
				  "median ratio "));
	assert_true(fabs(strtod(strstr(line, "ratio ") + 6, NULL) - 2) <
		    0.05);
	analysis_free(&a);
	results_free(&run);
}

static void test_json_round_trip(void **state)
{
	char dir[] = "/tmp/iobench-targets-XXXXXX", path[64], err[256];
	struct run run, back;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/results.json", dir);
	two_targets(&run);
	assert_int_equal(results_write_json(&run, NULL, path), 0);
	assert_int_equal(results_read_json(path, &back, err, sizeof(err)), 0);
	assert_int_equal(back.request.n_dirs, 2);
	assert_string_equal(back.request.dirs[1], "/b");
	assert_int_equal(back.n_targets, 2);
	assert_string_equal(back.targets[1].fs_type, "tmpfs");
	assert_int_equal(back.targets[0].rotational, 0);
	assert_int_equal(back.targets[1].rotational, -1);
	assert_int_equal(back.n_cells, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(back.cells[i].target, i < 2 ? "/a" : "/b");
	results_free(&back);
	unlink(path);
	rmdir(dir);
	results_free(&run);
}

static void test_same_cell(void **state)
{
	struct run two, one;

	(void)state;
	two_targets(&two);
	assert_int_equal(synthetic_base(&one), 0);
	assert_int_equal(synthetic_add(&one, &(struct synthetic_cell){
		.strategy = "rw", .size = MIB, .cache = CACHE_WARM,
		.rounds = ROUNDS, .time = level_time, .ctx = &levels[0] }), 0);
	free(one.request.dir);
	one.request.dir = strdup("/b");
	/* a one-target run's cell is on its --dir */
	assert_false(targets_same_cell(&one, &one.cells[0], &two,
				       &two.cells[0], 0));
	assert_true(targets_same_cell(&one, &one.cells[0], &two,
				      &two.cells[2], 0));
	assert_false(targets_same_cell(&one, &one.cells[0], &two,
				       &two.cells[3], 0));
	/* two one-target runs match whatever their directories */
	assert_true(targets_same_cell(&one, &one.cells[0], &one,
				      &one.cells[0], 0));
	results_free(&one);
	results_free(&two);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_order),
		cmocka_unit_test(test_analysis),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_same_cell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
