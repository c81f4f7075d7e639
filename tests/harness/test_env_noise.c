// SPDX-License-Identifier: MIT
/* env_noise: the machine's reference samples, their summary, and
 * environment.noise in JSON both ways. */
#include <sched.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "env_noise.h"

/* started, sampled: as many samples as taken, each the calibrated
 * number of 1 MiB copies, the spread and slowest from them */
static void test_samples(void **state)
{
	struct env_noise n;

	(void)state;
	assert_int_equal(env_noise_start(), 0);
	for (int i = 0; i < 7; i++)
		env_noise_sample(-1, NULL);
	env_noise_finish(&n);
	assert_true(n.measured);
	assert_int_equal(n.samples, 7);
	assert_true(n.repeats >= 1 && n.repeats <= 4096);
	assert_true(n.median > 0);
	assert_true(n.spread >= 0 && n.mad_rel >= 0);
	assert_true(n.max_rel >= 1);
	/* unprobed: no CPU figures */
	assert_int_equal(n.cpu_rounds, 0);
	/* finished: sampling does nothing, the next summary is empty */
	env_noise_sample(-1, NULL);
	env_noise_finish(&n);
	assert_false(n.measured);
	/* never started: not measured, nothing to free */
	env_noise_finish(&n);
	assert_false(n.measured);
}

/* whether the calling thread may run on exactly the CPUs of want */
static bool affinity_is(const cpu_set_t *want)
{
	cpu_set_t now;

	return !sched_getaffinity(0, sizeof(now), &now) &&
	       CPU_EQUAL(&now, want);
}

/* the per-round CPU choice: one of the allowed CPUs, the thread's
 * affinity given back after the probes and after a sample bound to the
 * choice, and the probes counted; one CPU allowed or not started: -1 */
static void test_pick_cpu(void **state)
{
	cpu_set_t all, one;
	struct env_noise n;
	int first = -1;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
		if (CPU_ISSET(c, &all))
			first = c;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	/* not started */
	assert_int_equal(env_noise_pick_cpu(&all, -1), -1);
	assert_int_equal(env_noise_start(), 0);
	assert_int_equal(env_noise_pick_cpu(&one, -1), -1);
	if (CPU_COUNT(&all) < 2) {
		env_noise_finish(&n);
		skip();
	}
	for (int i = 0, cur = -1; i < 5; i++) {
		cur = env_noise_pick_cpu(&all, cur);
		assert_true(cur >= 0 && CPU_ISSET(cur, &all));
		assert_true(affinity_is(&all));
		env_noise_sample(cur, &all);
		assert_true(affinity_is(&all));
	}
	env_noise_finish(&n);
	assert_true(n.measured);
	assert_int_equal(n.samples, 5);
	assert_int_equal(n.cpu_rounds, 5);
	assert_true(n.cpu_uneven <= 5);
	assert_true(n.cpu_max_ratio >= 1);
}

/* the figures of a run: 37 samples of 49 copies */
static const struct env_noise figures = { .measured = true,
					  .repeats = 49,
					  .samples = 37,
					  .median = 0.0122,
					  .spread = 0.123,
					  .mad_rel = 0.106,
					  .max_rel = 1.32 };

static void test_json_round_trip(void **state)
{
	struct env_noise n = figures, back;
	json_t *root = json_pack("{s:{}}", "environment"), *o;
	char why[256];

	(void)state;
	assert_int_equal(
		env_noise_json_add(json_object_get(root, "environment"), &n),
		0);
	o = json_object_get(json_object_get(root, "environment"), "noise");
	assert_non_null(json_string_value(json_object_get(o, "probe")));
	assert_int_equal(env_noise_json_read(root, &back, why, sizeof(why)),
			 0);
	assert_true(back.measured);
	assert_int_equal(back.repeats, 49);
	assert_int_equal(back.samples, 37);
	assert_float_equal(back.median, 0.0122, 1e-12);
	assert_float_equal(back.spread, 0.123, 1e-12);
	assert_float_equal(back.mad_rel, 0.106, 1e-12);
	assert_float_equal(back.max_rel, 1.32, 1e-12);

	/* a slowest sample faster than the median is refused */
	json_object_set_new(o, "max_rel", json_real(0.5));
	assert_int_equal(env_noise_json_read(root, &back, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "environment.noise"));
	assert_false(back.measured);
	/* the CPU probes, both ways; uneven rounds beyond the rounds are
	 * refused */
	json_object_set_new(o, "max_rel", json_real(1.32));
	n.cpu_rounds = 30;
	n.cpu_uneven = 12;
	n.cpu_max_ratio = 1.45;
	json_decref(root);
	root = json_pack("{s:{}}", "environment");
	assert_int_equal(
		env_noise_json_add(json_object_get(root, "environment"), &n),
		0);
	o = json_object_get(json_object_get(root, "environment"), "noise");
	assert_int_equal(env_noise_json_read(root, &back, why, sizeof(why)),
			 0);
	assert_int_equal(back.cpu_rounds, 30);
	assert_int_equal(back.cpu_uneven, 12);
	assert_float_equal(back.cpu_max_ratio, 1.45, 1e-12);
	json_object_set_new(json_object_get(o, "cpus"), "uneven",
			    json_integer(31));
	assert_int_equal(env_noise_json_read(root, &back, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "environment.noise.cpus"));
	assert_false(back.measured);
	/* a missing member too */
	json_object_del(o, "spread");
	assert_int_equal(env_noise_json_read(root, &back, why, sizeof(why)),
			 -EINVAL);
	json_decref(root);

	/* absent: not measured, and nothing attached when not measured */
	root = json_pack("{s:{}}", "environment");
	assert_int_equal(env_noise_json_read(root, &back, why, sizeof(why)),
			 0);
	assert_false(back.measured);
	assert_int_equal(
		env_noise_json_add(json_object_get(root, "environment"), &back),
		0);
	assert_null(
		json_object_get(json_object_get(root, "environment"), "noise"));
	json_decref(root);
}

/* the report's row: the figures, and nothing when not measured */
static void test_markdown_row(void **state)
{
	struct env_noise n = figures, none = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	env_noise_markdown_row(f, &none);
	fflush(f);
	assert_int_equal(len, 0);
	env_noise_markdown_row(f, &n);
	fclose(f);
	assert_non_null(strstr(buf, "| the machine's own steadiness |"));
	assert_non_null(strstr(buf, "37 reference samples"));
	assert_non_null(strstr(buf, "49 x 1 MiB"));
	assert_non_null(strstr(buf, "IQR 12.3% of the median"));
	assert_non_null(strstr(buf, "robust SD 10.6%"));
	assert_non_null(strstr(buf, "slowest 1.32x"));
	assert_true(strlen(buf) < 200);
	/* no CPU row without probes */
	assert_null(strstr(buf, "the CPUs' speeds"));
	free(buf);
	buf = NULL;
	n.cpu_rounds = 30;
	n.cpu_uneven = 12;
	n.cpu_max_ratio = 1.45;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	env_noise_markdown_row(f, &n);
	fclose(f);
	assert_non_null(strstr(buf, "| the CPUs' speeds | probed before each "
				    "of 30 rounds (each ran on the fastest): "
				    "one 10% or more slower in 12, at most "
				    "1.45x |"));
	assert_true(strlen(strstr(buf, "| the CPUs'")) < 200);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_pick_cpu),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_markdown_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
