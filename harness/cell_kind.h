/* SPDX-License-Identifier: MIT */
/*
 * What runs a cell's copies: a copy strategy inside the sample process,
 * or a reference tool (reference.h) run as a process of its own. The plan
 * and the runner resolve a cell's name to its kind once and ask the kind,
 * never the name, how to plan and run it.
 *
 * Layer: run; includes the model and below, never output or pipeline:
 * above copy_strategies/ and the reference tools' table;
 * results, outputs and compare do not need it (a saved cell is a name).
 */
#ifndef IOBENCH_CELL_KIND_H
#define IOBENCH_CELL_KIND_H

#include <stdbool.h>
#include <stddef.h>

#include "iobench/strategy.h"

struct reference_variant;

enum cell_kind_type {
	CELL_KIND_NONE,		/* a name nothing here runs */
	CELL_KIND_STRATEGY,	/* a struct copy_strategy, in-process */
	CELL_KIND_REFERENCE,	/* a reference tool's variant, a process */
};

struct cell_kind {
	enum cell_kind_type type;
	const struct copy_strategy *strategy;	/* CELL_KIND_STRATEGY */
	const struct reference_variant *ref;	/* CELL_KIND_REFERENCE */
};

/* The kinds of a strategy and of a reference variant. */
struct cell_kind cell_kind_strategy(const struct copy_strategy *s);
struct cell_kind cell_kind_reference(const struct reference_variant *v);
/* A cell name resolved: a registered (or loaded) strategy, a reference
 * variant ("ref:cp"), or CELL_KIND_NONE. */
struct cell_kind cell_kind_find(const char *name);

/* The cell name it plans: "rw", "ref:cp". */
const char *cell_kind_name(const struct cell_kind *k);
/* The options it reads, the tunables its cells take (dd: the buffer,
 * as its bs); NULL-name terminated, or NULL for none. */
const struct copy_option *cell_kind_options(const struct cell_kind *k);
/* The strategy's COPY_* flags; a reference tool has none (it copies
 * whole files, one process per file, batch or tree). */
unsigned cell_kind_flags(const struct cell_kind *k);
/* Whether it copies a sample's batch of generated files in one process
 * (cp -t DIR SRC...): its copies are then DIR/<the source's name>. */
bool cell_kind_batches(const struct cell_kind *k);
/* Whether it runs here: the strategy's probe in dir, or the tool on PATH
 * answering --version. 0, or -errno with the reason in why. */
int cell_kind_probe(const struct cell_kind *k, const char *dir, char *why,
		    size_t len);

#endif
