/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel modules listed in /ktvm/modules.order (core/image/initramfs.h): one guest
 * path a line, dependencies first, so loading them in order never needs
 * modprobe. Each is loaded with finit_module(2); compressed ones (.ko.xz,
 * .ko.zst, .ko.gz) with MODULE_INIT_COMPRESSED_FILE, which makes the kernel
 * decompress them (CONFIG_MODULE_DECOMPRESS, Linux 6.0+; Debian's 6.12 ships
 * .ko.xz). A module that fails is logged and the rest are still tried: the
 * ones that matter show up later as a missing device, with this list as the
 * explanation.
 */
#ifndef KTVM_GUEST_MODULES_H
#define KTVM_GUEST_MODULES_H

#include "core/base/types.h"

#define MODULES_ORDER "/ktvm/modules.order"

struct modules_result {
	unsigned int loaded; /* including already loaded ones (EEXIST) */
	unsigned int failed;
	char failures[512]; /* "name: reason, ..." (cut short if long) */
};

/* finit_module() flags for a module file, from its name. */
int modules_flags(const char *path);
/* The module's name: its base name without ".ko[.xz|.zst|.gz]". */
void modules_name(const char *path, char *name, size_t size);

/*
 * Load every module listed in the order file. A missing file means no
 * modules. Returns 0, or -errno if the file exists but cannot be read.
 */
int modules_load_order(const char *order, struct modules_result *res);

#endif
