// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio transport (devices/virtio/mmio.c), queue traffic: a fake driver
 * (virtio 1.2 3.1.1, 4.2.3; virtio_mmio_fake.h) drives a toy "echo" device,
 * whose one queue copies every chain's readable bytes into its writable
 * buffers, through the bus region and the eventfd hooks. Checks the used
 * ring, interrupts and their suppression, and that hostile chains set
 * DEVICE_NEEDS_RESET with a configuration change interrupt, and that a reset
 * recovers.
 */
#include <errno.h>

#include "devices/virtio/mmio.h"
#include "tests/test.h"

/* The echo device: one queue, readable bytes copied into writable buffers. */
struct echo {
	struct virtio_mmio t;
	unsigned int notifies;
	unsigned int irq_raises, irq_lowers, irq_resamples;
	bool irq_level;
};

/* The fake guest RAM and driver; they need struct echo, above. */
#include "tests/unit/virtio_mmio_fake.h"

static struct echo *to_echo(struct virtio_mmio *t)
{
	return container_of(t, struct echo, t);
}

static void echo_queue_notify(struct virtio_mmio *t, u32 q)
{
	struct virtq *vq = virtio_mmio_queue(t, q);
	struct virtq_buf buf[8];
	struct virtq_chain c = {.buf = buf, .max = ARRAY_SIZE(buf)};
	u32 i, in = 0, out, n, written;

	to_echo(t)->notifies++;
	while (virtq_pop(vq, &c) == 1) {
		/* Copy the readable bytes, in order, into the writable buffers. */
		written = 0;
		out = c.nr_readable;
		for (i = 0; i < c.nr_readable && out < c.nr; i++) {
			u32 off = 0;

			while (off < c.buf[i].len && out < c.nr) {
				n = MIN(c.buf[i].len - off, c.buf[out].len - in);
				memcpy((u8 *)c.buf[out].addr + in, (u8 *)c.buf[i].addr + off, n);
				off += n;
				in += n;
				written += n;
				if (in == c.buf[out].len) {
					out++;
					in = 0;
				}
			}
		}
		in = 0;
		virtq_push(vq, c.head, written);
	}
	virtio_mmio_notify_used(t, q);
}

static const struct virtio_dev_ops echo_ops = {
    .device_id = 0x2a,
    .num_queues = 1,
    .queue_max = QSIZE,
    .queue_notify = echo_queue_notify,
};

static const struct virtio_dev_ops echo2_ops = {
    .device_id = 0x2a,
    .num_queues = 2,
    .queue_max = QSIZE,
    .queue_notify = echo_queue_notify,
};

static void echo_create(struct echo *e, const struct virtio_dev_ops *ops)
{
	struct virtq_mem mem = {fake_gpa, NULL};

	memset(ram, 0, 0x20000);
	memset(e, 0, sizeof(*e));
	ASSERT_EQ(virtio_mmio_init(&e->t, "virtio-echo", MMIO_BASE, ops, &mem, echo_irq, e), 0);
}

static u16 avail_idx;

static void drv_post(u16 head)
{
	struct virtq_avail *a = host(AVAIL_GPA);

	if (a->idx == 0)
		avail_idx = 0;
	a->ring[avail_idx % QSIZE] = head;
	avail_idx++;
	__atomic_store_n(&a->idx, avail_idx, __ATOMIC_RELEASE);
}

/* A request: "hello" readable, 16 bytes writable. */
static void post_hello(u16 head)
{
	memcpy(host(BUF_GPA), "hello", 5);
	memset(host(BUF_GPA + 0x100), 0, 16);
	drv_desc(head, BUF_GPA, 5, VIRTQ_DESC_F_NEXT, head + 1);
	drv_desc(head + 1, BUF_GPA + 0x100, 16, VIRTQ_DESC_F_WRITE, 0);
	drv_post(head);
}

TEST(echo_request_and_interrupt)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	post_hello(0);
	wr(&e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(e.notifies, 1);
	EXPECT_EQ(drv_used()->idx, 1);
	EXPECT_EQ(drv_used()->ring[0].id, 0);
	EXPECT_EQ(drv_used()->ring[0].len, 5);
	EXPECT_EQ(memcmp(host(BUF_GPA + 0x100), "hello", 5), 0);
	/* 4.2.3.4: the line is up while InterruptStatus is non-zero. */
	EXPECT_EQ(rd(&e, INT_STATUS), VIRTIO_MMIO_INT_VRING);
	EXPECT_TRUE(e.irq_level);
	EXPECT_EQ(e.irq_raises, 1);
	wr(&e, INT_ACK, VIRTIO_MMIO_INT_VRING);
	EXPECT_EQ(rd(&e, INT_STATUS), 0);
	EXPECT_FALSE(e.irq_level);
	EXPECT_EQ(e.irq_lowers, 1);
	/* A second request while the first interrupt is pending: one line, two events. */
	post_hello(2);
	wr(&e, QUEUE_NOTIFY, 0);
	post_hello(4);
	wr(&e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(drv_used()->idx, 3);
	EXPECT_EQ(e.irq_raises, 2);
	virtio_mmio_destroy(&e.t);
}

TEST(notify_through_eventfd_hook)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	post_hello(0);
	virtio_mmio_queue_notify(&e.t, 0);
	EXPECT_EQ(drv_used()->idx, 1);
	EXPECT_EQ(e.irq_raises, 1);
	/* Misdirected notifications are ignored (2.7.10). */
	virtio_mmio_queue_notify(&e.t, 1);
	virtio_mmio_queue_notify(&e.t, 0xffffffff);
	wr(&e, QUEUE_NOTIFY, 7);
	EXPECT_EQ(e.notifies, 1);
	virtio_mmio_destroy(&e.t);
}

TEST(irq_resample_reasserts_pending)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	virtio_mmio_irq_resample(&e.t);
	EXPECT_EQ(e.irq_resamples + e.irq_raises, 0); /* nothing pending */
	post_hello(0);
	wr(&e, QUEUE_NOTIFY, 0);
	virtio_mmio_irq_resample(&e.t);
	EXPECT_EQ(e.irq_resamples, 1);
	EXPECT_EQ(e.irq_raises, 1);
	virtio_mmio_destroy(&e.t);
}

TEST(no_processing_before_driver_ok)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	ASSERT_EQ(drv_negotiate(&e, F_VERSION_1) & FEATURES_OK, FEATURES_OK);
	drv_setup_queue(&e, 0, QSIZE);
	post_hello(0);
	wr(&e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(e.notifies, 0); /* 2.1.2 */
	EXPECT_EQ(drv_used()->idx, 0);
	virtio_mmio_destroy(&e.t);
}

TEST(no_interrupt_flag_suppresses_irq)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	((struct virtq_avail *)host(AVAIL_GPA))->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	post_hello(0);
	wr(&e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(drv_used()->idx, 1);
	EXPECT_EQ(rd(&e, INT_STATUS), 0);
	EXPECT_EQ(e.irq_raises, 0);
	virtio_mmio_destroy(&e.t);
}

TEST(event_idx_suppresses_irq)
{
	struct echo e;
	struct virtq_avail *a = host(AVAIL_GPA);

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1 | F_EVENT_IDX);
	a->ring[QSIZE] = 1; /* used_event: interrupt when entry 1 is used */
	post_hello(0);
	wr(&e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(e.irq_raises, 0);
	post_hello(2);
	wr(&e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(e.irq_raises, 1);
	EXPECT_EQ(drv_used()->idx, 2);
	virtio_mmio_destroy(&e.t);
}

TEST(indirect_chain_through_transport)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1 | F_INDIRECT);
	memcpy(host(BUF_GPA), "abcdef", 6);
	drv_desc_at(TABLE_GPA, 0, BUF_GPA, 3, VIRTQ_DESC_F_NEXT, 1);
	drv_desc_at(TABLE_GPA, 1, BUF_GPA + 3, 3, VIRTQ_DESC_F_NEXT, 2);
	drv_desc_at(TABLE_GPA, 2, BUF_GPA + 0x100, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	drv_desc_at(TABLE_GPA, 3, BUF_GPA + 0x200, 4, VIRTQ_DESC_F_WRITE, 0);
	drv_desc(0, TABLE_GPA, 4 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(0);
	wr(&e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(drv_used()->ring[0].len, 6);
	EXPECT_EQ(memcmp(host(BUF_GPA + 0x100), "abcd", 4), 0);
	EXPECT_EQ(memcmp(host(BUF_GPA + 0x200), "ef", 2), 0);
	EXPECT_EQ(rd(&e, STATUS) & NEEDS_RESET, 0);
	virtio_mmio_destroy(&e.t);
}

TEST(layout_frozen_while_ready)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	wr(&e, QUEUE_NUM, 4);
	wr64(&e, QUEUE_DESC, RAM_END);
	EXPECT_EQ(e.t.queues[0].num, QSIZE);
	EXPECT_EQ(e.t.queues[0].desc, DESC_GPA);
	post_hello(0);
	wr(&e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(drv_used()->idx, 1);
	virtio_mmio_destroy(&e.t);
}

TEST(second_queue_routed)
{
	struct echo e;

	echo_create(&e, &echo2_ops);
	ASSERT_EQ(drv_negotiate(&e, F_VERSION_1) & FEATURES_OK, FEATURES_OK);
	drv_setup_queue(&e, 1, QSIZE);
	wr(&e, STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
	EXPECT_TRUE(virtio_mmio_queue(&e.t, 0) == NULL);
	post_hello(0);
	wr(&e, QUEUE_NOTIFY, 0); /* queue 0 is not ready: ignored */
	EXPECT_EQ(e.notifies, 0);
	wr(&e, QUEUE_NOTIFY, 1);
	EXPECT_EQ(e.notifies, 1);
	EXPECT_EQ(drv_used()->idx, 1);
	virtio_mmio_destroy(&e.t);
}

/* A hostile chain: NEEDS_RESET, a config interrupt, and nothing processed after. */
static void hostile_chain(struct echo *e, u64 features, const char *why)
{
	wr(e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(rd(e, STATUS), ACK | DRIVER | FEATURES_OK | DRIVER_OK | NEEDS_RESET);
	EXPECT_EQ(rd(e, INT_STATUS) & VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_INT_CONFIG);
	EXPECT_TRUE(e->irq_level);
	if (!strstr(e->t.fail_reason, why))
		test_fail_at(__FILE__, __LINE__, "reason \"%s\" lacks \"%s\"", e->t.fail_reason,
			     why);
	/* Further notifications are ignored until reset. */
	post_hello(8);
	wr(e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(e->notifies, 1);
	/* Reset clears it; the device works again. */
	wr(e, STATUS, 0);
	EXPECT_EQ(rd(e, STATUS), 0);
	EXPECT_EQ(rd(e, INT_STATUS), 0);
	EXPECT_FALSE(e->irq_level);
	EXPECT_EQ(e->t.fail_reason[0], '\0');
	memset(ram, 0, 0x4000);
	drv_init(e, features);
	post_hello(0);
	wr(e, QUEUE_NOTIFY, 0);
	EXPECT_EQ(drv_used()->idx, 1);
	EXPECT_EQ(memcmp(host(BUF_GPA + 0x100), "hello", 5), 0);
	virtio_mmio_destroy(&e->t);
}

TEST(hostile_descriptor_loop)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	drv_desc(0, BUF_GPA, 0, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(1, BUF_GPA, 0, VIRTQ_DESC_F_NEXT, 0);
	drv_post(0);
	hostile_chain(&e, F_VERSION_1, "queue 0: chain 0: longer than its table");
}

TEST(hostile_descriptor_index)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	drv_post(QSIZE);
	hostile_chain(&e, F_VERSION_1, "head 16");
}

TEST(hostile_avail_idx_jump)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	((struct virtq_avail *)host(AVAIL_GPA))->idx = QSIZE + 1;
	hostile_chain(&e, F_VERSION_1, "avail idx 17");
}

TEST(hostile_writable_before_readable)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	drv_desc(0, BUF_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	drv_desc(1, BUF_GPA, 8, 0, 0);
	drv_post(0);
	hostile_chain(&e, F_VERSION_1, "readable buffer after a writable");
}

TEST(hostile_length_overflow)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	drv_desc(0, BUF_GPA, 0x80000000, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(1, BUF_GPA, 0x80000000, VIRTQ_DESC_F_WRITE, 0);
	drv_post(0);
	hostile_chain(&e, F_VERSION_1, "more than");
}

TEST(hostile_buffer_outside_ram)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	drv_desc(0, 0x1000, 8, 0, 0);
	drv_post(0);
	hostile_chain(&e, F_VERSION_1, "not in RAM");
}

TEST(hostile_indirect_without_feature)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	drv_desc_at(TABLE_GPA, 0, BUF_GPA, 8, 0, 0);
	drv_desc(0, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(0);
	hostile_chain(&e, F_VERSION_1, "not negotiated");
}

TEST(hostile_indirect_table_too_large)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1 | F_INDIRECT);
	drv_desc(0, TABLE_GPA, (QSIZE + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(0);
	hostile_chain(&e, F_VERSION_1 | F_INDIRECT, "at most 16 descriptors");
}

TEST(hostile_indirect_table_unaligned_length)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1 | F_INDIRECT);
	drv_desc(0, TABLE_GPA, 40, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(0);
	hostile_chain(&e, F_VERSION_1 | F_INDIRECT, "multiple of 16");
}

TEST(hostile_nested_indirect)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1 | F_INDIRECT);
	drv_desc_at(TABLE_GPA, 0, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_desc(0, TABLE_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_post(0);
	hostile_chain(&e, F_VERSION_1 | F_INDIRECT, "in an indirect table");
}
