// SPDX-License-Identifier: MIT
/*
 * --plugin PATH.so and IOBENCH_PLUGIN_PATH: loaded before a verb parses
 * its options, so a plugin's strategies and option names are known to
 * --strategies, -s and --opt wherever they appear on the line.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "strategies.h"
#include "verbs.h"

/* The verbs that take --plugin (the presets and profile pass it on to
 * sweep). */
static const char *const plugin_verbs[] = {
	"list", "cp", "sweep", "compare", "check", "quick", "full", "profile",
};

static bool takes_plugins(const char *verb)
{
	for (size_t i = 0; i < sizeof(plugin_verbs) / sizeof(plugin_verbs[0]);
	     i++)
		if (!strcmp(verb, plugin_verbs[i]))
			return true;
	return false;
}

/* Each plugin option becomes a tunable sweep --opt and cp --opt know. */
static int register_options(void)
{
	for (size_t i = 0; i < strategy_plugin_count(); i++) {
		const struct copy_strategy *s = strategy_plugin_at(i);

		for (const struct copy_option *o = s->options; o && o->name;
		     o++) {
			int ret = tunable_register(o->name, o->type);

			if (ret == -ENOSPC) {
				bench_error("plugin %s: option %s: more than "
					    "%d option names in all strategies",
					    strategy_plugin_path(s), o->name,
					    TUNABLES_MAX);
				return EXIT_USAGE;
			}
			if (ret < 0) {
				bench_error("plugin %s: option %s has another "
					    "type in another strategy: rename "
					    "it",
					    strategy_plugin_path(s), o->name);
				return EXIT_USAGE;
			}
		}
	}
	return EXIT_OK;
}

int bench_plugins_load(const char *verb, int argc, char **argv)
{
	const char *env = getenv("IOBENCH_PLUGIN_PATH");
	char why[1024];

	if (!takes_plugins(verb))
		return EXIT_OK;
	/* help is there even when a plugin is broken */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return EXIT_OK;
	if (env && *env && strategy_plugin_load_list(env, why, sizeof(why))) {
		bench_error("%s (from IOBENCH_PLUGIN_PATH)", why);
		return EXIT_USAGE;
	}
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *path;

		if (!strcmp(argv[i], "--plugin") && i + 1 < argc)
			path = argv[++i];
		else if (!strncmp(argv[i], "--plugin=", 9))
			path = argv[i] + 9;
		else
			continue;
		if (!*path) {
			bench_error("%s: --plugin: empty path", verb);
			return EXIT_USAGE;
		}
		if (strategy_plugin_load(path, why, sizeof(why))) {
			bench_error("%s", why);
			return EXIT_USAGE;
		}
	}
	return register_options();
}
