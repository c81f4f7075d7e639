/* SPDX-License-Identifier: MIT */
/*
 * The terminating signals a run stops on: SIGINT, SIGTERM, SIGHUP (the
 * terminal closed), SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM,
 * SIGXCPU (a CPU-time limit), SIGIO, SIGPWR, SIGSTKFLT and the real-time
 * signals: every one whose default action ends the process, but those
 * that mean iobench crashed and SIGPROF (profilers' own). The parent
 * handles them (stop after the sample in flight, keep what was measured,
 * remove the scratch directory, exit 128 + the signal's number); the
 * processes it starts ignore them, so a signal sent to the whole process
 * group reaches the parent's decision, not each child's default action.
 * SIGPIPE is ignored in the parent: a closed pipe is a write error (EPIPE)
 * reported like any other, never a silent death.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_SIGNALS_H
#define IOBENCH_SIGNALS_H

#include <signal.h>
#include <stddef.h>

/* The fixed ones (the real-time signals are added at run time). */
extern const int signals_stop[];
extern const size_t signals_n_stop;

/* Installs handler for every stop signal (no SA_RESTART: a blocking
 * poll or wait must return EINTR) and ignores SIGPIPE. */
void signals_install_stop(void (*handler)(int sig));
/* The first stop signal a verb received through signals_on_stop()'s
 * handler (0: none). */
extern volatile sig_atomic_t signals_received;
/*
 * The verbs' handler: the first stop signal is kept in signals_received
 * and stop() called (stop after the work in flight); a second restores
 * that signal's default action and calls stop() again (abort the work in
 * flight), so a third ends the process. stop must be async-signal-safe.
 * Installed for every stop signal as signals_install_stop() does.
 */
void signals_on_stop(void (*stop)(void));
/* In a child: ignores every stop signal (kept across exec). */
void signals_ignore_stop(void);
/* The exit status for a run stopped by sig: 128 + sig. */
int signals_exit_code(int sig);
/* "SIGHUP" for SIGHUP; "signal N" for others. */
const char *signals_name(int sig);

#endif
