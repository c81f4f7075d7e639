// SPDX-License-Identifier: MIT
/*
 * What timing every I/O request costs a copy: io_uring, libaio and
 * odirect copy the same file with the sweep's observer (io_latency.h:
 * a histogram in shared memory) and without one, interleaved round by
 * round (on/off, then off/on), each copy as the sweep times it (open
 * the source, create the destination, copy, close). Prints per strategy
 * and size the median paired ratio on/off with its 95% CI (order
 * statistics) and the added time per request.
 * usage: io_observer_cost [DIR [ROUNDS [SIZES]]]
 *        (default /var/tmp, 21 rounds, 4K,1M,100M)
 * `meson test -C build --benchmark io-observer-cost -v`
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "copy_unit.h"
#include "fmt.h"
#include "io_latency.h"
#include "parse.h"
#include "results.h"
#include "strategies.h"

/* A sample lasts at least this long (many copies of a small file). */
#define SAMPLE_SECONDS 0.05
#define MAX_ROUNDS 200

static const char *const timed[] = { "io_uring", "libaio", "odirect" };

struct bench {
	const char *dir;
	char src[PATH_MAX], dst[PATH_MAX];
	uint64_t size;
	unsigned copies;	/* per sample */
};

static int make_source(struct bench *b)
{
	size_t chunk = 1 << 20;
	char *buf = malloc(chunk);
	int fd, ret = 0;

	snprintf(b->src, sizeof(b->src), "%s/src", b->dir);
	snprintf(b->dst, sizeof(b->dst), "%s/dst", b->dir);
	fd = open(b->src, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !buf) {
		free(buf);
		return -errno;
	}
	for (size_t i = 0; i < chunk; i++)
		buf[i] = (char)(i * 2654435761u >> 13);
	for (uint64_t done = 0; !ret && done < b->size; done += chunk)
		ret = strategy_write_all(fd, buf, b->size - done < chunk ?
						  b->size - done : chunk);
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	free(buf);
	return ret;
}

/* One sample: b->copies copies through u; seconds per copy, or NaN. */
static double sample(struct bench *b, const struct copy_unit *u)
{
	struct copy_range r = { 0, 0, b->size };
	char why[256];
	double t0 = clock_now();

	for (unsigned i = 0; i < b->copies; i++)
		if (copy_unit_file(u, b->src, 0, b->dst, COPY_UNIT_CREATE, &r,
				   NULL, why, sizeof(why))) {
			fprintf(stderr, "%s: %s\n", u->s->name, why);
			return NAN;
		}
	return (clock_now() - t0) / b->copies;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void measure(struct bench *b, const struct copy_strategy *s,
		    unsigned rounds)
{
	struct io_latency_sample *obs = io_latency_sample_new(1);
	double ratio[MAX_ROUNDS], on_sum = 0, off_sum = 0;
	struct copy_unit u;
	struct cell c = { 0 };
	char why[256], sz[FMT_LEN];
	uint64_t ios = 0;
	unsigned k, n = 0;

	c.strategy = (char *)s->name;
	c.size = b->size;
	if (!obs || cell_set_strategy(&c, s) ||
	    copy_unit_setup(&u, s, &c, why, sizeof(why))) {
		printf("%-9s %6s  setup failed: %s\n", s->name,
		       fmt_size(b->size, sz, sizeof(sz)), why);
		io_latency_sample_free(obs);
		return;
	}
	/* calibrate the batch (and warm up): a sample of SAMPLE_SECONDS */
	b->copies = 1;
	for (int i = 0; i < 3; i++) {
		double t = sample(b, &u);

		if (isnan(t))
			goto out;
		b->copies = t > 0 ? (unsigned)ceil(SAMPLE_SECONDS / t) : 1;
	}
	for (unsigned r = 0; r < rounds; r++) {
		double t[2] = { NAN, NAN };

		for (k = 0; k < 2; k++) {
			bool on = (k + r) % 2 == 0; /* ABBA: on first, then off */

			histogram_reset(&obs->rec[0].h);
			u.io_observer = on ? io_latency_observer(obs, 0) : NULL;
			t[!on] = sample(b, &u);
			if (on)
				ios += obs->rec[0].h.total;
		}
		if (isnan(t[0]) || isnan(t[1]))
			goto out;
		on_sum += t[0];
		off_sum += t[1];
		ratio[n++] = t[0] / t[1];
	}
	qsort(ratio, n, sizeof(*ratio), cmp_double);
	k = (unsigned)floor(n / 2.0 - 0.98 * sqrt(n));
	{
		double per_copy = (double)ios / ((double)rounds * b->copies);
		double added = (on_sum - off_sum) / rounds / per_copy * 1e9;
		char a[FMT_LEN], o[FMT_LEN];

		printf("%-9s %6s %7.1f %10s %10s  %.4f  [%.4f, %.4f] %8.0f\n",
		       s->name, fmt_size(b->size, sz, sizeof(sz)), per_copy,
		       fmt_seconds(off_sum / rounds, o, sizeof(o)),
		       fmt_seconds(on_sum / rounds, a, sizeof(a)),
		       ratio[n / 2], ratio[k], ratio[n - 1 - k], added);
	}
out:
	copy_unit_teardown(&u);
	unlink(b->dst);
	io_latency_sample_free(obs);
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : "/var/tmp";
	unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 21;
	uint64_t *sizes = NULL;
	size_t n_sizes = 0;
	char dir[PATH_MAX], err[256];
	struct bench b = { .dir = dir };
	int ret = 0;

	if (rounds < 6 || rounds > MAX_ROUNDS ||
	    parse_size_list(argc > 3 ? argv[3] : "4K,1M,100M", 1ull << 34,
			    &sizes, &n_sizes, err, sizeof(err))) {
		fprintf(stderr, "usage: io_observer_cost [DIR [ROUNDS (6-%d) "
			"[SIZES]]]\n", MAX_ROUNDS);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/iobench-observer-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	printf("# per-I/O timing on vs off, %u interleaved rounds, %s (%s)\n"
	       "# ratio = median of per-round on/off copy-time ratios "
	       "[95%% CI]; added = extra ns per request\n"
	       "%-9s %6s %7s %10s %10s  %-6s  %-16s %8s\n", rounds, dir,
	       strategy_fs_name(dir), "strategy", "size", "I/Os", "off",
	       "on", "ratio", "95% CI", "added");
	for (size_t z = 0; z < n_sizes && !ret; z++) {
		b.size = sizes[z];
		ret = make_source(&b);
		for (size_t i = 0; i < 3 && !ret; i++) {
			const struct copy_strategy *s = strategy_find(timed[i]);
			char why[256];

			if (!s || strategy_probe(s, dir, why, sizeof(why)))
				printf("%-9s not usable here: %s\n", timed[i],
				       s ? why : "not built");
			else
				measure(&b, s, rounds);
		}
		unlink(b.src);
	}
	if (ret)
		fprintf(stderr, "writing the source in %s: %s\n", dir,
			strerror(-ret));
	rmdir(dir);
	free(sizes);
	return ret ? 1 : 0;
}
