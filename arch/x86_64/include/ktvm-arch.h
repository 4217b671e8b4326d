/* SPDX-License-Identifier: GPL-2.0 */
/* x86_64 state embedded in the core's struct vm and struct vcpu. */
#ifndef KTVM_ARCH_X86_64_H
#define KTVM_ARCH_X86_64_H

#include <pthread.h>

#include "core/base/types.h"

#define ARCH_MAX_VCPUS 240
/*
 * Describe ktvm's virtio-mmio devices on the kernel command line too
 * (virtio_mmio.device=, for kernels with CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES
 * and no ACPI): its irq is a GSI, which is what Linux expects on x86.
 */

struct kvm_cpuid2;
struct x86_devices;

enum x86_entry {
	X86_ENTRY_BZIMAGE_64, /* 64-bit boot protocol entry, rsi = zero page */
	X86_ENTRY_PVH,	      /* PVH: 32-bit protected mode, ebx = hvm_start_info */
};

struct arch_vm {
	enum x86_entry entry;
	u64 entry_addr;
	u64 boot_info_gpa;	  /* zero page (bzImage) or hvm_start_info (PVH) */
	/*
	 * KVM_GET_SUPPORTED_CPUID (arch_kvm_prefetch(), else vCPU 0's
	 * arch_vcpu_init()), adjusted per vCPU; freed by arch_kvm_prefetch_end()
	 */
	struct kvm_cpuid2 *cpuid;
	struct x86_devices *devs;
};

struct arch_vcpu {
	u32 apic_id; /* also its KVM vcpu_id (arch_vcpu_kvm_id()) */
	/* Watchpoints (debug.c): what DR0-DR3/DR7 were last programmed with. */
	u64 dr_addr[4];
	u32 dr_mask;
};

#endif
