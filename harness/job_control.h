/* SPDX-License-Identifier: MIT */
/*
 * Whether this process was stopped (SIGSTOP, SIGTSTP: Ctrl-Z, a
 * debugger) while it measured: a SIGCONT handler counts the times it
 * was continued. A stopped process cannot run until it is continued, so
 * a measurement over which the count did not change was never stopped;
 * one over which it changed includes the stop and is taken again. For
 * measurements made in this process (the sweep's samples run in child
 * processes the runner watches with waitid() instead).
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_JOB_CONTROL_H
#define IOBENCH_JOB_CONTROL_H

/* Installs the SIGCONT handler (SA_RESTART: interrupted system calls go
 * on) once; later calls do nothing. 0 or -errno. */
int job_control_watch(void);
/* Times this process was continued since job_control_watch(). */
unsigned long job_control_continues(void);

#endif
