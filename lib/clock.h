/* SPDX-License-Identifier: MIT */
/*
 * Clocks: the one monotonic "now" every layer times with, and rusage
 * conversions. No allocation, async-signal-safe.
 */
#ifndef IOBENCH_CLOCK_H
#define IOBENCH_CLOCK_H

#include <sys/time.h>

/* Seconds on CLOCK_MONOTONIC (arbitrary origin): for intervals only. */
double clock_now(void);
/* A struct timeval (rusage user/system time) in seconds. */
double clock_tv_seconds(const struct timeval *tv);

#endif
