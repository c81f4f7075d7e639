/* SPDX-License-Identifier: MIT */
/*
 * Clocks: the one monotonic "now" every layer times with, and rusage
 * conversions, and a run's time stamp. No allocation; clock_now and
 * clock_tv_seconds are async-signal-safe.
 */
#ifndef IOBENCH_CLOCK_H
#define IOBENCH_CLOCK_H

#include <sys/time.h>

/* Seconds on CLOCK_MONOTONIC (arbitrary origin): for intervals only. */
double clock_now(void);
/* A struct timeval (rusage user/system time) in seconds. */
double clock_tv_seconds(const struct timeval *tv);
/* A run's identity from the wall clock (UTC): id "YYYYmmdd-HHMMSS-xxxx"
 * (xxxx random, so two runs in one second differ) and the ISO 8601
 * start "YYYY-mm-ddTHH:MM:SSZ". Buffers of CLOCK_STAMP_LEN bytes. */
#define CLOCK_STAMP_LEN 40
void clock_run_stamp(char id[CLOCK_STAMP_LEN], char iso[CLOCK_STAMP_LEN]);

#endif
