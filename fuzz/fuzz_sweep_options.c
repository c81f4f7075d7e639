// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the option values `iobench sweep` validates: the
 * real build_request() of bench/sweep.c (included here to reach the static
 * function) with --sizes, --strategies, --buffers, --qd, --direct, --cache,
 * --sync, --content, --samples, --budget, --timeout, --seed,
 * --save-baseline, --reference, --threads, --parallel, --pin, --prealloc,
 * --runs, --sqpoll, --dataset and --sparse taken from newline-separated
 * lines of the input. The defaults
 * mirror cmd_sweep()'s; an option added there with a non-NULL default
 * needs adding here too.
 */
#include <stdarg.h>

#include "../bench/sweep.c"

static char fuzz_dir[] = "/tmp/iobench-fuzz-XXXXXX";
static char fuzz_out[sizeof(fuzz_dir) + 8];

void bench_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	/* formatted (so bad format arguments show up), not printed */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
}

/* sweep.c's run path cleans stale scratch; the fuzzer never runs it */
void bench_clean_stale_scratch(const char *dir)
{
	(void)dir;
}

/* cmd_sweep's option loop and --dry-run table are not fuzzed here */
int bench_getopt(const char *verb, int argc, char **argv,
		 const char *optstring, const struct option *longopts)
{
	(void)verb;
	(void)argc;
	(void)argv;
	(void)optstring;
	(void)longopts;
	return -1;
}

int bench_print_plan(const struct run *run, FILE *f)
{
	(void)run;
	(void)f;
	return 0;
}

static void remove_fuzz_dir(void)
{
	rmdir(fuzz_out);
	rmdir(fuzz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(fuzz_dir))
		abort();
	snprintf(fuzz_out, sizeof(fuzz_out), "%s/out", fuzz_dir);
	atexit(remove_fuzz_dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sweep_opts o = {
		.sizes = DEFAULT_SIZES, .strategies = "all",
		.cache = "warm,cold", .sync = "none",
		.content = "random", .samples = "10", .runs = "1",
		.budget = "10", .timeout = "60", .seed = "42",
		.reference = "cp", .sparse = "auto",
	};
	/* one line each, in this order; tunables at NULL take the table's
	 * sweep defaults, as in cmd_sweep() */
	const char **field[] = {
		&o.sizes, &o.strategies, &o.tune[tunable_index("buffer")],
		&o.tune[tunable_index("qd")],
		&o.tune[tunable_index("direct")], &o.cache, &o.sync,
		&o.content, &o.samples, &o.budget, &o.timeout, &o.seed,
		&o.baseline, &o.reference, &o.threads, &o.parallel, &o.pin,
		&o.prealloc, &o.runs, &o.tune[tunable_index("sqpoll")],
		&o.dataset, &o.sparse,
	};
	struct run run = { 0 };
	char *buf = malloc(size + 1), *line;
	size_t f = 0;
	struct stat st;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* strsep keeps empty lines: an empty value is an input too */
	for (char *p = buf; (line = strsep(&p, "\n")) &&
	     f < sizeof(field) / sizeof(field[0]); f++)
		*field[f] = line;
	o.dir = fuzz_dir;
	o.out = fuzz_out;
	build_request(&o, &run.request);
	results_free(&run);
	/* validation creates nothing, accepted or not */
	if (!stat(fuzz_out, &st))
		abort();
	free(buf);
	return 0;
}
