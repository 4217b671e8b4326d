/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decompressing a whole buffer: gzip with zlib, xz and zstd with liblzma
 * and libzstd loaded by dlopen() when needed, so ktvm links neither (both
 * are part of any Debian system: dpkg and apt use them). Used for compressed
 * kernel modules (.ko.xz, .ko.zst, .ko.gz; core/image/kmod.c) and for the
 * compressed kernel inside an x86 bzImage, an arm64 Image.gz or an EFI
 * zboot image (core/image/zboot.c).
 */
#ifndef KTVM_CORE_UNPACK_H
#define KTVM_CORE_UNPACK_H

#include <stddef.h>

#include "core/base/types.h"

enum unpack_format {
	UNPACK_NONE,
	UNPACK_GZIP,
	UNPACK_XZ,
	UNPACK_ZSTD,
};

/* The format of a stream from its magic bytes, UNPACK_NONE if unknown. */
enum unpack_format unpack_sniff(const u8 *in, size_t len);
const char *unpack_name(enum unpack_format f);

/*
 * Decompress the stream in[0..len) of format f into a malloc'd buffer
 * (*out, *out_len; free() it), of at most max_out bytes. size_hint, if not
 * 0, is the size the stream's container states (a bzImage's size field):
 * decompressed in one go, and a stream that does not fit is corrupt.
 * Without it the buffer grows, each time decompressing again. Bytes after
 * a gzip or xz stream are ignored. 0, or with an input error set that the
 * caller prefixes with what it was decompressing:
 *   -ENOSYS   the library for f cannot be loaded (the message names it)
 *   -EFBIG    the output would pass max_out (also a truncated xz stream
 *             without size_hint: liblzma cannot tell the two apart)
 *   -EBADMSG  corrupt or truncated data, or more than size_hint
 *   -ENOMEM
 */
int unpack(enum unpack_format f, const u8 *in, size_t len, size_t size_hint, size_t max_out,
	   u8 **out, size_t *out_len);

#endif
