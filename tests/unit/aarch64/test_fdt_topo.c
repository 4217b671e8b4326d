// SPDX-License-Identifier: GPL-2.0
/*
 * The guest topology in the aarch64 device tree: what arm64 adds to the
 * arch-neutral nodes (core/fw/dtree_topo.c, tested on every arch by
 * tests/unit/test_dtree_topo.c). cpu-map leaves and cache chains start at
 * cpu nodes named by MPIDR; the largest tree fits the boot code's buffer;
 * CLIDR_EL1 agrees with the cache nodes.
 */
#include <errno.h>

#include "tests/unit/aarch64/fdt_fixture.h"

/* vCPU cpu's node, found by its MPIDR as Linux finds the boot CPU's. */
static int cpu_node(u32 cpu)
{
	char path[64];

	snprintf(path, sizeof(path), "/cpus/cpu@%llx", (unsigned long long)mpidr[cpu]);
	return node(path);
}

/*
 * 2,4,1,2: KVM's MPIDRs for the vCPUs (a64_topo_mpidr()), and every
 * topology link that names a cpu node lands on the one with that MPIDR:
 * cpu-map's leaves, and the phandle each cache chain starts from.
 */
TEST(topology_on_mpidr_cpu_nodes)
{
	struct topology t;
	struct a64_fdt_desc d;
	char path[96];
	int leaf, l2;

	topo_make(&t, "2,4,1,2", 512, NULL, NULL);
	d = desc_topo(&t);
	build(&d);
	for (u32 cpu = 0; cpu < 8; cpu++) {
		snprintf(path, sizeof(path), "/cpus/cpu-map/cluster%u/core0/thread%u", cpu / 2,
			 cpu % 2);
		leaf = node(path);
		EXPECT_EQ(fdt_node_offset_by_phandle(dtb, (u32)cell(leaf, "cpu")), cpu_node(cpu));
		EXPECT_EQ(fdt_get_phandle(dtb, cpu_node(cpu)), DTREE_PHANDLE_CPU(cpu));
		l2 = fdt_node_offset_by_phandle(dtb, (u32)cell(cpu_node(cpu), "next-level-cache"));
		EXPECT_EQ(cell(l2, "cache-level"), 2);
		EXPECT_EQ(cell(cpu_node(cpu), "numa-node-id"), cpu / 4);
	}
}

/* The largest tree (123 vCPUs with SMT, 16 nodes) fits the boot code's buffer. */
TEST(largest_tree_fits)
{
	struct topology t;
	struct a64_fdt_desc d;
	int len;

	topo_make(&t, "1,1,41,3", 0, "64,64,64,64,64,64,64,64,64,64,64,64,64,64,64,64", NULL);
	d = desc_topo(&t);
	d.dt.bootargs = NULL;
	len = build(&d);
	printf("  1,1,41,3 with 16 nodes: %d bytes\n", len);
	EXPECT_LT(len, (int)A64_FDT_BUF_SIZE);
	topo_make(&t, "1,123,1,1", 1024, NULL, NULL);
	d = desc_topo(&t);
	len = build(&d);
	printf("  1,123,1,1: %d bytes\n", len);
	EXPECT_LT(len, (int)A64_FDT_BUF_SIZE);
}

/*
 * CLIDR_EL1 as Linux reads it (arch/arm64/kernel/cacheinfo.c
 * get_cache_type(), init_cache_level()): the levels and types must be the
 * device tree's, or cache_setup_of_node() gives up on the CPU. And KVM's
 * set_clidr() check: no RES0 bits, LoC and LoU not zero (else it claims
 * CTR_EL0.IDC, refused on a host without it).
 */
TEST(clidr_matches_cache_nodes)
{
	u64 v = A64_TOPO_CLIDR;
	u32 levels = 0;

	for (u32 n = 1; n <= 7; n++) {
		u64 ctype = (v >> (3 * (n - 1))) & 7;

		if (!ctype)
			break;
		levels = n;
		EXPECT_EQ(ctype, n == 1 ? 3u : 4u);
	}
	EXPECT_EQ(levels, 3u);
	EXPECT_EQ((v >> 21) & 7, 1u); /* LoUIS */
	EXPECT_EQ((v >> 24) & 7, 3u); /* LoC */
	EXPECT_EQ((v >> 27) & 7, 1u); /* LoUU */
	EXPECT_EQ(v >> 30, 0u);	      /* ICB and RES0 */
	EXPECT_EQ(v & (0x7ULL << 9 | 0x7ULL << 12 | 0x7ULL << 15 | 0x7ULL << 18), 0u);
}
