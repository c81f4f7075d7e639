// SPDX-License-Identifier: MIT
/*
 * What timing every I/O request costs a copy: io_uring, libaio and
 * odirect copy the same file with the sweep's observer (io_latency.h:
 * a histogram in shared memory) and without one, interleaved round by
 * round (on/off, then off/on), each copy as the sweep times it (open
 * the source, create the destination, copy, close). Prints per strategy
 * and size the median paired ratio on/off with its 95% CI (order
 * statistics), for the wall time and for the copying thread's CPU time
 * (the observer's cost is CPU in that thread; CPU time does not carry
 * the I/O waits' noise), and the added CPU time per request.
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
#include <time.h>
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

/* Seconds of CPU this thread used (user + system, exact). */
static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Per copy: wall time and this thread's CPU time. */
struct cost {
	double wall, cpu;
};

/* One sample: b->copies copies through u; 0, or -1 after a failure. */
static int sample(struct bench *b, const struct copy_unit *u,
		  struct cost *out)
{
	struct copy_range r = { 0, 0, b->size };
	double t0 = clock_now(), c0 = thread_cpu();
	char why[256];

	for (unsigned i = 0; i < b->copies; i++)
		if (copy_unit_file(u, b->src, 0, b->dst, COPY_UNIT_CREATE, &r,
				   NULL, why, sizeof(why))) {
			fprintf(stderr, "%s: %s\n", u->s->name, why);
			return -1;
		}
	out->wall = (clock_now() - t0) / b->copies;
	out->cpu = (thread_cpu() - c0) / b->copies;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[n] (sorted here) and its 95% CI by order statistics,
 * as "0.9987 [0.9921, 1.0040]". */
static const char *median_ci(double *v, unsigned n, const char *fmt,
			     char *out, size_t len)
{
	unsigned k = (unsigned)floor(n / 2.0 - 0.98 * sqrt(n));
	char m[20], lo[20], hi[20];

	qsort(v, n, sizeof(*v), cmp_double);
	snprintf(m, sizeof(m), fmt, v[n / 2]);
	snprintf(lo, sizeof(lo), fmt, v[k]);
	snprintf(hi, sizeof(hi), fmt, v[n - 1 - k]);
	snprintf(out, len, "%s [%s, %s]", m, lo, hi);
	return out;
}

/* What timing one request costs by itself: two clock reads and the
 * sweep's histogram record, nanoseconds (the best of a few rounds). */
static double observer_ns(void)
{
	struct io_latency_sample *s = io_latency_sample_new(1);
	const struct copy_io_observer *o = io_latency_observer(s, 0);
	double best = INFINITY;

	for (int r = 0; o && r < 5; r++) {
		double t0 = clock_now(), t;

		for (int i = 0; i < 1000000; i++) {
			uint64_t stamp = strategy_io_clock_ns();

			o->complete(o->ctx, strategy_io_clock_ns() - stamp);
		}
		t = (clock_now() - t0) / 1e6 * 1e9;
		if (t < best)
			best = t;
	}
	io_latency_sample_free(s);
	return best;
}

/* Rounds of the copy with the observer on and off, in ABBA order. */
static void measure(struct bench *b, const struct copy_strategy *s,
		    unsigned rounds)
{
	struct io_latency_sample *obs = io_latency_sample_new(1);
	double wall[MAX_ROUNDS], cpu[MAX_ROUNDS], added[MAX_ROUNDS];
	struct copy_unit u;
	struct cell c = { 0 };
	char why[256], sz[FMT_LEN], w[64], p[64], a[64];
	uint64_t ios = 0;
	unsigned n = 0;

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
		struct cost t;

		if (sample(b, &u, &t))
			goto out;
		b->copies = t.wall > 0 ? (unsigned)ceil(SAMPLE_SECONDS /
							t.wall) : 1;
	}
	for (unsigned r = 0; r < rounds; r++) {
		struct cost t[2]; /* [0] on, [1] off */
		double per_copy = 0;

		for (unsigned k = 0; k < 2; k++) {
			bool on = (k + r) % 2 == 0; /* ABBA: on first, then off */

			histogram_reset(&obs->rec[0].h);
			u.io_observer = on ? io_latency_observer(obs, 0) : NULL;
			if (sample(b, &u, &t[!on]))
				goto out;
			if (on) {
				ios += obs->rec[0].h.total;
				per_copy = (double)obs->rec[0].h.total /
					   b->copies;
			}
		}
		wall[n] = t[0].wall / t[1].wall;
		cpu[n] = t[0].cpu / t[1].cpu;
		added[n++] = (t[0].cpu - t[1].cpu) / per_copy * 1e9;
	}
	printf("%-9s %6s %7.1f  %-26s  %-26s  %s\n", s->name,
	       fmt_size(b->size, sz, sizeof(sz)),
	       (double)ios / ((double)rounds * b->copies),
	       median_ci(wall, n, "%.4f", w, sizeof(w)),
	       median_ci(cpu, n, "%.4f", p, sizeof(p)),
	       median_ci(added, n, "%.0f", a, sizeof(a)));
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
	printf("# timing one request by itself: %.1f ns (two clock reads and "
	       "a histogram record)\n", observer_ns());
	printf("# per-I/O timing on vs off, %u interleaved rounds (ABBA), %s "
	       "(%s)\n# ratios on/off per copy, median of the rounds [95%% "
	       "CI]: wall time and the copying\n# thread's CPU time; added: "
	       "CPU ns per request\n%-9s %6s %7s  %-26s  %-26s  %s\n",
	       rounds, dir, strategy_fs_name(dir), "strategy", "size",
	       "I/Os", "wall ratio", "CPU ratio", "added ns");
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
