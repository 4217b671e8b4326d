/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest CPUID: what KVM supports (KVM_GET_SUPPORTED_CPUID), plus the
 * hypervisor bit and KVM's paravirtual leaves, with per-vCPU APIC IDs and
 * the leaves that describe the topology (cpuid_topo.c).
 * Without the hypervisor bit a guest does not look for kvmclock and hangs
 * calibrating the TSC (shared/notes/nested-kvm.md).
 */
#ifndef KTVM_ARCH_X86_64_CPUID_H
#define KTVM_ARCH_X86_64_CPUID_H

#include <linux/kvm.h>

#include "core/vm/topology.h"
#include "core/base/types.h"

#define CPUID_MAX_ENTRIES 256
/* Room left after KVM's entries for the leaves ktvm adds. */
#define CPUID_HEADROOM 32

#define CPUID_1_ECX_HYPERVISOR	 (1u << 31)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_KVM_SIGNATURE	 0x40000000
#define CPUID_KVM_FEATURES	 0x40000001

/* Allocates *out (caller frees), with room for CPUID_MAX_ENTRIES entries. */
int cpuid_get_supported(int kvm_fd, struct kvm_cpuid2 **out);
/*
 * Adjust a copy of the supported table for vCPU cpu of topology t. The
 * table must have room for CPUID_MAX_ENTRIES (leaves may be added).
 */
void cpuid_for_vcpu(struct kvm_cpuid2 *c, const struct topology *t, u32 cpu);
/*
 * KVM emulates the TSC-deadline LAPIC timer (KVM_CAP_TSC_DEADLINE_TIMER)
 * but leaves the CPUID bit to userspace. Without it the guest calibrates
 * the LAPIC timer against the PIT, which under nested emulation fails
 * ("APIC timer disabled due to verification failure") and leaves the
 * guest without a working tick.
 */
void cpuid_set_tsc_deadline(struct kvm_cpuid2 *c);
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, u32 function, u32 index);
/* A copy of src sized for CPUID_MAX_ENTRIES; NULL on allocation failure. */
struct kvm_cpuid2 *cpuid_dup(const struct kvm_cpuid2 *src);
/*
 * The entry for (function, index), added zeroed if missing; NULL if the
 * table is full. indexed: the function has subleaves (the index counts).
 */
struct kvm_cpuid_entry2 *cpuid_entry(struct kvm_cpuid2 *c, u32 function, u32 index, bool indexed);
/* Drop every entry of function. */
void cpuid_remove(struct kvm_cpuid2 *c, u32 function);

/*
 * The topology leaves of vCPU cpu (cpuid_topo.c): leaf 1's APIC ID and
 * count, 04H caches (Intel), 0BH and 1FH levels, and for AMD 80000001H
 * TOPOEXT, 80000005H/6H caches, 80000008H, 8000001DH caches and 8000001EH.
 */
void cpuid_topo_apply(struct kvm_cpuid2 *c, const struct topology *t, u32 cpu);

/*
 * vm->arch.cpuid, asked of KVM through vm->kvm_fd unless arch_kvm_prefetch()
 * got it: 0, or a negative errno with a message (kvm.c).
 */
struct vm;
int x86_cpuid_collect(struct vm *vm);

#endif
