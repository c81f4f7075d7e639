// SPDX-License-Identifier: MIT
/*
 * compare's one line (compare.h compare_summary()): what regressed and
 * improved, across sizes too, what was not judged and why, and the other
 * figures that regressed - the terminal's and compare.md's headline.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "compare_internal.h"
#include "fmt.h"

/* The summary's variants regressed or improved across their sizes:
 * "; across sizes: rw regressed +16%". Returns the new used. */
static size_t across_summary(const struct comparison *cmp, char *buf,
			     size_t len, size_t used)
{
	const char *sep = "; across sizes: ";

	for (size_t i = 0; i < cmp->n_across && used < len; i++) {
		const struct compare_across *a = &cmp->across[i];
		char key[256];

		if (a->verdict != VERDICT_REGRESSED &&
		    a->verdict != VERDICT_IMPROVED)
			continue;
		used += snprintf(buf + used, len - used, "%s`%s` %s %+.0f%%",
				 sep, compare_across_name(a, key, sizeof(key)),
				 compare_verdict_name(a->verdict),
				 100 * a->change);
		sep = ", ";
	}
	return used;
}

/* Whether a figure other than time regressed in some cell. */
static bool other_regressed(const struct comparison *cmp)
{
	for (int m = METRIC_TIME + 1; m < METRIC_COUNT; m++)
		if (cmp->metric_regressed[m])
			return true;
	return false;
}

void compare_summary(const struct comparison *cmp, char *buf, size_t len)
{
	static const struct {
		const char *name;
		unsigned bit;
	} groups[] = {
		{ "CPU", COMPARE_FAIL_CPU },
		{ "memory", COMPARE_FAIL_MEMORY },
		{ "page cache", COMPARE_FAIL_CACHE },
	};
	const struct compare_cell *top = compare_largest_shift(cmp);
	/* regressions the gate could not judge, and none it could */
	bool unjudged = compare_unjudged_regressed(cmp) && !cmp->n_regressed &&
			!cmp->n_across_regressed;
	char size[FMT_LEN];
	size_t used;

	if (!compare_tested(cmp))
		used = snprintf(buf, len,
				"Nothing compared: no matched cell "
				"has samples on both sides");
	else if (unjudged)
		/* not "no regressions": the gate could not look */
		used = snprintf(buf, len,
				"Not judged: %zu time change%s that "
				"regressed%s",
				compare_unjudged_regressed(cmp),
				compare_unjudged_regressed(cmp) == 1 ? "" : "s",
				cmp->n_disturbed + cmp->n_apart >
						compare_unjudged_regressed(cmp)
					? " (and the others)"
					: "");
	else if (!cmp->n_regressed && !cmp->n_improved &&
		 !cmp->n_across_regressed && !cmp->n_across_improved)
		used = snprintf(buf, len, "No %sregressions detected",
				other_regressed(cmp) ? "time " : "");
	else if (!cmp->n_regressed && !cmp->n_across_regressed)
		used = snprintf(buf, len,
				"No %sregressions detected, %zu "
				"improvement%s",
				other_regressed(cmp) ? "time " : "",
				cmp->n_improved,
				cmp->n_improved == 1 ? "" : "s");
	else
		used = snprintf(
			buf, len, "%zu regression%s, %zu improvement%s",
			cmp->n_regressed, cmp->n_regressed == 1 ? "" : "s",
			cmp->n_improved, cmp->n_improved == 1 ? "" : "s");
	used = across_summary(cmp, buf, len, used);
	if (unjudged && used < len)
		used += snprintf(buf + used, len - used, ": %s",
				 cmp->unjudged_why);
	else if (cmp->n_disturbed && used < len)
		used += snprintf(
			buf + used, len - used,
			"; %zu time change%s not judged: %s", cmp->n_disturbed,
			cmp->n_disturbed == 1 ? "" : "s", cmp->disturbed_why);
	if (cmp->n_apart && !unjudged && used < len)
		used += snprintf(buf + used, len - used,
				 "; %zu time change%s not judged: the cells "
				 "of a size moved apart (%s: spread %.0f%%)",
				 cmp->n_apart, cmp->n_apart == 1 ? "" : "s",
				 fmt_size(cmp->apart_size, size, sizeof(size)),
				 100 * expm1(cmp->apart_spread));
	if (top && fabs(top->shift) >= log(1 + COMPARE_SHIFT_NOTE) &&
	    used < len)
		used += snprintf(buf + used, len - used,
				 "; judged net of sizes that moved as a whole "
				 "(%s %+.0f%%)",
				 fmt_size(top->base->size, size, sizeof(size)),
				 100 * (exp(top->shift) - 1));
	/* the other figures, only when some regressed: cells, not figures */
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		size_t n = 0;

		for (size_t i = 0; cmp->cells && i < cmp->n_cells; i++)
			for (int m = METRIC_TIME + 1; m < METRIC_COUNT; m++)
				if (compare_fail_bit(m) == groups[g].bit &&
				    cmp->cells[i].metric[m].verdict ==
					    VERDICT_REGRESSED) {
					n++;
					break;
				}
		if (n && used < len)
			used += snprintf(buf + used, len - used,
					 "; %s: %zu regression%s",
					 groups[g].name, n, n == 1 ? "" : "s");
	}
}
