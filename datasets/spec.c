// SPDX-License-Identifier: MIT
/*
 * From a recipe and a seed to the exact files of a dataset: sizes drawn
 * with GSL's mt19937 (one stream per part, so changing one part leaves
 * the others' files as they were), names and directories per naming
 * scheme, sparse layouts; and the summary by size class.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define XXH_STATIC_LINKING_ONLY	/* XXH3_state_t on the stack */
#include <xxhash.h>

#include "spec.h"

#define HASH_CHUNK (64u << 10)
#define MAX_EXTENTS 65536u
/* Random streams of a spec, apart for each use: (seed, base + i). */
#define STREAM_PART 0x1000u
#define STREAM_SHUFFLE 0x2000u
#define STREAM_NAMES 0x3000u
/* Directory trees of source files: files per directory on average, and
 * the deepest level a directory is put at. */
#define SOURCE_FILES_PER_DIR 12u
#define SOURCE_MAX_DEPTH 6u
/* where a directory goes when its drawn parent is too deep: one of the
 * first (shallow) ones */
#define SOURCE_SHALLOW_DIRS 8u
#define PHOTOS_PER_MONTH 40u
#define PLAIN_PER_DIR 64u

/* mt19937 takes a 32-bit seed: fold the 64-bit key so seeds that differ
 * only in their high bits still give other datasets. */
static void seed_rng(gsl_rng *rng, uint64_t seed, uint64_t stream)
{
	uint64_t k = dataset_mix(seed, stream);

	gsl_rng_set(rng, (unsigned long)((k ^ (k >> 32)) & 0xffffffffu));
}

static uint64_t align_down(uint64_t v)
{
	return v / DATASET_EXTENT_ALIGN * DATASET_EXTENT_ALIGN;
}

/* ---- sizes ---- */

static uint64_t clamp_u64(double v, uint64_t lo, uint64_t hi)
{
	if (!(v >= (double)lo))
		return lo;
	if (v >= (double)hi)
		return hi;
	return (uint64_t)llround(v);
}

static double log_uniform(gsl_rng *rng, double a, double b)
{
	return b > a ? exp(log(a) + gsl_rng_uniform(rng) * log(b / a)) : a;
}

static uint64_t draw_size(const struct dataset_part *p, gsl_rng *rng)
{
	uint64_t a = p->lo > 1 ? p->lo : 1;

	switch (p->dist) {
	case DATASET_FIXED:
		return p->lo;
	case DATASET_LOG_UNIFORM:
		if (!p->hi)
			return 0;
		return clamp_u64(log_uniform(rng, (double)a, (double)p->hi),
				 a, p->hi);
	case DATASET_LOG_NORMAL:
		return clamp_u64(p->median *
				 exp(p->sigma * gsl_ran_ugaussian(rng)),
				 p->lo, p->hi);
	}
	return 0;
}

/* ---- sparse layouts ---- */

static int add_extent(struct dataset_file *f, size_t *cap, uint64_t off,
		      uint64_t len)
{
	if (f->n_extents == *cap) {
		size_t want = *cap ? 2 * *cap : 8;
		struct dataset_extent *e = realloc(f->extents,
						   want * sizeof(*e));

		if (!e)
			return -ENOMEM;
		f->extents = e;
		*cap = want;
	}
	f->extents[f->n_extents++] = (struct dataset_extent){ off, len };
	return 0;
}

/*
 * Data extents covering about `share` of the file, as a disk image has
 * them: data at the start (boot sector, partition table, metadata), then
 * extents of log-uniform length between holes of exponential length,
 * every boundary 4 KiB aligned. Files under 16 KiB are all data.
 */
static int sparse_layout(struct dataset_file *f, double share, gsl_rng *rng)
{
	uint64_t size = f->size, max_ext, min_ext, pos;
	double mean_ext, mean_gap;
	size_t cap = 0;
	int ret;

	if (size < 4 * DATASET_EXTENT_ALIGN)
		return add_extent(f, &cap, 0, size);
	max_ext = align_down(size / 16);
	max_ext = max_ext < DATASET_EXTENT_ALIGN ? DATASET_EXTENT_ALIGN :
		  max_ext > (16u << 20) ? (16u << 20) : max_ext;
	min_ext = align_down(max_ext / 256);
	min_ext = min_ext < DATASET_EXTENT_ALIGN ? DATASET_EXTENT_ALIGN :
		  min_ext > (64u << 10) ? (64u << 10) : min_ext;
	mean_ext = max_ext > min_ext ?
		   (max_ext - min_ext) / log((double)max_ext / min_ext) :
		   (double)min_ext;
	mean_gap = mean_ext * (1 - share) / share;
	pos = max_ext < (1u << 20) ? max_ext : (1u << 20);
	ret = add_extent(f, &cap, 0, pos);
	while (!ret && pos < size && f->n_extents < MAX_EXTENTS) {
		uint64_t gap = (uint64_t)gsl_ran_exponential(rng, mean_gap);
		uint64_t len = align_down((uint64_t)log_uniform(
				rng, (double)min_ext, (double)max_ext));

		pos += align_down(gap) + DATASET_EXTENT_ALIGN;
		if (pos >= size)
			break;
		if (len < DATASET_EXTENT_ALIGN)
			len = DATASET_EXTENT_ALIGN;
		if (len > size - pos)
			len = size - pos;
		ret = add_extent(f, &cap, pos, len);
		pos += len;
	}
	return ret;
}

uint64_t dataset_file_data_bytes(const struct dataset_file *f)
{
	uint64_t n = 0;

	if (f->content != CONTENT_SPARSE)
		return f->size;
	for (size_t i = 0; i < f->n_extents; i++)
		n += f->extents[i].length;
	return n;
}

/* ---- names ---- */

static const char *const dir_words[] = {
	"src", "include", "lib", "core", "net", "fs", "drivers", "util",
	"test", "arch", "kernel", "mm", "ipc", "crypto", "sound", "tools",
	"docs", "scripts", "block", "common", "io", "api", "internal", "ext",
};
static const char *const stems[] = {
	"main", "util", "core", "parse", "io", "buffer", "list", "hash",
	"config", "test", "alloc", "queue", "table", "string", "map", "log",
};
/* Extensions of source files, each repeated by its weight in percent. */
static const struct { const char *ext; unsigned weight; } source_exts[] = {
	{ "c", 38 }, { "h", 30 }, { "S", 2 }, { "py", 6 }, { "txt", 4 },
	{ "md", 4 }, { "json", 4 }, { "mk", 4 }, { "sh", 4 }, { "yaml", 4 },
};
static const char *const doc_stems[] = {
	"report", "scan", "invoice", "notes", "draft", "letter", "statement",
	"slides",
};
static const char *const topics[] = {
	"taxes", "work", "school", "recipes", "manuals", "letters",
	"invoices", "papers",
};
static const struct { const char *ext; unsigned weight; } doc_exts[] = {
	{ "pdf", 50 }, { "docx", 15 }, { "odt", 10 }, { "xlsx", 10 },
	{ "txt", 10 }, { "pptx", 5 },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* An index into a {ext, weight} table whose weights add up to 100. */
#define PICK_WEIGHTED(table, rng) ({					\
	unsigned _r = (unsigned)gsl_rng_uniform_int(rng, 100), _i = 0;	\
	while (_i + 1 < N_OF(table) && _r >= table[_i].weight)		\
		_r -= table[_i++].weight;				\
	_i; })

/* prefix/rest, or rest alone when the prefix is empty; NULL on ENOMEM */
static char *join(const char *prefix, const char *rest)
{
	char *s;

	if (asprintf(&s, "%s%s%s", prefix, *prefix ? "/" : "", rest) < 0)
		return NULL;
	return s;
}

struct source_dir {
	char *path;
	unsigned depth, children, files, base;
};

/*
 * A random recursive tree of directories under prefix (each new one
 * under an earlier one, at most SOURCE_MAX_DEPTH deep), then every file
 * in a random directory of it: names are unique per directory by their
 * ordinal ("parse3.c"), directory names by theirs.
 */
static int name_source(struct dataset_file **v, size_t n, const char *prefix,
		       gsl_rng *rng)
{
	size_t nd = (n + SOURCE_FILES_PER_DIR - 1) / SOURCE_FILES_PER_DIR;
	struct source_dir *d = calloc(nd ? nd : 1, sizeof(*d));
	int ret = -ENOMEM;

	if (!d)
		return -ENOMEM;
	nd = nd ? nd : 1;
	d[0].path = strdup(prefix);
	if (!d[0].path)
		goto out_free;
	d[0].base = (unsigned)gsl_rng_uniform_int(rng, N_OF(dir_words));
	for (size_t k = 1; k < nd; k++) {
		size_t p = gsl_rng_uniform_int(rng, k);
		unsigned ord;
		char name[48];

		if (d[p].depth >= SOURCE_MAX_DEPTH)
			p = gsl_rng_uniform_int(rng, k < SOURCE_SHALLOW_DIRS ?
						k : SOURCE_SHALLOW_DIRS);
		/* distinct words first, then numbered ones */
		ord = d[p].children++;
		if (ord < N_OF(dir_words))
			snprintf(name, sizeof(name), "%s",
				 dir_words[(d[p].base + ord) % N_OF(dir_words)]);
		else
			snprintf(name, sizeof(name), "%s%u",
				 dir_words[(d[p].base + ord) % N_OF(dir_words)],
				 ord / (unsigned)N_OF(dir_words));
		d[k].path = join(d[p].path, name);
		if (!d[k].path)
			goto out_free;
		d[k].depth = d[p].depth + 1;
		d[k].base = (unsigned)gsl_rng_uniform_int(rng, N_OF(dir_words));
	}
	for (size_t i = 0; i < n; i++) {
		struct source_dir *at = &d[gsl_rng_uniform_int(rng, nd)];
		unsigned ord = at->files++;
		char name[64];

		snprintf(name, sizeof(name), "%s%u.%s",
			 stems[(at->base + ord) % N_OF(stems)], ord,
			 source_exts[PICK_WEIGHTED(source_exts, rng)].ext);
		v[i]->path = join(at->path, name);
		if (!v[i]->path)
			goto out_free;
	}
	ret = 0;
out_free:
	for (size_t k = 0; k < nd; k++)
		free(d[k].path);
	free(d);
	return ret;
}

static int name_files(struct dataset_file **v, size_t n, const char *prefix,
		      enum dataset_naming naming, gsl_rng *rng)
{
	if (naming == DATASET_NAMES_SOURCE)
		return name_source(v, n, prefix, rng);
	for (size_t i = 0; i < n; i++) {
		unsigned month = (unsigned)(i / PHOTOS_PER_MONTH);
		char name[96];

		switch (naming) {
		case DATASET_NAMES_PHOTOS:
			snprintf(name, sizeof(name),
				 "DCIM/%04u/%04u-%02u/IMG_%05zu.jpg",
				 2015 + month / 12, 2015 + month / 12,
				 month % 12 + 1, i);
			break;
		case DATASET_NAMES_DOCUMENTS:
			snprintf(name, sizeof(name), "%s/%s-%04zu.%s",
				 topics[gsl_rng_uniform_int(rng,
							    N_OF(topics))],
				 doc_stems[i % N_OF(doc_stems)], i,
				 doc_exts[PICK_WEIGHTED(doc_exts, rng)].ext);
			break;
		case DATASET_NAMES_IMAGES:
			snprintf(name, sizeof(name), "vm-%02zu.img", i);
			break;
		default:
			snprintf(name, sizeof(name), "d%04zu/f%07zu.dat",
				 i / PLAIN_PER_DIR, i);
			break;
		}
		v[i]->path = join(prefix, name);
		if (!v[i]->path)
			return -ENOMEM;
	}
	return 0;
}

static bool same_group(const struct dataset_part *a,
		       const struct dataset_part *b)
{
	return a->naming == b->naming && !strcmp(a->prefix, b->prefix);
}

/*
 * Names the files of every group of parts (same prefix and naming),
 * in the order the groups first appear: the group's files are shuffled
 * (so a directory holds a mix of the parts' sizes), then named.
 */
static int name_groups(const struct dataset_recipe *r, struct dataset_spec *s,
		       gsl_rng *rng)
{
	struct dataset_file **v = malloc(s->n_files * sizeof(*v));
	int ret = 0;

	if (!v)
		return -ENOMEM;
	for (size_t g = 0; !ret && g < r->n_parts; g++) {
		const struct dataset_part *head = &r->parts[g];
		size_t n = 0, first;

		for (first = 0; first < g; first++)
			if (same_group(&r->parts[first], head))
				break;
		if (first < g)
			continue;	/* named with its group already */
		for (size_t i = 0; i < s->n_files; i++)
			if (same_group(&r->parts[s->files[i].part], head))
				v[n++] = &s->files[i];
		seed_rng(rng, s->seed, STREAM_SHUFFLE + g);
		gsl_ran_shuffle(rng, v, n, sizeof(*v));
		seed_rng(rng, s->seed, STREAM_NAMES + g);
		ret = name_files(v, n, head->prefix, head->naming, rng);
	}
	free(v);
	return ret;
}

/* ---- the spec ---- */

void dataset_spec_free(struct dataset_spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_files; i++) {
		free(s->files[i].path);
		free(s->files[i].extents);
	}
	free(s->files);
	free(s->name);
	free(s);
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(((const struct dataset_file *)a)->path,
		      ((const struct dataset_file *)b)->path);
}

/* Characters of the directory part of a path ("a/b" of "a/b/c"). */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) : 0;
}

/* Components of the directory part of path (dp characters long). */
static size_t components(const char *path, size_t dp)
{
	size_t n = dp ? 1 : 0;

	for (size_t k = 0; k < dp; k++)
		n += path[k] == '/';
	return n;
}

/*
 * Directories below the root. Sorted by strcmp, every directory's files
 * are contiguous (a name continuing "dir" with a byte below or above '/'
 * sorts before or after all of "dir/"), so a path brings as many new
 * directories as its directory has components beyond those it shares
 * with the path before it.
 */
static size_t count_dirs(const struct dataset_spec *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_files; i++) {
		const char *p = s->files[i].path;
		const char *q = i ? s->files[i - 1].path : "";
		size_t dp = dir_len(p), dq = dir_len(q), k = 0, shared = 0;

		while (k < dp && k < dq) {
			size_t a = strcspn(p + k, "/"), b = strcspn(q + k, "/");

			a = k + a > dp ? dp - k : a;
			b = k + b > dq ? dq - k : b;
			if (a != b || memcmp(p + k, q + k, a))
				break;
			shared++;
			k += a + 1;
		}
		n += components(p, dp) - shared;
	}
	return n;
}

static int draw_files(const struct dataset_recipe *r, struct dataset_spec *s,
		      gsl_rng *rng)
{
	size_t at = 0;
	int ret = 0;

	for (size_t i = 0; !ret && i < r->n_parts; i++) {
		const struct dataset_part *p = &r->parts[i];

		seed_rng(rng, s->seed, STREAM_PART + i);
		for (uint64_t k = 0; !ret && k < p->count; k++) {
			struct dataset_file *f = &s->files[at++];

			f->part = (unsigned)i;
			f->content = p->content;
			f->size = draw_size(p, rng);
			if (p->content == CONTENT_SPARSE)
				ret = sparse_layout(f, p->share_lo +
						    gsl_rng_uniform(rng) *
						    (p->share_hi - p->share_lo),
						    rng);
		}
	}
	return ret;
}

struct dataset_spec *dataset_spec_build(const struct dataset_recipe *r,
					uint64_t seed, char *why, size_t len)
{
	struct dataset_spec *s;
	gsl_rng *rng;
	int ret;

	if (dataset_recipe_check(r, why, len))
		return NULL;
	s = calloc(1, sizeof(*s));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!s || !rng)
		goto out_nomem;
	s->seed = seed;
	s->name = strdup(r->name);
	s->n_files = dataset_recipe_files(r);
	s->files = calloc(s->n_files, sizeof(*s->files));
	if (!s->name || !s->files)
		goto out_nomem;
	ret = draw_files(r, s, rng);
	if (!ret)
		ret = name_groups(r, s, rng);
	if (ret)
		goto out_nomem;
	qsort(s->files, s->n_files, sizeof(*s->files), cmp_path);
	for (size_t i = 0; i < s->n_files; i++) {
		s->files[i].index = i;
		s->total_bytes += s->files[i].size;
		s->data_bytes += dataset_file_data_bytes(&s->files[i]);
	}
	s->n_dirs = count_dirs(s);
	gsl_rng_free(rng);
	return s;
out_nomem:
	snprintf(why, len, "%s", strerror(ENOMEM));
	if (rng)
		gsl_rng_free(rng);
	dataset_spec_free(s);
	return NULL;
}

/* ---- content ---- */

/* The first extent that ends after off (binary search). */
static size_t first_extent(const struct dataset_file *f, uint64_t off)
{
	size_t lo = 0, hi = f->n_extents;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->extents[mid].offset + f->extents[mid].length <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void dataset_file_generate(const struct dataset_spec *s, size_t i, void *buf,
			   uint64_t off, size_t len)
{
	const struct dataset_file *f = &s->files[i];
	unsigned char *p = buf;

	if (f->content != CONTENT_SPARSE) {
		dataset_generate(buf, off, len, f->size, f->content, s->seed,
				 f->index);
		return;
	}
	memset(buf, 0, len);
	for (size_t e = first_extent(f, off); e < f->n_extents; e++) {
		uint64_t lo = f->extents[e].offset, hi = lo +
			      f->extents[e].length;

		if (lo >= off + len)
			break;
		lo = lo > off ? lo : off;
		hi = hi < off + len ? hi : off + len;
		/* a sparse file's data is the random file's bytes there */
		dataset_generate(p + (lo - off), lo, hi - lo, f->size,
				 CONTENT_RANDOM, s->seed, f->index);
	}
}

uint64_t dataset_file_hash(const struct dataset_spec *s, size_t i)
{
	unsigned char buf[HASH_CHUNK];
	uint64_t size = s->files[i].size;
	XXH3_state_t st;

	XXH3_64bits_reset(&st);
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < HASH_CHUNK ? size - off : HASH_CHUNK;

		dataset_file_generate(s, i, buf, off, n);
		XXH3_64bits_update(&st, buf, n);
		off += n;
	}
	return XXH3_64bits_digest(&st);
}

/* ---- summaries ---- */

unsigned dataset_class_of(uint64_t size)
{
	unsigned c = 0;

	for (uint64_t hi = 4096; c + 1 < DATASET_N_CLASSES && size >= hi;
	     hi <<= 4)
		c++;
	return c;
}

const char *dataset_class_name(unsigned c)
{
	static const char *const names[DATASET_N_CLASSES] = {
		"<4K", "4K-64K", "64K-1M", "1M-16M", "16M-256M", ">=256M",
	};

	return c < DATASET_N_CLASSES ? names[c] : "?";
}

uint64_t dataset_class_lo(unsigned c)
{
	return c ? 1024ull << (4 * c - 2) : 0;
}

uint64_t dataset_class_hi(unsigned c)
{
	return c + 1 < DATASET_N_CLASSES ? dataset_class_lo(c + 1) :
	       UINT64_MAX;
}

unsigned dataset_bin_of(uint64_t size)
{
	unsigned b = size ? 64 - (unsigned)__builtin_clzll(size) : 0;

	return b < DATASET_N_BINS ? b : DATASET_N_BINS - 1;
}

uint64_t dataset_bin_lo(unsigned b)
{
	return b ? 1ull << (b - 1) : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void dataset_summarize(const struct dataset_spec *s,
		       struct dataset_summary *out)
{
	uint64_t *sizes = malloc((s->n_files ? s->n_files : 1) *
				 sizeof(*sizes));

	memset(out, 0, sizeof(*out));
	out->files = s->n_files;
	out->bytes = s->total_bytes;
	out->data_bytes = s->data_bytes;
	out->dirs = s->n_dirs;
	out->smallest = s->n_files ? UINT64_MAX : 0;
	for (size_t i = 0; i < s->n_files; i++) {
		uint64_t z = s->files[i].size;
		struct dataset_count *c = &out->classes[dataset_class_of(z)];
		struct dataset_count *b = &out->bins[dataset_bin_of(z)];

		c->files++;
		c->bytes += z;
		b->files++;
		b->bytes += z;
		out->empty_files += !z;
		out->smallest = z < out->smallest ? z : out->smallest;
		out->largest = z > out->largest ? z : out->largest;
		if (sizes)
			sizes[i] = z;
	}
	/* the lower median: a size some file really has */
	if (sizes && s->n_files) {
		qsort(sizes, s->n_files, sizeof(*sizes), cmp_u64);
		out->median = sizes[(s->n_files - 1) / 2];
	}
	free(sizes);
}
