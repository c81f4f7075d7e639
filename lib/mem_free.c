// SPDX-License-Identifier: MIT
/* Freeing many things at once (see mem_free.h). */
#include <stdlib.h>

#include "mem_free.h"

void mem_free_each(void *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

void mem_free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
