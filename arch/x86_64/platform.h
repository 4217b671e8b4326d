/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the x86 firmware tables (MP table, ACPI) describe. Filled once from
 * the VM's configuration; the table builders read only this, and write into
 * a plain buffer, so they can be unit-tested without KVM.
 */
#ifndef KTVM_ARCH_X86_64_PLATFORM_H
#define KTVM_ARCH_X86_64_PLATFORM_H

#include "core/vm/topology.h"
#include "core/base/types.h"
#include "ktvm-arch.h"

/*
 * A virtio-mmio transport window. The DSDT announces each as a Device with
 * _HID "LNRO0005" (the ID Linux's virtio_mmio driver matches), _UID = its
 * index here, and a _CRS of Memory32Fixed(base, size) plus one edge-triggered,
 * active-high Interrupt(gsi). Filled from the device registry once all
 * devices exist, before the tables are built.
 */
struct x86_virtio_mmio {
	u64 base; /* below 4 GiB: Memory32Fixed */
	u32 size;
	u32 gsi; /* IOAPIC pin, < ioapic_pins */
};

#define X86_MAX_VIRTIO_MMIO 64

struct x86_platform {
	u32 nr_cpus;
	u32 apic_id[ARCH_MAX_VCPUS]; /* in vCPU order: the guest's CPU numbering */
	/*
	 * NUMA nodes, vCPU placement and memory: with more than one node the
	 * tables get an SRAT and a SLIT. NULL: no NUMA description.
	 */
	const struct topology *topo;
	u8 ioapic_id;	 /* after the last APIC ID */
	u32 ioapic_pins; /* KVM's in-kernel IOAPIC has 24 */
	u32 nr_virtio_mmio;
	struct x86_virtio_mmio virtio_mmio[X86_MAX_VIRTIO_MMIO];
};

/* apic_id[i] = i, the IOAPIC after the last CPU, no virtio-mmio devices yet. */
void x86_platform_init(struct x86_platform *p, u32 nr_cpus);
/*
 * The same for topology t (kept by pointer): its vCPUs with their APIC IDs
 * (topo.h), the IOAPIC after the largest. t's default 1,1,N,1 shape gives
 * what x86_platform_init(p, N) gives, plus t.
 */
void x86_platform_init_topology(struct x86_platform *p, const struct topology *t);
/*
 * Check what the table builders rely on: 1..ARCH_MAX_VCPUS CPUs with
 * distinct 8-bit APIC IDs (0xff is the broadcast ID), an IOAPIC ID distinct
 * from them, at least the 16 ISA pins, virtio-mmio windows below 4 GiB
 * on existing pins, and a topology (if any) with nr_cpus vCPUs and at most
 * TOPO_MAX_NODES nodes. Returns 0 or -EINVAL with the error set.
 */
int x86_platform_check(const struct x86_platform *p);

struct vm;
/* Drive GSI irq through the in-kernel IOAPIC, level-style: 1 asserts, 0 deasserts. 0 or -errno. */
int x86_irq_line(struct vm *vm, u32 irq, bool level);

#endif
