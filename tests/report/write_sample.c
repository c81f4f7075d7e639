// SPDX-License-Identifier: MIT
/*
 * Writes the synthetic run's results.json, results.csv and report.md into
 * DIR: the input of the schema check (and a way to look at a report).
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "synthetic.h"

static int write_all(const struct run *run, const char *dir)
{
	static const struct {
		const char *name;
		int (*write)(const struct run *, const char *);
	} outputs[] = {
		{ "results.json", results_write_json },
		{ "results.csv", results_write_csv },
		{ "report.md", report_write_markdown },
	};
	char path[4096];

	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		int ret;

		snprintf(path, sizeof(path), "%s/%s", dir, outputs[i].name);
		ret = outputs[i].write(run, path);
		if (ret) {
			fprintf(stderr, "write_sample: %s: %s\n", path,
				strerror(-ret));
			return 1;
		}
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
