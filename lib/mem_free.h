/* SPDX-License-Identifier: MIT */
/*
 * Freeing many things at once: the members a struct owns, listed once
 * (MEM_FREE_ALL), and arrays of malloc'd strings (mem_free_strings).
 */
#ifndef IOBENCH_MEM_FREE_H
#define IOBENCH_MEM_FREE_H

#include <stddef.h>

/* free()s each of the n pointers of v; NULL ones are left, as free()
 * leaves them. */
void mem_free_each(void *const *v, size_t n);

/*
 * free()s every argument, in order:
 *
 *	MEM_FREE_ALL(run->id, run->started, run->command_line);
 *
 * The arguments are evaluated once; they must be pointers to objects.
 */
#define MEM_FREE_ALL(...)                                  \
	mem_free_each((void *const[]){ __VA_ARGS__ },      \
		      sizeof((void *const[]){ __VA_ARGS__ }) / \
			      sizeof(void *))

/* free()s the n strings of v, then v itself; v may be NULL. */
void mem_free_strings(char **v, size_t n);

#endif
