// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the command-line value parsers (harness/parse.c):
 * the first byte picks the parser, the rest is the value. Besides memory
 * safety it checks the parsers' promises: results within bounds, lists
 * free of duplicates, and fmt_size output read back to the same value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "parse.h"

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_parse: broken promise: %s\n", what);
		abort();
	}
}

static void check_roundtrip(uint64_t v)
{
	char s[32], err[128];
	uint64_t back;

	fmt_size(v, s, sizeof(s));
	check(!parse_size(s, &back, err, sizeof(err)),
	      "fmt_size output rejected by parse_size");
	check(back == v, "fmt_size/parse_size round trip changed the value");
}

static void check_error(int ret, const char *err)
{
	if (ret) {
		check(ret < 0, "error is not -errno");
		check(err[0] != '\0', "error without a reason");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], *s;
	uint64_t v, *list = NULL;
	double d;
	size_t n = 0;
	int ret;

	if (!size)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	err[0] = '\0';
	switch (data[0] % 5) {
	case 0:
		ret = parse_size(s, &v, err, sizeof(err));
		check_error(ret, err);
		if (!ret)
			check_roundtrip(v);
		break;
	case 1:
		ret = parse_count(s, 1, 65536, &v, err, sizeof(err));
		check_error(ret, err);
		if (!ret)
			check(v >= 1 && v <= 65536, "count out of range");
		break;
	case 2:
		ret = parse_seconds(s, 86400.0, &d, err, sizeof(err));
		check_error(ret, err);
		if (!ret)
			check(d > 0 && d <= 86400.0, "seconds out of range");
		break;
	case 3:
		ret = parse_size_list(s, 1ull << 40, &list, &n, err,
				      sizeof(err));
		check_error(ret, err);
		if (!ret) {
			check(n >= 1, "empty list accepted");
			for (size_t i = 0; i < n; i++) {
				check(list[i] <= 1ull << 40, "size over max");
				for (size_t j = 0; j < i; j++)
					check(list[i] != list[j],
					      "duplicate accepted");
			}
		}
		break;
	default:
		ret = parse_count_list(s, 1, 1024, &list, &n, err,
				       sizeof(err));
		check_error(ret, err);
		if (!ret) {
			check(n >= 1, "empty list accepted");
			for (size_t i = 0; i < n; i++)
				check(list[i] >= 1 && list[i] <= 1024,
				      "count over max");
		}
		break;
	}
	free(list);
	free(s);
	return 0;
}
