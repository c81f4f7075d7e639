// SPDX-License-Identifier: MIT
/* mmap: placeholder until implemented. */
#include <errno.h>

#include "strategies.h"

static int mmap_probe(const char *dir, char *why, size_t len)
{
	(void)dir;
	return strategy_why(why, len, -ENOSYS, "not implemented yet");
}

static int mmap_copy(void *state, int src, int dst, const struct copy_range *r)
{
	(void)state; (void)src; (void)dst; (void)r;
	return -ENOSYS;
}

const struct copy_strategy strategy_mmap = {
	.abi = COPY_STRATEGY_ABI,
	.name = "mmap",
	.summary = "not implemented yet",
	.probe = mmap_probe,
	.copy = mmap_copy,
};
