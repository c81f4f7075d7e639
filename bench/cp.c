// SPDX-License-Identifier: MIT
/* iobench cp: placeholder. */
#include "verbs.h"

int cmd_cp(int argc, char **argv)
{
	(void)argc; (void)argv;
	bench_error("cp: not implemented yet");
	return EXIT_RUNTIME;
}
