// SPDX-License-Identifier: MIT
/* The stop signals of a run (see signals.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "signals.h"

const int signals_stop[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
};
const size_t signals_n_stop = sizeof(signals_stop) / sizeof(signals_stop[0]);

void signals_install_stop(void (*handler)(int sig))
{
	struct sigaction sa = { .sa_handler = handler };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < signals_n_stop; i++)
		sigaddset(&sa.sa_mask, signals_stop[i]);
	for (size_t i = 0; i < signals_n_stop; i++)
		sigaction(signals_stop[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void signals_ignore_stop(void)
{
	for (size_t i = 0; i < signals_n_stop; i++)
		signal(signals_stop[i], SIG_IGN);
}

int signals_exit_code(int sig)
{
	return 128 + sig;
}

const char *signals_name(int sig)
{
	static char buf[32];
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	else
		snprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
}
