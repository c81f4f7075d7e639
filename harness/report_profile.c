// SPDX-License-Identifier: MIT
/*
 * The "Profile" section of report.md (iobench profile): counters per copy,
 * CPU per GiB, memory, and each strategy's key hot spots.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "parse.h"
#include "profile.h"

#define HOT_SPOTS_SHOWN 5

static const enum profile_counter hardware[] = {
	PROFILE_CYCLES, PROFILE_INSTRUCTIONS, PROFILE_CACHE_MISSES,
	PROFILE_BRANCH_MISSES,
};
#define N_HARDWARE (sizeof(hardware) / sizeof(hardware[0]))

static bool profiled(const struct cell *c)
{
	return c->status == CELL_OK && c->profile.on && c->profile.copies;
}

/* A counter per copy with 3 significant figures, or "n/a (why)". */
static void put_counter(FILE *f, const struct cell_profile *p,
			enum profile_counter i, double v)
{
	char buf[160];

	if (!isfinite(v)) {
		profile_na_text(p, i, buf, sizeof(buf));
	} else {
		fmt_sig(v, buf, sizeof(buf));
	}
	fprintf(f, " %s |", buf);
}

static void put_label(FILE *f, const struct cell *c)
{
	char size[32], tun[96];

	fmt_size(c->size, size, sizeof(size));
	cell_tunables_desc(c, tun, sizeof(tun));
	fprintf(f, "| %s | %s | %s | %s %s |", size, c->strategy, tun,
		cache_mode_name(c->cache), sync_mode_name(c->sync));
}

/* Mean page-cache pages a copy left behind: its destination's, plus the
 * source pages it read in. NaN when unknown. */
static double cache_bytes_per_copy(const struct cell *c)
{
	long page = sysconf(_SC_PAGESIZE);
	double sum = 0;
	size_t n = 0;

	for (size_t i = 0; i < c->n_samples; i++) {
		const struct sample *s = &c->samples[i];
		int64_t src = s->src_resident_after - s->src_resident_before;

		if (s->dst.cached < 0 || s->src_resident_after < 0 ||
		    s->src_resident_before < 0)
			continue;
		sum += s->dst.cached + (src > 0 ? src : 0);
		n++;
	}
	if (!n || !c->batch)
		return NAN;
	return sum / n / c->batch * (page > 0 ? page : 4096);
}

static void put_bytes(FILE *f, double v)
{
	char buf[32];

	if (!isfinite(v)) {
		fputs(" n/a |", f);
		return;
	}
	fmt_size((uint64_t)llround(v), buf, sizeof(buf));
	fprintf(f, " %s |", buf);
}

static void counters_table(FILE *f, const struct run *run)
{
	fputs("| size | strategy | tunables | cache, sync | CPU s/GiB "
	      "(task-clock) | syscalls/copy | syscalls/MiB | context "
	      "switches/copy | CPU migrations/copy | minor faults/copy | "
	      "major faults/copy | peak RSS | page cache/copy |\n"
	      "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
	      f);
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		const struct cell_profile *p = &c->profile;

		if (!profiled(c))
			continue;
		put_label(f, c);
		put_counter(f, p, PROFILE_TASK_CLOCK,
			    profile_cpu_s_per_gib(p, c->size));
		put_counter(f, p, PROFILE_SYSCALLS,
			    profile_per_copy(p, PROFILE_SYSCALLS));
		put_counter(f, p, PROFILE_SYSCALLS,
			    profile_syscalls_per_mib(p, c->size));
		for (int k = PROFILE_CONTEXT_SWITCHES;
		     k <= PROFILE_MAJOR_FAULTS; k++)
			put_counter(f, p, k, profile_per_copy(p, k));
		put_bytes(f, c->usage.maxrss_kb * 1024.0);
		put_bytes(f, cache_bytes_per_copy(c));
		fputc('\n', f);
	}
}

/* True (and the shared reason in why) when no profiled cell knows any
 * hardware counter and all say the same why. */
static bool hardware_all_na(const struct run *run, const char **why)
{
	*why = NULL;
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell_profile *p = &run->cells[i].profile;

		if (!profiled(&run->cells[i]))
			continue;
		for (size_t k = 0; k < N_HARDWARE; k++) {
			const char *na = p->na[hardware[k]];

			if (!na || (*why && strcmp(*why, na)))
				return false;
			*why = na;
		}
	}
	return *why != NULL;
}

static void hardware_table(FILE *f, const struct run *run)
{
	const char *why;

	if (hardware_all_na(run, &why)) {
		fprintf(f, "Hardware counters (cycles, instructions, cache "
			"misses, branch misses): n/a (%s).\n\n", why);
		return;
	}
	fputs("| size | strategy | tunables | cache, sync | cycles/copy | "
	      "instructions/copy | cache misses/copy | branch misses/copy "
	      "|\n|---|---|---|---|---:|---:|---:|---:|\n", f);
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];

		if (!profiled(c))
			continue;
		put_label(f, c);
		for (size_t k = 0; k < N_HARDWARE; k++)
			put_counter(f, &c->profile, hardware[k],
				    profile_per_copy(&c->profile,
						     hardware[k]));
		fputc('\n', f);
	}
	fputc('\n', f);
}

/* Writes "sym 38%, sym 21%" for the first HOT_SPOTS_SHOWN hot spots. */
static void put_hot_spots(FILE *f, const struct cell_profile *p)
{
	for (size_t k = 0; k < p->n_hot && k < HOT_SPOTS_SHOWN; k++)
		fprintf(f, "%s`%s` %.0f%%", k ? ", " : "",
			p->hot[k].symbol, p->hot[k].pct);
}

/* Has cell j a strategy and size seen in an earlier profiled cell with
 * hot spots? (one line per strategy and size) */
static bool shown_before(const struct run *run, size_t j)
{
	const struct cell *c = &run->cells[j];

	for (size_t i = 0; i < j; i++) {
		const struct cell *d = &run->cells[i];

		if (profiled(d) && d->profile.n_hot && d->size == c->size &&
		    !strcmp(d->strategy, c->strategy))
			return true;
	}
	return false;
}

static void hot_spots_list(FILE *f, const struct run *run)
{
	const char *why = NULL;
	size_t lines = 0;

	fputs("### Key hot spots\n\nSymbols with the most self samples "
	      "(`perf record --call-graph dwarf`) while the cell copied, "
	      "as a share of all its samples; one cell per strategy and size (the first "
	      "planned: warm before cold).\n\n", f);
	for (size_t i = 0; i < run->n_cells; i++) {
		const struct cell *c = &run->cells[i];
		char size[32];

		if (!profiled(c))
			continue;
		if (!c->profile.n_hot) {
			if (!why)
				why = c->profile.hot_why;
			continue;
		}
		if (shown_before(run, i))
			continue;
		fmt_size(c->size, size, sizeof(size));
		fprintf(f, "- **%s** %s %s: ", c->strategy, size,
			cache_mode_name(c->cache));
		put_hot_spots(f, &c->profile);
		fprintf(f, " (of %llu samples)\n",
			(unsigned long long)c->profile.hot_samples);
		lines++;
	}
	if (!lines)
		fprintf(f, "No hot spots: %s.\n", why ? why : "no cell was "
			"sampled");
	else if (why)
		fprintf(f, "\nSome cells have none: %s.\n", why);
	fputc('\n', f);
}

void report_profile_section(FILE *f, const struct run *run)
{
	bool any = false;

	for (size_t i = 0; i < run->n_cells; i++)
		any |= run->cells[i].profile.on;
	if (!run->request.profile && !any)
		return;
	fputs("## Profile\n\n", f);
	if (!any) {
		fputs("No cell was profiled.\n\n", f);
		return;
	}
	fputs("Counters from perf_event_open(2) over every sample's timed "
	      "region (open, copy, close), per copy; system calls counted "
	      "with the raw_syscalls:sys_enter tracepoint. CPU s/GiB is the "
	      "task-clock per GiB copied; peak RSS is the largest of the "
	      "cell's sample processes; page cache/copy is what a copy left "
	      "cached (destination, plus source pages it read in).\n\n", f);
	counters_table(f, run);
	fputc('\n', f);
	hardware_table(f, run);
	hot_spots_list(f, run);
}
