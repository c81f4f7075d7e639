// SPDX-License-Identifier: MIT
/*
 * Test helper: renders report.md (and its plots) for a results.json into
 * a directory, so the report can be re-drawn under another PATH.
 */
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "report.h"
#include "results.h"

int main(int argc, char **argv)
{
	struct analysis a;
	struct run run;
	char err[512], path[4096];
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: render RESULTS.json OUTDIR\n");
		return 2;
	}
	if (results_read_json(argv[1], &run, err, sizeof(err))) {
		fprintf(stderr, "render: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/report.md", argv[2]);
	ret = analysis_build(&run, &a);
	if (!ret) {
		ret = report_write_markdown(&a, path);
		analysis_free(&a);
	}
	results_free(&run);
	if (ret) {
		fprintf(stderr, "render: %s: %s\n", path, strerror(-ret));
		return 1;
	}
	return 0;
}
