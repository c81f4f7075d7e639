// SPDX-License-Identifier: MIT
/* Monotonic time in seconds, timeval conversion, a run's stamp. */
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

double clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double clock_tv_seconds(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

void clock_run_stamp(char id[CLOCK_STAMP_LEN], char iso[CLOCK_STAMP_LEN])
{
	time_t t = time(NULL);
	unsigned short rnd = 0;
	char stamp[CLOCK_STAMP_LEN - 8];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	strftime(iso, CLOCK_STAMP_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned short)(getpid() ^ t);
	snprintf(id, CLOCK_STAMP_LEN, "%s-%04x", stamp, rnd);
}
