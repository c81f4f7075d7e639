// SPDX-License-Identifier: MIT
/*
 * iobench new-strategy NAME [DIR]: writes a strategy plugin skeleton (a C
 * file implementing the vtable with one option, a meson.build that finds
 * libiobench through pkg-config, a README) that builds as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skeleton.h"
#include "strategies.h"
#include "verbs.h"

#define NAME_MAX_LEN 31

static void new_strategy_usage(FILE *f)
{
	fprintf(f,
		"usage: iobench new-strategy NAME [DIR]\n"
		"\n"
		"Writes a copy-strategy plugin skeleton into DIR (default "
		"./NAME):\n"
		"  NAME.c       the strategy: pread/pwrite through one "
		"aligned\n"
		"               buffer, one option (chunk, a size), exported "
		"with\n"
		"               COPY_STRATEGY_PLUGIN(); replace its copy hook\n"
		"  meson.build  builds NAME.so against libiobench (pkg-config\n"
		"               iobench)\n"
		"  README.md    how to build, check and measure it\n"
		"It builds as it is:\n"
		"  cd DIR && meson setup build && ninja -C build\n"
		"  iobench check --plugin build/NAME.so\n"
		"\n"
		"NAME: a lower-case letter, then up to 30 lower-case letters,\n"
		"digits or '_' (it names C identifiers too), not a built-in\n"
		"strategy's name. DIR is created, or may exist when empty of "
		"these\n"
		"files: nothing is ever overwritten.\n"
		"\n"
		"exit codes: 0 written; 1 bad name, DIR unusable or a file "
		"exists\n"
		"(nothing written); 2 writing failed (what was written is "
		"removed).\n");
}

static int check_name(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > NAME_MAX_LEN || name[0] < 'a' || name[0] > 'z' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != n) {
		bench_error(
			"new-strategy: '%s': a name is a lower-case letter, "
			"then up to %d lower-case letters, digits or '_'",
			name, NAME_MAX_LEN - 1);
		return -EINVAL;
	}
	if (strategy_find(name)) {
		bench_error("new-strategy: '%s' is a built-in strategy's name: "
			    "plugins need names of their own",
			    name);
		return -EEXIST;
	}
	return 0;
}

/* text with every @NAME@ replaced by name; malloc'd, NULL on ENOMEM. */
static char *fill_in(const char *text, const char *name)
{
	static const char mark[] = "@NAME@";
	size_t n = 0, nl = strlen(name), ml = strlen(mark);
	char *out, *o;

	for (const char *p = strstr(text, mark); p; p = strstr(p + ml, mark))
		n++;
	out = malloc(strlen(text) + n * nl + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *p = text;;) {
		const char *hit = strstr(p, mark);
		size_t k = hit ? (size_t)(hit - p) : strlen(p);

		memcpy(o, p, k);
		o += k;
		if (!hit)
			break;
		memcpy(o, name, nl);
		o += nl;
		p = hit + ml;
	}
	*o = '\0';
	return out;
}

struct skeleton_file {
	char path[PATH_MAX];
	const char *text;
	bool written;
};

/* Creates path (never over an existing file) holding text for name. */
static int write_file(struct skeleton_file *f, const char *name)
{
	char *body = fill_in(f->text, name);
	int fd, ret;

	if (!body)
		return -ENOMEM;
	fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		free(body);
		return ret;
	}
	f->written = true;
	ret = strategy_write_all(fd, body, strlen(body));
	if (close(fd) && !ret)
		ret = -errno;
	free(body);
	return ret;
}

int cmd_new_strategy(int argc, char **argv)
{
	struct skeleton_file files[3] = {
		{ .text = skeleton_strategy_c },
		{ .text = skeleton_meson_build },
		{ .text = skeleton_readme_md },
	};
	const char *name, *dir;
	struct stat st;
	int ret = 0;

	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	/* only --help: a mistyped option gets the shared suggestions */
	optind = 1;
	while ((c = bench_getopt("new-strategy", argc, argv, ":h", opts)) !=
	       -1) {
		if (c != 'h')
			return EXIT_USAGE;
		new_strategy_usage(stdout);
		return EXIT_OK;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 2 || argc > 3) {
		bench_error("new-strategy: expected NAME [DIR] (see iobench "
			    "new-strategy --help)");
		return EXIT_USAGE;
	}
	name = argv[1];
	dir = argc == 3 ? argv[2] : name;
	if (!*dir) {
		bench_error("new-strategy: DIR: empty path");
		return EXIT_USAGE;
	}
	if (check_name(name))
		return EXIT_USAGE;
	if (snprintf(files[0].path, PATH_MAX, "%s/%s.c", dir, name) >=
		    PATH_MAX ||
	    snprintf(files[1].path, PATH_MAX, "%s/meson.build", dir) >=
		    PATH_MAX ||
	    snprintf(files[2].path, PATH_MAX, "%s/README.md", dir) >=
		    PATH_MAX) {
		bench_error("new-strategy: %s: path too long", dir);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < 3; i++) {
		if (!lstat(files[i].path, &st)) {
			bench_error(
				"new-strategy: %s exists: not overwriting it",
				files[i].path);
			return EXIT_USAGE;
		}
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		bench_error("new-strategy: %s: %s", dir, strerror(errno));
		return EXIT_USAGE;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		bench_error("new-strategy: %s: not a directory", dir);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < 3 && !ret; i++) {
		ret = write_file(&files[i], name);
		if (ret)
			bench_error("new-strategy: %s: %s", files[i].path,
				    strerror(-ret));
	}
	if (ret) {
		for (size_t i = 0; i < 3; i++)
			if (files[i].written)
				unlink(files[i].path);
		return ret == -EEXIST ? EXIT_USAGE : EXIT_RUNTIME;
	}
	printf("wrote %s, %s and %s\n\nbuild and check it:\n"
	       "  cd %s && meson setup build && ninja -C build\n"
	       "  iobench check --plugin build/%s.so\n",
	       files[0].path, files[1].path, files[2].path, dir, name);
	return EXIT_OK;
}
