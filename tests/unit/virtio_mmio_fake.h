/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake guest of the virtio-mmio transport tests (test_virtio_mmio*.c):
 * 1 MiB of guest RAM with one queue's rings at fixed places, the register
 * and status names of virtio 1.2 4.2.2 and 2.1, the interrupt line the
 * transport drives (echo_irq() counts raises, lowers and resamples), and a
 * driver that talks to the device only through its bus region, following
 * 3.1.1 and 4.2.3.
 *
 * The toy device itself is each test's own: define struct echo, with
 * `struct virtio_mmio t`, `unsigned int irq_raises, irq_lowers,
 * irq_resamples` and `bool irq_level`, before including this.
 */
#ifndef KTVM_TESTS_UNIT_VIRTIO_MMIO_FAKE_H
#define KTVM_TESTS_UNIT_VIRTIO_MMIO_FAKE_H

#include "devices/virtio/mmio.h"
#include "tests/test.h"

#define RAM_BASE  0x80000000ULL
#define RAM_SIZE  (1 * MiB)
#define DESC_GPA  (RAM_BASE + 0x0000)
#define AVAIL_GPA (RAM_BASE + 0x1000)
#define USED_GPA  (RAM_BASE + 0x2000)
#define TABLE_GPA (RAM_BASE + 0x3000)
#define BUF_GPA	  (RAM_BASE + 0x10000)
#define MMIO_BASE 0xd0000000ULL
#define QSIZE	  16

#include "tests/unit/virtio_fake.h"

#include "tests/unit/virtio_mmio_regs.h"

static inline void echo_irq(struct virtio_mmio *t, bool level)
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

/* The fake driver. */

static inline u32 rd(struct echo *e, u64 off)
{
	u8 b[4] = {0x5a, 0x5a, 0x5a, 0x5a};

	e->t.region.access(&e->t.region, NULL, off, b, 4, false);
	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static inline void wr(struct echo *e, u64 off, u32 val)
{
	u8 b[4] = {(u8)val, (u8)(val >> 8), (u8)(val >> 16), (u8)(val >> 24)};

	e->t.region.access(&e->t.region, NULL, off, b, 4, true);
}

static inline void wr64(struct echo *e, u64 off, u64 val)
{
	wr(e, off, (u32)val);
	wr(e, off + 4, (u32)(val >> 32));
}

static inline u64 drv_read_features(struct echo *e)
{
	wr(e, DEV_FEATURES_SEL, 1);
	u64 f = (u64)rd(e, DEV_FEATURES) << 32;
	wr(e, DEV_FEATURES_SEL, 0);
	return f | rd(e, DEV_FEATURES);
}

/* 3.1.1 steps 1-6; returns the status read back after FEATURES_OK. */
static inline u32 drv_negotiate(struct echo *e, u64 features)
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
static inline void drv_setup_queue(struct echo *e, u32 q, u32 size)
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
static inline void drv_init(struct echo *e, u64 features)
{
	ASSERT_EQ(rd(e, MAGIC), 0x74726976);
	ASSERT_EQ(rd(e, VERSION), 2);
	ASSERT_EQ(drv_negotiate(e, features) & FEATURES_OK, FEATURES_OK);
	drv_setup_queue(e, 0, QSIZE);
	ASSERT_EQ(rd(e, QUEUE_READY), 1);
	wr(e, STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
	ASSERT_EQ(rd(e, STATUS), ACK | DRIVER | FEATURES_OK | DRIVER_OK);
}

#endif
