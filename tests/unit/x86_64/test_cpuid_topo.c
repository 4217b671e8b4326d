// SPDX-License-Identifier: GPL-2.0
/*
 * The topology CPUID leaves (arch/x86_64/cpuid_topo.c), read back the way
 * Linux reads them, reduced to what decides SMT siblings, cache sharing and
 * packages:
 *  - 6.1 detect_extended_topology() and 6.12 topology_ext.c: leaf 1FH if
 *    the maximum basic leaf reaches it and its subleaf 0 is an SMT level,
 *    else 0BH; APIC ID, SMT shift, package shift; core ID = the package
 *    bits above the SMT field (topo_set_ids());
 *  - Intel, init_intel_cacheinfo() and the cacheinfo cpumaps: a cache's ID
 *    is APIC ID >> order(04H EAX[25:14] + 1), the LLC's is cpu_llc_id;
 *  - AMD, amd_get_topology()/parse_8000_001e() and
 *    cacheinfo_amd_init_llc_id(): with TOPOEXT, before family 17h the LLC
 *    ID is 8000001EH's NodeId (if 80000006H.EDX shows an L3), from 17h on
 *    APIC ID >> order(L3 sharing in 8000001DH); core IDs taken modulo the
 *    CPUs per node before 17h (legacy_fixup_core_id(), 6.12
 *    cpu_topology_fixup_amd()); L1/L2 sharing by APIC ID ranges
 *    (__cache_amd_cpumap_setup()), L3 = the LLC;
 *  - smpboot match_smt(): with TOPOEXT same package, LLC, node and core ID,
 *    else same package and core ID.
 * Every vCPU's leaves come from a KVM-like table of the host's vendor and
 * family; the sets derived must be the topology's, on both kernels.
 */
#include <stdlib.h>

#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/topo.h"
#include "tests/test.h"
#include "tests/unit/x86_64/topo_fixture.h"

struct host {
	const char *name;
	bool amd;
	u32 family, model;
};

static const struct host hosts[] = {
    {"Intel family 6", false, 6, 0x55},
    {"AMD family 6 (QEMU TCG)", true, 6, 6},
    {"AMD family 19h", true, 0x19, 0x01},
};

static const char *const shapes[] = {
    "1,1,1,1", "1,1,4,2", "1,2,2,2", "2,2,2,1",	  "2,4,1,2",
    "4,4,1,1", "1,1,3,3", "2,6,3,1", "1,1,240,1", "2,2,60,2",
};

static void add(struct kvm_cpuid2 *c, u32 fn, u32 idx, bool indexed, u32 a, u32 b, u32 cx, u32 d)
{
	struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];

	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
	e->eax = a;
	e->ebx = b;
	e->ecx = cx;
	e->edx = d;
}

/* What KVM_GET_SUPPORTED_CPUID might say on such a host: its own topology, stale here. */
static struct kvm_cpuid2 *host_table(const struct host *h)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));
	u32 sig = h->family <= 0xf ? h->family << 8 : 0xfu << 8 | (h->family - 0xf) << 20;
	u32 vendor[3];

	sig |= (h->model & 0xf) << 4 | (h->model >> 4) << 16;
	memcpy(vendor, h->amd ? "AuthenticAMD" : "GenuineIntel", 12);
	add(c, 0, 0, false, 0xd, vendor[0], vendor[2], vendor[1]);
	add(c, 1, 0, false, sig, 0xff100800, 0, 0);
	add(c, 4, 0, true, 0x1c004121, 0x01c0003f, 0x3f, 0);
	add(c, 4, 1, true, 0, 0, 0, 0);
	add(c, 0xb, 0, true, 1, 2, 0x100, 0xff);
	add(c, 0xb, 1, true, 5, 16, 0x201, 0xff);
	add(c, 0x80000000, 0, false, 0x80000008, 0, 0, 0);
	add(c, 0x80000001, 0, false, 0, 0, 0, 0);
	add(c, 0x80000008, 0, false, 0x3030, 0, 0x2300f, 0);
	return c;
}

/* KVM's CPUID: the entry, or zeros for a leaf it does not list. */
static void q(struct kvm_cpuid2 *c, u32 fn, u32 idx, u32 r[4])
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, fn, idx);

	r[0] = e ? e->eax : 0;
	r[1] = e ? e->ebx : 0;
	r[2] = e ? e->ecx : 0;
	r[3] = e ? e->edx : 0;
}

static u32 order(u32 n) /* get_count_order() */
{
	return topology_bits(n);
}

struct seen {
	u32 apicid, pkg, llc, node, core_61, core_612;
	u32 l1, l2; /* Intel: cache IDs; AMD: first APIC ID of the sharing range */
	u32 l1_n, l2_n;
};

/* Decode one vCPU's leaves as Linux would; expectations on the leaves themselves too. */
static void decode(const struct host *h, const struct topology *t, u32 cpu, struct seen *s)
{
	struct kvm_cpuid2 *c = host_table(h);
	u32 r[4], leaf, smt_shift, smt_n, pkg_shift = 0, core_n = 0, sub;
	struct x86_topo x;

	x86_topo_init(&x, t);
	cpuid_for_vcpu(c, t, cpu);
	q(c, 0, 0, r);
	ASSERT_GE(r[0], 0xb);
	leaf = 0xb;
	if (r[0] >= 0x1f) {
		q(c, 0x1f, 0, r);
		if (r[1] && (r[2] >> 8 & 0xff) == 1)
			leaf = 0x1f;
	}
	q(c, leaf, 0, r);
	ASSERT_EQ(r[2] >> 8 & 0xff, 1); /* SMT */
	ASSERT_NE(r[1] & 0xffff, 0);
	s->apicid = r[3];
	smt_shift = r[0] & 0x1f;
	smt_n = r[1] & 0xffff;
	for (sub = 1; sub < 8; sub++) {
		q(c, leaf, sub, r);
		if (!(r[2] >> 8 & 0xff) || !(r[1] & 0xffff))
			break;
		EXPECT_EQ(r[3], s->apicid);
		pkg_shift = r[0] & 0x1f;
		if ((r[2] >> 8 & 0xff) == 2)
			core_n = r[1] & 0xffff;
	}
	EXPECT_EQ(sub, 2); /* SMT and core, no die level */
	EXPECT_EQ(s->apicid, x86_topo_apic_id(t, cpu));
	EXPECT_EQ(smt_n, t->threads);
	EXPECT_EQ(core_n, topology_node_nr_cpus(t, 0));
	EXPECT_EQ(pkg_shift, x.pkg_shift);

	q(c, 1, 0, r);
	EXPECT_EQ(r[1] >> 24, s->apicid);
	EXPECT_EQ(order(r[1] >> 16 & 0xff), pkg_shift);
	EXPECT_EQ(!!(r[3] & (1u << 28)), core_n > 1); /* HTT */

	s->pkg = s->apicid >> pkg_shift;
	s->core_61 = s->core_612 = (s->apicid & ((1u << pkg_shift) - 1)) >> smt_shift;
	s->node = 0;

	if (!h->amd) {
		for (sub = 0; sub < 8; sub++) {
			u32 shared;

			q(c, 4, sub, r);
			if (!(r[0] & 0x1f))
				break;
			shared = (r[0] >> 14 & 0xfff) + 1;
			if (sub == 0)
				EXPECT_GE((r[0] >> 26) + 1, MIN(core_n / smt_n, 64u));
			if ((r[0] >> 5 & 7) == 1 && (r[0] & 0x1f) == 1)
				s->l1 = s->apicid >> order(shared);
			else if ((r[0] >> 5 & 7) == 2)
				s->l2 = s->apicid >> order(shared);
			else if ((r[0] >> 5 & 7) == 3)
				s->llc = s->apicid >> order(shared);
		}
		EXPECT_EQ(sub, 4);
		free(c);
		return;
	}

	q(c, 0x80000001, 0, r);
	ASSERT_TRUE(r[2] & (1u << 22)); /* TOPOEXT */
	q(c, 0x80000000, 0, r);
	ASSERT_GE(r[0], 0x8000001e);
	q(c, 0x80000008, 0, r);
	EXPECT_EQ(r[0], 0x3030); /* address sizes kept */
	EXPECT_EQ((r[2] & 0xff) + 1, core_n);
	EXPECT_EQ(r[2] >> 12 & 0xf, pkg_shift);
	EXPECT_EQ(r[2] >> 16, 0x2); /* PerfTscSize kept */
	q(c, 0x8000001e, 0, r);
	EXPECT_EQ(r[0], s->apicid);
	EXPECT_EQ((r[1] >> 8 & 0xff) + 1, t->threads); /* 6.1 smp_num_siblings */
	s->node = r[2] & 0xff;
	if (h->family < 0x17) {
		u32 nodes = (r[2] >> 8 & 7) + 1;

		q(c, 0x80000006, 0, r);
		EXPECT_NE(r[3], 0); /* an L3, or Linux leaves cpu_llc_id at the package */
		s->llc = s->node;
		if (nodes > 1) {
			s->core_61 %= core_n / smt_n / nodes;
			s->core_612 %= core_n / nodes;
		}
	}
	for (sub = 0; sub < 8; sub++) {
		u32 shared, level;

		q(c, 0x8000001d, sub, r);
		if (!(r[0] & 0x1f))
			break;
		shared = (r[0] >> 14 & 0xfff) + 1;
		level = r[0] >> 5 & 7;
		if (level == 1 && (r[0] & 0x1f) == 1) {
			s->l1 = s->apicid - s->apicid % shared;
			s->l1_n = shared;
		} else if (level == 2) {
			s->l2 = s->apicid - s->apicid % shared;
			s->l2_n = shared;
		} else if (level == 3 && h->family >= 0x17) {
			s->llc = s->apicid >> order(shared);
		}
	}
	EXPECT_EQ(sub, 4); /* the L3 must be cache index 3 */
	free(c);
}

static int mismatch(const char *host, const char *shape, const char *what, u32 i, u32 j, bool got,
		    bool want)
{
	if (got == want)
		return 0;
	test_fail_at(__FILE__, __LINE__, "%s, --topology %s: %s(cpu%u, cpu%u) is %d, want %d", host,
		     shape, what, i, j, got, want);
	return 1;
}

static void check_shape(const struct host *h, const char *shape)
{
	struct topology t;
	struct seen *s;
	u32 n, i, j, bad = 0;

	topo_make(&t, shape, 1024, NULL);
	n = topology_nr_cpus(&t);
	s = calloc(n, sizeof(*s));
	for (i = 0; i < n; i++)
		decode(h, &t, i, &s[i]);
	for (i = 0; i < n && bad < 5; i++) {
		struct topo_cpu a, b;

		topology_cpu(&t, i, &a);
		for (j = 0; j < n && bad < 5; j++) {
			bool same_core, smt_61, smt_612, core_sib = false;

			topology_cpu(&t, j, &b);
			same_core = a.llc == b.llc && a.core == b.core;
			bad += mismatch(h->name, shape, "apicid distinct", i, j,
					s[i].apicid != s[j].apicid, i != j);
			if (h->amd) {
				bool base = s[i].pkg == s[j].pkg && s[i].llc == s[j].llc;

				smt_61 = base && s[i].core_61 == s[j].core_61;
				smt_612 = base && s[i].node == s[j].node &&
					  s[i].core_612 == s[j].core_612;
				core_sib = s[i].l1 == s[j].l1 && s[i].l1_n == s[j].l1_n;
				bad += mismatch(h->name, shape, "L2 range", i, j,
						s[j].apicid >= s[i].l2 &&
						    s[j].apicid < s[i].l2 + s[i].l2_n,
						same_core);
			} else {
				smt_61 = smt_612 =
				    s[i].pkg == s[j].pkg && s[i].core_61 == s[j].core_61;
				core_sib = s[i].l1 == s[j].l1;
				bad += mismatch(h->name, shape, "L2", i, j, s[i].l2 == s[j].l2,
						same_core);
			}
			bad +=
			    mismatch(h->name, shape, "6.1 SMT siblings", i, j, smt_61, same_core);
			bad +=
			    mismatch(h->name, shape, "6.12 SMT siblings", i, j, smt_612, same_core);
			bad += mismatch(h->name, shape, "L1", i, j, core_sib, same_core);
			bad += mismatch(h->name, shape, "LLC", i, j, s[i].llc == s[j].llc,
					a.llc == b.llc);
			bad += mismatch(h->name, shape, "package", i, j, s[i].pkg == s[j].pkg,
					a.node == b.node);
		}
	}
	free(s);
}

static void check_host(const struct host *h)
{
	for (u32 i = 0; i < ARRAY_SIZE(shapes); i++)
		check_shape(h, shapes[i]);
}

TEST(intel_linux_sees_the_topology)
{
	check_host(&hosts[0]);
}

TEST(amd_family_6_linux_sees_the_topology)
{
	check_host(&hosts[1]);
}

TEST(amd_family_19h_linux_sees_the_topology)
{
	check_host(&hosts[2]);
}

TEST(memory_only_node_changes_nothing)
{
	struct topology t;
	struct seen a;

	/* CPUs see their package and LLC; memory-only nodes are SRAT's business. */
	topo_make(&t, "1,2,2,1", 1024, "512,512");
	for (u32 h = 0; h < ARRAY_SIZE(hosts); h++)
		for (u32 i = 0; i < 4; i++) {
			decode(&hosts[h], &t, i, &a);
			EXPECT_EQ(a.pkg, 0);
			EXPECT_EQ(a.apicid, i);
			EXPECT_EQ(a.llc, i / 2);
		}
}

TEST(intel_cache_leaf)
{
	struct kvm_cpuid2 *c = host_table(&hosts[0]);
	struct kvm_cpuid_entry2 *e;
	struct topology t;

	/* 2 threads, 4 cores: L1d 32 KiB 8-way 64 B lines, shared by 2 IDs; L3 by 8. */
	topo_make(&t, "1,1,4,2", 1024, NULL);
	cpuid_for_vcpu(c, &t, 5);
	e = cpuid_find(c, 4, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->eax, 1 | 1 << 5 | 1 << 8 | 1 << 14 | 3u << 26);
	EXPECT_EQ(e->ebx, 7u << 22 | 63);
	EXPECT_EQ(e->ecx, 63);
	e = cpuid_find(c, 4, 3);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->eax, 3 | 3 << 5 | 1 << 8 | 7 << 14 | 3u << 26);
	EXPECT_EQ(e->ecx, 16384 * 1024 / (16 * 64) - 1);
	e = cpuid_find(c, 4, 4);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->eax, 0);
	EXPECT_TRUE(cpuid_find(c, 0x8000001d, 0) == NULL); /* no AMD leaves on Intel */
	EXPECT_TRUE(cpuid_find(c, 0x8000001e, 0) == NULL);
	free(c);
}

TEST(amd_extended_leaves)
{
	struct kvm_cpuid2 *c = host_table(&hosts[1]);
	struct kvm_cpuid_entry2 *e;
	struct topology t;

	/* vCPU 13 of 2,4,2,2: node 1, LLC 3 (1 in the node), core 0, thread 1. */
	topo_make(&t, "2,4,2,2", 1024, NULL);
	cpuid_for_vcpu(c, &t, 13);
	ASSERT_EQ(x86_topo_apic_id(&t, 13), 1u << 3 | 1 << 2 | 0 << 1 | 1);
	e = cpuid_find(c, 0x8000001e, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->eax, 13);
	EXPECT_EQ(e->ebx, 1 << 8 | 2); /* 2 threads per core; core 2 of the package */
	EXPECT_EQ(e->ecx, 1 << 8 | 3); /* 2 LLCs per package; LLC 3 */
	e = cpuid_find(c, 0x80000001, 0);
	EXPECT_EQ(e->ecx & (1u << 22 | 1u << 1), 1u << 22 | 1u << 1);
	e = cpuid_find(c, 0x80000005, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ecx, 32u << 24 | 8 << 16 | 1 << 8 | 64);
	e = cpuid_find(c, 0x80000006, 0);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ecx, 1024u << 16 | 8 << 12 | 1 << 8 | 64);
	EXPECT_EQ(e->edx, 32u << 18 | 8 << 12 | 1 << 8 | 64);
	e = cpuid_find(c, 0x8000001d, 3);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->eax, 3 | 3 << 5 | 1 << 8 | 3 << 14); /* no cores field on AMD */
	free(c);
}

TEST(single_cpu_package)
{
	struct kvm_cpuid2 *c = host_table(&hosts[1]);
	struct kvm_cpuid_entry2 *e;
	struct topology t;

	topo_make(&t, "1,1,1,1", 256, NULL);
	c->entries[1].edx = 1u << 28; /* the host's HTT */
	c->entries[7].ecx = 1u << 1;  /* and CmpLegacy */
	cpuid_for_vcpu(c, &t, 0);
	e = cpuid_find(c, 1, 0);
	EXPECT_EQ(e->ebx >> 16, 1);
	EXPECT_EQ(e->edx & (1u << 28), 0);
	e = cpuid_find(c, 0x80000001, 0);
	EXPECT_EQ(e->ecx & (1u << 1), 0);
	e = cpuid_find(c, 0x80000008, 0);
	EXPECT_EQ(e->ecx & 0xf0ff, 0);
	free(c);
}

TEST(no_extended_topology_without_80000008)
{
	struct kvm_cpuid2 *c = host_table(&hosts[1]);
	struct topology t;

	topo_make(&t, "1,1,2,2", 256, NULL);
	cpuid_remove(c, 0x80000008);
	cpuid_for_vcpu(c, &t, 3);
	EXPECT_EQ(cpuid_find(c, 0x80000000, 0)->eax, 0x80000008);
	EXPECT_TRUE(cpuid_find(c, 0x8000001e, 0) == NULL);
	EXPECT_EQ(cpuid_find(c, 0xb, 0)->edx, 3);
	free(c);
}
