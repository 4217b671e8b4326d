// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the wire stream assembler (wire/stream.c).
 *
 * Input: 4 control bytes, then the byte stream.
 *   [0] cap: index into fuzz_caps[]
 *   [1] flags: FUZZ_FIX_CRC rewrites the CRC of every plausible header it
 *       meets walking the stream, so mutated frames still get delivered
 *   [2] largest chunk: 2^([2] % 13) bytes (chunks of 0 bytes happen too)
 *   [3] seed of the chunk sizes
 * The stream is fed once whole and once in chunks; both runs must deliver the
 * same frames with the same counters (the assembler's decisions depend only
 * on the bytes). After every feed: every byte is accounted for, the buffer
 * stays within WIRE_HDR_SIZE + cap, and each delivered frame is one that
 * wire_decode() accepts. A violation aborts, which libFuzzer reports.
 *
 * Built with -DFUZZ_WIRE_GEN_CORPUS (and no -fsanitize=fuzzer) this file is
 * instead a program that writes the seed corpus: fuzz_wire DIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/types.h"
#include "wire/stream.h"
#include "wire/wire.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_FIX_CRC 0x01

static const u32 fuzz_caps[] = {0, 1, 15, 16, 64, 100, 1024, 4096, WIRE_PAYLOAD_MAX};

struct fuzz_sink {
	u32 cap;
	u64 frames;
	u64 hash; /* FNV-1a over every delivered type, length and payload */
};

static void fuzz_hash(struct fuzz_sink *k, const void *p, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++) {
		k->hash ^= b[i];
		k->hash *= 0x100000001b3ULL;
	}
}

/*
 * The parsers of the typed payloads that have a canonical encoding: what one
 * accepts, its builder writes back byte for byte, and nothing it accepts
 * breaks the format's limits.
 */
static void fuzz_parse_canonical(const u8 *payload, u32 len)
{
	struct wire_ksym ks[WIRE_KSYMS_MAX];
	struct wire_snapshot_request rq;
	struct wire_snapshot_reply rp;
	struct wire_watch_armed wa;
	u8 back[WIRE_KSYMS_LEN_MAX];
	u32 n;

	if (!wire_ksyms_parse(ks, WIRE_KSYMS_MAX, &n, payload, len)) {
		CHECK(n <= WIRE_KSYMS_MAX && len <= WIRE_KSYMS_LEN_MAX);
		for (u32 i = 0; i < n; i++)
			CHECK(wire_ksym_name_valid(ks[i].name, strlen(ks[i].name)));
		CHECK(wire_ksyms_build(back, sizeof(back), ks, n) == (ssize_t)len);
		CHECK(!memcmp(back, payload, len));
	}
	if (!wire_snapshot_request_parse(&rq, payload, len)) {
		CHECK(rq.tag_len <= WIRE_SNAPSHOT_TAG_MAX && rq.tag[rq.tag_len] == '\0');
		CHECK(wire_snapshot_request_build(back, sizeof(back), rq.id, rq.tag, rq.tag_len) ==
		      (ssize_t)len);
		CHECK(!memcmp(back, payload, len));
	}
	if (!wire_snapshot_reply_parse(&rp, payload, len)) {
		CHECK(rp.status <= 0);
		CHECK(wire_snapshot_reply_build(back, sizeof(back), rp.id, rp.status) ==
		      (ssize_t)len);
		CHECK(!memcmp(back, payload, len));
	} else {
		CHECK(len != WIRE_SNAPSHOT_REPLY_LEN || (s32)wire_get_le32(payload + 4) > 0);
	}
	{
		struct wire_boot_time bt[WIRE_BOOT_TIMES_MAX];

		if (!wire_boot_times_parse(bt, WIRE_BOOT_TIMES_MAX, &n, payload, len)) {
			CHECK(n >= 1 && n <= WIRE_BOOT_TIMES_MAX && len == n * WIRE_BOOT_TIME_LEN);
			for (u32 i = 0; i < n; i++)
				CHECK(bt[i].point != 0);
			CHECK(wire_boot_times_build(back, sizeof(back), bt, n) == (ssize_t)len);
			CHECK(!memcmp(back, payload, len));
		} else if (len && !(len % WIRE_BOOT_TIME_LEN) &&
			   len <= WIRE_BOOT_TIMES_MAX * WIRE_BOOT_TIME_LEN) {
			/* whole entries and not too many: refused only for a point 0 or a pad */
			bool bad = false;

			for (u32 off = 0; off < len; off += WIRE_BOOT_TIME_LEN)
				bad |= !wire_get_le32(payload + off) ||
				       wire_get_le32(payload + off + 4);
			CHECK(bad);
		}
	}
	if (!wire_watch_armed_parse(&wa, payload, len)) {
		CHECK(wa.status <= 0 && wa.armed <= WIRE_KSYMS_MAX);
		CHECK(wire_watch_armed_build(back, sizeof(back), wa.status, wa.armed) ==
		      (ssize_t)len);
		CHECK(!memcmp(back, payload, len));
	} else {
		CHECK(len != WIRE_WATCH_ARMED_LEN || (s32)wire_get_le32(payload) > 0 ||
		      wire_get_le32(payload + 4) > WIRE_KSYMS_MAX);
	}
}

/* The typed parsers take any delivered payload, whatever its type says. */
static void fuzz_parse(const u8 *payload, u32 len)
{
	struct wire_kern_addrs ka;
	struct wire_lifecycle lc;
	s32 status;

	if (!wire_kern_addrs_parse(&ka, payload, len)) {
		u8 back[WIRE_KERN_ADDRS_LEN];

		/* what parses builds back to the same bytes: nothing was dropped */
		CHECK(len == WIRE_KERN_ADDRS_LEN);
		CHECK(ka.known < 1u << WIRE_KA_NR);
		CHECK(wire_kern_addrs_build(back, sizeof(back), &ka) == WIRE_KERN_ADDRS_LEN);
		CHECK(!memcmp(back, payload, sizeof(back)));
	}
	CHECK(!wire_exit_parse(&status, payload, len) == (len == WIRE_EXIT_LEN));
	{
		struct wire_btf b;

		if (!wire_btf_parse(&b, payload, len)) {
			CHECK(b.total <= WIRE_BTF_MAX);
			CHECK(b.data == payload + WIRE_BTF_HDR && b.len == len - WIRE_BTF_HDR);
			CHECK(b.total ? b.len >= 1 && b.offset + b.len <= b.total
				      : !b.offset && b.len <= WIRE_REASON_MAX);
		}
	}
	if (!wire_lifecycle_parse(&lc, payload, len)) {
		CHECK(lc.reason == (const char *)payload + WIRE_LIFECYCLE_MIN);
		CHECK(lc.reason_len == len - WIRE_LIFECYCLE_MIN);
		CHECK(lc.reason_len <= WIRE_REASON_MAX);
		CHECK(wire_phase_name(lc.phase) != NULL);
	} else {
		CHECK(len < WIRE_LIFECYCLE_MIN || len > WIRE_LIFECYCLE_MIN + WIRE_REASON_MAX);
	}
	fuzz_parse_canonical(payload, len);
}

/* Encoding what was delivered and decoding it again gives it back. */
static void fuzz_round_trip(u32 type, const u8 *payload, u32 len, u32 cap)
{
	static u8 frame[WIRE_FRAME_MAX];
	struct wire_frame f;
	ssize_t n;

	n = wire_encode(frame, sizeof(frame), type, payload, len);
	CHECK(n == WIRE_HDR_SIZE + (ssize_t)len);
	CHECK(wire_decode(&f, frame, n, cap) == n);
	CHECK(f.type == type && f.len == len);
	CHECK(len == 0 || !memcmp(f.payload, payload, len));
}

static void fuzz_frame(void *ctx, u32 type, const u8 *payload, u32 len)
{
	struct fuzz_sink *k = ctx;

	CHECK(wire_type_valid(type));
	CHECK(len <= k->cap);
	CHECK(len == 0 || payload != NULL);
	fuzz_parse(payload, len);
	fuzz_round_trip(type, payload, len, k->cap);
	/* reading every byte lets ASan catch a payload pointer past the buffer */
	fuzz_hash(k, &type, sizeof(type));
	fuzz_hash(k, &len, sizeof(len));
	fuzz_hash(k, payload, len);
	k->frames++;
}

static void fuzz_check_stream(const struct wire_stream *s)
{
	const struct wire_stream_stats *st = &s->st;
	u64 by_type = 0;

	for (unsigned int t = 0; t < WIRE_TYPE_NR; t++)
		by_type += st->by_type[t];
	CHECK(by_type == st->frames);
	CHECK(st->by_type[0] == 0);
	CHECK(st->bytes_in == st->frame_bytes + st->crc_bytes + st->resync_bytes +
				  st->dropped_bytes + wire_stream_pending(s));
	CHECK(st->dropped_bytes == 0); /* no allocation failure expected here */
	CHECK(s->len < s->need);
	CHECK(s->need <= s->size);
	CHECK(s->size <= WIRE_HDR_SIZE + (size_t)s->cap);
	CHECK(st->crc_errors * WIRE_HDR_SIZE <= st->crc_bytes);
	CHECK(st->frames * WIRE_HDR_SIZE <= st->frame_bytes);
}

/* Give every plausible header met walking the stream the right CRC. */
static void fuzz_fix_crcs(u8 *p, size_t n, u32 cap)
{
	size_t off = 0;

	while (n - off >= WIRE_HDR_SIZE) {
		struct wire_hdr h;

		wire_hdr_decode(&h, p + off);
		if (wire_hdr_check(&h, cap) || n - off - WIRE_HDR_SIZE < h.length) {
			off++;
			continue;
		}
		h.crc = wire_crc32(p + off + WIRE_HDR_SIZE, h.length);
		wire_hdr_encode(p + off, &h);
		off += WIRE_HDR_SIZE + h.length;
	}
}

static u32 fuzz_rnd(u32 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

int LLVMFuzzerTestOneInput(const u8 *in, size_t size);

int LLVMFuzzerTestOneInput(const u8 *in, size_t size)
{
	struct fuzz_sink whole = {0}, split = {0};
	struct wire_stream a, b;
	size_t n, off, max_chunk;
	u32 cap, seed;
	u8 *data;

	if (size < 4)
		return 0;
	cap = fuzz_caps[in[0] % ARRAY_SIZE(fuzz_caps)];
	max_chunk = (size_t)1 << (in[2] % 13);
	seed = 0x9e3779b9u * (in[3] + 1u);
	n = size - 4;
	/* a copy of exactly n bytes, so ASan sees any read past the stream */
	data = malloc(n ? n : 1);
	CHECK(data);
	memcpy(data, in + 4, n);
	if (in[1] & FUZZ_FIX_CRC)
		fuzz_fix_crcs(data, n, cap);

	whole.cap = split.cap = cap;
	whole.hash = split.hash = 0xcbf29ce484222325ULL;
	CHECK(wire_stream_init(&a, cap, fuzz_frame, &whole) == 0);
	CHECK(wire_stream_init(&b, cap, fuzz_frame, &split) == 0);

	CHECK(wire_stream_feed(&a, data, n) == 0);
	fuzz_check_stream(&a);
	CHECK(wire_stream_end(&a) == 0);
	fuzz_check_stream(&a);
	CHECK(wire_stream_pending(&a) == 0);
	CHECK(whole.frames == a.st.frames);

	for (off = 0; off < n;) {
		size_t c = fuzz_rnd(&seed) % (max_chunk + 1);

		c = MIN(c, n - off);
		CHECK(wire_stream_feed(&b, data + off, c) == 0);
		off += c;
		fuzz_check_stream(&b);
	}
	CHECK(wire_stream_end(&b) == 0);
	fuzz_check_stream(&b);

	CHECK(split.frames == whole.frames);
	CHECK(split.hash == whole.hash);
	CHECK(!memcmp(&a.st, &b.st, sizeof(a.st)));

	wire_stream_destroy(&a);
	wire_stream_destroy(&b);
	free(data);
	return 0;
}

#ifdef FUZZ_WIRE_GEN_CORPUS
/* ---- seed corpus: a few valid (and a few damaged) streams ------------- */

static size_t seed_frame(u8 *out, u32 type, const void *payload, size_t len)
{
	ssize_t r = wire_encode(out, WIRE_FRAME_MAX, type, payload, len);

	CHECK(r > 0);
	return r;
}

static size_t seed_all_types(u8 *o)
{
	struct wire_kern_addrs ka = {.known = 3, .val = {0x1000000, 0xffff888000000000ULL}};
	struct wire_ksym ks[3] = {{0xffffffff82a1b2c0ULL, "vm_swappiness"},
				  {0, "not_there"},
				  {0xffffffff8300a018ULL, "foo.llvm.1234"}};
	struct wire_boot_time bt[4] = {{WIRE_BOOT_KERNEL_INIT, 812345000},
				       {WIRE_BOOT_INIT_START, 813000000},
				       {WIRE_BOOT_INIT_READY, 840000000},
				       {WIRE_BOOT_NR, 1}};
	u8 p[128];
	size_t n = 0;
	ssize_t l;

	n += seed_frame(o + n, WIRE_SYS_RDY, NULL, 0);
	l = wire_kern_addrs_build(p, sizeof(p), &ka);
	n += seed_frame(o + n, WIRE_KERN_ADDRS, p, l);
	l = wire_lifecycle_build(p, sizeof(p), WIRE_PHASE_PAYLOAD_STARTING, "start", 5);
	n += seed_frame(o + n, WIRE_LIFECYCLE, p, l);
	n += seed_frame(o + n, WIRE_STDOUT, "hello\n", 6);
	n += seed_frame(o + n, WIRE_STDERR, "warn\n", 5);
	n += seed_frame(o + n, WIRE_SCHED_EXIT, "unregistered", 12);
	l = wire_btf_build(p, sizeof(p), 24, 0, "\x9f\xeb\x01\x00\x18\x00\x00\x00", 8);
	n += seed_frame(o + n, WIRE_BTF, p, l);
	n += seed_frame(o + n, WIRE_SCENARIO_START, "s1", 2);
	n += seed_frame(o + n, WIRE_SCENARIO_END, "s1", 2);
	n += seed_frame(o + n, WIRE_TEST_RESULT, "pass", 4);
	n += seed_frame(o + n, WIRE_DMESG, "<6>[ 0.1] x\n", 12);
	l = wire_snapshot_request_build(p, sizeof(p), 1, "before-reclaim", 14);
	n += seed_frame(o + n, WIRE_SNAPSHOT_REQUEST, p, l);
	l = wire_snapshot_reply_build(p, sizeof(p), 1, 0);
	n += seed_frame(o + n, WIRE_SNAPSHOT_REPLY, p, l);
	l = wire_ksyms_build(p, sizeof(p), ks, ARRAY_SIZE(ks));
	n += seed_frame(o + n, WIRE_KSYMS, p, l);
	l = wire_watch_armed_build(p, sizeof(p), 0, 2);
	n += seed_frame(o + n, WIRE_WATCH_ARMED, p, l);
	l = wire_boot_times_build(p, sizeof(p), bt, ARRAY_SIZE(bt));
	n += seed_frame(o + n, WIRE_BOOT_TIMES, p, l);
	l = wire_exit_build(p, sizeof(p), 0);
	n += seed_frame(o + n, WIRE_EXIT, p, l);
	return n;
}

static int seed_write(const char *dir, const char *name, const u8 ctl[4], const u8 *p, size_t n)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	ok = fwrite(ctl, 1, 4, f) == 4 && fwrite(p, 1, n, f) == n;
	if (fclose(f) || !ok) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static u8 o[65536];
	struct wire_hdr h = {0};
	size_t n;
	int err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	/* cap index 8 = WIRE_PAYLOAD_MAX, 6 = 1024, 4 = 64 */
	n = seed_all_types(o);
	err |= seed_write(argv[1], "all-types", (u8[]){8, 0, 12, 1}, o, n);
	err |= seed_write(argv[1], "all-types-bytewise", (u8[]){8, 0, 0, 2}, o, n);
	err |= seed_write(argv[1], "all-types-cap64-fixcrc", (u8[]){4, FUZZ_FIX_CRC, 3, 3}, o, n);

	n = 0;
	memcpy(o, "[    0.000000] Linux\r\n", 22);
	n += 22;
	n += seed_frame(o + n, WIRE_SYS_RDY, NULL, 0);
	memset(o + n, 0, 9);
	n += 9;
	n += seed_frame(o + n, WIRE_STDOUT, "x", 1);
	err |= seed_write(argv[1], "garbage-between", (u8[]){6, 0, 5, 4}, o, n);

	n = seed_frame(o, WIRE_STDOUT, "corrupt", 7);
	o[WIRE_HDR_SIZE] ^= 1;
	n += seed_frame(o + n, WIRE_STDOUT, "good", 4);
	err |= seed_write(argv[1], "crc-error-then-good", (u8[]){6, 0, 2, 5}, o, n);

	h.type = WIRE_STDOUT;
	h.length = 0xffffffff;
	wire_hdr_encode(o, &h);
	n = WIRE_HDR_SIZE;
	n += seed_frame(o + n, WIRE_EXIT, "\0\0\0\0", 4);
	err |= seed_write(argv[1], "oversize-then-exit", (u8[]){8, 0, 4, 6}, o, n);

	h.length = 1000;
	h.crc = 0x12345678;
	wire_hdr_encode(o, &h);
	n = WIRE_HDR_SIZE;
	n += seed_frame(o + n, WIRE_EXIT, "\0\0\0\0", 4);
	err |= seed_write(argv[1], "false-header-then-exit", (u8[]){6, 0, 6, 7}, o, n);
	return err;
}
#endif
