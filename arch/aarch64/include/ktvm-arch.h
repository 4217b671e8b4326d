/* SPDX-License-Identifier: GPL-2.0 */
/* aarch64 state embedded in the core's struct vm and struct vcpu. */
#ifndef KTVM_ARCH_AARCH64_H
#define KTVM_ARCH_AARCH64_H

#include "arch/aarch64/debugreg.h"
#include "core/base/types.h"

/* GICv3 redistributors are 128 KiB each; 123 fit in the window (layout.h). */
#define ARCH_MAX_VCPUS 123
/*
 * No virtio_mmio.device= on the command line: the device tree describes the
 * devices, and the parameter's irq would be a Linux IRQ number, not an SPI.
 */

struct a64_devices;

struct arch_vm {
	u64 text_offset; /* from the Image header */
	u64 image_size;	 /* from the Image header */
	u64 entry;	 /* guest-physical address the boot vCPU starts at */
	u64 fdt_gpa;	 /* the device tree, passed in x0 */
	int gic_fd;	 /* the in-kernel GICv3 (KVM_CREATE_DEVICE), -1: none */
	struct a64_devices *devs;
	bool clidr_set; /* every vCPU gets A64_TOPO_CLIDR (vcpu.c) */
};

struct arch_vcpu {
	u64 mpidr; /* affinity fields, as in the device tree */
	/*
	 * Watchpoints (arch/aarch64/watch.c): the addresses programmed, the
	 * slots wanted, the slot being stepped over (-1: none) and the pc of
	 * its store.
	 */
	u64 wp_addr[4];
	struct a64_stepover wp_step;
	u64 wp_pc;
	u64 wp_fired[4]; /* the stepped slots' addresses when they fired */
	u32 wp_report;	 /* stepped slots the FAR named (the others: unexplained) */
};

#endif
