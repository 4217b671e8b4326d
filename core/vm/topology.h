/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPU and memory topology, one model for every backend.
 *
 * A request names NODES,LLCS,CORES,THREADS: LLCS last-level caches of CORES
 * cores of THREADS SMT threads each, so vCPUs = LLCS x CORES x THREADS. The
 * LLCs are spread evenly over the NODES NUMA nodes: node n holds LLCs
 * [n * LLCS/NODES, (n+1) * LLCS/NODES), so LLCS must be a multiple of NODES.
 * Nodes listed in the memory sizes beyond NODES are memory-only nodes (memory,
 * no CPUs). On x86_64 each node with CPUs is one package (socket).
 *
 * vCPU numbering, the same on every arch (and the guest's CPU numbering,
 * because the firmware tables list vCPUs in this order):
 *   cpu = ((llc * CORES) + core) * THREADS + thread
 * with llc counted over the whole machine. Helpers below give each vCPU's
 * place.
 *
 * Memory: node n gets mem_mib[n] MiB, laid out in node order from the
 * bottom of guest RAM (the arch maps the ranges around its holes). Without
 * explicit sizes the RAM is split evenly over the nodes with CPUs, the
 * remainder to node 0. Distances: dist[i][j], 10 on the diagonal, more than
 * 10 elsewhere, symmetric, at most 254; default 20 between nodes.
 *
 * Memory performance (optional): lat_ns[i][j] and bw_mbs[i][j], the access
 * latency in ns and bandwidth in MB/s from the CPUs of node i (a node with
 * CPUs, the initiator) to the memory of node j (any node, the target). The
 * x86_64 backend describes them in an ACPI HMAT; Linux shows a node's
 * figures from its nearest initiator (topology_perf_initiator()) in
 * /sys/devices/system/node/nodeN/access0/initiators/.
 */
#ifndef KTVM_CORE_TOPOLOGY_H
#define KTVM_CORE_TOPOLOGY_H

#include "core/base/types.h"

#define TOPO_MAX_NODES	 16
#define TOPO_LOCAL_DIST	 10
#define TOPO_REMOTE_DIST 20
#define TOPO_MAX_DIST	 254
/*
 * Linux's HMAT parser (drivers/acpi/numa/hmat.c hmat_normalize()) drops a
 * value whose entry x base unit passes UINT_MAX: latencies are in ps there.
 */
#define TOPO_MAX_LAT_NS 4000000
#define TOPO_MAX_BW_MBS 4000000000ULL

struct topology {
	u32 nodes;    /* nodes with CPUs */
	u32 llcs;     /* in the whole machine */
	u32 cores;    /* per LLC */
	u32 threads;  /* per core */
	u32 nr_nodes; /* nodes in all: nodes + memory-only ones */
	u64 mem_mib[TOPO_MAX_NODES];
	u8 dist[TOPO_MAX_NODES][TOPO_MAX_NODES];
	bool explicit_mem; /* mem_mib came from the user */
	u32 nr_dist;	   /* size of a user-given distance matrix, 0: default */
	/* [initiator node][target node], 0: not given; rows = nodes with CPUs */
	u32 lat_ns[TOPO_MAX_NODES][TOPO_MAX_NODES];
	u32 bw_mbs[TOPO_MAX_NODES][TOPO_MAX_NODES];
	u32 lat_rows, lat_cols, bw_rows, bw_cols; /* as given; 0: none */
};

struct topo_cpu {
	u32 node, llc, core, thread; /* llc: machine-wide; core: within its LLC */
	u32 llc_in_node;	     /* the LLC's index within its node */
};

/* A flat 1,1,N,1 topology of nr_cpus vCPUs on one node with mem_mib MiB. */
void topology_default(struct topology *t, u32 nr_cpus, u64 mem_mib);

/*
 * Parsers for the command line; each sets an input error (core/base/error.h)
 * naming the option and returns a negative errno on bad syntax.
 *   "NODES,LLCS,CORES,THREADS"        topology_parse_shape
 *   "M0,M1,..." (MiB)                 topology_parse_mem
 *   "D00,D01,...;D10,D11,...;..."     topology_parse_dist (rows split by ';'
 *                                     or '/'; or one flat list of n*n values)
 * Parsing only records; topology_finish() checks the whole.
 */
int topology_parse_shape(struct topology *t, const char *s);
int topology_parse_mem(struct topology *t, const char *s);
int topology_parse_dist(struct topology *t, const char *s);
/*
 *   "L00,L01,...;L10,..." (ns)        topology_parse_latency
 *   "B00,B01,...;B10,..." (MB/s)      topology_parse_bandwidth
 * one row per node with CPUs, one value per node (memory-only ones too).
 */
int topology_parse_latency(struct topology *t, const char *s);
int topology_parse_bandwidth(struct topology *t, const char *s);

/*
 * Check and complete a parsed topology against the guest's memory size
 * (*mem_mib, 0 = not given: then the sum of the node sizes, or an error if
 * none were given either) and the backend's vCPU limit. Fills the default
 * memory split and distances. Input errors name what is wrong.
 */
int topology_finish(struct topology *t, u64 *mem_mib, u32 max_vcpus);

static inline u32 topology_nr_cpus(const struct topology *t)
{
	return t->llcs * t->cores * t->threads;
}

static inline u32 topology_llcs_per_node(const struct topology *t)
{
	return t->llcs / t->nodes;
}

/* Where vCPU cpu sits. */
void topology_cpu(const struct topology *t, u32 cpu, struct topo_cpu *out);

/* First vCPU of node n and how many it has (0 for a memory-only node). */
u32 topology_node_first_cpu(const struct topology *t, u32 node);
u32 topology_node_nr_cpus(const struct topology *t, u32 node);

/* Start of node n's memory as an offset into guest RAM (bytes). */
u64 topology_node_mem_offset(const struct topology *t, u32 node);

/* Whether latency or bandwidth was given (then x86_64 writes an HMAT). */
static inline bool topology_has_perf(const struct topology *t)
{
	return t->lat_rows || t->bw_rows;
}

/*
 * The initiator node whose figures describe node n's memory: n itself when
 * it has CPUs, else the node with CPUs at the smallest distance (the lowest
 * numbered of equals).
 */
u32 topology_perf_initiator(const struct topology *t, u32 n);

/* Smallest b with (1 << b) >= n: the APIC ID field width for n values. */
u32 topology_bits(u32 n);

#endif
