/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the virtio device targets (fuzz_console, fuzz_blk, fuzz_net) share:
 * the transport driven through its bus region, the standard driver init
 * (virtio 1.2 3.1.1) with every queue at its place, and the two raw moves
 * of a hostile guest, decoded from the input the same way in each target:
 *
 *   MMIO:  OFF(2) LEN(1) VAL(8)   an access of 1/2/4/8 bytes (LEN bit 7: write)
 *   RAM:   OFF(3) N(1) BYTES(N)   the driver writes N bytes of its RAM at OFF
 */
#ifndef KTVM_TESTS_FUZZ_FUZZ_VIRTIO_H
#define KTVM_TESTS_FUZZ_FUZZ_VIRTIO_H

#include <string.h>

#include "core/base/endian.h"
#include "devices/virtio/mmio.h"
#include "tests/fuzz/fuzz.h"

static inline void fuzz_virtio_rw(struct virtio_mmio *t, u64 off, u64 val, u32 len, bool write)
{
	u8 b[8];

	put_le64(b, val);
	t->region.access(&t->region, NULL, off, b, len, write);
}

/*
 * 3.1.1: reset, ACKNOWLEDGE, DRIVER, the features, FEATURES_OK, queues
 * [0, nq) of qsize with queue q's descriptors at ring_base + q * 0x1000,
 * its driver area 0x400 and its device area 0x800 further, DRIVER_OK.
 */
static inline void fuzz_virtio_init(struct virtio_mmio *t, u64 features, u32 nq, u32 qsize,
				    u64 ring_base)
{
	fuzz_virtio_rw(t, VIRTIO_MMIO_STATUS, 0, 4, true);
	fuzz_virtio_rw(t, VIRTIO_MMIO_STATUS, 1, 4, true);
	fuzz_virtio_rw(t, VIRTIO_MMIO_STATUS, 3, 4, true);
	fuzz_virtio_rw(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1, 4, true);
	fuzz_virtio_rw(t, VIRTIO_MMIO_DRIVER_FEATURES, features >> 32, 4, true);
	fuzz_virtio_rw(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0, 4, true);
	fuzz_virtio_rw(t, VIRTIO_MMIO_DRIVER_FEATURES, (u32)features, 4, true);
	fuzz_virtio_rw(t, VIRTIO_MMIO_STATUS, 11, 4, true);
	for (u32 q = 0; q < nq; q++) {
		u64 ring = ring_base + (u64)q * 0x1000;

		fuzz_virtio_rw(t, VIRTIO_MMIO_QUEUE_SEL, q, 4, true);
		fuzz_virtio_rw(t, VIRTIO_MMIO_QUEUE_NUM, qsize, 4, true);
		fuzz_virtio_rw(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)ring, 4, true);
		fuzz_virtio_rw(t, VIRTIO_MMIO_QUEUE_DESC_HIGH, ring >> 32, 4, true);
		fuzz_virtio_rw(t, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)(ring + 0x400), 4, true);
		fuzz_virtio_rw(t, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, ring >> 32, 4, true);
		fuzz_virtio_rw(t, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)(ring + 0x800), 4, true);
		fuzz_virtio_rw(t, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, ring >> 32, 4, true);
		fuzz_virtio_rw(t, VIRTIO_MMIO_QUEUE_READY, 1, 4, true);
	}
	fuzz_virtio_rw(t, VIRTIO_MMIO_STATUS, 15, 4, true);
}

/* The MMIO move at data[*i]; false when the input ends first. */
static inline bool fuzz_virtio_mmio_op(struct virtio_mmio *t, const u8 *data, size_t size,
				       size_t *i)
{
	static const u32 lens[4] = {1, 2, 4, 8};
	const u8 *p = data + *i;
	u64 v = 0;

	if (size - *i < 11)
		return false;
	for (int k = 0; k < 8; k++)
		v |= (u64)p[3 + k] << (8 * k);
	fuzz_virtio_rw(t, (p[0] | p[1] << 8) % VIRTIO_MMIO_REGION_SIZE, v, lens[p[2] & 3],
		       p[2] & 0x80);
	*i += 11;
	return true;
}

/* The RAM move at data[*i] into ram (ram_size bytes); false when the input ends first. */
static inline bool fuzz_virtio_ram_op(u8 *ram, u32 ram_size, const u8 *data, size_t size, size_t *i)
{
	const u8 *p = data + *i;
	u32 off, n;

	if (size - *i < 4)
		return false;
	off = (u32)(p[0] | p[1] << 8 | (u32)p[2] << 16) % ram_size;
	n = p[3];
	*i += 4;
	n = (u32)MIN((size_t)n, size - *i);
	n = MIN(n, ram_size - off);
	memcpy(ram + off, data + *i, n);
	*i += n;
	return true;
}

#endif
