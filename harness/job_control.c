// SPDX-License-Identifier: MIT
/* Counting continues after stops (job_control.h). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "job_control.h"

static volatile sig_atomic_t continues;
static bool watching;

static void on_continue(int sig)
{
	(void)sig;
	continues++;
}

int job_control_watch(void)
{
	struct sigaction sa;

	if (watching)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_continue;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCONT, &sa, NULL))
		return -errno;
	watching = true;
	return 0;
}

unsigned long job_control_continues(void)
{
	return (unsigned long)continues;
}
