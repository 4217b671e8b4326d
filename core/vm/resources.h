/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One allocator for guest MMIO windows and interrupt lines, and the registry
 * of devices that got them. Devices take their resources here while they are
 * set up; once all exist, the arch describes them to the guest from this one
 * list (x86: ACPI DSDT and the kernel command line; aarch64: the FDT), so the
 * descriptions cannot disagree.
 */
#ifndef KTVM_CORE_RESOURCES_H
#define KTVM_CORE_RESOURCES_H

#include "core/base/types.h"

struct cmdline;

#define RESOURCES_MAX_DEVICES 32

enum resource_device_kind {
	RESOURCE_VIRTIO_MMIO,
};

struct resource_device {
	const char *name; /* for messages: "virtio-console" */
	enum resource_device_kind kind;
	u64 base, size; /* MMIO window */
	u32 irq;	/* GSI on x86, SPI number on aarch64 */
};

struct resources {
	u64 mmio_start, mmio_next, mmio_end;
	u32 irq_first, irq_next, irq_end;
	struct resource_device devs[RESOURCES_MAX_DEVICES];
	u32 nr_devs;
};

/* The arch's windows: MMIO [mmio_base, mmio_base+mmio_size), IRQs [irq_first, +irq_count). */
void resources_init(struct resources *r, u64 mmio_base, u64 mmio_size, u32 irq_first,
		    u32 irq_count);
/* size > 0; align a power of two. -ENOSPC (error set) when the window is full. */
int resources_alloc_mmio(struct resources *r, const char *who, u64 size, u64 align, u64 *base);
int resources_alloc_irq(struct resources *r, const char *who, u32 *irq);
int resources_add_device(struct resources *r, const struct resource_device *d);
/*
 * For kernels built with CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES: one
 * "virtio_mmio.device=<size>@<base>:<irq>" per virtio-mmio device
 * (Documentation/admin-guide/kernel-parameters.txt).
 */
void resources_virtio_cmdline(const struct resources *r, struct cmdline *cl);

#endif
