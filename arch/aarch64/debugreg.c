// SPDX-License-Identifier: GPL-2.0
/* arm64 data watchpoints and their step-over for KVM_SET_GUEST_DEBUG (debugreg.h). */
#include <errno.h>
#include <string.h>

#include <linux/kvm.h>

#include "arch/aarch64/debugreg.h"

u64 a64_dbgwvr(u64 addr)
{
	/*
	 * DBGWVR<n>_EL1 holds VA[48:2] (VA[52:2] with FEAT_LVA), bits 1:0
	 * RES0, and the bits above the VA are RESS: they must repeat the top
	 * VA bit. A canonical address already has that form, all ones for a
	 * kernel (TTBR1) address, all zeros for a user one, so only the low
	 * bits are cleared. KVM copies dbg_wvr[] unchecked into the hardware
	 * register on guest entry; a non-canonical address is the caller's to
	 * refuse.
	 *
	 * Bit 2 is cleared too: the watch is described as bytes of the
	 * doubleword (BAS, a64_dbgwcr()); with DBGWVR[2] = 1 only BAS[3:0]
	 * would be usable.
	 */
	return addr & ~7ULL;
}

u64 a64_dbgwcr(u64 addr)
{
	/*
	 * BAS bit j watches byte j of the doubleword in DBGWVR: a 4-byte
	 * aligned word is bytes 0..3 or 4..7. HMC = 0, SSC = 0b00 with
	 * PAC = 0b11 matches at EL1 and EL0 (the DBGWCR PAC/SSC/HMC table);
	 * LBN, WT and MASK stay 0: no linked breakpoint, no address mask.
	 */
	u64 bas = 0xfULL << (addr & 4);

	return A64_DBGWCR_E | A64_DBGWCR_PAC(A64_DBGWCR_PAC_EL1_EL0) |
	       A64_DBGWCR_LSC(A64_DBGWCR_LSC_STORE) | A64_DBGWCR_BAS(bas);
}

void a64_debugreg_build(struct kvm_guest_debug *dbg, const u64 addr[4], u32 mask, bool single_step)
{
	memset(dbg, 0, sizeof(*dbg));
	mask &= A64_DEBUGREG_SLOT_MASK;
	if (!mask && !single_step)
		return;
	/*
	 * USE_HW makes KVM load dbg->arch (all of it: unarmed slots are
	 * written as E = 0) in place of the guest's own debug registers.
	 */
	dbg->control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW;
	if (single_step)
		dbg->control |= KVM_GUESTDBG_SINGLESTEP;
	for (u32 i = 0; i < A64_DEBUGREG_SLOTS; i++) {
		if (!(mask & (1u << i)))
			continue;
		dbg->arch.dbg_wvr[i] = a64_dbgwvr(addr[i]);
		dbg->arch.dbg_wcr[i] = a64_dbgwcr(addr[i]);
	}
}

enum a64_debug_event a64_debug_classify(u32 hsr)
{
	switch (A64_ESR_EC(hsr)) {
	case A64_ESR_EC_WATCHPT_LOW:
	case A64_ESR_EC_WATCHPT_CUR:
		return A64_DEBUG_WATCH;
	case A64_ESR_EC_SOFTSTP_LOW:
	case A64_ESR_EC_SOFTSTP_CUR:
		return A64_DEBUG_STEP;
	case A64_ESR_EC_BREAKPT_LOW:
	case A64_ESR_EC_BREAKPT_CUR:
		return A64_DEBUG_HWBP;
	case A64_ESR_EC_BKPT32:
	case A64_ESR_EC_BRK64:
		return A64_DEBUG_BRK;
	default:
		return A64_DEBUG_OTHER;
	}
}

int a64_debug_watch_slot(const u64 addr[4], u32 mask, u64 far)
{
	u32 i;

	/*
	 * FAR is an address of the access that hit, not necessarily the
	 * watched one (ARM DDI 0487, D2.10, "Determining the memory location
	 * that caused a Watchpoint exception"): for an access wider than the
	 * watch (STP, a vector store, DC ZVA) it may be any address within
	 * the access, and it may lie below the watched bytes, inside a
	 * naturally aligned block no larger than the DC ZVA block; which one
	 * is IMPLEMENTATION DEFINED (Cortex-A72 promises no lower than the
	 * watched address rounded down to 16 bytes). So: an exact hit first,
	 * then the doubleword a watch is programmed as, then, when only one
	 * slot is armed, that slot. Anything else is ambiguous: -1.
	 */
	mask &= A64_DEBUGREG_SLOT_MASK;
	for (i = 0; i < A64_DEBUGREG_SLOTS; i++)
		if ((mask & (1u << i)) && far - addr[i] < 4)
			return i;
	for (i = 0; i < A64_DEBUGREG_SLOTS; i++)
		if ((mask & (1u << i)) && (addr[i] & ~7ULL) == (far & ~7ULL))
			return i;
	if (mask && !(mask & (mask - 1)))
		return __builtin_ctz(mask);
	return -1;
}

void a64_stepover_init(struct a64_stepover *s, u32 mask)
{
	s->mask_armed = mask & A64_DEBUGREG_SLOT_MASK;
	s->pending = 0;
}

void a64_stepover_set_mask(struct a64_stepover *s, u32 mask)
{
	s->mask_armed = mask & A64_DEBUGREG_SLOT_MASK;
}

u32 a64_stepover_hw_mask(const struct a64_stepover *s)
{
	/*
	 * A stepped slot stays out until the step exit: it would fire again
	 * on the same store before it is done. The others stay in, so a
	 * store over two watched words traps once more for the second.
	 */
	return s->mask_armed & ~s->pending;
}

bool a64_stepover_stepping(const struct a64_stepover *s)
{
	return s->pending != 0;
}

int a64_stepover_on_watch(struct a64_stepover *s, int slot)
{
	if (slot < 0 || slot >= A64_DEBUGREG_SLOTS)
		return -EINVAL;
	if (s->pending & 1u << slot)
		return -EBUSY;
	s->pending |= 1u << slot;
	return 0;
}

u32 a64_stepover_on_step(struct a64_stepover *s)
{
	u32 done = s->pending;

	s->pending = 0;
	return done;
}

int a64_exception_vector(u64 pstate, u64 vbar, u64 *pc)
{
	/* PSTATE.nRW (bit 4) set: AArch32; M[3:0]: 0b0000 EL0t, 0b0100 EL1t, 0b0101 EL1h. */
	if (pstate & 0x10)
		return -EINVAL;
	switch (pstate & 0xf) {
	case 0x0:
		*pc = vbar + 0x400;
		return 0;
	case 0x4:
		*pc = vbar + 0x000;
		return 0;
	case 0x5:
		*pc = vbar + 0x200;
		return 0;
	default:
		return -EINVAL;
	}
}
