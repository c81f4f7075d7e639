// SPDX-License-Identifier: MIT
/* io_uring: placeholder until implemented. */
#include <errno.h>

#include "strategies.h"

static int io_uring_probe(const char *dir, char *why, size_t len)
{
	(void)dir;
	return strategy_why(why, len, -ENOSYS, "not implemented yet");
}

static int io_uring_copy(void *state, int src, int dst, const struct copy_range *r)
{
	(void)state; (void)src; (void)dst; (void)r;
	return -ENOSYS;
}

const struct copy_strategy strategy_io_uring = {
	.abi = COPY_STRATEGY_ABI,
	.name = "io_uring",
	.summary = "not implemented yet",
	.probe = io_uring_probe,
	.copy = io_uring_copy,
};
