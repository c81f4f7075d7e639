/* SPDX-License-Identifier: MIT */
/*
 * Shared by the statistics tests: a relative-tolerance comparison that
 * names the figure and the case when it fails (include after cmocka.h).
 */
#ifndef IOBENCH_TESTS_STATS_CHECK_H
#define IOBENCH_TESTS_STATS_CHECK_H

#include <math.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define TOL 1e-12

/* got within TOL of want (relative above 1, absolute below). */
static inline void assert_close(double got, double want, const char *what,
				const char *name)
{
	if (fabs(got - want) > TOL * (fabs(want) > 1 ? fabs(want) : 1))
		fail_msg("%s: %s = %.17g, want %.17g", name, what, got, want);
}

/* got.field against the reference case want->field, named by the field. */
#define ASSERT_FIELD_CLOSE(got, want, field) \
	assert_close((got).field, (want)->field, #field, (want)->name)

#endif
