/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Software walk of an x86_64 guest's page tables, for inspecting a stopped
 * guest (core/debug/gva.h). Long mode only: 4-level and 5-level paging (Intel SDM
 * Vol 3A 4.5), the modes a 64-bit kernel runs in.
 */
#ifndef KTVM_ARCH_X86_64_PTWALK_H
#define KTVM_ARCH_X86_64_PTWALK_H

#include "core/debug/gva.h"
#include "core/base/types.h"

/* A vCPU's paging state, as KVM_GET_SREGS gives it. */
struct x86_mmu {
	u64 cr0, cr3, cr4, efer;
};

/*
 * Translates the linear address gva through the tables at m->cr3, reading
 * them with r. 0 with *out filled; -ENOTSUP if the vCPU is not in long mode
 * with paging (CR0.PG, CR4.PAE, EFER.LMA), -EINVAL for a non-canonical gva,
 * -ENOENT if an entry on the way is not present (or has PS set where it is
 * reserved, which faults as well), -EFAULT if a table cannot be read.
 * Access rights are not checked: the question is only where gva points.
 */
int x86_ptwalk(const struct x86_mmu *m, u64 gva, const struct gva_reader *r,
	       struct gva_result *out);

#endif
