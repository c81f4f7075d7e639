// SPDX-License-Identifier: MIT
/*
 * A cell's kind: the strategy or the reference tool's variant that runs
 * it, and what the plan asks of either (name, tunables, flags, probe).
 */
#include <errno.h>

#include "cell_kind.h"
#include "reference.h"
#include "strategies.h"

struct cell_kind cell_kind_strategy(const struct copy_strategy *s)
{
	return (struct cell_kind){
		.type = s ? CELL_KIND_STRATEGY : CELL_KIND_NONE,
		.strategy = s,
	};
}

struct cell_kind cell_kind_reference(const struct reference_variant *v)
{
	return (struct cell_kind){
		.type = v ? CELL_KIND_REFERENCE : CELL_KIND_NONE,
		.ref = v,
	};
}

struct cell_kind cell_kind_find(const char *name)
{
	const struct copy_strategy *s = name ? strategy_find(name) : NULL;

	return s ? cell_kind_strategy(s)
		 : cell_kind_reference(reference_find(name));
}

const char *cell_kind_name(const struct cell_kind *k)
{
	switch (k->type) {
	case CELL_KIND_STRATEGY:
		return k->strategy->name;
	case CELL_KIND_REFERENCE:
		return k->ref->name;
	default:
		return "?";
	}
}

const struct copy_option *cell_kind_options(const struct cell_kind *k)
{
	switch (k->type) {
	case CELL_KIND_STRATEGY:
		return k->strategy->options;
	case CELL_KIND_REFERENCE:
		return reference_tool_of(k->ref)->options;
	default:
		return NULL;
	}
}

unsigned cell_kind_flags(const struct cell_kind *k)
{
	return k->type == CELL_KIND_STRATEGY ? k->strategy->flags : 0;
}

bool cell_kind_batches(const struct cell_kind *k)
{
	return k->type == CELL_KIND_REFERENCE && reference_batches(k->ref);
}

int cell_kind_probe(const struct cell_kind *k, const char *dir, char *why,
		    size_t len)
{
	switch (k->type) {
	case CELL_KIND_STRATEGY:
		return strategy_probe(k->strategy, dir, why, len);
	case CELL_KIND_REFERENCE:
		return reference_probe(k->ref, why, len);
	default:
		return strategy_why(why, len, -ENOENT, "unknown strategy");
	}
}
