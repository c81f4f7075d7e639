/* SPDX-License-Identifier: MIT */
/*
 * Growable arrays, like git's ALLOC_GROW: a pointer, a count and a
 * capacity kept by the caller; the array at least doubles when it grows.
 *
 *	struct cell *cells = NULL;
 *	size_t n = 0, cap = 0;
 *	if (ARRAY_GROW(cells, n + 1, cap))
 *		return -ENOMEM;
 *	cells[n++] = c;
 *
 * The caller owns the array (free() it); on failure it is unchanged.
 */
#ifndef IOBENCH_ARRAY_H
#define IOBENCH_ARRAY_H

#include <stddef.h>

/* Makes *array hold at least `need` elements of `elem` bytes; new space
 * is zeroed. 0, or -ENOMEM (array and cap unchanged). */
int array_grow(void **array, size_t *cap, size_t need, size_t elem);

#define ARRAY_GROW(a, need, cap) \
	array_grow((void **)&(a), &(cap), (need), sizeof(*(a)))

#endif
