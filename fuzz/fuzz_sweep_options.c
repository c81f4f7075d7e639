// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the option values `iobench sweep` validates: the
 * real request_build() (harness/request.c) with --sizes, --strategies,
 * --buffers, --qd, --direct, --cache, --sync, --content, --samples,
 * --budget, --timeout, --seed, --save-baseline, --reference, --threads,
 * --parallel, --pin, --prealloc, --runs, --sqpoll and --dataset taken
 * from newline-separated lines of the input, over sweep's defaults
 * (request_opts_init). Validation must create nothing, accepted or not.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_scratch.h"
#include "msg.h"
#include "request.h"

static const char *fuzz_out;

/* formatted (so bad format arguments show up), not printed */
static void swallow(enum msg_kind kind, const char *fmt, va_list ap)
{
	char line[1024];

	(void)kind;
	vsnprintf(line, sizeof(line), fmt, ap);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_out = fuzz_scratch_path("out");
	msg_set_routine(swallow);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request_opts o;
	struct run run = { 0 };
	char *buf = malloc(size + 1), *line;
	size_t f = 0;
	struct stat st;

	if (!buf)
		return 0;
	request_opts_init(&o);
	/* one line each, in this order (the corpus depends on it) */
	const char **field[] = {
		&o.sizes, &o.strategies, &o.tune[tunable_index("buffer")],
		&o.tune[tunable_index("qd")],
		&o.tune[tunable_index("direct")], &o.cache, &o.sync,
		&o.content, &o.samples, &o.budget, &o.timeout, &o.seed,
		&o.save_baseline, &o.reference, &o.threads, &o.parallel,
		&o.pin, &o.prealloc, &o.runs, &o.tune[tunable_index("sqpoll")],
		&o.dataset,
	};
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* strsep keeps empty lines: an empty value is an input too */
	for (char *p = buf; (line = strsep(&p, "\n")) &&
	     f < sizeof(field) / sizeof(field[0]); f++)
		*field[f] = line;
	o.dir = fuzz_scratch_dir();
	o.out = fuzz_out;
	request_build(&o, &run.request);
	results_free(&run);
	if (!stat(fuzz_out, &st))
		abort();
	free(buf);
	return 0;
}
