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

#include "core/vm/topology.h"
#include "core/base/types.h"
#include "ktvm-arch.h"

/* The GIC's phandle: the root's interrupt-parent, so every device's. */
#define A64_FDT_PHANDLE_GIC 1
/* Phandles of vCPU n's cpu node, core n's L2 and LLC n's L3 cache node (n machine-wide). */
#define A64_FDT_PHANDLE_CPU(n) (0x100 + (n))
#define A64_FDT_PHANDLE_L2(n)  (0x200 + (n))
#define A64_FDT_PHANDLE_L3(n)  (0x300 + (n))

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
	 * The guest topology (core/vm/topology.h, finished), nr_cpus vCPUs in
	 * its numbering: cpu-map, cache nodes, and with more than one node
	 * the NUMA nodes, whose memory then sums to ram_size.
	 */
	const struct topology *topo;
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
 * A buffer for any tree of up to ARCH_MAX_VCPUS vCPUs: at most about 600
 * bytes per vCPU (its cpu node, its share of the cache nodes and cpu-map),
 * the rest, 16 NUMA nodes and a full command line in the 64 KiB.
 */
#define A64_FDT_BUF_SIZE (64 * KiB + 1024 * ARCH_MAX_VCPUS)

/*
 * Write the DTB for d into buf (size bytes; booting.rst allows a DTB 2 MiB).
 * Returns its total size, or, with the error set: -EINVAL (d is
 * inconsistent: vCPU count, MPIDRs, topology, GIC, SPIs, initrd outside RAM),
 * -ENOSPC (buf is too small), -EIO (libfdt refused the tree).
 */
int a64_fdt_build(const struct a64_fdt_desc *d, void *buf, size_t size);

#endif
