// SPDX-License-Identifier: MIT
/* stdio: placeholder until implemented. */
#include <errno.h>

#include "strategies.h"

static int stdio_probe(const char *dir, char *why, size_t len)
{
	(void)dir;
	return strategy_why(why, len, -ENOSYS, "not implemented yet");
}

static int stdio_copy(void *state, int src, int dst, const struct copy_range *r)
{
	(void)state; (void)src; (void)dst; (void)r;
	return -ENOSYS;
}

const struct copy_strategy strategy_stdio = {
	.abi = COPY_STRATEGY_ABI,
	.name = "stdio",
	.summary = "not implemented yet",
	.probe = stdio_probe,
	.copy = stdio_copy,
};
