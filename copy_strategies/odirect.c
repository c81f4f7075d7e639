// SPDX-License-Identifier: MIT
/* odirect: placeholder until implemented. */
#include <errno.h>

#include "strategies.h"

static int odirect_probe(const char *dir, char *why, size_t len)
{
	(void)dir;
	return strategy_why(why, len, -ENOSYS, "not implemented yet");
}

static int odirect_copy(void *state, int src, int dst, const struct copy_range *r)
{
	(void)state; (void)src; (void)dst; (void)r;
	return -ENOSYS;
}

const struct copy_strategy strategy_odirect = {
	.abi = COPY_STRATEGY_ABI,
	.name = "odirect",
	.summary = "not implemented yet",
	.probe = odirect_probe,
	.copy = odirect_copy,
};
