// SPDX-License-Identifier: GPL-2.0
/*
 * virtio console (devices/virtio/console.c) behind its virtio-mmio
 * transport, the data side: identity and configuration, guest bytes to the
 * sink by port, host bytes into the receive buffers (held until the guest
 * opens the port, bounded, in order across the buffer's end), emerg_wr,
 * drain, EVENT_IDX re-arming, reset, creation checks, and hostile data
 * chains. Driven through the bus region by the fake Linux driver of
 * virtio_console_fake.h; the control protocol is in test_virtio_console_ctrl.c.
 */
#include "tests/unit/virtio_console_fake.h"

TEST(identity_features_and_config)
{
	u8 b[4] = {0};

	fake_create(&fk, 2);
	EXPECT_EQ(rd(&fk, DEVICE_ID), 3); /* 5.3.1 */
	wr(&fk, DEV_FEATURES_SEL, 0);
	EXPECT_EQ(rd(&fk, DEV_FEATURES) & 7, F_MULTIPORT | F_EMERG); /* no F_SIZE */
	wr(&fk, DEV_FEATURES_SEL, 1);
	EXPECT_EQ(rd(&fk, DEV_FEATURES) & 1, 1); /* VERSION_1 */
	/* max_nr_ports, read whole and by halves; cols and rows are 0 without F_SIZE. */
	EXPECT_EQ(rd(&fk, CONFIG + 4), 2);
	bus_rw(&fk, CONFIG + 4, b, 2, false);
	EXPECT_EQ(b[0] | b[1] << 8, 2);
	EXPECT_EQ(rd(&fk, CONFIG + 0), 0);
	/* 2 + 2 * max_nr_ports queues (5.3.2). */
	wr(&fk, QUEUE_SEL, 5);
	EXPECT_EQ(rd(&fk, QUEUE_NUM_MAX), VIRTIO_CONSOLE_QUEUE_MAX);
	wr(&fk, QUEUE_SEL, 6);
	EXPECT_EQ(rd(&fk, QUEUE_NUM_MAX), 0);
	fake_destroy(&fk);
}

TEST(transmit_reaches_sink_by_port)
{
	struct virtio_console_stats s;
	u16 head;
	u32 len;

	fake_up(&fk);
	post_out(&fk, txq(1), "bulk bytes", 10);
	notify(&fk, txq(1));
	post_out(&fk, txq(0), "console\n", 8);
	notify(&fk, txq(0));
	EXPECT_GOT(&fk, 1, "bulk bytes");
	EXPECT_GOT(&fk, 0, "console\n");
	ASSERT_TRUE(used_next(&fk, txq(1), &head, &len));
	EXPECT_EQ(len, 0); /* nothing written into a transmit buffer */
	EXPECT_FALSE(used_next(&fk, txq(1), &head, &len));
	ASSERT_TRUE(used_next(&fk, txq(0), &head, &len));
	s = stats(&fk);
	EXPECT_EQ(s.port[0].bytes_in, 8);
	EXPECT_EQ(s.port[1].bytes_in, 10);
	EXPECT_EQ(fk.sink_overflow, 0);
	fake_destroy(&fk);
}

TEST(transmit_chain_of_several_buffers)
{
	static u8 big[5 * SLOT];
	struct seg three[] = {{"abc", 3, false}, {"defg", 4, false}, {"h", 1, false}};
	struct seg five[5];
	u32 i;

	fake_up(&fk);
	post(&fk, txq(1), three, 3);
	notify(&fk, txq(1));
	EXPECT_GOT(&fk, 1, "abcdefgh");
	EXPECT_EQ(used_idx(txq(1)), 1);
	/* 20 KiB in one chain: more than the device copies out at a time, still in order. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i % 251);
	for (i = 0; i < 5; i++)
		five[i] = (struct seg){big + i * SLOT, SLOT, false};
	fk.got_len[1] = 0;
	post(&fk, txq(1), five, 5);
	notify(&fk, txq(1));
	EXPECT_EQ(fk.got_len[1], sizeof(big));
	EXPECT_EQ(memcmp(fk.got[1], big, sizeof(big)), 0);
	EXPECT_GT(fk.sink_calls, 2);
	fake_destroy(&fk);
}

TEST(host_send_before_and_after_buffers)
{
	struct virtio_console_stats s;

	fake_up(&fk);
	/* No receive buffers yet: held. */
	ASSERT_EQ(virtio_console_send(fk.c, 1, "first-", 6), 0);
	EXPECT_EQ(used_idx(rxq(1)), 0);
	EXPECT_EQ(stats(&fk).port[1].bytes_pending, 6);
	/* Buffers appear: the driver notifies, the bytes go in. */
	post_in(&fk, rxq(1), 64);
	post_in(&fk, rxq(1), 64);
	notify(&fk, rxq(1));
	EXPECT_RX(&fk, rxq(1), "first-");
	/* A buffer is waiting: the next send goes straight in. */
	ASSERT_EQ(virtio_console_send(fk.c, 1, "second", 6), 0);
	EXPECT_RX(&fk, rxq(1), "second");
	/* More than the buffers hold: split in order, the rest waits. */
	post_in(&fk, rxq(1), 4);
	post_in(&fk, rxq(1), 4);
	ASSERT_EQ(virtio_console_send(fk.c, 1, "0123456789", 10), 0);
	EXPECT_RX(&fk, rxq(1), "0123");
	EXPECT_RX(&fk, rxq(1), "4567");
	EXPECT_EQ(stats(&fk).port[1].bytes_pending, 2);
	ASSERT_EQ(virtio_console_send(fk.c, 1, "ab", 2), 0);
	post_in(&fk, rxq(1), 64);
	notify(&fk, rxq(1));
	EXPECT_RX(&fk, rxq(1), "89ab");
	/* Port 0 is its own stream. */
	post_in(&fk, rxq(0), 64);
	notify(&fk, rxq(0));
	ASSERT_EQ(virtio_console_send(fk.c, 0, "ls\n", 3), 0);
	EXPECT_RX(&fk, rxq(0), "ls\n");
	s = stats(&fk);
	EXPECT_EQ(s.port[1].bytes_out, 24);
	EXPECT_EQ(s.port[1].bytes_pending, 0);
	EXPECT_EQ(s.port[0].bytes_out, 3);
	EXPECT_EQ(s.bad_chains, 0);
	EXPECT_EQ(virtio_console_send(fk.c, 2, "x", 1), -EINVAL);
	fake_destroy(&fk);
}

TEST(host_send_waits_for_guest_open)
{
	u16 head;
	u32 len;

	fake_create(&fk, 2);
	fake_init(&fk, F_VERSION_1 | F_MULTIPORT);
	fake_handshake(&fk, false);
	post_in(&fk, rxq(1), 64);
	post_in(&fk, rxq(1), 64);
	notify(&fk, rxq(1));
	/* Linux drops data on a generic port nobody has open: keep it. */
	ASSERT_EQ(virtio_console_send(fk.c, 1, "hello", 5), 0);
	EXPECT_FALSE(used_next(&fk, rxq(1), &head, &len));
	ctrl_send(&fk, 1, PORT_OPEN, 1);
	EXPECT_RX(&fk, rxq(1), "hello");
	ctrl_send(&fk, 1, PORT_OPEN, 0);
	EXPECT_FALSE(stats(&fk).port[1].guest_open);
	ASSERT_EQ(virtio_console_send(fk.c, 1, "again", 5), 0);
	EXPECT_FALSE(used_next(&fk, rxq(1), &head, &len));
	ctrl_send(&fk, 1, PORT_OPEN, 1);
	EXPECT_RX(&fk, rxq(1), "again");
	fake_destroy(&fk);
}

TEST(host_send_full_gives_eagain)
{
	static u8 fill[VIRTIO_CONSOLE_SEND_BUF];

	fake_up(&fk);
	memset(fill, 'f', sizeof(fill));
	ASSERT_EQ(virtio_console_send(fk.c, 1, fill, sizeof(fill)), 0);
	error_clear();
	EXPECT_EQ(virtio_console_send(fk.c, 1, "x", 1), -EAGAIN);
	EXPECT_TRUE(strstr(error_msg(), "port 1") != NULL);
	EXPECT_EQ(stats(&fk).port[1].bytes_pending, VIRTIO_CONSOLE_SEND_BUF);
	/* Other ports have their own room. */
	EXPECT_EQ(virtio_console_send(fk.c, 0, "x", 1), 0);
	/* Room comes back as the guest takes bytes, exactly as much as it took. */
	post_in(&fk, rxq(1), 16);
	notify(&fk, rxq(1));
	EXPECT_EQ(virtio_console_send(fk.c, 1, fill, 17), -EAGAIN);
	EXPECT_EQ(virtio_console_send(fk.c, 1, fill, 16), 0);
	EXPECT_EQ(virtio_console_send(fk.c, 1, "x", 1), -EAGAIN);
	fake_destroy(&fk);
}

/* Bytes crossing the end of the send buffer come out in order. */
TEST(host_send_wraps_around_in_order)
{
	static u8 data[VIRTIO_CONSOLE_SEND_BUF];
	size_t sent, got = 0, total = VIRTIO_CONSOLE_SEND_BUF + 3000, bad = 0, k;
	u32 round, i, n, len;
	u16 head;

	fake_up(&fk);
	for (k = 0; k < sizeof(data); k++)
		data[k] = (u8)(k % 251);
	sent = VIRTIO_CONSOLE_SEND_BUF - 1000;
	ASSERT_EQ(virtio_console_send(fk.c, 1, data, sent), 0);
	for (i = 0; i < QSIZE; i++)
		post_in(&fk, rxq(1), SLOT);
	notify(&fk, rxq(1));
	for (round = 0; got < total && round < 400; round++) {
		/* Take what came, give the buffers back (never more than QSIZE out). */
		for (n = 0; used_next(&fk, rxq(1), &head, &len); n++) {
			const u8 *b = host(BUF(rxq(1), head));

			for (k = 0; k < len; k++)
				bad += b[k] != (u8)((got + k) % 251);
			got += len;
		}
		/* Once the first part is out, send the rest: it wraps. */
		if (sent < total && got == sent) {
			ASSERT_EQ(virtio_console_send(fk.c, 1, data + sent % 251, total - sent), 0);
			sent = total;
		}
		for (i = 0; i < n; i++)
			post_in(&fk, rxq(1), SLOT);
		notify(&fk, rxq(1));
	}
	EXPECT_EQ(got, total);
	EXPECT_EQ(bad, 0);
	fake_destroy(&fk);
}

TEST(emerg_wr_is_port0_output)
{
	u8 b[4] = {'X', 'j', 'u', 'n'};

	/* Before the driver did anything at all (5.3.5.1). */
	fake_create(&fk, 2);
	bus_rw(&fk, CONFIG + 8, b, 4, true);
	b[0] = 'Y';
	bus_rw(&fk, CONFIG + 8, b, 1, true);
	bus_rw(&fk, CONFIG + 9, b, 1, true); /* not the low byte */
	EXPECT_GOT(&fk, 0, "XY");
	EXPECT_EQ(fk.got_len[1], 0);
	EXPECT_EQ(rd(&fk, CONFIG + 8), 0);
	/* max_nr_ports is read-only. */
	wr(&fk, CONFIG + 4, 9);
	EXPECT_EQ(rd(&fk, CONFIG + 4), 2);
	EXPECT_EQ(stats(&fk).port[0].bytes_in, 2);
	fake_destroy(&fk);
}

TEST(drain_takes_unnotified_buffers)
{
	fake_up(&fk);
	/* Linux's port write returns once the buffer is in the ring, notified or not. */
	post_out(&fk, txq(1), "last words", 10);
	post_out(&fk, txq(0), "reboot: Power down\n", 19);
	EXPECT_EQ(fk.got_len[1], 0);
	virtio_console_drain(fk.c);
	EXPECT_GOT(&fk, 1, "last words");
	EXPECT_GOT(&fk, 0, "reboot: Power down\n");
	EXPECT_EQ(used_idx(txq(1)), 1);
	EXPECT_EQ(used_idx(txq(0)), 1);
	virtio_console_drain(fk.c); /* nothing more */
	EXPECT_EQ(fk.got_len[1], 10);
	fake_destroy(&fk);
}

/* With EVENT_IDX a queue must be left re-armed: avail_event at what was consumed. */
TEST(transmit_full_ring_leaves_event_idx_armed)
{
	u16 *avail_event = (u16 *)&((struct virtq_used *)host(QUSED(txq(1))))->ring[QSIZE];
	char c[QSIZE];
	u32 i;

	fake_create(&fk, 2);
	fake_init(&fk, F_VERSION_1 | F_MULTIPORT | F_EVENT_IDX);
	fake_handshake(&fk, true);
	for (i = 0; i < QSIZE; i++) {
		c[i] = (char)('a' + i);
		post_out(&fk, txq(1), &c[i], 1);
	}
	notify(&fk, txq(1));
	EXPECT_EQ(fk.got_len[1], QSIZE);
	EXPECT_EQ(memcmp(fk.got[1], "abcdefghijklmnop", QSIZE), 0);
	EXPECT_EQ(used_idx(txq(1)), QSIZE);
	EXPECT_EQ(*avail_event, QSIZE);
	fake_destroy(&fk);
}

TEST(max_ports)
{
	struct virtio_console_stats s;

	fake_create(&fk, VIRTIO_CONSOLE_MAX_PORTS);
	EXPECT_EQ(rd(&fk, CONFIG + 4), VIRTIO_CONSOLE_MAX_PORTS);
	fake_init(&fk, F_VERSION_1 | F_MULTIPORT);
	fake_handshake(&fk, true);
	post_out(&fk, txq(VIRTIO_CONSOLE_MAX_PORTS - 1), "top", 3);
	notify(&fk, txq(VIRTIO_CONSOLE_MAX_PORTS - 1));
	EXPECT_GOT(&fk, VIRTIO_CONSOLE_MAX_PORTS - 1, "top");
	s = stats(&fk);
	EXPECT_EQ(s.nr_ports, VIRTIO_CONSOLE_MAX_PORTS);
	EXPECT_TRUE(s.port[VIRTIO_CONSOLE_MAX_PORTS - 1].guest_open);
	EXPECT_EQ(s.ctrl_dropped, 0);
	fake_destroy(&fk);
}

TEST(without_multiport_port0_only)
{
	u16 head;
	u32 len;

	fake_create(&fk, 2);
	fake_init(&fk, F_VERSION_1);
	/* No control queue: port 0 is a console from DRIVER_OK on. */
	post_in(&fk, rxq(0), 64);
	notify(&fk, rxq(0));
	ASSERT_EQ(virtio_console_send(fk.c, 0, "hi", 2), 0);
	EXPECT_RX(&fk, rxq(0), "hi");
	post_out(&fk, txq(0), "out", 3);
	notify(&fk, txq(0));
	EXPECT_GOT(&fk, 0, "out");
	/* Port 1 has no queues: kept, never delivered. */
	EXPECT_EQ(virtio_console_send(fk.c, 1, "x", 1), 0);
	EXPECT_EQ(stats(&fk).port[1].bytes_pending, 1);
	/* The other queues do not exist (5.3.2), even if the driver sets them up. */
	setup_queue(&fk, CTRL_RX);
	setup_queue(&fk, CTRL_TX);
	setup_queue(&fk, txq(1));
	ctrl_fill(&fk, 2);
	post_out(&fk, CTRL_TX, "\xff\xff\xff\xff\0\0\x01\0", 8);
	notify(&fk, CTRL_TX);
	post_out(&fk, txq(1), "p1", 2);
	notify(&fk, txq(1));
	EXPECT_FALSE(used_next(&fk, CTRL_TX, &head, &len));
	EXPECT_FALSE(used_next(&fk, txq(1), &head, &len));
	EXPECT_NO_MSG(&fk);
	EXPECT_EQ(stats(&fk).ctrl_msgs, 0);
	EXPECT_EQ(fk.got_len[1], 0);
	fake_destroy(&fk);
}

TEST(create_refuses_bad_config)
{
	struct virtio_console_config cfg = {.nr_ports = 3, .names = {NULL, "a", "a"}};
	struct virtq_mem mem = {fake_gpa, NULL};
	struct virtio_console *c = (struct virtio_console *)&cfg;
	char long_name[VIRTIO_CONSOLE_NAME_MAX + 2];

	EXPECT_EQ(virtio_console_create(&c, &cfg, MMIO_BASE, &mem, NULL, NULL), -EINVAL);
	EXPECT_TRUE(c == NULL);
	EXPECT_TRUE(strstr(error_msg(), "both named") != NULL);
	EXPECT_EQ(fake_create_names(&fk, 0, NULL), -EINVAL);
	EXPECT_EQ(fake_create_names(&fk, VIRTIO_CONSOLE_MAX_PORTS + 1, NULL), -EINVAL);
	EXPECT_EQ(fake_create_names(&fk, 1, "ktvm-bulk"), -EINVAL); /* port 1 does not exist */
	EXPECT_EQ(fake_create_names(&fk, 2, "a/b"), -EINVAL);
	EXPECT_EQ(fake_create_names(&fk, 2, ""), -EINVAL);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	EXPECT_EQ(fake_create_names(&fk, 2, long_name), -EINVAL);
	long_name[VIRTIO_CONSOLE_NAME_MAX] = '\0';
	ASSERT_EQ(fake_create_names(&fk, 2, long_name), 0);
	fake_destroy(&fk);
	cfg = (struct virtio_console_config){.nr_ports = 1, .names = {"console"}};
	EXPECT_EQ(virtio_console_create(&c, &cfg, MMIO_BASE, &mem, NULL, NULL), -EINVAL);
	EXPECT_TRUE(strstr(error_msg(), "port 0") != NULL);
	cfg = (struct virtio_console_config){.nr_ports = 1,
					     .send_buf = VIRTIO_CONSOLE_SEND_BUF_MAX + 1};
	EXPECT_EQ(virtio_console_create(&c, &cfg, MMIO_BASE, &mem, NULL, NULL), -EINVAL);
	EXPECT_TRUE(strstr(error_msg(), "send buffer") != NULL);
	virtio_console_destroy(NULL);
}

/* A smaller send ring (the fuzz target's): full at its size, bytes in order across its end. */
TEST(send_buf_configurable)
{
	struct virtio_console_config cfg = {.nr_ports = 1, .send_buf = 10};
	struct virtq_mem mem = {fake_gpa, NULL};
	struct virtio_console *c;

	ASSERT_EQ(virtio_console_create(&c, &cfg, MMIO_BASE, &mem, NULL, NULL), 0);
	EXPECT_EQ(virtio_console_send(c, 0, "0123456789", 10), 0);
	EXPECT_EQ(virtio_console_send(c, 0, "x", 1), -EAGAIN);
	EXPECT_TRUE(strstr(error_msg(), "of 10 queued") != NULL);
	virtio_console_destroy(c);
}

TEST(hostile_writable_buffer_in_transmit_chain)
{
	struct seg mixed[] = {{"evil", 4, false}, {NULL, 8, true}};
	struct seg ctrl_mixed[] = {{"\x01\x00\x00\x00\x06\x00\x00\x00", 8, false}, {NULL, 8, true}};
	u16 head;
	u32 len;

	fake_up(&fk);
	post(&fk, txq(1), mixed, 2);
	notify(&fk, txq(1));
	EXPECT_EQ(fk.got_len[1], 0);
	ASSERT_TRUE(used_next(&fk, txq(1), &head, &len));
	EXPECT_EQ(len, 0);
	EXPECT_EQ(stats(&fk).bad_chains, 1);
	/* The same on the control transmitq: the message is not acted on. */
	ctrl_send_raw(&fk, ctrl_mixed, 2);
	EXPECT_TRUE(stats(&fk).port[1].guest_open);
	EXPECT_EQ(stats(&fk).bad_chains, 2);
	EXPECT_EQ(stats(&fk).bad_ctrl, 1);
	expect_still_works(&fk);
	fake_destroy(&fk);
}

TEST(hostile_readable_buffer_in_receive_chain)
{
	struct seg mixed[] = {{"evil", 4, false}, {NULL, 8, true}};
	u16 head;
	u32 len;

	fake_up(&fk);
	post(&fk, rxq(1), mixed, 2);
	notify(&fk, rxq(1));
	ASSERT_EQ(virtio_console_send(fk.c, 1, "data", 4), 0);
	ASSERT_TRUE(used_next(&fk, rxq(1), &head, &len));
	EXPECT_EQ(len, 0);
	EXPECT_EQ(stats(&fk).bad_chains, 1);
	/* The bytes wait for a proper buffer. */
	post_in(&fk, rxq(1), 8);
	notify(&fk, rxq(1));
	EXPECT_RX(&fk, rxq(1), "data");
	fake_destroy(&fk);
}

TEST(reset_forgets_and_renegotiates)
{
	struct virtio_console_stats s;

	fake_up(&fk);
	ASSERT_EQ(virtio_console_send(fk.c, 1, "stale", 5), 0);
	wr(&fk, STATUS, 0);
	s = stats(&fk);
	EXPECT_FALSE(s.port[0].guest_open);
	EXPECT_FALSE(s.port[1].guest_open);
	EXPECT_EQ(s.port[1].bytes_pending, 0);
	EXPECT_EQ(s.bytes_discarded, 5);
	/* Not usable until the driver is back; then the whole handshake again. */
	ASSERT_EQ(virtio_console_send(fk.c, 1, "early", 5), 0);
	wr(&fk, STATUS, 0);
	fake_init(&fk, F_VERSION_1 | F_MULTIPORT);
	fake_handshake(&fk, true);
	post_in(&fk, rxq(1), 64);
	notify(&fk, rxq(1));
	ASSERT_EQ(virtio_console_send(fk.c, 1, "fresh", 5), 0);
	EXPECT_RX(&fk, rxq(1), "fresh");
	expect_still_works(&fk);
	s = stats(&fk);
	EXPECT_EQ(s.bytes_discarded, 10);
	EXPECT_EQ(s.bad_ctrl, 0);
	fake_destroy(&fk);
}
