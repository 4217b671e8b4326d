// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID leaves that tell the guest kernel its topology (topo.h): which
 * vCPUs are SMT siblings, which share an LLC, which form a package. What
 * KVM reports describes the host and is replaced, for every vCPU:
 *
 *  - 01H: EBX[31:24] initial APIC ID, EBX[23:16] addressable IDs in the
 *    package, EDX.HTT when the package has more than one thread;
 *  - 0BH (and 1FH when the maximum basic leaf reaches it, with the same
 *    content): an SMT level shifting out the thread field and a core level
 *    shifting out the whole package. Linux 6.1 detect_extended_topology()
 *    and 6.12 topology_ext.c take the SMT siblings, the package-relative
 *    core ID and the package ID from these. No die level: Linux's
 *    scheduler has no die domain, and a die level would make 6.1 count
 *    x86_max_cores per die; the LLC is told by the cache leaves;
 *  - Intel (and other non-AMD vendors): 04H with fixed caches, L1d, L1i and
 *    L2 shared by a core's threads, L3 by an LLC's. Linux sets cpu_llc_id
 *    and the cacheinfo shared_cpu_map from APIC ID >> order(EAX[25:14]+1);
 *  - AMD and Hygon: the extended leaves Linux reads there instead.
 *    80000001H.ECX TOPOEXT (leaves 8000001DH/8000001EH exist) and
 *    CmpLegacy; 80000005H/80000006H with the same caches (Linux's AMD LLC
 *    setup gives up when 80000006H.EDX reports no L3); 80000008H.ECX NC and
 *    ApicIdSize; 8000001DH, the caches in 04H format; 8000001EH extended
 *    APIC ID, package-relative core ID, threads per core and NodeId. The
 *    NodeId is the LLC's machine-wide index because Linux (6.1
 *    cacheinfo_amd_init_llc_id(), 6.12 the same) takes the LLC ID from it on
 *    families before 17h, QEMU TCG's family 6 included; from 17h on it takes
 *    APIC ID >> order(8000001DH L3 EAX[25:14]+1), which gives the same sets.
 *    The cost: Linux treats each LLC as an AMD node, so 6.1 shows it as the
 *    die (die_id), and before 17h both kernels number core_id within it.
 *
 * Sharing counts are the APIC ID blocks, rounded up to powers of two, so
 * Linux's shifts and its AMD range test (apicid % nshared) both match.
 * Intel SDM 2A, CPUID; AMD APM volume 3, appendix E.
 */
#include <string.h>

#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/topo.h"

#define CPUID_1_EDX_HTT		 (1u << 28)
#define CPUID_80000001_ECX_CMP	 (1u << 1)  /* CmpLegacy */
#define CPUID_80000001_ECX_TOPOX (1u << 22) /* TopologyExtensions */
#define CPUID_LEVEL_SMT		 1
#define CPUID_LEVEL_CORE	 2
#define CPUID_CACHE_LINE	 64

/* The guest's caches, fixed so that a test sees the same machine on every host. */
struct cpuid_cache {
	u8 type; /* 04H EAX[4:0]: 1 data, 2 instruction, 3 unified */
	u8 level;
	u32 size_kib, ways;
	bool per_llc; /* shared by the LLC's threads; else by the core's */
};

static const struct cpuid_cache cpuid_caches[] = {
    {1, 1, 32, 8, false},
    {2, 1, 32, 8, false},
    {3, 2, 1024, 16, false},
    {3, 3, 16384, 16, true},
};

/* 04H / 8000001DH format; cores_field is 04H EAX[31:26] (Intel), 0 on AMD. */
static void cpuid_topo_cache(struct kvm_cpuid_entry2 *e, const struct cpuid_cache *k,
			     u32 sharing_bits, u32 cores_field)
{
	u32 sets = k->size_kib * 1024 / (k->ways * CPUID_CACHE_LINE);

	e->eax = k->type | (u32)k->level << 5 | 1u << 8 /* self-initialising */ |
		 ((1u << sharing_bits) - 1) << 14 | cores_field << 26;
	e->ebx = (k->ways - 1) << 22 | (CPUID_CACHE_LINE - 1);
	e->ecx = sets - 1;
	e->edx = 0;
}

/* Subleaves 0..3 the caches, subleaf 4 type 0 (no more caches). */
static void cpuid_topo_caches(struct kvm_cpuid2 *c, u32 function, const struct x86_topo *x,
			      u32 cores_field)
{
	struct kvm_cpuid_entry2 *e;
	u32 i;

	cpuid_remove(c, function);
	for (i = 0; i <= ARRAY_SIZE(cpuid_caches); i++) {
		e = cpuid_entry(c, function, i, true);
		if (!e)
			return;
		if (i < ARRAY_SIZE(cpuid_caches))
			cpuid_topo_cache(e, &cpuid_caches[i],
					 cpuid_caches[i].per_llc ? x->llc_shift : x->smt_bits,
					 cores_field);
	}
}

/* 0BH / 1FH: SMT, core (up to the package), then an invalid level that ends the list. */
static void cpuid_topo_levels(struct kvm_cpuid2 *c, u32 function, const struct x86_topo *x,
			      u32 threads, u32 pkg_cpus, u32 apic_id)
{
	const u32 shift[] = {x->smt_bits, x->pkg_shift, 0};
	const u32 count[] = {threads, pkg_cpus, 0};
	const u32 type[] = {CPUID_LEVEL_SMT, CPUID_LEVEL_CORE, 0};
	struct kvm_cpuid_entry2 *e;

	cpuid_remove(c, function);
	for (u32 i = 0; i < ARRAY_SIZE(shift); i++) {
		e = cpuid_entry(c, function, i, true);
		if (!e)
			return;
		e->eax = shift[i];
		e->ebx = count[i];
		e->ecx = type[i] << 8 | i;
		e->edx = apic_id;
	}
}

/* Associativity code of 80000006H ECX/EDX[15:12] (AMD APM 3, E.4.5). */
static u32 cpuid_topo_amd_assoc(u32 ways)
{
	static const u8 code[][2] = {{1, 1},   {2, 2},	 {4, 4},   {8, 6},   {16, 8},
				     {32, 10}, {48, 11}, {64, 12}, {96, 13}, {128, 14}};

	for (u32 i = 0; i < ARRAY_SIZE(code); i++)
		if (code[i][0] == ways)
			return code[i][1];
	return 15; /* fully associative */
}

/* 80000005H ECX/EDX (L1d, L1i) and 80000006H ECX (L2), EDX (L3), AMD APM 3, E.4.4-5. */
static u32 cpuid_topo_amd_l1(const struct cpuid_cache *k)
{
	return k->size_kib << 24 | k->ways << 16 | 1u << 8 | CPUID_CACHE_LINE;
}

static void cpuid_topo_amd(struct kvm_cpuid2 *c, const struct topology *t, const struct x86_topo *x,
			   u32 cpu, u32 apic_id, u32 pkg_cpus)
{
	const struct cpuid_cache *l2 = &cpuid_caches[2], *l3 = &cpuid_caches[3];
	struct kvm_cpuid_entry2 *e, *max = cpuid_find(c, 0x80000000, 0);
	u32 lpn = topology_llcs_per_node(t);
	struct topo_cpu p;

	/* Without 80000008H (address sizes) a higher maximum leaf would report zeros there. */
	if (!max || !cpuid_find(c, 0x80000008, 0))
		return;
	max->eax = MAX(max->eax, 0x8000001eu);
	topology_cpu(t, cpu, &p);

	e = cpuid_find(c, 0x80000001, 0);
	if (e) {
		e->ecx |= CPUID_80000001_ECX_TOPOX;
		/* Set for multi-threaded packages, as QEMU does; Linux ignores it with TOPOEXT. */
		if (pkg_cpus > 1)
			e->ecx |= CPUID_80000001_ECX_CMP;
		else
			e->ecx &= ~CPUID_80000001_ECX_CMP;
	}
	e = cpuid_entry(c, 0x80000005, 0, false);
	if (e) {
		e->ecx = cpuid_topo_amd_l1(&cpuid_caches[0]);
		e->edx = cpuid_topo_amd_l1(&cpuid_caches[1]);
	}
	e = cpuid_entry(c, 0x80000006, 0, false);
	if (e) {
		e->ecx = l2->size_kib << 16 | cpuid_topo_amd_assoc(l2->ways) << 12 | 1u << 8 |
			 CPUID_CACHE_LINE;
		e->edx = (l3->size_kib / 512) << 18 | cpuid_topo_amd_assoc(l3->ways) << 12 |
			 1u << 8 | CPUID_CACHE_LINE;
	}
	e = cpuid_find(c, 0x80000008, 0);
	/* ECX[7:0] NC: threads in the package - 1; [15:12] ApicIdSize: their ID bits. */
	e->ecx = (e->ecx & ~0xf0ffu) | x->pkg_shift << 12 | (pkg_cpus - 1);

	cpuid_topo_caches(c, 0x8000001d, x, 0);

	cpuid_remove(c, 0x8000001e);
	e = cpuid_entry(c, 0x8000001e, 0, false);
	if (e) {
		e->eax = apic_id;
		/* EBX[15:8] threads per core - 1, [7:0] core ID within the package. */
		e->ebx = (t->threads - 1) << 8 |
			 ((apic_id & ((1u << x->pkg_shift) - 1)) >> x->smt_bits & 0xff);
		/* ECX[10:8] nodes per package - 1 (3 bits), [7:0] NodeId: the LLC. */
		e->ecx = (MIN(lpn, 8u) - 1) << 8 | (p.llc & 0xff);
		e->edx = 0;
	}
}

/* "AuthenticAMD" and "HygonGenuine" take Linux's AMD topology paths. */
static bool cpuid_topo_is_amd(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 0, 0);

	return e && ((!memcmp(&e->ebx, "Auth", 4) && !memcmp(&e->ecx, "cAMD", 4)) ||
		     (!memcmp(&e->ebx, "Hygo", 4) && !memcmp(&e->ecx, "uine", 4)));
}

void cpuid_topo_apply(struct kvm_cpuid2 *c, const struct topology *t, u32 cpu)
{
	u32 apic_id = x86_topo_apic_id(t, cpu), pkg_cpus = topology_node_nr_cpus(t, 0);
	struct kvm_cpuid_entry2 *e;
	struct x86_topo x;

	x86_topo_init(&x, t);
	e = cpuid_find(c, 1, 0);
	if (e) {
		/* Addressable IDs, as 8 bits can say it: 255 still gives Linux order 8. */
		e->ebx = (e->ebx & 0xffffu) | MIN(1u << x.pkg_shift, 255u) << 16 | apic_id << 24;
		if (pkg_cpus > 1)
			e->edx |= CPUID_1_EDX_HTT;
		else
			e->edx &= ~CPUID_1_EDX_HTT;
	}
	e = cpuid_find(c, 0, 0);
	if (e) {
		e->eax = MAX(e->eax, 0xbu);
		if (e->eax >= 0x1f)
			cpuid_topo_levels(c, 0x1f, &x, t->threads, pkg_cpus, apic_id);
	}
	cpuid_topo_levels(c, 0xb, &x, t->threads, pkg_cpus, apic_id);
	if (cpuid_topo_is_amd(c)) {
		cpuid_topo_amd(c, t, &x, cpu, apic_id, pkg_cpus);
		return;
	}
	/* 04H EAX[31:26]: addressable core IDs in the package - 1 (6 bits). */
	cpuid_topo_caches(c, 4, &x, MIN((1u << (x.pkg_shift - x.smt_bits)) - 1, 63u));
}
