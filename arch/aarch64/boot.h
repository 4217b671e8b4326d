/* SPDX-License-Identifier: GPL-2.0 */
/* aarch64 boot: the Image header, and where kernel, initrd and device tree go. */
#ifndef KTVM_ARCH_AARCH64_BOOT_H
#define KTVM_ARCH_AARCH64_BOOT_H

#include <stddef.h>

#include "core/base/types.h"

#define A64_KERNEL_ALIGN (2 * MiB) /* the Image's base: 2 MiB aligned */
#define A64_FDT_MAX	 (2 * MiB) /* booting.rst: at most 2 MiB, in its own 2 MiB block */

/* The largest image_size taken (Debian's arm64 kernels need ~40 MiB). */
#define A64_IMAGE_SIZE_MAX (2ULL << 30)

struct a64_image {
	u64 text_offset; /* from the 2 MiB aligned base */
	u64 image_size;	 /* bytes the kernel occupies, .bss included */
	u64 file_size;	 /* bytes the file must have (PE/COFF sections), 0: unknown */
};

/*
 * The header of an arm64 Image of len bytes. 0; -ENOEXEC (no magic),
 * -EPROTONOSUPPORT (big-endian), -EINVAL (inconsistent fields), -ENODATA
 * (the file is shorter than its PE/COFF section table says: truncated).
 */
int a64_image_parse(const u8 *img, size_t len, struct a64_image *out);

/* Where things go in guest-physical memory. */
struct a64_placement {
	u64 kernel, kernel_end; /* the Image, .bss included */
	u64 initrd;		/* 0 without an initrd */
	u64 fdt;		/* the device tree's 2 MiB block */
};

/*
 * Place an Image and an initrd of initrd_len bytes (0: none) in mem_size
 * bytes of RAM at A64_RAM_BASE. 0; -EFBIG if the kernel and the device tree
 * do not fit, -E2BIG if the initrd does not fit beside them.
 */
int a64_place(u64 mem_size, const struct a64_image *im, u64 initrd_len, struct a64_placement *p);

#endif
