// SPDX-License-Identifier: MIT
/*
 * The machine's topology with hwloc: loading it (or an XML fixture),
 * counting packages, NUMA nodes, cores and PUs, the L3 per package,
 * placement plans for pinned threads, and pinning one thread. The only
 * file that speaks hwloc.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc/glibc-sched.h>

#include "topology.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static hwloc_topology_t machine_topo;

hwloc_topology_t topology_machine(void)
{
	hwloc_topology_t t;

	if (machine_topo)
		return machine_topo;
	if (hwloc_topology_init(&t))
		return NULL;
	if (hwloc_topology_load(t)) {
		hwloc_topology_destroy(t);
		return NULL;
	}
	machine_topo = t;
	return t;
}

hwloc_topology_t topology_load_xml(const char *path)
{
	hwloc_topology_t t;

	if (hwloc_topology_init(&t))
		return NULL;
	if (hwloc_topology_set_xml(t, path) || hwloc_topology_load(t)) {
		int err = errno;

		hwloc_topology_destroy(t);
		errno = err ? err : EINVAL;
		return NULL;
	}
	return t;
}

uint64_t topology_l3_per_package(hwloc_topology_t topo)
{
	hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
	hwloc_const_cpuset_t set =
		pkg ? pkg->cpuset : hwloc_topology_get_topology_cpuset(topo);
	hwloc_obj_t l3 = NULL;
	uint64_t sum = 0;

	while ((l3 = hwloc_get_next_obj_inside_cpuset_by_type(
			topo, set, HWLOC_OBJ_L3CACHE, l3)))
		sum += l3->attr->cache.size;
	return sum;
}

/* The placement domains: NUMA nodes when there are several, else
 * packages, else the whole machine. Cpusets borrowed from topo. */
static unsigned domains_of(hwloc_topology_t topo, hwloc_const_cpuset_t *out,
			   unsigned max)
{
	static const hwloc_obj_type_t types[] = {
		HWLOC_OBJ_NUMANODE, HWLOC_OBJ_PACKAGE
	};
	unsigned n = 0;

	for (size_t t = 0; t < N_ELEMS(types) && !n; t++) {
		int count = hwloc_get_nbobjs_by_type(topo, types[t]);

		if (count < 2)
			continue;
		for (int i = 0; i < count && n < max; i++) {
			hwloc_obj_t o =
				hwloc_get_obj_by_type(topo, types[t], i);

			if (o->cpuset && !hwloc_bitmap_iszero(o->cpuset))
				out[n++] = o->cpuset;
		}
	}
	if (!n)
		out[n++] = hwloc_topology_get_topology_cpuset(topo);
	return n;
}

/* Cores of a domain (PUs when hwloc reports no cores). */
static hwloc_obj_type_t core_type(hwloc_topology_t topo)
{
	return hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE) > 0 ?
	       HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
}

/* Thread `slot` of a domain: core slot % cores, its (slot / cores)-th PU. */
static hwloc_obj_t pu_in_domain(hwloc_topology_t topo,
				hwloc_const_cpuset_t dom, unsigned slot)
{
	hwloc_obj_type_t ct = core_type(topo);
	int cores = hwloc_get_nbobjs_inside_cpuset_by_type(topo, dom, ct);
	hwloc_obj_t core;
	int pus;

	if (cores <= 0)
		return NULL;
	core = hwloc_get_obj_inside_cpuset_by_type(topo, dom, ct,
						   slot % (unsigned)cores);
	if (!core)
		return NULL;
	pus = hwloc_get_nbobjs_inside_cpuset_by_type(topo, core->cpuset,
						     HWLOC_OBJ_PU);
	if (pus <= 0)
		return NULL;
	return hwloc_get_obj_inside_cpuset_by_type(topo, core->cpuset,
		HWLOC_OBJ_PU, (slot / (unsigned)cores) % (unsigned)pus);
}

/* Cores (or PUs) of a domain: compact moves to the next domain once
 * every PU of this one has a thread. */
static unsigned domain_pus(hwloc_topology_t topo, hwloc_const_cpuset_t dom)
{
	int n = hwloc_get_nbobjs_inside_cpuset_by_type(topo, dom,
						       HWLOC_OBJ_PU);

	return n > 0 ? (unsigned)n : 1;
}

static hwloc_obj_t plan_one(hwloc_topology_t topo, enum pin_mode mode,
			    hwloc_const_cpuset_t *dom, unsigned nd,
			    unsigned i)
{
	unsigned total = 0, d;

	if (mode == PIN_SPREAD)
		return pu_in_domain(topo, dom[i % nd], i / nd);
	for (d = 0; d < nd; d++)
		total += domain_pus(topo, dom[d]);
	i %= total;
	for (d = 0; d + 1 < nd && i >= domain_pus(topo, dom[d]); d++)
		i -= domain_pus(topo, dom[d]);
	return pu_in_domain(topo, dom[d], i);
}

int topology_plan_placement(hwloc_topology_t topo, enum pin_mode mode,
			   unsigned n, struct topology_plan *plan)
{
	hwloc_const_cpuset_t dom[64];
	unsigned nd;

	memset(plan, 0, sizeof(*plan));
	if (mode == PIN_NONE || !n || !topo)
		return -EINVAL;
	nd = domains_of(topo, dom, N_ELEMS(dom));
	plan->cpuset = calloc(n, sizeof(*plan->cpuset));
	plan->nodeset = calloc(n, sizeof(*plan->nodeset));
	if (!plan->cpuset || !plan->nodeset)
		goto out_nomem;
	plan->n = n;
	for (unsigned i = 0; i < n; i++) {
		hwloc_obj_t pu = plan_one(topo, mode, dom, nd, i);

		if (!pu) {
			topology_plan_free(plan);
			return -EINVAL;
		}
		plan->cpuset[i] = hwloc_bitmap_dup(pu->cpuset);
		plan->nodeset[i] = hwloc_bitmap_alloc();
		if (!plan->cpuset[i] || !plan->nodeset[i])
			goto out_nomem;
		hwloc_cpuset_to_nodeset(topo, pu->cpuset, plan->nodeset[i]);
	}
	return 0;
out_nomem:
	topology_plan_free(plan);
	return -ENOMEM;
}

void topology_plan_free(struct topology_plan *plan)
{
	for (unsigned i = 0; i < plan->n; i++) {
		if (plan->cpuset)
			hwloc_bitmap_free(plan->cpuset[i]);
		if (plan->nodeset)
			hwloc_bitmap_free(plan->nodeset[i]);
	}
	free(plan->cpuset);
	free(plan->nodeset);
	memset(plan, 0, sizeof(*plan));
}

static unsigned count_objs(hwloc_topology_t topo, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(topo, type);

	return n > 0 ? (unsigned)n : 0;
}

void topology_counts(struct topology_counts *out)
{
	hwloc_topology_t topo = topology_machine();

	memset(out, 0, sizeof(*out));
	if (!topo)
		return;
	out->packages = count_objs(topo, HWLOC_OBJ_PACKAGE);
	out->numa_nodes = count_objs(topo, HWLOC_OBJ_NUMANODE);
	out->cores = count_objs(topo, HWLOC_OBJ_CORE);
	out->pus = count_objs(topo, HWLOC_OBJ_PU);
	out->l3_per_package = topology_l3_per_package(topo);
}

int topology_bind_thread(hwloc_topology_t topo,
			 const struct topology_plan *plan, unsigned idx,
			 bool *membind_failed)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	hwloc_cpuset_to_glibc_sched_affinity(topo, plan->cpuset[idx], &set,
					     sizeof(set));
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	/* a single-node machine or a kernel without NUMA says no: the copy
	 * still runs, the report says the buffers were not bound */
	*membind_failed = !topo ||
			  hwloc_set_membind(topo, plan->nodeset[idx],
					    HWLOC_MEMBIND_BIND,
					    HWLOC_MEMBIND_THREAD |
					    HWLOC_MEMBIND_BYNODESET);
	return 0;
}
