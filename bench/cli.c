// SPDX-License-Identifier: MIT
/*
 * The command-line conventions every verb shares: one-line errors, option
 * parsing that takes no abbreviations and suggests the nearest option for
 * a mistyped one, and the checks of values several verbs take.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "suggest.h"
#include "verbs.h"

/* Length of an option's name in "name=value" or "name". */
static int name_len(const char *s)
{
	return (int)strcspn(s, "=");
}

/* The long option spelled exactly as s ("name" or "name=value"), or NULL. */
static const struct option *find_long(const struct option *longopts,
				      const char *s)
{
	int n = name_len(s);

	for (const struct option *o = longopts; o->name; o++)
		if ((int)strlen(o->name) == n && !strncmp(o->name, s, n))
			return o;
	return NULL;
}

/* The long option s names in full or begins (3 characters at least:
 * "size" for "sizes"), or NULL. */
static const struct option *find_long_start(const struct option *longopts,
					    const char *s)
{
	const struct option *o = find_long(longopts, s);
	int n = name_len(s);

	if (o || n < 3)
		return o;
	for (o = longopts; o->name; o++)
		if (!strncmp(o->name, s, n))
			return o;
	return NULL;
}

/* Writes " (did you mean '--x'?)" for word (the name typed, no dashes),
 * or " (see iobench VERB --help)". */
static void hint(const char *verb, const struct option *longopts,
		 const char *word, char *buf, size_t len)
{
	char names[160], copy[64];
	struct suggest s;

	snprintf(copy, sizeof(copy), "%.*s", name_len(word), word);
	suggest_init(&s, copy);
	for (const struct option *o = longopts; o->name; o++)
		suggest_consider(&s, o->name);
	suggest_format(&s, "--", names, sizeof(names));
	if (s.n)
		snprintf(buf, len, " (did you mean %s?)", names);
	else
		snprintf(buf, len, " (see iobench %s --help)", verb);
}

/* The argv element holding the unknown short option optopt: the current
 * one when getopt stopped inside it, else the one it just left. */
static const char *short_element(int argc, char **argv)
{
	const int at[] = { optind, optind - 1 };

	for (size_t i = 0; i < 2; i++) {
		const char *e = at[i] > 0 && at[i] < argc ? argv[at[i]] : NULL;

		if (e && e[0] == '-' && e[1] == optopt)
			return e;
	}
	return NULL;
}

static int bad_option(const char *verb, int argc, char **argv,
		      const struct option *longopts, int c)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char shortopt[3] = { '-', (char)optopt, '\0' }, why[220];
	bool is_long = !strncmp(arg, "--", 2);
	const char *e;

	/* an abbreviation last on the line is unknown, not valueless */
	if (c == ':' && (!is_long || find_long(longopts, arg + 2))) {
		/* a bundled short option ("-vb") is named by optopt */
		if (!is_long && optopt)
			arg = shortopt;
		bench_error("%s: option '%.*s' needs a value", verb,
			    name_len(arg), arg);
		return '?';
	}
	if (c == ':' || !optopt) {
		/* an unknown or ambiguous long option: getopt moved past it */
		hint(verb, longopts, arg + 2, why, sizeof(why));
		bench_error("%s: unknown option '%.*s'%s", verb, name_len(arg),
			    arg, why);
		return '?';
	}
	/* "-size": a long option typed with one dash */
	e = short_element(argc, argv);
	if (e && e[2]) {
		hint(verb, longopts, e + 1, why, sizeof(why));
		if (strstr(why, "did you mean")) {
			bench_error("%s: unknown option '%.*s'%s", verb,
				    name_len(e), e, why);
			return '?';
		}
	}
	bench_error("%s: unknown option '%s' (see iobench %s --help)", verb,
		    shortopt, verb);
	return '?';
}

int bench_getopt(const char *verb, int argc, char **argv,
		 const char *optstring, const struct option *longopts)
{
	const struct option *o;
	const char *el;
	int li = -1, c;
	bool separate;

	opterr = 0;
	c = getopt_long(argc, argv, optstring, longopts, &li);
	if (c == -1)
		return -1;
	if (c == '?' || c == ':')
		return bad_option(verb, argc, argv, longopts, c);
	/* the element naming the option: before its value when separate */
	separate = optarg && optind >= 2 && optarg == argv[optind - 1];
	el = argv[optind - (separate ? 2 : 1)];
	if (li >= 0 && (strncmp(el, "--", 2) ||
			find_long(longopts, el + 2) != &longopts[li])) {
		char why[220];

		/* getopt_long took an abbreviation: "--size" for "--sizes" */
		hint(verb, longopts, el + 2, why, sizeof(why));
		bench_error("%s: unknown option '%.*s'%s", verb, name_len(el),
			    el, why);
		return '?';
	}
	if (li < 0 && optarg && !separate && el[0] == '-' && el[1] != '-' &&
	    (o = find_long_start(longopts, el + 1))) {
		/* "-dir /tmp" would read as "-d ir", "-size" as "-s ize" */
		bench_error("%s: '%.*s' reads as -%c %s (did you mean '--%s'?)",
			    verb, name_len(el), el, c, optarg, o->name);
		return '?';
	}
	if (optarg && !strncmp(optarg, "--", 2) && optarg[2]) {
		/* "--sizes --samples 6": the value is missing */
		if (li >= 0)
			bench_error("%s: --%s: missing value (got '%s')", verb,
				    longopts[li].name, optarg);
		else
			bench_error("%s: -%c: missing value (got '%s')", verb,
				    c, optarg);
		return '?';
	}
	return c;
}

/* Stores option c's value (or true) into ctx when cli->stores has it. */
static bool store_option(const struct bench_cli *cli, int c, const char *arg,
			 void *ctx)
{
	const struct bench_store *s = cli->stores;

	while (s && s->c && s->c != c)
		s++;
	if (!s || !s->c)
		return false;
	if (arg)
		*(const char **)((char *)ctx + s->member) = arg;
	else
		*(bool *)((char *)ctx + s->member) = true;
	return true;
}

int bench_parse_options(const struct bench_cli *cli, int argc, char **argv,
			int (*on)(int c, const char *arg, void *ctx), void *ctx)
{
	int c, ret;

	while ((c = bench_getopt(cli->verb, argc, argv, cli->shortopts,
				 cli->longopts)) != -1) {
		if (c == '?' || c == ':')
			return EXIT_USAGE;
		if (c == 'h') {
			cli->usage(stdout);
			return -1;
		}
		/* --plugin: loaded before parsing (bench/plugins.c) */
		if (c == 'P' || store_option(cli, c, optarg, ctx))
			continue;
		ret = on ? on(c, optarg, ctx) : 0;
		if (ret)
			return ret;
	}
	if (!cli->operands && optind < argc) {
		bench_error("%s: unexpected argument '%s'", cli->verb,
			    argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

int bench_parse_in_dir(const struct bench_cli *cli, int argc, char **argv,
		       int (*on)(int c, const char *arg, void *ctx), void *ctx,
		       const char *const *dir)
{
	int ret = bench_parse_options(cli, argc, argv, on, ctx);

	return ret ? ret : bench_check_dir(cli->verb, "", *dir);
}

int bench_parse_whole(const char *verb, const char *opt, const char *arg,
		      unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (!*arg || *end || arg[0] == '-' || n < min || n > max) {
		bench_error("%s: %s '%s': expected a whole number from %u to "
			    "%u", verb, opt, arg, min, max);
		return EXIT_USAGE;
	}
	*out = (unsigned)n;
	return 0;
}

int bench_parse_preset(const char *verb, const char *arg, const char **out)
{
	if (strcmp(arg, "quick") && strcmp(arg, "full") &&
	    strcmp(arg, "none")) {
		bench_error("%s: --preset '%s': expected quick, full or none",
			    verb, arg);
		return EXIT_USAGE;
	}
	*out = strcmp(arg, "none") ? arg : NULL;
	return 0;
}

int bench_check_dir(const char *verb, const char *label, const char *dir)
{
	struct stat st;
	int err = 0;

	if (!*dir) {
		bench_error("%s: --dir: empty path (give a directory, e.g. "
			    "--dir .)", verb);
		return EXIT_USAGE;
	}
	if (stat(dir, &st))
		err = errno;
	else if (!S_ISDIR(st.st_mode))
		err = ENOTDIR;
	if (err) {
		bench_error("%s: %s%s: %s", verb, label, dir, strerror(err));
		return EXIT_USAGE;
	}
	return 0;
}
