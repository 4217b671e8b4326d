// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues (devices/virtio/virtq.c), the well-behaved side: ring
 * setup, chains, the used ring and notification suppression, against a fake
 * guest (virtq_fake.h): a static buffer is guest RAM at RAM_BASE; a small
 * driver writes descriptors and the available ring as virtio 1.2 2.7.13
 * describes.
 * Hostile drivers are in test_virtq_hostile.c, threads in
 * test_virtq_threads.c.
 */
#include <errno.h>

#include "devices/virtio/virtio.h"
#include "devices/virtio/virtq.h"
#include "tests/test.h"
#include "tests/unit/virtq_fake.h"

TEST(setup_maps_rings_and_clears_used)
{
	struct virtq vq;
	struct drv d;

	memset(ram, 0xaa, 0x40000);
	vq_start(&vq, &d, 256, 0);
	EXPECT_TRUE(virtq_ready(&vq));
	EXPECT_EQ(vq.size, 256);
	EXPECT_TRUE(vq.desc == host(DESC_GPA));
	EXPECT_EQ(drv_used()->idx, 0);
	EXPECT_EQ(drv_used()->flags, 0);
}

TEST(setup_refuses_bad_sizes)
{
	struct virtq_mem mem = {fake_gpa, NULL};
	static const u32 bad[] = {0, 3, 6, 100, 512, 65536, 0x80000000};
	struct virtq vq;
	size_t i;

	virtq_init(&vq, &mem, count_broken, NULL);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(virtq_setup(&vq, bad[i], 256, DESC_GPA, AVAIL_GPA, USED_GPA, 0), -EINVAL);
		EXPECT_FALSE(virtq_ready(&vq));
	}
	EXPECT_TRUE(strstr(vq.error, "power of two") != NULL);
	EXPECT_EQ(virtq_setup(&vq, 1, 256, DESC_GPA, AVAIL_GPA, USED_GPA, 0), 0);
	EXPECT_EQ(virtq_setup(&vq, 256, 256, DESC_GPA, AVAIL_GPA, USED_GPA, 0), 0);
}

TEST(setup_refuses_misaligned_rings)
{
	struct virtq_mem mem = {fake_gpa, NULL};
	struct virtq vq;

	virtq_init(&vq, &mem, count_broken, NULL);
	EXPECT_EQ(virtq_setup(&vq, 8, 8, DESC_GPA + 8, AVAIL_GPA, USED_GPA, 0), -EINVAL);
	EXPECT_EQ(virtq_setup(&vq, 8, 8, DESC_GPA, AVAIL_GPA + 1, USED_GPA, 0), -EINVAL);
	EXPECT_EQ(virtq_setup(&vq, 8, 8, DESC_GPA, AVAIL_GPA, USED_GPA + 2, 0), -EINVAL);
	EXPECT_TRUE(strstr(vq.error, "misaligned") != NULL);
	EXPECT_FALSE(virtq_ready(&vq));
	EXPECT_EQ(broken_calls, 0);
}

TEST(setup_refuses_rings_outside_ram)
{
	struct virtq_mem mem = {fake_gpa, NULL};
	struct virtq vq;

	virtq_init(&vq, &mem, count_broken, NULL);
	EXPECT_EQ(virtq_setup(&vq, 8, 8, 0, AVAIL_GPA, USED_GPA, 0), -EINVAL);
	EXPECT_EQ(virtq_setup(&vq, 8, 8, DESC_GPA, RAM_END, USED_GPA, 0), -EINVAL);
	/* The used ring of 8 entries needs 70 bytes; only 64 are left. */
	EXPECT_EQ(virtq_setup(&vq, 8, 8, DESC_GPA, AVAIL_GPA, RAM_END - 64, 0), -EINVAL);
	EXPECT_EQ(virtq_setup(&vq, 8, 8, DESC_GPA, AVAIL_GPA, ~0ULL - 3, 0), -EINVAL);
	EXPECT_TRUE(strstr(vq.error, "not in guest RAM") != NULL);
	EXPECT_FALSE(virtq_ready(&vq));
	EXPECT_EQ(virtq_setup(&vq, 8, 8, DESC_GPA, AVAIL_GPA, RAM_END - 72, 0), 0);
}

TEST(pop_empty_ring)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	EXPECT_EQ(virtq_pop(&vq, &c), 0);
	EXPECT_FALSE(vq.broken);
}

TEST(pop_chain_readable_then_writable)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	drv_desc(5, BUF_GPA, 10, VIRTQ_DESC_F_NEXT, 2);
	drv_desc(2, BUF_GPA + 100, 20, VIRTQ_DESC_F_NEXT, 7);
	drv_desc(7, BUF_GPA + 200, 30, VIRTQ_DESC_F_WRITE, 0);
	drv_post(&d, 5);
	ASSERT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(c.head, 5);
	EXPECT_EQ(c.nr, 3);
	EXPECT_EQ(c.nr_readable, 2);
	EXPECT_EQ(c.readable_len, 30);
	EXPECT_EQ(c.writable_len, 30);
	EXPECT_TRUE(c.buf[0].addr == host(BUF_GPA));
	EXPECT_TRUE(c.buf[1].addr == host(BUF_GPA + 100));
	EXPECT_TRUE(c.buf[2].addr == host(BUF_GPA + 200));
	EXPECT_FALSE(c.buf[1].writable);
	EXPECT_TRUE(c.buf[2].writable);
	EXPECT_EQ(virtq_pop(&vq, &c), 0);
}

TEST(push_fills_used_ring)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	EXPECT_EQ(virtq_push(&vq, 0, 0), -EINVAL); /* nothing in flight */
	drv_desc(3, BUF_GPA, 64, VIRTQ_DESC_F_WRITE, 0);
	drv_post(&d, 3);
	ASSERT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(vq.in_flight, 1);
	EXPECT_EQ(virtq_push(&vq, 8, 1), -EINVAL); /* head out of range */
	EXPECT_EQ(virtq_push(&vq, c.head, 42), 0);
	EXPECT_EQ(drv_used()->idx, 1);
	EXPECT_EQ(drv_used()->ring[0].id, 3);
	EXPECT_EQ(drv_used()->ring[0].len, 42);
	EXPECT_EQ(vq.in_flight, 0);
	EXPECT_FALSE(vq.broken);
}

TEST(indices_wrap_at_65536)
{
	struct virtq vq;
	struct drv d;
	u32 i;
	CHAIN(c, 1);

	vq_start(&vq, &d, 2, 0);
	drv_desc(0, BUF_GPA, 8, 0, 0);
	drv_desc(1, BUF_GPA, 8, 0, 0);
	for (i = 0; i < 70000; i++) {
		drv_post(&d, i & 1);
		if (virtq_pop(&vq, &c) != 1 || c.head != (i & 1) || virtq_push(&vq, c.head, 0))
			break;
	}
	EXPECT_EQ(i, 70000);
	EXPECT_EQ(drv_used()->idx, (u16)70000);
	EXPECT_FALSE(vq.broken);
}

TEST(avail_idx_full_ring_accepted)
{
	struct virtq vq;
	struct drv d;
	u16 i;
	CHAIN(c, 4);

	vq_start(&vq, &d, 8, 0);
	for (i = 0; i < 8; i++) {
		drv_desc(i, BUF_GPA, 4, 0, 0);
		drv_post(&d, i);
	}
	for (i = 0; i < 8; i++)
		EXPECT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(virtq_pop(&vq, &c), 0);
	EXPECT_FALSE(vq.broken);
}

TEST(empty_buffers_are_skipped)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 1);

	vq_start(&vq, &d, 8, 0);
	drv_desc(0, 0, 0, VIRTQ_DESC_F_NEXT, 1); /* address ignored: nothing to map */
	drv_desc(1, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 2);
	drv_desc(2, ~0ULL, 0, VIRTQ_DESC_F_WRITE, 0);
	drv_post(&d, 0);
	ASSERT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(c.nr, 1);
	EXPECT_EQ(c.readable_len, 8);
}

TEST(indirect_table)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 8);

	/* The spec sets no alignment for indirect tables: use an odd address. */
	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	drv_desc_at(TABLE_GPA + 3, 0, BUF_GPA, 10, VIRTQ_DESC_F_NEXT, 2);
	drv_desc_at(TABLE_GPA + 3, 2, BUF_GPA + 10, 20, VIRTQ_DESC_F_NEXT, 1);
	drv_desc_at(TABLE_GPA + 3, 1, BUF_GPA + 30, 40, VIRTQ_DESC_F_WRITE, 0);
	/* WRITE on the indirect descriptor itself is ignored (2.7.5.3.2). */
	drv_desc(4, TABLE_GPA + 3, 3 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	drv_post(&d, 4);
	ASSERT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(c.head, 4);
	EXPECT_EQ(c.nr, 3);
	EXPECT_EQ(c.nr_readable, 2);
	EXPECT_EQ(c.readable_len, 30);
	EXPECT_EQ(c.writable_len, 40);
	EXPECT_TRUE(c.buf[2].addr == host(BUF_GPA + 30));
}

TEST(chained_then_indirect)
{
	struct virtq vq;
	struct drv d;
	CHAIN(c, 8);

	/* Normal descriptors followed by one indirect one are valid (2.7.5.3.2). */
	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	drv_desc(0, BUF_GPA, 10, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(1, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_desc_at(TABLE_GPA, 0, BUF_GPA + 16, 16, VIRTQ_DESC_F_WRITE, 0);
	drv_post(&d, 0);
	ASSERT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(c.nr, 2);
	EXPECT_EQ(c.nr_readable, 1);
}

TEST(indirect_table_of_queue_size_accepted)
{
	struct virtq vq;
	struct drv d;
	u16 i;
	CHAIN(c, 8);

	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	for (i = 0; i < 8; i++)
		drv_desc_at(TABLE_GPA, i, BUF_GPA, 1, i < 7 ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	drv_desc(0, TABLE_GPA, 8 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(&d, 0);
	ASSERT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(c.nr, 8);
}

/* Used buffer notification suppression (2.7.7). */

static void post_pop_push(struct virtq *vq, struct drv *d)
{
	CHAIN(c, 1);

	drv_desc(0, BUF_GPA, 8, VIRTQ_DESC_F_WRITE, 0);
	drv_post(d, 0);
	ASSERT_EQ(virtq_pop(vq, &c), 1);
	ASSERT_EQ(virtq_push(vq, c.head, 8), 0);
}

TEST(notify_honours_no_interrupt_flag)
{
	struct virtq vq;
	struct drv d;

	vq_start(&vq, &d, 8, 0);
	EXPECT_FALSE(virtq_need_notify(&vq)); /* nothing used yet */
	post_pop_push(&vq, &d);
	EXPECT_TRUE(virtq_need_notify(&vq));
	EXPECT_FALSE(virtq_need_notify(&vq)); /* nothing new since */
	drv_avail()->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	post_pop_push(&vq, &d);
	EXPECT_FALSE(virtq_need_notify(&vq));
	EXPECT_EQ(drv_used()->idx, 2);
}

TEST(notify_honours_used_event)
{
	struct virtq vq;
	struct drv d;

	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	/* With EVENT_IDX the flags are ignored (2.7.7.2). */
	drv_avail()->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	drv_avail()->ring[8] = 2; /* used_event: notify once entry 2 is used */
	post_pop_push(&vq, &d);
	EXPECT_FALSE(virtq_need_notify(&vq));
	post_pop_push(&vq, &d);
	EXPECT_FALSE(virtq_need_notify(&vq));
	post_pop_push(&vq, &d);
	EXPECT_TRUE(virtq_need_notify(&vq));
	/* A batch crossing used_event notifies once. */
	drv_avail()->ring[8] = 4;
	post_pop_push(&vq, &d);
	post_pop_push(&vq, &d);
	EXPECT_TRUE(virtq_need_notify(&vq));
	EXPECT_FALSE(virtq_need_notify(&vq));
}

TEST(empty_pop_publishes_avail_event)
{
	struct virtq vq;
	struct drv d;
	u16 *avail_event = (u16 *)&drv_used()->ring[8];
	CHAIN(c, 1);

	vq_start(&vq, &d, 8, VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	drv_desc(0, BUF_GPA, 8, 0, 0);
	drv_post(&d, 0);
	drv_post(&d, 0);
	drv_post(&d, 0);
	EXPECT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(virtq_pop(&vq, &c), 1);
	EXPECT_EQ(virtq_pop(&vq, &c), 0);
	EXPECT_EQ(*avail_event, 3); /* "notify me when you fill entry 3" */
}
