/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An initramfs part as a list of entries, before it is written: the builder
 * (core/image/initramfs.c) fills one plan for the cached base and one for the
 * payload, describes the base in a manifest for the cache key, then writes
 * each plan as one cpio archive.
 */
#ifndef KTVM_CORE_INITRAMFS_PLAN_H
#define KTVM_CORE_INITRAMFS_PLAN_H

#include <sys/types.h>

#include "core/image/cpio.h"
#include "core/base/types.h"

enum initramfs_kind {
	INITRAMFS_DIR,
	INITRAMFS_FILE, /* copied from src */
	INITRAMFS_DATA, /* src holds len bytes */
	INITRAMFS_LINK, /* src is the target */
	INITRAMFS_NODE, /* mode has the type, major/minor the device */
};

struct initramfs_entry {
	enum initramfs_kind kind;
	char *guest; /* absolute path in the guest */
	char *src;
	size_t len;
	mode_t mode;
	u32 major, minor;
	const char *what; /* role in messages: "init", "module", "library", ... */
};

struct initramfs_plan {
	struct initramfs_entry *v;
	size_t n;
	void *index; /* tsearch tree: normalized guest path -> position in v */
};

/* Append an entry (src copied, len bytes for DATA, else a string). The
 * guest path must be valid for cpio_name() and new to p. */
int initramfs_plan_add(struct initramfs_plan *p, enum initramfs_kind kind, const char *guest,
		       const char *src, size_t len, mode_t mode, const char *what);
const struct initramfs_entry *initramfs_plan_find(const struct initramfs_plan *p,
						  const char *guest);
int initramfs_plan_write(const struct initramfs_plan *p, struct cpio *c);
void initramfs_plan_free(struct initramfs_plan *p);

/*
 * Describe p, one line per entry, in *text (malloc'd), with what each file
 * was on the host (device, inode, size, mtime, ctime) and a hash of each
 * DATA entry; head is the first line. key gets 16 hex digits hashing it.
 */
int initramfs_plan_manifest(const struct initramfs_plan *p, const char *head, char **text,
			    char key[17]);

#endif
