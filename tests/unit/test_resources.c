// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "core/vm/cmdline.h"
#include "core/vm/resources.h"
#include "tests/test.h"

TEST(resources_mmio_aligned_and_bounded)
{
	struct resources r;
	u64 a, b, c;

	resources_init(&r, 0xd0000000, 0x3000, 16, 2);
	ASSERT_EQ(resources_alloc_mmio(&r, "a", 0x200, 0x1000, &a), 0);
	ASSERT_EQ(resources_alloc_mmio(&r, "b", 0x200, 0x1000, &b), 0);
	EXPECT_EQ(a, 0xd0000000);
	EXPECT_EQ(b, 0xd0001000);
	ASSERT_EQ(resources_alloc_mmio(&r, "c", 0x1000, 0x1000, &c), 0);
	EXPECT_EQ(c, 0xd0002000);
	EXPECT_EQ(resources_alloc_mmio(&r, "d", 1, 1, &c), -ENOSPC);
	EXPECT_EQ(resources_alloc_mmio(&r, "e", 0, 1, &c), -EINVAL);
	EXPECT_EQ(resources_alloc_mmio(&r, "f", 8, 3, &c), -EINVAL);
}

TEST(resources_mmio_huge_request)
{
	struct resources r;
	u64 a;

	resources_init(&r, 0xd0000000, 0x10000, 16, 2);
	EXPECT_EQ(resources_alloc_mmio(&r, "big", ~0ULL, 0x1000, &a), -ENOSPC);
	EXPECT_EQ(resources_alloc_mmio(&r, "align", 0x10, 1ULL << 63, &a), -ENOSPC);
}

TEST(resources_irqs)
{
	struct resources r;
	u32 i1, i2, i3;

	resources_init(&r, 0, 0x1000, 16, 2);
	ASSERT_EQ(resources_alloc_irq(&r, "a", &i1), 0);
	ASSERT_EQ(resources_alloc_irq(&r, "b", &i2), 0);
	EXPECT_EQ(i1, 16);
	EXPECT_EQ(i2, 17);
	EXPECT_EQ(resources_alloc_irq(&r, "c", &i3), -ENOSPC);
}

TEST(resources_virtio_cmdline)
{
	struct resources r;
	struct resource_device d = {.name = "virtio-console",
				    .kind = RESOURCE_VIRTIO_MMIO,
				    .base = 0xd0000000,
				    .size = 0x200,
				    .irq = 16};
	struct cmdline cl;

	resources_init(&r, 0xd0000000, 0x10000, 16, 8);
	ASSERT_EQ(resources_add_device(&r, &d), 0);
	d.base = 0xd0001000;
	d.irq = 17;
	ASSERT_EQ(resources_add_device(&r, &d), 0);
	cmdline_init(&cl);
	resources_virtio_cmdline(&r, &cl);
	EXPECT_STREQ(cl.buf, "virtio_mmio.device=0x200@0xd0000000:16 "
			     "virtio_mmio.device=0x200@0xd0001000:17");
}

TEST(resources_registry_full)
{
	struct resources r;
	struct resource_device d = {.name = "x", .kind = RESOURCE_VIRTIO_MMIO};
	u32 i;

	resources_init(&r, 0, 0x1000, 0, 1);
	for (i = 0; i < RESOURCES_MAX_DEVICES; i++)
		ASSERT_EQ(resources_add_device(&r, &d), 0);
	EXPECT_EQ(resources_add_device(&r, &d), -ENOSPC);
}
