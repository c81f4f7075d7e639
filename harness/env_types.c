// SPDX-License-Identifier: MIT
/* Freeing the environment facts a run embeds (env_types.h). */
#include <stdlib.h>
#include <string.h>

#include "env_types.h"

void env_storage_free(struct env_storage *s)
{
	free(s->block_device);
	free(s->device_chain);
	free(s->write_cache);
	free(s->virtualization);
	free(s->container);
	free(s->thp_enabled);
	free(s->thp_defrag);
	free(s->reflink_why);
	memset(s, 0, sizeof(*s));
}
