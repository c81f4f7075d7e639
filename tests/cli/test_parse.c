// SPDX-License-Identifier: MIT
/*
 * Unit tests of the command-line value parsers (harness/parse.c): accepted
 * forms, exact error texts, overflow and list rules.
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

#include "fmt.h"
#include "parse.h"

#define K 1024ull

/* The accepted forms, as dd reads them: binary letters, decimal "B". */
static void test_size_accepted(void **state)
{
	static const struct {
		const char *in;
		uint64_t want;
	} cases[] = {
		{ "0", 0 },
		{ "1", 1 },
		{ "4095", 4095 },
		{ "512B", 512 },
		{ "0B", 0 },
		{ "1K", K },
		{ "1k", K },			/* dd: k = K */
		{ "4KiB", 4 * K },
		{ "4kiB", 4 * K },
		{ "4KB", 4000 },		/* dd: KB = 1000 */
		{ "4kB", 4000 },
		{ "1M", K * K },
		{ "1MiB", K * K },
		{ "1MB", 1000000 },
		{ "100M", 100 * K * K },
		{ "1G", K * K * K },
		{ "1GiB", K * K * K },
		{ "1GB", 1000000000 },
		{ "3G", 3 * K * K * K },	/* > 32 bits */
		{ "1T", K * K * K * K },
		{ "1TiB", K * K * K * K },
		{ "2TB", 2000000000000ull },
		{ "16777215T", 16777215ull << 40 },	/* largest T */
		{ "18446744TB", 18446744000000000000ull },	/* largest TB */
		{ "18446744073709551615", UINT64_MAX },
		{ "18446744073709551615B", UINT64_MAX },
	};
	char err[300];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;

		err[0] = '\0';
		if (parse_size(cases[i].in, &v, err, sizeof(err)))
			fail_msg("'%s' refused: %s", cases[i].in, err);
		if (v != cases[i].want)
			fail_msg("'%s' read as %llu, not %llu", cases[i].in,
				 (unsigned long long)v,
				 (unsigned long long)cases[i].want);
		assert_string_equal(err, "");
	}
}

#define NOT_A_SIZE "': not a size (expected a whole number with an " \
	"optional unit, e.g. 4096, 4K, 100M, 1MB)"
#define ACCEPTED "(accepted: 4096 or 4096B bytes; 4K = 4KiB = 4096, and " \
	"M, G, T, MiB, GiB, TiB, powers of 1024; 4KB = 4kB = 4000, and MB, " \
	"GB, TB, powers of 1000)"

/* Everything else is refused with the accepted forms: lower case m, g, t
 * (milli?), b (dd's blocks, or bits?), iB spelled otherwise, spaces. */
static void test_size_rejected(void **state)
{
	static const struct {
		const char *in;
		const char *err;
	} cases[] = {
		{ "", "empty size" },
		{ "1m", "'1m': unknown unit 'm' " ACCEPTED },
		{ "1g", "'1g': unknown unit 'g' " ACCEPTED },
		{ "1t", "'1t': unknown unit 't' " ACCEPTED },
		{ "1mb", "'1mb': unknown unit 'mb' " ACCEPTED },
		{ "1Mb", "'1Mb': unknown unit 'Mb' " ACCEPTED },
		{ "1b", "'1b': unknown unit 'b' " ACCEPTED },
		{ "4kib", "'4kib': unknown unit 'kib' " ACCEPTED },
		{ "4KIB", "'4KIB': unknown unit 'KIB' " ACCEPTED },
		{ "4Kib", "'4Kib': unknown unit 'Kib' " ACCEPTED },
		{ "4KiBB", "'4KiBB': unknown unit 'KiBB' " ACCEPTED },
		{ "4KBB", "'4KBB': unknown unit 'KBB' " ACCEPTED },
		{ "4BB", "'4BB': unknown unit 'BB' " ACCEPTED },
		{ "1Q", "'1Q': unknown unit 'Q' " ACCEPTED },
		{ "1P", "'1P': unknown unit 'P' " ACCEPTED },
		{ "1KQ", "'1KQ': unknown unit 'KQ' " ACCEPTED },
		{ "1K ", "'1K ': unknown unit 'K ' " ACCEPTED },
		{ "1 K", "'1 K': unknown unit ' K' " ACCEPTED },
		{ "1Ki", "'1Ki': unknown unit 'Ki' " ACCEPTED },
		{ "0x10", "'0x10': unknown unit 'x10' " ACCEPTED },
		{ "1e3", "'1e3': unknown unit 'e3' " ACCEPTED },
		{ "-1", "'-1" NOT_A_SIZE },
		{ "+1", "'+1" NOT_A_SIZE },
		{ " 1", "' 1" NOT_A_SIZE },
		{ "K", "'K" NOT_A_SIZE },
		{ "MB", "'MB" NOT_A_SIZE },
		{ "1.5M", "'1.5M': fractions are not supported; use a smaller "
			  "unit (1536K, not 1.5M)" },
		{ "99999999T", "'99999999T': too large" },
		{ "16777216T", "'16777216T': too large" },
		{ "18446745TB", "'18446745TB': too large" },
		{ "18446744073709551616", "'18446744073709551616': too large" },
	};
	char err[300];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 777;

		if (parse_size(cases[i].in, &v, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' accepted as %llu", cases[i].in,
				 (unsigned long long)v);
		assert_string_equal(err, cases[i].err);
		assert_true(v == 777);	/* untouched on error */
	}
	assert_int_equal(parse_size(NULL, &(uint64_t){ 0 }, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "empty size");
	/* no room for a reason is not a crash */
	assert_int_equal(parse_size("1Q", &(uint64_t){ 0 }, NULL, 0), -EINVAL);
}

/* A count or seconds case: the input and its limit, and the value it
 * reads as or the error it is refused with (NULL: any error). */
struct number_case {
	const char *in;
	double max, want;
	const char *err;
};

/* parse_count() from 1 to max, its value as a double. */
static int read_count(const char *in, double max, double *v, char *err,
		      size_t len)
{
	uint64_t n = (uint64_t)*v;
	int ret = parse_count(in, 1, (uint64_t)max, &n, err, len);

	*v = (double)n;
	return ret;
}

/* Each case through read, v kept from case to case; returns the last v. */
static double check_numbers(const struct number_case *cases, size_t n,
			    int (*read)(const char *, double, double *,
					char *, size_t))
{
	double v = 0;
	char err[200];

	for (size_t i = 0; i < n; i++) {
		const struct number_case *c = &cases[i];
		int ret = read(c->in, c->max, &v, err, sizeof(err));

		if (isnan(c->want)) {
			assert_int_equal(ret, -EINVAL);
			if (c->err)
				assert_string_equal(err, c->err);
		} else {
			assert_int_equal(ret, 0);
			assert_true(v == c->want);
		}
	}
	return v;
}

static void test_count(void **state)
{
	static const struct number_case cases[] = {
		{ "32", 64, 32, NULL },
		{ "0", 64, NAN, "'0': must be at least 1" },
		{ "65", 64, NAN, "'65': too large (at most 64)" },
		{ "99999999999999999999", 64, NAN,
		  "'99999999999999999999': too large (at most 64)" },
		{ "12a", 64, NAN, "'12a': not a whole number" },
		{ "1K", 4096, NAN, "'1K': not a whole number" },
		{ "", 64, NAN, "empty number" },
	};

	(void)state;
	/* the refusals leave the value alone */
	assert_true(check_numbers(cases, sizeof(cases) / sizeof(cases[0]),
				  read_count) == 32);
}

static void test_seconds(void **state)
{
	static const struct number_case cases[] = {
		{ "0.5", 60, 0.5, NULL },
		{ "2", 60, 2.0, NULL },
		{ "0", 60, NAN, "'0': not a positive number of seconds" },
		{ "-1", 60, NAN, "'-1': not a positive number of seconds" },
		{ "nan", 60, NAN, NULL },
		{ "2s", 60, NAN, "'2s': not a positive number of seconds" },
		{ "61", 60, NAN, "'61': too large (at most 60 s)" },
		/* one rule for every number: decimal only, as sizes and
		 * counts */
		{ "0x10", 60, NAN, "'0x10': not a positive number of seconds" },
		{ "1e1", 60, NAN, NULL },
		{ "inf", 60, NAN, NULL },
		{ " 2", 60, NAN, NULL },
		{ ".5", 60, 0.5, NULL },
	};

	(void)state;
	check_numbers(cases, sizeof(cases) / sizeof(cases[0]), parse_seconds);
}

static void test_size_list(void **state)
{
	uint64_t *v = NULL;
	size_t n = 0;
	char err[200];

	(void)state;
	assert_int_equal(parse_size_list("1K,1M,100M", UINT64_MAX, &v, &n, err,
					 sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_true(v[0] == K && v[1] == K * K && v[2] == 100 * K * K);
	free(v);
	assert_int_equal(parse_size_list("0", UINT64_MAX, &v, &n, err,
					 sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_true(v[0] == 0);
	free(v);

	static const struct {
		const char *in;
		const char *err;
	} bad[] = {
		{ "", "empty list" },
		{ ",1K", "',1K': empty item in list" },
		{ "1K,", "'1K,': empty item in list" },
		{ "1K,,1M", "'1K,,1M': empty item in list" },
		{ "1K,1024", "'1024': listed twice" },
		{ "1M,1K,1M", "'1M': listed twice" },
		{ "1K,1Q", "'1Q': unknown unit 'Q' " ACCEPTED },
		{ "1K,2G", "'2G': too large (at most 1G)" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = NULL;
		assert_int_equal(parse_size_list(bad[i].in, K * K * K, &v, &n,
						 err, sizeof(err)), -EINVAL);
		assert_string_equal(err, bad[i].err);
		assert_null(v);	/* nothing to free on error */
	}
}

static void test_count_list(void **state)
{
	uint64_t *v = NULL;
	size_t n = 0;
	char err[200];

	(void)state;
	assert_int_equal(parse_count_list("1,8,32", 1, 64, &v, &n, err,
					  sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_true(v[0] == 1 && v[1] == 8 && v[2] == 32);
	free(v);
	v = NULL;
	assert_int_equal(parse_count_list("1,8,1", 1, 64, &v, &n, err,
					  sizeof(err)), -EINVAL);
	assert_string_equal(err, "'1': listed twice");
	assert_int_equal(parse_count_list("1,0", 1, 64, &v, &n, err,
					  sizeof(err)), -EINVAL);
	assert_string_equal(err, "'0': must be at least 1");
	assert_int_equal(parse_count_list("4,,8", 1, 64, &v, &n, err,
					  sizeof(err)), -EINVAL);
	assert_string_equal(err, "'4,,8': empty item in list");
	assert_null(v);
}

static void test_format_size(void **state)
{
	static const struct {
		uint64_t in;
		const char *want;
	} cases[] = {
		{ 0, "0" },
		{ 1, "1" },
		{ 1537, "1537" },
		{ K, "1K" },
		{ 1536 * K, "1536K" },
		{ 100 * K * K, "100M" },
		{ K * K * K * K, "1T" },
		{ K * K * K * K * K, "1024T" },
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t back = 0;

		fmt_size(cases[i].in, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
		/* what fmt_size writes, parse_size reads back */
		assert_int_equal(parse_size(out, &back, NULL, 0), 0);
		assert_true(back == cases[i].in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_accepted),
		cmocka_unit_test(test_size_rejected),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_size_list),
		cmocka_unit_test(test_count_list),
		cmocka_unit_test(test_format_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
