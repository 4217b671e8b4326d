/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EFI zboot images: what CONFIG_EFI_ZBOOT builds (vmlinuz.efi, or vmlinuz;
 * arm64, riscv and loongarch; Fedora's arm64 kernels). The file is an EFI
 * application that decompresses the kernel it carries, and its MS-DOS
 * header says where that compressed kernel lies and how it is compressed
 * (drivers/firmware/efi/libstub/zboot-header.S), so a loader that runs no
 * EFI code can decompress it itself, as ktvm's kernel cache does.
 */
#ifndef KTVM_CORE_ZBOOT_H
#define KTVM_CORE_ZBOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/base/types.h"
#include "core/image/unpack.h"

/* The compression name's field: bytes 24 to 0x38, NUL-terminated within. */
#define ZBOOT_COMP_MAX 32

struct zboot {
	u32 payload_off; /* from the start of the file */
	u32 payload_len;
	enum unpack_format format;
	char comp[ZBOOT_COMP_MAX]; /* the compression as the header names it */
};

/* Does img start like a zboot image ("MZ", then "zimg" at byte 4)? */
bool zboot_is(const u8 *img, size_t len);

/*
 * Read the zboot header of img (len bytes; name for messages) into *z:
 * 0, or a negative errno with an input error set:
 *   -ENOEXEC          not a zboot image (zboot_is() says no)
 *   -EINVAL           a header that contradicts itself or the file
 *   -EPROTONOSUPPORT  a compression ktvm does not decompress, or unknown
 */
int zboot_parse(const u8 *img, size_t len, const char *name, struct zboot *z);

/*
 * The payload of the zboot image img, decompressed into a malloc'd buffer
 * (*out, *out_len; free() it) of at most max_out bytes: 0, or zboot_parse()'s
 * and unpack()'s errors, the message naming the kernel.
 */
int zboot_unpack(const u8 *img, size_t len, const char *name, size_t max_out, u8 **out,
		 size_t *out_len);

#endif
