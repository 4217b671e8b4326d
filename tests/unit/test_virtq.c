// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues (devices/virtio/virtq.c) against a fake guest: a static
 * buffer is guest RAM at RAM_BASE, and a small driver in this file writes
 * descriptors and the available ring the way virtio 1.2 2.7.13 describes.
 * Every hostile case must be refused with the queue marked broken: no crash,
 * no hang, and nothing mapped outside RAM.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

#include "devices/virtio/virtio.h"
#include "devices/virtio/virtq.h"
#include "tests/test.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (4 * MiB)
#define RAM_END	 (RAM_BASE + RAM_SIZE)

/* Where the fake driver puts things (guest-physical). */
#define DESC_GPA  (RAM_BASE + 0x0000)
#define AVAIL_GPA (RAM_BASE + 0x10000)
#define USED_GPA  (RAM_BASE + 0x20000)
#define TABLE_GPA (RAM_BASE + 0x30000) /* indirect tables */
#define BUF_GPA	  (RAM_BASE + 0x100000)

static u8 ram[RAM_SIZE] __attribute__((aligned(4096)));

static void *fake_gpa(void *ctx, u64 gpa, u64 len)
{
	if (gpa < RAM_BASE || gpa - RAM_BASE > RAM_SIZE || len > RAM_END - gpa)
		return NULL;
	return ram + (gpa - RAM_BASE);
}

static void *host(u64 gpa)
{
	return ram + (gpa - RAM_BASE);
}

static unsigned int broken_calls;

static void count_broken(struct virtq *vq)
{
	broken_calls++;
}

/* The driver side of one queue. */
struct drv {
	u16 size;
	u16 avail_idx;
};

static void drv_desc_at(u64 table, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	struct virtq_desc d = {.addr = addr, .len = len, .flags = flags, .next = next};

	/* Tables may be unaligned on purpose: copy, do not cast. */
	memcpy((u8 *)host(table) + (size_t)i * sizeof(d), &d, sizeof(d));
}

static void drv_desc(u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	drv_desc_at(DESC_GPA, i, addr, len, flags, next);
}

static struct virtq_avail *drv_avail(void)
{
	return host(AVAIL_GPA);
}

static struct virtq_used *drv_used(void)
{
	return host(USED_GPA);
}

/* 2.7.13: ring entry, barrier, then idx. */
static void drv_post(struct drv *d, u16 head)
{
	drv_avail()->ring[d->avail_idx % d->size] = head;
	d->avail_idx++;
	__atomic_store_n(&drv_avail()->idx, d->avail_idx, __ATOMIC_RELEASE);
}

static void vq_start(struct virtq *vq, struct drv *d, u16 size, u64 features)
{
	struct virtq_mem mem = {fake_gpa, NULL};

	memset(ram, 0, 0x40000);
	broken_calls = 0;
	d->size = size;
	d->avail_idx = 0;
	virtq_init(vq, &mem, count_broken, NULL);
	ASSERT_EQ(virtq_setup(vq, size, 256, DESC_GPA, AVAIL_GPA, USED_GPA, features), 0);
}

/* Pop expecting refusal: -EIO, broken once, reason containing `why`. */
#define EXPECT_REFUSED(vq, chain, why)                                                             \
	do {                                                                                       \
		EXPECT_EQ(virtq_pop(vq, chain), -EIO);                                             \
		EXPECT_TRUE((vq)->broken);                                                         \
		EXPECT_EQ(broken_calls, 1);                                                        \
		if (!strstr((vq)->error, why))                                                     \
			test_fail_at(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"", (vq)->error, \
				     why);                                                         \
	} while (0)

#define CHAIN(name, n)                                                                             \
	struct virtq_buf name##_buf[n];                                                            \
	struct virtq_chain name = {.buf = name##_buf, .max = n}

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

/* Indirect descriptors (2.7.5.3). */

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

/*
 * Driver and device on two threads with EVENT_IDX both ways: every request
 * must come back, with no notification lost in either direction (a lost one
 * shows up as a 10 s wait). Exercises the barriers in virtq_pop() and
 * virtq_need_notify().
 */
#define STRESS_REQS 20000

static struct {
	struct virtq vq;
	sem_t kick, irq;
	bool stop;
	int err;
} stress;

static bool need_event(u16 event, u16 new, u16 old)
{
	return (u16)(new - event - 1) < (u16)(new - old);
}

static void *stress_device(void *arg)
{
	CHAIN(c, 1);
	int r;

	for (;;) {
		while ((r = virtq_pop(&stress.vq, &c)) == 1) {
			*(u32 *)c.buf[0].addr += 1;
			virtq_push(&stress.vq, c.head, 4);
			if (virtq_need_notify(&stress.vq))
				sem_post(&stress.irq);
		}
		if (r < 0) {
			stress.err = r;
			sem_post(&stress.irq);
			return NULL;
		}
		sem_wait(&stress.kick);
		if (__atomic_load_n(&stress.stop, __ATOMIC_ACQUIRE))
			return NULL;
	}
}

static bool stress_wait_irq(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	return sem_timedwait(&stress.irq, &ts) == 0;
}

static void stress_run(u16 depth)
{
	u16 *used_event = &drv_avail()->ring[8];
	u16 *avail_event = (u16 *)&drv_used()->ring[8];
	u16 free_heads[8], nr_free = 8, used_seen = 0, old;
	u32 posted = 0, done = 0, i;
	struct drv d;
	pthread_t th;

	vq_start(&stress.vq, &d, 8, VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	sem_init(&stress.kick, 0, 0);
	sem_init(&stress.irq, 0, 0);
	stress.stop = false;
	stress.err = 0;
	for (i = 0; i < 8; i++) {
		free_heads[i] = (u16)i;
		drv_desc((u16)i, BUF_GPA + 4 * i, 4, VIRTQ_DESC_F_WRITE, 0);
		*(u32 *)host(BUF_GPA + 4 * i) = 0;
	}
	ASSERT_EQ(pthread_create(&th, NULL, stress_device, NULL), 0);
	while (done < STRESS_REQS && !stress.err) {
		/* Post what we can; kick if avail_event asks for it (2.7.10). */
		old = d.avail_idx;
		while (nr_free > 8 - depth && posted < STRESS_REQS) {
			drv_post(&d, free_heads[--nr_free]);
			posted++;
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (d.avail_idx != old && need_event(__atomic_load_n(avail_event, __ATOMIC_RELAXED),
						     d.avail_idx, old))
			sem_post(&stress.kick);
		/* Reap; when nothing is used, re-arm used_event, recheck, then sleep (2.7.14). */
		for (;;) {
			u16 used_idx = __atomic_load_n(&drv_used()->idx, __ATOMIC_ACQUIRE);

			if (used_idx != used_seen) {
				while (used_seen != used_idx) {
					free_heads[nr_free++] =
					    (u16)drv_used()->ring[used_seen % 8].id;
					used_seen++;
					done++;
				}
				break;
			}
			__atomic_store_n(used_event, used_seen, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&drv_used()->idx, __ATOMIC_ACQUIRE) != used_seen)
				continue;
			if (!stress_wait_irq()) {
				test_fail_at(__FILE__, __LINE__, "no notification after %u of %u",
					     done, STRESS_REQS);
				stress.err = -ETIMEDOUT;
				break;
			}
		}
	}
	__atomic_store_n(&stress.stop, true, __ATOMIC_RELEASE);
	sem_post(&stress.kick);
	pthread_join(th, NULL);
	EXPECT_EQ(stress.err, 0);
	EXPECT_EQ(done, STRESS_REQS);
	for (i = 0, done = 0; i < 8; i++)
		done += *(u32 *)host(BUF_GPA + 4 * i);
	EXPECT_EQ(done, STRESS_REQS);
	EXPECT_FALSE(stress.vq.broken);
	sem_destroy(&stress.kick);
	sem_destroy(&stress.irq);
}

/* One request at a time: the most sleep/wake transitions, the most races. */
TEST(threaded_event_idx_ping_pong)
{
	stress_run(1);
}

TEST(threaded_event_idx_batches)
{
	stress_run(8);
}
