// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (devices/virtio/net.c, net_tx.c, net_rx.c) behind its
 * virtio-mmio transport, and host TAPs (devices/tap.c): identity, features
 * and configuration; loopback of frames, with and without MRG_RXBUF, in
 * order, waiting for receive buffers, bounded; partial checksums completed
 * in software (checked against a checksum computed here) or passed on;
 * hostile chains counted while the device goes on; reset; EVENT_IDX;
 * creation checks. Driven through the bus region by the fake Linux driver
 * of virtio_net_fake.h; the TAP backend is in test_virtio_net_tap.c.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices/tap.h"
#include "tests/unit/virtio_net_fake.h"

/* A loopback device with the driver up and features negotiated. */
static void up(u64 features, u16 mtu, bool csum)
{
	struct virtio_net_config cfg = fake_cfg(mtu, csum);

	ASSERT_EQ(fake_create_cfg(&fk, &cfg), 0);
	ASSERT_TRUE(fake_init(&fk, features));
}

static void expect_loopback_counters(void)
{
	struct virtio_net_stats s = stats(&fk);

	EXPECT_EQ(s.tx_frames, s.rx_frames + s.rx_dropped + s.rx_pending);
}

TEST(identity_features_and_config)
{
	struct virtio_net_config cfg = fake_cfg(0, false);
	u32 i;

	ASSERT_EQ(fake_create_cfg(&fk, &cfg), 0);
	EXPECT_EQ(rd(&fk, DEVICE_ID), 1); /* 5.1.1 */
	wr(&fk, DEV_FEATURES_SEL, 0);
	/* No CSUM without cfg.csum, no GSO, no CTRL_VQ or MQ. */
	EXPECT_EQ(rd(&fk, DEV_FEATURES) & 0xffffff, F_MAC | F_MTU | F_STATUS | F_MRG_RXBUF);
	wr(&fk, DEV_FEATURES_SEL, 1);
	EXPECT_EQ(rd(&fk, DEV_FEATURES) & 1, 1); /* VERSION_1 */
	for (i = 0; i < 6; i++)
		EXPECT_EQ(rd8(&fk, CONFIG + i), test_mac[i]);
	EXPECT_EQ(rd16(&fk, CONFIG + 6), 1);	 /* status: LINK_UP */
	EXPECT_EQ(rd16(&fk, CONFIG + 8), 1);	 /* max_virtqueue_pairs */
	EXPECT_EQ(rd16(&fk, CONFIG + 10), 1500); /* mtu 0 means 1500 */
	EXPECT_EQ(rd(&fk, CONFIG + 8), 1 | 1500 << 16);
	/* Read-only for the driver (5.1.4.2); nothing past the 12 bytes. */
	wr(&fk, CONFIG + 8, 0xffffffff);
	bus_rw(&fk, CONFIG + 0, "\x01", 1, true);
	EXPECT_EQ(rd16(&fk, CONFIG + 10), 1500);
	EXPECT_EQ(rd8(&fk, CONFIG + 0), test_mac[0]);
	EXPECT_EQ(rd(&fk, CONFIG + 12), 0);
	/* receiveq1 and transmitq1 only (5.1.2). */
	wr(&fk, QUEUE_SEL, 1);
	EXPECT_EQ(rd(&fk, QUEUE_NUM_MAX), VIRTIO_NET_QUEUE_MAX);
	wr(&fk, QUEUE_SEL, 2);
	EXPECT_EQ(rd(&fk, QUEUE_NUM_MAX), 0);
	/* GUEST_TSO4 (7) and CSUM are not offered: FEATURES_OK stays clear. */
	EXPECT_FALSE(fake_init(&fk, F_NET | (1ULL << 7)));
	EXPECT_FALSE(fake_init(&fk, F_NET | F_CSUM));
	EXPECT_TRUE(fake_init(&fk, F_NET | F_MRG_RXBUF));
	fake_destroy(&fk);

	cfg = fake_cfg(9000, true);
	ASSERT_EQ(fake_create_cfg(&fk, &cfg), 0);
	wr(&fk, DEV_FEATURES_SEL, 0);
	EXPECT_EQ(rd(&fk, DEV_FEATURES) & 0xffffff,
		  F_CSUM | F_GUEST_CSUM | F_MAC | F_MTU | F_STATUS | F_MRG_RXBUF);
	EXPECT_EQ(rd16(&fk, CONFIG + 10), 9000);
	EXPECT_TRUE(fake_init(&fk, F_NET | F_CSUM | F_GUEST_CSUM | F_MRG_RXBUF));
	fake_destroy(&fk);
}

TEST(loopback_single_frame)
{
	struct virtio_net_stats s;
	u8 frame[100];
	u16 head;
	u32 len;

	up(F_NET, 0, false);
	make_frame(frame, sizeof(frame), 1);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_frame(&fk, frame, sizeof(frame)));
	ASSERT_TRUE(used_next(&fk, TXQ, &head, &len));
	EXPECT_EQ(len, 0); /* nothing written into a transmit chain */
	EXPECT_RX_FRAME(frame, sizeof(frame));
	EXPECT_EQ(used_idx(RXQ), 1);
	s = stats(&fk);
	EXPECT_EQ(s.tx_frames, 1);
	EXPECT_EQ(s.tx_bytes, sizeof(frame));
	EXPECT_EQ(s.rx_frames, 1);
	EXPECT_EQ(s.rx_bytes, sizeof(frame));
	EXPECT_EQ(s.tx_dropped + s.rx_dropped + s.bad_chains + s.csum_fixed + s.rx_pending, 0);
	EXPECT_GT(fk.irq_raises, 0);
	fake_destroy(&fk);
}

/* The header may share a buffer with the frame, or be split: any framing (5.1.6.2). */
TEST(loopback_any_framing)
{
	static const u8 hdr[HDR];
	u8 frame[200], part[7 + 20];
	struct seg s[3];

	up(F_NET, 0, false);
	make_frame(frame, sizeof(frame), 2);
	memcpy(part, hdr + 5, 7);
	memcpy(part + 7, frame, 20);
	s[0] = (struct seg){hdr, 5, false, 0};
	s[1] = (struct seg){part, sizeof(part), false, 0};
	s[2] = (struct seg){frame + 20, sizeof(frame) - 20, false, 0};
	ASSERT_GE(post_in(&fk, SLOT), 0);
	ASSERT_GE(post(&fk, TXQ, s, 3), 0);
	notify(&fk, TXQ);
	EXPECT_RX_FRAME(frame, sizeof(frame));
	EXPECT_EQ(stats(&fk).bad_chains, 0);
	fake_destroy(&fk);
}

/* Frames the guest has no buffers for wait, in order, until it posts some. */
TEST(frames_wait_for_receive_buffers)
{
	u8 f1[60], f2[300], f3[1514];

	up(F_NET, 0, false);
	make_frame(f1, sizeof(f1), 1);
	make_frame(f2, sizeof(f2), 2);
	make_frame(f3, sizeof(f3), 3);
	ASSERT_TRUE(send_frame(&fk, f1, sizeof(f1)));
	ASSERT_TRUE(send_frame(&fk, f2, sizeof(f2)));
	ASSERT_TRUE(send_frame(&fk, f3, sizeof(f3)));
	EXPECT_EQ(stats(&fk).rx_pending, 3);
	EXPECT_EQ(used_idx(RXQ), 0);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	EXPECT_RX_FRAME(f1, sizeof(f1));
	EXPECT_RX_FRAME(f2, sizeof(f2));
	EXPECT_EQ(stats(&fk).rx_pending, 1);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	EXPECT_RX_FRAME(f3, sizeof(f3));
	EXPECT_EQ(stats(&fk).rx_pending, 0);
	expect_loopback_counters();
	fake_destroy(&fk);
}

TEST(mrg_rxbuf_frame_spans_chains)
{
	u8 frame[1000], got[2048], small[100];
	u32 lens[4], i;
	struct seg split[2] = {{NULL, 6, true, 0}, {NULL, 250, true, 0}};
	const u8 *a, *b;
	int head;

	up(F_NET | F_MRG_RXBUF, 0, false);
	make_frame(frame, sizeof(frame), 4);
	/* Two chains of 256 bytes are not enough for 12 + 1000: it waits, holding them. */
	for (i = 0; i < 2; i++)
		ASSERT_GE(post_in(&fk, 256), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_frame(&fk, frame, sizeof(frame)));
	EXPECT_EQ(used_idx(RXQ), 0);
	EXPECT_EQ(stats(&fk).rx_pending, 1);
	for (i = 0; i < 2; i++)
		ASSERT_GE(post_in(&fk, 256), 0);
	notify(&fk, RXQ);
	/* 5.1.6.4.1: all but the last chain full, used together, num_buffers = 4. */
	ASSERT_EQ(used_idx(RXQ), 4);
	ASSERT_EQ(rx_collect(4, got, lens), HDR + sizeof(frame));
	EXPECT_EQ(lens[0], 256);
	EXPECT_EQ(lens[1], 256);
	EXPECT_EQ(lens[2], 256);
	EXPECT_EQ(lens[3], HDR + sizeof(frame) - 3 * 256);
	EXPECT_EQ(hdr16(got, 10), 4);
	EXPECT_EQ(got[0], 0);
	EXPECT_EQ(memcmp(got + HDR, frame, sizeof(frame)), 0);
	/* A chain whose num_buffers straddles its two buffers. */
	make_frame(small, sizeof(small), 5);
	head = post(&fk, RXQ, split, 2);
	ASSERT_GE(head, 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_frame(&fk, small, sizeof(small)));
	ASSERT_EQ(rx_collect(1, got, lens), HDR + sizeof(small));
	a = host(BUF(RXQ, head));
	b = host(BUF(RXQ, (head + 1) % QSIZE));
	EXPECT_EQ(b[4] | b[5] << 8, 1); /* header bytes 10 and 11 */
	EXPECT_EQ(a[0], 0);
	EXPECT_EQ(memcmp(b + 6, small, sizeof(small)), 0);
	expect_loopback_counters();
	EXPECT_EQ(stats(&fk).bad_chains, 0);
	fake_destroy(&fk);
}

/* Without MRG_RXBUF a frame needs one chain that holds it whole (5.1.6.3.2). */
TEST(no_mrg_rxbuf_frame_too_big_dropped_chain_kept)
{
	u8 big[200], fits[60];
	struct virtio_net_stats s;
	u16 head;
	u32 len;
	int h;

	up(F_NET, 0, false);
	make_frame(big, sizeof(big), 6);
	make_frame(fits, sizeof(fits), 7);
	h = post_in(&fk, HDR + 100);
	ASSERT_GE(h, 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_frame(&fk, big, sizeof(big)));
	s = stats(&fk);
	EXPECT_EQ(s.rx_dropped, 1);
	EXPECT_EQ(s.rx_pending, 0);
	EXPECT_EQ(used_idx(RXQ), 0); /* the chain is kept */
	ASSERT_TRUE(send_frame(&fk, fits, sizeof(fits)));
	ASSERT_TRUE(used_next(&fk, RXQ, &head, &len));
	EXPECT_EQ(head, h);
	EXPECT_EQ(len, HDR + sizeof(fits));
	EXPECT_EQ(memcmp(host(BUF(RXQ, head)) + HDR, fits, sizeof(fits)), 0);
	EXPECT_EQ(stats(&fk).bad_chains, 0);
	expect_loopback_counters();
	fake_destroy(&fk);
}

TEST(pending_list_is_bounded)
{
	struct virtio_net_stats s;
	u8 frame[60];
	u32 i, j, lens[QSIZE];
	static u8 got[QSIZE * SLOT];
	struct seg big;
	static u8 pkt[HDR + 65000];

	up(F_NET, 0, false);
	for (i = 0; i < 300; i++) {
		make_frame(frame, sizeof(frame), i);
		ASSERT_TRUE(send_frame(&fk, frame, sizeof(frame)));
	}
	s = stats(&fk);
	EXPECT_EQ(s.tx_frames, 300);
	EXPECT_EQ(s.rx_pending, VIRTIO_NET_PENDING_FRAMES);
	EXPECT_EQ(s.rx_dropped, 300 - VIRTIO_NET_PENDING_FRAMES);
	expect_loopback_counters();
	/* The oldest are kept, in order. */
	for (i = 0; i < QSIZE; i++)
		ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	ASSERT_EQ(rx_collect(QSIZE, got, lens), QSIZE * (HDR + sizeof(frame)));
	for (i = 0; i < QSIZE; i++) {
		make_frame(frame, sizeof(frame), i);
		EXPECT_EQ(memcmp(got + i * (HDR + sizeof(frame)) + HDR, frame, sizeof(frame)), 0);
	}
	fake_destroy(&fk);

	/* And by bytes: 64 frames of 65000 fill 4 MiB, the next ones are dropped. */
	up(F_NET, 65535, false);
	memset(pkt, 0, HDR);
	make_frame(pkt + HDR, 65000, 9);
	big = (struct seg){pkt, sizeof(pkt), false, BIG_GPA};
	for (j = 0; j < 70; j++) {
		ASSERT_GE(post(&fk, TXQ, &big, 1), 0);
		notify(&fk, TXQ);
	}
	s = stats(&fk);
	EXPECT_EQ(s.tx_frames, 70);
	EXPECT_EQ(s.rx_pending, VIRTIO_NET_PENDING_BYTES / sizeof(pkt));
	EXPECT_EQ(s.rx_dropped, 70 - VIRTIO_NET_PENDING_BYTES / sizeof(pkt));
	expect_loopback_counters();
	fake_destroy(&fk);
}

TEST(needs_csum_completed_in_software)
{
	u8 frame[128], hdr[HDR];
	u16 pseudo, want;
	u32 len = make_udp(frame, &pseudo), l;
	const u8 *b;

	/* CSUM negotiated, GUEST_CSUM not: the looped frame must arrive complete. */
	up(F_NET | F_CSUM, 0, true);
	want = ref_udp_csum(frame + 14, frame + 34, len - 34);
	ASSERT_NE(want, 0);
	make_hdr(hdr, NEEDS_CSUM, 0, 34, 6);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_pkt(&fk, hdr, frame, len));
	b = rx_next(&l);
	ASSERT_TRUE(b != NULL);
	EXPECT_EQ(l, HDR + len);
	EXPECT_EQ(b[0], 0); /* 5.1.6.4.1: flags 0 without GUEST_CSUM */
	EXPECT_EQ(hdr16(b, 6), 0);
	EXPECT_EQ(hdr16(b, 8), 0);
	EXPECT_EQ(b[HDR + 40] << 8 | b[HDR + 41], want);
	/* Everything but the checksum field is unchanged. */
	EXPECT_EQ(memcmp(b + HDR, frame, 40), 0);
	EXPECT_EQ(memcmp(b + HDR + 42, frame + 42, len - 42), 0);
	EXPECT_EQ(stats(&fk).csum_fixed, 1);
	fake_destroy(&fk);

	/* The same without CSUM negotiated (a driver breaking 5.1.6.2.1): completed too. */
	up(F_NET, 0, false);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_pkt(&fk, hdr, frame, len));
	b = rx_next(&l);
	ASSERT_TRUE(b != NULL);
	EXPECT_EQ(b[HDR + 40] << 8 | b[HDR + 41], want);
	fake_destroy(&fk);
}

TEST(needs_csum_passed_on_with_guest_csum)
{
	u8 frame[128], hdr[HDR];
	u16 pseudo;
	u32 len = make_udp(frame, &pseudo), l;
	const u8 *b;

	up(F_NET | F_CSUM | F_GUEST_CSUM, 0, true);
	make_hdr(hdr, NEEDS_CSUM, 0, 34, 6);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_pkt(&fk, hdr, frame, len));
	b = rx_next(&l);
	ASSERT_TRUE(b != NULL);
	EXPECT_EQ(b[0], NEEDS_CSUM);
	EXPECT_EQ(hdr16(b, 6), 34);
	EXPECT_EQ(hdr16(b, 8), 6);
	EXPECT_EQ(hdr16(b, 10), 1);
	EXPECT_EQ(memcmp(b + HDR, frame, len), 0); /* still the pseudo-header sum */
	EXPECT_EQ(stats(&fk).csum_fixed, 0);
	fake_destroy(&fk);
}

TEST(hostile_chains_counted_device_goes_on)
{
	u8 frame[1518 + 1], pkt[HDR + 60], hdr[HDR];
	struct seg mixed[2] = {{pkt, sizeof(pkt), false, 0}, {NULL, 8, true, 0}};
	struct seg rx_mixed[2] = {{"evil", 4, false, 0}, {NULL, SLOT, true, 0}};
	struct virtio_net_stats s;
	u16 head;
	u32 len;

	up(F_NET, 0, false);
	make_frame(frame, sizeof(frame), 8);
	memset(pkt, 0, HDR);
	memcpy(pkt + HDR, frame, 60);
	/* A device-writable buffer in a transmit chain. */
	ASSERT_GE(post(&fk, TXQ, mixed, 2), 0);
	notify(&fk, TXQ);
	ASSERT_TRUE(used_next(&fk, TXQ, &head, &len));
	EXPECT_EQ(len, 0);
	EXPECT_EQ(stats(&fk).bad_chains, 1);
	/* A header alone, less than a header, and less than an Ethernet header. */
	ASSERT_GE(post_out(&fk, pkt, HDR), 0);
	ASSERT_GE(post_out(&fk, pkt, 5), 0);
	ASSERT_GE(post_out(&fk, pkt, HDR + 13), 0);
	notify(&fk, TXQ);
	EXPECT_EQ(stats(&fk).bad_chains, 4);
	/* One byte over mtu + 18; exactly mtu + 18 goes (and waits for a buffer). */
	ASSERT_TRUE(send_frame(&fk, frame, sizeof(frame)));
	EXPECT_EQ(stats(&fk).bad_chains, 5);
	ASSERT_TRUE(send_frame(&fk, frame, sizeof(frame) - 1));
	EXPECT_EQ(stats(&fk).rx_pending, 1);
	/* Checksum fields outside the frame, however the offsets add up. */
	make_hdr(hdr, NEEDS_CSUM, 0, 50, 9);
	ASSERT_TRUE(send_pkt(&fk, hdr, frame, 60));
	make_hdr(hdr, NEEDS_CSUM, 0, 0xffff, 0xffff);
	ASSERT_TRUE(send_pkt(&fk, hdr, frame, 60));
	/* A GSO frame: no GSO feature is offered. */
	make_hdr(hdr, 0, 1, 0, 0);
	ASSERT_TRUE(send_pkt(&fk, hdr, frame, 60));
	s = stats(&fk);
	EXPECT_EQ(s.bad_chains, 8);
	EXPECT_EQ(s.tx_dropped, 8);
	EXPECT_EQ(s.tx_frames, 1);
	EXPECT_EQ(s.csum_fixed, 0);
	/* Receive chains: a device-readable buffer, and room for less than a header. */
	ASSERT_GE(post(&fk, RXQ, rx_mixed, 2), 0);
	ASSERT_GE(post_in(&fk, 8), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(used_next(&fk, RXQ, &head, &len));
	EXPECT_EQ(len, 0);
	ASSERT_TRUE(used_next(&fk, RXQ, &head, &len));
	EXPECT_EQ(len, 0);
	s = stats(&fk);
	EXPECT_EQ(s.bad_chains, 10);
	EXPECT_EQ(s.rx_pending, 1);
	/* The device has not stopped: the waiting frame goes into a proper buffer. */
	EXPECT_EQ(rd(&fk, STATUS) & NEEDS_RESET, 0);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	EXPECT_RX_FRAME(frame, sizeof(frame) - 1);
	expect_loopback_counters();
	fake_destroy(&fk);
}

TEST(hostile_receive_chains_with_mrg_rxbuf)
{
	struct seg rx_mixed[2] = {{"evil", 4, false, 0}, {NULL, 256, true, 0}};
	u8 frame[1000], got[2048];
	u32 lens[QSIZE], i;
	u16 head;
	u32 len;

	up(F_NET | F_MRG_RXBUF, 0, false);
	make_frame(frame, sizeof(frame), 10);
	/* Too small for a header where a frame starts, and a device-readable buffer. */
	ASSERT_GE(post_in(&fk, 8), 0);
	ASSERT_GE(post(&fk, RXQ, rx_mixed, 2), 0);
	for (i = 0; i < 4; i++)
		ASSERT_GE(post_in(&fk, 300), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_frame(&fk, frame, sizeof(frame)));
	EXPECT_EQ(stats(&fk).bad_chains, 2);
	ASSERT_TRUE(used_next(&fk, RXQ, &head, &len));
	EXPECT_EQ(len, 0);
	ASSERT_TRUE(used_next(&fk, RXQ, &head, &len));
	EXPECT_EQ(len, 0);
	ASSERT_EQ(rx_collect(4, got, lens), HDR + sizeof(frame));
	EXPECT_EQ(hdr16(got, 10), 4);
	EXPECT_EQ(memcmp(got + HDR, frame, sizeof(frame)), 0);
	fake_destroy(&fk);

	/* A ring of chains that together cannot hold the frame: dropped, the chains given back. */
	up(F_NET | F_MRG_RXBUF, 0, false);
	for (i = 0; i < QSIZE; i++)
		ASSERT_GE(post_in(&fk, 20), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_frame(&fk, frame, sizeof(frame)));
	EXPECT_EQ(used_idx(RXQ), QSIZE);
	for (i = 0; i < QSIZE; i++) {
		ASSERT_TRUE(used_next(&fk, RXQ, &head, &len));
		EXPECT_EQ(len, 0);
	}
	EXPECT_EQ(stats(&fk).rx_dropped, 1);
	EXPECT_EQ(stats(&fk).rx_pending, 0);
	EXPECT_EQ(rd(&fk, STATUS) & NEEDS_RESET, 0);
	/* And the next frame, with proper buffers, arrives. */
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_frame(&fk, frame, 100));
	EXPECT_RX_FRAME(frame, 100);
	expect_loopback_counters();
	fake_destroy(&fk);
}

TEST(reset_forgets_pending_frames)
{
	u8 old[80], fresh[90], big[1000], got[2048];
	u32 i, lens[4];
	struct virtio_net_stats s;

	up(F_NET, 0, false);
	make_frame(old, sizeof(old), 11);
	make_frame(fresh, sizeof(fresh), 12);
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(send_frame(&fk, old, sizeof(old)));
	EXPECT_EQ(stats(&fk).rx_pending, 3);
	wr(&fk, STATUS, 0);
	s = stats(&fk);
	EXPECT_EQ(s.rx_pending, 0);
	EXPECT_EQ(s.rx_dropped, 3); /* meant for a driver that is gone */
	ASSERT_TRUE(fake_init(&fk, F_NET));
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	EXPECT_EQ(used_idx(RXQ), 0);
	ASSERT_TRUE(send_frame(&fk, fresh, sizeof(fresh)));
	EXPECT_RX_FRAME(fresh, sizeof(fresh));
	expect_loopback_counters();

	/* A frame half-way through its chains (MRG_RXBUF) is forgotten with them. */
	ASSERT_TRUE(fake_init(&fk, F_NET | F_MRG_RXBUF));
	make_frame(big, sizeof(big), 13);
	ASSERT_GE(post_in(&fk, 256), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_frame(&fk, big, sizeof(big)));
	EXPECT_EQ(stats(&fk).rx_pending, 1);
	ASSERT_TRUE(fake_init(&fk, F_NET | F_MRG_RXBUF));
	EXPECT_EQ(stats(&fk).rx_pending, 0);
	for (i = 0; i < 4; i++)
		ASSERT_GE(post_in(&fk, 256), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(send_frame(&fk, big, sizeof(big)));
	ASSERT_EQ(rx_collect(4, got, lens), HDR + sizeof(big));
	EXPECT_EQ(hdr16(got, 10), 4);
	EXPECT_EQ(memcmp(got + HDR, big, sizeof(big)), 0);
	EXPECT_EQ(rd(&fk, STATUS) & NEEDS_RESET, 0);
	expect_loopback_counters();
	fake_destroy(&fk);
}

TEST(counters_agree_in_loopback)
{
	u8 frame[1514];
	struct virtio_net_stats s;
	u32 i;

	up(F_NET, 0, false);
	/* Some delivered, some dropped for a small chain, some waiting, some over the bound. */
	for (i = 0; i < 4; i++)
		ASSERT_GE(post_in(&fk, SLOT), 0);
	ASSERT_GE(post_in(&fk, HDR + 100), 0);
	notify(&fk, RXQ);
	for (i = 0; i < 280; i++) {
		make_frame(frame, 60 + (i * 37) % 1400, i);
		ASSERT_TRUE(send_frame(&fk, frame, 60 + (i * 37) % 1400));
	}
	s = stats(&fk);
	EXPECT_EQ(s.tx_frames, 280);
	EXPECT_GT(s.rx_frames, 4);
	EXPECT_GT(s.rx_dropped, 0);
	EXPECT_GT(s.rx_pending, 0);
	EXPECT_EQ(s.tx_frames, s.rx_frames + s.rx_dropped + s.rx_pending);
	EXPECT_EQ(s.tx_dropped, 0);
	fake_destroy(&fk);
}

/* With EVENT_IDX both queues must be left re-armed: avail_event at what was consumed. */
TEST(event_idx_left_armed)
{
	u16 *tx_event = (u16 *)&((struct virtq_used *)host(QUSED(TXQ)))->ring[QSIZE];
	u16 *rx_event = (u16 *)&((struct virtq_used *)host(QUSED(RXQ)))->ring[QSIZE];
	u8 frame[64];
	u32 i;

	up(F_NET | F_EVENT_IDX, 0, false);
	make_frame(frame, sizeof(frame), 14);
	/* A full transmit ring in one notification: all taken, then re-armed. */
	for (i = 0; i < QSIZE; i++) {
		static u8 pkt[HDR + sizeof(frame)];

		memcpy(pkt + HDR, frame, sizeof(frame));
		ASSERT_GE(post_out(&fk, pkt, sizeof(pkt)), 0);
	}
	notify(&fk, TXQ);
	EXPECT_EQ(used_idx(TXQ), QSIZE);
	EXPECT_EQ(*tx_event, QSIZE);
	/* Frames and two receive chains: both used, and the receiveq armed for the third. */
	ASSERT_GE(post_in(&fk, SLOT), 0);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	EXPECT_EQ(used_idx(RXQ), 2);
	EXPECT_EQ(*rx_event, 2);
	EXPECT_EQ(stats(&fk).rx_pending, QSIZE - 2);
	expect_loopback_counters();
	fake_destroy(&fk);
}

/*
 * An event does a bounded amount of work (passes of at most a queue size of
 * steps): with a receiveq of 2, a small kept chain and many larger frames
 * take many steps. What is left resumes on the next event.
 */
static u32 renotified[2];

static void count_renotify(void *ctx, u32 q)
{
	if (q < 2)
		renotified[q]++;
}

TEST(bounded_passes_resume_on_next_event)
{
	struct virtio_net_config cfg = fake_cfg(0, false);
	u8 frame[200];
	u32 i, dropped;

	ASSERT_EQ(fake_create_cfg(&fk, &cfg), 0);
	/* The notification the device asks for when it stops at its bound. */
	memset(renotified, 0, sizeof(renotified));
	virtio_net_transport(fk.n)->renotify = count_renotify;
	ASSERT_TRUE(fake_init_sizes(&fk, F_NET, 2, QSIZE));
	make_frame(frame, sizeof(frame), 23);
	for (i = 0; i < VIRTIO_NET_PENDING_FRAMES; i++)
		ASSERT_TRUE(send_frame(&fk, frame, sizeof(frame)));
	ASSERT_GE(post_in(&fk, HDR + 100), 0);
	notify(&fk, RXQ);
	dropped = (u32)stats(&fk).rx_dropped;
	EXPECT_GT(dropped, 0);
	EXPECT_LT(dropped, VIRTIO_NET_PENDING_FRAMES);
	EXPECT_GE(renotified[RXQ], 1);
	EXPECT_EQ(renotified[TXQ], 0);
	/* Any later event of the device goes on with it. */
	for (i = 0; i < 64 && stats(&fk).rx_pending; i++)
		notify(&fk, TXQ);
	EXPECT_GT(i, 1);
	EXPECT_EQ(stats(&fk).rx_pending, 0);
	EXPECT_EQ(stats(&fk).rx_dropped, VIRTIO_NET_PENDING_FRAMES);
	/* The chain was kept through it all: a frame that fits takes it. */
	ASSERT_TRUE(send_frame(&fk, frame, 100));
	EXPECT_RX_FRAME(frame, 100);
	expect_loopback_counters();
	fake_destroy(&fk);
}

TEST(drain_takes_unnotified_frames)
{
	u8 frame[70], pkt[HDR + 70] = {0};

	up(F_NET, 0, false);
	make_frame(frame, sizeof(frame), 15);
	memcpy(pkt + HDR, frame, sizeof(frame));
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	ASSERT_GE(post_out(&fk, pkt, sizeof(pkt)), 0);
	EXPECT_EQ(stats(&fk).tx_frames, 0);
	virtio_net_drain(fk.n);
	EXPECT_EQ(used_idx(TXQ), 1);
	EXPECT_RX_FRAME(frame, sizeof(frame));
	virtio_net_drain(fk.n);
	EXPECT_EQ(stats(&fk).tx_frames, 1);
	fake_destroy(&fk);
}

TEST(create_refuses_bad_config)
{
	struct virtio_net_config cfg = fake_cfg(67, false);
	struct virtq_mem mem = {fake_gpa, NULL};
	struct virtio_net *n = (struct virtio_net *)&cfg;
	int sv[2];

	EXPECT_EQ(virtio_net_create(&n, &cfg, MMIO_BASE, &mem, NULL, NULL), -EINVAL);
	EXPECT_TRUE(n == NULL);
	EXPECT_TRUE(strstr(error_msg(), "mtu 67") != NULL);
	cfg = fake_cfg(0, false);
	cfg.mac[0] = 0x03;
	EXPECT_EQ(virtio_net_create(&n, &cfg, MMIO_BASE, &mem, NULL, NULL), -EINVAL);
	EXPECT_TRUE(strstr(error_msg(), "multicast") != NULL);
	cfg = fake_cfg(0, false);
	cfg.mode = (enum virtio_net_mode)7;
	EXPECT_EQ(virtio_net_create(&n, &cfg, MMIO_BASE, &mem, NULL, NULL), -EINVAL);
	cfg = fake_cfg(0, false);
	cfg.mode = VIRTIO_NET_TAP;
	EXPECT_EQ(virtio_net_create(&n, &cfg, MMIO_BASE, &mem, NULL, NULL), -EBADF);
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	cfg.tap_fd = sv[0];
	EXPECT_EQ(virtio_net_create(&n, &cfg, MMIO_BASE, &mem, NULL, NULL), -EINVAL);
	EXPECT_TRUE(strstr(error_msg(), "blocking") != NULL);
	close(sv[0]);
	close(sv[1]);
	cfg = fake_cfg(65535, false);
	ASSERT_EQ(virtio_net_create(&n, &cfg, MMIO_BASE, &mem, NULL, NULL), 0);
	virtio_net_destroy(n);
	virtio_net_destroy(NULL);
}
