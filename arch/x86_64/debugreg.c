// SPDX-License-Identifier: GPL-2.0
/* x86 data watchpoints for KVM_SET_GUEST_DEBUG (debugreg.h). */
#include <string.h>

#include <linux/kvm.h>

#include "arch/x86_64/debugreg.h"

u64 x86_dr7_encode(u32 mask)
{
	/*
	 * Bit 10 reads as 1 on hardware (SDM 3B 18.2.4). KVM does not add it
	 * on this path: KVM_SET_GUEST_DEBUG stores debugreg[7] as
	 * guest_debug_dr7, kvm_update_dr7() hands that unchanged to the VMCS
	 * or VMCB, and KVM_EXIT_DEBUG reports it back in run->debug.arch.dr7
	 * (DR7_FIXED_1 is only ORed into the guest's own MOV to DR7). Setting
	 * it makes what KVM loads and reports the architectural value; a
	 * write to the bit is ignored either way.
	 */
	u64 dr7 = X86_DR7_FIXED_1;

	mask &= X86_DEBUGREG_SLOT_MASK;
	for (u32 i = 0; i < X86_DEBUGREG_SLOTS; i++) {
		if (!(mask & (1u << i)))
			continue;
		/*
		 * G as well as L: a hardware task switch clears the L bits
		 * (SDM 18.2.4); G survives it.
		 */
		dr7 |= X86_DR7_L(i) | X86_DR7_G(i);
		dr7 |= X86_DR7_RW(i, X86_DR7_RW_WRITE) | X86_DR7_LEN(i, X86_DR7_LEN_4);
	}
	/*
	 * LE/GE ask for exact data breakpoints; P6 and later ignore them but
	 * the SDM recommends setting them when exact reporting is wanted.
	 */
	if (mask)
		dr7 |= X86_DR7_LE | X86_DR7_GE;
	return dr7;
}

void x86_debugreg_build(struct kvm_guest_debug *dbg, const u64 addr[4], u32 mask)
{
	memset(dbg, 0, sizeof(*dbg));
	mask &= X86_DEBUGREG_SLOT_MASK;
	if (!mask)
		return;
	/* KVM reads dbg->arch only under KVM_GUESTDBG_USE_HW_BP. */
	dbg->control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	for (u32 i = 0; i < X86_DEBUGREG_SLOTS; i++)
		if (mask & (1u << i))
			dbg->arch.debugreg[i] = addr[i];
	dbg->arch.debugreg[7] = x86_dr7_encode(mask);
}

u32 x86_debugreg_fired_mask(u64 dr6, u32 mask)
{
	/*
	 * B0..B3 can be set for a condition whose L/G bits are clear (SDM 3B
	 * 18.2.3), so only armed slots count. The other DR6 bits (BD, BS,
	 * and the active-low ones KVM reports as 1, DR6_ACTIVE_LOW =
	 * 0xffff0ff0) say nothing about which slot fired.
	 */
	return (u32)(dr6 & X86_DR6_B_MASK) & mask & X86_DEBUGREG_SLOT_MASK;
}
