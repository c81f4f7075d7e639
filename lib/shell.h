/* SPDX-License-Identifier: MIT */
/*
 * Shell words: quoting a command line so it can be pasted back into a
 * POSIX shell (the report's "Reproduce" line, results.json); the quoting
 * loop itself, which results.csv shares.
 */
#ifndef IOBENCH_SHELL_H
#define IOBENCH_SHELL_H

#include <stdio.h>

/* Writes s to f between two `quote` characters, each quote inside it
 * written as quote_as: '"' and "\"\"" for CSV, '\'' and "'\\''" for sh. */
void shell_put_quoted(FILE *f, const char *s, char quote,
		      const char *quote_as);
/* Writes word to f as one shell word: bare when it holds only safe
 * characters, else single-quoted with embedded quotes escaped. */
void shell_quote(FILE *f, const char *word);
/* "prefix arg1 'arg 2' ..." as one malloc'd string (you free it); prefix
 * is written as is. NULL on allocation failure. */
char *shell_join(const char *prefix, int argc, char *const *argv);

#endif
