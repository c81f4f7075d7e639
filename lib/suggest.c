// SPDX-License-Identifier: MIT
/*
 * Typo suggestions for the command line, after git's help.c: near names by
 * prefix, substring and edit distance. Hand-written: the names are short
 * and few, and no packaged C library offers this.
 */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "suggest.h"

#define NAME_MAX_LEN 63
/* lower is nearer: a prefix, one edit, a substring, more edits */
#define SCORE_PREFIX 0u
#define SCORE_SUBSTRING 3u
#define SCORE_PER_EDIT 2u

void suggest_init(struct suggest *s, const char *word)
{
	memset(s, 0, sizeof(*s));
	s->word = word ? word : "";
	s->score = UINT_MAX;
}

unsigned suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	/* three rows of the matrix: two back (for swaps), one back, this */
	unsigned rows[3][NAME_MAX_LEN + 1];
	unsigned *pp = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
		return UINT_MAX / 2;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		int ca = tolower((unsigned char)a[i - 1]);

		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			int cb = tolower((unsigned char)b[j - 1]);
			unsigned best = prev[j - 1] + (ca != cb);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca != cb &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			cur[j] = best;
		}
		t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

/* Lower is nearer; UINT_MAX: not near at all. */
static unsigned score(const char *word, const char *candidate)
{
	size_t len = strlen(word);
	unsigned d;

	if (!len)
		return UINT_MAX;
	if (!strncasecmp(candidate, word, len))
		return SCORE_PREFIX;
	d = suggest_distance(word, candidate);
	if (d == 1)
		return SCORE_PER_EDIT;
	if (len >= 3 && contains_nocase(candidate, word))
		return SCORE_SUBSTRING;
	return d <= (len + 2) / 3 ? SCORE_PER_EDIT * d : UINT_MAX;
}

void suggest_consider(struct suggest *s, const char *candidate)
{
	unsigned sc;

	if (!candidate || !strcmp(candidate, s->word))
		return;
	sc = score(s->word, candidate);
	if (sc == UINT_MAX || sc > s->score)
		return;
	if (sc < s->score) {
		s->score = sc;
		s->n = s->n_tied = 0;
	}
	if (s->n < SUGGEST_MAX)
		s->best[s->n++] = candidate;
	s->n_tied++;
}

void suggest_format(const struct suggest *s, const char *prefix, char *buf,
		    size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < s->n && used < len; i++) {
		const char *sep = !i ? "" :
				  i + 1 < s->n || s->n_tied > s->n ? ", " :
				  " or ";

		used += snprintf(buf + used, len - used, "%s'%s%s'", sep,
				 prefix, s->best[i]);
	}
	if (s->n_tied > s->n && used < len)
		snprintf(buf + used, len - used, ", ...");
}
