// SPDX-License-Identifier: MIT
/* iobench doctor: placeholder. */
#include "verbs.h"

int cmd_doctor(int argc, char **argv)
{
	(void)argc; (void)argv;
	bench_error("doctor: not implemented yet");
	return EXIT_RUNTIME;
}
