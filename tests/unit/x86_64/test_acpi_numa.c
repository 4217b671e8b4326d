// SPDX-License-Identifier: GPL-2.0
/*
 * The NUMA tables, SRAT (ACPI 6.5 5.2.16) and SLIT (5.2.17), and the APIC
 * IDs of a topology in the MADT, decoded from the spec's byte offsets.
 */
#include <errno.h>

#include "arch/x86_64/acpi_numa.h"
#include "arch/x86_64/topo.h"
#include "core/vm/arch.h"
#include "core/base/error.h"
#include "tests/test.h"
#include "tests/unit/x86_64/acpi_fixture.h"
#include "tests/unit/x86_64/topo_fixture.h"

struct srat_view {
	u32 nr_cpus, nr_mem;
	u32 cpu_pxm[ARCH_MAX_VCPUS], cpu_apic[ARCH_MAX_VCPUS];
	u32 mem_pxm[2 * TOPO_MAX_NODES];
	u64 mem_base[2 * TOPO_MAX_NODES], mem_len[2 * TOPO_MAX_NODES];
};

static void read_srat(const u8 *srat, struct srat_view *v)
{
	const u8 *e, *end = srat + rd32(srat + 4);

	memset(v, 0, sizeof(*v));
	EXPECT_EQ(srat[8], 3);	       /* revision */
	EXPECT_EQ(rd32(srat + 36), 1); /* reserved, 1 for compatibility */
	EXPECT_EQ(rd64(srat + 40), 0);
	for (e = srat + 48; e < end; e += e[1]) {
		ASSERT_GE(e[1], 2);
		ASSERT_LE(e + e[1], end);
		if (e[0] == 0) { /* Processor Local APIC/SAPIC Affinity */
			ASSERT_EQ(e[1], 16);
			ASSERT_LT(v->nr_cpus, ARCH_MAX_VCPUS);
			EXPECT_EQ(v->nr_mem, 0); /* CPUs first: Linux numbers nodes by appearance */
			v->cpu_pxm[v->nr_cpus] =
			    e[2] | (u32)e[9] << 8 | (u32)e[10] << 16 | (u32)e[11] << 24;
			v->cpu_apic[v->nr_cpus] = e[3];
			EXPECT_EQ(rd32(e + 4), 1); /* enabled */
			EXPECT_EQ(e[8], 0);
			EXPECT_EQ(rd32(e + 12), 0);
			v->nr_cpus++;
		} else {
			ASSERT_EQ(e[0], 1); /* Memory Affinity, nothing else */
			ASSERT_EQ(e[1], 40);
			ASSERT_LT(v->nr_mem, 2 * TOPO_MAX_NODES);
			v->mem_pxm[v->nr_mem] = rd32(e + 2);
			v->mem_base[v->nr_mem] = rd64(e + 8);
			v->mem_len[v->nr_mem] = rd64(e + 16);
			EXPECT_EQ(rd32(e + 28), 1); /* enabled, not hot-pluggable */
			EXPECT_EQ(rd32(e + 24) | rd64(e + 32) | rd16(e + 6), 0);
			v->nr_mem++;
		}
	}
	EXPECT_EQ(e, end);
}

/* The tables of topology t; SRAT and SLIT checked against t. */
static void check_numa(const struct topology *t, struct tables *tb, struct srat_view *v)
{
	struct x86_platform p;
	u64 ram = 0, below, next_low = 0, next_high = X86_4G;
	u32 i, n, k;

	x86_platform_init_topology(&p, t);
	build(tb, &p);
	ASSERT_TRUE(tb->srat && tb->slit);
	EXPECT_EQ(tb->nr_tables, 4);
	read_srat(tb->srat, v);

	ASSERT_EQ(v->nr_cpus, topology_nr_cpus(t));
	for (i = 0; i < v->nr_cpus; i++) {
		struct topo_cpu where;

		topology_cpu(t, i, &where);
		EXPECT_EQ(v->cpu_pxm[i], where.node);
		EXPECT_EQ(v->cpu_apic[i], x86_topo_apic_id(t, i));
		EXPECT_EQ(v->cpu_apic[i], tb->madt[44 + 8 * i + 3]); /* MADT lists the same */
	}
	/* Node by node, from the bottom, up to the hole and on from 4 GiB: all RAM. */
	for (n = 0; n < t->nr_nodes; n++)
		ram += t->mem_mib[n] * MiB;
	below = x86_ram_below_4g(ram);
	for (n = 0, k = 0; n < t->nr_nodes; n++) {
		u64 got = 0;

		for (; k < v->nr_mem && v->mem_pxm[k] == n; k++) {
			if (v->mem_base[k] < X86_4G) {
				EXPECT_EQ(v->mem_base[k], next_low);
				next_low += v->mem_len[k];
			} else {
				EXPECT_EQ(v->mem_base[k], next_high);
				next_high += v->mem_len[k];
			}
			got += v->mem_len[k];
		}
		EXPECT_EQ(got, t->mem_mib[n] * MiB);
	}
	EXPECT_EQ(k, v->nr_mem);
	EXPECT_EQ(next_low, below);
	EXPECT_EQ(next_high, X86_4G + ram - below);

	/* SLIT: revision 1, the number of localities, then the matrix row by row. */
	EXPECT_EQ(tb->slit[8], 1);
	ASSERT_EQ(rd32(tb->slit + 4), 44 + t->nr_nodes * t->nr_nodes);
	EXPECT_EQ(rd64(tb->slit + 36), t->nr_nodes);
	for (i = 0; i < t->nr_nodes; i++)
		for (n = 0; n < t->nr_nodes; n++)
			EXPECT_EQ(tb->slit[44 + i * t->nr_nodes + n], t->dist[i][n]);
}

TEST(no_srat_for_one_node)
{
	struct x86_platform p;
	struct topology t;
	struct tables tb;

	topology_default(&t, 4, 256);
	x86_platform_init_topology(&p, &t);
	build(&tb, &p);
	EXPECT_TRUE(!tb.srat && !tb.slit);
	EXPECT_EQ(tb.nr_tables, 2);
	topo_make(&t, "1,2,2,2", 256, NULL);
	x86_platform_init_topology(&p, &t);
	build(&tb, &p);
	EXPECT_TRUE(!tb.srat && !tb.slit);
}

TEST(default_topology_tables_unchanged)
{
	static u8 plain[X86_ACPI_SIZE];
	struct x86_platform p, q;
	struct topology t;
	u64 r1, r2;
	int n1, n2;

	/* The flat default gives byte for byte the tables of x86_platform_init(). */
	x86_platform_init(&p, 6);
	topology_default(&t, 6, 256);
	x86_platform_init_topology(&q, &t);
	memset(plain, 0, sizeof(plain));
	memset(buf, 0, sizeof(buf));
	n1 = acpi_build(plain, X86_ACPI_ADDR, sizeof(plain), &p, &r1);
	n2 = acpi_build(buf, X86_ACPI_ADDR, sizeof(buf), &q, &r2);
	ASSERT_GT(n1, 0);
	EXPECT_EQ(n1, n2);
	EXPECT_EQ(r1, r2);
	EXPECT_TRUE(!memcmp(plain, buf, (size_t)n1));
}

TEST(srat_slit_2_2_2_1)
{
	struct srat_view v;
	struct topology t;
	struct tables tb;

	topo_make(&t, "2,2,2,1", 512, NULL);
	check_numa(&t, &tb, &v);
	EXPECT_EQ(v.nr_mem, 2);
	EXPECT_EQ(v.mem_base[1], 256 * MiB);
	EXPECT_EQ(tb.slit[44 + 1], 20);
}

TEST(srat_split_around_the_hole)
{
	struct srat_view v;
	struct topology t;
	struct tables tb;

	/* Node 1 holds 2-3 GiB and 4-5 GiB. */
	topo_make(&t, "2,4,1,2", 4096, NULL);
	check_numa(&t, &tb, &v);
	ASSERT_EQ(v.nr_mem, 3);
	EXPECT_EQ(v.mem_pxm[1], 1);
	EXPECT_EQ(v.mem_base[1], 2048 * MiB);
	EXPECT_EQ(v.mem_len[1], 1024 * MiB);
	EXPECT_EQ(v.mem_pxm[2], 1);
	EXPECT_EQ(v.mem_base[2], X86_4G);
	EXPECT_EQ(v.mem_len[2], 1024 * MiB);
	/* Node 0 wholly below, node 1 from just below the hole to above it. */
	topo_make(&t, "2,2,1,1", 0, "3000,1096");
	check_numa(&t, &tb, &v);
	ASSERT_EQ(v.nr_mem, 3);
	EXPECT_EQ(v.mem_len[1], 72 * MiB);
	EXPECT_EQ(v.mem_len[2], 1024 * MiB);
}

TEST(srat_memory_only_node)
{
	struct srat_view v;
	struct topology t;
	struct tables tb;

	topo_make(&t, "1,1,2,1", 0, "512,256");
	check_numa(&t, &tb, &v);
	EXPECT_EQ(v.cpu_pxm[0], 0);
	EXPECT_EQ(v.cpu_pxm[1], 0);
	ASSERT_EQ(v.nr_mem, 2);
	EXPECT_EQ(v.mem_pxm[1], 1);
	EXPECT_EQ(v.mem_base[1], 512 * MiB);
	EXPECT_EQ(v.mem_len[1], 256 * MiB);
	EXPECT_EQ(rd64(tb.slit + 36), 2);
}

TEST(slit_given_distances)
{
	struct srat_view v;
	struct topology t;
	struct tables tb;
	u64 mem = 768;

	memset(&t, 0, sizeof(t));
	ASSERT_EQ(topology_parse_shape(&t, "3,3,1,2"), 0);
	ASSERT_EQ(topology_parse_dist(&t, "10,15,30;15,10,25;30,25,10"), 0);
	ASSERT_EQ(topology_finish(&t, &mem, ARCH_MAX_VCPUS), 0);
	check_numa(&t, &tb, &v);
	EXPECT_EQ(tb.slit[44 + 2], 30);
	EXPECT_EQ(tb.slit[44 + 3 + 2], 25);
	/* One thread bit and one package bit per node: vCPU i has APIC ID i. */
	EXPECT_EQ(v.cpu_apic[4], 4);
	EXPECT_EQ(v.cpu_pxm[5], 2);
}

TEST(madt_topology_apic_ids)
{
	struct x86_platform p;
	struct topology t;
	struct tables tb;
	u32 i;

	/* 3 threads per core: IDs 0,1,2, 4,5,6, 8,9,10; the IOAPIC takes 11. */
	topo_make(&t, "1,1,3,3", 256, NULL);
	x86_platform_init_topology(&p, &t);
	EXPECT_EQ(p.ioapic_id, 11);
	build(&tb, &p);
	for (i = 0; i < 9; i++) {
		EXPECT_EQ(tb.madt[44 + 8 * i + 2], i); /* processor UID = the guest's CPU number */
		EXPECT_EQ(tb.madt[44 + 8 * i + 3], (i / 3) << 2 | i % 3);
	}
	EXPECT_EQ(tb.madt[44 + 8 * 9], 1); /* then the IOAPIC */
	EXPECT_EQ(tb.madt[44 + 8 * 9 + 2], 11);
}

TEST(enospc_with_numa)
{
	static u8 small[X86_ACPI_SIZE];
	struct x86_platform p;
	struct topology t;
	u64 rsdp = 0;
	int used;

	/* 224 vCPUs, APIC IDs up to 253, 16 nodes: the largest tables. */
	topo_make(&t, "16,16,14,1", 0,
		  "256,256,256,256,256,256,256,256,256,256,256,256,256,256,256,256");
	x86_platform_init_topology(&p, &t);
	EXPECT_EQ(p.ioapic_id, 254);
	used = acpi_build(small, X86_ACPI_ADDR, sizeof(small), &p, &rsdp);
	ASSERT_GT(used, 0);
	for (int size = used - 200; size < used; size += 3) {
		error_clear();
		EXPECT_EQ(acpi_build(small, X86_ACPI_ADDR, (size_t)size, &p, &rsdp), -ENOSPC);
	}
}

TEST(refuses_topology_platform_mismatch)
{
	struct x86_platform p;
	struct topology t;
	u64 rsdp;

	topo_make(&t, "2,2,2,1", 512, NULL);
	x86_platform_init_topology(&p, &t);
	p.nr_cpus = 3;
	EXPECT_EQ(acpi_build(buf, X86_ACPI_ADDR, sizeof(buf), &p, &rsdp), -EINVAL);
}

/*
 * HMAT (ACPI 6.5 5.2.28), decoded as Linux's drivers/acpi/numa/hmat.c
 * does: the figure for a node is entry x base unit of the locality
 * structure, picoseconds for latency (shown in ns), MB/s for bandwidth,
 * taken from the initiator its type 0 structure names.
 */
struct hmat_view {
	u32 nr_domains, initiator[TOPO_MAX_NODES];
	u64 value[6][TOPO_MAX_NODES][TOPO_MAX_NODES]; /* [data type][initiator][target] */
	bool have[6];
};

static void read_hmat(const u8 *h, u32 nr_nodes, u32 nr_cpu_nodes, struct hmat_view *v)
{
	const u8 *e, *end = h + rd32(h + 4);

	memset(v, 0, sizeof(*v));
	EXPECT_EQ(h[8], 2); /* revision 2: latencies in ps */
	EXPECT_EQ(rd32(h + 36), 0);
	for (e = h + 40; e < end; e += rd32(e + 4)) {
		ASSERT_GE(rd32(e + 4), 8);
		ASSERT_LE(e + rd32(e + 4), end);
		EXPECT_EQ(rd16(e + 2), 0);
		if (rd16(e) == 0) {
			ASSERT_EQ(rd32(e + 4), 40);
			EXPECT_EQ(rd16(e + 8), 1);		/* initiator valid */
			ASSERT_EQ(rd32(e + 16), v->nr_domains); /* memory domain, in order */
			v->initiator[v->nr_domains++] = rd32(e + 12);
			EXPECT_EQ(rd16(e + 10) | rd32(e + 20) | rd64(e + 24) | rd64(e + 32), 0);
		} else {
			u32 ni, nt, i, j;
			u8 type;

			ASSERT_EQ(rd16(e), 1);
			EXPECT_EQ(e[8], 0); /* memory hierarchy: the memory */
			type = e[9];
			ASSERT_TRUE(type == 0 || type == 3);
			ni = rd32(e + 12);
			nt = rd32(e + 16);
			ASSERT_EQ(ni, nr_cpu_nodes);
			ASSERT_EQ(nt, nr_nodes);
			ASSERT_GE(rd32(e + 4), 32 + 4 * (ni + nt) + 2 * ni * nt);
			for (i = 0; i < ni; i++)
				EXPECT_EQ(rd32(e + 32 + 4 * i), i);
			for (j = 0; j < nt; j++)
				EXPECT_EQ(rd32(e + 32 + 4 * ni + 4 * j), j);
			for (i = 0; i < ni; i++)
				for (j = 0; j < nt; j++) {
					u16 x = rd16(e + 32 + 4 * (ni + nt) + 2 * (i * nt + j));

					ASSERT_TRUE(x != 0 && x != 0xffff);
					v->value[type][i][j] = (u64)x * rd64(e + 24);
				}
			v->have[type] = true;
		}
	}
	EXPECT_EQ(e, end);
}

TEST(hmat_latency_bandwidth_memory_only_node)
{
	struct hmat_view v;
	struct topology t;
	struct tables tb;
	struct x86_platform p;
	static const u32 lat[2][3] = {{80, 140, 200}, {140, 80, 120}};
	static const u32 bw[2][3] = {{20000, 10000, 5000}, {10000, 20000, 8000}};

	topo_make_perf(&t, "2,2,1,1", "256,256,128", "10,20,25;20,10,15;25,15,10",
		       "80,140,200;140,80,120", "20000,10000,5000;10000,20000,8000");
	x86_platform_init_topology(&p, &t);
	build(&tb, &p);
	ASSERT_TRUE(tb.srat && tb.slit && tb.hmat);
	EXPECT_EQ(tb.nr_tables, 5);
	read_hmat(tb.hmat, 3, 2, &v);
	ASSERT_EQ(v.nr_domains, 3);
	EXPECT_EQ(v.initiator[0], 0);
	EXPECT_EQ(v.initiator[1], 1);
	EXPECT_EQ(v.initiator[2], 1); /* memory-only: its nearest CPU node (15 < 25) */
	ASSERT_TRUE(v.have[0] && v.have[3]);
	for (u32 i = 0; i < 2; i++)
		for (u32 j = 0; j < 3; j++) {
			EXPECT_EQ(v.value[0][i][j], (u64)lat[i][j] * 1000); /* ps */
			EXPECT_EQ(v.value[3][i][j], bw[i][j]);
		}
}

TEST(hmat_only_what_is_given)
{
	struct hmat_view v;
	struct topology t;
	struct tables tb;
	struct x86_platform p;

	/* One node: SRAT (HMAT names its domains) and HMAT, latency only. */
	topo_make_perf(&t, "1,1,2,1", "256", NULL, "95", NULL);
	x86_platform_init_topology(&p, &t);
	build(&tb, &p);
	ASSERT_TRUE(tb.srat && tb.hmat);
	read_hmat(tb.hmat, 1, 1, &v);
	EXPECT_TRUE(v.have[0] && !v.have[3]);
	EXPECT_EQ(v.value[0][0][0], 95000);
	/* Bandwidth above 16 bits: a common unit keeps every value exact. */
	topo_make_perf(&t, "2,2,1,1", "128,128", NULL, NULL, "200000,100000;100000,200000");
	x86_platform_init_topology(&p, &t);
	build(&tb, &p);
	read_hmat(tb.hmat, 2, 2, &v);
	EXPECT_TRUE(!v.have[0] && v.have[3]);
	EXPECT_EQ(v.value[3][0][0], 200000);
	EXPECT_EQ(v.value[3][1][0], 100000);
	/* Without figures: no HMAT. */
	topo_make(&t, "2,2,1,1", 256, NULL);
	x86_platform_init_topology(&p, &t);
	build(&tb, &p);
	EXPECT_TRUE(tb.srat && !tb.hmat);
}

TEST(hmat_values_that_do_not_fit_are_refused)
{
	struct topology t;
	u32 unit;

	/* 1 and 65535: no common unit gives 16-bit entries. */
	topo_make_perf(&t, "2,2,1,1", "128,128", NULL, "1,65535;65535,1", NULL);
	error_clear();
	EXPECT_EQ(arch_topology_check(&t), -ERANGE);
	EXPECT_NE(strstr(error_msg(), "--numa-latency"), NULL);
	EXPECT_EQ(x86_hmat_unit(t.lat_ns, 2, 2, &unit), -ERANGE);
	/* 2 and 131068 share 2: entries 1 and 65534 fit. */
	topo_make_perf(&t, "2,2,1,1", "128,128", NULL, "2,131068;131068,2", "7,7;7,7");
	EXPECT_EQ(x86_hmat_unit(t.lat_ns, 2, 2, &unit), 0);
	EXPECT_EQ(unit, 2);
	EXPECT_EQ(arch_topology_check(&t), 0);
}
