/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Software walk of an aarch64 guest's stage-1 EL1&0 translation tables
 * (VMSAv8-64, ARM DDI 0487 chapter D8), for inspecting a stopped guest
 * (core/debug/gva.h).
 */
#ifndef KTVM_ARCH_AARCH64_PTWALK_H
#define KTVM_ARCH_AARCH64_PTWALK_H

#include "core/debug/gva.h"
#include "core/base/types.h"

/* A vCPU's EL1 translation registers: TTBR0_EL1, TTBR1_EL1, TCR_EL1, SCTLR_EL1. */
struct a64_mmu {
	u64 ttbr0, ttbr1, tcr, sctlr;
};

/*
 * Translates the virtual address gva as the EL1&0 stage-1 regime would,
 * reading the tables with r. With SCTLR_EL1.M clear the translation is the
 * identity (page_size then 4 KiB). VAs and PAs of up to 52 bits are
 * handled (TCR_EL1.DS for FEAT_LPA2, the 64K granule's FEAT_LPA and
 * FEAT_LVA). 0 with *out filled; -EINVAL if gva is in neither TTBR0's nor
 * TTBR1's range, its TxSZ is outside the range the architecture allows
 * for the granule and DS, or, with the MMU off, gva is above the 48-bit
 * PA space; -ENOENT if walks for its range are disabled (EPDx) or a
 * descriptor is invalid; -EFAULT if a table cannot be read; -ENOTSUP for
 * what the registers cannot decide (reserved granule encodings, a 64K
 * level 1 block without a 52-bit IPS). Permissions and the access flag
 * are not checked.
 */
int a64_ptwalk(const struct a64_mmu *m, u64 gva, const struct gva_reader *r,
	       struct gva_result *out);

#endif
