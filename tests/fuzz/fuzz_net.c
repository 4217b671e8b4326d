// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the virtio network device (devices/virtio/net.c,
 * net_tx.c, net_rx.c) behind its virtio-mmio transport (mmio.c, virtq.c):
 * a hostile guest driving the device through register accesses, its own RAM
 * and the chains it posts, interleaved with the host draining and, in TAP
 * mode, with frames arriving from the TAP (a SOCK_SEQPACKET pair stands in
 * for it).
 *
 * Input: [0] flags: bit 0 offer CSUM/GUEST_CSUM, bits 1-2 the MTU (68, 576,
 * 1500, 9000), bit 3 TAP mode (else loopback). Then operations:
 *   0 OFF(2) LEN(1) VAL(8)  an MMIO access of 1/2/4/8 bytes (LEN bit 7: write)
 *   1 OFF(3) N(1) BYTES(N)  the driver writes N bytes of guest RAM at OFF
 *   2 FEAT(1)               the standard init (3.1.1) with MAC, MTU, STATUS and
 *                           FEAT's bits (EVENT_IDX, INDIRECT, MRG_RXBUF, CSUM,
 *                           GUEST_CSUM), both queues at their places
 *   3 Q(1)                  a queue notification as the ioeventfd gives it
 *   4 Q(1) N(1) {LEN(2) FL(1)}*N K(1) BYTES(K)
 *                           the driver posts a chain of N buffers on queue Q
 *                           (FL bit 0: device-writable, bit 1: INDIRECT), the
 *                           readable ones starting with the K bytes given (a
 *                           header, say) and filled with a pattern after
 *   5                       the host drains the transmitq
 *   6                       an interrupt resample (the irqfd's)
 *   7 LEN(2) K(1) BYTES(K)  TAP mode: the host sends a LEN-byte packet into
 *                           the TAP, the K bytes given first
 *   8                       TAP mode: the TAP is readable
 * Checks: in loopback, tx_frames == rx_frames + rx_dropped + rx_pending after
 * every operation; in TAP mode, every frame the device counted as sent is
 * one packet with a plain header and a frame of legal length, and every
 * packet the host sent is delivered, dropped or pending; the pending list
 * stays within its bound; byte counts fit the frame counts; the device
 * never touches memory outside guest RAM (ASan).
 */
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/endian.h"
#include "core/base/types.h"
#include "devices/virtio/mmio.h"
#include "devices/virtio/net.h"
#include "devices/virtio/virtq.h"
#include "tests/fuzz/fuzz_virtio.h"

#define FZ_RAM_BASE  0x80000000ULL
#define FZ_RAM_SIZE  (512 * 1024)
#define FZ_MMIO	     0xd0000000ULL
#define FZ_QSIZE     16
#define FZ_SLOT	     0x2000
#define FZ_RING(q)   (FZ_RAM_BASE + (u64)(q)*0x1000)
#define FZ_BUF(q, d) (FZ_RAM_BASE + 0x10000 + ((u64)(q)*FZ_QSIZE + (d)) * FZ_SLOT)

static u8 *fz_ram;
static u16 fz_next_desc[2], fz_avail[2];
static int fz_sv[2] = {-1, -1};
static u64 fz_host_sent;

static void *fz_gpa(void *ctx, u64 gpa, u64 len)
{
	(void)ctx;
	return fuzz_ram_gpa(fz_ram, FZ_RAM_BASE, FZ_RAM_SIZE, gpa, len);
}

static void *fz_host(u64 gpa)
{
	return fz_ram + (gpa - FZ_RAM_BASE);
}

static void fz_irq(struct virtio_mmio *t, bool level)
{
	(void)t;
	(void)level;
}

static void fz_init(struct virtio_mmio *t, u8 feat)
{
	/* VERSION_1, MAC, MTU, STATUS */
	u64 features = 1ULL << 32 | 1ULL << 5 | 1ULL << 3 | 1ULL << 16;

	if (feat & 1)
		features |= 1ULL << 29; /* EVENT_IDX */
	if (feat & 2)
		features |= 1ULL << 28; /* INDIRECT_DESC */
	if (feat & 4)
		features |= 1ULL << 15; /* MRG_RXBUF */
	if (feat & 8)
		features |= 1ULL << 0; /* CSUM */
	if (feat & 16)
		features |= 1ULL << 1; /* GUEST_CSUM */
	fuzz_virtio_init(t, features, 2, FZ_QSIZE, FZ_RING(0));
	memset(fz_next_desc, 0, sizeof(fz_next_desc));
	memset(fz_avail, 0, sizeof(fz_avail));
}

/* Op 4: a chain of buffers on queue q, made available (2.7.13) without a notification. */
static size_t fz_post(const u8 *data, size_t size, size_t i)
{
	u32 q, nbuf, k, fill = 0;
	u16 head, d, lens[FZ_QSIZE];
	u8 flags[FZ_QSIZE];
	const u8 *given;

	if (size - i < 2)
		return size;
	q = data[i] & 1;
	nbuf = 1 + data[i + 1] % FZ_QSIZE;
	i += 2;
	if (size - i < 3 * (size_t)nbuf + 1)
		return size;
	for (k = 0; k < nbuf; k++, i += 3) {
		lens[k] = (u16)((data[i] | data[i + 1] << 8) % (FZ_SLOT + 1));
		flags[k] = data[i + 2];
	}
	fill = data[i++];
	fill = (u32)MIN((size_t)fill, size - i);
	given = data + i;
	i += fill;
	head = d = fz_next_desc[q];
	for (k = 0; k < nbuf; k++) {
		struct virtq_desc desc;
		u8 *buf = fz_host(FZ_BUF(q, d));
		u16 next = (d + 1) % FZ_QSIZE;

		if (!(flags[k] & 1)) {
			u32 n = MIN(fill, (u32)lens[k]);

			memcpy(buf, given, n);
			given += n;
			fill -= n;
			for (u32 b = n; b < lens[k]; b++)
				buf[b] = (u8)(b * 7 + k);
		}
		desc.addr = htole64(FZ_BUF(q, d));
		desc.len = htole32(lens[k]);
		desc.flags = htole16((flags[k] & 1 ? VIRTQ_DESC_F_WRITE : 0) |
				     (flags[k] & 2 ? VIRTQ_DESC_F_INDIRECT : 0) |
				     (k + 1 < nbuf ? VIRTQ_DESC_F_NEXT : 0));
		desc.next = htole16(next);
		memcpy(fz_host(FZ_RING(q)) + (size_t)d * sizeof(desc), &desc, sizeof(desc));
		d = next;
	}
	fz_next_desc[q] = d;
	put_le16(fz_host(FZ_RING(q) + 0x400 + 4 + 2 * (fz_avail[q] % FZ_QSIZE)), head);
	fz_avail[q]++;
	put_le16(fz_host(FZ_RING(q) + 0x400 + 2), fz_avail[q]);
	return i;
}

/* Op 7: a packet from the host into the TAP (the far end of the pair). */
static size_t fz_host_send(const u8 *data, size_t size, size_t i)
{
	static u8 pkt[12 + 9018 + 64];
	u32 len, k;

	if (size - i < 3)
		return size;
	len = (u32)(data[i] | data[i + 1] << 8) % sizeof(pkt);
	k = (u32)MIN((size_t)data[i + 2], size - i - 3);
	k = MIN(k, len);
	memcpy(pkt, data + i + 3, k);
	for (u32 b = k; b < len; b++)
		pkt[b] = (u8)(b * 5);
	if (len && send(fz_sv[1], pkt, len, MSG_DONTWAIT) == (ssize_t)len)
		fz_host_sent++;
	return i + 3 + k;
}

static void fz_check(struct virtio_net *n, bool tap, u32 frame_max)
{
	struct virtio_net_stats st;

	virtio_net_stats(n, &st);
	CHECK(st.rx_pending <= VIRTIO_NET_PENDING_FRAMES);
	CHECK(st.tx_bytes <= st.tx_frames * frame_max);
	CHECK(st.tx_bytes >= st.tx_frames * VIRTIO_NET_ETH_HLEN);
	CHECK(st.rx_bytes <= st.rx_frames * frame_max);
	CHECK(st.rx_bytes >= st.rx_frames * VIRTIO_NET_ETH_HLEN);
	if (!tap)
		CHECK(st.tx_frames == st.rx_frames + st.rx_dropped + st.rx_pending);
	else
		CHECK(st.rx_frames + st.rx_dropped + st.rx_pending <= fz_host_sent);
}

/* TAP mode, at the end: what the device wrote, and what the host sent. */
static void fz_tap_final(struct virtio_net *n, u32 frame_max)
{
	static u8 pkt[12 + 9018 + 64];
	struct virtio_net_stats st;
	u64 written = 0;
	ssize_t r;
	u8 peek;
	int k;

	/* Everything the host sent is taken: read a burst at a time. */
	for (k = 0; k < 1000 && recv(fz_sv[0], &peek, 1, MSG_PEEK | MSG_DONTWAIT) >= 0; k++)
		virtio_net_tap_readable(n);
	while ((r = recv(fz_sv[1], pkt, sizeof(pkt), MSG_DONTWAIT)) >= 0) {
		CHECK(r >= 12 + VIRTIO_NET_ETH_HLEN && (u32)r <= 12 + frame_max);
		CHECK(pkt[1] == 0);		     /* no GSO */
		CHECK((pkt[0] & ~1) == 0);	     /* NEEDS_CSUM at most */
		CHECK(pkt[10] == 0 && pkt[11] == 0); /* num_buffers 0 */
		written++;
	}
	virtio_net_stats(n, &st);
	CHECK(written == st.tx_frames);
	CHECK(st.rx_frames + st.rx_dropped + st.rx_pending == fz_host_sent);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u16 mtus[4] = {68, 576, 1500, 9000};
	struct virtio_net_config cfg = {.mac = {0x02, 0x4b, 0x54, 0x56, 0, 1}, .tap_fd = -1};
	struct virtq_mem mem = {fz_gpa, NULL};
	struct virtio_net *n;
	struct virtio_mmio *t;
	u32 frame_max;
	size_t i = 1;
	bool tap;

	if (size < 1)
		return 0;
	if (!fz_ram)
		fz_ram = aligned_alloc(4096, FZ_RAM_SIZE);
	memset(fz_ram, 0, FZ_RAM_SIZE);
	memset(fz_next_desc, 0, sizeof(fz_next_desc));
	memset(fz_avail, 0, sizeof(fz_avail));
	fz_host_sent = 0;
	cfg.csum = data[0] & 1;
	cfg.mtu = mtus[(data[0] >> 1) & 3];
	frame_max = cfg.mtu + VIRTIO_NET_ETH_HLEN + VIRTIO_NET_VLAN_HLEN;
	tap = data[0] & 8;
	if (tap) {
		CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fz_sv) == 0);
		CHECK(fcntl(fz_sv[0], F_SETFL, O_NONBLOCK) == 0);
		cfg.mode = VIRTIO_NET_TAP;
		cfg.tap_fd = fz_sv[0];
	}
	CHECK(virtio_net_create(&n, &cfg, FZ_MMIO, &mem, fz_irq, NULL) == 0);
	t = virtio_net_transport(n);
	while (i < size) {
		u8 op = data[i++] % 9;

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
			i = fz_post(data, size, i);
			break;
		case 5:
			virtio_net_drain(n);
			break;
		case 6:
			virtio_mmio_irq_resample(t);
			break;
		case 7:
			if (tap)
				i = fz_host_send(data, size, i);
			break;
		case 8:
			if (tap)
				virtio_net_tap_readable(n);
			break;
		}
		fz_check(n, tap, frame_max);
	}
out:
	virtio_net_drain(n);
	fz_check(n, tap, frame_max);
	if (tap)
		fz_tap_final(n, frame_max);
	virtio_net_destroy(n);
	if (tap) {
		close(fz_sv[0]);
		close(fz_sv[1]);
	}
	return 0;
}
