// SPDX-License-Identifier: MIT
/* libaio: placeholder until implemented. */
#include <errno.h>

#include "strategies.h"

static int libaio_probe(const char *dir, char *why, size_t len)
{
	(void)dir;
	return strategy_why(why, len, -ENOSYS, "not implemented yet");
}

static int libaio_copy(void *state, int src, int dst, const struct copy_range *r)
{
	(void)state; (void)src; (void)dst; (void)r;
	return -ENOSYS;
}

const struct copy_strategy strategy_libaio = {
	.abi = COPY_STRATEGY_ABI,
	.name = "libaio",
	.summary = "not implemented yet",
	.probe = libaio_probe,
	.copy = libaio_copy,
};
