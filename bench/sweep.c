// SPDX-License-Identifier: MIT
/* iobench sweep: placeholder. */
#include "verbs.h"

int cmd_sweep(int argc, char **argv)
{
	(void)argc; (void)argv;
	bench_error("sweep: not implemented yet");
	return EXIT_RUNTIME;
}
