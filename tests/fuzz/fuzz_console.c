// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the virtio console (devices/virtio/console.c,
 * console_ctrl.c) behind its virtio-mmio transport (mmio.c, virtq.c): a
 * hostile guest driving the device through register accesses and its own
 * RAM, interleaved with the host sending and draining.
 *
 * Input: [0] ports (1..4, port 1 named "ktvm-bulk"), then operations:
 *   0 OFF(2) LEN(1) VAL(8)  an MMIO access of 1/2/4/8 bytes (LEN bit 7: write)
 *   1 OFF(3) N(1) BYTES(N)  the driver writes N bytes of guest RAM at OFF
 *   2 FEAT(1)               the standard init (3.1.1) with MULTIPORT and
 *                           FEAT's bits (EVENT_IDX, INDIRECT), every queue
 *                           at its place, so the rest starts deep
 *   3 Q(1)                  a queue notification as the ioeventfd gives it
 *   4 PORT(1) N(1)          the host sends N bytes on PORT
 *   5                       the host drains the transmit queues
 *   6                       an interrupt resample (the irqfd's)
 * Checks: the sink only sees existing ports; the device's per-port
 * bytes_in equals what the sink got; it never touches RAM outside guest
 * memory (ASan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/endian.h"
#include "core/base/types.h"
#include "devices/virtio/console.h"
#include "devices/virtio/mmio.h"
#include "tests/fuzz/fuzz_virtio.h"

#define FZ_RAM_BASE 0x80000000ULL
#define FZ_RAM_SIZE (256 * 1024)
#define FZ_MMIO	    0xd0000000ULL
#define FZ_QSIZE    16

static u8 *fz_ram;
static u32 fz_ports;
static u64 fz_got[VIRTIO_CONSOLE_MAX_PORTS];

static void *fz_gpa(void *ctx, u64 gpa, u64 len)
{
	(void)ctx;
	return fuzz_ram_gpa(fz_ram, FZ_RAM_BASE, FZ_RAM_SIZE, gpa, len);
}

static u8 fz_sum;

static void fz_sink(void *ctx, u32 port, const u8 *data, size_t len)
{
	(void)ctx;
	CHECK(port < fz_ports);
	for (size_t i = 0; i < len; i++) /* every byte readable (ASan) */
		fz_sum ^= data[i];
	fz_got[port] += len;
}

static void fz_irq(struct virtio_mmio *t, bool level)
{
	(void)t;
	(void)level;
}

static void fz_init(struct virtio_mmio *t, u8 feat)
{
	u64 features = 1ULL << 32 | 1ULL << 1; /* VERSION_1, MULTIPORT */
	u32 nq = 2 + 2 * fz_ports;

	if (feat & 1)
		features |= 1ULL << 29;
	if (feat & 2)
		features |= 1ULL << 28;
	fuzz_virtio_init(t, features, nq, FZ_QSIZE, FZ_RAM_BASE);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	/*
	 * A small send ring: the host's sends wrap around it and fill it
	 * (-EAGAIN) within one input, and the device costs no MiB per input.
	 */
	struct virtio_console_config cfg = {.rx = fz_sink, .send_buf = 700};
	struct virtq_mem mem = {fz_gpa, NULL};
	struct virtio_console_stats st;
	struct virtio_console *c;
	struct virtio_mmio *t;
	static u8 sendbuf[256];
	size_t i = 1;

	if (size < 1)
		return 0;
	if (!fz_ram)
		fz_ram = aligned_alloc(4096, FZ_RAM_SIZE);
	memset(fz_ram, 0, FZ_RAM_SIZE);
	memset(fz_got, 0, sizeof(fz_got));
	fz_ports = 1 + data[0] % 4;
	cfg.nr_ports = fz_ports;
	if (fz_ports > 1)
		cfg.names[1] = "ktvm-bulk";
	CHECK(virtio_console_create(&c, &cfg, FZ_MMIO, &mem, fz_irq, NULL) == 0);
	t = virtio_console_transport(c);
	while (i < size) {
		u8 op = data[i++] % 7;

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
			if (i < size)
				fz_init(t, data[i++]);
			break;
		case 3:
			if (i < size)
				virtio_mmio_queue_notify(t, data[i++]);
			break;
		case 4:
			if (size - i < 2)
				goto out;
			memset(sendbuf, 'h', sizeof(sendbuf));
			virtio_console_send(c, data[i] % 5, sendbuf, data[i + 1]);
			i += 2;
			break;
		case 5:
			virtio_console_drain(c);
			break;
		case 6:
			virtio_mmio_irq_resample(t);
			break;
		}
	}
out:
	virtio_console_stats(c, &st);
	CHECK(st.nr_ports == fz_ports);
	for (u32 p = 0; p < fz_ports; p++)
		CHECK(st.port[p].bytes_in == fz_got[p]);
	virtio_console_destroy(c);
	return 0;
}
