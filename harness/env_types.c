// SPDX-License-Identifier: MIT
/* Freeing the environment facts a run embeds (env_types.h). */
#include <stdlib.h>
#include <string.h>

#include "env_types.h"
#include "mem_free.h"

void env_storage_free(struct env_storage *s)
{
	MEM_FREE_ALL(s->block_device, s->device_chain, s->write_cache,
		     s->virtualization, s->container, s->thp_enabled,
		     s->thp_defrag, s->reflink_why);
	memset(s, 0, sizeof(*s));
}
