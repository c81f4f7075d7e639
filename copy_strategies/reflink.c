// SPDX-License-Identifier: MIT
/* reflink: placeholder until implemented. */
#include <errno.h>

#include "strategies.h"

static int reflink_probe(const char *dir, char *why, size_t len)
{
	(void)dir;
	return strategy_why(why, len, -ENOSYS, "not implemented yet");
}

static int reflink_copy(void *state, int src, int dst, const struct copy_range *r)
{
	(void)state; (void)src; (void)dst; (void)r;
	return -ENOSYS;
}

const struct copy_strategy strategy_reflink = {
	.abi = COPY_STRATEGY_ABI,
	.name = "reflink",
	.summary = "not implemented yet",
	.probe = reflink_probe,
	.copy = reflink_copy,
};
