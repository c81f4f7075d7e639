// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the results.json loader (results_read_json, the
 * reader of runs and baselines). The input goes through a memfd so the real
 * file path is fuzzed; a file it accepts must also survive being written
 * back and read again, as `compare` and baselines rely on.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_scratch.h"
#include "iobench/helpers.h"
#include "results.h"

static const char *rewrite;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rewrite = fuzz_scratch_path("r.json");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run run = { 0 }, again = { 0 };
	char path[64], err[512];
	int fd = memfd_create("results.json", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (strategy_write_all(fd, data, size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	if (results_read_json(path, &run, err, sizeof(err))) {
		if (!err[0]) {
			fprintf(stderr, "rejected without a reason\n");
			abort();
		}
	} else {
		if (results_write_json(&run, NULL, rewrite)) {
			fprintf(stderr, "an accepted run cannot be written\n");
			abort();
		}
		if (results_read_json(rewrite, &again, err, sizeof(err))) {
			fprintf(stderr, "written run rejected: %s\n", err);
			abort();
		}
		results_free(&again);
	}
	results_free(&run);
	close(fd);
	return 0;
}
