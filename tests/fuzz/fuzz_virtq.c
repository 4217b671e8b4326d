// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the split virtqueue (devices/virtio/virtq.c): the
 * guest controls everything in its RAM, so the input is that RAM.
 *
 * Input: 8 control bytes, then up to 64 KiB copied over guest RAM (which
 * holds the descriptor table, the rings and the buffers, wherever the
 * control bytes put them).
 *   [0] queue size: 1 << ([0] % 9) (1..256), or [0] itself when bit 7 is
 *       set (sizes that are no power of two must be refused)
 *   [1] features: bit 0 EVENT_IDX, bit 1 INDIRECT_DESC
 *   [2..3] descriptor table offset, [4..5] avail offset, [6..7] used offset
 *       (little-endian, in RAM)
 * Then up to 64 pops: each chain's buffers must lie inside guest RAM and
 * match the lengths the chain reports; the device writes every writable
 * byte (ASan sees any mapping outside RAM) and pushes the chain back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/types.h"
#include "devices/virtio/virtq.h"
#include "tests/fuzz/fuzz.h"

#define FZ_RAM_BASE 0x10000ULL
#define FZ_RAM_SIZE (64 * 1024)
#define FZ_BUFS	    16

static u8 *fz_ram;

static void *fz_gpa(void *ctx, u64 gpa, u64 len)
{
	(void)ctx;
	return fuzz_ram_gpa(fz_ram, FZ_RAM_BASE, FZ_RAM_SIZE, gpa, len);
}

static void fz_broken(struct virtq *vq)
{
	CHECK(vq->broken);
}

static bool fz_in_ram(const void *p, u32 len)
{
	const u8 *b = p;

	return b >= fz_ram && b + len <= fz_ram + FZ_RAM_SIZE;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct virtq_mem mem = {fz_gpa, NULL};
	struct virtq_buf buf[FZ_BUFS];
	struct virtq_chain c = {.buf = buf, .max = FZ_BUFS};
	struct virtq vq;
	u32 qsize;
	u64 features = 0;

	if (size < 8)
		return 0;
	if (!fz_ram)
		fz_ram = aligned_alloc(4096, FZ_RAM_SIZE);
	memset(fz_ram, 0, FZ_RAM_SIZE);
	memcpy(fz_ram, data + 8, MIN(size - 8, (size_t)FZ_RAM_SIZE));
	qsize = data[0] & 0x80 ? data[0] : 1u << (data[0] % 9);
	if (data[1] & 1)
		features |= 1ULL << 29; /* VIRTIO_F_RING_EVENT_IDX */
	if (data[1] & 2)
		features |= 1ULL << 28; /* VIRTIO_F_INDIRECT_DESC */
	virtq_init(&vq, &mem, fz_broken, NULL);
	if (virtq_setup(&vq, qsize, 256, FZ_RAM_BASE + (data[2] | data[3] << 8),
			FZ_RAM_BASE + (data[4] | data[5] << 8),
			FZ_RAM_BASE + (data[6] | data[7] << 8), features) < 0) {
		CHECK(vq.error[0]);
		return 0;
	}
	CHECK((qsize & (qsize - 1)) == 0);
	for (int i = 0; i < 64; i++) {
		u32 rd = 0, wr = 0;
		int r = virtq_pop(&vq, &c);

		if (r <= 0) {
			CHECK(r == 0 || vq.broken);
			break;
		}
		CHECK(c.nr <= c.max && c.nr_readable <= c.nr);
		for (u32 b = 0; b < c.nr; b++) {
			CHECK(fz_in_ram(buf[b].addr, buf[b].len));
			CHECK(buf[b].writable == (b >= c.nr_readable));
			if (buf[b].writable) {
				memset(buf[b].addr, 0xa5, buf[b].len);
				wr += buf[b].len;
			} else {
				rd += buf[b].len;
			}
		}
		CHECK(rd == c.readable_len && wr == c.writable_len);
		CHECK(rd + (u64)wr <= VIRTQ_CHAIN_MAX_BYTES);
		if (virtq_push(&vq, c.head, c.writable_len) < 0)
			break;
		(void)virtq_need_notify(&vq);
	}
	return 0;
}
