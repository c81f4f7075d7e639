/* SPDX-License-Identifier: MIT */
/*
 * iobench sweep --dataset NAME|FILE: a synthetic dataset (datasets/spec.h)
 * copied the way --source copies a real tree. It is materialized in the
 * run's scratch directory before the first cell, scanned, and copied whole
 * by every sample, each copy verified. Its trees are the run's sizes: the
 * whole dataset and, when its files fall in two size classes or more, each
 * class on its own, so the report shows figures per class.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_WORKLOAD_H
#define IOBENCH_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "results.h"
#include "spec.h"

struct source_tree;

/* One tree of the dataset: its cells have `size` = its total bytes. */
struct workload_tree {
	int size_class;			/* -1: every file; else a class */
	uint64_t size;			/* total bytes: the cells' size */
	uint64_t files;
	struct source_tree *tree;	/* scanned once materialized */
};

/* A --dataset request. Strings and arrays are owned. */
struct workload {
	char *arg;			/* the --dataset value */
	char *name;			/* "source-tree", or the file's name */
	uint64_t seed;
	struct dataset_summary sum;
	struct workload_tree *trees;	/* the whole dataset first */
	size_t n_trees;
	struct dataset_spec *spec;	/* NULL when read from results.json */
	char *root;			/* where it is materialized, or NULL */
};

/*
 * Parses a --dataset value and builds its spec for seed:
 *
 *   NAME[:OPTS]   a named dataset (dataset_named_at())
 *   FILE[:OPTS]   a size histogram file (dataset_histogram_parse())
 *   OPTS          files=N (scale the counts to N files) or total=SIZE
 *                 (scale them so the expected total is SIZE)
 *
 * An existing file named ARG is read as a histogram as it is. Returns a
 * workload you own (workload_free()), or NULL with a one-line reason in
 * err, e.g. "hist.txt:7: '12Q': unknown unit (use K, M, G or T)".
 */
struct workload *workload_open(const char *arg, uint64_t seed, char *err,
			       size_t len);
void workload_free(struct workload *w);

/* Sets run->request.sizes to the trees' totals (ascending) and adds a
 * warning for a size class whose total equals another tree's (measured
 * within the whole dataset only). 0 or -ENOMEM. */
int workload_plan(struct workload *w, struct run *run);

/*
 * Writes the dataset into TOP/dataset (TOP: the run's scratch
 * directory), syncs it (so no writeback lands in a timed region), and
 * scans every tree (hashes for verification). stop is asked between
 * files (-EINTR). 0 or -errno with the reason in err.
 */
int workload_materialize(struct workload *w, const char *top,
			 bool (*stop)(void *ctx), void *ctx, char *err,
			 size_t len);
/* Removes what workload_materialize() wrote (also after a failure). */
void workload_remove(struct workload *w);

/* The tree whose cells have this size, or NULL. */
const struct workload_tree *workload_tree_of(const struct workload *w,
					     uint64_t size);
/* "source-tree (8000 files, 128.9 MiB)", "source-tree 4K-64K (4912
 * files, 79.3 MiB)"; the size alone when no tree has it. */
const char *workload_label(const struct workload *w, uint64_t size,
			   char *out, size_t len);

#endif
