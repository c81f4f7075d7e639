/* SPDX-License-Identifier: MIT */
/*
 * Synthetic workloads: a recipe (a named dataset, or one built from a size
 * histogram) becomes, for a seed, a spec: the exact list of files with
 * their relative paths, sizes, content kinds and sparse layouts. A spec is
 * materialized into a directory and summarized by size class. A spec is a
 * pure function of (recipe, seed); a file's bytes of (seed, its index).
 */
#ifndef IOBENCH_DATASET_SPEC_H
#define IOBENCH_DATASET_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

/* Limits of one dataset, checked when a recipe is scaled or built. */
#define DATASET_MAX_FILES 1000000u
#define DATASET_MAX_FILE_SIZE (1ull << 40)
/* Sparse layouts: extents start on, and (but the last) span, multiples
 * of this. */
#define DATASET_EXTENT_ALIGN 4096u

/* How the sizes of a part's files are drawn. */
enum dataset_dist {
	DATASET_FIXED,		/* every file is lo bytes */
	DATASET_LOG_UNIFORM,	/* ln(size) uniform over [max(lo, 1), hi] */
	DATASET_LOG_NORMAL,	/* ln(size) normal: median, sigma; clamped
				 * to [lo, hi] */
};

/* How a part's files are named and laid out in directories. */
enum dataset_naming {
	DATASET_NAMES_SOURCE,	/* nested src/, include/... ; .c, .h, ... */
	DATASET_NAMES_PHOTOS,	/* DCIM/YYYY/YYYY-MM/IMG_NNNNN.jpg */
	DATASET_NAMES_DOCUMENTS, /* TOPIC/name-NNNN.pdf (.odt, .xlsx...) */
	DATASET_NAMES_IMAGES,	/* vm-NN.img */
	DATASET_NAMES_PLAIN,	/* dNNNN/fNNNNNNN.dat, 64 files a directory */
};

/*
 * One group of files drawn from one distribution. Parts with the same
 * prefix and naming share one directory tree (their files are shuffled
 * together before they are named).
 */
struct dataset_part {
	char prefix[32];		/* directory in the tree, "" = its root */
	enum dataset_naming naming;
	uint64_t count;
	enum dataset_dist dist;
	uint64_t lo, hi;		/* bounds, or the fixed size (lo) */
	double median, sigma;		/* DATASET_LOG_NORMAL: bytes, of ln */
	enum content_kind content;
	/* CONTENT_SPARSE: each file's share of bytes in data extents is
	 * drawn uniformly from [share_lo, share_hi] */
	double share_lo, share_hi;
};

/* A dataset before the seed decides its files. parts is owned. */
struct dataset_recipe {
	char name[64];
	struct dataset_part *parts;
	size_t n_parts;
};

/* A data extent of a sparse file: [offset, offset + length). */
struct dataset_extent {
	uint64_t offset, length;
};

struct dataset_file {
	char *path;			/* relative: "src/net/core/sock_3.c" */
	uint64_t size;			/* apparent size */
	enum content_kind content;
	/* CONTENT_SPARSE: data extents, ascending and disjoint; holes
	 * elsewhere. Random content: the bytes of stream (seed, index) at
	 * the same offsets. NULL for the other kinds (all data). */
	struct dataset_extent *extents;
	size_t n_extents;
	uint64_t index;			/* content stream; = position */
	unsigned part;			/* the recipe part it was drawn from */
};

/* The files of a dataset, sorted by path (strcmp): the order they are
 * created, copied and listed in. Everything is owned. */
struct dataset_spec {
	char *name;
	uint64_t seed;
	struct dataset_file *files;
	size_t n_files;
	size_t n_dirs;			/* directories below the root */
	uint64_t total_bytes;		/* apparent */
	uint64_t data_bytes;		/* without holes */
};

/* ---- named datasets ---- */

/* The named datasets in a fixed order ("source-tree", "photos",
 * "vm-images", "mixed"), NULL past the last; and a one-line summary. */
const char *dataset_named_at(size_t i);
const char *dataset_named_summary(size_t i);
/* Fills r (which you free with dataset_recipe_free) with a named
 * dataset's default recipe. 0 or -ENOENT (unknown name), -ENOMEM. */
int dataset_recipe_named(const char *name, struct dataset_recipe *r);

/* ---- recipes ---- */

/* Appends a copy of part to r. 0 or -ENOMEM. */
int dataset_recipe_add(struct dataset_recipe *r,
		       const struct dataset_part *part);
void dataset_recipe_free(struct dataset_recipe *r);
/* Files in the recipe (sum of the counts). */
uint64_t dataset_recipe_files(const struct dataset_recipe *r);
/* Expected apparent bytes: each part's count times its mean size (the
 * clamped log-normal's exact mean). */
double dataset_recipe_expected_bytes(const struct dataset_recipe *r);
/*
 * Scales the counts so the recipe has `files` files, keeping the parts'
 * proportions (largest remainders; a part with files keeps one at
 * least). 0, or -EINVAL (files is 0, above DATASET_MAX_FILES, or fewer
 * than the parts with files).
 */
int dataset_recipe_scale_files(struct dataset_recipe *r, uint64_t files);
/*
 * Scales the recipe so its expected total is `bytes`: every part's count
 * is multiplied by bytes / expected and rounded; a part that would drop
 * below one file keeps one, whose sizes (bounds, median, fixed size)
 * shrink by the rest of the factor instead. 0, or -EINVAL (bytes 0,
 * an empty recipe, or more than DATASET_MAX_FILES files).
 */
int dataset_recipe_scale_bytes(struct dataset_recipe *r, uint64_t bytes);
/* Checks a recipe: at least one file, at most DATASET_MAX_FILES, sizes
 * within DATASET_MAX_FILE_SIZE, lo <= hi, sane log-normal and sparse
 * parameters. 0 or -EINVAL with the reason in why. */
int dataset_recipe_check(const struct dataset_recipe *r, char *why,
			 size_t len);

/* ---- size histogram files (--dataset FILE) ---- */

/*
 * The format, one directive per line; '#' starts a comment:
 *
 *   SIZE COUNT [KIND]               COUNT files of SIZE bytes
 *   SIZE_LO SIZE_HI COUNT [KIND]    COUNT files, log-uniform in
 *                                   [max(SIZE_LO, 1), SIZE_HI]
 *   total SIZE                      scale the counts so the expected
 *                                   total is SIZE
 *   name NAME                       the dataset's name in reports
 *
 * Sizes as the command line writes them (4096, 4K, 1M, 2G: 1K = 1024),
 * at most DATASET_MAX_FILE_SIZE; KIND random (default), zeros or sparse
 * (10-40% data extents). The files are named dNNNN/fNNNNNNN.dat, 64 to
 * a directory. Parses text (named `file` in errors) into r (free with
 * dataset_recipe_free()); r's name is NAME, else the file's base name
 * without its extension. 0, or -EINVAL with "file:line: what" in err.
 */
int dataset_histogram_parse(const char *text, const char *file,
			    struct dataset_recipe *r, char *err, size_t len);
/* Reads the histogram file at path (at most 1 MiB of text) and parses
 * it. 0 or -errno with "path: what" or "path:line: what" in err. */
int dataset_histogram_read(const char *path, struct dataset_recipe *r,
			   char *err, size_t len);

/* ---- specs ---- */

/* The files of the recipe for this seed; NULL on a bad recipe (see
 * dataset_recipe_check) or no memory, with the reason in why. You own
 * the spec: dataset_spec_free(). */
struct dataset_spec *dataset_spec_build(const struct dataset_recipe *r,
					uint64_t seed, char *why, size_t len);
void dataset_spec_free(struct dataset_spec *s);
/* Bytes [off, off + len) of file i of the spec (off + len <= its size),
 * holes as zeros, without I/O. */
void dataset_file_generate(const struct dataset_spec *s, size_t i, void *buf,
			   uint64_t off, size_t len);
/* XXH3-64 of file i's content, without I/O. */
uint64_t dataset_file_hash(const struct dataset_spec *s, size_t i);
/* Bytes of file i that are data (its size when it is not sparse). */
uint64_t dataset_file_data_bytes(const struct dataset_file *f);

/*
 * Creates the spec's directories and files below dir, which must be an
 * existing, empty directory: nothing is written anywhere else (every
 * path is checked to be relative and without "." or ".." components,
 * every step is opened O_NOFOLLOW relative to dir, every file created
 * O_EXCL). Sparse files get their holes (ftruncate, then the extents
 * written). Data is not synced. stop, when given, is asked between
 * files: true ends the work with -EINTR. 0 or -errno with the reason in
 * why; on failure what was created stays (the caller removes dir).
 */
int dataset_materialize(const struct dataset_spec *s, const char *dir,
			bool (*stop)(void *ctx), void *ctx, char *why,
			size_t len);

/* A relative path with no empty, "." or ".." component (what every
 * file of a spec has, and a part's prefix unless it is ""). */
bool dataset_path_safe(const char *path);

/* ---- summaries ---- */

/* Size classes, each 16 times the last: [0, 4K), [4K, 64K), [64K, 1M),
 * [1M, 16M), [16M, 256M), [256M, inf). */
#define DATASET_N_CLASSES 6
/* Power-of-two bins: bin 0 holds empty files, bin b [2^(b-1), 2^b). */
#define DATASET_N_BINS 42

unsigned dataset_class_of(uint64_t size);
/* "<4K", "4K-64K", ..., ">=256M" */
const char *dataset_class_name(unsigned c);
/* The class's bounds: [lo, hi); hi is UINT64_MAX for the last one. */
uint64_t dataset_class_lo(unsigned c);
uint64_t dataset_class_hi(unsigned c);
unsigned dataset_bin_of(uint64_t size);
/* Bin b's bounds, [lo, hi): 0 and 1 for bin 0. */
uint64_t dataset_bin_lo(unsigned b);

struct dataset_count {
	uint64_t files, bytes;
};

struct dataset_summary {
	uint64_t files, bytes, data_bytes, dirs;
	uint64_t empty_files, smallest, largest, median;
	struct dataset_count classes[DATASET_N_CLASSES];
	struct dataset_count bins[DATASET_N_BINS];
};

/* File count, bytes, sizes by class and by power-of-two bin. */
void dataset_summarize(const struct dataset_spec *s,
		       struct dataset_summary *out);

#endif
