/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EFI zboot images made in the test (test_zboot.c, test_kcache.c): a small
 * made-up arm64 Image (a 64-byte header with the ARM\x64 magic, booting.rst
 * section 4, then a pattern), compressed with zlib's gzip, or with xz or
 * zstd through liblzma/libzstd where they load, behind the zboot header
 * (drivers/firmware/efi/libstub/zboot-header.S; offsets written out here)
 * and a minimal PE header, which ktvm does not read.
 */
#ifndef KTVM_TESTS_UNIT_ZBOOT_FIXTURE_H
#define KTVM_TESTS_UNIT_ZBOOT_FIXTURE_H

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/base/endian.h"
#include "tests/test.h"

#define ZF_IMAGE_LEN   (256 * KiB)
#define ZF_PAYLOAD_OFF 0x200
#define ZF_MAX	       (ZF_PAYLOAD_OFF + 2 * ZF_IMAGE_LEN)

/* The Image: image_size = its length, text_offset 0, little-endian. */
static inline void zf_image(u8 *img, size_t len)
{
	memset(img, 0, 64);
	put_le64(img + 16, len);
	memcpy(img + 56, "ARM\x64", 4);
	for (size_t i = 64; i < len; i++)
		img[i] = (u8)(i * 7 / 4096 + (i & 3));
}

/* in compressed as gzip into out (cap bytes): its length. */
static inline size_t zf_gzip(const u8 *in, size_t len, u8 *out, size_t cap)
{
	z_stream zs = {0};

	ASSERT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return zs.total_out;
}

/*
 * in compressed as xz (liblzma's lzma_easy_buffer_encode, CRC-32 check as
 * the kernel's xz_wrap.sh) or zstd (ZSTD_compress): its length, or 0 after
 * SKIP() when the library does not load.
 */
static inline size_t zf_xz(const u8 *in, size_t len, u8 *out, size_t cap)
{
	typedef int (*enc_fn)(u32 preset, int check, const void *alloc, const u8 *in, size_t n,
			      u8 *out, size_t *pos, size_t cap);
	void *lib = dlopen("liblzma.so.5", RTLD_NOW | RTLD_LOCAL);
	size_t pos = 0;
	enc_fn enc;

	if (!lib)
		SKIP("liblzma.so.5 does not load here: %s", dlerror());
	enc = (enc_fn)dlsym(lib, "lzma_easy_buffer_encode");
	ASSERT_TRUE(enc != NULL);
	ASSERT_EQ(enc(6, 1 /* LZMA_CHECK_CRC32 */, NULL, in, len, out, &pos, cap), 0);
	dlclose(lib);
	return pos;
}

static inline size_t zf_zstd(const u8 *in, size_t len, u8 *out, size_t cap)
{
	typedef size_t (*enc_fn)(void *dst, size_t cap, const void *src, size_t n, int level);
	typedef unsigned int (*err_fn)(size_t code);
	void *lib = dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL);
	enc_fn enc;
	err_fn is_err;
	size_t n;

	if (!lib)
		SKIP("libzstd.so.1 does not load here: %s", dlerror());
	enc = (enc_fn)dlsym(lib, "ZSTD_compress");
	is_err = (err_fn)dlsym(lib, "ZSTD_isError");
	ASSERT_TRUE(enc != NULL && is_err != NULL);
	n = enc(out, cap, in, len, 3);
	ASSERT_FALSE(is_err(n));
	dlclose(lib);
	return n;
}

/*
 * The zboot file around the compressed stream s (n bytes) named comp: the
 * header, "PE\0\0" and an arm64 COFF header with no sections at 0x40, the
 * stream at ZF_PAYLOAD_OFF, then (as Makefile.zboot does for all but gzip)
 * the 4-byte uncompressed size outside the payload. Its length.
 */
static inline size_t zf_wrap(u8 *file, const char *comp, const u8 *s, size_t n, size_t raw_len)
{
	memset(file, 0, ZF_PAYLOAD_OFF);
	memcpy(file, "MZ", 2);
	memcpy(file + 4, "zimg", 4);
	put_le32(file + 8, ZF_PAYLOAD_OFF);
	put_le32(file + 12, (u32)n);
	strcpy((char *)file + 24, comp);
	put_le32(file + 0x38, 0x818223cd); /* LINUX_PE_MAGIC */
	put_le32(file + 0x3c, 0x40);
	memcpy(file + 0x40, "PE\0\0", 4);
	put_le16(file + 0x44, 0xaa64); /* IMAGE_FILE_MACHINE_ARM64 */
	memmove(file + ZF_PAYLOAD_OFF, s, n);
	if (strcmp(comp, "gzip")) {
		put_le32(file + ZF_PAYLOAD_OFF + n, (u32)raw_len);
		n += 4;
	}
	return ZF_PAYLOAD_OFF + n;
}

/* A zboot file of the made-up Image (into img) compressed with gzip. */
static inline size_t zf_gzip_zboot(u8 *file, u8 *img)
{
	u8 *gz = malloc(ZF_MAX);
	size_t n;

	ASSERT_TRUE(gz != NULL);
	zf_image(img, ZF_IMAGE_LEN);
	n = zf_gzip(img, ZF_IMAGE_LEN, gz, ZF_MAX);
	n = zf_wrap(file, "gzip", gz, n, ZF_IMAGE_LEN);
	free(gz);
	return n;
}

#endif
