// SPDX-License-Identifier: GPL-2.0
/* wire/wire.c: frame encoding and decoding, typed payloads, names. */
#include <errno.h>

#include "core/base/types.h"
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
	EXPECT_STREQ(wire_type_name(WIRE_KERN_ADDRS_V1), "KERN_ADDRS_V1");
	EXPECT_EQ(WIRE_KERN_ADDRS_V1, 2);
	EXPECT_EQ(WIRE_KERN_ADDRS, 17);
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
	EXPECT_EQ(WIRE_KSYMS, 14);
	EXPECT_EQ(WIRE_WATCH_ARMED, 15);
	EXPECT_EQ(WIRE_SCHED_LOG, 16);
	EXPECT_EQ(WIRE_KERN_ADDRS, 17);
	EXPECT_EQ(WIRE_BTF, 18);
	EXPECT_EQ(WIRE_BOOT_TIMES, 19);
	EXPECT_EQ(WIRE_TYPE_NR, 20);
	EXPECT_STREQ(wire_type_name(WIRE_BOOT_TIMES), "BOOT_TIMES");
	EXPECT_STREQ(wire_type_name(WIRE_SCHED_LOG), "SCHED_LOG");
	EXPECT_EQ(WIRE_PHASE_SCHED_DONE, 8);
	EXPECT_STREQ(wire_phase_name(WIRE_PHASE_SCHED_DONE), "SCHED_DONE");
	EXPECT_STREQ(wire_type_name(WIRE_KSYMS), "KSYMS");
	EXPECT_STREQ(wire_type_name(WIRE_WATCH_ARMED), "WATCH_ARMED");
	EXPECT_STREQ(wire_phase_name(WIRE_PHASE_INIT_STARTED), "INIT_STARTED");
	EXPECT_STREQ(wire_phase_name(WIRE_PHASE_FAILED), "FAILED");
	EXPECT_STREQ(wire_phase_name(0), "UNKNOWN");
	EXPECT_STREQ(wire_phase_name(WIRE_PHASE_NR), "UNKNOWN");
}

/* SCHED_EXIT: a stage and a reason; what is not a stage is refused both ways. */
TEST(wire_sched_exit_round_trip)
{
	char reason[WIRE_REASON_MAX + 40];
	struct wire_sched_exit se;
	u8 buf[WIRE_SCHED_EXIT_MIN + WIRE_REASON_MAX];
	ssize_t n;

	n = wire_sched_exit_build(buf, sizeof(buf), WIRE_SCHED_RUN, "runnable task stall");
	ASSERT_EQ(n, WIRE_SCHED_EXIT_MIN + 19);
	ASSERT_EQ(wire_sched_exit_parse(&se, buf, (size_t)n), 0);
	EXPECT_EQ(se.stage, WIRE_SCHED_RUN);
	EXPECT_STREQ(se.reason, "runnable task stall");
	/* no reason at all */
	n = wire_sched_exit_build(buf, sizeof(buf), WIRE_SCHED_ATTACH, NULL);
	ASSERT_EQ(n, WIRE_SCHED_EXIT_MIN);
	ASSERT_EQ(wire_sched_exit_parse(&se, buf, (size_t)n), 0);
	EXPECT_EQ(se.stage, WIRE_SCHED_ATTACH);
	EXPECT_STREQ(se.reason, "");
	/* a reason longer than WIRE_REASON_MAX is cut, both ways */
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	n = wire_sched_exit_build(buf, sizeof(buf), WIRE_SCHED_RUN, reason);
	EXPECT_EQ(n, WIRE_SCHED_EXIT_MIN + WIRE_REASON_MAX);
	ASSERT_EQ(wire_sched_exit_parse(&se, buf, (size_t)n), 0);
	EXPECT_EQ(strlen(se.reason), WIRE_REASON_MAX);
	/* refused */
	EXPECT_EQ(wire_sched_exit_build(buf, sizeof(buf), 0, "x"), -EINVAL);
	EXPECT_EQ(wire_sched_exit_build(buf, sizeof(buf), 3, "x"), -EINVAL);
	EXPECT_EQ(wire_sched_exit_build(buf, 5, WIRE_SCHED_RUN, "xx"), -ENOSPC);
	EXPECT_EQ(wire_sched_exit_parse(&se, buf, 3), -EBADMSG);
	wire_put_le32(buf, 7);
	EXPECT_EQ(wire_sched_exit_parse(&se, buf, 8), -EBADMSG);
}

/* ---- typed payloads --------------------------------------------------- */

TEST(wire_kern_addrs_round_trip)
{
	struct wire_kern_addrs ka = {.known = 1u << WIRE_KA_PHYS_BASE | 1u << WIRE_KA_MEMSTART_ADDR};
	struct wire_kern_addrs back;
	u8 b[64];

	ka.val[WIRE_KA_PHYS_BASE] = 0x0123456789abcdefULL;
	ka.val[WIRE_KA_MEMSTART_ADDR] = 0x40000000;
	/* not known: sent as 0 whatever the struct holds */
	ka.val[WIRE_KA_PAGE_OFFSET_BASE] = 0xffff888000000000ULL;
	ASSERT_EQ(wire_kern_addrs_build(b, sizeof(b), &ka), WIRE_KERN_ADDRS_LEN);
	EXPECT_EQ(b[0], 0x09);
	EXPECT_EQ(b[4], 0x00);
	EXPECT_EQ(b[8], 0xef);
	EXPECT_EQ(b[15], 0x01);
	EXPECT_EQ(b[16], 0x00);
	EXPECT_EQ(b[23], 0x00);
	EXPECT_EQ(b[34], 0x00);
	EXPECT_EQ(b[35], 0x40);
	memset(&back, 0xaa, sizeof(back));
	ASSERT_EQ(wire_kern_addrs_parse(&back, b, WIRE_KERN_ADDRS_LEN), 0);
	EXPECT_EQ(back.known, ka.known);
	EXPECT_EQ(back.val[WIRE_KA_PHYS_BASE], ka.val[WIRE_KA_PHYS_BASE]);
	EXPECT_EQ(back.val[WIRE_KA_PAGE_OFFSET_BASE], 0);
	EXPECT_EQ(back.val[WIRE_KA_KIMAGE_VOFFSET], 0);
	EXPECT_EQ(back.val[WIRE_KA_MEMSTART_ADDR], 0x40000000);
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, WIRE_KERN_ADDRS_LEN - 1), -EBADMSG);
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, WIRE_KERN_ADDRS_LEN + 1), -EBADMSG);
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, 0), -EBADMSG);
	EXPECT_EQ(wire_kern_addrs_build(b, WIRE_KERN_ADDRS_LEN - 1, &ka), -ENOSPC);
}

TEST(wire_kern_addrs_zero_is_a_value)
{
	struct wire_kern_addrs ka = {.known = 1u << WIRE_KA_PHYS_BASE}, back;
	u8 b[WIRE_KERN_ADDRS_LEN];

	/* phys_base 0 (the kernel where it was linked) is known, not missing */
	ASSERT_EQ(wire_kern_addrs_build(b, sizeof(b), &ka), WIRE_KERN_ADDRS_LEN);
	ASSERT_EQ(wire_kern_addrs_parse(&back, b, sizeof(b)), 0);
	EXPECT_EQ(back.known, 1u << WIRE_KA_PHYS_BASE);
	EXPECT_EQ(back.val[WIRE_KA_PHYS_BASE], 0);
	ka.known = 0;
	ASSERT_EQ(wire_kern_addrs_build(b, sizeof(b), &ka), WIRE_KERN_ADDRS_LEN);
	ASSERT_EQ(wire_kern_addrs_parse(&back, b, sizeof(b)), 0);
	EXPECT_EQ(back.known, 0);
}

TEST(wire_kern_addrs_refuses_what_it_cannot_mean)
{
	struct wire_kern_addrs ka = {.known = 1u << WIRE_KA_PHYS_BASE}, back;
	u8 b[WIRE_KERN_ADDRS_LEN];

	ka.val[WIRE_KA_PHYS_BASE] = 0x1000000;
	ASSERT_EQ(wire_kern_addrs_build(b, sizeof(b), &ka), WIRE_KERN_ADDRS_LEN);
	/* a bit past the known values */
	b[0] |= 1u << WIRE_KA_NR;
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, sizeof(b)), -EBADMSG);
	b[0] &= ~(1u << WIRE_KA_NR);
	b[3] = 0x80;
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, sizeof(b)), -EBADMSG);
	b[3] = 0;
	/* the pad word */
	b[5] = 1;
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, sizeof(b)), -EBADMSG);
	b[5] = 0;
	/* a value whose bit is clear */
	b[8 + 8 * WIRE_KA_PAGE_OFFSET_BASE] = 1;
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, sizeof(b)), -EBADMSG);
	b[8 + 8 * WIRE_KA_PAGE_OFFSET_BASE] = 0;
	EXPECT_EQ(wire_kern_addrs_parse(&back, b, sizeof(b)), 0);
	EXPECT_STREQ(wire_ka_name(WIRE_KA_PHYS_BASE), "phys_base");
	EXPECT_STREQ(wire_ka_name(WIRE_KA_MEMSTART_ADDR), "memstart_addr");
	EXPECT_TRUE(wire_ka_name(WIRE_KA_NR) == NULL);
	for (unsigned int i = 0; i < WIRE_KA_NR; i++)
		EXPECT_TRUE(wire_ka_name(i) != NULL);
}

TEST(wire_btf_frames)
{
	u8 b[WIRE_BTF_HDR + 64];
	struct wire_btf f;

	ASSERT_EQ(wire_btf_build(b, sizeof(b), 100, 90, "0123456789", 10), WIRE_BTF_HDR + 10);
	EXPECT_EQ(b[0], 100);
	EXPECT_EQ(b[4], 90);
	ASSERT_EQ(wire_btf_parse(&f, b, WIRE_BTF_HDR + 10), 0);
	EXPECT_EQ(f.total, 100);
	EXPECT_EQ(f.offset, 90);
	EXPECT_EQ(f.len, 10);
	EXPECT_EQ(memcmp(f.data, "0123456789", 10), 0);
	/* past the total, empty, or a total past the cap */
	EXPECT_EQ(wire_btf_parse(&f, b, WIRE_BTF_HDR + 11), -EBADMSG);
	EXPECT_EQ(wire_btf_parse(&f, b, WIRE_BTF_HDR), -EBADMSG);
	EXPECT_EQ(wire_btf_parse(&f, b, WIRE_BTF_HDR - 1), -EBADMSG);
	EXPECT_EQ(wire_btf_build(b, sizeof(b), 100, 95, "0123456789", 10), -EINVAL);
	EXPECT_EQ(wire_btf_build(b, sizeof(b), 100, 0, "", 0), -EINVAL);
	EXPECT_EQ(wire_btf_build(b, sizeof(b), WIRE_BTF_MAX + 1, 0, "x", 1), -EINVAL);
	EXPECT_EQ(wire_btf_build(b, sizeof(b), WIRE_BTF_MAX, WIRE_BTF_MAX - 1, "x", 1),
		  WIRE_BTF_HDR + 1);
	EXPECT_EQ(wire_btf_build(b, WIRE_BTF_HDR + 9, 100, 90, "0123456789", 10), -ENOSPC);
	b[0] = b[1] = b[2] = b[3] = 0xff;
	EXPECT_EQ(wire_btf_parse(&f, b, WIRE_BTF_HDR + 1), -EBADMSG);
	/* total 0: the reason, at offset 0, no longer than a LIFECYCLE's */
	ASSERT_EQ(wire_btf_build(b, sizeof(b), 0, 0, "none", 4), WIRE_BTF_HDR + 4);
	ASSERT_EQ(wire_btf_parse(&f, b, WIRE_BTF_HDR + 4), 0);
	EXPECT_EQ(f.total, 0);
	EXPECT_EQ(f.len, 4);
	ASSERT_EQ(wire_btf_build(b, sizeof(b), 0, 0, NULL, 0), WIRE_BTF_HDR);
	EXPECT_EQ(wire_btf_build(b, sizeof(b), 0, 1, "x", 1), -EINVAL);
	{
		static u8 big[WIRE_BTF_HDR + WIRE_REASON_MAX + 1];

		EXPECT_EQ(wire_btf_parse(&f, big, sizeof(big)), -EBADMSG);
		EXPECT_EQ(wire_btf_parse(&f, big, sizeof(big) - 1), 0);
	}
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

/* ---- snapshots ---------------------------------------------------------- */

TEST(wire_snapshot_request_round_trip)
{
	static const u8 want[] = {0x04, 0x03, 0x02, 0x01, 3, 'a', '/', 'b'};
	struct wire_snapshot_request rq;
	char tag[WIRE_SNAPSHOT_TAG_MAX + 1];
	u8 b[WIRE_SNAPSHOT_REQUEST_MIN + WIRE_SNAPSHOT_TAG_MAX + 8];

	ASSERT_EQ(wire_snapshot_request_build(b, sizeof(b), 0x01020304, "a/b", 3), sizeof(want));
	EXPECT_EQ(memcmp(b, want, sizeof(want)), 0);
	memset(&rq, 0x55, sizeof(rq));
	ASSERT_EQ(wire_snapshot_request_parse(&rq, b, sizeof(want)), 0);
	EXPECT_EQ(rq.id, 0x01020304);
	EXPECT_EQ(rq.tag_len, 3);
	/* the tag is carried as is: sanitising it is the host's job */
	EXPECT_STREQ(rq.tag, "a/b");

	ASSERT_EQ(wire_snapshot_request_build(b, sizeof(b), 7, NULL, 0), WIRE_SNAPSHOT_REQUEST_MIN);
	ASSERT_EQ(wire_snapshot_request_parse(&rq, b, WIRE_SNAPSHOT_REQUEST_MIN), 0);
	EXPECT_EQ(rq.id, 7);
	EXPECT_EQ(rq.tag_len, 0);
	EXPECT_STREQ(rq.tag, "");

	/* every byte value, a NUL included, at the longest tag */
	for (size_t i = 0; i < WIRE_SNAPSHOT_TAG_MAX; i++)
		tag[i] = (char)(i * 37 + 200);
	tag[5] = '\0';
	ASSERT_EQ(wire_snapshot_request_build(b, sizeof(b), 0xffffffff, tag, WIRE_SNAPSHOT_TAG_MAX),
		  WIRE_SNAPSHOT_REQUEST_MIN + WIRE_SNAPSHOT_TAG_MAX);
	ASSERT_EQ(
	    wire_snapshot_request_parse(&rq, b, WIRE_SNAPSHOT_REQUEST_MIN + WIRE_SNAPSHOT_TAG_MAX),
	    0);
	EXPECT_EQ(rq.id, 0xffffffff);
	EXPECT_EQ(rq.tag_len, WIRE_SNAPSHOT_TAG_MAX);
	EXPECT_EQ(memcmp(rq.tag, tag, WIRE_SNAPSHOT_TAG_MAX), 0);
	EXPECT_EQ(rq.tag[WIRE_SNAPSHOT_TAG_MAX], '\0');
}

TEST(wire_snapshot_request_rejects)
{
	static char tag[WIRE_SNAPSHOT_TAG_MAX + 2];
	u8 b[WIRE_SNAPSHOT_REQUEST_MIN + WIRE_SNAPSHOT_TAG_MAX + 8] = {0};
	struct wire_snapshot_request rq;

	memset(tag, 't', sizeof(tag));
	EXPECT_EQ(wire_snapshot_request_build(b, sizeof(b), 1, tag, WIRE_SNAPSHOT_TAG_MAX + 1),
		  -EMSGSIZE);
	EXPECT_EQ(wire_snapshot_request_build(b, WIRE_SNAPSHOT_REQUEST_MIN + 2, 1, "abc", 3),
		  -ENOSPC);
	EXPECT_EQ(wire_snapshot_request_build(b, WIRE_SNAPSHOT_REQUEST_MIN - 1, 1, NULL, 0),
		  -ENOSPC);

	ASSERT_EQ(wire_snapshot_request_build(b, sizeof(b), 1, "abc", 3), 8);
	/* shorter than the fixed part, or than the tag length says */
	for (size_t len = 0; len < 8; len++)
		EXPECT_EQ(wire_snapshot_request_parse(&rq, b, len), -EBADMSG);
	/* bytes after the tag */
	EXPECT_EQ(wire_snapshot_request_parse(&rq, b, 9), -EBADMSG);
	/* a tag length over the maximum, even with the bytes there */
	b[4] = WIRE_SNAPSHOT_TAG_MAX + 1;
	EXPECT_EQ(wire_snapshot_request_parse(
		      &rq, b, WIRE_SNAPSHOT_REQUEST_MIN + WIRE_SNAPSHOT_TAG_MAX + 1),
		  -EBADMSG);
	b[4] = 0xff;
	EXPECT_EQ(wire_snapshot_request_parse(&rq, b, sizeof(b)), -EBADMSG);
}

TEST(wire_snapshot_reply_round_trip)
{
	static const s32 vals[] = {0, -1, -ENOSPC, INT32_MIN};
	struct wire_snapshot_reply rp;
	u8 b[16];

	for (unsigned int i = 0; i < ARRAY_SIZE(vals); i++) {
		ASSERT_EQ(wire_snapshot_reply_build(b, sizeof(b), 100 + i, vals[i]),
			  WIRE_SNAPSHOT_REPLY_LEN);
		ASSERT_EQ(wire_snapshot_reply_parse(&rp, b, WIRE_SNAPSHOT_REPLY_LEN), 0);
		EXPECT_EQ(rp.id, 100 + i);
		EXPECT_EQ(rp.status, vals[i]);
	}
	wire_snapshot_reply_build(b, sizeof(b), 0x11223344, -2);
	EXPECT_EQ(b[0], 0x44);
	EXPECT_EQ(b[3], 0x11);
	EXPECT_EQ(b[4], 0xfe);
	EXPECT_EQ(b[7], 0xff);
}

TEST(wire_snapshot_reply_rejects)
{
	struct wire_snapshot_reply rp;
	u8 b[16] = {0};

	EXPECT_EQ(wire_snapshot_reply_build(b, sizeof(b), 1, 1), -EINVAL);
	EXPECT_EQ(wire_snapshot_reply_build(b, WIRE_SNAPSHOT_REPLY_LEN - 1, 1, 0), -ENOSPC);
	ASSERT_EQ(wire_snapshot_reply_build(b, sizeof(b), 1, 0), WIRE_SNAPSHOT_REPLY_LEN);
	for (size_t len = 0; len < sizeof(b); len++)
		if (len != WIRE_SNAPSHOT_REPLY_LEN)
			EXPECT_EQ(wire_snapshot_reply_parse(&rp, b, len), -EBADMSG);
	/* a positive status is no errno */
	wire_put_le32(b + 4, 1);
	EXPECT_EQ(wire_snapshot_reply_parse(&rp, b, WIRE_SNAPSHOT_REPLY_LEN), -EBADMSG);
	wire_put_le32(b + 4, INT32_MAX);
	EXPECT_EQ(wire_snapshot_reply_parse(&rp, b, WIRE_SNAPSHOT_REPLY_LEN), -EBADMSG);
}

/* ---- watchpoints -------------------------------------------------------- */

static void ksym_set(struct wire_ksym *k, u64 addr, const char *name)
{
	k->addr = addr;
	ASSERT_LT(strlen(name), sizeof(k->name));
	strcpy(k->name, name);
}

TEST(wire_ksym_name_rules)
{
	static char name[WIRE_KSYM_NAME_MAX + 2];

	EXPECT_TRUE(wire_ksym_name_valid("vm_swappiness", 13));
	EXPECT_TRUE(wire_ksym_name_valid("_", 1));
	EXPECT_TRUE(wire_ksym_name_valid("foo.llvm.123456", 15));
	EXPECT_TRUE(wire_ksym_name_valid("$x.0", 4));
	EXPECT_TRUE(wire_ksym_name_valid("AZaz09_.$", 9));
	EXPECT_FALSE(wire_ksym_name_valid("", 0));
	EXPECT_FALSE(wire_ksym_name_valid("a b", 3));
	EXPECT_FALSE(wire_ksym_name_valid("a,b", 3));
	EXPECT_FALSE(wire_ksym_name_valid("a/b", 3));
	EXPECT_FALSE(wire_ksym_name_valid("a\0b", 3));
	EXPECT_FALSE(wire_ksym_name_valid("a\tb", 3));
	EXPECT_FALSE(wire_ksym_name_valid("a\nb", 3));
	EXPECT_FALSE(wire_ksym_name_valid("\x80", 1));
	EXPECT_FALSE(wire_ksym_name_valid("a-b", 3));
	EXPECT_FALSE(wire_ksym_name_valid("\x1b[0m", 4));
	memset(name, 'n', sizeof(name));
	EXPECT_TRUE(wire_ksym_name_valid(name, WIRE_KSYM_NAME_MAX));
	EXPECT_FALSE(wire_ksym_name_valid(name, WIRE_KSYM_NAME_MAX + 1));
	/* every byte outside the set, alone */
	for (int c = 0; c < 256; c++) {
		char s = (char)c;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '$';

		EXPECT_EQ(wire_ksym_name_valid(&s, 1), ok);
	}
}

TEST(wire_ksyms_layout)
{
	static const u8 want[] = {
	    2,	  0,	0,    0,			    /* count */
	    0xc0, 0xb2, 0xa1, 0x82, 0xff, 0xff, 0xff, 0xff, /* address */
	    2,	  'v',	'm',				    /* name length, name */
	    0,	  0,	0,    0,    0,	  0,	0,    0,    /* not found */
	    1,	  'x',
	};
	struct wire_ksym k[2];
	u8 b[64];

	ksym_set(&k[0], 0xffffffff82a1b2c0ULL, "vm");
	ksym_set(&k[1], 0, "x");
	ASSERT_EQ(wire_ksyms_build(b, sizeof(b), k, 2), sizeof(want));
	EXPECT_EQ(memcmp(b, want, sizeof(want)), 0);
}

TEST(wire_ksyms_round_trip)
{
	struct wire_ksym k[WIRE_KSYMS_MAX], back[WIRE_KSYMS_MAX];
	static u8 b[WIRE_KSYMS_LEN_MAX + 8];
	u32 n = 99;
	ssize_t len;

	/* the largest payload there is: 16 names of the longest length */
	for (u32 i = 0; i < WIRE_KSYMS_MAX; i++) {
		k[i].addr = 0xffffffff81000000ULL + i * 0x1000;
		memset(k[i].name, 'a' + i, WIRE_KSYM_NAME_MAX);
		k[i].name[WIRE_KSYM_NAME_MAX] = '\0';
	}
	len = wire_ksyms_build(b, sizeof(b), k, WIRE_KSYMS_MAX);
	ASSERT_EQ(len, WIRE_KSYMS_LEN_MAX);
	ASSERT_EQ(wire_ksyms_parse(back, WIRE_KSYMS_MAX, &n, b, len), 0);
	ASSERT_EQ(n, WIRE_KSYMS_MAX);
	for (u32 i = 0; i < n; i++) {
		EXPECT_EQ(back[i].addr, k[i].addr);
		EXPECT_STREQ(back[i].name, k[i].name);
	}

	ksym_set(&k[0], 0xffffffff82a1b2c0ULL, "vm_swappiness");
	ksym_set(&k[1], 0, "not_there");
	ksym_set(&k[2], ~0ULL, "x.llvm.42");
	len = wire_ksyms_build(b, sizeof(b), k, 3);
	ASSERT_EQ(len, WIRE_KSYMS_MIN + 3 * WIRE_KSYM_ENTRY_MIN + 13 + 9 + 9);
	ASSERT_EQ(wire_ksyms_parse(back, 3, &n, b, len), 0);
	ASSERT_EQ(n, 3);
	EXPECT_EQ(back[0].addr, 0xffffffff82a1b2c0ULL);
	EXPECT_STREQ(back[0].name, "vm_swappiness");
	EXPECT_EQ(back[1].addr, 0);
	EXPECT_STREQ(back[1].name, "not_there");
	EXPECT_EQ(back[2].addr, ~0ULL);
	EXPECT_STREQ(back[2].name, "x.llvm.42");

	/* none at all is a valid answer */
	ASSERT_EQ(wire_ksyms_build(b, sizeof(b), k, 0), WIRE_KSYMS_MIN);
	ASSERT_EQ(wire_ksyms_parse(back, 0, &n, b, WIRE_KSYMS_MIN), 0);
	EXPECT_EQ(n, 0);
}

TEST(wire_ksyms_build_rejects)
{
	struct wire_ksym k[WIRE_KSYMS_MAX + 1];
	u8 b[WIRE_KSYMS_LEN_MAX + 64];

	for (u32 i = 0; i < ARRAY_SIZE(k); i++)
		ksym_set(&k[i], i, "ok");
	EXPECT_EQ(wire_ksyms_build(b, sizeof(b), k, WIRE_KSYMS_MAX + 1), -EMSGSIZE);
	EXPECT_EQ(wire_ksyms_build(b, sizeof(b), k, 0xffffffff), -EMSGSIZE);
	EXPECT_EQ(wire_ksyms_build(b, WIRE_KSYMS_MIN - 1, k, 0), -ENOSPC);
	/* 4 + 9 + 2 bytes for one entry */
	EXPECT_EQ(wire_ksyms_build(b, 14, k, 1), -ENOSPC);
	EXPECT_EQ(wire_ksyms_build(b, 15, k, 1), 15);
	EXPECT_EQ(wire_ksyms_build(b, 25, k, 2), -ENOSPC);
	EXPECT_EQ(wire_ksyms_build(b, 26, k, 2), 26);

	ksym_set(&k[1], 1, "");
	EXPECT_EQ(wire_ksyms_build(b, sizeof(b), k, 2), -EINVAL);
	ksym_set(&k[1], 1, "bad name");
	EXPECT_EQ(wire_ksyms_build(b, sizeof(b), k, 2), -EINVAL);
	/* a name filling the array with no NUL in it */
	memset(k[1].name, 'n', sizeof(k[1].name));
	EXPECT_EQ(wire_ksyms_build(b, sizeof(b), k, 2), -EINVAL);
}

/* A KSYMS payload entry by hand: any name length, any bytes. */
static size_t ksyms_put(u8 *p, u64 addr, u8 name_len, const char *name)
{
	wire_put_le64(p, addr);
	p[8] = name_len;
	memcpy(p + 9, name, strlen(name));
	return 9 + strlen(name);
}

TEST(wire_ksyms_parse_rejects)
{
	static const char *const bad[] = {"a b", "a\nb", "\x1b]0;x\x07", "a/b", "..\x80"};
	static char longname[WIRE_KSYM_NAME_MAX + 2];
	struct wire_ksym out[WIRE_KSYMS_MAX + 1];
	u8 b[WIRE_KSYMS_LEN_MAX + 512];
	u32 n = 1234;
	size_t len;

	/* no room for the count */
	for (len = 0; len < WIRE_KSYMS_MIN; len++)
		EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);

	/* a count over the caller's max, or over the protocol's */
	len = WIRE_KSYMS_MIN;
	len += ksyms_put(b + len, 1, 1, "a");
	len += ksyms_put(b + len, 2, 1, "b");
	wire_put_le32(b, 2);
	EXPECT_EQ(wire_ksyms_parse(out, 1, &n, b, len), -EBADMSG);
	EXPECT_EQ(wire_ksyms_parse(out, 2, &n, b, len), 0);
	EXPECT_EQ(n, 2);
	n = 1234;
	for (u32 i = 0; i < WIRE_KSYMS_MAX - 1; i++)
		len += ksyms_put(b + len, 3, 1, "c");
	wire_put_le32(b, WIRE_KSYMS_MAX + 1);
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX + 1, &n, b, len), -EBADMSG);
	wire_put_le32(b, 0xffffffff);
	EXPECT_EQ(wire_ksyms_parse(out, 0xffffffff, &n, b, len), -EBADMSG);

	/* a count larger than the entries there */
	len = WIRE_KSYMS_MIN + ksyms_put(b + WIRE_KSYMS_MIN, 1, 1, "a");
	wire_put_le32(b, 2);
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);
	/* trailing bytes after the entries; a count of 0 with bytes after it */
	wire_put_le32(b, 1);
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len + 1), -EBADMSG);
	wire_put_le32(b, 0);
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);

	/* a name length past the payload's end */
	len = WIRE_KSYMS_MIN + ksyms_put(b + WIRE_KSYMS_MIN, 1, 5, "abcd");
	wire_put_le32(b, 1);
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);
	len = WIRE_KSYMS_MIN + ksyms_put(b + WIRE_KSYMS_MIN, 1, 0xff, "abcd");
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);

	/* name length 0 */
	len = WIRE_KSYMS_MIN + ksyms_put(b + WIRE_KSYMS_MIN, 1, 0, "");
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);

	/* name length 128, with the bytes there */
	memset(longname, 'l', WIRE_KSYM_NAME_MAX + 1);
	len = WIRE_KSYMS_MIN + ksyms_put(b + WIRE_KSYMS_MIN, 1, WIRE_KSYM_NAME_MAX + 1, longname);
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);
	longname[WIRE_KSYM_NAME_MAX] = '\0';
	len = WIRE_KSYMS_MIN + ksyms_put(b + WIRE_KSYMS_MIN, 1, WIRE_KSYM_NAME_MAX, longname);
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), 0);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(strlen(out[0].name), WIRE_KSYM_NAME_MAX);

	/* bytes outside the set, among them a NUL and terminal escapes */
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		len = WIRE_KSYMS_MIN + ksyms_put(b + WIRE_KSYMS_MIN, 1, strlen(bad[i]), bad[i]);
		EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);
	}
	len = WIRE_KSYMS_MIN + ksyms_put(b + WIRE_KSYMS_MIN, 1, 3, "ab");
	b[len++] = '\0';
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);
	/* a good entry then a bad one: refused whole */
	wire_put_le32(b, 2);
	len = WIRE_KSYMS_MIN + ksyms_put(b + WIRE_KSYMS_MIN, 1, 2, "ok");
	len += ksyms_put(b + len, 1, 2, "-x");
	EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);
	/* n is only set on success */
	EXPECT_EQ(n, 1);
}

TEST(wire_ksyms_every_truncation)
{
	struct wire_ksym k[WIRE_KSYMS_MAX], out[WIRE_KSYMS_MAX];
	static u8 b[WIRE_KSYMS_LEN_MAX], scratch[WIRE_KSYMS_LEN_MAX];
	ssize_t full;
	u32 n;

	for (u32 i = 0; i < WIRE_KSYMS_MAX; i++) {
		k[i].addr = 0x1111111111111111ULL * (i + 1);
		int l = snprintf(k[i].name, sizeof(k[i].name), "sym_%u_", i);

		/* names of many lengths, up to 7 + 105 bytes */
		memset(k[i].name + l, 'x', i * 7);
		k[i].name[l + i * 7] = '\0';
	}
	for (u32 cnt = 0; cnt <= WIRE_KSYMS_MAX; cnt++) {
		full = wire_ksyms_build(b, sizeof(b), k, cnt);
		ASSERT_GT(full, 0);
		ASSERT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, full), 0);
		ASSERT_EQ(n, cnt);
		for (u32 i = 0; i < cnt; i++) {
			EXPECT_EQ(out[i].addr, k[i].addr);
			EXPECT_STREQ(out[i].name, k[i].name);
		}
		/* every shorter length is a truncated entry; the builder agrees */
		for (ssize_t len = 0; len < full; len++) {
			EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, len), -EBADMSG);
			EXPECT_EQ(wire_ksyms_build(scratch, len, k, cnt), -ENOSPC);
		}
		/* as is every longer one */
		if ((size_t)full < sizeof(b))
			EXPECT_EQ(wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, b, full + 1), -EBADMSG);
	}
}

TEST(wire_ksyms_every_byte_flipped)
{
	struct wire_ksym k[3], out[WIRE_KSYMS_MAX];
	u8 b[128], c[128];
	ssize_t len;
	u32 n;

	ksym_set(&k[0], 0xffffffff82a1b2c0ULL, "vm_swappiness");
	ksym_set(&k[1], 0, "x");
	ksym_set(&k[2], 0xffff800080001000ULL, "sysctl_sched_base_slice");
	len = wire_ksyms_build(b, sizeof(b), k, 3);
	ASSERT_GT(len, 0);
	/*
	 * Whatever a damaged payload parses to, it is a valid answer: building
	 * it again gives back the damaged bytes exactly.
	 */
	for (ssize_t i = 0; i < len; i++) {
		for (int v = 0; v < 256; v++) {
			u8 d[128];

			memcpy(d, b, len);
			d[i] = (u8)v;
			if (wire_ksyms_parse(out, WIRE_KSYMS_MAX, &n, d, len))
				continue;
			ASSERT_LE(n, WIRE_KSYMS_MAX);
			ASSERT_EQ(wire_ksyms_build(c, sizeof(c), out, n), len);
			ASSERT_EQ(memcmp(c, d, len), 0);
		}
	}
}

TEST(wire_watch_armed_round_trip)
{
	static const s32 st[] = {0, -EBUSY, -ENOSPC, INT32_MIN};
	struct wire_watch_armed wa;
	u8 b[16];

	for (unsigned int i = 0; i < ARRAY_SIZE(st); i++) {
		for (u32 armed = 0; armed <= WIRE_KSYMS_MAX; armed++) {
			ASSERT_EQ(wire_watch_armed_build(b, sizeof(b), st[i], armed),
				  WIRE_WATCH_ARMED_LEN);
			ASSERT_EQ(wire_watch_armed_parse(&wa, b, WIRE_WATCH_ARMED_LEN), 0);
			EXPECT_EQ(wa.status, st[i]);
			EXPECT_EQ(wa.armed, armed);
		}
	}
	wire_watch_armed_build(b, sizeof(b), -2, 3);
	EXPECT_EQ(b[0], 0xfe);
	EXPECT_EQ(b[3], 0xff);
	EXPECT_EQ(b[4], 3);
	EXPECT_EQ(b[7], 0);
}

TEST(wire_watch_armed_rejects)
{
	struct wire_watch_armed wa = {.status = 5, .armed = 5};
	u8 b[16] = {0};

	EXPECT_EQ(wire_watch_armed_build(b, sizeof(b), 1, 0), -EINVAL);
	EXPECT_EQ(wire_watch_armed_build(b, sizeof(b), 0, WIRE_KSYMS_MAX + 1), -EINVAL);
	EXPECT_EQ(wire_watch_armed_build(b, WIRE_WATCH_ARMED_LEN - 1, 0, 1), -ENOSPC);
	ASSERT_EQ(wire_watch_armed_build(b, sizeof(b), 0, 1), WIRE_WATCH_ARMED_LEN);
	for (size_t len = 0; len < sizeof(b); len++)
		if (len != WIRE_WATCH_ARMED_LEN)
			EXPECT_EQ(wire_watch_armed_parse(&wa, b, len), -EBADMSG);
	wire_put_le32(b, 1);
	EXPECT_EQ(wire_watch_armed_parse(&wa, b, WIRE_WATCH_ARMED_LEN), -EBADMSG);
	wire_put_le32(b, 0);
	wire_put_le32(b + 4, WIRE_KSYMS_MAX + 1);
	EXPECT_EQ(wire_watch_armed_parse(&wa, b, WIRE_WATCH_ARMED_LEN), -EBADMSG);
	wire_put_le32(b + 4, 0xffffffff);
	EXPECT_EQ(wire_watch_armed_parse(&wa, b, WIRE_WATCH_ARMED_LEN), -EBADMSG);
	/* nothing written on failure */
	EXPECT_EQ(wa.status, 5);
	EXPECT_EQ(wa.armed, 5);
}

/* BOOT_TIMES: whole 16-byte entries, point and pad checked, unknown points kept. */
TEST(wire_boot_times_round_trip)
{
	static const u8 want[] = {1,	0,    0,    0,	  0,	0,    0,    0,
				  0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
	struct wire_boot_time t[3] = {{WIRE_BOOT_KERNEL_INIT, 0x0102030405060708ULL},
				      {WIRE_BOOT_INIT_READY, 0},
				      {200, ~0ULL}}; /* a point from a newer init */
	struct wire_boot_time back[WIRE_BOOT_TIMES_MAX];
	u8 b[WIRE_BOOT_TIMES_MAX * WIRE_BOOT_TIME_LEN];
	u32 n = 0;

	ASSERT_EQ(wire_boot_times_build(b, sizeof(b), t, 3), 3 * WIRE_BOOT_TIME_LEN);
	EXPECT_EQ(memcmp(b, want, sizeof(want)), 0);
	ASSERT_EQ(wire_boot_times_parse(back, WIRE_BOOT_TIMES_MAX, &n, b, 3 * WIRE_BOOT_TIME_LEN),
		  0);
	ASSERT_EQ(n, 3);
	for (u32 i = 0; i < n; i++) {
		EXPECT_EQ(back[i].point, t[i].point);
		EXPECT_EQ(back[i].ns, t[i].ns);
	}
	EXPECT_STREQ(wire_boot_point_name(WIRE_BOOT_KERNEL_INIT), "kernel_init");
	EXPECT_STREQ(wire_boot_point_name(WIRE_BOOT_PAYLOAD_EXIT), "payload_exit");
	EXPECT_TRUE(wire_boot_point_name(0) == NULL);
	EXPECT_TRUE(wire_boot_point_name(WIRE_BOOT_NR) == NULL);
	/* the numbers are ABI: pin them */
	EXPECT_EQ(WIRE_BOOT_KERNEL_INIT, 1);
	EXPECT_EQ(WIRE_BOOT_INIT_START, 2);
	EXPECT_EQ(WIRE_BOOT_INIT_READY, 3);
	EXPECT_EQ(WIRE_BOOT_PAYLOAD_START, 4);
	EXPECT_EQ(WIRE_BOOT_PAYLOAD_EXIT, 5);
}

TEST(wire_boot_times_rejects)
{
	struct wire_boot_time t[WIRE_BOOT_TIMES_MAX + 1], back[WIRE_BOOT_TIMES_MAX + 1];
	u8 b[(WIRE_BOOT_TIMES_MAX + 1) * WIRE_BOOT_TIME_LEN];
	u32 n = 77;

	for (u32 i = 0; i <= WIRE_BOOT_TIMES_MAX; i++)
		t[i] = (struct wire_boot_time){.point = 1 + i % 5, .ns = i};
	EXPECT_EQ(wire_boot_times_build(b, sizeof(b), t, 0), -EINVAL);
	EXPECT_EQ(wire_boot_times_build(b, sizeof(b), t, WIRE_BOOT_TIMES_MAX + 1), -EINVAL);
	EXPECT_EQ(wire_boot_times_build(b, 2 * WIRE_BOOT_TIME_LEN - 1, t, 2), -ENOSPC);
	t[1].point = 0;
	EXPECT_EQ(wire_boot_times_build(b, sizeof(b), t, 2), -EINVAL);
	t[1].point = 2;
	ASSERT_EQ(wire_boot_times_build(b, sizeof(b), t, WIRE_BOOT_TIMES_MAX),
		  WIRE_BOOT_TIMES_MAX * WIRE_BOOT_TIME_LEN);
	/* empty, part of an entry, more than the cap or the caller's room */
	EXPECT_EQ(wire_boot_times_parse(back, WIRE_BOOT_TIMES_MAX, &n, b, 0), -EBADMSG);
	for (size_t len = 1; len < 2 * WIRE_BOOT_TIME_LEN; len++)
		if (len != WIRE_BOOT_TIME_LEN)
			EXPECT_EQ(wire_boot_times_parse(back, WIRE_BOOT_TIMES_MAX, &n, b, len),
				  -EBADMSG);
	memcpy(b + WIRE_BOOT_TIMES_MAX * WIRE_BOOT_TIME_LEN, b, WIRE_BOOT_TIME_LEN);
	EXPECT_EQ(wire_boot_times_parse(back, WIRE_BOOT_TIMES_MAX + 1, &n, b, sizeof(b)), -EBADMSG);
	EXPECT_EQ(wire_boot_times_parse(back, 2, &n, b, 3 * WIRE_BOOT_TIME_LEN), -EBADMSG);
	EXPECT_EQ(wire_boot_times_parse(back, 3, &n, b, 3 * WIRE_BOOT_TIME_LEN), 0);
	EXPECT_EQ(n, 3);
	/* point 0, a nonzero pad */
	n = 77;
	wire_put_le32(b + WIRE_BOOT_TIME_LEN, 0);
	EXPECT_EQ(wire_boot_times_parse(back, 3, &n, b, 3 * WIRE_BOOT_TIME_LEN), -EBADMSG);
	wire_put_le32(b + WIRE_BOOT_TIME_LEN, 2);
	b[WIRE_BOOT_TIME_LEN + 7] = 1;
	EXPECT_EQ(wire_boot_times_parse(back, 3, &n, b, 3 * WIRE_BOOT_TIME_LEN), -EBADMSG);
	EXPECT_EQ(n, 77);
}
