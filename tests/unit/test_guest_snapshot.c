// SPDX-License-Identifier: GPL-2.0
/*
 * guest/snapshot.c and chan_recv(): a request goes out as one frame, the
 * reply with its id is found among garbage, other frames and replies to
 * other ids, and no reply means a bounded wait. The host is the other end
 * of a socketpair.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/types.h"
#include "core/base/clock.h"
#include "guest/snapshot.h"
#include "tests/test.h"
#include "wire/wire.h"

static void host_send(int fd, u32 type, const void *payload, size_t len)
{
	u8 frame[256];
	ssize_t n = wire_encode(frame, sizeof(frame), type, payload, len);

	ASSERT_GT(n, 0);
	ASSERT_EQ(write(fd, frame, (size_t)n), n);
}

static void host_reply(int fd, u32 id, s32 status)
{
	u8 p[WIRE_SNAPSHOT_REPLY_LEN];

	ASSERT_EQ(wire_snapshot_reply_build(p, sizeof(p), id, status), WIRE_SNAPSHOT_REPLY_LEN);
	host_send(fd, WIRE_SNAPSHOT_REPLY, p, sizeof(p));
}

TEST(snapshot_reply_found_among_noise)
{
	struct wire_snapshot_request rq;
	struct wire_frame f;
	struct chan ch;
	u8 armed[WIRE_WATCH_ARMED_LEN], got[256];
	int sv[2];
	ssize_t n;

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	chan_attach(&ch, sv[0], 1000);
	/* queued before the request: garbage, another frame, a reply to another id */
	ASSERT_EQ(write(sv[1], "\xff\x01garbage", 9), 9);
	ASSERT_EQ(wire_watch_armed_build(armed, sizeof(armed), 0, 1), WIRE_WATCH_ARMED_LEN);
	host_send(sv[1], WIRE_WATCH_ARMED, armed, sizeof(armed));
	host_reply(sv[1], 6, -5);
	host_reply(sv[1], 7, -22);
	EXPECT_EQ(snapshot_request(&ch, 7, "before-exit", 11, 2000), -22);
	EXPECT_GT(ch.rx_skipped, 9);
	/* what the host got: one SNAPSHOT_REQUEST {7, "before-exit"} */
	n = read(sv[1], got, sizeof(got));
	ASSERT_GT(n, 0);
	ASSERT_EQ(wire_decode(&f, got, (size_t)n, 256), n);
	EXPECT_EQ(f.type, WIRE_SNAPSHOT_REQUEST);
	ASSERT_EQ(wire_snapshot_request_parse(&rq, f.payload, f.len), 0);
	EXPECT_EQ(rq.id, 7);
	EXPECT_EQ(rq.tag_len, 11);
	EXPECT_TRUE(!memcmp(rq.tag, "before-exit", 11));
	close(sv[0]);
	close(sv[1]);
}

TEST(snapshot_without_reply_times_out)
{
	struct chan ch;
	int sv[2];
	u64 t0;
	static char tag[200];

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	chan_attach(&ch, sv[0], 1000);
	memset(tag, 'x', sizeof(tag));
	t0 = clock_now_ns();
	/* an overlong tag is cut, not refused */
	EXPECT_EQ(snapshot_request(&ch, 1, tag, sizeof(tag), 100), -ETIMEDOUT);
	EXPECT_GE(clock_now_ns() - t0, 100 * 1000000ULL);
	close(sv[0]);
	close(sv[1]);
}

TEST(chan_recv_refuses_oversize_payload)
{
	struct chan ch;
	u8 small[4], p[8] = {1, 0, 0, 0, 0, 0, 0, 0};
	int sv[2];

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	chan_attach(&ch, sv[0], 1000);
	host_send(sv[1], WIRE_SNAPSHOT_REPLY, p, sizeof(p));
	EXPECT_EQ(chan_recv(&ch, WIRE_SNAPSHOT_REPLY, small, sizeof(small), 500), -EMSGSIZE);
	close(sv[1]);
	close(sv[0]);
}

TEST(snapshot_fifo_carries_lines)
{
	char path[512], buf[64];
	int fd, keep, w;

	snprintf(path, sizeof(path), "%s/run/ktvm/snapshot", test_tmpdir());
	snprintf(buf, sizeof(buf), "%s/run", test_tmpdir());
	ASSERT_EQ(mkdir(buf, 0755), 0);
	fd = snapshot_fifo_open(path, &keep);
	ASSERT_GE(fd, 0);
	w = open(path, O_WRONLY);
	ASSERT_GE(w, 0);
	ASSERT_EQ(write(w, "tag\n", 4), 4);
	close(w);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 4);
	/* the writer is gone but init's own end keeps the FIFO from EOF */
	EXPECT_EQ(read(fd, buf, sizeof(buf)), -1);
	EXPECT_EQ(errno, EAGAIN);
	close(fd);
	close(keep);
}
