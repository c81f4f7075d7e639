/* SPDX-License-Identifier: MIT */
/*
 * The one path every message to the user takes, like git's usage.c:
 * msg_error("sweep: --dir %s: %s", ...) prints "iobench: sweep: --dir
 * ...: ..." on stderr; msg_warning and msg_note add "warning: " / "note: ".
 * A caller may swap the routine (the fuzzers swallow messages, tests
 * capture them). Messages are one line, lower case, no full stop, and
 * say what failed first.
 */
#ifndef IOBENCH_MSG_H
#define IOBENCH_MSG_H

#include <stdarg.h>

enum msg_kind { MSG_ERROR, MSG_WARNING, MSG_NOTE };

void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The routine every message goes through; NULL restores the default
 * (stderr). */
typedef void (*msg_routine)(enum msg_kind kind, const char *fmt,
			    va_list ap);
void msg_set_routine(msg_routine fn);

#endif
