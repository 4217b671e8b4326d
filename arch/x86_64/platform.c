// SPDX-License-Identifier: GPL-2.0
/* The platform description the x86 firmware tables are built from. */
#include <errno.h>
#include <string.h>

#include "arch/x86_64/layout.h"
#include "arch/x86_64/platform.h"
#include "arch/x86_64/topo.h"
#include "core/base/error.h"

/* ISA IRQs 0-15 are identity-mapped onto the first IOAPIC pins (IRQ0 on pin 2). */
#define X86_ISA_IRQS 16

void x86_platform_init(struct x86_platform *p, u32 nr_cpus)
{
	u32 i;

	memset(p, 0, sizeof(*p));
	/* Keep an out-of-range count so x86_platform_check() can name it. */
	p->nr_cpus = nr_cpus;
	for (i = 0; i < MIN(nr_cpus, (u32)ARCH_MAX_VCPUS); i++)
		p->apic_id[i] = i;
	p->ioapic_id = (u8)MIN(nr_cpus, (u32)ARCH_MAX_VCPUS);
	p->ioapic_pins = 24;
}

void x86_platform_init_topology(struct x86_platform *p, const struct topology *t)
{
	u32 i, n = topology_nr_cpus(t);

	x86_platform_init(p, n);
	p->topo = t;
	for (i = 0; i < MIN(n, (u32)ARCH_MAX_VCPUS); i++)
		p->apic_id[i] = x86_topo_apic_id(t, i);
	/* IDs grow with the index; x86_platform_check() refuses 0xff and up. */
	if (n)
		p->ioapic_id = (u8)MIN(p->apic_id[MIN(n, (u32)ARCH_MAX_VCPUS) - 1] + 1, 0xffu);
}

static int x86_platform_check_topo(const struct x86_platform *p)
{
	const struct topology *t = p->topo;

	if (!t)
		return 0;
	if (topology_nr_cpus(t) != p->nr_cpus)
		return error_host(-EINVAL, "platform: the topology has %u vCPUs, the platform %u",
				  topology_nr_cpus(t), p->nr_cpus);
	if (!t->nodes || t->nodes > t->nr_nodes || t->nr_nodes > TOPO_MAX_NODES)
		return error_host(-EINVAL, "platform: %u nodes with CPUs of %u (at most %u)",
				  t->nodes, t->nr_nodes, TOPO_MAX_NODES);
	return 0;
}

static int x86_platform_check_mmio(const struct x86_platform *p)
{
	const struct x86_virtio_mmio *d;
	u32 i;

	if (p->nr_virtio_mmio > X86_MAX_VIRTIO_MMIO)
		return error_host(-EINVAL, "platform: %u virtio-mmio devices, at most %u",
				  p->nr_virtio_mmio, X86_MAX_VIRTIO_MMIO);
	for (i = 0; i < p->nr_virtio_mmio; i++) {
		d = &p->virtio_mmio[i];
		if (!d->size || d->base >= X86_4G || d->size > X86_4G - d->base)
			return error_host(
			    -EINVAL,
			    "platform: virtio-mmio %u window 0x%llx+0x%x is not below 4 GiB", i,
			    (unsigned long long)d->base, d->size);
		if (d->gsi < X86_ISA_IRQS || d->gsi >= p->ioapic_pins)
			return error_host(
			    -EINVAL,
			    "platform: virtio-mmio %u GSI %u is not a free IOAPIC pin "
			    "(%u..%u)",
			    i, d->gsi, X86_ISA_IRQS, p->ioapic_pins - 1);
	}
	return 0;
}

int x86_platform_check(const struct x86_platform *p)
{
	u8 seen[256 / 8] = {0};
	u32 i, id;
	int ret;

	if (!p->nr_cpus || p->nr_cpus > ARCH_MAX_VCPUS)
		return error_input(-EINVAL, "%u vCPUs: the x86 firmware tables describe 1 to %u",
				   p->nr_cpus, ARCH_MAX_VCPUS);
	for (i = 0; i <= p->nr_cpus; i++) {
		id = i < p->nr_cpus ? p->apic_id[i] : p->ioapic_id;
		if (id >= X86_APIC_ID_BROADCAST)
			return error_host(-EINVAL,
					  "platform: APIC ID %u does not fit xAPIC (< 255)", id);
		if (seen[id / 8] & (1u << (id % 8)))
			return error_host(-EINVAL, "platform: APIC ID %u is used twice", id);
		seen[id / 8] |= (u8)(1u << (id % 8));
	}
	if (p->ioapic_pins < X86_ISA_IRQS || p->ioapic_pins > 256)
		return error_host(-EINVAL, "platform: IOAPIC with %u pins (need 16..256)",
				  p->ioapic_pins);
	ret = x86_platform_check_topo(p);
	if (ret < 0)
		return ret;
	return x86_platform_check_mmio(p);
}
