// SPDX-License-Identifier: MIT
/*
 * Unit tests of the typo suggestions (harness/suggest.c): edit distances,
 * which candidates are near and in what order, and the "did you mean"
 * text, over the real names they serve: verbs, sweep's options and the
 * strategy registry.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "strategies.h"
#include "suggest.h"

static void test_distance(void **state)
{
	static const struct {
		const char *a, *b;
		unsigned want;
	} cases[] = {
		{ "", "", 0 },
		{ "", "abc", 3 },
		{ "sweep", "sweep", 0 },
		{ "sweeep", "sweep", 1 },	/* insertion */
		{ "swep", "sweep", 1 },		/* deletion */
		{ "swaep", "sweep", 1 },	/* substitution */
		{ "sewep", "sweep", 1 },	/* neighbours swapped */
		{ "verison", "version", 1 },
		{ "SWEEP", "sweep", 0 },	/* case is ignored */
		{ "io-uring", "io_uring", 1 },
		{ "kitten", "sitting", 3 },
		{ "ca", "abc", 3 },		/* OSA: no edit of a swap */
		{ "abc", "xyz", 3 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned d = suggest_distance(cases[i].a, cases[i].b);

		if (d != cases[i].want)
			fail_msg("distance('%s', '%s') = %u, want %u",
				 cases[i].a, cases[i].b, d, cases[i].want);
		/* symmetric */
		assert_int_equal(suggest_distance(cases[i].b, cases[i].a), d);
	}
	/* names too long to be names are never near */
	char longer[80];

	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_true(suggest_distance(longer, "a") > 1000);
}

static const char *const verbs[] = {
	"quick", "full", "sweep", "compare", "profile", "flame", "list",
	"cp", "doctor", "help", NULL,
};

static const char *const sweep_options[] = {
	"sizes", "strategies", "buffers", "qd", "direct", "cache", "sync",
	"content", "source", "dir", "out", "samples", "budget", "timeout",
	"seed", "drop-caches", "quiet", "save-baseline", "limits",
	"no-limits", "reference", "profile", "baseline", "threads",
	"parallel", "pin", "prealloc", "dry-run", "help", NULL,
};

static void suggest_in(const char *const *names, const char *word,
		       const char *prefix, char *out, size_t len)
{
	struct suggest s;

	suggest_init(&s, word);
	for (; *names; names++)
		suggest_consider(&s, *names);
	suggest_format(&s, prefix, out, len);
}

static void test_suggestions(void **state)
{
	static const struct {
		const char *const *names;
		const char *word, *prefix, *want;
	} cases[] = {
		/* verbs: typos, abbreviations, nothing near */
		{ verbs, "sweeep", "", "'sweep'" },
		{ verbs, "swep", "", "'sweep'" },
		{ verbs, "comapre", "", "'compare'" },
		{ verbs, "doctr", "", "'doctor'" },
		{ verbs, "lst", "", "'list'" },
		{ verbs, "Flame", "", "'flame'" },
		{ verbs, "pro", "", "'profile'" },
		{ verbs, "c", "", "'compare' or 'cp'" },
		{ verbs, "xyzzy", "", "" },
		{ verbs, "benchmark", "", "" },
		/* sweep's options: the abbreviation getopt_long took */
		{ sweep_options, "size", "--", "'--sizes'" },
		{ sweep_options, "sizez", "--", "'--sizes'" },
		{ sweep_options, "strategy", "--", "'--strategies'" },
		{ sweep_options, "stratgies", "--", "'--strategies'" },
		{ sweep_options, "buffer", "--", "'--buffers'" },
		{ sweep_options, "dryrun", "--", "'--dry-run'" },
		{ sweep_options, "dry_run", "--", "'--dry-run'" },
		{ sweep_options, "caches", "--", "'--cache'" },
		{ sweep_options, "drop", "--", "'--drop-caches'" },
		{ sweep_options, "limit", "--", "'--limits'" },
		{ sweep_options, "base", "--", "'--baseline'" },
		{ sweep_options, "q", "--", "'--qd' or '--quiet'" },
		{ sweep_options, "s", "--",
		  "'--sizes', '--strategies', '--sync', ..." },
		{ sweep_options, "pr", "--", "'--profile' or '--prealloc'" },
		{ sweep_options, "verbose", "--", "" },
		{ sweep_options, "json", "--", "" },
		/* strategies */
		{ NULL, "io-uring", "", "'io_uring'" },
		{ NULL, "uring", "", "'io_uring'" },
		{ NULL, "copyfilerange", "", "'copy_file_range'" },
		{ NULL, "sendfil", "", "'sendfile'" },
		{ NULL, "mmapp", "", "'mmap'" },
		{ NULL, "RW", "", "'rw'" },
		{ NULL, "rww", "", "'rw'" },
		{ NULL, "odirct", "", "'odirect'" },
		{ NULL, "zzzz", "", "" },
	};
	const char *strategy_names[32] = { NULL };
	char out[200];

	(void)state;
	assert_true(strategy_count() < 32);
	for (size_t i = 0; i < strategy_count(); i++)
		strategy_names[i] = strategy_at(i)->name;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const *names = cases[i].names ? cases[i].names :
					   strategy_names;

		suggest_in(names, cases[i].word, cases[i].prefix, out,
			   sizeof(out));
		if (strcmp(out, cases[i].want))
			fail_msg("'%s': suggested [%s], want [%s]",
				 cases[i].word, out, cases[i].want);
	}
}

/* strategy_suggest is the first of those: the registry's order. */
static void test_strategy_suggest(void **state)
{
	(void)state;
	assert_string_equal(strategy_suggest("io-uring"), "io_uring");
	assert_string_equal(strategy_suggest("libaoi"), "libaio");
	assert_null(strategy_suggest("zzzz"));
	assert_null(strategy_suggest(""));
	/* a known name is not its own suggestion */
	assert_true(!strategy_suggest("rw") ||
		    strcmp(strategy_suggest("rw"), "rw"));
}

/* Ties keep the order considered; n_tied counts past SUGGEST_MAX; a
 * nearer candidate replaces every tie; a short buffer is cut, not
 * overrun. */
static void test_accumulator(void **state)
{
	static const char *const names[] = { "ab1", "ab2", "ab3", "ab4",
					     "ab5", NULL };
	struct suggest s;
	char out[8];

	(void)state;
	suggest_init(&s, "ab");
	for (const char *const *n = names; *n; n++)
		suggest_consider(&s, *n);
	assert_int_equal(s.n, SUGGEST_MAX);
	assert_int_equal(s.n_tied, 5);
	assert_string_equal(s.best[0], "ab1");
	suggest_consider(&s, "ab");	/* the word itself: not a suggestion */
	assert_int_equal(s.n_tied, 5);

	suggest_init(&s, "abcdef");
	suggest_consider(&s, "abcxyz");		/* distance 3: too far */
	assert_int_equal(s.n, 0);
	suggest_consider(&s, "abcdxf");		/* distance 1 */
	suggest_consider(&s, "abcdefgh");	/* a prefix: nearer */
	assert_int_equal(s.n, 1);
	assert_string_equal(s.best[0], "abcdefgh");
	suggest_format(&s, "--", out, sizeof(out));
	assert_string_equal(out, "'--abcd");
	suggest_init(&s, NULL);
	suggest_consider(&s, "x");
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_suggestions),
		cmocka_unit_test(test_strategy_suggest),
		cmocka_unit_test(test_accumulator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
