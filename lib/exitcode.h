/* SPDX-License-Identifier: MIT */
/* One exit-code convention for every verb (README "Exit codes"). */
#ifndef IOBENCH_EXITCODE_H
#define IOBENCH_EXITCODE_H

enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,		/* bad input or usage; nothing created */
	EXIT_RUNTIME = 2,	/* runtime error, nothing measured */
	EXIT_CELLS_FAILED = 3,	/* completed, but some cells failed */
	EXIT_REGRESSION = 4,	/* compare found a regression */
	EXIT_SIGINT = 130,
	EXIT_SIGTERM = 143,
};

#endif
