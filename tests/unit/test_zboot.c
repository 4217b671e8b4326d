// SPDX-License-Identifier: GPL-2.0
/*
 * EFI zboot images (core/image/zboot.c) made here (zboot_fixture.h): the
 * header read and the payload decompressed for each format ktvm undoes
 * (gzip; xz and zstd where their libraries load), then hostile headers: a
 * payload past the end of the file or wrapping 32 bits, a header cut short,
 * a compression name without its NUL or not text, unknown and unsupported
 * compressions, a name the stream's magic contradicts, a corrupt stream,
 * the output cap. Then the arch's hooks: aarch64 unpacks a zboot image to
 * its Image and refuses one that holds something else, and refuses it at
 * the boot with the reason; x86_64 says it is not a bzImage.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/error.h"
#include "core/image/zboot.h"
#include "core/vm/arch.h"
#include "core/vm/vm.h"
#include "tests/test.h"
#include "tests/unit/zboot_fixture.h"

static u8 image[ZF_IMAGE_LEN], file[ZF_MAX], stream[ZF_MAX];

static bool is_x86(void)
{
	return !strcmp(arch_name(), "x86_64");
}

static void expect_msg(const char *part)
{
	if (!strstr(error_msg(), part))
		test_fail_at(__FILE__, __LINE__, "message \"%s\" does not contain \"%s\"",
			     error_msg(), part);
}

/* The file's payload decompressed is the Image, byte for byte. */
static void expect_unpacks(size_t len, enum unpack_format f)
{
	struct zboot z;
	u8 *out;
	size_t n;

	ASSERT_EQ(zboot_parse(file, len, "k", &z), 0);
	EXPECT_EQ(z.format, f);
	EXPECT_EQ(z.payload_off, ZF_PAYLOAD_OFF);
	ASSERT_EQ(zboot_unpack(file, len, "k", 1 * MiB, &out, &n), 0);
	ASSERT_EQ(n, sizeof(image));
	EXPECT_EQ(memcmp(out, image, n), 0);
	free(out);
}

TEST(gzip_payload)
{
	size_t len = zf_gzip_zboot(file, image);

	EXPECT_TRUE(zboot_is(file, len));
	expect_unpacks(len, UNPACK_GZIP);
}

TEST(xz_payload)
{
	size_t n;

	zf_image(image, sizeof(image));
	n = zf_xz(image, sizeof(image), stream, sizeof(stream));
	expect_unpacks(zf_wrap(file, "xzkern", stream, n, sizeof(image)), UNPACK_XZ);
}

/* "zstd22" as Makefile.zboot wrote it at first, "zstd" as it does now. */
TEST(zstd_payload)
{
	size_t n;

	zf_image(image, sizeof(image));
	n = zf_zstd(image, sizeof(image), stream, sizeof(stream));
	expect_unpacks(zf_wrap(file, "zstd22", stream, n, sizeof(image)), UNPACK_ZSTD);
	expect_unpacks(zf_wrap(file, "zstd", stream, n, sizeof(image)), UNPACK_ZSTD);
}

TEST(not_zboot)
{
	struct zboot z;

	zf_image(image, sizeof(image));
	EXPECT_FALSE(zboot_is(image, sizeof(image)));
	EXPECT_EQ(zboot_parse(image, sizeof(image), "k", &z), -ENOEXEC);
	expect_msg("not an EFI zboot image");
	/* An arm64 Image with its EFI stub starts with "MZ" too. */
	memcpy(image, "MZ@\xfa", 4);
	EXPECT_FALSE(zboot_is(image, sizeof(image)));
	EXPECT_FALSE(zboot_is((const u8 *)"MZ\0\0zim", 7));
}

/* Each payload span that leaves the file, the 32-bit sum wrapping included. */
TEST(payload_outside_file)
{
	static const u32 spans[][2] = {
	    {ZF_PAYLOAD_OFF, 0},	  /* empty */
	    {0x10, 100},		  /* inside the header */
	    {ZF_PAYLOAD_OFF, 0x7fffffff}, /* past the end */
	    {0x7fffffff, 16},		  /* starts past the end */
	    {0xfffffff0, 0x20},		  /* wraps to 0x10 in 32 bits */
	    {ZF_PAYLOAD_OFF, 0xfffffe10}, /* wraps to 0x10 in 32 bits */
	};
	size_t len = zf_gzip_zboot(file, image);
	struct zboot z;

	for (size_t i = 0; i < ARRAY_SIZE(spans); i++) {
		put_le32(file + 8, spans[i][0]);
		put_le32(file + 12, spans[i][1]);
		EXPECT_EQ(zboot_parse(file, len, "k", &z), -EINVAL);
		expect_msg("outside the");
	}
	/* The file cut one byte before the payload ends. */
	len = zf_gzip_zboot(file, image);
	EXPECT_EQ(zboot_parse(file, len - 1, "k", &z), -EINVAL);
}

TEST(header_cut_short)
{
	struct zboot z;

	zf_gzip_zboot(file, image);
	EXPECT_EQ(zboot_parse(file, 0x30, "k", &z), -EINVAL);
	expect_msg("cut short");
}

TEST(name_without_nul)
{
	size_t len = zf_gzip_zboot(file, image);
	struct zboot z;

	memset(file + 24, 'g', ZBOOT_COMP_MAX);
	EXPECT_EQ(zboot_parse(file, len, "k", &z), -EINVAL);
	expect_msg("not NUL-terminated");
	memcpy(file + 24, "gz\x1b[2Jip", 8);
	file[32] = 0;
	EXPECT_EQ(zboot_parse(file, len, "k", &z), -EINVAL);
	expect_msg("not text");
}

TEST(unknown_and_unsupported_compression)
{
	static const char *const unsupported[] = {"lzma", "lzo", "lz4", "bzip2"};
	size_t len = zf_gzip_zboot(file, image);
	struct zboot z;

	strcpy((char *)file + 24, "brotli");
	EXPECT_EQ(zboot_parse(file, len, "k", &z), -EPROTONOSUPPORT);
	expect_msg("unknown method \"brotli\"");
	for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++) {
		memset(file + 24, 0, ZBOOT_COMP_MAX);
		strcpy((char *)file + 24, unsupported[i]);
		EXPECT_EQ(zboot_parse(file, len, "k", &z), -EPROTONOSUPPORT);
		expect_msg(unsupported[i]);
		expect_msg("which ktvm does not decompress");
	}
	/* The header says zstd, the stream is gzip: a corrupt header. */
	strcpy((char *)file + 24, "zstd");
	EXPECT_EQ(zboot_parse(file, len, "k", &z), -EINVAL);
	expect_msg("not a zstd stream");
}

TEST(corrupt_stream_and_cap)
{
	size_t len = zf_gzip_zboot(file, image);
	u8 *out;
	size_t n;

	/* The cap: the Image is 256 KiB. */
	EXPECT_EQ(zboot_unpack(file, len, "k", 64 * KiB, &out, &n), -EFBIG);
	EXPECT_TRUE(out == NULL);
	/* A payload ending early: the stream is cut (the size says so). */
	put_le32(file + 12, get_le32(file + 12) / 2);
	EXPECT_EQ(zboot_unpack(file, len, "k", 1 * MiB, &out, &n), -EBADMSG);
	expect_msg("kernel k: EFI zboot payload: ");
	/* Flipped bytes in the middle of the stream. */
	len = zf_gzip_zboot(file, image);
	for (size_t i = 0; i < 64; i++)
		file[ZF_PAYLOAD_OFF + 100 + i] ^= 0x5a;
	EXPECT_LT(zboot_unpack(file, len, "k", 1 * MiB, &out, &n), 0);
	EXPECT_TRUE(out == NULL);
}

/* aarch64: the Image inside; x86_64: not a bzImage, as any other file. */
TEST(arch_unpack)
{
	size_t len = zf_gzip_zboot(file, image);
	const u8 *out;
	size_t n;
	u8 *owned;
	int ret;

	EXPECT_FALSE(arch_kernel_boots_unpacked(file, len));
	ret = arch_kernel_unpack(file, len, "k", &out, &n, &owned);
	if (is_x86()) {
		EXPECT_EQ(ret, -ENOEXEC);
		expect_msg("not a bzImage");
		EXPECT_TRUE(owned == NULL);
		return;
	}
	ASSERT_EQ(ret, 0);
	ASSERT_TRUE(owned != NULL && out == owned);
	ASSERT_EQ(n, sizeof(image));
	EXPECT_EQ(memcmp(out, image, n), 0);
	EXPECT_TRUE(arch_kernel_boots_unpacked(out, n));
	free(owned);
}

/* A zboot image of something else (a riscv Image, say): no arm64 Image. */
TEST(arch_unpack_not_an_image)
{
	const u8 *out;
	size_t n, len;
	u8 *owned;

	zf_image(image, sizeof(image));
	memcpy(image + 56, "RSC\x05", 4);
	n = zf_gzip(image, sizeof(image), stream, sizeof(stream));
	len = zf_wrap(file, "gzip", stream, n, sizeof(image));
	EXPECT_EQ(arch_kernel_unpack(file, len, "k", &out, &n, &owned), -ENOEXEC);
	EXPECT_TRUE(owned == NULL);
	expect_msg(is_x86() ? "not a bzImage"
			    : "an EFI zboot image of something other than "
			      "an arm64 Image");
}

/*
 * At the boot (the cache off or unusable): one line saying what the file
 * is and that the cache boots it, or what is wrong with its header.
 * x86_64's check starts at the topology; arch_unpack covers its answer.
 */
TEST(arch_check)
{
	static struct vm vm;
	size_t len = zf_gzip_zboot(file, image);

	if (is_x86())
		SKIP("x86_64 reads a zboot file as a bzImage (arch_unpack)");
	vm.cfg.kernel = "vmlinuz.efi";
	vm.kernel_img = file;
	vm.kernel_len = len;
	EXPECT_EQ(arch_kernel_check(&vm), -ENOEXEC);
	expect_msg("kernel vmlinuz.efi: an EFI zboot image (gzip-compressed Image), which ktvm "
		   "boots through its kernel cache");
	strcpy((char *)file + 24, "lz4");
	EXPECT_EQ(arch_kernel_check(&vm), -EPROTONOSUPPORT);
	expect_msg("compressed with lz4, which ktvm does not decompress");
}
