// SPDX-License-Identifier: MIT
/* sendfile: placeholder until implemented. */
#include <errno.h>

#include "strategies.h"

static int sendfile_probe(const char *dir, char *why, size_t len)
{
	(void)dir;
	return strategy_why(why, len, -ENOSYS, "not implemented yet");
}

static int sendfile_copy(void *state, int src, int dst, const struct copy_range *r)
{
	(void)state; (void)src; (void)dst; (void)r;
	return -ENOSYS;
}

const struct copy_strategy strategy_sendfile = {
	.abi = COPY_STRATEGY_ABI,
	.name = "sendfile",
	.summary = "not implemented yet",
	.probe = sendfile_probe,
	.copy = sendfile_copy,
};
