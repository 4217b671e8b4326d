/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flattened device tree an arm64 kernel boots with (booting.rst: x0
 * holds its address). Pure data in, DTB out: the builder knows the
 * bindings, not the memory map, so it is unit-tested without KVM. The boot
 * code fills a struct a64_fdt_desc from the VM (layout.h, the vCPUs' MPIDRs,
 * the device registry) once every device exists. The arch-neutral nodes are
 * core/fw/dtree.c's; the GIC, timer, PSCI and cpu node specifics are here.
 */
#ifndef KTVM_ARCH_AARCH64_FDT_H
#define KTVM_ARCH_AARCH64_FDT_H

#include <stddef.h>

#include "core/base/types.h"
#include "core/fw/dtree.h"
#include "ktvm-arch.h"

/* The GIC's phandle: the root's interrupt-parent, so every device's. */
#define A64_FDT_PHANDLE_GIC 1

/*
 * The arch-neutral description (core/fw/dtree.h; its arch is set by
 * a64_fdt_build()) and what only arm64 has. Interrupt lines in dt are SPI
 * indexes (GIC INTID - 32), as in layout.h.
 */
struct a64_fdt_desc {
	struct dtree_desc dt;
	/*
	 * dt.nr_cpus MPIDR_EL1 values, in vCPU order: cpu nodes' reg. Only
	 * the affinity fields (Aff3, Aff2..Aff0) are kept; they must be
	 * distinct.
	 */
	const u64 *mpidr;
	/*
	 * The architected timer's PPIs (INTID - 16), in the binding's order:
	 * secure, non-secure, virtual, hypervisor; distinct, < 16.
	 */
	u32 timer_ppi[4];
	/* GICv3: one distributor, one redistributor region (128 KiB per vCPU). */
	u64 gicd_base, gicd_size;
	u64 gicr_base, gicr_size;
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
 * -E2BIG (the command line is too long), -ENOSPC (buf is too small), -EIO
 * (libfdt refused the tree).
 */
int a64_fdt_build(const struct a64_fdt_desc *d, void *buf, size_t size);

#endif
