// SPDX-License-Identifier: GPL-2.0
/*
 * virtio console (devices/virtio/console_ctrl.c), the control queues
 * (virtio 1.2 5.3.6.2): the handshake Linux's driver performs, and hostile
 * control messages (ids out of range, short, unknown or wrong-way events),
 * control receive buffers too small, and a flood answered into no buffers,
 * all counted and survived. Driven through the bus region by the fake Linux
 * driver of virtio_console_fake.h.
 */
#include "tests/unit/virtio_console_fake.h"

TEST(handshake_announces_ports)
{
	struct virtio_console_stats s;

	fake_create(&fk, 2);
	fake_init(&fk, F_VERSION_1 | F_MULTIPORT);
	/* Nothing is said before the driver is ready. */
	ctrl_fill(&fk, 8);
	EXPECT_NO_MSG(&fk);
	ctrl_send(&fk, BAD_ID, DEVICE_READY, 1);
	EXPECT_MSG(&fk, 0, DEVICE_ADD, 1, NULL);
	EXPECT_MSG(&fk, 1, DEVICE_ADD, 1, NULL);
	EXPECT_NO_MSG(&fk);
	ctrl_send(&fk, 0, PORT_READY, 1);
	EXPECT_MSG(&fk, 0, CONSOLE_PORT, 1, NULL);
	EXPECT_MSG(&fk, 0, PORT_OPEN, 1, NULL);
	EXPECT_NO_MSG(&fk);
	ctrl_send(&fk, 1, PORT_READY, 1);
	EXPECT_MSG(&fk, 1, PORT_NAME, 1, "ktvm-bulk"); /* no NUL (5.3.6.2) */
	EXPECT_MSG(&fk, 1, PORT_OPEN, 1, NULL);
	EXPECT_NO_MSG(&fk);
	/* A port the driver failed to set up is not announced. */
	ctrl_send(&fk, 1, PORT_READY, 0);
	EXPECT_NO_MSG(&fk);
	s = stats(&fk);
	EXPECT_FALSE(s.port[0].guest_open);
	ctrl_send(&fk, 0, PORT_OPEN, 1);
	ctrl_send(&fk, 1, PORT_OPEN, 1);
	s = stats(&fk);
	EXPECT_EQ(s.nr_ports, 2);
	EXPECT_TRUE(s.port[0].guest_open);
	EXPECT_TRUE(s.port[1].guest_open);
	EXPECT_EQ(s.ctrl_msgs, 6);
	EXPECT_EQ(s.bad_ctrl, 0);
	EXPECT_EQ(s.ctrl_sent, 6);
	EXPECT_EQ(s.ctrl_dropped, 0);
	EXPECT_EQ(s.ctrl_pending, 0);
	EXPECT_GT(fk.irq_raises, 0);
	fake_destroy(&fk);
}

TEST(hostile_control_id_out_of_range)
{
	fake_up(&fk);
	ctrl_send(&fk, 2, PORT_OPEN, 1);
	ctrl_send(&fk, BAD_ID, PORT_READY, 1);
	ctrl_send(&fk, 0x80000001, PORT_OPEN, 0);
	EXPECT_NO_MSG(&fk);
	EXPECT_EQ(stats(&fk).bad_ctrl, 3);
	EXPECT_TRUE(stats(&fk).port[1].guest_open);
	expect_still_works(&fk);
	fake_destroy(&fk);
}

TEST(hostile_control_short)
{
	struct seg split8[] = {{"\x01\x00\x00\x00", 4, false}, {"\x06\x00\x00\x00", 4, false}};
	struct seg split7[] = {{"\x01\x00\x00", 3, false}, {"\x06\x00\x00\x00", 4, false}};
	struct seg short4 = {"\x01\x00\x00\x00", 4, false};

	fake_up(&fk);
	ctrl_send_raw(&fk, &short4, 1);
	ctrl_send_raw(&fk, split7, 2);
	EXPECT_EQ(stats(&fk).bad_ctrl, 2);
	EXPECT_TRUE(stats(&fk).port[1].guest_open);
	/* The header may come in pieces: PORT_OPEN(1, 0). */
	ctrl_send_raw(&fk, split8, 2);
	EXPECT_EQ(stats(&fk).bad_ctrl, 2);
	EXPECT_FALSE(stats(&fk).port[1].guest_open);
	expect_still_works(&fk);
	fake_destroy(&fk);
}

TEST(hostile_control_unknown_or_wrong_way)
{
	fake_up(&fk);
	ctrl_send(&fk, 1, 99, 1);
	ctrl_send(&fk, 1, DEVICE_ADD, 1);
	ctrl_send(&fk, 1, PORT_NAME, 1);
	ctrl_send(&fk, 1, RESIZE, 0);
	ctrl_send(&fk, 1, PORT_OPEN, 2);
	ctrl_send(&fk, BAD_ID, DEVICE_READY, 1); /* twice: no second DEVICE_ADD (5.3.6.2.1) */
	EXPECT_NO_MSG(&fk);
	EXPECT_EQ(stats(&fk).bad_ctrl, 6);
	EXPECT_EQ(stats(&fk).ctrl_msgs, 6 + 5);
	EXPECT_TRUE(stats(&fk).port[1].guest_open);
	expect_still_works(&fk);
	fake_destroy(&fk);
}

TEST(hostile_control_receive_buffer_too_small)
{
	u16 head;
	u32 len;

	fake_create(&fk, 2);
	fake_init(&fk, F_VERSION_1 | F_MULTIPORT);
	post_in(&fk, CTRL_RX, 4);
	ctrl_send(&fk, BAD_ID, DEVICE_READY, 1);
	ASSERT_TRUE(used_next(&fk, CTRL_RX, &head, &len));
	EXPECT_EQ(len, 0);
	EXPECT_EQ(stats(&fk).bad_chains, 1);
	/* Nothing lost: the messages go into the next buffers. */
	ctrl_fill(&fk, 2);
	EXPECT_MSG(&fk, 0, DEVICE_ADD, 1, NULL);
	EXPECT_MSG(&fk, 1, DEVICE_ADD, 1, NULL);
	EXPECT_NO_MSG(&fk);
	fake_destroy(&fk);
}

TEST(hostile_control_flood_stays_bounded)
{
	struct virtio_console_stats s;
	struct msg m;
	u32 i, p, kept = 0;

	fake_create(&fk, 2);
	fake_init(&fk, F_VERSION_1 | F_MULTIPORT);
	/* No control receive buffers: every answer must wait. */
	ctrl_send(&fk, BAD_ID, DEVICE_READY, 1);
	for (i = 0; i < 100; i++)
		ctrl_send(&fk, i % 2, PORT_READY, 1);
	s = stats(&fk);
	EXPECT_EQ(s.ctrl_pending, VIRTIO_CONSOLE_CTRL_PENDING);
	EXPECT_EQ(s.ctrl_dropped, 2 + 100 * 2 - VIRTIO_CONSOLE_CTRL_PENDING);
	EXPECT_EQ(s.bad_ctrl, 0);
	/* The oldest were kept: they come out in order, and no more. */
	ctrl_fill(&fk, 8);
	EXPECT_MSG(&fk, 0, DEVICE_ADD, 1, NULL);
	EXPECT_MSG(&fk, 1, DEVICE_ADD, 1, NULL);
	for (i = 0; 2 + 2 * i < VIRTIO_CONSOLE_CTRL_PENDING; i++) {
		p = i % 2;
		if (p)
			EXPECT_MSG(&fk, 1, PORT_NAME, 1, "ktvm-bulk");
		else
			EXPECT_MSG(&fk, 0, CONSOLE_PORT, 1, NULL);
		EXPECT_MSG(&fk, p, PORT_OPEN, 1, NULL);
	}
	while (ctrl_recv(&fk, &m) && kept < 1000)
		kept++;
	EXPECT_EQ(kept, 0);
	s = stats(&fk);
	EXPECT_EQ(s.ctrl_pending, 0);
	EXPECT_EQ(s.ctrl_sent, VIRTIO_CONSOLE_CTRL_PENDING);
	expect_still_works(&fk);
	fake_destroy(&fk);
}
