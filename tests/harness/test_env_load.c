// SPDX-License-Identifier: MIT
/* env_load: the other load between two marks, the disturbed verdict and
 * its sentence, and environment.load in JSON both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "env_load.h"

/* a mark then a short busy loop: the figures are there and sane */
static void test_mark_finish(void **state)
{
	struct env_load_mark m;
	struct env_load l;
	volatile double x = 0;

	(void)state;
	env_load_mark(&m);
	for (long i = 0; i < 20000000; i++)
		x += i;
	env_load_finish(&m, &l);
	assert_true(l.measured);
	assert_true(l.seconds > 0);
	assert_true(l.cpus >= 1);
	/* other_cpus is never below none, and never above every CPU by
	 * more than tick rounding */
	assert_true(l.other_cpus >= 0);
	assert_true(l.other_cpus <= l.cpus + 0.5);
	assert_true(l.loadavg_start >= 0 && l.loadavg_end >= 0);
}

static void test_disturbed(void **state)
{
	struct env_load quiet = { .measured = true,
				  .seconds = 10,
				  .other_cpus = 0.1,
				  .steal_cpus = 0.05,
				  .loadavg_start = 0.3,
				  .loadavg_end = 0.4,
				  .reported_kib = -1,
				  .cpus = 2 };
	struct env_load busy = quiet, stolen = quiet, none = { 0 };
	char why[512] = "";

	(void)state;
	busy.other_cpus = 1.5;
	stolen.steal_cpus = 0.3;
	assert_false(env_load_disturbed(&quiet, why, sizeof(why)));
	assert_false(env_load_disturbed(&none, why, sizeof(why)));
	assert_true(env_load_disturbed(&stolen, why, sizeof(why)));
	assert_true(env_load_disturbed(&busy, why, sizeof(why)));
	assert_non_null(strstr(why, "other processes kept 1.50 of 2 CPUs"));
	assert_non_null(strstr(why, "interference"));
	/* compare asks without a sentence */
	assert_true(env_load_disturbed(&busy, NULL, 0));
}

static void test_json_round_trip(void **state)
{
	struct env_load l = { .measured = true,
			      .seconds = 12.5,
			      .other_cpus = 0.75,
			      .steal_cpus = -1,
			      .loadavg_start = 1.5,
			      .loadavg_end = 2,
			      .reported_kib = 4096,
			      .cpus = 4 };
	json_t *root = json_pack("{s:{}}", "environment"), *o;
	struct env_load back;
	char why[256];

	(void)state;
	assert_int_equal(
		env_load_json_add(json_object_get(root, "environment"), &l), 0);
	o = json_object_get(json_object_get(root, "environment"), "load");
	assert_true(json_is_null(json_object_get(o, "steal_cpus")));
	assert_int_equal(env_load_json_read(root, &back, why, sizeof(why)), 0);
	assert_true(back.measured);
	assert_float_equal(back.seconds, 12.5, 1e-9);
	assert_float_equal(back.other_cpus, 0.75, 1e-9);
	assert_true(back.steal_cpus < 0);
	assert_int_equal(back.reported_kib, 4096);
	assert_int_equal(back.cpus, 4);
	/* what compare shows beside the other side's */
	assert_string_equal(back.text, "0.75 of 4 CPUs (steal 0.00)");

	/* a negative figure is refused, naming the member */
	json_object_set_new(o, "other_cpus", json_real(-2));
	assert_int_equal(env_load_json_read(root, &back, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "other_cpus"));
	json_decref(root);

	/* absent: not measured, and nothing attached when not measured */
	root = json_pack("{s:{}}", "environment");
	assert_int_equal(env_load_json_read(root, &back, why, sizeof(why)), 0);
	assert_false(back.measured);
	assert_int_equal(
		env_load_json_add(json_object_get(root, "environment"), &back),
		0);
	assert_null(
		json_object_get(json_object_get(root, "environment"), "load"));
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_finish),
		cmocka_unit_test(test_disturbed),
		cmocka_unit_test(test_json_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
