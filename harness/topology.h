/* SPDX-License-Identifier: MIT */
/*
 * The machine's topology (hwloc): counts for the environment, placement
 * plans for pinned threads, pinning. Layer rule: the only module that
 * includes <hwloc.h>; callers outside it hold topologies and plans as
 * opaque pointers.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_TOPOLOGY_H
#define IOBENCH_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>

#include <hwloc.h>

#include "cell.h"

/* This machine's topology, loaded once and kept (NULL if hwloc fails). */
hwloc_topology_t topology_machine(void);
/* A topology from an hwloc XML file, or NULL with errno. Destroy it. */
hwloc_topology_t topology_load_xml(const char *path);
/* Bytes of L3 cache in the first package (0 when hwloc knows none). */
uint64_t topology_l3_per_package(hwloc_topology_t topo);

/* What the environment section reports (zeros when hwloc fails). */
struct topology_counts {
	unsigned packages, numa_nodes, cores, pus;
	uint64_t l3_per_package;
};
void topology_counts(struct topology_counts *out);

/*
 * Where each of n threads runs: one PU each. compact fills the cores of
 * the first NUMA node (or package) before the next; spread deals threads
 * round-robin over NUMA nodes (else packages), then over their cores.
 * Within a domain a core gets a second thread (its next PU) only when
 * every core has one. Threads beyond the PUs wrap around.
 */
struct topology_plan {
	unsigned n;
	hwloc_bitmap_t *cpuset;		/* n single-PU sets */
	hwloc_bitmap_t *nodeset;	/* n: NUMA nodes of that PU */
};
/* 0, -EINVAL (PIN_NONE or n == 0) or -ENOMEM; free with
 * topology_plan_free (also on a zeroed plan). */
int topology_plan_placement(hwloc_topology_t topo, enum pin_mode mode,
			    unsigned n, struct topology_plan *plan);
void topology_plan_free(struct topology_plan *plan);
/*
 * Pins the calling thread to PU idx of the plan and binds the memory it
 * allocates from now on to that PU's NUMA node (*membind_failed when the
 * machine or kernel refuses: the copy still runs). 0 or -errno.
 */
int topology_bind_thread(hwloc_topology_t topo,
			 const struct topology_plan *plan, unsigned idx,
			 bool *membind_failed);

#endif
