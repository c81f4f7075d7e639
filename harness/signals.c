// SPDX-License-Identifier: MIT
/* The stop signals of a run (see signals.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "signals.h"

/* Every signal whose default action ends the process and that a user, a
 * terminal, a resource limit or the system may send. Left out: the ones
 * that mean iobench itself crashed (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGABRT, SIGSYS, SIGTRAP), SIGPROF (profilers' timer) and SIGPIPE
 * (ignored: a write error instead). The real-time signals are added at
 * run time (their range is the C library's). */
const int signals_stop[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
	SIGVTALRM, SIGXCPU, SIGIO, SIGPWR, SIGSTKFLT,
};
const size_t signals_n_stop = sizeof(signals_stop) / sizeof(signals_stop[0]);

/* Calls fn for every stop signal, the real-time ones included. */
static void each_stop_signal(void (*fn)(int sig, void *ctx), void *ctx)
{
	for (size_t i = 0; i < signals_n_stop; i++)
		fn(signals_stop[i], ctx);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		fn(sig, ctx);
}

static void add_to_set(int sig, void *ctx)
{
	sigaddset(ctx, sig);
}

static void install_one(int sig, void *ctx)
{
	sigaction(sig, ctx, NULL);
}

static void ignore_one(int sig, void *ctx)
{
	(void)ctx;
	signal(sig, SIG_IGN);
}

void signals_install_stop(void (*handler)(int sig))
{
	struct sigaction sa = { .sa_handler = handler };

	sigemptyset(&sa.sa_mask);
	each_stop_signal(add_to_set, &sa.sa_mask);
	each_stop_signal(install_one, &sa);
	signal(SIGPIPE, SIG_IGN);
}

void signals_ignore_stop(void)
{
	each_stop_signal(ignore_one, NULL);
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

volatile sig_atomic_t signals_received;
static void (*volatile stop_fn)(void);

static void on_stop(int sig)
{
	if (!signals_received)
		signals_received = sig;
	else
		signal(sig, SIG_DFL);
	if (stop_fn)
		stop_fn();
}

void signals_on_stop(void (*stop)(void))
{
	stop_fn = stop;
	signals_install_stop(on_stop);
}
