/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel modules for a guest: which files to load, in which order, and the
 * release string of a kernel image (to find /lib/modules/<release>).
 *
 * The dependency graph comes from <moddir>/modules.dep (written by depmod).
 * Debian's linux-image packages do not ship modules.dep (depmod runs at
 * install time), so without it the modules are found through modules.order
 * and each one's dependencies are read from its .modinfo "depends=" field.
 * Compressed modules (.ko.xz, .ko.zst) are then decompressed in memory with
 * liblzma/libzstd, loaded with dlopen() only on that path; .ko.gz uses zlib.
 *
 * Module names compare with '-' and '_' as the same character. Modules listed
 * in modules.builtin are part of the kernel and are skipped, not errors.
 */
#ifndef KTVM_CORE_KMOD_H
#define KTVM_CORE_KMOD_H

#include "core/base/types.h"

/* Longest dependency chain followed before giving up. */
#define KMOD_MAX_DEPTH 64

struct kmod_module {
	char *name; /* normalized: '-' replaced by '_' */
	char *path; /* relative to the modules directory, as shipped (.ko, .ko.xz, ...) */
};

/* Modules in load order: every module after the modules it depends on. */
struct kmod_list {
	struct kmod_module *v;
	size_t n;
};

/*
 * Resolve names[0..n) (module names, '-' or '_') against moddir into load
 * order, without duplicates. Errors: -ENOENT for a module that is neither in
 * the tree nor built in, -ELOOP for a dependency cycle or a chain deeper than
 * KMOD_MAX_DEPTH; the message names the module.
 */
int kmod_resolve(struct kmod_list *out, const char *moddir, const char *const *names, size_t n);
void kmod_list_free(struct kmod_list *l);

/*
 * The release ("6.1.0-56-amd64") of a kernel image, without booting it: an
 * x86 bzImage's setup header kernel_version string, else the "Linux version "
 * banner of an ELF vmlinux or an uncompressed arm64 Image.
 */
int kmod_release(const char *image, char *buf, size_t size);
/* The same for an image already in memory; name is used in messages. */
int kmod_release_mem(const u8 *img, size_t len, const char *name, char *buf, size_t size);

#endif
