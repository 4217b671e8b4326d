/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel cache: a compressed kernel (an x86 bzImage, an arm64
 * Image.gz) is booted through its uncompressed form when that form boots
 * by itself (arch_kernel_boots_unpacked(): x86_64's ELF vmlinux with a PVH
 * entry, an arm64 Image), so the guest skips its own decompression, which
 * is slow under emulation and costs real time on hardware too. The
 * original image is the fallback: a kernel whose unpacked form does not
 * boot by itself, or a cache that cannot be used, boots as given.
 *
 * The uncompressed kernels are kept in a directory (KTVM_KERNEL_CACHE, else
 * $XDG_CACHE_HOME/ktvm/kernels, else ~/.cache/ktvm/kernels) under a name
 * made of the image's size and two checksums of its whole content (CRC-32
 * and Adler-32, zlib's: computed at several GiB/s, far faster than any
 * decompression), so an image changed in place is never confused with the
 * old one. A new entry is written to a temporary file and renamed into
 * place (atomic: concurrent ktvm processes see a whole file or none); a
 * hit touches the entry's time, and entries beyond the size cap
 * (KTVM_KERNEL_CACHE_MAX_MIB, default 1024) go least recently used first.
 * An index of symbolic links (idx-<identity> -> the entry) finds a known
 * image by its identity (device, inode, size, times, the CRC of its first
 * 64 KiB) without checksumming it whole: a hit costs about 0.1 ms.
 * Entries are never written in place, so the boot maps their pages into
 * guest RAM instead of copying them (vm_config.kernel_mappable).
 */
#ifndef KTVM_TOOLS_KCACHE_H
#define KTVM_TOOLS_KCACHE_H

#include <limits.h>
#include <stdio.h>

#include "core/base/types.h"

#define KCACHE_MAX_MIB_DEFAULT 1024

enum kcache_state {
	KCACHE_OFF,	     /* --no-kernel-cache */
	KCACHE_UNCOMPRESSED, /* the image is the kernel itself: nothing to do */
	KCACHE_HIT,	     /* booted from the cache */
	KCACHE_MISS,	     /* decompressed now, cached, booted from the cache */
	KCACHE_NOT_BOOTABLE, /* its unpacked form does not boot by itself: the image boots */
	KCACHE_ERROR,	     /* the cache could not be used (why): the image boots */
};

struct kcache {
	enum kcache_state state;
	char path[PATH_MAX]; /* HIT, MISS: the uncompressed kernel to boot */
	char why[256];	     /* ERROR: the reason */
	u64 lookup_ns;	     /* the whole lookup: checksums, and decompression on a miss */
	u64 bytes;	     /* HIT, MISS: the uncompressed kernel's size */
	u32 evicted;	     /* entries removed for the size cap */
	bool by_index;	     /* HIT: found through the index, without a checksum */
};

/*
 * Look kernel up. Returns true with k->path set when k->path should be
 * booted instead of kernel; false to boot kernel itself (k->state says
 * why). A bad image is not this function's to judge: it returns false and
 * the boot reports it.
 */
bool kcache_lookup(const char *kernel, struct kcache *k);
/* The "kernel" member of the JSON result: given, booted, cache state, time. */
void kcache_json(FILE *f, const char *given, const struct kcache *k);
const char *kcache_state_name(enum kcache_state s);

#endif
