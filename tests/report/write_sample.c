// SPDX-License-Identifier: MIT
/*
 * Writes the synthetic run's results.json, results.csv and report.md into
 * DIR: the input of the schema check (and a way to look at a report).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "outputs.h"
#include "synthetic.h"

static int write_all(const struct run *run, const char *dir)
{
	const char *what = "analysing the run";
	struct analysis a;
	int fd, ret = analysis_build(run, &a);

	if (!ret) {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ret = fd < 0 ? -errno : outputs_write(run, &a, fd, dir, &what);
		if (fd >= 0)
			close(fd);
		analysis_free(&a);
	}
	if (ret) {
		fprintf(stderr, "write_sample: %s/%s: %s\n", dir, what,
			strerror(-ret));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct run run;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: write_sample DIR\n");
		return 2;
	}
	if (synthetic_run(&run)) {
		fprintf(stderr, "write_sample: out of memory\n");
		return 1;
	}
	ret = write_all(&run, argv[1]);
	results_free(&run);
	return ret;
}
