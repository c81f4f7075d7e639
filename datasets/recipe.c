// SPDX-License-Identifier: MIT
/*
 * Dataset recipes: the named workloads (source-tree, photos, vm-images,
 * mixed), their expected sizes, scaling to a file count or a total, and
 * the checks every recipe passes before a spec is built from it.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "spec.h"
#include "strategies.h"

#define KiB (1024ull)
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define MAX_SIGMA 5.0

/*
 * Source files: a log-normal with median 7 KiB and sigma 1.3 (mean about
 * 16 KiB; a third of the files under 4 KiB, one in twenty over 64 KiB), as
 * in a kernel or header tree, plus 1.5% empty files (__init__.py,
 * .gitkeep).
 */
static const struct dataset_part source_files = {
	.naming = DATASET_NAMES_SOURCE, .dist = DATASET_LOG_NORMAL,
	.lo = 1, .hi = 4 * MiB, .median = 7 * KiB, .sigma = 1.3,
	.content = CONTENT_RANDOM,
};
static const struct dataset_part source_empty = {
	.naming = DATASET_NAMES_SOURCE, .dist = DATASET_FIXED,
	.content = CONTENT_RANDOM,
};
/* Camera JPEGs: median 4 MiB, within 1-12 MiB. */
static const struct dataset_part photo_files = {
	.naming = DATASET_NAMES_PHOTOS, .dist = DATASET_LOG_NORMAL,
	.lo = 1 * MiB, .hi = 12 * MiB, .median = 4 * MiB, .sigma = 0.45,
	.content = CONTENT_RANDOM,
};
/* Raw VM disk images: 256 MiB - 2 GiB, 10-40% of it data. */
static const struct dataset_part vm_images = {
	.naming = DATASET_NAMES_IMAGES, .dist = DATASET_LOG_UNIFORM,
	.lo = 256 * MiB, .hi = 2 * GiB, .content = CONTENT_SPARSE,
	.share_lo = 0.10, .share_hi = 0.40,
};
/* Office documents and PDFs: median 96 KiB, widely spread. */
static const struct dataset_part documents = {
	.naming = DATASET_NAMES_DOCUMENTS, .dist = DATASET_LOG_NORMAL,
	.lo = 1 * KiB, .hi = 64 * MiB, .median = 96 * KiB, .sigma = 1.5,
	.content = CONTENT_RANDOM,
};

struct named {
	const char *name, *summary;
	int (*build)(struct dataset_recipe *r);
};

static int add(struct dataset_recipe *r, const struct dataset_part *p,
	       const char *prefix, uint64_t count)
{
	struct dataset_part q = *p;

	snprintf(q.prefix, sizeof(q.prefix), "%s", prefix);
	q.count = count;
	return dataset_recipe_add(r, &q);
}

static int build_source_tree(struct dataset_recipe *r)
{
	return add(r, &source_empty, "", 120) ?:
	       add(r, &source_files, "", 7880);
}

static int build_photos(struct dataset_recipe *r)
{
	return add(r, &photo_files, "", 100);
}

static int build_vm_images(struct dataset_recipe *r)
{
	return add(r, &vm_images, "", 3);
}

/* A home directory: sources, documents, photos and one VM image. */
static int build_mixed(struct dataset_recipe *r)
{
	struct dataset_part vm = vm_images;

	vm.dist = DATASET_FIXED;
	vm.lo = vm.hi = 512 * MiB;
	return add(r, &source_empty, "src", 30) ?:
	       add(r, &source_files, "src", 1970) ?:
	       add(r, &documents, "Documents", 300) ?:
	       add(r, &photo_files, "Pictures", 24) ?:
	       add(r, &vm, "VMs", 1);
}

static const struct named named[] = {
	{ "source-tree", "8,000 small files in nested directories, median "
	  "7 KiB", build_source_tree },
	{ "photos", "100 photos of 1-12 MiB (median 4 MiB) in DCIM/year/month",
	  build_photos },
	{ "vm-images", "3 sparse disk images of 256 MiB-2 GiB, 10-40% data",
	  build_vm_images },
	{ "mixed", "2,000 sources, 300 documents, 24 photos, a sparse image",
	  build_mixed },
};

#define N_NAMED (sizeof(named) / sizeof(named[0]))

const char *dataset_named_at(size_t i)
{
	return i < N_NAMED ? named[i].name : NULL;
}

const char *dataset_named_summary(size_t i)
{
	return i < N_NAMED ? named[i].summary : NULL;
}

int dataset_recipe_named(const char *name, struct dataset_recipe *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < N_NAMED; i++) {
		int ret;

		if (strcmp(name, named[i].name))
			continue;
		snprintf(r->name, sizeof(r->name), "%s", name);
		ret = named[i].build(r);
		if (ret)
			dataset_recipe_free(r);
		return ret;
	}
	return -ENOENT;
}

int dataset_recipe_add(struct dataset_recipe *r,
		       const struct dataset_part *part)
{
	struct dataset_part *p = realloc(r->parts,
					 (r->n_parts + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	r->parts = p;
	p[r->n_parts++] = *part;
	return 0;
}

void dataset_recipe_free(struct dataset_recipe *r)
{
	free(r->parts);
	r->parts = NULL;
	r->n_parts = 0;
}

uint64_t dataset_recipe_files(const struct dataset_recipe *r)
{
	uint64_t n = 0;

	for (size_t i = 0; i < r->n_parts; i++)
		n += r->parts[i].count;
	return n;
}

/*
 * Mean of a log-normal clamped to [lo, hi]: the mass below lo counts as
 * lo, above hi as hi, and between them the partial expectation
 * e^(mu + s^2/2) (Phi(b - s) - Phi(a - s)) with a, b the bounds in
 * standard units.
 */
static double clamped_lognormal_mean(double median, double sigma, double lo,
				     double hi)
{
	double mu = log(median);
	double a, b;

	if (sigma <= 0)
		return fmin(fmax(median, lo), hi);
	a = lo > 0 ? (log(lo) - mu) / sigma : -INFINITY;
	b = (log(hi) - mu) / sigma;
	return lo * gsl_cdf_ugaussian_P(a) + hi * gsl_cdf_ugaussian_Q(b) +
	       exp(mu + sigma * sigma / 2) *
	       (gsl_cdf_ugaussian_P(b - sigma) -
		gsl_cdf_ugaussian_P(a - sigma));
}

static double part_mean(const struct dataset_part *p)
{
	double a = p->lo > 1 ? (double)p->lo : 1, b = (double)p->hi;

	switch (p->dist) {
	case DATASET_FIXED:
		return (double)p->lo;
	case DATASET_LOG_UNIFORM:
		if (!p->hi)
			return 0;
		return b > a ? (b - a) / log(b / a) : a;
	case DATASET_LOG_NORMAL:
		return clamped_lognormal_mean(p->median, p->sigma,
					      (double)p->lo, b);
	}
	return 0;
}

double dataset_recipe_expected_bytes(const struct dataset_recipe *r)
{
	double sum = 0;

	for (size_t i = 0; i < r->n_parts; i++)
		sum += r->parts[i].count * part_mean(&r->parts[i]);
	return sum;
}

int dataset_recipe_scale_files(struct dataset_recipe *r, uint64_t files)
{
	uint64_t have = dataset_recipe_files(r), sum = 0, nonzero = 0;
	double *frac;

	for (size_t i = 0; i < r->n_parts; i++)
		nonzero += r->parts[i].count > 0;
	if (!files || files > DATASET_MAX_FILES || !have || files < nonzero)
		return -EINVAL;
	frac = calloc(r->n_parts, sizeof(*frac));
	if (!frac)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_parts; i++) {
		struct dataset_part *p = &r->parts[i];
		double q = (double)p->count * files / have;

		frac[i] = -1;
		if (!p->count)
			continue;
		/* a part with files keeps one at least */
		p->count = q < 1 ? 1 : (uint64_t)floor(q);
		if (q >= 1)
			frac[i] = q - floor(q);
		sum += p->count;
	}
	/* largest remainders get the files left over */
	for (; sum < files; sum++) {
		size_t best = 0;

		for (size_t i = 1; i < r->n_parts; i++)
			if (frac[i] > frac[best])
				best = i;
		r->parts[best].count++;
		frac[best] = -1;
	}
	/* the parts kept at one file are paid for by the largest */
	for (; sum > files; sum--) {
		size_t big = 0;

		for (size_t i = 1; i < r->n_parts; i++)
			if (r->parts[i].count > r->parts[big].count)
				big = i;
		r->parts[big].count--;
	}
	free(frac);
	return 0;
}

/* Multiplies a part's sizes by g (< 1). */
static void shrink_sizes(struct dataset_part *p, double g)
{
	p->lo = (uint64_t)floor(p->lo * g);
	p->hi = (uint64_t)ceil(p->hi * g);
	if (p->hi < p->lo)
		p->hi = p->lo;
	p->median *= g;
}

int dataset_recipe_scale_bytes(struct dataset_recipe *r, uint64_t bytes)
{
	double have = dataset_recipe_expected_bytes(r), f;
	uint64_t files = 0;

	if (!bytes || !(have > 0))
		return -EINVAL;
	f = bytes / have;
	for (size_t i = 0; i < r->n_parts; i++) {
		struct dataset_part *p = &r->parts[i];
		double q = p->count * f;

		if (!p->count)
			continue;
		if (q >= 1) {
			if (q > DATASET_MAX_FILES)
				return -EINVAL;
			p->count = (uint64_t)llround(q);
		} else {
			p->count = 1;
			shrink_sizes(p, q);
		}
		files += p->count;
	}
	return files > DATASET_MAX_FILES ? -EINVAL : 0;
}

static int check_part(const struct dataset_part *p, size_t i, char *why,
		      size_t len)
{
	if (p->lo > p->hi && p->dist != DATASET_FIXED)
		return strategy_why(why, len, -EINVAL,
				    "part %zu: lower bound above the "
				    "upper one",
				    i);
	if (p->hi > DATASET_MAX_FILE_SIZE || p->lo > DATASET_MAX_FILE_SIZE)
		return strategy_why(why, len, -EINVAL,
				    "part %zu: files above %llu bytes", i,
				    DATASET_MAX_FILE_SIZE);
	if (p->dist == DATASET_LOG_NORMAL &&
	    (!(p->median > 0) || !(p->sigma >= 0) || p->sigma > MAX_SIGMA))
		return strategy_why(why, len, -EINVAL,
				    "part %zu: log-normal needs a "
				    "median above 0 and a sigma in [0, %g]",
				    i, MAX_SIGMA);
	if ((unsigned)p->dist > DATASET_LOG_NORMAL ||
	    (unsigned)p->naming > DATASET_NAMES_PLAIN ||
	    (unsigned)p->content > CONTENT_SPARSE)
		return strategy_why(why, len, -EINVAL,
				    "part %zu: unknown distribution, "
				    "naming or content",
				    i);
	if (p->content == CONTENT_SPARSE &&
	    !(p->share_lo > 0 && p->share_lo <= p->share_hi &&
	      p->share_hi <= 1))
		return strategy_why(why, len, -EINVAL,
				    "part %zu: sparse data share must "
				    "be within (0, 1]",
				    i);
	if (*p->prefix && !dataset_path_safe(p->prefix))
		return strategy_why(why, len, -EINVAL,
				    "part %zu: '%s' is not a relative "
				    "directory",
				    i, p->prefix);
	return 0;
}

int dataset_recipe_check(const struct dataset_recipe *r, char *why,
			 size_t len)
{
	uint64_t files = dataset_recipe_files(r);

	if (!files)
		return strategy_why(why, len, -EINVAL,
				    "the dataset has no files");
	if (files > DATASET_MAX_FILES)
		return strategy_why(why, len, -EINVAL, "%llu files: at most %u",
				    (unsigned long long)files,
				    DATASET_MAX_FILES);
	for (size_t i = 0; i < r->n_parts; i++) {
		int ret = check_part(&r->parts[i], i, why, len);

		if (ret)
			return ret;
	}
	return 0;
}
