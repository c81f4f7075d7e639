/* SPDX-License-Identifier: MIT */
/*
 * "Did you mean ...?": the candidates nearest to a mistyped name (a verb,
 * a long option, a strategy), for the one-line errors of the command line.
 */
#ifndef IOBENCH_SUGGEST_H
#define IOBENCH_SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX 3

/*
 * An accumulator: suggest_init() with what was typed, suggest_consider()
 * each known name in a fixed order, then read the result. Nothing is
 * copied: word and every kept candidate must outlive it.
 *
 * A candidate is near when, ignoring case, the word is a prefix of it (an
 * abbreviation: "--size" for "--sizes"), or it contains the word (of 3
 * characters or more: "uring" in "io_uring"), or their edit distance
 * (insertions, deletions, substitutions and swaps of two neighbours) is
 * at most (length of the word + 2) / 3. Nearest first: a prefix, then
 * one edit ("--caches": "--cache", not "--drop-caches"), then a
 * substring, then more edits, fewest first. Candidates that tie
 * are all kept (in the order considered), up to SUGGEST_MAX; n_tied
 * counts them all.
 */
struct suggest {
	const char *word;
	const char *best[SUGGEST_MAX];
	size_t n;			/* kept in best[] */
	size_t n_tied;			/* all candidates at the best score */
	unsigned score;			/* lower is nearer; UINT_MAX: none */
};

void suggest_init(struct suggest *s, const char *word);
void suggest_consider(struct suggest *s, const char *candidate);

/* Edit distance of a and b, ignoring case (optimal string alignment:
 * a swap of two neighbours counts 1). Names over 63 characters: huge. */
unsigned suggest_distance(const char *a, const char *b);

/*
 * The suggestions as "'--sizes'", "'--sizes' or '--seed'" or "'a', 'b'
 * or 'c'" (", ..." when more tied), each name preceded by prefix ("--" for
 * options, "" otherwise). "" when there are none. Truncated to len.
 */
void suggest_format(const struct suggest *s, const char *prefix, char *buf,
		    size_t len);

#endif
