// SPDX-License-Identifier: GPL-2.0
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/base/error.h"
#include "core/image/unpack.h"

/* The liblzma and libzstd entry points, as their headers declare them. */
typedef int (*lzma_buffer_decode_fn)(u64 *memlimit, u32 flags, const void *allocator, const u8 *in,
				     size_t *in_pos, size_t in_size, u8 *out, size_t *out_pos,
				     size_t out_size);
typedef size_t (*zstd_decompress_fn)(void *dst, size_t cap, const void *src, size_t len);
typedef unsigned int (*zstd_is_error_fn)(size_t code);

#define LZMA_BUF_ERROR 10 /* lzma_ret: output buffer full */
/* The decoder's memory (its dictionary, which the stream's header sets). */
#define UNPACK_XZ_MEMLIMIT	     (256 * MiB)
#define ZSTD_ERROR_DSTSIZE_TOO_SMALL ((size_t)-70)
/* lzma_stream_buffer_decode flag: stop at the end of the first stream. */
#define LZMA_CONCATENATED_NOT 0

enum unpack_format unpack_sniff(const u8 *in, size_t len)
{
	static const u8 xz[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
	static const u8 zstd[4] = {0x28, 0xb5, 0x2f, 0xfd};

	if (len >= 2 && in[0] == 0x1f && in[1] == 0x8b)
		return UNPACK_GZIP;
	if (len >= sizeof(xz) && !memcmp(in, xz, sizeof(xz)))
		return UNPACK_XZ;
	if (len >= sizeof(zstd) && !memcmp(in, zstd, sizeof(zstd)))
		return UNPACK_ZSTD;
	return UNPACK_NONE;
}

const char *unpack_name(enum unpack_format f)
{
	switch (f) {
	case UNPACK_GZIP:
		return "gzip";
	case UNPACK_XZ:
		return "xz";
	case UNPACK_ZSTD:
		return "zstd";
	default:
		return "uncompressed";
	}
}

/* Each returns 0, -ENOBUFS (out too small: retry larger), -EBADMSG or -ENOSYS. */
static int unpack_xz(void *lib, const u8 *in, size_t len, u8 *out, size_t *out_len)
{
	lzma_buffer_decode_fn dec = (lzma_buffer_decode_fn)dlsym(lib, "lzma_stream_buffer_decode");
	u64 memlimit = UNPACK_XZ_MEMLIMIT;
	size_t in_pos = 0, out_pos = 0;
	int r;

	if (!dec)
		return -ENOSYS;
	size_t cap = *out_len;

	r = dec(&memlimit, LZMA_CONCATENATED_NOT, NULL, in, &in_pos, len, out, &out_pos, cap);
	*out_len = out_pos;
	return r == 0 ? 0 : r == LZMA_BUF_ERROR ? -ENOBUFS : -EBADMSG;
}

static int unpack_zstd(void *lib, const u8 *in, size_t len, u8 *out, size_t *out_len)
{
	zstd_decompress_fn dec = (zstd_decompress_fn)dlsym(lib, "ZSTD_decompress");
	zstd_is_error_fn is_err = (zstd_is_error_fn)dlsym(lib, "ZSTD_isError");
	size_t r;

	if (!dec || !is_err)
		return -ENOSYS;
	r = dec(out, *out_len, in, len);
	if (is_err(r))
		return r == ZSTD_ERROR_DSTSIZE_TOO_SMALL ? -ENOBUFS : -EBADMSG;
	*out_len = r;
	return 0;
}

static int unpack_gzip(const u8 *in, size_t len, u8 *out, size_t *out_len)
{
	z_stream zs = {0};
	int zr;

	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return -ENOMEM;
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)MIN(len, (size_t)UINT32_MAX);
	zs.next_out = out;
	zs.avail_out = (uInt)MIN(*out_len, (size_t)UINT32_MAX);
	zr = inflate(&zs, Z_FINISH);
	*out_len = zs.total_out;
	inflateEnd(&zs);
	/* Z_BUF_ERROR also means the input ran out: only a full output is -ENOBUFS. */
	if (zr == Z_STREAM_END)
		return 0;
	return zr == Z_BUF_ERROR && zs.avail_out == 0 ? -ENOBUFS : -EBADMSG;
}

int unpack(enum unpack_format f, const u8 *in, size_t len, size_t size_hint, size_t max_out,
	   u8 **out, size_t *out_len)
{
	const char *soname = f == UNPACK_XZ ? "liblzma.so.5" : "libzstd.so.1";
	size_t cap = MIN(size_hint ? size_hint : MAX(len * 4, (size_t)64 * KiB), max_out);
	void *lib = NULL;
	int ret;

	*out = NULL;
	*out_len = 0;
	if (f != UNPACK_GZIP && f != UNPACK_XZ && f != UNPACK_ZSTD)
		return error_input(-EINVAL, "not a gzip, xz or zstd stream");
	/* zstd reads no frame as no bytes: an empty stream is a truncated one. */
	if (!len)
		return error_input(-EBADMSG, "cannot decompress %s: no data", unpack_name(f));
	if (f != UNPACK_GZIP) {
		lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
		if (!lib)
			return error_input(-ENOSYS, "cannot decompress %s without %s: %s",
					   unpack_name(f), soname, dlerror());
	}
	for (;; cap = MIN(cap * 2, max_out)) {
		u8 *p = realloc(*out, cap);

		if (!p) {
			ret = -ENOMEM;
			break;
		}
		*out = p;
		*out_len = cap;
		ret = f == UNPACK_GZIP ? unpack_gzip(in, len, p, out_len)
		      : f == UNPACK_XZ ? unpack_xz(lib, in, len, p, out_len)
				       : unpack_zstd(lib, in, len, p, out_len);
		if (ret != -ENOBUFS)
			break;
		/*
		 * Past its stated size: corrupt. (liblzma also answers a
		 * truncated stream with LZMA_BUF_ERROR; without a stated
		 * size that ends at max_out.)
		 */
		if (size_hint) {
			ret = -EBADMSG;
			break;
		}
		if (cap >= max_out) {
			ret = -EFBIG;
			break;
		}
	}
	if (lib)
		dlclose(lib);
	if (ret) {
		free(*out);
		*out = NULL;
		*out_len = 0;
		return error_input(ret, "cannot decompress %s: %s", unpack_name(f),
				   ret == -EFBIG ? "larger than the limit" : strerror(-ret));
	}
	return 0;
}
