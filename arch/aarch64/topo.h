/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The aarch64 view of the guest topology (core/vm/topology.h): MPIDR_EL1.
 *
 * ARM DDI 0487, MPIDR_EL1: Aff3 [39:32], Aff2 [23:16], Aff1 [15:8],
 * Aff0 [7:0]; MT [24] says whether Aff0 counts threads, U [30] whether the
 * CPU is alone. Linux takes no topology from MPIDR once the device tree has
 * a cpu-map (arch/arm64/kernel/topology.c store_cpu_topology()), so the
 * layout is for the reader, the GIC and KVM:
 *
 *   Aff1 = the LLC (machine-wide), Aff0 = core * THREADS + thread
 *
 * when an LLC has at most 16 vCPUs: a GICv3 SGI reaches the CPUs of one
 * Aff3.Aff2.Aff1 group through the 16-bit TargetList of ICC_SGI1R_EL1
 * (ARM IHI 0069, ICC_SGI1R_EL1; RS = 0), Aff0 0..15 without range selectors, so an IPI to
 * an LLC's CPUs is one register write. Larger LLCs keep KVM's default,
 * which counts Aff0 0..15 then carries into Aff1. MT stays 0: Aff0 is not
 * a thread number in either layout.
 *
 * KVM gives a vCPU the MPIDR of its vcpu_id (arch/arm64/kvm/sys_regs.c
 * reset_mpidr(): Aff0 = id[3:0], Aff1 = id[11:4], Aff2 = id[19:12]) at
 * KVM_ARM_VCPU_INIT and again at every reset, PSCI CPU_ON included: before
 * Linux 6.11 a value written with KVM_SET_ONE_REG is lost when the guest
 * brings the vCPU up. So the vcpu_id is chosen to make KVM's own value the
 * layout's: id = Aff1 << 4 | Aff0. KVM takes ids below KVM_MAX_VCPUS (512,
 * the GICv3 limit, VGIC_V3_MAX_CPUS); a topology whose ids would pass that
 * keeps the default layout as well.
 */
#ifndef KTVM_ARCH_AARCH64_TOPO_H
#define KTVM_ARCH_AARCH64_TOPO_H

#include "core/vm/topology.h"
#include "core/base/types.h"

/* ICC_SGI1R_EL1.TargetList: one bit per Aff0 value 0..15. */
#define A64_TOPO_SGI_TARGETS 16
/* arm64 KVM_MAX_VCPUS (VGIC_V3_MAX_CPUS): KVM_CREATE_VCPU takes ids below it. */
#define A64_TOPO_KVM_IDS 512

/* KVM's MPIDR affinity for vcpu_id id (its reset value without RES1 bit 31). */
static inline u64 a64_mpidr(u32 id)
{
	return (u64)(id & 0x0f) | (u64)((id >> 4) & 0xff) << 8 | (u64)((id >> 12) & 0xff) << 16;
}

/* Whether t gets the LLC layout (Aff1 = LLC) rather than KVM's default. */
bool a64_topo_llc_layout(const struct topology *t);
/* The KVM vcpu_id of vCPU cpu: the id whose reset MPIDR is a64_topo_mpidr(). */
u32 a64_topo_kvm_id(const struct topology *t, u32 cpu);
/* vCPU cpu's MPIDR affinity, as the device tree's cpu nodes and PSCI name it. */
u64 a64_topo_mpidr(const struct topology *t, u32 cpu);

/*
 * CLIDR_EL1 that matches the device tree's caches (core/fw/dtree_topo.c): level 1
 * separate instruction and data, levels 2 and 3 unified (ARM DDI 0487,
 * CLIDR_EL1: Ctype<n> at [3n-1:3n-3], 0b011 separate, 0b100 unified;
 * LoUIS [23:21], LoC [26:24], LoUU [29:27]). LoC 3 and LoU 1 claim no
 * more than the hardware does: cleaning to the PoU and PoC stays needed.
 *
 * Linux builds a CPU's cache leaves from CLIDR's levels and types and then
 * walks the device tree's cache nodes along them (arch/arm64/kernel/
 * cacheinfo.c, drivers/base/cacheinfo.c cache_setup_of_node()). KVM since
 * Linux 6.3 gives a guest a made-up CLIDR from CTR_EL0 (sys_regs.c
 * reset_clidr()), with no cache at all when the host has CTR_EL0.IDC and
 * DIC (QEMU's -cpu max): a 6.1 guest then finds no cache hierarchy and
 * shows no caches, no LLC. Such a KVM takes this value from userspace,
 * though 6.3 to 6.9 lose it at a vCPU's reset (vcpu.c); older ones keep
 * the host's, which they refuse to change.
 */
#define A64_CTYPE_SEPARATE 0x3ULL
#define A64_CTYPE_UNIFIED  0x4ULL
#define A64_TOPO_CLIDR                                                                             \
	(A64_CTYPE_SEPARATE | A64_CTYPE_UNIFIED << 3 | A64_CTYPE_UNIFIED << 6 | 1ULL << 21 |       \
	 3ULL << 24 | 1ULL << 27)

#endif
