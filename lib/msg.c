// SPDX-License-Identifier: MIT
/* The message funnel (see msg.h). */
#include <stdio.h>

#include "msg.h"

static void msg_to_stderr(enum msg_kind kind, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
		[MSG_ERROR] = "iobench: ",
		[MSG_WARNING] = "iobench: warning: ",
		[MSG_NOTE] = "iobench: note: ",
	};

	fputs(prefix[kind], stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static msg_routine routine = msg_to_stderr;

void msg_set_routine(msg_routine fn)
{
	routine = fn ? fn : msg_to_stderr;
}

#define MSG_FN(name, kind)						\
	void name(const char *fmt, ...)					\
	{								\
		va_list ap;						\
									\
		va_start(ap, fmt);					\
		routine(kind, fmt, ap);					\
		va_end(ap);						\
	}

MSG_FN(msg_error, MSG_ERROR)
MSG_FN(msg_warning, MSG_WARNING)
MSG_FN(msg_note, MSG_NOTE)
