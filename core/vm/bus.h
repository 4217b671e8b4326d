/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device bus: dispatches guest port-I/O and MMIO accesses to devices.
 *
 * A device embeds a struct bus_region and recovers itself with container_of()
 * in its access callback. Regions are registered during setup, before any
 * vCPU runs; the bus is read-only afterwards, so dispatch takes no lock.
 * Devices serialise their own state.
 *
 * Each region counts the accesses dispatched to it (one per KVM exit that
 * reached it; QueueNotify writes KVM delivers to an ioeventfd never come
 * here), and the bus counts those no region claimed: the per-device exit
 * profile of a run (vm_result.sites).
 */
#ifndef KTVM_CORE_BUS_H
#define KTVM_CORE_BUS_H

#include <stdatomic.h>

#include "core/base/types.h"

struct vcpu;
struct bus_region;

/*
 * off is relative to region->base; data holds len bytes (1..8) in guest byte
 * order (little-endian on both arches). For a read the callback fills data.
 */
typedef void (*bus_access_fn)(struct bus_region *r, struct vcpu *vcpu, u64 off, u8 *data, u32 len,
			      bool is_write);

struct bus_region {
	const char *name;
	u64 base;
	u64 len;
	bus_access_fn access;
	atomic_ullong hits; /* accesses dispatched to it, all vCPUs */
};

#define BUS_MAX_REGIONS 64

struct bus {
	const char *name;			     /* "pio" or "mmio", for messages */
	struct bus_region *regions[BUS_MAX_REGIONS]; /* sorted by base */
	u32 nr;
	atomic_ullong unclaimed; /* accesses no region took */
};

void bus_init(struct bus *bus, const char *name);
/* -EEXIST if it overlaps a registered region, -ENOSPC if the bus is full. */
int bus_register(struct bus *bus, struct bus_region *r);
void bus_unregister(struct bus *bus, struct bus_region *r);
struct bus_region *bus_find(struct bus *bus, u64 addr, u32 len);
/* false when no region covers [addr, addr+len): reads then see all ones. */
bool bus_dispatch(struct bus *bus, struct vcpu *vcpu, u64 addr, u8 *data, u32 len, bool is_write);

#endif
