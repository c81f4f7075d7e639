// SPDX-License-Identifier: MIT
/*
 * The machine's own steadiness during a run (see env_noise.h). The
 * reference work is a 1 MiB pread from one memfd into a buffer and a
 * pwrite of it over another memfd: the kernel's page-cache copies both
 * ways, as a buffered copy does, without a filesystem, a device, page
 * allocation or a process start. Samples are taken in the measuring
 * process, between rounds, so they see the same moments of the run as
 * the cells do.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "array.h"
#include "clock.h"
#include "env_noise.h"
#include "fmt.h"
#include "json_num.h"
#include "stats.h"
#include "strategies.h"

#define CHUNK (1u << 20)
#define MAX_REPEATS 4096u

static struct {
	int src, dst;
	char *buf;
	unsigned repeats;
	double *t;
	size_t n, cap;
	/* env_noise_pick_cpu() */
	unsigned cpu_rounds, cpu_uneven, cpu_cursor;
	double cpu_max_ratio;
} probe = { .src = -1, .dst = -1 };

/* one pass of the reference work; false when a call failed */
static bool copy_once(void)
{
	return pread(probe.src, probe.buf, CHUNK, 0) == (ssize_t)CHUNK &&
	       pwrite(probe.dst, probe.buf, CHUNK, 0) == (ssize_t)CHUNK;
}

static void stop(void)
{
	if (probe.src >= 0)
		close(probe.src);
	if (probe.dst >= 0)
		close(probe.dst);
	free(probe.buf);
	free(probe.t);
	probe = (typeof(probe)){ .src = -1, .dst = -1 };
}

int env_noise_start(void)
{
	double best = INFINITY;

	stop();
	probe.src = memfd_create("iobench-noise-src", MFD_CLOEXEC);
	probe.dst = memfd_create("iobench-noise-dst", MFD_CLOEXEC);
	probe.buf = malloc(CHUNK);
	if (probe.src < 0 || probe.dst < 0 || !probe.buf) {
		int err = probe.buf ? errno : ENOMEM;

		stop();
		return -err;
	}
	memset(probe.buf, 0x5a, CHUNK);
	/* both files' pages exist before the first sample, so the samples
	 * time copies, not allocation */
	if (pwrite(probe.src, probe.buf, CHUNK, 0) != (ssize_t)CHUNK ||
	    pwrite(probe.dst, probe.buf, CHUNK, 0) != (ssize_t)CHUNK) {
		int err = errno ? errno : EIO;

		stop();
		return -err;
	}
	/* the repeats from the fastest of a few passes: a sample lasts
	 * about ENV_NOISE_SAMPLE_SECONDS on a quiet moment */
	for (int i = 0; i < 5; i++) {
		double t0 = clock_now();

		if (!copy_once()) {
			stop();
			return -EIO;
		}
		best = fmin(best, clock_now() - t0);
	}
	best = fmax(best, 1e-6);
	probe.repeats = (unsigned)fmin(
		MAX_REPEATS, fmax(1, ceil(ENV_NOISE_SAMPLE_SECONDS / best)));
	return 0;
}

/* Binds the calling thread to one CPU: whether it now runs only there. */
static bool bind_to(int cpu)
{
	cpu_set_t one;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return false;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return !sched_setaffinity(0, sizeof(one), &one);
}

void env_noise_sample(int cpu, const cpu_set_t *allowed)
{
	bool bound;
	double t0;

	if (!probe.buf || ARRAY_GROW(probe.t, probe.n + 1, probe.cap))
		return;
	bound = allowed && bind_to(cpu);
	t0 = clock_now();
	for (unsigned i = 0; i < probe.repeats; i++)
		if (!copy_once()) {
			t0 = NAN;
			break;
		}
	if (!isnan(t0))
		probe.t[probe.n++] = clock_now() - t0;
	if (bound)
		(void)sched_setaffinity(0, sizeof(*allowed), allowed);
}

/* Test-only (tests/sweep/sweep_round_cpus.sh): IOBENCH_FAULT=slow-cpu:N
 * makes CPU N's probes read ten times as long as they took, so a test can
 * show the rounds move to the other CPUs. -1: no such fault. */
static int fault_slow_cpu(void)
{
	const char *f = getenv("IOBENCH_FAULT");

	return f && !strncmp(f, "slow-cpu:", 9) ? atoi(f + 9) : -1;
}

/* The reference work's time on `cpu` (a sixth of a sample), the calling
 * thread bound there; INFINITY when it cannot run there. */
static double time_on(int cpu)
{
	unsigned repeats = probe.repeats / 6 ? probe.repeats / 6 : 1;
	double t0;

	if (!bind_to(cpu))
		return INFINITY;
	t0 = clock_now();
	for (unsigned i = 0; i < repeats; i++)
		if (!copy_once())
			return INFINITY;
	t0 = clock_now() - t0;
	return cpu == fault_slow_cpu() ? 10 * t0 : t0;
}

/*
 * Why a probe and not a fixed rotation: on the development VM the two
 * vCPUs ran the same copies up to 45% apart for tens of seconds at a
 * time, with the CPU time equal to the wall time (the host slowed the
 * vCPU, not a task sharing it), which one changing over minutes.
 * Rotating, every cell met both alike, but its median landed on either
 * CPU's speed by how many of its samples each held: in one of two back-
 * to-back headline sweeps every 100M page-cache cell came out 24-31%
 * slower, its rounds on CPU 0 (6 of 10) 35% slower than those on CPU 1.
 * On the fastest CPU the cells of a round still share theirs, and a run
 * measures what the machine does at its best rather than a mixture.
 */
int env_noise_pick_cpu(const cpu_set_t *allowed, int current)
{
	int cand[ENV_NOISE_CPUS_PROBED], all[CPU_SETSIZE], pick = -1;
	unsigned n_all = 0, n = 0;
	double t[ENV_NOISE_CPUS_PROBED], fast = INFINITY, slow = 0;

	if (!probe.buf)
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, allowed))
			all[n_all++] = cpu;
	if (n_all < 2)
		return -1;
	if (current >= 0 && current < CPU_SETSIZE &&
	    CPU_ISSET(current, allowed))
		cand[n++] = current;
	for (unsigned k = 0; k < n_all && n < ENV_NOISE_CPUS_PROBED; k++) {
		int cpu = all[(probe.cpu_cursor + k) % n_all];

		if (cpu != current)
			cand[n++] = cpu;
	}
	probe.cpu_cursor = (probe.cpu_cursor + ENV_NOISE_CPUS_PROBED) % n_all;
	/* the best of three passes, taking turns: what slows one CPU for
	 * a few milliseconds (an interrupt, a kernel thread) falls in one
	 * of its passes, not in all */
	for (unsigned i = 0; i < n; i++)
		t[i] = INFINITY;
	for (int pass = 0; pass < 3; pass++)
		for (unsigned i = 0; i < n; i++)
			t[i] = fmin(t[i], time_on(cand[i]));
	for (unsigned i = 0; i < n; i++) {
		if (t[i] < fast) {
			fast = t[i];
			pick = cand[i];
		}
		if (isfinite(t[i]) && t[i] > slow)
			slow = t[i];
	}
	(void)sched_setaffinity(0, sizeof(*allowed), allowed);
	if (pick < 0)
		return -1;
	if (cand[0] == current && t[0] <= ENV_NOISE_CPU_KEEP * fast)
		pick = current;
	probe.cpu_rounds++;
	probe.cpu_uneven += slow >= ENV_NOISE_CPU_UNEVEN * fast;
	probe.cpu_max_ratio = fmax(probe.cpu_max_ratio,
				   slow > fast ? slow / fast : 1);
	return pick;
}

void env_noise_finish(struct env_noise *out)
{
	struct stats_distribution d;

	memset(out, 0, sizeof(*out));
	if (probe.n && !stats_describe(probe.t, probe.n, &d) &&
	    d.median > 0)
		*out = (struct env_noise){
			.measured = true,
			.repeats = probe.repeats,
			.samples = probe.n,
			.median = d.median,
			.spread = d.spread,
			.mad_rel = d.mad_rel,
			.max_rel = d.max / d.median,
			.cpu_rounds = probe.cpu_rounds,
			.cpu_uneven = probe.cpu_uneven,
			.cpu_max_ratio = probe.cpu_max_ratio,
		};
	stop();
}

int env_noise_json_add(json_t *env, const struct env_noise *n)
{
	json_t *v;

	if (!n->measured)
		return 0;
	v = json_pack("{s:s, s:i, s:I, s:o, s:o, s:o, s:o}", "probe",
		      "1 MiB memfd to memfd, pread + pwrite", "repeats",
		      (int)n->repeats, "samples", (json_int_t)n->samples,
		      "median", json_num(n->median), "spread",
		      json_num(n->spread), "mad_rel", json_num(n->mad_rel),
		      "max_rel", json_num(n->max_rel));
	if (v && n->cpu_rounds &&
	    json_object_set_new(v, "cpus",
				json_pack("{s:i, s:i, s:o}", "rounds",
					  (int)n->cpu_rounds, "uneven",
					  (int)n->cpu_uneven, "max_ratio",
					  json_num(n->cpu_max_ratio)))) {
		json_decref(v);
		return -ENOMEM;
	}
	if (!env || !v || json_object_set_new(env, "noise", v))
		return -ENOMEM;
	return 0;
}

int env_noise_json_read(json_t *root, struct env_noise *n, char *why,
			size_t len)
{
	json_t *o =
		json_object_get(json_object_get(root, "environment"), "noise");
	json_int_t repeats = 0, samples = 0;
	double median = 0, spread = 0, mad_rel = 0, max_rel = 0;
	json_error_t e;

	memset(n, 0, sizeof(*n));
	if (!o || json_is_null(o))
		return 0;
	if (json_unpack_ex(o, &e, 0, "{s:I, s:I, s:F, s:F, s:F, s:F}",
			   "repeats", &repeats, "samples", &samples, "median",
			   &median, "spread", &spread, "mad_rel", &mad_rel,
			   "max_rel", &max_rel) ||
	    repeats < 1 || samples < 1 || !(median > 0) || spread < 0 ||
	    mad_rel < 0 || max_rel < 1)
		return strategy_why(why, len, -EINVAL,
				    "environment.noise: expected repeats and "
				    "samples of at least 1, a positive median "
				    "and non-negative spreads%s%s",
				    e.text[0] ? ": " : "", e.text);
	*n = (struct env_noise){
		.measured = true,
		.repeats = (unsigned)repeats,
		.samples = (size_t)samples,
		.median = median,
		.spread = spread,
		.mad_rel = mad_rel,
		.max_rel = max_rel,
	};
	/* optional: runs without the per-round CPU probes lack it */
	o = json_object_get(o, "cpus");
	if (o && !json_is_null(o)) {
		json_int_t rounds = 0, uneven = 0;
		double ratio = 0;

		if (json_unpack_ex(o, &e, 0, "{s:I, s:I, s:F}", "rounds",
				   &rounds, "uneven", &uneven, "max_ratio",
				   &ratio) ||
		    rounds < 1 || rounds > UINT_MAX || uneven < 0 ||
		    uneven > rounds || !(ratio >= 1)) {
			memset(n, 0, sizeof(*n));
			return strategy_why(why, len, -EINVAL,
					    "environment.noise.cpus: expected "
					    "rounds of at least 1, uneven "
					    "rounds among them and a ratio of "
					    "at least 1%s%s",
					    e.text[0] ? ": " : "", e.text);
		}
		n->cpu_rounds = (unsigned)rounds;
		n->cpu_uneven = (unsigned)uneven;
		n->cpu_max_ratio = ratio;
	}
	return 0;
}

void env_noise_markdown_row(FILE *f, const struct env_noise *n)
{
	char sp[FMT_LEN], mad[FMT_LEN], med[FMT_LEN], mx[FMT_LEN];

	if (!n->measured)
		return;
	/* under 200 characters, as every table line of the report */
	fprintf(f,
		"| the machine's own steadiness | %zu reference samples, one "
		"a round (%u x 1 MiB memfd copies, %s): IQR %s of the "
		"median, robust SD %s, slowest %sx |\n",
		n->samples,
		n->repeats, fmt_seconds(n->median, med, sizeof(med)),
		fmt_pct(100 * n->spread, sp, sizeof(sp)),
		fmt_pct(100 * n->mad_rel, mad, sizeof(mad)),
		fmt_sig(n->max_rel, mx, sizeof(mx)));
	if (n->cpu_rounds)
		fprintf(f,
			"| the CPUs' speeds | probed before each of %u rounds "
			"(each ran on the fastest): one 10%% or more slower "
			"in %u, at most %sx |\n",
			n->cpu_rounds, n->cpu_uneven,
			fmt_sig(n->cpu_max_ratio, mx, sizeof(mx)));
}
