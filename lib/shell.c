// SPDX-License-Identifier: MIT
/* Shell quoting (see shell.h). */
#include <stdlib.h>
#include <string.h>

#include "shell.h"

#define SHELL_SAFE "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
		   "0123456789,._-+=/:@%"

void shell_quote(FILE *f, const char *word)
{
	if (*word && strspn(word, SHELL_SAFE) == strlen(word)) {
		fputs(word, f);
		return;
	}
	fputc('\'', f);
	for (; *word; word++) {
		if (*word == '\'')
			fputs("'\\''", f);
		else
			fputc(*word, f);
	}
	fputc('\'', f);
}

char *shell_join(const char *prefix, int argc, char *const *argv)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	fputs(prefix, f);
	for (int i = 0; i < argc; i++) {
		fputc(' ', f);
		shell_quote(f, argv[i]);
	}
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}
