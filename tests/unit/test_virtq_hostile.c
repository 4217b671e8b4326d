// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues (devices/virtio/virtq.c) against a hostile driver: every
 * case must be refused with the queue marked broken and the reason named:
 * no crash, no hang, nothing mapped outside guest RAM. Fake guest in
 * virtq_fake.h.
 */
#include <errno.h>

#include "devices/virtio/virtio.h"
#include "devices/virtio/virtq.h"
#include "tests/test.h"
#include "tests/unit/virtq_fake.h"

TEST(refuses_head_out_of_range)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	drv_post(&d, 8);
	EXPECT_REFUSED(&vq, &c, "head 8");
}

TEST(refuses_next_out_of_range)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	drv_desc(0, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 0xffff);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "next 65535");
}

TEST(refuses_descriptor_loop)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 64);

	/* 0 -> 1 -> 2 -> 1: each hop is in range, the chain never ends. */
	vq_start(&vq, &d, 8, 0);
	drv_desc(0, BUF_GPA, 0, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(1, BUF_GPA, 0, VIRTQ_DESC_F_NEXT, 2);
	drv_desc(2, BUF_GPA, 0, VIRTQ_DESC_F_NEXT, 1);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "loop");
}

TEST(refuses_self_loop)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 64);

	vq_start(&vq, &d, 256, 0);
	drv_desc(9, BUF_GPA, 0, VIRTQ_DESC_F_NEXT, 9);
	drv_post(&d, 9);
	EXPECT_REFUSED(&vq, &c, "loop");
}

TEST(refuses_avail_idx_jump)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	__atomic_store_n(&drv_avail()->idx, 9, __ATOMIC_RELEASE);
	EXPECT_REFUSED(&vq, &c, "avail idx 9");
}

TEST(refuses_more_chains_in_flight_than_size)
{
	struct virtq vq;
	struct drv d;
	u16 i;
	CHAIN(c, 4);

	vq_start(&vq, &d, 4, 0);
	drv_desc(0, BUF_GPA, 4, 0, 0);
	for (i = 0; i < 4; i++) {
		drv_post(&d, 0);
		ASSERT_EQ(virtq_pop(&vq, &c), 1);
	}
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "in flight");
}

TEST(refuses_readable_after_writable)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	drv_desc(0, BUF_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	drv_desc(1, BUF_GPA + 8, 8, 0, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "readable buffer after a writable");
}

TEST(refuses_readable_after_empty_writable)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	drv_desc(0, BUF_GPA, 0, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	drv_desc(1, BUF_GPA + 8, 8, 0, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "readable buffer after a writable");
}

TEST(refuses_buffer_outside_ram)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	drv_desc(0, RAM_END - 8, 16, 0, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "not in RAM");
}

TEST(refuses_buffer_address_wrap)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	drv_desc(0, ~0ULL - 15, 0x1000, VIRTQ_DESC_F_WRITE, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "not in RAM");
}

TEST(refuses_length_overflow)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	/* 16 + 0xfffffff0 is 0 in 32 bits. */
	vq_start(&vq, &d, 8, 0);
	drv_desc(0, BUF_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(1, BUF_GPA, 0xfffffff0, VIRTQ_DESC_F_WRITE, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "more than 67108864 bytes");
}

TEST(chain_length_cap_is_64MiB)
{
	struct virtq vq;
	struct drv d;
	u16 i;
	CHAIN(c, 128);

	/* 64 buffers of 1 MiB (all the same memory) is exactly the cap... */
	vq_start(&vq, &d, 128, 0);
	for (i = 0; i < 64; i++)
		drv_desc(i, BUF_GPA, MiB, VIRTQ_DESC_F_NEXT, i + 1);
	drv_desc(63, BUF_GPA, MiB, 0, 0);
	drv_post(&d, 0);
	ASSERT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(c.readable_len, 64 * MiB);
	/* ...and one more byte is refused. */
	drv_desc(63, BUF_GPA, MiB, VIRTQ_DESC_F_NEXT, 64);
	drv_desc(64, BUF_GPA, 1, 0, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "more than");
}

TEST(refuses_more_buffers_than_caller_holds)
{
	struct virtq vq;
	struct drv d;
	u16 i;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	for (i = 0; i < 5; i++)
		drv_desc(i, BUF_GPA, 8, i < 4 ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "more than 4 buffers");
}

/* Indirect descriptors (2.7.5.3). */

TEST(refuses_indirect_not_negotiated)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 8);

	vq_start(&vq, &d, 8, 0);
	drv_desc_at(TABLE_GPA, 0, BUF_GPA, 10, 0, 0);
	drv_desc(0, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "not negotiated");
}

static void indirect_refused(u32 table_len, u64 table_gpa, const char *why)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 8);

	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	drv_desc(0, table_gpa, table_len, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, why);
}

TEST(refuses_indirect_bad_lengths)
{
	indirect_refused(0, TABLE_GPA, "indirect table of 0 bytes");
	indirect_refused(24, TABLE_GPA, "indirect table of 24 bytes");
	/* Queue size 8: a table of 9 descriptors is over the cap. */
	indirect_refused(9 * 16, TABLE_GPA, "at most 8 descriptors");
	indirect_refused(0xfffffff0, TABLE_GPA, "at most 8 descriptors");
}

TEST(refuses_indirect_table_outside_ram)
{
	indirect_refused(32, RAM_END - 16, "not in RAM");
}

TEST(refuses_nested_indirect)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 8);

	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	drv_desc_at(TABLE_GPA, 0, TABLE_GPA + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_desc(0, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "in an indirect table");
}

TEST(refuses_indirect_pointing_at_queue_table)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 8);

	/* The indirect table is the queue's own table, whose entry 0 is indirect. */
	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	drv_desc(0, DESC_GPA, 8 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "in an indirect table");
}

TEST(refuses_indirect_with_next)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 8);

	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	drv_desc_at(TABLE_GPA, 0, BUF_GPA, 16, 0, 0);
	drv_desc(0, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	drv_desc(1, BUF_GPA, 16, 0, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "indirect descriptor with NEXT");
}

TEST(refuses_loop_inside_indirect_table)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 8);

	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	drv_desc_at(TABLE_GPA, 0, BUF_GPA, 0, VIRTQ_DESC_F_NEXT, 1);
	drv_desc_at(TABLE_GPA, 1, BUF_GPA, 0, VIRTQ_DESC_F_NEXT, 0);
	drv_desc(0, TABLE_GPA, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "loop");
}

TEST(refuses_next_beyond_indirect_table)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 8);

	/* In range for the queue (8) but not for the 2-entry table. */
	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	drv_desc_at(TABLE_GPA, 0, BUF_GPA, 4, VIRTQ_DESC_F_NEXT, 2);
	drv_desc(0, TABLE_GPA, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(&d, 0);
	EXPECT_REFUSED(&vq, &c, "next 2 is not below 2");
}

TEST(broken_queue_stays_broken_until_reset)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 8);

	vq_start(&vq, &d, 8, 0);
	drv_post(&d, 200);
	EXPECT_REFUSED(&vq, &c, "head 200");
	drv_desc(1, BUF_GPA, 8, 0, 0);
	drv_post(&d, 1);
	EXPECT_EQ(virtq_pop(&vq, &c), -EIO);
	EXPECT_EQ(virtq_push(&vq, 1, 0), -EIO);
	EXPECT_FALSE(virtq_need_notify(&vq));
	EXPECT_EQ(broken_calls, 1);
	/* A reset and a fresh setup make it usable again. */
	virtq_reset(&vq);
	EXPECT_FALSE(vq.broken);
	vq_start(&vq, &d, 8, 0);
	drv_desc(1, BUF_GPA, 8, 0, 0);
	drv_post(&d, 1);
	EXPECT_EQ(virtq_pop(&vq, &c), 1);
}
