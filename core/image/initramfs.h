/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's initramfs, built on the host. It is two cpio archives, one
 * after the other, which the kernel unpacks in turn (initramfs buffer
 * format: "initramfs := (cpio_archive | cpio_gzip_archive)*"):
 *
 *   base     /init, /dev/console (c 5 1), /dev /proc /sys /run /tmp,
 *            the kernel modules at /lib/modules/<release>/<path as shipped>
 *            (.ko, .ko.xz, .ko.zst: the guest loads them with finit_module,
 *            MODULE_INIT_COMPRESSED_FILE for compressed ones),
 *            /ktvm/modules.order (their guest paths, one a line, dependencies
 *            first; empty without modules), and the shared libraries /init
 *            needs (core/image/elfdeps.h).
 *   payload  /ktvm/payload and the files given as includes, with the shared
 *            libraries they need that the base does not have.
 *
 * The base changes rarely, so it is cached as
 * <cache>/<key>.cpio.gz (with <key>.manifest beside it), where key hashes a
 * manifest: every entry's guest path and mode and, for a host file, its path,
 * device, inode, size, mtime and ctime (not its contents: see
 * initramfs_plan.c), for generated data a hash of the bytes, plus the format
 * version and compression. A hit is used only if the stored manifest is
 * byte-identical, so a hash collision costs a rebuild, not a wrong guest.
 * Cache entries are never removed by ktvm.
 *
 * Every file is written to a temporary name in its directory and renamed, so
 * readers never see a partial archive and a failed build leaves nothing.
 */
#ifndef KTVM_CORE_INITRAMFS_H
#define KTVM_CORE_INITRAMFS_H

#include <limits.h>

#include "core/base/types.h"

#define INITRAMFS_PAYLOAD	"/ktvm/payload"
#define INITRAMFS_MODULES_ORDER "/ktvm/modules.order"

struct initramfs_spec {
	const char *init;    /* host file that becomes /init (required) */
	const char *payload; /* host file packed at INITRAMFS_PAYLOAD, or NULL */
	/*
	 * "HOST[:GUEST]", NULL-terminated. Without GUEST the file goes to
	 * /bin/<name>; a GUEST ending in '/' gets <name> appended. A HOST
	 * symlink is followed; a HOST directory is copied recursively, its
	 * symlinks kept as symlinks.
	 */
	const char *const *includes;
	const char *const *modules; /* module names ('-' or '_'), NULL-terminated */
	const char *modules_dir;    /* NULL: <lib_root>/lib/modules/<release> (or usr/lib/...) */
	const char *release;	    /* NULL: read from kernel, when modules are asked for */
	const char *kernel;	    /* bzImage, vmlinux or arm64 Image */
	const char *lib_root;	    /* root for shared-library lookups; NULL: "/" */
	const char *cache_dir;	    /* NULL: ${KTVM_CACHE:-$HOME/.cache/ktvm}/initramfs */
	bool no_cache;		    /* neither read nor write the cache */
	/*
	 * With the cache: out holds only what follows the base (the payload's
	 * archive; possibly nothing), and the caller puts info->base in front.
	 */
	bool split;
	int level; /* gzip level 1-9; 0: 6; -1: no compression */
};

struct initramfs_info {
	bool cache_hit;
	char base[PATH_MAX]; /* the cached base archive, "" with no_cache */
	char release[65];    /* "" when no release was needed */
	size_t modules;	     /* modules packed */
	size_t libraries;    /* shared libraries and their symlinks packed */
};

/* Build spec into out (replaced atomically). info may be NULL. */
int initramfs_build(const struct initramfs_spec *spec, const char *out,
		    struct initramfs_info *info);

#endif
