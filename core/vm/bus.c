// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "core/vm/bus.h"
#include "core/base/error.h"

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

static bool bus_overlaps(const struct bus_region *a, const struct bus_region *b)
{
	return a->base < b->base + b->len && b->base < a->base + a->len;
}

int bus_register(struct bus *bus, struct bus_region *r)
{
	u32 i;

	if (!r->len || r->base + r->len < r->base)
		return error_host(-EINVAL, "%s bus: region %s has a bad range", bus->name, r->name);
	if (bus->nr == BUS_MAX_REGIONS)
		return error_host(-ENOSPC, "%s bus: no room for region %s", bus->name, r->name);
	for (i = 0; i < bus->nr; i++) {
		if (bus_overlaps(bus->regions[i], r))
			return error_host(-EEXIST, "%s bus: region %s [0x%llx+0x%llx] overlaps %s",
					  bus->name, r->name, (unsigned long long)r->base,
					  (unsigned long long)r->len, bus->regions[i]->name);
	}
	for (i = bus->nr; i > 0 && bus->regions[i - 1]->base > r->base; i--)
		bus->regions[i] = bus->regions[i - 1];
	bus->regions[i] = r;
	bus->nr++;
	return 0;
}

void bus_unregister(struct bus *bus, struct bus_region *r)
{
	u32 i;

	for (i = 0; i < bus->nr; i++) {
		if (bus->regions[i] == r) {
			memmove(&bus->regions[i], &bus->regions[i + 1],
				(bus->nr - i - 1) * sizeof(bus->regions[0]));
			bus->nr--;
			return;
		}
	}
}

struct bus_region *bus_find(struct bus *bus, u64 addr, u32 len)
{
	u32 lo = 0, hi = bus->nr;

	/* Binary search for the last region whose base <= addr. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (bus->regions[mid]->base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	struct bus_region *r = bus->regions[lo - 1];
	if (addr - r->base >= r->len || len > r->len - (addr - r->base))
		return NULL;
	return r;
}

bool bus_dispatch(struct bus *bus, struct vcpu *vcpu, u64 addr, u8 *data, u32 len, bool is_write)
{
	struct bus_region *r;

	if (len == 0 || len > 8)
		return false;
	r = bus_find(bus, addr, len);
	if (!r) {
		atomic_fetch_add_explicit(&bus->unclaimed, 1, memory_order_relaxed);
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	atomic_fetch_add_explicit(&r->hits, 1, memory_order_relaxed);
	r->access(r, vcpu, addr - r->base, data, len, is_write);
	return true;
}
