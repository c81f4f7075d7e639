// SPDX-License-Identifier: MIT
/*
 * copy: a program of your own that copies files with libiobench.
 *   cc copy.c $(pkg-config --cflags --libs iobench) -o copy
 *   ./copy SRC DST [STRATEGY [OPTIONS]]   e.g. ./copy a b rw buffer=1M
 *   ./copy --list                          strategies and their options
 */
#include <stdio.h>
#include <string.h>

#include <iobench/iobench.h>

static void list(void)
{
	static const char *const types[] = { "size", "count", "bool" };

	for (size_t i = 0; i < iobench_strategy_count(); i++) {
		const struct copy_strategy *s = iobench_strategy_at(i);

		printf("%s: %s\n", s->name, s->summary ? s->summary : "");
		for (const struct copy_option *o = s->options; o && o->name;
		     o++)
			printf("  %s (%s, default %llu): %s\n", o->name,
			       types[o->type], (unsigned long long)o->def,
			       o->help ? o->help : "");
	}
}

int main(int argc, char **argv)
{
	struct iobench_copy_params params = IOBENCH_COPY_PARAMS_INIT;
	char err[IOBENCH_ERRMSG_MAX];
	int ret;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		list();
		return 0;
	}
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: copy SRC DST [STRATEGY [OPTIONS]] | "
				"copy --list\n");
		return 1;
	}
	params.options = argc > 4 ? argv[4] : NULL;
	params.flags = IOBENCH_COPY_SYNC;
	params.errmsg = err;
	params.errmsg_len = sizeof(err);
	ret = iobench_copy_file(argv[1], argv[2],
				argc > 3 ? argv[3] : "copy_file_range",
				&params);
	if (ret) {
		fprintf(stderr, "copy: %s\n", err);
		return 1;
	}
	return 0;
}
