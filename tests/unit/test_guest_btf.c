// SPDX-License-Identifier: GPL-2.0
/*
 * The guest kernel's BTF to the host: guest/btf.c sends a file in BTF
 * frames (or one frame saying why not), and the host's channel
 * (core/run/channel.c) puts it back together, taking only what it asked
 * for, in order, never past the total the first frame gave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/run/channel.h"
#include "guest/btf.h"
#include "tests/test.h"
#include "tests/unit/guest_frames.h"

/* A file of len bytes, byte i = (i * 7 + 3) & 0xff. */
static const char *pattern_file(const char *name, size_t len)
{
	const char *path = test_tmp_path(name);
	u8 *b = malloc(len ? len : 1);
	int fd;

	ASSERT_TRUE(b != NULL);
	for (size_t i = 0; i < len; i++)
		b[i] = (u8)(i * 7 + 3);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, b, len), (ssize_t)len);
	close(fd);
	free(b);
	return path;
}

/* Run btf_send() on path; c gets the bytes. Returns its status. */
static int send_file(struct collector *c, const char *path)
{
	struct chan ch;
	int r;

	collector_start(c, 0);
	chan_attach(&ch, c->wfd, 1000);
	r = btf_send(&ch, path);
	collector_stop(c);
	return r;
}

/* Feed bytes to a channel that asked for BTF (want) or not. */
static void feed(struct channel *c, bool want, const u8 *buf, size_t len)
{
	ASSERT_EQ(channel_init(c, -1, -1, clock_now_ns()), 0);
	c->btf.want = want;
	channel_feed(c, buf, len);
	channel_end(c);
}

TEST(btf_send_chunks_reassemble)
{
	/* two whole chunks and a part: three frames */
	size_t len = 2 * WIRE_BTF_CHUNK + 1234;
	const char *path = pattern_file("vmlinux.btf", len);
	struct wire_frame f[8];
	struct collector c = {0};
	struct channel ch;
	const u8 *buf;
	const char *why;
	size_t got;

	ASSERT_EQ(send_file(&c, path), 0);
	ASSERT_EQ(frames_decode(c.buf, c.len, f, 8), 3);
	for (int i = 0; i < 3; i++) {
		struct wire_btf b;

		EXPECT_EQ(f[i].type, WIRE_BTF);
		ASSERT_EQ(wire_btf_parse(&b, f[i].payload, f[i].len), 0);
		EXPECT_EQ(b.total, len);
		EXPECT_EQ(b.offset, (u32)i * WIRE_BTF_CHUNK);
	}
	feed(&ch, true, c.buf, c.len);
	ASSERT_EQ(channel_btf_get(&ch, &buf, &got, &why), 0);
	ASSERT_EQ(got, len);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != (u8)(i * 7 + 3)) {
			EXPECT_EQ(buf[i], (u8)(i * 7 + 3));
			break;
		}
	/* the buffer never grew past the blob */
	EXPECT_LE(ch.btf.cap, len);
	channel_destroy(&ch);

	/* not asked for: counted, not kept */
	feed(&ch, false, c.buf, c.len);
	EXPECT_EQ(channel_stats(&ch)->by_type[WIRE_BTF], 3);
	EXPECT_EQ(ch.btf.state, CHANNEL_BTF_NONE);
	EXPECT_TRUE(ch.btf.buf == NULL);
	EXPECT_EQ(channel_btf_get(&ch, &buf, &got, &why), -ENOENT);
	channel_destroy(&ch);
	collector_free(&c);
}

TEST(btf_send_missing_or_empty_says_why)
{
	struct wire_frame f[2];
	struct collector c = {0};
	struct channel ch;
	struct wire_btf b;
	const u8 *buf;
	const char *why = NULL;
	size_t got;

	ASSERT_EQ(send_file(&c, test_tmp_path("no-such-btf")), 1);
	ASSERT_EQ(frames_decode(c.buf, c.len, f, 2), 1);
	ASSERT_EQ(wire_btf_parse(&b, f[0].payload, f[0].len), 0);
	EXPECT_EQ(b.total, 0);
	feed(&ch, true, c.buf, c.len);
	EXPECT_EQ(channel_btf_get(&ch, &buf, &got, &why), -ENOENT);
	ASSERT_TRUE(why != NULL);
	EXPECT_TRUE(strstr(why, "no-such-btf: No such file or directory") != NULL);
	channel_destroy(&ch);
	collector_free(&c);

	ASSERT_EQ(send_file(&c, pattern_file("empty.btf", 0)), 1);
	feed(&ch, true, c.buf, c.len);
	EXPECT_EQ(channel_btf_get(&ch, &buf, &got, &why), -ENOENT);
	EXPECT_TRUE(strstr(why, "0 bytes") != NULL);
	channel_destroy(&ch);
	collector_free(&c);
}

/* Frames built by hand: what a hostile guest could send. */
static void put(u8 *out, size_t *off, u32 total, u32 offset, const void *data, size_t n)
{
	u8 p[WIRE_BTF_HDR + 300];
	ssize_t l = wire_btf_build(p, sizeof(p), total, offset, data, n);

	ASSERT_GT(l, 0);
	ASSERT_EQ(wire_encode(out + *off, WIRE_HDR_SIZE + (size_t)l, WIRE_BTF, p, (size_t)l),
		  WIRE_HDR_SIZE + l);
	*off += WIRE_HDR_SIZE + (size_t)l;
}

TEST(btf_channel_refuses_disorder)
{
	static const char d[] = "0123456789";
	u8 s[16384];
	size_t n = 0;
	struct channel ch;
	const u8 *buf;
	const char *why = NULL;
	size_t got;

	/* a gap */
	put(s, &n, 20, 0, d, 10);
	put(s, &n, 20, 11, d, 9);
	feed(&ch, true, s, n);
	EXPECT_EQ(channel_btf_get(&ch, &buf, &got, &why), -ENOENT);
	EXPECT_STREQ(why, "BTF frames out of order");
	EXPECT_TRUE(ch.btf.buf == NULL);
	channel_destroy(&ch);

	/* the total changes */
	n = 0;
	put(s, &n, 20, 0, d, 10);
	put(s, &n, 30, 10, d, 10);
	feed(&ch, true, s, n);
	EXPECT_EQ(ch.btf.state, CHANNEL_BTF_FAILED);
	channel_destroy(&ch);

	/* whole, then more: the first blob stands */
	n = 0;
	put(s, &n, 10, 0, d, 10);
	put(s, &n, 0, 0, "late", 4);
	feed(&ch, true, s, n);
	ASSERT_EQ(channel_btf_get(&ch, &buf, &got, &why), 0);
	EXPECT_EQ(got, 10);
	EXPECT_EQ(memcmp(buf, d, 10), 0);
	channel_destroy(&ch);

	/* a lying total: 64 MiB claimed, 10 bytes sent, little memory taken */
	n = 0;
	put(s, &n, WIRE_BTF_MAX, 0, d, 10);
	feed(&ch, true, s, n);
	EXPECT_EQ(ch.btf.state, CHANNEL_BTF_PARTIAL);
	EXPECT_LE(ch.btf.cap, WIRE_BTF_CHUNK);
	EXPECT_EQ(channel_btf_get(&ch, &buf, &got, &why), -ENOENT);
	EXPECT_STREQ(why, "the guest's BTF arrived only in part");
	channel_destroy(&ch);

	/* the guest's reason, control bytes made visible (8-bit CSI, DEL too) */
	n = 0;
	put(s, &n, 10, 0, d, 5);
	put(s, &n, 0, 0, "cut\n\x1b[2Jshort\x9b\x7f\xff", 16);
	feed(&ch, true, s, n);
	EXPECT_EQ(channel_btf_get(&ch, &buf, &got, &why), -ENOENT);
	EXPECT_STREQ(why, "cut??[2Jshort???");
	channel_destroy(&ch);

	/* a payload the format forbids: malformed, and the BTF given up */
	n = 0;
	{
		u8 bad[WIRE_BTF_HDR + 4] = {5, 0, 0, 0, 4, 0, 0, 0, 'x', 'y', 'z', 'w'};

		ASSERT_EQ(wire_encode(s, sizeof(s), WIRE_BTF, bad, sizeof(bad)),
			  (ssize_t)(WIRE_HDR_SIZE + sizeof(bad)));
		n = WIRE_HDR_SIZE + sizeof(bad);
	}
	feed(&ch, true, s, n);
	EXPECT_EQ(ch.malformed, 1);
	EXPECT_EQ(ch.btf.state, CHANNEL_BTF_FAILED);
	channel_destroy(&ch);
}

/* KSYMS seals it: the agent's thread reads a blob that no frame changes. */
TEST(btf_channel_sealed_by_ksyms)
{
	static const char d[] = "0123456789";
	u8 s[4096];
	size_t n = 0;
	struct channel ch;

	put(s, &n, 20, 0, d, 10);
	ASSERT_EQ(wire_encode(s + n, sizeof(s) - n, WIRE_KSYMS, "\0\0\0\0", 4),
		  WIRE_HDR_SIZE + 4);
	n += WIRE_HDR_SIZE + 4;
	put(s, &n, 20, 10, d, 10);
	feed(&ch, true, s, n);
	EXPECT_EQ(ch.btf.state, CHANNEL_BTF_PARTIAL);
	EXPECT_EQ(ch.btf.got, 10);
	channel_destroy(&ch);
}
