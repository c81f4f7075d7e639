// SPDX-License-Identifier: MIT
/* Shell quoting (see shell.h). */
#include <stdlib.h>
#include <string.h>

#include "shell.h"

#define SHELL_SAFE                                                             \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"                 \
	"0123456789,._-+=/:@%"

/* $'...' (bash, zsh, POSIX 2024): the only quoting that can hold a
 * control byte and stay one line. */
static void ansi_c_quote(FILE *f, const char *word)
{
	fputs("$'", f);
	for (; *word; word++) {
		unsigned char c = (unsigned char)*word;

		if (c == '\'' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('\'', f);
}

void shell_put_quoted(FILE *f, const char *s, char quote,
		      const char *quote_as)
{
	fputc(quote, f);
	for (; *s; s++) {
		if (*s == quote)
			fputs(quote_as, f);
		else
			fputc(*s, f);
	}
	fputc(quote, f);
}

void shell_quote(FILE *f, const char *word)
{
	if (*word && strspn(word, SHELL_SAFE) == strlen(word)) {
		fputs(word, f);
		return;
	}
	for (const char *p = word; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			ansi_c_quote(f, word);
			return;
		}
	shell_put_quoted(f, word, '\'', "'\\''");
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
