// SPDX-License-Identifier: MIT
/* iobench list: placeholder. */
#include "verbs.h"

int cmd_list(int argc, char **argv)
{
	(void)argc; (void)argv;
	bench_error("list: not implemented yet");
	return EXIT_RUNTIME;
}
