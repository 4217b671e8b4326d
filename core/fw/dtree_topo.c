// SPDX-License-Identifier: GPL-2.0
/*
 * The guest topology (core/vm/topology.h) in the device tree: what Linux 6.1
 * and 6.12 read to build their CPU, cache and NUMA topology. The bindings
 * are arch-neutral; what the kernels do with them is described for arm64,
 * the first arch to use them.
 *
 * cpu-map (bindings/cpu/cpu-topology.txt): clusterN per LLC, numbered
 * machine-wide, coreN within it, threadN below it when THREADS > 1, each
 * leaf's cpu naming its cpu node. The clusters sit right under cpu-map:
 * 6.1's parse_dt_topology() reads no socketN (that came later; 6.1 finds no
 * cluster under cpu-map, leaves every CPU without a package and drops the
 * whole map), and both kernels warn about clusters of clusters. Without
 * sockets both put every CPU in package 0 and take cluster_id = the LLC,
 * core_id within it, thread siblings = the CPUs with the same package,
 * cluster and core (drivers/base/arch_topology.c update_siblings_masks()).
 * The node level comes from numa-node-id, the LLC level from the L3 below.
 *
 * Caches (Devicetree Specification 0.4, 3.8.3 and 3.9): L1 in each cpu
 * node, L2 per core and L3 per LLC as nodes in /cpus, linked by
 * next-level-cache (cpu -> L2 -> L3). Linux's cache_setup_of_node()
 * (drivers/base/cacheinfo.c) takes level 1 from the cpu node itself, so L1
 * is private to each vCPU (x86 shares it between a core's threads), and
 * every higher level from the next node on the chain; a level is shared by
 * the CPUs whose chains reach the same node (6.1: the node pointer; 6.12:
 * the cache id, the smallest MPIDR reaching it). arm64 counts levels from
 * CLIDR_EL1 and raises the count to the last node's cache-level
 * (arch/arm64/kernel/cacheinfo.c init_cache_level(),
 * of_find_last_cache_level()); a level beyond CLIDR becomes a unified cache
 * through cache-unified. So every cache node has cache-level and
 * cache-unified. In /cpus rather than the root: of_platform_populate()
 * makes a platform device of every root node with a compatible. Sizes are
 * x86's (arch/x86_64/cpuid_topo.c), so a test sees the same machine.
 *
 * NUMA (bindings/numa.txt, drivers/of/of_numa.c), only with more than one
 * node: numa-node-id in every cpu and memory node, one memory node per
 * node (memory-only nodes included) covering its range of RAM, and
 * /distance-map with every pair. With one node the tree has one memory
 * node and no NUMA properties, as before topologies existed.
 */
#include <errno.h>
#include <stdio.h>

#include <libfdt.h>

#include "core/base/error.h"
#include "core/fw/dtree_topo.h"

#define DTREE_TOPO_CACHE_LINE 64

struct dtree_topo_cache {
	u32 size, ways;
};

static const struct dtree_topo_cache dtree_topo_l1 = {32 * KiB, 8}; /* each of i and d */
static const struct dtree_topo_cache dtree_topo_l2 = {1 * MiB, 16};
static const struct dtree_topo_cache dtree_topo_l3 = {16 * MiB, 16};

static u32 dtree_topo_cache_sets(const struct dtree_topo_cache *k)
{
	return k->size / (k->ways * DTREE_TOPO_CACHE_LINE);
}

static bool dtree_topo_numa(const struct topology *t)
{
	return t->nr_nodes > 1;
}

static int dtree_topo_check_mem(const struct dtree_desc *d)
{
	const struct topology *t = d->topo;
	u64 sum = 0;

	for (u32 n = 0; n < t->nr_nodes; n++) {
		if (!t->mem_mib[n])
			return error_host(-EINVAL, "device tree: NUMA node %u has no memory", n);
		sum += t->mem_mib[n];
	}
	if (sum * MiB != d->ram_size)
		return error_host(-EINVAL,
				  "device tree: the NUMA nodes hold %llu MiB, RAM is 0x%llx bytes",
				  (unsigned long long)sum, (unsigned long long)d->ram_size);
	for (u32 i = 0; i < t->nr_nodes; i++)
		for (u32 j = 0; j < t->nr_nodes; j++)
			if ((i == j) != (t->dist[i][j] == TOPO_LOCAL_DIST) ||
			    t->dist[i][j] < TOPO_LOCAL_DIST)
				return error_host(-EINVAL,
						  "device tree: NUMA distance %u->%u is %u", i, j,
						  t->dist[i][j]);
	return 0;
}

int dtree_topo_check(const struct dtree_desc *d)
{
	const struct topology *t = d->topo;

	if (!t)
		return error_host(-EINVAL, "device tree: no topology for %u vCPUs", d->nr_cpus);
	if (!t->nodes || !t->llcs || !t->cores || !t->threads || t->llcs % t->nodes ||
	    t->nr_nodes < t->nodes || t->nr_nodes > TOPO_MAX_NODES ||
	    (u64)t->llcs * t->cores * t->threads != d->nr_cpus)
		return error_host(-EINVAL,
				  "device tree: topology %u,%u,%u,%u with %u nodes does not "
				  "describe %u vCPUs",
				  t->nodes, t->llcs, t->cores, t->threads, t->nr_nodes, d->nr_cpus);
	return dtree_topo_numa(t) ? dtree_topo_check_mem(d) : 0;
}

/* The three properties of one cache; prefix "i-", "d-" (L1) or "" (the rest). */
static void dtree_topo_cache(struct fdtw *w, const char *prefix, const struct dtree_topo_cache *k)
{
	char name[32];

	snprintf(name, sizeof(name), "%scache-size", prefix);
	fdtw_u32(w, name, k->size);
	snprintf(name, sizeof(name), "%scache-line-size", prefix);
	fdtw_u32(w, name, DTREE_TOPO_CACHE_LINE);
	snprintf(name, sizeof(name), "%scache-sets", prefix);
	fdtw_u32(w, name, dtree_topo_cache_sets(k));
}

void dtree_topo_cpu(struct fdtw *w, const struct dtree_desc *d, u32 cpu)
{
	const struct topology *t = d->topo;
	struct topo_cpu p;

	topology_cpu(t, cpu, &p);
	dtree_topo_cache(w, "d-", &dtree_topo_l1);
	dtree_topo_cache(w, "i-", &dtree_topo_l1);
	fdtw_u32(w, "next-level-cache", DTREE_PHANDLE_L2(cpu / t->threads));
	if (dtree_topo_numa(t))
		fdtw_u32(w, "numa-node-id", p.node);
	fdtw_u32(w, "phandle", DTREE_PHANDLE_CPU(cpu));
}

static void dtree_topo_cache_node(struct fdtw *w, u32 level, u32 n,
				  const struct dtree_topo_cache *k, u32 phandle, u32 next)
{
	fdtw_begin(w, "l%u-cache-%u", level, n);
	fdtw_string(w, "compatible", "cache");
	fdtw_flag(w, "cache-unified");
	fdtw_u32(w, "cache-level", level);
	dtree_topo_cache(w, "", k);
	if (next)
		fdtw_u32(w, "next-level-cache", next);
	fdtw_u32(w, "phandle", phandle);
	fdtw_end(w);
}

/* A cpu-map leaf (a core without SMT, or a thread): the vCPU's cpu node. */
static void dtree_topo_cpu_map_leaf(struct fdtw *w, const char *kind, u32 idx, u32 cpu)
{
	fdtw_begin(w, "%s%u", kind, idx);
	fdtw_u32(w, "cpu", DTREE_PHANDLE_CPU(cpu));
	fdtw_end(w);
}

static void dtree_topo_cpu_map(struct fdtw *w, const struct topology *t)
{
	u32 cpu = 0;

	fdtw_begin(w, "cpu-map");
	for (u32 llc = 0; llc < t->llcs; llc++) {
		fdtw_begin(w, "cluster%u", llc);
		for (u32 core = 0; core < t->cores; core++) {
			if (t->threads == 1) {
				dtree_topo_cpu_map_leaf(w, "core", core, cpu++);
				continue;
			}
			fdtw_begin(w, "core%u", core);
			for (u32 thread = 0; thread < t->threads; thread++)
				dtree_topo_cpu_map_leaf(w, "thread", thread, cpu++);
			fdtw_end(w);
		}
		fdtw_end(w);
	}
	fdtw_end(w);
}

void dtree_topo_cpus(struct fdtw *w, const struct dtree_desc *d)
{
	const struct topology *t = d->topo;
	u32 nr_cores = t->llcs * t->cores;

	for (u32 core = 0; core < nr_cores; core++)
		dtree_topo_cache_node(w, 2, core, &dtree_topo_l2, DTREE_PHANDLE_L2(core),
				      DTREE_PHANDLE_L3(core / t->cores));
	for (u32 llc = 0; llc < t->llcs; llc++)
		dtree_topo_cache_node(w, 3, llc, &dtree_topo_l3, DTREE_PHANDLE_L3(llc), 0);
	dtree_topo_cpu_map(w, t);
}

static void dtree_topo_distance_map(struct fdtw *w, const struct topology *t)
{
	fdt32_t m[TOPO_MAX_NODES * TOPO_MAX_NODES * 3];
	u32 k = 0;

	/* <from to distance> for every pair, the diagonal included (numa.txt section 3). */
	for (u32 i = 0; i < t->nr_nodes; i++)
		for (u32 j = 0; j < t->nr_nodes; j++) {
			m[k++] = cpu_to_fdt32(i);
			m[k++] = cpu_to_fdt32(j);
			m[k++] = cpu_to_fdt32(t->dist[i][j]);
		}
	fdtw_begin(w, "distance-map");
	fdtw_string(w, "compatible", "numa-distance-map-v1");
	fdtw_prop(w, "distance-matrix", m, k * sizeof(m[0]));
	fdtw_end(w);
}

void dtree_topo_memory(struct fdtw *w, const struct dtree_desc *d)
{
	const struct topology *t = d->topo;

	if (!dtree_topo_numa(t)) {
		fdtw_begin(w, "memory@%llx", (unsigned long long)d->ram_base);
		fdtw_string(w, "device_type", "memory");
		fdtw_reg(w, d->ram_base, d->ram_size, 0, 0, 1);
		fdtw_end(w);
		return;
	}
	/*
	 * Node order from the bottom of RAM; together the ranges cover all of
	 * it, as arch_numa.c numa_register_nodes() requires of every memblock.
	 */
	for (u32 n = 0; n < t->nr_nodes; n++) {
		u64 base = d->ram_base + topology_node_mem_offset(t, n);

		fdtw_begin(w, "memory@%llx", (unsigned long long)base);
		fdtw_string(w, "device_type", "memory");
		fdtw_reg(w, base, t->mem_mib[n] * MiB, 0, 0, 1);
		fdtw_u32(w, "numa-node-id", n);
		fdtw_end(w);
	}
	dtree_topo_distance_map(w, t);
}
