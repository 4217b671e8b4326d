/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest CPUID: what KVM supports (KVM_GET_SUPPORTED_CPUID), plus the
 * hypervisor bit and KVM's paravirtual leaves, with per-vCPU APIC IDs.
 * Without the hypervisor bit a guest does not look for kvmclock and hangs
 * calibrating the TSC (shared/notes/nested-kvm.md).
 */
#ifndef KTVM_ARCH_X86_64_CPUID_H
#define KTVM_ARCH_X86_64_CPUID_H

#include <linux/kvm.h>

#include "core/types.h"

#define CPUID_MAX_ENTRIES 256

#define CPUID_1_ECX_HYPERVISOR	 (1u << 31)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_KVM_SIGNATURE	 0x40000000
#define CPUID_KVM_FEATURES	 0x40000001

/* Allocates *out (caller frees), with room for CPUID_MAX_ENTRIES entries. */
int cpuid_get_supported(int kvm_fd, struct kvm_cpuid2 **out);
/*
 * Adjust a copy of the supported table for one vCPU. The table must have
 * room for CPUID_MAX_ENTRIES (leaves may be added).
 */
void cpuid_for_vcpu(struct kvm_cpuid2 *c, u32 apic_id, u32 nr_cpus);
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

#endif
