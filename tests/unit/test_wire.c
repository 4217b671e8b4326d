// SPDX-License-Identifier: GPL-2.0
/* wire/wire.c: frame encoding and decoding, typed payloads, names. */
#include <errno.h>

#include "tests/test.h"
#include "wire/wire.h"
#include "tests/unit/wire_fake.h"

/* ---- format ----------------------------------------------------------- */

TEST(wire_crc32_is_zlibs)
{
	/* the CRC-32 check value (RFC 1952 CRC, as zlib computes it) */
	EXPECT_EQ(wire_crc32("123456789", 9), 0xcbf43926);
	EXPECT_EQ(wire_crc32(NULL, 0), 0);
}

TEST(wire_hdr_is_little_endian)
{
	struct wire_hdr h = {
	    .type = 0x04030201, .length = 0x08070605, .crc = 0x0c0b0a09, .reserved = 0x100f0e0d};
	struct wire_hdr back;
	u8 b[WIRE_HDR_SIZE];

	wire_hdr_encode(b, &h);
	for (unsigned int i = 0; i < WIRE_HDR_SIZE; i++)
		EXPECT_EQ(b[i], i + 1);
	wire_hdr_decode(&back, b);
	EXPECT_EQ(back.type, h.type);
	EXPECT_EQ(back.length, h.length);
	EXPECT_EQ(back.crc, h.crc);
	EXPECT_EQ(back.reserved, h.reserved);
}

TEST(wire_encode_layout)
{
	static const u8 want[] = {4, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'h', 'i'};
	u8 b[64];
	u32 crc = wire_crc32("hi", 2);

	ASSERT_EQ(wire_encode(b, sizeof(b), WIRE_STDOUT, "hi", 2), 18);
	EXPECT_EQ(memcmp(b, want, 8), 0);
	EXPECT_EQ(b[8], crc & 0xff);
	EXPECT_EQ(b[9], (crc >> 8) & 0xff);
	EXPECT_EQ(b[10], (crc >> 16) & 0xff);
	EXPECT_EQ(b[11], crc >> 24);
	EXPECT_EQ(memcmp(b + 12, want + 12, 6), 0);
}

TEST(wire_encode_errors)
{
	static u8 big[WIRE_FRAME_MAX + 1];
	u8 b[32];

	EXPECT_EQ(wire_encode(b, sizeof(b), WIRE_INVALID, NULL, 0), -EINVAL);
	EXPECT_EQ(wire_encode(b, sizeof(b), WIRE_TYPE_NR, NULL, 0), -EINVAL);
	EXPECT_EQ(wire_encode(b, sizeof(b), 0xffffffff, NULL, 0), -EINVAL);
	EXPECT_EQ(wire_encode(big, sizeof(big), WIRE_STDOUT, big, WIRE_PAYLOAD_MAX + 1), -EMSGSIZE);
	EXPECT_EQ(wire_encode(b, WIRE_HDR_SIZE - 1, WIRE_SYS_RDY, NULL, 0), -ENOSPC);
	EXPECT_EQ(wire_encode(b, sizeof(b), WIRE_STDOUT, big, sizeof(b) - WIRE_HDR_SIZE + 1),
		  -ENOSPC);
	EXPECT_EQ(wire_encode(b, WIRE_HDR_SIZE, WIRE_SYS_RDY, NULL, 0), WIRE_HDR_SIZE);
	EXPECT_EQ(wire_encode(big, sizeof(big), WIRE_STDOUT, big + WIRE_HDR_SIZE, WIRE_PAYLOAD_MAX),
		  WIRE_FRAME_MAX);
}

TEST(wire_encode_in_place)
{
	u8 b[64];
	struct wire_frame f;
	ssize_t n;

	/* a guest builds the payload where it goes, then adds the header */
	n = wire_exit_build(b + WIRE_HDR_SIZE, sizeof(b) - WIRE_HDR_SIZE, 42);
	ASSERT_EQ(n, WIRE_EXIT_LEN);
	ASSERT_EQ(wire_encode(b, sizeof(b), WIRE_EXIT, b + WIRE_HDR_SIZE, n), 20);
	ASSERT_EQ(wire_decode(&f, b, 20, WIRE_PAYLOAD_MAX), 20);
	EXPECT_EQ(f.type, WIRE_EXIT);
	EXPECT_EQ(f.len, 4);
	EXPECT_EQ(wire_get_le32(f.payload), 42);
}

TEST(wire_encode_hdr_matches_encode)
{
	u8 a[WIRE_HDR_SIZE], b[64];

	ASSERT_EQ(wire_encode_hdr(a, WIRE_DMESG, "abc", 3), 0);
	ASSERT_EQ(wire_encode(b, sizeof(b), WIRE_DMESG, "abc", 3), 19);
	EXPECT_EQ(memcmp(a, b, WIRE_HDR_SIZE), 0);
	EXPECT_EQ(wire_encode_hdr(a, 0, NULL, 0), -EINVAL);
	EXPECT_EQ(wire_encode_hdr(a, WIRE_STDOUT, NULL, WIRE_PAYLOAD_MAX + 1), -EMSGSIZE);
}

TEST(wire_round_trip_every_type)
{
	u8 payload[300], b[WIRE_HDR_SIZE + sizeof(payload)];

	for (u32 t = 1; t < WIRE_TYPE_NR; t++) {
		struct wire_frame f;
		size_t len = (t * 37) % sizeof(payload);
		ssize_t n;

		for (size_t i = 0; i < len; i++)
			payload[i] = (u8)(t + i * 7);
		n = wire_encode(b, sizeof(b), t, payload, len);
		ASSERT_EQ(n, WIRE_HDR_SIZE + len);
		ASSERT_EQ(wire_decode(&f, b, n, WIRE_PAYLOAD_MAX), n);
		EXPECT_EQ(f.type, t);
		EXPECT_EQ(f.len, len);
		EXPECT_TRUE(f.payload == b + WIRE_HDR_SIZE);
		EXPECT_EQ(memcmp(f.payload, payload, len), 0);
	}
}

TEST(wire_decode_errors)
{
	u8 b[64];
	struct wire_frame f;
	size_t n;

	n = put_frame(b, WIRE_STDERR, "oops", 4);
	EXPECT_EQ(wire_decode(&f, b, 0, 100), -EAGAIN);
	EXPECT_EQ(wire_decode(&f, b, WIRE_HDR_SIZE - 1, 100), -EAGAIN);
	/* the header is judged before the payload is there */
	EXPECT_EQ(wire_decode(&f, b, WIRE_HDR_SIZE, 100), -EAGAIN);
	EXPECT_EQ(f.type, WIRE_STDERR);
	EXPECT_EQ(f.len, 4);
	EXPECT_EQ(wire_decode(&f, b, WIRE_HDR_SIZE, 3), -EMSGSIZE);
	EXPECT_EQ(wire_decode(&f, b, n, 4), (ssize_t)n);
	b[WIRE_HDR_SIZE] ^= 1;
	EXPECT_EQ(wire_decode(&f, b, n, 100), -EBADMSG);
	EXPECT_EQ(f.len, 4);

	put_hdr(b, WIRE_SYS_RDY, 0, 0, 1);
	EXPECT_EQ(wire_decode(&f, b, WIRE_HDR_SIZE, 100), -EPROTO);
	put_hdr(b, WIRE_INVALID, 0, 0, 0);
	EXPECT_EQ(wire_decode(&f, b, WIRE_HDR_SIZE, 100), -EPROTO);
	put_hdr(b, WIRE_TYPE_NR, 0, 0, 0);
	EXPECT_EQ(wire_decode(&f, b, WIRE_HDR_SIZE, 100), -EPROTO);
	put_hdr(b, WIRE_STDOUT, 0xffffffff, 0, 0);
	EXPECT_EQ(wire_decode(&f, b, WIRE_HDR_SIZE, WIRE_PAYLOAD_MAX), -EMSGSIZE);
	/* a cap above the protocol's maximum does not lift it */
	EXPECT_EQ(wire_decode(&f, b, WIRE_HDR_SIZE, 0xffffffff), -EMSGSIZE);
}

TEST(wire_type_and_phase_names)
{
	EXPECT_STREQ(wire_type_name(WIRE_INVALID), "INVALID");
	EXPECT_STREQ(wire_type_name(WIRE_SYS_RDY), "SYS_RDY");
	EXPECT_STREQ(wire_type_name(WIRE_KERN_ADDRS), "KERN_ADDRS");
	EXPECT_STREQ(wire_type_name(WIRE_SNAPSHOT_REPLY), "SNAPSHOT_REPLY");
	EXPECT_STREQ(wire_type_name(WIRE_TYPE_NR), "UNKNOWN");
	EXPECT_STREQ(wire_type_name(0xffffffff), "UNKNOWN");
	for (u32 t = 1; t < WIRE_TYPE_NR; t++) {
		EXPECT_TRUE(wire_type_valid(t));
		EXPECT_TRUE(strcmp(wire_type_name(t), "UNKNOWN") != 0);
		for (u32 u = 1; u < t; u++)
			EXPECT_TRUE(strcmp(wire_type_name(t), wire_type_name(u)) != 0);
	}
	EXPECT_FALSE(wire_type_valid(0));
	EXPECT_FALSE(wire_type_valid(WIRE_TYPE_NR));
	/* the numbers are ABI: pin them */
	EXPECT_EQ(WIRE_SYS_RDY, 1);
	EXPECT_EQ(WIRE_DMESG, 11);
	EXPECT_EQ(WIRE_SNAPSHOT_REQUEST, 12);
	EXPECT_EQ(WIRE_SNAPSHOT_REPLY, 13);
	EXPECT_STREQ(wire_phase_name(WIRE_PHASE_INIT_STARTED), "INIT_STARTED");
	EXPECT_STREQ(wire_phase_name(WIRE_PHASE_FAILED), "FAILED");
	EXPECT_STREQ(wire_phase_name(0), "UNKNOWN");
	EXPECT_STREQ(wire_phase_name(WIRE_PHASE_NR), "UNKNOWN");
}

/* ---- typed payloads --------------------------------------------------- */

TEST(wire_kern_addrs_round_trip)
{
	struct wire_kern_addrs ka = {.phys_base = 0x0123456789abcdefULL,
				     .page_offset_base = 0xffff888000000000ULL};
	struct wire_kern_addrs back = {0};
	u8 b[32];

	ASSERT_EQ(wire_kern_addrs_build(b, sizeof(b), &ka), WIRE_KERN_ADDRS_LEN);
	EXPECT_EQ(b[0], 0xef);
	EXPECT_EQ(b[7], 0x01);
	EXPECT_EQ(b[8], 0x00);
	EXPECT_EQ(b[15], 0xff);
	ASSERT_EQ(wire_kern_addrs_parse(&back, b, WIRE_KERN_ADDRS_LEN), 0);
	EXPECT_EQ(back.phys_base, ka.phys_base);
	EXPECT_EQ(back.page_offset_base, ka.page_offset_base);
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, WIRE_KERN_ADDRS_LEN - 1), -EBADMSG);
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, WIRE_KERN_ADDRS_LEN + 1), -EBADMSG);
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, 0), -EBADMSG);
	EXPECT_EQ(wire_kern_addrs_build(b, WIRE_KERN_ADDRS_LEN - 1, &ka), -ENOSPC);
}

TEST(wire_exit_round_trip)
{
	static const s32 vals[] = {0, 1, 255, -1, INT32_MIN, INT32_MAX};
	u8 b[8];
	s32 st;

	for (unsigned int i = 0; i < ARRAY_SIZE(vals); i++) {
		ASSERT_EQ(wire_exit_build(b, sizeof(b), vals[i]), WIRE_EXIT_LEN);
		ASSERT_EQ(wire_exit_parse(&st, b, WIRE_EXIT_LEN), 0);
		EXPECT_EQ(st, vals[i]);
	}
	wire_exit_build(b, sizeof(b), -2);
	EXPECT_EQ(b[0], 0xfe);
	EXPECT_EQ(b[3], 0xff);
	EXPECT_EQ(wire_exit_parse(&st, b, 3), -EBADMSG);
	EXPECT_EQ(wire_exit_parse(&st, b, 5), -EBADMSG);
	EXPECT_EQ(wire_exit_build(b, 3, 0), -ENOSPC);
}

TEST(wire_lifecycle_round_trip)
{
	static char reason[WIRE_REASON_MAX + 1];
	u8 b[WIRE_LIFECYCLE_MIN + WIRE_REASON_MAX + 8];
	struct wire_lifecycle lc;

	ASSERT_EQ(wire_lifecycle_build(b, sizeof(b), WIRE_PHASE_FAILED, "no scx", 6), 10);
	EXPECT_EQ(b[0], WIRE_PHASE_FAILED);
	ASSERT_EQ(wire_lifecycle_parse(&lc, b, 10), 0);
	EXPECT_EQ(lc.phase, WIRE_PHASE_FAILED);
	ASSERT_EQ(lc.reason_len, 6);
	EXPECT_EQ(memcmp(lc.reason, "no scx", 6), 0);

	ASSERT_EQ(wire_lifecycle_build(b, sizeof(b), WIRE_PHASE_SCHED_READY, NULL, 0), 4);
	ASSERT_EQ(wire_lifecycle_parse(&lc, b, 4), 0);
	EXPECT_EQ(lc.phase, WIRE_PHASE_SCHED_READY);
	EXPECT_EQ(lc.reason_len, 0);

	memset(reason, 'r', sizeof(reason));
	ASSERT_EQ(wire_lifecycle_build(b, sizeof(b), 2, reason, WIRE_REASON_MAX),
		  WIRE_LIFECYCLE_MIN + WIRE_REASON_MAX);
	ASSERT_EQ(wire_lifecycle_parse(&lc, b, WIRE_LIFECYCLE_MIN + WIRE_REASON_MAX), 0);
	EXPECT_EQ(lc.reason_len, WIRE_REASON_MAX);
	EXPECT_EQ(wire_lifecycle_build(b, sizeof(b), 2, reason, WIRE_REASON_MAX + 1), -EMSGSIZE);
	EXPECT_EQ(wire_lifecycle_parse(&lc, b, WIRE_LIFECYCLE_MIN + WIRE_REASON_MAX + 1), -EBADMSG);
	EXPECT_EQ(wire_lifecycle_parse(&lc, b, 3), -EBADMSG);
	EXPECT_EQ(wire_lifecycle_build(b, 9, 1, "abcdef", 6), -ENOSPC);
}
