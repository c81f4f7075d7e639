// SPDX-License-Identifier: MIT
/* copy_file_range: placeholder until implemented. */
#include <errno.h>

#include "strategies.h"

static int copy_file_range_probe(const char *dir, char *why, size_t len)
{
	(void)dir;
	return strategy_why(why, len, -ENOSYS, "not implemented yet");
}

static int copy_file_range_copy(void *state, int src, int dst, const struct copy_range *r)
{
	(void)state; (void)src; (void)dst; (void)r;
	return -ENOSYS;
}

const struct copy_strategy strategy_copy_file_range = {
	.abi = COPY_STRATEGY_ABI,
	.name = "copy_file_range",
	.summary = "not implemented yet",
	.probe = copy_file_range_probe,
	.copy = copy_file_range_copy,
};
