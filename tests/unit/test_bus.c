// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "core/vm/bus.h"
#include "tests/test.h"

struct fake_dev {
	struct bus_region region;
	u64 last_off;
	u32 last_len;
	u32 writes, reads;
	u8 value;
};

static void fake_access(struct bus_region *r, struct vcpu *v, u64 off, u8 *data, u32 len,
			bool is_write)
{
	struct fake_dev *d = container_of(r, struct fake_dev, region);

	(void)v;
	d->last_off = off;
	d->last_len = len;
	if (is_write) {
		d->writes++;
		d->value = data[0];
	} else {
		d->reads++;
		memset(data, d->value, len);
	}
}

#define FAKE(n, b, l)                                                                              \
	{                                                                                          \
		.region = {.name = n, .base = b, .len = l, .access = fake_access }                 \
	}

TEST(bus_dispatch_by_address)
{
	struct bus bus;
	struct fake_dev a = FAKE("a", 0x3f8, 8), b = FAKE("b", 0x2f8, 8), c = FAKE("c", 0x70, 2);
	u8 data[4] = {0x42};

	bus_init(&bus, "pio");
	ASSERT_EQ(bus_register(&bus, &a.region), 0);
	ASSERT_EQ(bus_register(&bus, &b.region), 0);
	ASSERT_EQ(bus_register(&bus, &c.region), 0);
	EXPECT_TRUE(bus_dispatch(&bus, NULL, 0x3fd, data, 1, true));
	EXPECT_EQ(a.writes, 1);
	EXPECT_EQ(a.last_off, 5);
	EXPECT_EQ(a.value, 0x42);
	EXPECT_TRUE(bus_dispatch(&bus, NULL, 0x71, data, 1, false));
	EXPECT_EQ(c.reads, 1);
	EXPECT_EQ(c.last_off, 1);
	EXPECT_EQ(b.reads + b.writes, 0);
}

TEST(bus_unclaimed_reads_ones)
{
	struct bus bus;
	struct fake_dev a = FAKE("a", 0x3f8, 8);
	u8 data[4] = {0};

	bus_init(&bus, "pio");
	ASSERT_EQ(bus_register(&bus, &a.region), 0);
	EXPECT_FALSE(bus_dispatch(&bus, NULL, 0x80, data, 4, false));
	EXPECT_EQ(data[0], 0xff);
	EXPECT_EQ(data[3], 0xff);
	/* An access straddling the region's end is not dispatched. */
	EXPECT_FALSE(bus_dispatch(&bus, NULL, 0x3ff, data, 2, false));
	EXPECT_FALSE(bus_dispatch(&bus, NULL, 0x3f8, data, 9, false));
	EXPECT_FALSE(bus_dispatch(&bus, NULL, 0x3f8, data, 0, false));
	EXPECT_EQ(a.reads, 0);
}

TEST(bus_overlap_refused)
{
	struct bus bus;
	struct fake_dev a = FAKE("a", 0x1000, 0x100), b = FAKE("b", 0x10ff, 0x10),
			c = FAKE("c", 0xf00, 0x101), d = FAKE("d", 0x1100, 0x10);

	bus_init(&bus, "mmio");
	ASSERT_EQ(bus_register(&bus, &a.region), 0);
	EXPECT_EQ(bus_register(&bus, &b.region), -EEXIST);
	EXPECT_EQ(bus_register(&bus, &c.region), -EEXIST);
	EXPECT_EQ(bus_register(&bus, &d.region), 0);
	bus_unregister(&bus, &a.region);
	EXPECT_EQ(bus.nr, 1);
	EXPECT_EQ(bus_register(&bus, &b.region), -EEXIST); /* still overlaps d */
	EXPECT_EQ(bus_register(&bus, &c.region), 0);
}

TEST(bus_full)
{
	static struct fake_dev devs[BUS_MAX_REGIONS + 1];
	struct bus bus;
	u32 i;

	bus_init(&bus, "mmio");
	for (i = 0; i <= BUS_MAX_REGIONS; i++) {
		devs[i].region.name = "x";
		devs[i].region.base = 0x1000 * (u64)(BUS_MAX_REGIONS - i); /* reverse order */
		devs[i].region.len = 0x100;
		devs[i].region.access = fake_access;
		if (i < BUS_MAX_REGIONS)
			ASSERT_EQ(bus_register(&bus, &devs[i].region), 0);
		else
			EXPECT_EQ(bus_register(&bus, &devs[i].region), -ENOSPC);
	}
	for (i = 1; i < bus.nr; i++)
		EXPECT_LT(bus.regions[i - 1]->base, bus.regions[i]->base);
	EXPECT_TRUE(bus_find(&bus, 0x5080, 1) == &devs[BUS_MAX_REGIONS - 5].region);
}

/* The exit profile: each region counts what it took, the bus what nobody took. */
TEST(bus_counts_accesses)
{
	struct bus bus;
	struct fake_dev a = FAKE("a", 0x3f8, 8), c = FAKE("c", 0x70, 2);
	u8 data[4] = {0};

	bus_init(&bus, "pio");
	ASSERT_EQ(bus_register(&bus, &a.region), 0);
	ASSERT_EQ(bus_register(&bus, &c.region), 0);
	for (int i = 0; i < 5; i++)
		bus_dispatch(&bus, NULL, 0x3f8 + (u64)i, data, 1, i % 2);
	bus_dispatch(&bus, NULL, 0x70, data, 2, false);
	bus_dispatch(&bus, NULL, 0x80, data, 1, true);
	bus_dispatch(&bus, NULL, 0x71, data, 2, false); /* runs past c's end: nobody's */
	EXPECT_EQ(atomic_load(&a.region.hits), 5);
	EXPECT_EQ(atomic_load(&c.region.hits), 1);
	EXPECT_EQ(atomic_load(&bus.unclaimed), 2);
}
