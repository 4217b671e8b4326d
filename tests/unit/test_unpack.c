// SPDX-License-Identifier: GPL-2.0
/*
 * core/image/unpack.c: each format back to the text it was made from (the xz and
 * zstd streams were made with xz -9 --check=crc32 and zstd -19 from 100
 * lines "ktvm unpack test line"; gzip is made here with zlib), with
 * trailing bytes (a bzImage appends the size), truncated and corrupt
 * streams, and the output limit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/base/error.h"
#include "core/image/unpack.h"
#include "tests/test.h"

static const u8 text_xz[] = {
    0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x01, 0x69, 0x22, 0xde, 0x36, 0x02, 0x00, 0x21,
    0x01, 0x1c, 0x00, 0x00, 0x00, 0x10, 0xcf, 0x58, 0xcc, 0xe0, 0x08, 0x97, 0x00, 0x28, 0x5d,
    0x00, 0x35, 0x9d, 0x0b, 0x25, 0x1d, 0xbb, 0xd6, 0xf4, 0x6e, 0x5d, 0xfd, 0xf4, 0x42, 0xc0,
    0xa2, 0x53, 0x71, 0x28, 0x7c, 0xff, 0x42, 0xe6, 0x76, 0x22, 0xad, 0x36, 0x6d, 0x44, 0xb1,
    0x90, 0xe5, 0xd1, 0x01, 0x8b, 0x7e, 0x4a, 0x77, 0x8a, 0x80, 0x03, 0x00, 0xbc, 0xb4, 0x6a,
    0x53, 0x00, 0x01, 0x40, 0x98, 0x11, 0x00, 0x00, 0x00, 0x9a, 0x82, 0xde, 0xc5, 0x3e, 0x30,
    0x0d, 0x8b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x59, 0x5a};

static const u8 text_zstd[] = {0x28, 0xb5, 0x2f, 0xfd, 0x64, 0x98, 0x07, 0xf5, 0x00, 0x00, 0xb0,
			       0x6b, 0x74, 0x76, 0x6d, 0x20, 0x75, 0x6e, 0x70, 0x61, 0x63, 0x6b,
			       0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x6c, 0x69, 0x6e, 0x65, 0x0a,
			       0x01, 0x00, 0xfe, 0x90, 0xfe, 0x6c, 0x02, 0x68, 0xe3, 0x26, 0xa7};

#define LINE  "ktvm unpack test line\n"
#define LINES 100

static void expect_text(const u8 *p, size_t len)
{
	ASSERT_EQ(len, (size_t)LINES * strlen(LINE));
	for (size_t i = 0; i < LINES; i++)
		ASSERT_EQ(memcmp(p + i * strlen(LINE), LINE, strlen(LINE)), 0);
}

/* The text, gzip-compressed with zlib (windowBits 15 + 16: a gzip header). */
static size_t make_gzip(u8 *out, size_t cap)
{
	char text[LINES * sizeof(LINE)];
	z_stream zs = {0};

	text[0] = 0;
	for (int i = 0; i < LINES; i++)
		strcat(text, LINE);
	ASSERT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)text;
	zs.avail_in = (uInt)strlen(text);
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return zs.total_out;
}

TEST(sniff)
{
	u8 gz[4096];
	size_t n = make_gzip(gz, sizeof(gz));

	EXPECT_EQ(unpack_sniff(gz, n), UNPACK_GZIP);
	EXPECT_EQ(unpack_sniff(text_xz, sizeof(text_xz)), UNPACK_XZ);
	EXPECT_EQ(unpack_sniff(text_zstd, sizeof(text_zstd)), UNPACK_ZSTD);
	EXPECT_EQ(unpack_sniff((const u8 *)"\x7f"
					   "ELF",
			       4),
		  UNPACK_NONE);
	EXPECT_EQ(unpack_sniff(text_xz, 3), UNPACK_NONE);
	EXPECT_EQ(unpack_sniff(text_xz, 0), UNPACK_NONE);
	EXPECT_STREQ(unpack_name(UNPACK_ZSTD), "zstd");
}

/* Whether f's library loads here (qemu-user's arm64 root may lack libzstd). */
static bool have(enum unpack_format f)
{
	u8 *out;
	size_t n;

	if (unpack(f, f == UNPACK_XZ ? text_xz : text_zstd,
		   f == UNPACK_XZ ? sizeof(text_xz) : sizeof(text_zstd), 0, 1 * MiB, &out,
		   &n) == -ENOSYS) {
		SKIP("%s", error_msg());
		return false;
	}
	free(out);
	return true;
}

/* f's stream in[0..len), then with 4 bytes after it (a bzImage's size field). */
static void roundtrip(enum unpack_format f, const u8 *in, size_t len)
{
	u8 *buf = malloc(len + 4), *out;
	size_t n;

	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(unpack(f, in, len, 0, 1 * MiB, &out, &n), 0);
	expect_text(out, n);
	free(out);
	memcpy(buf, in, len);
	memcpy(buf + len, "\x98\x08\x00\x00", 4);
	if (f == UNPACK_ZSTD) {
		/* zstd wants the frame alone: a bzImage's caller cuts the size off. */
		EXPECT_EQ(unpack(f, buf, len + 4, 0, 1 * MiB, &out, &n), -EBADMSG);
	} else {
		ASSERT_EQ(unpack(f, buf, len + 4, 0, 1 * MiB, &out, &n), 0);
		expect_text(out, n);
		free(out);
	}
	free(buf);
}

TEST(gzip_roundtrip)
{
	u8 gz[4096];

	roundtrip(UNPACK_GZIP, gz, make_gzip(gz, sizeof(gz)));
}

TEST(xz_roundtrip)
{
	if (have(UNPACK_XZ))
		roundtrip(UNPACK_XZ, text_xz, sizeof(text_xz));
}

TEST(zstd_roundtrip)
{
	if (have(UNPACK_ZSTD))
		roundtrip(UNPACK_ZSTD, text_zstd, sizeof(text_zstd));
}

/* Output past the limit: -EFBIG, nothing allocated. */
TEST(limit)
{
	u8 *out = (u8 *)1;
	size_t n = 1;

	if (!have(UNPACK_XZ))
		return;
	out = (u8 *)1;
	n = 1;
	EXPECT_EQ(unpack(UNPACK_XZ, text_xz, sizeof(text_xz), 0, 1000, &out, &n), -EFBIG);
	EXPECT_TRUE(out == NULL);
	EXPECT_EQ(n, 0u);
	EXPECT_TRUE(strstr(error_msg(), "larger than the limit") != NULL);
	if (!have(UNPACK_ZSTD))
		return;
	EXPECT_EQ(unpack(UNPACK_ZSTD, text_zstd, sizeof(text_zstd), 0, 2199, &out, &n), -EFBIG);
	/* Exactly the size fits. */
	ASSERT_EQ(unpack(UNPACK_ZSTD, text_zstd, sizeof(text_zstd), 0, 2200, &out, &n), 0);
	expect_text(out, n);
	free(out);
	/* A stated size (a bzImage's size field): the exact size in one go; more is corrupt. */
	ASSERT_EQ(unpack(UNPACK_ZSTD, text_zstd, sizeof(text_zstd), 2200, 1 * MiB, &out, &n), 0);
	expect_text(out, n);
	free(out);
	EXPECT_EQ(unpack(UNPACK_ZSTD, text_zstd, sizeof(text_zstd), 2199, 1 * MiB, &out, &n),
		  -EBADMSG);
}

/*
 * Every truncation: -EBADMSG (corrupt data, not a too-small buffer: zlib's
 * Z_BUF_ERROR also means the input ran out). A flipped byte at every
 * offset: an error, or the text itself (a bit no check covers).
 */
TEST(truncated_and_corrupt)
{
	static u8 gz[4096];
	struct {
		enum unpack_format f;
		const u8 *p;
		size_t n;
	} s[] = {{UNPACK_GZIP, gz, 0},
		 {UNPACK_XZ, text_xz, sizeof(text_xz)},
		 {UNPACK_ZSTD, text_zstd, sizeof(text_zstd)}};
	u8 buf[4096], *out;
	size_t n;

	s[0].n = make_gzip(gz, sizeof(gz));
	for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++) {
		if (s[k].f != UNPACK_GZIP && !have(s[k].f))
			continue;
		for (size_t len = 0; len < s[k].n; len++) {
			int r = unpack(s[k].f, s[k].p, len, 0, 64 * KiB, &out, &n);

			/* liblzma answers a cut stream as if the output were full (unpack.h). */
			if (s[k].f == UNPACK_XZ && r == -EFBIG)
				r = -EBADMSG;
			EXPECT_EQ(r, -EBADMSG);
			/* With the stated size, every format tells. */
			EXPECT_EQ(unpack(s[k].f, s[k].p, len, 2200, 1 * MiB, &out, &n), -EBADMSG);
		}
		for (size_t i = 0; i < s[k].n; i++) {
			memcpy(buf, s[k].p, s[k].n);
			buf[i] ^= 0x40;
			if (unpack(s[k].f, buf, s[k].n, 0, 1 * MiB, &out, &n) == 0) {
				expect_text(out, n);
				free(out);
			}
		}
	}
}

TEST(not_compressed)
{
	u8 *out;
	size_t n;

	EXPECT_EQ(unpack(UNPACK_NONE, text_xz, sizeof(text_xz), 0, 1 * MiB, &out, &n), -EINVAL);
}
