// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the virtio block device (devices/virtio/blk.c,
 * blk_io.c) behind its virtio-mmio transport: a hostile guest driving the
 * device through register accesses and its own RAM (rings, descriptor
 * chains, request headers, discard ranges), over a memfd standing for the
 * disk image.
 *
 * Input: [0] bit 0: a read-only disk; then operations:
 *   0 OFF(2) LEN(1) VAL(8)  an MMIO access of 1/2/4/8 bytes (LEN bit 7: write)
 *   1 OFF(3) N(1) BYTES(N)  the driver writes N bytes of guest RAM at OFF
 *   2 FEAT(1)               the standard init (3.1.1) with FEAT's bits
 *                           (EVENT_IDX, INDIRECT), the queue at its place
 *   3                       a queue notification, then wait for the requests
 *   4                       a device reset (status 0)
 * Checks: the backing file never grows past the disk (no write outside
 * it); a read-only disk's contents never change; nothing stays in flight
 * after a drain; the device never touches memory outside guest RAM (ASan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/endian.h"
#include "core/base/types.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/mmio.h"
#include "tests/fuzz/fuzz_virtio.h"

#define FZ_RAM_BASE 0x80000000ULL
#define FZ_RAM_SIZE (256 * 1024)
#define FZ_MMIO	    0xd0000000ULL
#define FZ_QSIZE    16
#define FZ_DISK	    (64 * 1024)

static u8 *fz_ram;
static int fz_fd = -1;
static u8 fz_image[FZ_DISK];

static void *fz_gpa(void *ctx, u64 gpa, u64 len)
{
	(void)ctx;
	return fuzz_ram_gpa(fz_ram, FZ_RAM_BASE, FZ_RAM_SIZE, gpa, len);
}

static void fz_irq(struct virtio_mmio *t, bool level)
{
	(void)t;
	(void)level;
}

static void fz_init(struct virtio_mmio *t, u8 feat)
{
	/* VERSION_1, SIZE_MAX, SEG_MAX, RO, BLK_SIZE, FLUSH, DISCARD, WRITE_ZEROES */
	u64 features = 1ULL << 32 | 1 << 1 | 1 << 2 | 1 << 5 | 1 << 6 | 1 << 9 | 1 << 13 | 1 << 14;

	if (feat & 1)
		features |= 1ULL << 29;
	if (feat & 2)
		features |= 1ULL << 28;
	fuzz_virtio_init(t, features, 1, FZ_QSIZE, FZ_RAM_BASE);
}

static void fz_check_file(bool ro)
{
	static u8 now[FZ_DISK];
	struct stat st;

	CHECK(fstat(fz_fd, &st) == 0);
	CHECK(st.st_size == FZ_DISK);
	if (ro) {
		CHECK(pread(fz_fd, now, FZ_DISK, 0) == FZ_DISK);
		CHECK(memcmp(now, fz_image, FZ_DISK) == 0);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct virtq_mem mem = {fz_gpa, NULL};
	struct virtio_blk_config cfg = {.size = FZ_DISK, .workers = 2, .id = "fuzz"};
	struct virtio_blk_stats st;
	struct virtio_blk *b;
	struct virtio_mmio *t;
	size_t i = 1;
	bool ro;

	if (size < 1)
		return 0;
	if (!fz_ram) {
		fz_ram = aligned_alloc(4096, FZ_RAM_SIZE);
		fz_fd = memfd_create("fuzz-blk", 0);
		CHECK(fz_ram && fz_fd >= 0);
		for (u32 k = 0; k < FZ_DISK; k++)
			fz_image[k] = (u8)(k * 31 + 7);
	}
	memset(fz_ram, 0, FZ_RAM_SIZE);
	/* The same image each input: a known starting point and a fixed size. */
	CHECK(ftruncate(fz_fd, FZ_DISK) == 0);
	CHECK(pwrite(fz_fd, fz_image, FZ_DISK, 0) == FZ_DISK);
	ro = data[0] & 1;
	cfg.fd = fz_fd;
	cfg.read_only = ro;
	CHECK(virtio_blk_create(&b, &cfg, FZ_MMIO, &mem, fz_irq, NULL) == 0);
	t = virtio_blk_transport(b);
	while (i < size) {
		u8 op = data[i++] % 5;

		switch (op) {
		case 0:
			if (!fuzz_virtio_mmio_op(t, data, size, &i))
				goto out;
			break;
		case 1:
			if (!fuzz_virtio_ram_op(fz_ram, FZ_RAM_SIZE, data, size, &i))
				goto out;
			break;
		case 2:
			if (size - i < 1)
				goto out;
			fz_init(t, data[i++]);
			break;
		case 3:
			virtio_mmio_queue_notify(t, 0);
			virtio_blk_drain(b);
			virtio_blk_stats(b, &st);
			CHECK(st.in_flight == 0);
			break;
		case 4:
			fuzz_virtio_rw(t, VIRTIO_MMIO_STATUS, 0, 4, true);
			break;
		}
	}
out:
	virtio_blk_drain(b);
	virtio_blk_stats(b, &st);
	CHECK(st.in_flight == 0);
	CHECK(st.in_flight_max <= 128);
	if (ro)
		CHECK(st.bytes_written == 0);
	virtio_blk_destroy(b);
	fz_check_file(ro);
	return 0;
}
