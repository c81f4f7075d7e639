// SPDX-License-Identifier: MIT
/* splice: placeholder until implemented. */
#include <errno.h>

#include "strategies.h"

static int splice_probe(const char *dir, char *why, size_t len)
{
	(void)dir;
	return strategy_why(why, len, -ENOSYS, "not implemented yet");
}

static int splice_copy(void *state, int src, int dst, const struct copy_range *r)
{
	(void)state; (void)src; (void)dst; (void)r;
	return -ENOSYS;
}

const struct copy_strategy strategy_splice = {
	.abi = COPY_STRATEGY_ABI,
	.name = "splice",
	.summary = "not implemented yet",
	.probe = splice_probe,
	.copy = splice_copy,
};
