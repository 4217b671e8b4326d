/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flattened device tree an arm64 kernel boots with (booting.rst: x0
 * holds its address). Pure data in, DTB out: the builder knows the
 * bindings, not the memory map, so it is unit-tested without KVM. The boot
 * code fills a struct a64_fdt_desc from the VM (layout.h, the vCPUs' MPIDRs,
 * the device registry) once every device exists.
 */
#ifndef KTVM_ARCH_AARCH64_FDT_H
#define KTVM_ARCH_AARCH64_FDT_H

#include <stddef.h>

#include "core/types.h"

/* The GIC's phandle: the root's interrupt-parent, so every device's. */
#define A64_FDT_PHANDLE_GIC 1

/* A virtio-mmio transport window and its edge-triggered SPI. */
struct a64_fdt_virtio {
	u64 base, size;
	u32 spi; /* SPI index (GIC INTID - 32), as in layout.h */
};

struct a64_fdt_desc {
	u64 ram_base, ram_size;
	/*
	 * nr_cpus MPIDR_EL1 values, in vCPU order: cpu nodes' reg. Only the
	 * affinity fields (Aff3, Aff2..Aff0) are kept; they must be distinct.
	 */
	u32 nr_cpus;
	const u64 *mpidr;
	/*
	 * The architected timer's PPIs (INTID - 16), in the binding's order:
	 * secure, non-secure, virtual, hypervisor; distinct, < 16.
	 */
	u32 timer_ppi[4];
	/* GICv3: one distributor, one redistributor region (128 KiB per vCPU). */
	u64 gicd_base, gicd_size;
	u64 gicr_base, gicr_size;
	/* Two 16550A UARTs, serial0 and serial1 in /aliases; level-high SPIs. */
	u64 uart_base[2], uart_size;
	u32 uart_spi[2];
	u32 uart_clock; /* Hz, the 16550's input clock */
	const struct a64_fdt_virtio *virtio;
	u32 nr_virtio;
	const char *bootargs;	      /* NULL: "" */
	u64 initrd_start, initrd_end; /* guest-physical, end exclusive; 0, 0: no initrd */
	const char *stdout_path;      /* e.g. "serial0:115200n8"; NULL: none */
};

/*
 * Write the DTB for d into buf (size bytes; booting.rst allows a DTB 2 MiB).
 * Returns its total size, or, with the error set: -EINVAL (d is
 * inconsistent: vCPU count, MPIDRs, GIC, SPIs, initrd outside RAM),
 * -ENOSPC (buf is too small), -EIO (libfdt refused the tree).
 */
int a64_fdt_build(const struct a64_fdt_desc *d, void *buf, size_t size);

#endif
