// SPDX-License-Identifier: MIT
/*
 * compare: how the two runs' environments differ, and whether a side's
 * time changes can be judged at all - one measured under other load, at
 * another time than the other (compare_internal.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "compare.h"
#include "compare_internal.h"
#include "env_load.h"

static void add_env_diff(struct comparison *cmp, const char *field,
			 const char *base, const char *new)
{
	struct compare_env_diff *d;

	base = base ? base : "unknown";
	new = new ? new : "unknown";
	if (!strcmp(base, new))
		return;
	d = &cmp->env_diffs[cmp->n_env_diffs++];
	d->field = field;
	d->base = base;
	d->new = new;
}

/* Whether the two runs were measured at the same time (one sweep split
 * in two, interleaved passes): their [start, start + duration] overlap
 * by half the shorter one or more (starts have whole seconds: 1 s of
 * slack). Two runs back to back, the second started as the first ended,
 * were not: each saw its own load. Unknown start times: no. */
static bool measured_together(const struct run *a, const struct run *b)
{
	struct tm ta = { 0 }, tb = { 0 };
	double sa, sb, overlap;

	if (!a->started || !b->started ||
	    !strptime(a->started, "%Y-%m-%dT%H:%M:%SZ", &ta) ||
	    !strptime(b->started, "%Y-%m-%dT%H:%M:%SZ", &tb))
		return false;
	sa = (double)timegm(&ta);
	sb = (double)timegm(&tb);
	overlap = fmin(sa + a->duration, sb + b->duration) - fmax(sa, sb);
	return overlap + 1 >= 0.5 * fmin(a->duration, b->duration);
}

/*
 * A side measured while other processes kept the CPUs busy, at another
 * time than the other side: that load fell on it alone, and its times
 * moved by an amount no within-run CI holds (back-to-back A/A runs of
 * `iobench quick` here: 1.6x for 4K rw when others used 1.3 of 2 CPUs
 * during the first). Its time changes are not judged.
 */
static void mark_disturbed(const struct run *base, const struct run *new,
			   struct comparison *cmp)
{
	bool b = env_load_disturbed(&base->env.load, NULL, 0);
	bool n = env_load_disturbed(&new->env.load, NULL, 0);
	const struct run *side = b ? base : new;

	if ((!b && !n) || measured_together(base, new))
		return;
	cmp->disturbed = true;
	cmp->disturbed_both = b && n;
	if (b && n)
		/* each its own load, at its own time: not the same */
		snprintf(cmp->disturbed_why, sizeof(cmp->disturbed_why),
			 "both runs were measured while other processes kept "
			 "CPUs busy, each at its own time (base %.2f, new "
			 "%.2f of %u CPUs; steal %.2f and %.2f)",
			 fmax(base->env.load.other_cpus, 0),
			 fmax(new->env.load.other_cpus, 0), base->env.load.cpus,
			 fmax(base->env.load.steal_cpus, 0),
			 fmax(new->env.load.steal_cpus, 0));
	else
		snprintf(cmp->disturbed_why, sizeof(cmp->disturbed_why),
			 "the %s run was measured while other processes kept "
			 "%.2f of %u CPUs busy and the hypervisor took %.2f "
			 "(steal)",
			 side == base ? "base" : "new",
			 fmax(side->env.load.other_cpus, 0),
			 side->env.load.cpus,
			 fmax(side->env.load.steal_cpus, 0));
}

/* The runs a side's samples came from (sweep --runs, compare REF's
 * passes): 1 + the largest sample.run. */
static unsigned runs_of(const struct run *r)
{
	unsigned n = 0;

	for (size_t i = 0; i < r->n_cells; i++)
		for (size_t j = 0; j < r->cells[i].n_samples; j++)
			if (r->cells[i].samples[j].run >= n)
				n = r->cells[i].samples[j].run + 1;
	return n ? n : 1;
}

void compare_diff_environments(const struct run *base, const struct run *new,
			       struct comparison *cmp)
{
	cmp->runs[0] = runs_of(base);
	cmp->runs[1] = runs_of(new);
	if (cmp->runs[0] != cmp->runs[1]) {
		/* a side of one run against one of several: the several are
		 * pooled and judged as one (compare_across_runs() needs
		 * several on both), which the reader must know */
		snprintf(cmp->runs_text[0], sizeof(cmp->runs_text[0]), "%u",
			 cmp->runs[0]);
		snprintf(cmp->runs_text[1], sizeof(cmp->runs_text[1]), "%u",
			 cmp->runs[1]);
		add_env_diff(cmp, "runs (--runs)", cmp->runs_text[0],
			     cmp->runs_text[1]);
	}
	add_env_diff(cmp, "hostname", base->env.hostname, new->env.hostname);
	add_env_diff(cmp, "kernel", base->env.kernel, new->env.kernel);
	add_env_diff(cmp, "fs_type", base->env.fs_type, new->env.fs_type);
	add_env_diff(cmp, "mount_options", base->env.mount_options,
		     new->env.mount_options);
	add_env_diff(cmp, "device_model", base->env.device_model,
		     new->env.device_model);
	add_env_diff(cmp, "cpu_model", base->env.cpu_model, new->env.cpu_model);
	add_env_diff(cmp, "version", base->version, new->version);
	/* a side measured while other processes were busy: its times
	 * include them (env_load.h) */
	if (env_load_disturbed(&base->env.load, NULL, 0) ||
	    env_load_disturbed(&new->env.load, NULL, 0))
		add_env_diff(
			cmp, "other load while measuring",
			base->env.load.measured ? base->env.load.text : NULL,
			new->env.load.measured ? new->env.load.text : NULL);
	mark_disturbed(base, new, cmp);
}
