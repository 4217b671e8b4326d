// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio transport (devices/virtio/mmio.c), queue traffic: a fake driver
 * (virtio 1.2 3.1.1, 4.2.3) drives a toy "echo" device, whose one queue
 * copies every chain's readable bytes into its writable buffers, through
 * the bus region and the eventfd hooks. Checks the used ring, interrupts and
 * their suppression, and that hostile chains set DEVICE_NEEDS_RESET with a
 * configuration change interrupt, and that a reset recovers.
 */
#include <errno.h>

#include "devices/virtio/mmio.h"
#include "tests/test.h"

#define RAM_BASE  0x80000000ULL
#define RAM_SIZE  (1 * MiB)
#define RAM_END	  (RAM_BASE + RAM_SIZE)
#define DESC_GPA  (RAM_BASE + 0x0000)
#define AVAIL_GPA (RAM_BASE + 0x1000)
#define USED_GPA  (RAM_BASE + 0x2000)
#define TABLE_GPA (RAM_BASE + 0x3000)
#define BUF_GPA	  (RAM_BASE + 0x10000)
#define MMIO_BASE 0xd0000000ULL
#define QSIZE	  16

/* Spec names for the registers (virtio 1.2 4.2.2), spelled out independently. */
enum {
	MAGIC = 0x000,
	VERSION = 0x004,
	DEVICE_ID = 0x008,
	VENDOR_ID = 0x00c,
	DEV_FEATURES = 0x010,
	DEV_FEATURES_SEL = 0x014,
	DRV_FEATURES = 0x020,
	DRV_FEATURES_SEL = 0x024,
	QUEUE_SEL = 0x030,
	QUEUE_NUM_MAX = 0x034,
	QUEUE_NUM = 0x038,
	QUEUE_READY = 0x044,
	QUEUE_NOTIFY = 0x050,
	INT_STATUS = 0x060,
	INT_ACK = 0x064,
	STATUS = 0x070,
	QUEUE_DESC = 0x080,
	QUEUE_DRIVER = 0x090,
	QUEUE_DEVICE = 0x0a0,
	SHM_LEN_LOW = 0x0b0,
	CONFIG_GEN = 0x0fc,
	CONFIG = 0x100,
};

enum { ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 64 };

#define F_INDIRECT  (1ULL << 28)
#define F_EVENT_IDX (1ULL << 29)
#define F_VERSION_1 (1ULL << 32)

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

/* The echo device: one queue, readable bytes copied into writable buffers. */
struct echo {
	struct virtio_mmio t;
	unsigned int notifies;
	unsigned int irq_raises, irq_lowers, irq_resamples;
	bool irq_level;
};

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

static void echo_irq(struct virtio_mmio *t, bool level)
{
	struct echo *e = t->irq_ctx;

	if (e->irq_level == level && !level)
		test_fail_at(__FILE__, __LINE__, "irq lowered twice");
	if (level && e->irq_level)
		e->irq_resamples++;
	else if (level)
		e->irq_raises++;
	else
		e->irq_lowers++;
	e->irq_level = level;
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

/* The fake driver. */

static u32 rd(struct echo *e, u64 off)
{
	u8 b[4] = {0x5a, 0x5a, 0x5a, 0x5a};

	e->t.region.access(&e->t.region, NULL, off, b, 4, false);
	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static void wr(struct echo *e, u64 off, u32 val)
{
	u8 b[4] = {(u8)val, (u8)(val >> 8), (u8)(val >> 16), (u8)(val >> 24)};

	e->t.region.access(&e->t.region, NULL, off, b, 4, true);
}

static void wr64(struct echo *e, u64 off, u64 val)
{
	wr(e, off, (u32)val);
	wr(e, off + 4, (u32)(val >> 32));
}

static void echo_create(struct echo *e, const struct virtio_dev_ops *ops)
{
	struct virtq_mem mem = {fake_gpa, NULL};

	memset(ram, 0, 0x20000);
	memset(e, 0, sizeof(*e));
	ASSERT_EQ(virtio_mmio_init(&e->t, "virtio-echo", MMIO_BASE, ops, &mem, echo_irq, e), 0);
}

static u64 drv_read_features(struct echo *e)
{
	wr(e, DEV_FEATURES_SEL, 1);
	u64 f = (u64)rd(e, DEV_FEATURES) << 32;
	wr(e, DEV_FEATURES_SEL, 0);
	return f | rd(e, DEV_FEATURES);
}

/* 3.1.1 steps 1-6; returns the status read back after FEATURES_OK. */
static u32 drv_negotiate(struct echo *e, u64 features)
{
	wr(e, STATUS, 0);
	wr(e, STATUS, ACK);
	wr(e, STATUS, ACK | DRIVER);
	drv_read_features(e);
	wr(e, DRV_FEATURES_SEL, 1);
	wr(e, DRV_FEATURES, (u32)(features >> 32));
	wr(e, DRV_FEATURES_SEL, 0);
	wr(e, DRV_FEATURES, (u32)features);
	wr(e, STATUS, ACK | DRIVER | FEATURES_OK);
	return rd(e, STATUS);
}

/* 4.2.3.2: set up queue q of `size` at the fixed ring addresses. */
static void drv_setup_queue(struct echo *e, u32 q, u32 size)
{
	wr(e, QUEUE_SEL, q);
	EXPECT_EQ(rd(e, QUEUE_READY), 0);
	EXPECT_GE(rd(e, QUEUE_NUM_MAX), size);
	wr(e, QUEUE_NUM, size);
	wr64(e, QUEUE_DESC, DESC_GPA);
	wr64(e, QUEUE_DRIVER, AVAIL_GPA);
	wr64(e, QUEUE_DEVICE, USED_GPA);
	wr(e, QUEUE_READY, 1);
}

/* The whole of 3.1.1, with one queue of QSIZE. */
static void drv_init(struct echo *e, u64 features)
{
	ASSERT_EQ(rd(e, MAGIC), 0x74726976);
	ASSERT_EQ(rd(e, VERSION), 2);
	ASSERT_EQ(drv_negotiate(e, features) & FEATURES_OK, FEATURES_OK);
	drv_setup_queue(e, 0, QSIZE);
	ASSERT_EQ(rd(e, QUEUE_READY), 1);
	wr(e, STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
	ASSERT_EQ(rd(e, STATUS), ACK | DRIVER | FEATURES_OK | DRIVER_OK);
}

static u16 avail_idx;

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

static void drv_post(u16 head)
{
	struct virtq_avail *a = host(AVAIL_GPA);

	if (a->idx == 0)
		avail_idx = 0;
	a->ring[avail_idx % QSIZE] = head;
	avail_idx++;
	__atomic_store_n(&a->idx, avail_idx, __ATOMIC_RELEASE);
}

static struct virtq_used *drv_used(void)
{
	return host(USED_GPA);
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
