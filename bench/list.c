// SPDX-License-Identifier: MIT
/*
 * iobench list: every registered strategy in registry order, with its
 * tunables, range support and whether it can run for files in --dir.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reference.h"
#include "results.h"
#include "strategies.h"
#include "verbs.h"

#define REASON_MAX 256
#define TUNABLES_TEXT_MAX 64

struct list_row {
	const struct copy_strategy *s;
	char tunables[TUNABLES_TEXT_MAX];
	const char *ranges;
	bool usable;
	char why[REASON_MAX];
};

static void list_usage(FILE *f)
{
	fprintf(f,
		"usage: iobench list [--dir DIR] [--json] [--plugin PATH.so]...\n"
		"\n"
		"Lists every copy strategy in registry order: its name, tunables,\n"
		"whether it can copy a byte range (yes; aligned = offsets must be\n"
		"multiples of 4096; no), whether it can run for files in DIR and,\n"
		"if not, why. Plugins' strategies follow the built-ins, each with\n"
		"the file it came from.\n"
		"\n"
		"options:\n"
		"  -d, --dir DIR   probe the strategies in DIR (default: .)\n"
		"  -j, --json      print a JSON document instead of a table\n"
		"      --plugin PATH.so  load a strategy plugin (repeatable; also\n"
		"                  IOBENCH_PLUGIN_PATH, a colon list of .so files\n"
		"                  and directories); a plugin that fails the\n"
		"                  loader's checks is refused (exit 1)\n"
		"  -h, --help      show this help\n");
}

static const char *range_support(unsigned flags)
{
	if (flags & COPY_RANGES_ALIGNED)
		return "aligned";
	if (flags & COPY_RANGES)
		return "yes";
	return "no";
}

static void fill_rows(struct list_row *rows, size_t n, const char *dir)
{
	for (size_t i = 0; i < n; i++) {
		struct list_row *r = &rows[i];

		r->s = strategy_at(i);
		strategy_options_str(r->s, r->tunables, sizeof(r->tunables));
		r->ranges = range_support(r->s->flags);
		r->usable = !strategy_probe(r->s, dir, r->why, sizeof(r->why));
		if (!r->usable && !r->why[0])
			snprintf(r->why, sizeof(r->why), "probe failed");
	}
}

/* Column widths come from the data so the table stays aligned whatever
 * names a plugin brings. */
/* The reference tools sweep --reference runs: not strategies (a tool
 * runs as a process of its own), listed for what they are. */
static void print_references(void)
{
	const struct reference_variant *v;
	int w = (int)strlen("REFERENCE");

	for (size_t i = 0; (v = reference_nth(i)); i++)
		if ((int)strlen(v->name) > w)
			w = (int)strlen(v->name);
	printf("\nreference tools (sweep --reference; timed with their "
	       "start-up, never recommended):\n\n%-*s  %s\n", w,
	       "REFERENCE", "COMMAND");
	for (size_t i = 0; (v = reference_nth(i)); i++)
		printf("%-*s  %s\n", w, v->name, v->command);
}

static void print_table(const struct list_row *rows, size_t n,
			const char *dir)
{
	int wname = (int)strlen("STRATEGY"), wtun = (int)strlen("TUNABLES");

	for (size_t i = 0; i < n; i++) {
		int l = (int)strlen(rows[i].s->name);

		if (l > wname)
			wname = l;
		l = (int)strlen(rows[i].tunables);
		if (l > wtun)
			wtun = l;
	}
	printf("strategies for files in %s (%s):\n\n", dir,
	       strategy_fs_name(dir));
	printf("%-*s  %-*s  %-7s  %-6s  %s\n", wname, "STRATEGY", wtun,
	       "TUNABLES", "RANGES", "USABLE", "SUMMARY");
	for (size_t i = 0; i < n; i++) {
		const struct list_row *r = &rows[i];

		printf("%-*s  %-*s  %-7s  %-6s  %s\n", wname, r->s->name, wtun,
		       r->tunables, r->ranges, r->usable ? "yes" : "no",
		       r->s->summary ? r->s->summary : "");
		if (!r->usable)
			printf("%-*s  not usable here: %s\n", wname, "",
			       r->why);
		if (strategy_plugin_path(r->s))
			printf("%-*s  plugin: %s\n", wname, "",
			       strategy_plugin_path(r->s));
	}
	print_references();
}

/* [{"name": "buffer", "type": "size", "default": 131072, ...}] */
static json_t *options_json(const struct copy_strategy *s)
{
	static const char *const types[] = { "size", "count", "bool" };
	json_t *a = json_array();

	for (const struct copy_option *o = s->options; a && o && o->name;
	     o++) {
		if (json_array_append_new(a, json_pack(
			"{s:s, s:s, s:I, s:I, s:I, s:s}", "name", o->name,
			"type", types[o->type], "default", (json_int_t)o->def,
			"min", (json_int_t)o->min, "max", (json_int_t)o->max,
			"help", o->help ? o->help : ""))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static int print_json(const struct list_row *rows, size_t n, const char *dir)
{
	json_t *root = json_object(), *arr = json_array();
	int ret = -ENOMEM;

	if (!root || !arr)
		goto out_free;
	/* dir and the reasons quoting it are bytes, maybe not UTF-8 */
	json_object_set_new(root, "dir", results_json_text(dir));
	json_object_set_new(root, "filesystem",
			    json_string(strategy_fs_name(dir)));
	for (size_t i = 0; i < n; i++) {
		const struct list_row *r = &rows[i];
		const struct copy_option *buf = strategy_option(r->s, "buffer");
		const struct copy_option *qd = strategy_option(r->s, "qd");
		json_t *o = json_pack(
			"{s:s, s:s, s:s, s:s, s:b, s:o, s:b, s:b, s:o, s:o, s:o}",
			"name", r->s->name, "summary",
			r->s->summary ? r->s->summary : "", "tunables",
			r->tunables, "ranges", r->ranges, "usable", r->usable,
			"reason", r->usable ? json_null()
					    : results_json_text(r->why),
			"always_direct", !!(r->s->flags & COPY_ALWAYS_DIRECT),
			"same_fs_only", !!(r->s->flags & COPY_SAME_FS_ONLY),
			"default_buffer",
			buf ? json_integer((json_int_t)buf->def) : json_null(),
			"default_qd",
			qd ? json_integer((json_int_t)qd->def) : json_null(),
			"options", options_json(r->s));
		const char *from = strategy_plugin_path(r->s);

		if (o)
			json_object_set_new(o, "plugin", from ?
					    json_string(from) : json_null());
		if (!o || json_array_append_new(arr, o))
			goto out_free;
	}
	json_object_set(root, "strategies", arr);
	if (json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
		ret = -EIO;
	else
		ret = 0;
	putchar('\n');
out_free:
	json_decref(arr);
	json_decref(root);
	return ret;
}

struct list_request {
	const char *dir;
	bool json;
};

/* The options that only store into a list_request: all of them. */
static const struct bench_store list_stores[] = {
	{ 'd', offsetof(struct list_request, dir) },
	{ 'j', offsetof(struct list_request, json) },
	{ 0 },
};

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		BENCH_OPTION_PLUGIN,
		BENCH_OPTION_HELP,
		{ 0 },
	};
	static const struct bench_cli cli = {
		.verb = "list", .shortopts = ":d:jh", .longopts = opts,
		.stores = list_stores, .usage = list_usage,
	};
	struct list_request rq = { .dir = "." };
	struct list_row *rows;
	size_t n;
	int ret;

	ret = bench_parse_in_dir(&cli, argc, argv, NULL, &rq, &rq.dir);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;

	n = strategy_count();
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		bench_error("list: %s", strerror(ENOMEM));
		return EXIT_RUNTIME;
	}
	fill_rows(rows, n, rq.dir);
	ret = EXIT_OK;
	if (rq.json) {
		if (print_json(rows, n, rq.dir)) {
			bench_error("list: cannot write JSON");
			ret = EXIT_RUNTIME;
		}
	} else {
		print_table(rows, n, rq.dir);
	}
	free(rows);
	if (fflush(stdout)) {
		bench_error("list: standard output: %s", strerror(errno));
		ret = EXIT_RUNTIME;
	}
	return ret;
}
