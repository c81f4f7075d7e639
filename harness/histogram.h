/* SPDX-License-Identifier: MIT */
/*
 * Log-linear histograms (HdrHistogram-style) of non-negative integers,
 * e.g. latencies in nanoseconds: constant memory, O(1) recording,
 * mergeable, percentiles with a bounded relative error.
 *
 * Layer: model; includes only lib/, copy_strategies/, datasets/ and the model.
 */
#ifndef IOBENCH_HISTOGRAM_H
#define IOBENCH_HISTOGRAM_H

#include <stdint.h>
#include <stddef.h>

#include <jansson.h>

/*
 * Layout and accuracy.
 *
 * A histogram of precision `bits` (S, 1..16) keeps every value below 2^S
 * in a bucket of its own; above that, each power of two [2^m, 2^(m+1))
 * is cut into 2^(S-1) equal buckets. A bucket [lo, lo + w) therefore has
 * w <= lo / 2^(S-1), and a value reported as the bucket's middle is
 * within 2^-S of any value recorded in it:
 *
 *	|reported - true| <= true * 2^-S	(S = 8: 0.39%)
 *
 * min, max, count and sum are kept exactly. The whole uint64_t range is
 * covered with (66 - S) * 2^(S-1) counters (S = 8: 7424, 58 KiB).
 *
 * Invariants: total is the sum of counts[]; min <= max when total > 0;
 * a zeroed struct is "not initialised" and safe to histogram_free().
 * Not thread-safe: give each thread its own and merge them afterwards.
 */
#define HISTOGRAM_DEFAULT_BITS 8
#define HISTOGRAM_MIN_BITS 1
#define HISTOGRAM_MAX_BITS 16

struct histogram {
	unsigned bits; /* precision S */
	size_t n_buckets;
	uint64_t *counts;  /* n_buckets counters, owned */
	uint64_t total;	   /* values recorded */
	uint64_t min, max; /* exact; 0 when empty */
	double sum;	   /* of the values, for the mean */
};

/* The usual percentiles of a histogram, in its unit. */
struct histogram_summary {
	uint64_t count;
	uint64_t min, p50, p90, p99, p999, max;
	double mean; /* NaN when empty */
};

/* ---- life cycle ---- */

/* An empty histogram of precision `bits`. 0, -EINVAL (bits out of
 * [HISTOGRAM_MIN_BITS, HISTOGRAM_MAX_BITS]) or -ENOMEM. */
int histogram_init(struct histogram *h, unsigned bits);
/* Counters a histogram of precision bits keeps; 0 for bits out of
 * range. */
size_t histogram_n_buckets(unsigned bits);
/*
 * histogram_init() over counters the caller owns and has zeroed (n of
 * them, at least histogram_n_buckets(bits)), e.g. fresh memory shared
 * with a process that records while another reads; they are not touched
 * here, so pages never recorded into are never faulted in. Never
 * histogram_free() such a histogram. 0 or -EINVAL.
 */
int histogram_init_on(struct histogram *h, unsigned bits, uint64_t *counts,
		      size_t n);
/* Frees the counters and zeroes h; safe on a zeroed struct. */
void histogram_free(struct histogram *h);
/* Forgets every value, keeps the precision. */
void histogram_reset(struct histogram *h);

/* ---- recording ---- */

void histogram_record(struct histogram *h, uint64_t value);
/* Records `value` n times (n = 0 records nothing). */
void histogram_record_n(struct histogram *h, uint64_t value, uint64_t n);
/* Adds every value of `from` into `into`. 0, or -EINVAL when their
 * precisions differ (into is then unchanged). */
int histogram_merge(struct histogram *into, const struct histogram *from);

/* ---- reading ---- */

/*
 * The value at percentile pct (0..100) by nearest rank: the smallest
 * recorded value with at least pct% of the values at or below it, within
 * the accuracy bound above. pct <= 0 gives min, pct >= 100 gives max
 * (both exact); an empty histogram gives 0.
 */
uint64_t histogram_percentile(const struct histogram *h, double pct);
/* Mean of the recorded values (exact); NaN when empty. */
double histogram_mean(const struct histogram *h);
/* count, min, p50, p90, p99, p99.9, max and mean in one go. */
void histogram_summarize(const struct histogram *h,
			 struct histogram_summary *s);
/* The relative error bound of a precision: 2^-bits. */
double histogram_error_bound(unsigned bits);

/* The bucket holding value, and a bucket's value range [*lo, *hi]
 * (inclusive); i must be < h->n_buckets. */
size_t histogram_bucket_of(const struct histogram *h, uint64_t value);
void histogram_bucket_range(const struct histogram *h, size_t i, uint64_t *lo,
			    uint64_t *hi);

/* ---- serialisation ---- */

/*
 * {"bits": S, "count": N, "min": .., "max": .., "sum": ..,
 *  "buckets": [[lo, count], ...]} with only the non-empty buckets, lo
 * being each bucket's lowest value; integers above 2^63-1 are decimal
 * strings. New reference, NULL on ENOMEM.
 */
json_t *histogram_to_json(const struct histogram *h);
/* {"count", "min", "p50", "p90", "p99", "p99_9", "max", "mean",
 * "histogram": histogram_to_json()}: the summary people read with the
 * histogram it came from. New reference, NULL on ENOMEM. */
json_t *histogram_summary_json(const struct histogram *h);
/* Reads what histogram_to_json() wrote into a new histogram (h is
 * initialised here; free it). 0, or -EINVAL with the reason in why
 * (h left zeroed), or -ENOMEM. */
int histogram_from_json(json_t *v, struct histogram *h, char *why, size_t len);

#endif
