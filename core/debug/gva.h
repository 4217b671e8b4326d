/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-virtual to guest-physical translation, the arch-neutral part.
 *
 * Each arch walks its guest's page tables in software (x86_ptwalk(),
 * a64_ptwalk()) from register values the caller captured, so a frozen guest
 * can be inspected without KVM_TRANSLATE or a running vCPU. The tables are
 * guest memory and thus hostile: the walkers read them only through a
 * gva_reader, which refuses what is not RAM, and take a bounded number of
 * steps whatever the tables say.
 *
 * Errors, common to the walkers:
 *   -EINVAL   the address cannot be translated in the current mode
 *             (non-canonical, outside both VA ranges)
 *   -ENOENT   no translation: an entry not present/invalid, or walks disabled
 *   -EFAULT   a table could not be read (the reader's error)
 *   -ENOTSUP  a paging mode the walker does not implement
 */
#ifndef KTVM_CORE_DEBUG_GVA_H
#define KTVM_CORE_DEBUG_GVA_H

#include <errno.h>
#include <stddef.h>

#include "core/base/types.h"

/* Reads len bytes of guest-physical memory at gpa: 0, or -EFAULT if not RAM. */
typedef int (*gva_read_fn)(void *ctx, u64 gpa, void *buf, size_t len);

struct gva_reader {
	gva_read_fn read;
	void *ctx;
};

struct gva_result {
	u64 gpa;
	u64 page_size; /* size of the page or block mapping gva */
};

/*
 * One 8-byte table entry at gpa, in the byte order the guest's walker uses.
 * Assembled byte by byte so that the host's own order does not matter.
 * A reader that returns anything but 0 or a negative errno is taken as
 * -EFAULT.
 */
static inline int gva_read_u64(const struct gva_reader *r, u64 gpa, bool big_endian, u64 *val)
{
	u8 b[8];
	u64 v = 0;
	int rc;

	rc = r->read(r->ctx, gpa, b, sizeof(b));
	if (rc)
		return rc < 0 ? rc : -EFAULT;
	for (int i = 0; i < 8; i++)
		v |= (u64)b[i] << (big_endian ? 8 * (7 - i) : 8 * i);
	*val = v;
	return 0;
}

struct vcpu;
/*
 * Read len bytes of guest virtual memory through vcpu's page tables (one
 * page at a time; the arch's arch_vcpu_gva_to_gpa(), core/debug/arch.h):
 * 0, or a negative errno (-EFAULT: not mapped or not RAM).
 */
int gva_read(struct vcpu *vcpu, u64 gva, void *buf, size_t len);
/*
 * Write len bytes to guest virtual gva through vcpu's page tables (on its
 * thread, or while it is stopped); all pages are translated one at a time,
 * so a failure may leave a partial write. 0 or a negative errno.
 */
int gva_write(struct vcpu *vcpu, u64 gva, const void *buf, size_t len);

#endif
