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

void env_noise_sample(void)
{
	double t0;

	if (!probe.buf || ARRAY_GROW(probe.t, probe.n + 1, probe.cap))
		return;
	t0 = clock_now();
	for (unsigned i = 0; i < probe.repeats; i++)
		if (!copy_once())
			return;
	probe.t[probe.n++] = clock_now() - t0;
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
}
