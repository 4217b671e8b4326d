/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake guest RAM and the driver's view of one split virtqueue, for the
 * virtqueue and virtio-mmio unit tests: a static buffer `ram` is guest RAM
 * at RAM_BASE, fake_gpa() maps it for struct virtq_mem, host() is the
 * unchecked map the driver side uses, and drv_desc*() write descriptors the
 * way virtio 1.2 2.7.5 lays them out.
 *
 * The includer (virtq_fake.h, virtio_mmio_fake.h) defines the layout first:
 * RAM_BASE, RAM_SIZE, and the rings at DESC_GPA, AVAIL_GPA and USED_GPA.
 */
#ifndef KTVM_TESTS_UNIT_VIRTIO_FAKE_H
#define KTVM_TESTS_UNIT_VIRTIO_FAKE_H

#include <string.h>

#include "devices/virtio/virtq.h"

#if !defined(RAM_BASE) || !defined(RAM_SIZE) || !defined(DESC_GPA) || !defined(AVAIL_GPA) ||       \
    !defined(USED_GPA)
#error "define RAM_BASE, RAM_SIZE, DESC_GPA, AVAIL_GPA and USED_GPA before virtio_fake.h"
#endif

#define RAM_END (RAM_BASE + RAM_SIZE)

static u8 ram[RAM_SIZE] __attribute__((aligned(4096)));

static inline void *fake_gpa(void *ctx, u64 gpa, u64 len)
{
	if (gpa < RAM_BASE || gpa - RAM_BASE > RAM_SIZE || len > RAM_END - gpa)
		return NULL;
	return ram + (gpa - RAM_BASE);
}

static inline void *host(u64 gpa)
{
	return ram + (gpa - RAM_BASE);
}

static inline void drv_desc_at(u64 table, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	struct virtq_desc d = {.addr = addr, .len = len, .flags = flags, .next = next};

	/* Tables may be unaligned on purpose: copy, do not cast. */
	memcpy((u8 *)host(table) + (size_t)i * sizeof(d), &d, sizeof(d));
}

static inline void drv_desc(u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	drv_desc_at(DESC_GPA, i, addr, len, flags, next);
}

static inline struct virtq_avail *drv_avail(void)
{
	return host(AVAIL_GPA);
}

static inline struct virtq_used *drv_used(void)
{
	return host(USED_GPA);
}

#endif
