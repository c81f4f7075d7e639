// SPDX-License-Identifier: MIT
/*
 * Log-linear histograms: exact below 2^S, then 2^(S-1) buckets per power
 * of two. Hand-written because Debian packages no HdrHistogram for C;
 * the layout follows HdrHistogram's (sub-buckets per magnitude).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "histogram.h"
#include "strategies.h"

size_t histogram_n_buckets(unsigned bits)
{
	if (bits < HISTOGRAM_MIN_BITS || bits > HISTOGRAM_MAX_BITS)
		return 0;
	return (size_t)(66 - bits) << (bits - 1);
}

int histogram_init_on(struct histogram *h, unsigned bits, uint64_t *counts,
		      size_t n)
{
	memset(h, 0, sizeof(*h));
	if (!histogram_n_buckets(bits) || n < histogram_n_buckets(bits))
		return -EINVAL;
	h->n_buckets = histogram_n_buckets(bits);
	h->counts = counts;
	h->bits = bits;
	return 0;
}

int histogram_init(struct histogram *h, unsigned bits)
{
	memset(h, 0, sizeof(*h));
	if (!histogram_n_buckets(bits))
		return -EINVAL;
	h->n_buckets = histogram_n_buckets(bits);
	h->counts = calloc(h->n_buckets, sizeof(*h->counts));
	if (!h->counts) {
		h->n_buckets = 0;
		return -ENOMEM;
	}
	h->bits = bits;
	return 0;
}

void histogram_free(struct histogram *h)
{
	free(h->counts);
	memset(h, 0, sizeof(*h));
}

void histogram_reset(struct histogram *h)
{
	if (h->counts)
		memset(h->counts, 0, h->n_buckets * sizeof(*h->counts));
	h->total = h->min = h->max = 0;
	h->sum = 0;
}

size_t histogram_bucket_of(const struct histogram *h, uint64_t value)
{
	unsigned msb, shift;

	if (value < (1ull << h->bits))
		return (size_t)value;
	msb = 63u - (unsigned)__builtin_clzll(value);
	shift = msb - (h->bits - 1);
	/* value >> shift is in [2^(S-1), 2^S): the bucket within its power
	 * of two, after the shift * 2^(S-1) buckets below */
	return ((size_t)shift << (h->bits - 1)) + (size_t)(value >> shift);
}

void histogram_bucket_range(const struct histogram *h, size_t i, uint64_t *lo,
			    uint64_t *hi)
{
	size_t half = (size_t)1 << (h->bits - 1);
	unsigned shift;

	if (i < ((size_t)1 << h->bits)) {
		*lo = *hi = i;
		return;
	}
	shift = (unsigned)(i / half - 1);
	*lo = (uint64_t)(i - (size_t)shift * half) << shift;
	*hi = *lo + ((1ull << shift) - 1);
}

void histogram_record_n(struct histogram *h, uint64_t value, uint64_t n)
{
	if (!n || !h->counts)
		return;
	h->counts[histogram_bucket_of(h, value)] += n;
	if (!h->total || value < h->min)
		h->min = value;
	if (!h->total || value > h->max)
		h->max = value;
	h->total += n;
	h->sum += (double)value * (double)n;
}

void histogram_record(struct histogram *h, uint64_t value)
{
	histogram_record_n(h, value, 1);
}

int histogram_merge(struct histogram *into, const struct histogram *from)
{
	if (into->bits != from->bits || !into->counts)
		return -EINVAL;
	if (!from->total)
		return 0;
	for (size_t i = 0; i < into->n_buckets; i++)
		into->counts[i] += from->counts[i];
	if (!into->total || from->min < into->min)
		into->min = from->min;
	if (!into->total || from->max > into->max)
		into->max = from->max;
	into->total += from->total;
	into->sum += from->sum;
	return 0;
}

/* The middle of bucket i, kept within [min, max]: min and max are exact,
 * and clamping only moves the answer towards the values recorded. */
static uint64_t bucket_value(const struct histogram *h, size_t i)
{
	uint64_t lo, hi, v;

	histogram_bucket_range(h, i, &lo, &hi);
	v = lo + (hi - lo + 1) / 2;
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

uint64_t histogram_percentile(const struct histogram *h, double pct)
{
	uint64_t rank, seen = 0;
	double r;

	if (!h->total)
		return 0;
	if (!(pct > 0))
		return h->min;
	if (pct >= 100)
		return h->max;
	/* nearest rank; the tiny nudge keeps 99.9% of 1000 at rank 999
	 * despite 99.9 / 100 * 1000 = 999.0000000000001 */
	r = pct / 100.0 * (double)h->total;
	rank = (uint64_t)ceil(r - r * 1e-12);
	if (rank < 1)
		rank = 1;
	for (size_t i = 0; i < h->n_buckets; i++) {
		seen += h->counts[i];
		if (seen >= rank)
			return bucket_value(h, i);
	}
	return h->max;
}

double histogram_mean(const struct histogram *h)
{
	return h->total ? h->sum / (double)h->total : NAN;
}

void histogram_summarize(const struct histogram *h, struct histogram_summary *s)
{
	s->count = h->total;
	s->min = h->min;
	s->p50 = histogram_percentile(h, 50);
	s->p90 = histogram_percentile(h, 90);
	s->p99 = histogram_percentile(h, 99);
	s->p999 = histogram_percentile(h, 99.9);
	s->max = h->max;
	s->mean = histogram_mean(h);
}

double histogram_error_bound(unsigned bits)
{
	return ldexp(1.0, -(int)bits);
}

/* ---- serialisation ---- */

/* jansson integers are signed 64-bit: larger values become strings. */
static json_t *u64_json(uint64_t v)
{
	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	return json_sprintf("%" PRIu64, v);
}

static int u64_from_json(json_t *v, uint64_t *out)
{
	const char *s = json_string_value(v);
	char *end;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno ? -EINVAL : 0;
}

json_t *histogram_summary_json(const struct histogram *h)
{
	struct histogram_summary s;

	histogram_summarize(h, &s);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
			 "count", (json_int_t)s.count, "min", (json_int_t)s.min,
			 "p50", (json_int_t)s.p50, "p90", (json_int_t)s.p90,
			 "p99", (json_int_t)s.p99, "p99_9", (json_int_t)s.p999,
			 "max", (json_int_t)s.max, "mean",
			 isfinite(s.mean) ? json_real(s.mean) : json_null(),
			 "histogram", histogram_to_json(h));
}

json_t *histogram_to_json(const struct histogram *h)
{
	json_t *buckets = json_array(), *o;

	for (size_t i = 0; buckets && i < h->n_buckets; i++) {
		uint64_t lo, hi;

		if (!h->counts[i])
			continue;
		histogram_bucket_range(h, i, &lo, &hi);
		if (json_array_append_new(buckets,
					  json_pack("[o, o]", u64_json(lo),
						    u64_json(h->counts[i])))) {
			json_decref(buckets);
			return NULL;
		}
	}
	if (!buckets)
		return NULL;
	o = json_pack("{s:I, s:o, s:o, s:o, s:f, s:o}", "bits",
		      (json_int_t)h->bits, "count", u64_json(h->total), "min",
		      u64_json(h->min), "max", u64_json(h->max), "sum", h->sum,
		      "buckets", buckets);
	return o;
}

/* One [lo, count] pair into h; lo must be a bucket's lowest value. */
static int read_bucket(json_t *pair, struct histogram *h, size_t k, char *why,
		       size_t len)
{
	uint64_t lo, count, blo, bhi;
	size_t i;

	if (!json_is_array(pair) || json_array_size(pair) != 2 ||
	    u64_from_json(json_array_get(pair, 0), &lo) ||
	    u64_from_json(json_array_get(pair, 1), &count))
		return strategy_why(why, len, -EINVAL,
				    "buckets[%zu]: expected [lo, count] "
				    "with non-negative integers",
				    k);
	i = histogram_bucket_of(h, lo);
	histogram_bucket_range(h, i, &blo, &bhi);
	if (blo != lo)
		return strategy_why(why, len, -EINVAL,
				    "buckets[%zu]: %" PRIu64 " does not "
				    "start a bucket of precision %u",
				    k, lo, h->bits);
	h->counts[i] += count;
	h->total += count;
	return 0;
}

static size_t first_used(const struct histogram *h)
{
	size_t i = 0;

	while (i < h->n_buckets && !h->counts[i])
		i++;
	return i;
}

static size_t last_used(const struct histogram *h)
{
	size_t i = h->n_buckets;

	while (i && !h->counts[i - 1])
		i--;
	return i ? i - 1 : 0;
}

int histogram_from_json(json_t *v, struct histogram *h, char *why, size_t len)
{
	json_t *bits = json_object_get(v, "bits"), *b;
	json_t *sum = json_object_get(v, "sum");
	uint64_t count, min, max;
	size_t k;
	int ret;

	memset(h, 0, sizeof(*h));
	if (!json_is_object(v))
		return strategy_why(why, len, -EINVAL, "expected an object");
	if (!json_is_integer(bits) ||
	    json_integer_value(bits) < HISTOGRAM_MIN_BITS ||
	    json_integer_value(bits) > HISTOGRAM_MAX_BITS)
		return strategy_why(why, len, -EINVAL,
				    "bits: expected an integer in "
				    "[%d, %d]",
				    HISTOGRAM_MIN_BITS, HISTOGRAM_MAX_BITS);
	if (u64_from_json(json_object_get(v, "count"), &count) ||
	    u64_from_json(json_object_get(v, "min"), &min) ||
	    u64_from_json(json_object_get(v, "max"), &max) ||
	    !json_is_number(sum) ||
	    !json_is_array(json_object_get(v, "buckets")))
		return strategy_why(why, len, -EINVAL,
				    "expected count, min, max, sum and "
				    "buckets");
	ret = histogram_init(h, (unsigned)json_integer_value(bits));
	if (ret)
		return ret;
	json_array_foreach(json_object_get(v, "buckets"), k, b)
	{
		ret = read_bucket(b, h, k, why, len);
		if (ret)
			goto out_free;
	}
	ret = -EINVAL;
	if (h->total != count) {
		strategy_why(why, len, -EINVAL,
			     "count %" PRIu64 " but the buckets hold "
			     "%" PRIu64,
			     count, h->total);
		goto out_free;
	}
	if (count &&
	    (min > max || first_used(h) != histogram_bucket_of(h, min) ||
	     last_used(h) != histogram_bucket_of(h, max))) {
		strategy_why(why, len, -EINVAL,
			     "min %" PRIu64 " / max %" PRIu64 " do not "
			     "match the buckets",
			     min, max);
		goto out_free;
	}
	h->min = count ? min : 0;
	h->max = count ? max : 0;
	h->sum = json_number_value(sum);
	return 0;

out_free:
	histogram_free(h);
	return ret;
}
