// SPDX-License-Identifier: MIT
/* iobench compare: placeholder. */
#include "verbs.h"

int cmd_compare(int argc, char **argv)
{
	(void)argc; (void)argv;
	bench_error("compare: not implemented yet");
	return EXIT_RUNTIME;
}
