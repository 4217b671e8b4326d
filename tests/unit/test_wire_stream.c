// SPDX-License-Identifier: GPL-2.0
/* wire/stream.c: the host's stream assembler, fed every kind of split and garbage. */
#include <errno.h>
#include <stdlib.h>

#include "core/base/types.h"
#include "tests/test.h"
#include "wire/stream.h"
#include "wire/wire.h"
#include "tests/unit/wire_fake.h"

/* ---- helpers ---------------------------------------------------------- */

#define REC_MAX 64

/* Copies of the frames a stream delivered. */
struct rec {
	unsigned int n, overflow;
	struct {
		u32 type, len;
		u8 *data;
	} f[REC_MAX];
};

static void rec_fn(void *ctx, u32 type, const u8 *payload, u32 len)
{
	struct rec *r = ctx;

	if (r->n == REC_MAX) {
		r->overflow++;
		return;
	}
	r->f[r->n].type = type;
	r->f[r->n].len = len;
	r->f[r->n].data = malloc(len ? len : 1);
	if (r->f[r->n].data && len)
		memcpy(r->f[r->n].data, payload, len);
	r->n++;
}

static void rec_free(struct rec *r)
{
	for (unsigned int i = 0; i < r->n; i++)
		free(r->f[i].data);
	memset(r, 0, sizeof(*r));
}

/* A frame the test expects to see delivered. */
struct want {
	u32 type;
	const void *payload;
	u32 len;
};

static void expect_frames(const struct rec *r, const struct want *w, unsigned int nw)
{
	EXPECT_EQ(r->overflow, 0);
	ASSERT_EQ(r->n, nw);
	for (unsigned int i = 0; i < nw; i++) {
		EXPECT_EQ(r->f[i].type, w[i].type);
		ASSERT_EQ(r->f[i].len, w[i].len);
		ASSERT_TRUE(r->f[i].data != NULL);
		EXPECT_TRUE(!w[i].len || !memcmp(r->f[i].data, w[i].payload, w[i].len));
	}
}

static u32 rnd_state;

static u32 rnd(void)
{
	/* xorshift32: deterministic splits, the same on every arch */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Every fed byte is accounted for exactly once (stream.h). */
static void expect_accounting(const struct wire_stream *s)
{
	const struct wire_stream_stats *st = &s->st;
	u64 by_type = 0;

	for (unsigned int t = 0; t < WIRE_TYPE_NR; t++)
		by_type += st->by_type[t];
	EXPECT_EQ(by_type, st->frames);
	EXPECT_EQ(st->by_type[0], 0);
	EXPECT_EQ(st->bytes_in, st->frame_bytes + st->crc_bytes + st->resync_bytes +
				    st->dropped_bytes + wire_stream_pending(s));
	EXPECT_LT(s->len, s->need);
	EXPECT_LE(s->need, s->size);
	EXPECT_LE(s->size, WIRE_HDR_SIZE + (size_t)s->cap);
}

static void expect_same_stats(const struct wire_stream_stats *a, const struct wire_stream_stats *b)
{
	EXPECT_EQ(a->bytes_in, b->bytes_in);
	EXPECT_EQ(a->frames, b->frames);
	for (unsigned int t = 0; t < WIRE_TYPE_NR; t++)
		EXPECT_EQ(a->by_type[t], b->by_type[t]);
	EXPECT_EQ(a->frame_bytes, b->frame_bytes);
	EXPECT_EQ(a->crc_errors, b->crc_errors);
	EXPECT_EQ(a->crc_bytes, b->crc_bytes);
	EXPECT_EQ(a->bad_headers, b->bad_headers);
	EXPECT_EQ(a->resync_bytes, b->resync_bytes);
	EXPECT_EQ(a->oversize, b->oversize);
	EXPECT_EQ(a->truncated, b->truncated);
	EXPECT_EQ(a->dropped_bytes, b->dropped_bytes);
}

/*
 * Feed data in chunks of `chunk` bytes (0: random sizes 0..64 from rnd()),
 * then end the stream; check the frames and the accounting, and leave the
 * counters in *st.
 */
static void run_split(const u8 *data, size_t n, u32 cap, size_t chunk, const struct want *w,
		      unsigned int nw, struct wire_stream_stats *st)
{
	struct wire_stream s;
	struct rec r = {0};
	size_t off = 0;

	ASSERT_EQ(wire_stream_init(&s, cap, rec_fn, &r), 0);
	while (off < n) {
		size_t c = chunk ? chunk : rnd() % 65;

		c = MIN(c, n - off);
		ASSERT_EQ(wire_stream_feed(&s, data + off, c), 0);
		off += c;
		expect_accounting(&s);
	}
	ASSERT_EQ(wire_stream_end(&s), 0);
	EXPECT_EQ(wire_stream_pending(&s), 0);
	expect_accounting(&s);
	expect_frames(&r, w, nw);
	*st = s.st;
	rec_free(&r);
	wire_stream_destroy(&s);
}

/*
 * The same stream fed all at once, 1, 2, 3 and 7 bytes at a time and in
 * random splits gives the same frames and the same counters. *st gets them.
 */
static void run_all_splits(const u8 *data, size_t n, u32 cap, const struct want *w, unsigned int nw,
			   struct wire_stream_stats *st)
{
	static const size_t chunks[] = {1, 2, 3, 7};
	struct wire_stream_stats other;

	run_split(data, n, cap, n ? n : 1, w, nw, st);
	for (unsigned int i = 0; i < ARRAY_SIZE(chunks); i++) {
		run_split(data, n, cap, chunks[i], w, nw, &other);
		expect_same_stats(st, &other);
	}
	rnd_state = 0x6b74766d; /* "ktvm" */
	for (unsigned int i = 0; i < 16; i++) {
		run_split(data, n, cap, 0, w, nw, &other);
		expect_same_stats(st, &other);
	}
}

/* ---- stream assembler ------------------------------------------------- */

/* Several frames of every kind, back to back; w[] gets what they carry. */
static size_t sample_stream(u8 *out, struct want *w, unsigned int *nw)
{
	static u8 kern[WIRE_KERN_ADDRS_LEN], ex[WIRE_EXIT_LEN], lc[64], big[1000];
	static u8 ksyms[64], armed[WIRE_WATCH_ARMED_LEN], bt[WIRE_BOOT_TIME_LEN];
	static const char text[] = "hello from the guest\n";
	static const struct wire_ksym ks[] = {{0xffffffff82a1b2c0ULL, "vm_swappiness"}};
	struct wire_kern_addrs ka = {.known = 3, .val = {0x1000000, 0xffff888000000000ULL}};
	size_t off = 0, i;
	ssize_t ksyms_len;

	wire_kern_addrs_build(kern, sizeof(kern), &ka);
	wire_exit_build(ex, sizeof(ex), 3);
	wire_lifecycle_build(lc, sizeof(lc), WIRE_PHASE_PAYLOAD_STARTING, "go", 2);
	ksyms_len = wire_ksyms_build(ksyms, sizeof(ksyms), ks, ARRAY_SIZE(ks));
	ASSERT_GT(ksyms_len, 0);
	wire_watch_armed_build(armed, sizeof(armed), 0, 1);
	wire_boot_times_build(bt, sizeof(bt), &(struct wire_boot_time){WIRE_BOOT_INIT_START, 5}, 1);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i * 31 + 5);
	*nw = 0;
#define ADD(t, p, l)                                                                               \
	do {                                                                                       \
		w[*nw] = (struct want){(t), (p), (l)};                                             \
		off += put_frame(out + off, (t), (p), (l));                                        \
		(*nw)++;                                                                           \
	} while (0)
	ADD(WIRE_KERN_ADDRS, kern, sizeof(kern));
	ADD(WIRE_SYS_RDY, NULL, 0);
	ADD(WIRE_KERN_ADDRS_V1, kern, 16);
	ADD(WIRE_BTF, big, 300);
	ADD(WIRE_LIFECYCLE, lc, 6);
	ADD(WIRE_STDOUT, text, sizeof(text) - 1);
	ADD(WIRE_STDERR, big, sizeof(big));
	ADD(WIRE_SCHED_EXIT, "x", 1);
	ADD(WIRE_SCENARIO_START, NULL, 0);
	ADD(WIRE_SCENARIO_END, NULL, 0);
	ADD(WIRE_TEST_RESULT, "pass", 4);
	ADD(WIRE_DMESG, big, 200);
	ADD(WIRE_SNAPSHOT_REQUEST, NULL, 0);
	ADD(WIRE_SNAPSHOT_REPLY, "s", 1);
	ADD(WIRE_KSYMS, ksyms, (size_t)ksyms_len);
	ADD(WIRE_WATCH_ARMED, armed, sizeof(armed));
	ADD(WIRE_SCHED_LOG, text, sizeof(text) - 1);
	ADD(WIRE_BOOT_TIMES, bt, sizeof(bt));
	ADD(WIRE_EXIT, ex, sizeof(ex));
#undef ADD
	return off;
}

TEST(wire_stream_every_split)
{
	static u8 b[4096];
	struct want w[REC_MAX];
	struct wire_stream_stats st;
	unsigned int nw;
	size_t n = sample_stream(b, w, &nw);

	run_all_splits(b, n, WIRE_STREAM_CAP_DEFAULT, w, nw, &st);
	EXPECT_EQ(st.frames, nw);
	EXPECT_EQ(st.frame_bytes, n);
	for (u32 t = 1; t < WIRE_TYPE_NR; t++)
		EXPECT_EQ(st.by_type[t], 1);
	EXPECT_EQ(st.crc_errors, 0);
	EXPECT_EQ(st.bad_headers, 0);
	EXPECT_EQ(st.resync_bytes, 0);
	EXPECT_EQ(st.truncated, 0);
}

TEST(wire_stream_crc_error_then_good_frame)
{
	u8 b[256];
	struct want w[] = {{WIRE_STDOUT, "good", 4}};
	struct wire_stream_stats st;
	size_t n = 0, bad;

	bad = put_frame(b, WIRE_STDOUT, "bad!", 4);
	b[WIRE_HDR_SIZE + 2] ^= 0x20;
	n += bad;
	n += put_frame(b + n, WIRE_STDOUT, "good", 4);
	run_all_splits(b, n, 1024, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.crc_errors, 1);
	EXPECT_EQ(st.crc_bytes, bad);
	EXPECT_EQ(st.frames, 1);
	EXPECT_EQ(st.by_type[WIRE_STDOUT], 1);
	EXPECT_EQ(st.bad_headers, 0);
	EXPECT_EQ(st.resync_bytes, 0);
}

TEST(wire_stream_garbage_before_and_between)
{
	static const char text[] = "[    0.000000] Linux version 6.1\r\n";
	u8 b[1024];
	struct want w[] = {
	    {WIRE_SYS_RDY, NULL, 0}, {WIRE_EXIT, "\0\0\0\0", 4}, {WIRE_STDOUT, "end", 3}};
	struct wire_stream_stats st;
	size_t n = 0, garbage = 0;

	memcpy(b, text, sizeof(text) - 1);
	n += sizeof(text) - 1;
	n += put_frame(b + n, WIRE_SYS_RDY, NULL, 0);
	/* zeros: type 0 is never valid */
	memset(b + n, 0, 37);
	n += 37;
	n += put_frame(b + n, WIRE_EXIT, "\0\0\0\0", 4);
	/* noise with the high bit set cannot start a header */
	for (unsigned int i = 0; i < 53; i++)
		b[n++] = 0x80 | (u8)(i * 13);
	n += put_frame(b + n, WIRE_STDOUT, "end", 3);
	garbage = sizeof(text) - 1 + 37 + 53;

	run_all_splits(b, n, 1024, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.frames, 3);
	EXPECT_EQ(st.bad_headers, 3);
	EXPECT_EQ(st.resync_bytes, garbage);
	EXPECT_EQ(st.crc_errors, 0);
	EXPECT_EQ(st.frame_bytes, n - garbage);
}

TEST(wire_stream_rejects_4gib_before_allocating)
{
	u8 b[128];
	struct want w[] = {{WIRE_EXIT, "\1\0\0\0", 4}};
	struct wire_stream_stats st;
	struct wire_stream s;
	size_t n = 0, size0;

	n += put_hdr(b, WIRE_STDOUT, 0xffffffff, 0, 0);
	n += put_frame(b + n, WIRE_EXIT, "\1\0\0\0", 4);
	run_all_splits(b, n, WIRE_STREAM_CAP_DEFAULT, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.oversize, 1);
	EXPECT_EQ(st.bad_headers, 1);
	EXPECT_EQ(st.resync_bytes, WIRE_HDR_SIZE);
	EXPECT_EQ(st.frames, 1);

	/* the buffer never grows for it, whatever the split */
	ASSERT_EQ(wire_stream_init(&s, WIRE_STREAM_CAP_DEFAULT, NULL, NULL), 0);
	size0 = s.size;
	EXPECT_EQ(size0, WIRE_STREAM_BUF_INIT);
	for (size_t i = 0; i < WIRE_HDR_SIZE; i++) {
		ASSERT_EQ(wire_stream_feed(&s, b + i, 1), 0);
		EXPECT_EQ(s.size, size0);
		EXPECT_LT(wire_stream_pending(&s), WIRE_HDR_SIZE);
	}
	EXPECT_EQ(s.st.oversize, 1);
	wire_stream_destroy(&s);
}

TEST(wire_stream_zero_length_frames)
{
	u8 b[256];
	struct want w[8];
	struct wire_stream_stats st;
	size_t n = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(w); i++) {
		w[i] = (struct want){i % 2 ? WIRE_SCENARIO_END : WIRE_SYS_RDY, NULL, 0};
		n += put_frame(b + n, w[i].type, NULL, 0);
	}
	EXPECT_EQ(n, ARRAY_SIZE(w) * WIRE_HDR_SIZE);
	run_all_splits(b, n, 0, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.frames, ARRAY_SIZE(w));
	EXPECT_EQ(st.by_type[WIRE_SYS_RDY], 4);
	EXPECT_EQ(st.by_type[WIRE_SCENARIO_END], 4);
}

TEST(wire_stream_max_length_frames)
{
	enum { CAP = 100 };
	u8 b[1024], p[CAP + 1];
	struct want w[] = {{WIRE_DMESG, p, CAP}, {WIRE_STDOUT, "after", 5}};
	struct wire_stream_stats st;
	size_t n = 0;

	memset(p, 0xaa, sizeof(p));
	n += put_frame(b + n, WIRE_DMESG, p, CAP);
	/* one byte over the cap: judged on the header, slid over byte by byte */
	n += put_frame(b + n, WIRE_DMESG, p, CAP + 1);
	n += put_frame(b + n, WIRE_STDOUT, "after", 5);
	run_all_splits(b, n, CAP, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.oversize, 1);
	EXPECT_EQ(st.bad_headers, 1);
	EXPECT_EQ(st.resync_bytes, WIRE_HDR_SIZE + CAP + 1);
	EXPECT_EQ(st.frames, 2);
}

TEST(wire_stream_protocol_max_frame)
{
	u8 *b = malloc(2 * WIRE_FRAME_MAX), *p = malloc(WIRE_PAYLOAD_MAX);
	struct want w[2];
	struct wire_stream_stats st, st1;
	size_t n = 0;

	ASSERT_TRUE(b && p);
	for (size_t i = 0; i < WIRE_PAYLOAD_MAX; i++)
		p[i] = (u8)(i ^ (i >> 8));
	w[0] = (struct want){WIRE_TEST_RESULT, p, WIRE_PAYLOAD_MAX};
	w[1] = (struct want){WIRE_SYS_RDY, NULL, 0};
	n += put_frame(b + n, WIRE_TEST_RESULT, p, WIRE_PAYLOAD_MAX);
	n += put_frame(b + n, WIRE_SYS_RDY, NULL, 0);
	run_split(b, n, WIRE_PAYLOAD_MAX, n, w, 2, &st);
	run_split(b, n, WIRE_PAYLOAD_MAX, 1, w, 2, &st1);
	expect_same_stats(&st, &st1);
	EXPECT_EQ(st.frames, 2);
	EXPECT_EQ(st.frame_bytes, n);
	free(b);
	free(p);
}

TEST(wire_stream_reserved_nonzero)
{
	u8 b[256], p[40];
	struct want w[] = {{WIRE_STDOUT, "ok", 2}};
	struct wire_stream_stats st;
	size_t n = 0;

	memset(p, 0xaa, sizeof(p));
	n += put_hdr(b, WIRE_STDOUT, sizeof(p), wire_crc32(p, sizeof(p)), 1);
	memcpy(b + n, p, sizeof(p));
	n += sizeof(p);
	n += put_frame(b + n, WIRE_STDOUT, "ok", 2);
	run_all_splits(b, n, 1024, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.bad_headers, 1);
	EXPECT_EQ(st.resync_bytes, WIRE_HDR_SIZE + sizeof(p));
	EXPECT_EQ(st.crc_errors, 0);
	EXPECT_EQ(st.frames, 1);
}

TEST(wire_stream_unknown_type)
{
	static const u32 types[] = {WIRE_INVALID, WIRE_TYPE_NR, 0x100, 0xffffffff};
	u8 b[512];
	struct want w[] = {{WIRE_STDERR, "e", 1}};
	struct wire_stream_stats st;
	size_t n = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
		n += put_hdr(b + n, types[i], 2, wire_crc32("\xaa\xaa", 2), 0);
		b[n++] = 0xaa;
		b[n++] = 0xaa;
	}
	n += put_frame(b + n, WIRE_STDERR, "e", 1);
	run_all_splits(b, n, 1024, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.bad_headers, 1); /* one run of garbage */
	EXPECT_EQ(st.resync_bytes, ARRAY_SIZE(types) * (WIRE_HDR_SIZE + 2));
	EXPECT_EQ(st.frames, 1);
}

TEST(wire_stream_false_header_held_until_end)
{
	u8 b[256];
	struct want w[] = {{WIRE_EXIT, "\7\0\0\0", 4}};
	struct wire_stream_stats st;
	size_t n = 0;

	/* garbage that reads as a plausible header announcing 1000 bytes */
	n += put_hdr(b, WIRE_STDOUT, 1000, 0x12345678, 0);
	n += put_frame(b + n, WIRE_EXIT, "\7\0\0\0", 4);
	run_all_splits(b, n, 1024, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.truncated, 1);
	EXPECT_EQ(st.resync_bytes, WIRE_HDR_SIZE);
	EXPECT_EQ(st.frames, 1);
}

TEST(wire_stream_false_header_swallows_within_cap)
{
	u8 b[256];
	struct wire_stream_stats st;
	size_t n = 0, fake;

	/* documented limit: a plausible false header eats up to its length */
	fake = 2 * (WIRE_HDR_SIZE + 4);
	n += put_hdr(b, WIRE_STDOUT, fake, 0x12345678, 0);
	n += put_frame(b + n, WIRE_EXIT, "\7\0\0\0", 4);
	n += put_frame(b + n, WIRE_EXIT, "\7\0\0\0", 4);
	run_all_splits(b, n, 1024, NULL, 0, &st);
	EXPECT_EQ(st.crc_errors, 1);
	EXPECT_EQ(st.crc_bytes, n);
	EXPECT_EQ(st.frames, 0);
}

TEST(wire_stream_truncated_at_end)
{
	u8 b[256];
	struct want w[] = {{WIRE_SYS_RDY, NULL, 0}};
	struct wire_stream_stats st;
	size_t n = 0, cut;

	n += put_frame(b, WIRE_SYS_RDY, NULL, 0);
	cut = put_frame(b + n, WIRE_STDOUT, "0123456789", 10);
	n += cut / 2;
	run_all_splits(b, n, 1024, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.truncated, 1);
	EXPECT_EQ(st.resync_bytes, cut / 2);

	/* a header and 4 of its 10 bytes: the tail left after it is not another frame */
	n = WIRE_HDR_SIZE + WIRE_HDR_SIZE + 4;
	run_all_splits(b, n, 1024, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.truncated, 1);
	EXPECT_EQ(st.resync_bytes, WIRE_HDR_SIZE + 4);

	/* half a header right after a frame */
	n = WIRE_HDR_SIZE + 5;
	run_all_splits(b, n, 1024, w, ARRAY_SIZE(w), &st);
	EXPECT_EQ(st.truncated, 1);
	EXPECT_EQ(st.resync_bytes, 5);
}

static void feed_back_fn(void *ctx, u32 type, const u8 *payload, u32 len)
{
	struct wire_stream *s = ctx;

	EXPECT_EQ(wire_stream_feed(s, payload, len), -EBUSY);
	EXPECT_EQ(wire_stream_end(s), -EBUSY);
}

TEST(wire_stream_callback_cannot_feed_back)
{
	struct wire_stream s;
	u8 b[64];
	size_t n = put_frame(b, WIRE_STDOUT, "x", 1);

	ASSERT_EQ(wire_stream_init(&s, 64, feed_back_fn, &s), 0);
	ASSERT_EQ(wire_stream_feed(&s, b, n), 0);
	EXPECT_EQ(s.st.frames, 1);
	expect_accounting(&s);
	wire_stream_destroy(&s);
}

TEST(wire_stream_init_checks_cap)
{
	struct wire_stream s;

	EXPECT_EQ(wire_stream_init(&s, WIRE_PAYLOAD_MAX + 1, NULL, NULL), -EINVAL);
	ASSERT_EQ(wire_stream_init(&s, 0, NULL, NULL), 0);
	EXPECT_EQ(s.size, WIRE_HDR_SIZE);
	wire_stream_destroy(&s);
}
