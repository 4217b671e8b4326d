// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio transport (devices/virtio/mmio.c), registers and state: the
 * identity registers, feature negotiation, the status state machine, queue
 * setup, configuration space and reset. Driven only through the bus region,
 * as a guest would, by a fake driver following virtio 1.2 3.1.1 and 4.2.3
 * (virtio_mmio_fake.h), with a toy device behind it. Queue traffic is in
 * test_virtio_mmio_queue.c.
 */
#include <errno.h>

#include "devices/virtio/mmio.h"
#include "tests/test.h"

#define F_ECHO_A (1ULL << 0) /* the echo device's own feature bits */
#define F_ECHO_B (1ULL << 3)

/* The toy device. */
struct echo {
	struct virtio_mmio t;
	u8 config[8]; /* le32 0x12345678, le16 buffer size, u8 writable, u8 pad */
	bool refuse_features;
	unsigned int notifies, activates, resets;
	unsigned int irq_raises, irq_lowers, irq_resamples;
	bool irq_level;
};

/* The fake guest RAM and driver; they need struct echo, above. */
#include "tests/unit/virtio_mmio_fake.h"

static struct echo *to_echo(struct virtio_mmio *t)
{
	return container_of(t, struct echo, t);
}

static void echo_config_read(struct virtio_mmio *t, u32 off, void *data, u32 len)
{
	memcpy(data, to_echo(t)->config + off, len);
}

static void echo_config_write(struct virtio_mmio *t, u32 off, const void *data, u32 len)
{
	if (off == 6 && len == 1)
		to_echo(t)->config[6] = *(const u8 *)data;
}

static bool echo_features_ok(struct virtio_mmio *t, u64 features)
{
	return !to_echo(t)->refuse_features;
}

static void echo_activate(struct virtio_mmio *t)
{
	to_echo(t)->activates++;
}

static void echo_reset(struct virtio_mmio *t)
{
	to_echo(t)->resets++;
}

static void echo_queue_notify(struct virtio_mmio *t, u32 q)
{
	to_echo(t)->notifies++;
}

static const struct virtio_dev_ops echo_ops = {
    .device_id = 0x2a,
    .features = F_ECHO_A | F_ECHO_B | (1ULL << 40) /* not a device bit: dropped */,
    .num_queues = 1,
    .queue_max = QSIZE,
    .config_len = 8,
    .config_read = echo_config_read,
    .config_write = echo_config_write,
    .features_ok = echo_features_ok,
    .activate = echo_activate,
    .queue_notify = echo_queue_notify,
    .reset = echo_reset,
};

static void echo_create(struct echo *e, const struct virtio_dev_ops *ops)
{
	struct virtq_mem mem = {fake_gpa, NULL};

	memset(ram, 0, 0x20000);
	memset(e, 0, sizeof(*e));
	ASSERT_EQ(virtio_mmio_init(&e->t, "virtio-echo", MMIO_BASE, ops, &mem, echo_irq, e), 0);
	memcpy(e->config, "\x78\x56\x34\x12\x00\x10\x00\x00", 8);
}

TEST(identity_registers)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	EXPECT_EQ(e.t.region.base, MMIO_BASE);
	EXPECT_EQ(e.t.region.len, 0x200);
	EXPECT_STREQ(e.t.region.name, "virtio-echo");
	EXPECT_EQ(rd(&e, MAGIC), 0x74726976);
	EXPECT_EQ(rd(&e, VERSION), 2);
	EXPECT_EQ(rd(&e, DEVICE_ID), 0x2a);
	EXPECT_EQ(rd(&e, VENDOR_ID), 0x4d56544b);
	EXPECT_EQ(rd(&e, STATUS), 0);
	EXPECT_EQ(rd(&e, INT_STATUS), 0);
	EXPECT_EQ(rd(&e, SHM_LEN_LOW), 0xffffffff); /* no shared memory region */
	/* Read-only registers ignore writes; write-only ones read 0. */
	wr(&e, MAGIC, 0);
	EXPECT_EQ(rd(&e, MAGIC), 0x74726976);
	EXPECT_EQ(rd(&e, QUEUE_NOTIFY), 0);
	virtio_mmio_destroy(&e.t);
}

TEST(register_access_must_be_aligned_32bit)
{
	struct echo e;
	u8 b[8];

	echo_create(&e, &echo_ops);
	memset(b, 0x5a, sizeof(b));
	e.t.region.access(&e.t.region, NULL, MAGIC, b, 2, false);
	EXPECT_EQ(b[0] | b[1] << 8, 0);
	e.t.region.access(&e.t.region, NULL, MAGIC + 1, b, 4, false);
	EXPECT_EQ(b[0], 0);
	e.t.region.access(&e.t.region, NULL, MAGIC, b, 8, false);
	EXPECT_EQ(b[7], 0);
	b[0] = ACK;
	e.t.region.access(&e.t.region, NULL, STATUS, b, 1, true);
	EXPECT_EQ(rd(&e, STATUS), 0);
	virtio_mmio_destroy(&e.t);
}

TEST(init_rejects_bad_device_description)
{
	struct virtq_mem mem = {fake_gpa, NULL};
	struct virtio_dev_ops ops = echo_ops;
	struct echo e;

	ops.queue_max = 12;
	EXPECT_EQ(virtio_mmio_init(&e.t, "bad", MMIO_BASE, &ops, &mem, NULL, NULL), -EINVAL);
	ops = echo_ops;
	ops.num_queues = 0;
	EXPECT_EQ(virtio_mmio_init(&e.t, "bad", MMIO_BASE, &ops, &mem, NULL, NULL), -EINVAL);
	ops = echo_ops;
	ops.config_len = 0x101;
	EXPECT_EQ(virtio_mmio_init(&e.t, "bad", MMIO_BASE, &ops, &mem, NULL, NULL), -EINVAL);
	ops = echo_ops;
	ops.queue_notify = NULL;
	EXPECT_EQ(virtio_mmio_init(&e.t, "bad", MMIO_BASE, &ops, &mem, NULL, NULL), -EINVAL);
}

TEST(device_features)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	/* Device bits 0-23 from the ops; VERSION_1, INDIRECT_DESC, EVENT_IDX from the transport. */
	EXPECT_EQ(drv_read_features(&e),
		  F_ECHO_A | F_ECHO_B | F_INDIRECT | F_EVENT_IDX | F_VERSION_1);
	wr(&e, DEV_FEATURES_SEL, 2);
	EXPECT_EQ(rd(&e, DEV_FEATURES), 0);
	virtio_mmio_destroy(&e.t);
}

TEST(init_sequence)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1 | F_ECHO_B);
	EXPECT_EQ(e.activates, 1);
	EXPECT_EQ(virtio_mmio_features(&e.t), F_VERSION_1 | F_ECHO_B);
	EXPECT_TRUE(virtio_mmio_queue(&e.t, 0) != NULL);
	EXPECT_TRUE(virtio_mmio_queue(&e.t, 1) == NULL);
	EXPECT_EQ(e.irq_raises, 0);
	virtio_mmio_destroy(&e.t);
}

TEST(features_ok_refused_without_version_1)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	EXPECT_EQ(drv_negotiate(&e, F_ECHO_A), ACK | DRIVER);
	/* Refusing FEATURES_OK is the answer (3.1.1 step 6), not a device failure. */
	EXPECT_EQ(rd(&e, STATUS) & NEEDS_RESET, 0);
	virtio_mmio_destroy(&e.t);
}

TEST(features_ok_refused_for_unoffered_features)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	EXPECT_EQ(drv_negotiate(&e, F_VERSION_1 | (1ULL << 5)), ACK | DRIVER);
	EXPECT_EQ(drv_negotiate(&e, F_VERSION_1 | (1ULL << 40)), ACK | DRIVER);
	e.refuse_features = true;
	EXPECT_EQ(drv_negotiate(&e, F_VERSION_1), ACK | DRIVER);
	e.refuse_features = false;
	EXPECT_EQ(drv_negotiate(&e, F_VERSION_1), ACK | DRIVER | FEATURES_OK);
	virtio_mmio_destroy(&e.t);
}

TEST(features_ok_needs_driver_status)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	wr(&e, DRV_FEATURES_SEL, 1);
	wr(&e, DRV_FEATURES, 1);
	wr(&e, STATUS, ACK | FEATURES_OK);
	EXPECT_EQ(rd(&e, STATUS), ACK);
	virtio_mmio_destroy(&e.t);
}

TEST(features_frozen_after_features_ok)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	ASSERT_EQ(drv_negotiate(&e, F_VERSION_1 | F_ECHO_A) & FEATURES_OK, FEATURES_OK);
	wr(&e, DRV_FEATURES_SEL, 0);
	wr(&e, DRV_FEATURES, 0);
	EXPECT_EQ(virtio_mmio_features(&e.t), F_VERSION_1 | F_ECHO_A);
	virtio_mmio_destroy(&e.t);
}

TEST(queue_registers)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	wr(&e, QUEUE_SEL, 0);
	EXPECT_EQ(rd(&e, QUEUE_NUM_MAX), QSIZE);
	EXPECT_EQ(rd(&e, QUEUE_READY), 0);
	wr(&e, QUEUE_SEL, 1);
	EXPECT_EQ(rd(&e, QUEUE_NUM_MAX), 0); /* no such queue */
	wr(&e, QUEUE_READY, 1);
	EXPECT_EQ(rd(&e, QUEUE_READY), 0);
	wr(&e, QUEUE_SEL, 0xffffffff);
	wr(&e, QUEUE_NUM, 8);
	EXPECT_EQ(rd(&e, QUEUE_NUM_MAX), 0);
	virtio_mmio_destroy(&e.t);
}

/* Queue setup the driver gets wrong: NEEDS_RESET, queue not ready. */
static void queue_setup_refused(u32 size, u64 desc, u64 avail, u64 used, const char *why)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	ASSERT_EQ(drv_negotiate(&e, F_VERSION_1) & FEATURES_OK, FEATURES_OK);
	wr(&e, QUEUE_SEL, 0);
	wr(&e, QUEUE_NUM, size);
	wr64(&e, QUEUE_DESC, desc);
	wr64(&e, QUEUE_DRIVER, avail);
	wr64(&e, QUEUE_DEVICE, used);
	wr(&e, QUEUE_READY, 1);
	EXPECT_EQ(rd(&e, QUEUE_READY), 0);
	EXPECT_EQ(rd(&e, STATUS), ACK | DRIVER | FEATURES_OK | NEEDS_RESET);
	EXPECT_TRUE(virtio_mmio_queue(&e.t, 0) == NULL);
	if (!strstr(e.t.fail_reason, why))
		test_fail_at(__FILE__, __LINE__, "reason \"%s\" lacks \"%s\"", e.t.fail_reason,
			     why);
	/* Before DRIVER_OK there is no notification (2.1.2)... */
	EXPECT_EQ(e.irq_raises, 0);
	/* ...it comes with DRIVER_OK, and the device is not started. */
	wr(&e, STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
	EXPECT_EQ(rd(&e, INT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	EXPECT_EQ(e.activates, 0);
	virtio_mmio_destroy(&e.t);
}

TEST(queue_size_not_power_of_two)
{
	queue_setup_refused(12, DESC_GPA, AVAIL_GPA, USED_GPA, "queue size 12");
}

TEST(queue_size_above_max)
{
	queue_setup_refused(2 * QSIZE, DESC_GPA, AVAIL_GPA, USED_GPA, "queue size 32");
}

TEST(queue_size_zero)
{
	queue_setup_refused(0, DESC_GPA, AVAIL_GPA, USED_GPA, "queue size 0");
}

TEST(queue_rings_outside_ram)
{
	queue_setup_refused(QSIZE, RAM_END, AVAIL_GPA, USED_GPA, "not in guest RAM");
	queue_setup_refused(QSIZE, DESC_GPA, 0x1000, USED_GPA, "not in guest RAM");
	queue_setup_refused(QSIZE, DESC_GPA, AVAIL_GPA, RAM_END - 8, "not in guest RAM");
	queue_setup_refused(QSIZE, DESC_GPA, AVAIL_GPA, 0xfffffffffffffff0ULL, "not in guest RAM");
}

TEST(queue_rings_misaligned)
{
	queue_setup_refused(QSIZE, DESC_GPA + 4, AVAIL_GPA, USED_GPA, "misaligned");
}

TEST(queue_ready_before_features_ok)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	wr(&e, STATUS, ACK | DRIVER);
	drv_setup_queue(&e, 0, QSIZE);
	EXPECT_EQ(rd(&e, QUEUE_READY), 0);
	EXPECT_EQ(rd(&e, STATUS) & NEEDS_RESET, NEEDS_RESET);
	virtio_mmio_destroy(&e.t);
}

TEST(status_must_not_clear_bits)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	wr(&e, STATUS, ACK | DRIVER);
	EXPECT_EQ(rd(&e, STATUS), ACK | DRIVER | FEATURES_OK | DRIVER_OK | NEEDS_RESET);
	EXPECT_EQ(rd(&e, INT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	/* Writing back what was read, NEEDS_RESET included, is fine. */
	wr(&e, STATUS, rd(&e, STATUS) | 0x80);
	EXPECT_EQ(rd(&e, STATUS), ACK | DRIVER | FEATURES_OK | DRIVER_OK | NEEDS_RESET | 0x80);
	virtio_mmio_destroy(&e.t);
}

TEST(driver_ok_without_features_ok)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	wr(&e, STATUS, ACK | DRIVER | DRIVER_OK);
	EXPECT_EQ(rd(&e, STATUS), ACK | DRIVER | NEEDS_RESET);
	EXPECT_EQ(e.activates, 0);
	virtio_mmio_destroy(&e.t);
}

TEST(queue_stop_only_before_driver_ok)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	ASSERT_EQ(drv_negotiate(&e, F_VERSION_1) & FEATURES_OK, FEATURES_OK);
	drv_setup_queue(&e, 0, QSIZE);
	wr(&e, QUEUE_READY, 0);
	EXPECT_EQ(rd(&e, QUEUE_READY), 0);
	EXPECT_EQ(rd(&e, STATUS) & NEEDS_RESET, 0);
	drv_setup_queue(&e, 0, QSIZE);
	wr(&e, STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
	/* Running: queues go away only with a reset (no VIRTIO_F_RING_RESET). */
	wr(&e, QUEUE_READY, 0);
	EXPECT_EQ(rd(&e, STATUS) & NEEDS_RESET, NEEDS_RESET);
	virtio_mmio_destroy(&e.t);
}

TEST(reset)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1 | F_ECHO_A);
	virtio_mmio_config_changed(&e.t);
	ASSERT_TRUE(e.irq_level);
	wr(&e, STATUS, 0);
	EXPECT_EQ(e.resets, 2); /* drv_init's and this one */
	EXPECT_EQ(rd(&e, STATUS), 0);
	EXPECT_EQ(rd(&e, INT_STATUS), 0);
	EXPECT_FALSE(e.irq_level);
	EXPECT_EQ(rd(&e, QUEUE_READY), 0);
	EXPECT_TRUE(virtio_mmio_queue(&e.t, 0) == NULL);
	EXPECT_EQ(virtio_mmio_features(&e.t), 0);
	virtio_mmio_destroy(&e.t);
}

/* Configuration space (4.2.2.2) and its generation (2.5). */

static u32 cfg_rd(struct echo *e, u32 off, u32 len)
{
	u8 b[8];
	u32 v = 0, i;

	memset(b, 0x5a, sizeof(b));
	e->t.region.access(&e->t.region, NULL, CONFIG + off, b, len, false);
	for (i = 0; i < len && i < 4; i++)
		v |= (u32)b[i] << (8 * i);
	return v;
}

TEST(config_space_access)
{
	struct echo e;
	u8 v = 0x77;

	echo_create(&e, &echo_ops);
	EXPECT_EQ(cfg_rd(&e, 0, 4), 0x12345678);
	EXPECT_EQ(cfg_rd(&e, 4, 2), 0x1000);
	EXPECT_EQ(cfg_rd(&e, 1, 1), 0x56);
	/* Unaligned, 8-byte, or beyond config_len: reads as 0. */
	EXPECT_EQ(cfg_rd(&e, 1, 2), 0);
	EXPECT_EQ(cfg_rd(&e, 2, 4), 0);
	EXPECT_EQ(cfg_rd(&e, 0, 8), 0);
	EXPECT_EQ(cfg_rd(&e, 8, 4), 0);
	EXPECT_EQ(cfg_rd(&e, 0xfc, 4), 0);
	e.t.region.access(&e.t.region, NULL, CONFIG + 6, &v, 1, true);
	EXPECT_EQ(e.config[6], 0x77);
	e.t.region.access(&e.t.region, NULL, CONFIG + 0xff, &v, 1, true);
	EXPECT_EQ(cfg_rd(&e, 6, 1), 0x77);
	virtio_mmio_destroy(&e.t);
}

TEST(config_generation)
{
	struct echo e;
	u32 gen;

	echo_create(&e, &echo_ops);
	gen = rd(&e, CONFIG_GEN);
	virtio_mmio_config_changed(&e.t);
	EXPECT_NE(rd(&e, CONFIG_GEN), gen);
	EXPECT_EQ(rd(&e, INT_STATUS), 0); /* no notification before DRIVER_OK */
	drv_init(&e, F_VERSION_1);
	gen = rd(&e, CONFIG_GEN);
	virtio_mmio_config_changed(&e.t);
	EXPECT_NE(rd(&e, CONFIG_GEN), gen);
	EXPECT_EQ(rd(&e, INT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	EXPECT_TRUE(e.irq_level);
	wr(&e, INT_ACK, VIRTIO_MMIO_INT_CONFIG | 0xfffffffc);
	EXPECT_EQ(rd(&e, INT_STATUS), 0);
	virtio_mmio_destroy(&e.t);
}

TEST(device_reported_failure)
{
	struct echo e;

	echo_create(&e, &echo_ops);
	drv_init(&e, F_VERSION_1);
	virtio_mmio_fail(&e.t, "echo: backend gone");
	virtio_mmio_fail(&e.t, "second reason is dropped");
	EXPECT_EQ(rd(&e, STATUS) & NEEDS_RESET, NEEDS_RESET);
	EXPECT_STREQ(e.t.fail_reason, "echo: backend gone");
	EXPECT_EQ(e.irq_raises, 1);
	virtio_mmio_destroy(&e.t);
}
