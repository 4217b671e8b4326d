/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The register side of the fake Linux drivers of the virtio device tests
 * (virtio_console_fake.h, virtio_net_fake.h): the interrupt line the
 * transport drives, and accesses to the device's bus region. The includer
 * defines struct fake first, with `struct virtio_mmio *t`, `unsigned int
 * irq_raises` and `bool irq_level`, and passes it as the irq_ctx.
 */
#ifndef KTVM_TESTS_UNIT_VIRTIO_DRIVER_FAKE_H
#define KTVM_TESTS_UNIT_VIRTIO_DRIVER_FAKE_H

#include "devices/virtio/mmio.h"

/* Counts rising edges of the interrupt line. */
static inline void fake_irq(struct virtio_mmio *t, bool level)
{
	struct fake *f = t->irq_ctx;

	if (level && !f->irq_level)
		f->irq_raises++;
	f->irq_level = level;
}

static inline void bus_rw(struct fake *f, u64 off, void *data, u32 len, bool is_write)
{
	f->t->region.access(&f->t->region, NULL, off, data, len, is_write);
}

/* Reads start from 0x5a bytes, so a register the device leaves unwritten shows. */
static inline u32 rd(struct fake *f, u64 off)
{
	u8 b[4] = {0x5a, 0x5a, 0x5a, 0x5a};

	bus_rw(f, off, b, 4, false);
	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static inline u8 rd8(struct fake *f, u64 off)
{
	u8 b = 0x5a;

	bus_rw(f, off, &b, 1, false);
	return b;
}

static inline u16 rd16(struct fake *f, u64 off)
{
	u8 b[2] = {0x5a, 0x5a};

	bus_rw(f, off, b, 2, false);
	return (u16)(b[0] | b[1] << 8);
}

static inline void wr(struct fake *f, u64 off, u32 val)
{
	u8 b[4] = {(u8)val, (u8)(val >> 8), (u8)(val >> 16), (u8)(val >> 24)};

	bus_rw(f, off, b, 4, true);
}

static inline void wr64(struct fake *f, u64 off, u64 val)
{
	wr(f, off, (u32)val);
	wr(f, off + 4, (u32)(val >> 32));
}

#endif
