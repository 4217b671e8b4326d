// SPDX-License-Identifier: GPL-2.0
/*
 * The guest topology in the device tree (core/fw/dtree_topo.c), read back
 * with libfdt the way Linux reads it: cpu-map as arch_topology.c walks it,
 * caches by following next-level-cache from each cpu node as cacheinfo.c
 * does, NUMA as of_numa.c parses it. Each check works out what a vCPU
 * should see from its number alone (cpu = ((llc * CORES) + core) *
 * THREADS + thread), not from topology.c's helpers. The arch is the
 * fixture's; tests/unit/aarch64/test_fdt_topo.c checks arm64's tree.
 */
#include <errno.h>

#include "tests/unit/dtree_fixture.h"

struct shape {
	u32 nodes, llcs, cores, threads;
};

/* The vCPU whose cpu node phandle ph names: its reg among the hardware ids. */
static int cpu_of_phandle(u32 ph, u32 nr_cpus)
{
	int off = fdt_node_offset_by_phandle(dtb, ph);
	const fdt32_t *reg;
	int len;

	ASSERT_GE(off, 0);
	EXPECT_STREQ(fdt_getprop(dtb, off, "device_type", NULL), "cpu");
	reg = fdt_getprop(dtb, off, "reg", &len);
	ASSERT_TRUE(reg);
	ASSERT_EQ(len, 4);
	for (u32 i = 0; i < nr_cpus; i++)
		if (fdt32_ld(reg) == cpu_reg(i))
			return (int)i;
	printf("  phandle 0x%x: reg 0x%x is no vCPU's id\n", ph, fdt32_ld(reg));
	ASSERT_TRUE(false);
	return -1;
}

/* vCPU cpu's node, found by its hardware id as Linux finds the boot CPU's. */
static int cpu_node(u32 cpu)
{
	char path[64];

	snprintf(path, sizeof(path), "/cpus/cpu@%llx", (unsigned long long)cpu_reg(cpu));
	return node(path);
}

static void build_shape(const char *shape, u64 mem, const char *numa_mem, const char *dist)
{
	struct topology t;
	struct dtree_desc d;

	topo_make(&t, shape, mem, numa_mem, dist);
	d = desc_topo(&t);
	build(&d);
}

/*
 * cpu-map: clusterL (L machine-wide) holds coreC, which holds threadT when
 * there is SMT, else the cpu itself; every leaf names the vCPU of its
 * place, and nothing else is there.
 */
static void check_cpu_map(struct shape s)
{
	u32 nr = s.llcs * s.cores * s.threads, seen = 0;
	int map = node("/cpus/cpu-map"), cl, co, th;
	char path[96];

	EXPECT_EQ(children(map), s.llcs);
	for (u32 l = 0; l < s.llcs; l++) {
		snprintf(path, sizeof(path), "/cpus/cpu-map/cluster%u", l);
		cl = node(path);
		EXPECT_EQ(children(cl), s.cores);
		EXPECT_EQ(cell(cl, "cpu"), -1);
		for (u32 c = 0; c < s.cores; c++) {
			snprintf(path, sizeof(path), "/cpus/cpu-map/cluster%u/core%u", l, c);
			co = node(path);
			if (s.threads == 1) {
				EXPECT_EQ(children(co), 0);
				EXPECT_EQ(cpu_of_phandle((u32)cell(co, "cpu"), nr),
					  l * s.cores + c);
				seen++;
				continue;
			}
			EXPECT_EQ(children(co), s.threads);
			EXPECT_EQ(cell(co, "cpu"), -1);
			for (u32 t = 0; t < s.threads; t++) {
				snprintf(path, sizeof(path),
					 "/cpus/cpu-map/cluster%u/core%u/thread%u", l, c, t);
				th = node(path);
				EXPECT_EQ(children(th), 0);
				EXPECT_EQ(cpu_of_phandle((u32)cell(th, "cpu"), nr),
					  (l * s.cores + c) * s.threads + t);
				seen++;
			}
		}
	}
	EXPECT_EQ(seen, nr);
}

TEST(cpu_map_1_1_4_2)
{
	build_shape("1,1,4,2", 512, NULL, NULL);
	check_cpu_map((struct shape){1, 1, 4, 2});
}

TEST(cpu_map_1_2_2_2)
{
	int leaf;

	build_shape("1,2,2,2", 512, NULL, NULL);
	check_cpu_map((struct shape){1, 2, 2, 2});
	/* cluster1/core1/thread0 is vCPU 6 = ((1 * 2) + 1) * 2 + 0 */
	leaf = node("/cpus/cpu-map/cluster1/core1/thread0");
	EXPECT_EQ(cpu_of_phandle((u32)cell(leaf, "cpu"), 8), 6);
}

TEST(cpu_map_2_4_1_2)
{
	build_shape("2,4,1,2", 512, NULL, NULL);
	check_cpu_map((struct shape){2, 4, 1, 2});
}

TEST(cpu_map_flat)
{
	/* No --topology: one cluster of cores without thread nodes. */
	struct dtree_desc d = desc(4);

	build(&d);
	check_cpu_map((struct shape){1, 1, 4, 1});
}

TEST(cpu_map_123_cpus)
{
	build_shape("1,41,1,3", 512, NULL, NULL);
	check_cpu_map((struct shape){1, 41, 1, 3});
}

/* The L1 caches of a cpu node (x86's sizes: 32 KiB, 8 ways, 64-byte lines). */
static void check_l1(int cpu)
{
	EXPECT_EQ(cell(cpu, "d-cache-size"), 32768);
	EXPECT_EQ(cell(cpu, "d-cache-line-size"), 64);
	EXPECT_EQ(cell(cpu, "d-cache-sets"), 64);
	EXPECT_EQ(cell(cpu, "i-cache-size"), 32768);
	EXPECT_EQ(cell(cpu, "i-cache-line-size"), 64);
	EXPECT_EQ(cell(cpu, "i-cache-sets"), 64);
}

/* A unified cache node of level, size and sets (64-byte lines). */
static void check_cache_node(int off, u32 level, u32 size, u32 sets)
{
	EXPECT_STREQ(fdt_getprop(dtb, off, "compatible", NULL), "cache");
	EXPECT_TRUE(fdt_getprop(dtb, off, "cache-unified", NULL));
	EXPECT_EQ(cell(off, "cache-level"), level);
	EXPECT_EQ(cell(off, "cache-size"), size);
	EXPECT_EQ(cell(off, "cache-line-size"), 64);
	EXPECT_EQ(cell(off, "cache-sets"), sets);
	EXPECT_FALSE(fdt_getprop(dtb, off, "device_type", NULL));
}

/* The node after off on the next-level-cache chain, or -1. */
static int next_cache(int off)
{
	s64 ph = cell(off, "next-level-cache");

	if (ph < 0)
		return -1;
	off = fdt_node_offset_by_phandle(dtb, (u32)ph);
	ASSERT_GE(off, 0);
	return off;
}

/*
 * From each cpu node: L1 in it, next-level-cache to an L2 then an L3 and
 * no further (of_find_last_cache_level() gives 3). Two vCPUs reach the
 * same L2 exactly when they are threads of one core, the same L3 exactly
 * when they share an LLC: Linux's shared_cpu_list.
 */
static void check_caches(struct shape s)
{
	u32 nr = s.llcs * s.cores * s.threads;
	int l2[DTREE_MAX_CPUS], l3[DTREE_MAX_CPUS];

	for (u32 i = 0; i < nr; i++) {
		int cpu = cpu_node(i);

		check_l1(cpu);
		l2[i] = next_cache(cpu);
		ASSERT_GE(l2[i], 0);
		check_cache_node(l2[i], 2, 1024 * 1024, 1024);
		l3[i] = next_cache(l2[i]);
		ASSERT_GE(l3[i], 0);
		check_cache_node(l3[i], 3, 16 * 1024 * 1024, 16384);
		EXPECT_EQ(next_cache(l3[i]), -1);
		/* Under /cpus, where of_platform_populate() makes no device of them. */
		EXPECT_EQ(fdt_parent_offset(dtb, l2[i]), node("/cpus"));
		EXPECT_EQ(fdt_parent_offset(dtb, l3[i]), node("/cpus"));
	}
	for (u32 i = 0; i < nr; i++)
		for (u32 j = 0; j < nr; j++) {
			bool core = i / s.threads == j / s.threads;
			bool llc = i / (s.cores * s.threads) == j / (s.cores * s.threads);

			if ((l2[i] == l2[j]) != core || (l3[i] == l3[j]) != llc)
				printf("  vCPUs %u and %u: L2 %s, L3 %s\n", i, j,
				       l2[i] == l2[j] ? "shared" : "apart",
				       l3[i] == l3[j] ? "shared" : "apart");
			EXPECT_EQ(l2[i] == l2[j], core);
			EXPECT_EQ(l3[i] == l3[j], llc);
		}
}

TEST(caches_1_1_4_2)
{
	build_shape("1,1,4,2", 512, NULL, NULL);
	check_caches((struct shape){1, 1, 4, 2});
}

TEST(caches_1_2_2_2)
{
	build_shape("1,2,2,2", 512, NULL, NULL);
	check_caches((struct shape){1, 2, 2, 2});
}

TEST(caches_2_4_1_2)
{
	build_shape("2,4,1,2", 512, NULL, NULL);
	check_caches((struct shape){2, 4, 1, 2});
}

TEST(caches_flat)
{
	struct dtree_desc d = desc(6);

	build(&d);
	check_caches((struct shape){1, 1, 6, 1});
}

/* Every memory node: base, size and numa-node-id (-1: none), in order. */
struct mem_node {
	u64 base, size;
	s64 nid;
};

static int memory_nodes(struct mem_node *m, int max)
{
	int off, n = 0, len;
	const fdt64_t *reg;

	fdt_for_each_subnode(off, dtb, 0)
	{
		const char *type = fdt_getprop(dtb, off, "device_type", NULL);

		if (!type || strcmp(type, "memory"))
			continue;
		ASSERT_LT(n, max);
		reg = fdt_getprop(dtb, off, "reg", &len);
		ASSERT_TRUE(reg);
		ASSERT_EQ(len, 16);
		m[n].base = fdt64_ld(reg);
		m[n].size = fdt64_ld(reg + 1);
		m[n].nid = cell(off, "numa-node-id");
		n++;
	}
	return n;
}

/* distance-matrix as n x n (every pair present exactly once), or 0 without one. */
static u32 distances(u32 dist[TOPO_MAX_NODES][TOPO_MAX_NODES], u32 n)
{
	int off = fdt_path_offset(dtb, "/distance-map"), len;
	const fdt32_t *p;
	u32 k, seen = 0;

	if (off < 0)
		return 0;
	EXPECT_STREQ(fdt_getprop(dtb, off, "compatible", NULL), "numa-distance-map-v1");
	p = fdt_getprop(dtb, off, "distance-matrix", &len);
	ASSERT_TRUE(p);
	ASSERT_EQ(len, (int)(n * n * 3 * 4));
	memset(dist, 0, sizeof(u32) * TOPO_MAX_NODES * TOPO_MAX_NODES);
	for (k = 0; k < n * n; k++) {
		u32 a = fdt32_ld(&p[3 * k]), b = fdt32_ld(&p[3 * k + 1]);

		ASSERT_LT(a, n);
		ASSERT_LT(b, n);
		EXPECT_EQ(dist[a][b], 0);
		dist[a][b] = fdt32_ld(&p[3 * k + 2]);
		seen++;
	}
	return seen;
}

/* numa-node-id of every cpu node: node = LLC / (LLCS / NODES); -1 for none. */
static void check_cpu_nodes(struct shape s, bool numa)
{
	u32 per_node = s.llcs / s.nodes * s.cores * s.threads;

	for (u32 i = 0; i < s.llcs * s.cores * s.threads; i++)
		EXPECT_EQ(cell(cpu_node(i), "numa-node-id"), numa ? (s64)(i / per_node) : -1);
}

TEST(numa_2_4_1_2)
{
	struct mem_node m[4];
	u32 dist[TOPO_MAX_NODES][TOPO_MAX_NODES];

	build_shape("2,4,1,2", 512, NULL, NULL);
	check_cpu_nodes((struct shape){2, 4, 1, 2}, true);
	ASSERT_EQ(memory_nodes(m, 4), 2);
	EXPECT_EQ(m[0].base, RAM_BASE);
	EXPECT_EQ(m[0].size, 256 * MiB);
	EXPECT_EQ(m[0].nid, 0);
	EXPECT_EQ(m[1].base, RAM_BASE + 256 * MiB);
	EXPECT_EQ(m[1].size, 256 * MiB);
	EXPECT_EQ(m[1].nid, 1);
	node("/memory@50000000");
	ASSERT_EQ(distances(dist, 2), 4);
	EXPECT_EQ(dist[0][0], 10);
	EXPECT_EQ(dist[0][1], 20);
	EXPECT_EQ(dist[1][0], 20);
	EXPECT_EQ(dist[1][1], 10);
}

TEST(numa_memory_only_node)
{
	struct mem_node m[4];
	u32 dist[TOPO_MAX_NODES][TOPO_MAX_NODES];

	/* Node 2 has 128 MiB and no CPUs. */
	build_shape("2,2,1,1", 512, "192,192,128", NULL);
	check_cpu_nodes((struct shape){2, 2, 1, 1}, true);
	ASSERT_EQ(memory_nodes(m, 4), 3);
	EXPECT_EQ(m[0].base, RAM_BASE);
	EXPECT_EQ(m[0].size, 192 * MiB);
	EXPECT_EQ(m[1].base, RAM_BASE + 192 * MiB);
	EXPECT_EQ(m[1].size, 192 * MiB);
	EXPECT_EQ(m[2].base, RAM_BASE + 384 * MiB);
	EXPECT_EQ(m[2].size, 128 * MiB);
	for (int n = 0; n < 3; n++)
		EXPECT_EQ(m[n].nid, n);
	ASSERT_EQ(distances(dist, 3), 9);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			EXPECT_EQ(dist[i][j], i == j ? 10u : 20u);
}

TEST(numa_distance_matrix_4)
{
	static const u32 want[4][4] = {
	    {10, 15, 20, 30}, {15, 10, 25, 35}, {20, 25, 10, 40}, {30, 35, 40, 10}};
	u32 dist[TOPO_MAX_NODES][TOPO_MAX_NODES];
	struct mem_node m[4];

	build_shape("4,4,1,1", 1024, NULL, "10,15,20,30;15,10,25,35;20,25,10,40;30,35,40,10");
	check_cpu_nodes((struct shape){4, 4, 1, 1}, true);
	ASSERT_EQ(memory_nodes(m, 4), 4);
	for (int n = 0; n < 4; n++) {
		EXPECT_EQ(m[n].base, RAM_BASE + n * 256 * MiB);
		EXPECT_EQ(m[n].nid, n);
	}
	ASSERT_EQ(distances(dist, 4), 16);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			EXPECT_EQ(dist[i][j], want[i][j]);
}

TEST(numa_one_node_with_memory_only_node)
{
	struct mem_node m[4];
	u32 dist[TOPO_MAX_NODES][TOPO_MAX_NODES];

	/* One node of CPUs and a memory-only one: two nodes, so NUMA. */
	build_shape("1,1,2,1", 512, "384,128", NULL);
	check_cpu_nodes((struct shape){1, 1, 2, 1}, true);
	ASSERT_EQ(memory_nodes(m, 4), 2);
	EXPECT_EQ(m[1].base, RAM_BASE + 384 * MiB);
	EXPECT_EQ(m[1].nid, 1);
	EXPECT_EQ(distances(dist, 2), 4);
}

TEST(flat_has_no_numa)
{
	struct dtree_desc d = desc(4);
	struct mem_node m[4];
	u32 dist[TOPO_MAX_NODES][TOPO_MAX_NODES];

	/* One node: one memory node for all RAM, no numa-node-id, no distance-map. */
	build(&d);
	check_cpu_nodes((struct shape){1, 1, 4, 1}, false);
	ASSERT_EQ(memory_nodes(m, 4), 1);
	EXPECT_EQ(m[0].base, RAM_BASE);
	EXPECT_EQ(m[0].size, 512 * MiB);
	EXPECT_EQ(m[0].nid, -1);
	EXPECT_EQ(distances(dist, 1), 0);

	/* --topology 1,2,2,1: clusters and caches, still no NUMA. */
	build_shape("1,2,2,1", 256, NULL, NULL);
	check_cpu_nodes((struct shape){1, 2, 2, 1}, false);
	ASSERT_EQ(memory_nodes(m, 4), 1);
	EXPECT_EQ(m[0].size, 256 * MiB);
	EXPECT_EQ(distances(dist, 1), 0);
}

static void expect_error(const struct dtree_desc *d, const char *words)
{
	error_clear();
	EXPECT_EQ(dtree_build(d, dtb, sizeof(dtb)), -EINVAL);
	EXPECT_EQ(error_kind(), ERROR_HOST);
	if (!strstr(error_msg(), words))
		printf("  message \"%s\" lacks \"%s\"\n", error_msg(), words);
	EXPECT_TRUE(strstr(error_msg(), words));
}

TEST(rejects_bad_topology)
{
	struct topology t;
	struct dtree_desc d = desc(4);

	d.topo = NULL;
	expect_error(&d, "no topology for 4 vCPUs");
	d = desc(4);
	d.nr_cpus = 3;
	expect_error(&d, "topology 1,1,4,1 with 1 nodes does not describe 3 vCPUs");

	topo_make(&t, "2,2,1,1", 512, NULL, NULL);
	d = desc_topo(&t);
	d.ram_size += MiB;
	expect_error(&d, "the NUMA nodes hold 512 MiB, RAM is 0x20100000 bytes");
	d = desc_topo(&t);
	topo.dist[1][0] = 10;
	expect_error(&d, "NUMA distance 1->0 is 10");
}
