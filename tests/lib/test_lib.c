// SPDX-License-Identifier: MIT
/*
 * The shared helpers of lib/: number formatting, lists, growable arrays,
 * shell quoting and $PATH lookup, table-driven.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "array.h"
#include "clock.h"
#include "fmt.h"
#include "mem_free.h"
#include "path.h"
#include "shell.h"
#include "strlist.h"

static void test_fmt_sig(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0, "0" }, { 1, "1.00" }, { 1.5, "1.50" }, { 56.84, "56.8" },
		{ 0.12345, "0.123" }, { 4499, "4500" }, { 999.7, "1000" },
		{ 99.96, "100" }, { 1234567, "1230000" }, { -5.94, "-5.94" },
		{ 0.0004567, "0.000457" }, { NAN, "-" }, { INFINITY, "-" },
	};
	char out[FMT_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(fmt_sig(cases[i].v, out, sizeof(out)),
				    cases[i].want);
}

static void test_fmt_units(void **state)
{
	char out[FMT_LEN];

	(void)state;
	assert_string_equal(fmt_bytes(12, out, sizeof(out)), "12 B");
	assert_string_equal(fmt_bytes(131072, out, sizeof(out)), "128 KiB");
	assert_string_equal(fmt_bytes(1572864, out, sizeof(out)), "1.50 MiB");
	assert_string_equal(fmt_bytes(117776399, out, sizeof(out)),
			    "112 MiB");
	assert_string_equal(fmt_bytes(1048575, out, sizeof(out)), "1.00 MiB");
	assert_string_equal(fmt_size(1537, out, sizeof(out)), "1537");
	assert_string_equal(fmt_size(4096, out, sizeof(out)), "4K");
	assert_string_equal(fmt_size(100ull << 20, out, sizeof(out)), "100M");
	assert_string_equal(fmt_size(0, out, sizeof(out)), "0");
	assert_string_equal(fmt_rate(56.84, out, sizeof(out)), "56.8 MiB/s");
	assert_string_equal(fmt_rate(0.4, out, sizeof(out)), "410 KiB/s");
	assert_string_equal(fmt_rate(3154, out, sizeof(out)), "3.08 GiB/s");
	assert_string_equal(fmt_rate(NAN, out, sizeof(out)), "-");
	assert_string_equal(fmt_seconds(423e-6, out, sizeof(out)), "423 µs");
	assert_string_equal(fmt_seconds(0.00152, out, sizeof(out)), "1.52 ms");
	assert_string_equal(fmt_seconds(2.1, out, sizeof(out)), "2.10 s");
	assert_string_equal(fmt_seconds(850e-9, out, sizeof(out)), "850 ns");
	assert_string_equal(fmt_duration(0.2, out, sizeof(out)), "1 s");
	assert_string_equal(fmt_duration(44.6, out, sizeof(out)), "45 s");
	assert_string_equal(fmt_duration(119.4, out, sizeof(out)), "119 s");
	assert_string_equal(fmt_duration(729, out, sizeof(out)), "12 min");
	assert_string_equal(fmt_duration(7199, out, sizeof(out)), "120 min");
	assert_string_equal(fmt_duration(7530, out, sizeof(out)), "2 h 06 min");
	assert_string_equal(fmt_duration(NAN, out, sizeof(out)), "-");
	assert_string_equal(fmt_pct(12.04, out, sizeof(out)), "12.0%");
	assert_string_equal(fmt_pct(-3.14, out, sizeof(out)), "-3.14%");
	/* a rate and its interval, in the median's unit */
	assert_string_equal(fmt_rate_ci(1250, 1210, 1290, out, sizeof(out)),
			    "1.22 [1.18, 1.26] GiB/s");
	assert_string_equal(fmt_rate_ci(56.8, 40, 61.25, out, sizeof(out)),
			    "56.8 [40.0, 61.3] MiB/s");
	assert_string_equal(fmt_rate_ci(0.5, 0.25, 0.75, out, sizeof(out)),
			    "512 [256, 768] KiB/s");
	assert_string_equal(fmt_rate_ci(NAN, 1, 2, out, sizeof(out)), "-");
}

struct collect {
	char items[8][16];
	int n;
	int stop_at;		/* return 7 at this item (-1: never) */
};

static int collect(const char *item, void *ctx)
{
	struct collect *c = ctx;

	if (c->n == c->stop_at)
		return 7;
	snprintf(c->items[c->n++], sizeof(c->items[0]), "%s", item);
	return 0;
}

static void test_strlist(void **state)
{
	struct collect c = { .stop_at = -1 };
	char err[64];

	(void)state;
	assert_int_equal(strlist_each("a,b,c", ',', STRLIST_NO_EMPTY, collect,
				      &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.items[2], "c");
	c.n = 0;
	assert_int_equal(strlist_each("a,,b", ',', STRLIST_NO_EMPTY, collect,
				      &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "empty item in list");
	assert_int_equal(strlist_each("", ',', STRLIST_NO_EMPTY, collect, &c,
				      err, sizeof(err)), -EINVAL);
	c.n = 0;
	assert_int_equal(strlist_each("a,b,a", ',', STRLIST_UNIQUE, collect,
				      &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'a': listed twice");
	assert_int_equal(c.n, 2);
	/* empty items pass through without NO_EMPTY (PATH's "::") */
	c.n = 0;
	assert_int_equal(strlist_each("x::y", ':', 0, collect, &c, NULL, 0),
			 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.items[1], "");
	/* fn's own value ends the walk */
	c = (struct collect){ .stop_at = 1 };
	assert_int_equal(strlist_each("a,b,c", ',', 0, collect, &c, NULL, 0),
			 7);
	assert_int_equal(c.n, 1);
}

static void test_strlist_appendf(void **state)
{
	char **v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(strlist_appendf(&v, &n, "%s %d", "one", 1), 0);
	assert_int_equal(strlist_appendf(&v, &n, "two"), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "one 1");
	assert_string_equal(v[1], "two");
	free(v[0]);
	free(v[1]);
	free(v);
}

static void test_array(void **state)
{
	int *v = NULL;
	size_t cap = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(ARRAY_GROW(v, (size_t)i + 1, cap), 0);
		v[i] = i;
	}
	assert_true(cap >= 1000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	assert_int_equal(array_grow((void **)&v, &cap, SIZE_MAX, 16),
			 -ENOMEM);
	assert_int_equal(v[999], 999);
	free(v);
}

/* strdup(s), counting the calls: MEM_FREE_ALL must evaluate each
 * argument once. */
static char *counted_dup(unsigned *calls, const char *s)
{
	(*calls)++;
	return strdup(s);
}

static void test_mem_free(void **state)
{
	char **v = NULL;
	size_t n = 0;
	unsigned calls = 0;

	(void)state;
	MEM_FREE_ALL(counted_dup(&calls, "a"), NULL, counted_dup(&calls, "b"),
		     counted_dup(&calls, "c"));
	assert_int_equal(calls, 3);
	mem_free_each(NULL, 0);
	mem_free_strings(NULL, 4);
	assert_int_equal(strlist_appendf(&v, &n, "one"), 0);
	assert_int_equal(strlist_appendf(&v, &n, "two"), 0);
	mem_free_strings(v, n);
}

static void test_shell(void **state)
{
	char *s;

	(void)state;
	s = shell_join("iobench", 4, (char *[]){ "sweep", "--dir", "a b",
						 "it's", NULL });
	assert_string_equal(s, "iobench sweep --dir 'a b' 'it'\\''s'");
	free(s);
	s = shell_join("x", 1, (char *[]){ "", NULL });
	assert_string_equal(s, "x ''");
	free(s);
	/* a control byte stays visible and the line stays one command */
	s = shell_join("x", 1, (char *[]){ "d\x1b[31m\nit's\\", NULL });
	assert_string_equal(s, "x $'d\\x1b[31m\\x0ait\\'s\\\\'");
	free(s);
}

static void test_path(void **state)
{
	char out[256];

	(void)state;
	assert_true(path_find_program("sh", out, sizeof(out)));
	assert_non_null(strstr(out, "/sh"));
	assert_false(path_find_program("no-such-program-iobench", out,
				       sizeof(out)));
	assert_true(path_find_program("/bin/sh", NULL, 0));
	assert_true(clock_now() > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_sig),
		cmocka_unit_test(test_fmt_units),
		cmocka_unit_test(test_strlist),
		cmocka_unit_test(test_strlist_appendf),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_mem_free),
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
