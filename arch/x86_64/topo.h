/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 view of the guest topology (core/vm/topology.h): APIC IDs.
 *
 * A vCPU's APIC ID spells its place, one bit field per level, each as wide
 * as its count needs (topology_bits()):
 *
 *   apic_id = pkg << pkg_shift | llc << llc_shift | core << smt_bits | thread
 *
 * pkg is the vCPU's node (on x86 a node with CPUs is one package) and llc
 * the LLC's index within the node. Every level is thus an aligned
 * power-of-two block of IDs, which is what CPUID describes: leaves 0BH/1FH
 * give the shifts (Intel SDM 2A, CPUID leaf 0BH), leaves 04H/8000001DH the
 * number of IDs sharing each cache, and Linux takes SMT siblings, cores,
 * LLCs and packages from those (arch/x86/kernel/cpu/topology*.c,
 * cacheinfo.c). Counts that are not powers of two leave holes in the ID
 * space. The default 1,1,N,1 topology gives APIC ID = vCPU index.
 */
#ifndef KTVM_ARCH_X86_64_TOPO_H
#define KTVM_ARCH_X86_64_TOPO_H

#include "core/vm/topology.h"
#include "core/base/types.h"

/* xAPIC IDs are 8 bits and 0xff addresses every local APIC (Intel SDM 3A 10.6.2.1). */
#define X86_APIC_ID_BROADCAST 0xff

struct x86_topo {
	u32 smt_bits, core_bits, llc_bits; /* field widths */
	u32 llc_shift;			   /* smt_bits + core_bits */
	u32 pkg_shift;			   /* llc_shift + llc_bits: ID bits inside a package */
};

void x86_topo_init(struct x86_topo *x, const struct topology *t);
u32 x86_topo_apic_id(const struct topology *t, u32 cpu);
/* The largest APIC ID: the last vCPU's (IDs grow with the vCPU index). */
u32 x86_topo_max_apic_id(const struct topology *t);
/*
 * The firmware tables list xAPIC IDs (8 bits, 0xff broadcast) and put the
 * IOAPIC's ID after the last CPU's: refuse a topology whose IDs do not fit,
 * with an input error naming it.
 */
int x86_topo_check(const struct topology *t);

#endif
