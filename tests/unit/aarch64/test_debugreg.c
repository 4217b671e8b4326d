// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 data watchpoints (arch/aarch64/debugreg.c): DBGWCR/DBGWVR values
 * built here field by field from ARM DDI 0487, the KVM_SET_GUEST_DEBUG
 * argument, ESR classes of KVM_EXIT_DEBUG, which slot a FAR names, and the
 * step-over state machine.
 */
#include <errno.h>
#include <string.h>

#include <linux/kvm.h>

#include "arch/aarch64/debugreg.h"
#include "tests/test.h"

static const u64 addrs[4] = {
    0xffff800081002000ULL, /* addr % 8 == 0 */
    0xffff800081002004ULL, /* same doubleword, upper word */
    0xffff80008100300cULL,
    0xffff000000400010ULL,
};

/* DBGWCR written out: E, PAC[2:1], LSC[4:3], BAS[12:5]; the rest 0. */
static u64 wcr(u64 e, u64 pac, u64 lsc, u64 bas)
{
	return e << 0 | pac << 1 | lsc << 3 | bas << 5;
}

/* ESR: EC[31:26], IL[25] (32-bit instruction), ISS[24:0]. */
static u32 esr(u32 ec, u32 iss)
{
	return ec << 26 | 1u << 25 | iss;
}

TEST(dbgwcr_low_word)
{
	u64 want = wcr(1, 0x3, 0x2, 0x0f);

	EXPECT_EQ(want, 0x1f7);
	EXPECT_EQ(a64_dbgwcr(0xffff800081002000ULL), want);
	EXPECT_EQ(a64_dbgwcr(0x1008), want);
}

TEST(dbgwcr_high_word)
{
	u64 want = wcr(1, 0x3, 0x2, 0xf0);

	EXPECT_EQ(want, 0x1e17);
	EXPECT_EQ(a64_dbgwcr(0xffff800081002004ULL), want);
	EXPECT_EQ(a64_dbgwcr(0x100c), want);
}

TEST(dbgwcr_other_fields_zero)
{
	/* HMC[13], SSC[15:14], LBN[19:16], WT[20], MASK[28:24] and up: 0. */
	EXPECT_EQ(a64_dbgwcr(0xffff800081002004ULL) & ~0x1fffULL, 0);
	EXPECT_EQ(a64_dbgwcr(0xffff800081002000ULL) & ~0x1fffULL, 0);
}

TEST(dbgwvr_doubleword)
{
	EXPECT_EQ(a64_dbgwvr(0xffff800081002000ULL), 0xffff800081002000ULL);
	EXPECT_EQ(a64_dbgwvr(0xffff800081002004ULL), 0xffff800081002000ULL);
	EXPECT_EQ(a64_dbgwvr(0x400004ULL), 0x400000ULL);
	/* The sign-extended top of a kernel address is kept. */
	EXPECT_EQ(a64_dbgwvr(0xfff0000000000004ULL), 0xfff0000000000000ULL);
}

TEST(build_watch_only)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0xa5, sizeof(dbg));
	a64_debugreg_build(&dbg, addrs, 1u << 1 | 1u << 3, false);
	EXPECT_EQ(dbg.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW);
	EXPECT_EQ(KVM_GUESTDBG_USE_HW, 1u << 17);
	EXPECT_EQ(dbg.pad, 0);
	EXPECT_EQ(dbg.arch.dbg_wvr[0], 0);
	EXPECT_EQ(dbg.arch.dbg_wcr[0], 0);
	EXPECT_EQ(dbg.arch.dbg_wvr[1], 0xffff800081002000ULL);
	EXPECT_EQ(dbg.arch.dbg_wcr[1], 0x1e17);
	EXPECT_EQ(dbg.arch.dbg_wvr[2], 0);
	EXPECT_EQ(dbg.arch.dbg_wcr[2], 0);
	EXPECT_EQ(dbg.arch.dbg_wvr[3], 0xffff000000400010ULL);
	EXPECT_EQ(dbg.arch.dbg_wcr[3], 0x1f7);
	for (u32 i = 4; i < KVM_ARM_MAX_DBG_REGS; i++) {
		EXPECT_EQ(dbg.arch.dbg_wvr[i], 0);
		EXPECT_EQ(dbg.arch.dbg_wcr[i], 0);
	}
	for (u32 i = 0; i < KVM_ARM_MAX_DBG_REGS; i++) {
		EXPECT_EQ(dbg.arch.dbg_bvr[i], 0);
		EXPECT_EQ(dbg.arch.dbg_bcr[i], 0);
	}
}

TEST(build_watch_and_step)
{
	struct kvm_guest_debug dbg;

	a64_debugreg_build(&dbg, addrs, 0xf, true);
	EXPECT_EQ(dbg.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW | KVM_GUESTDBG_SINGLESTEP);
	for (u32 i = 0; i < 4; i++) {
		EXPECT_EQ(dbg.arch.dbg_wvr[i], addrs[i] & ~7ULL);
		EXPECT_EQ(dbg.arch.dbg_wcr[i], a64_dbgwcr(addrs[i]));
	}
	EXPECT_EQ(dbg.arch.dbg_wcr[2], 0x1e17);
}

TEST(build_step_only)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0xa5, sizeof(dbg));
	a64_debugreg_build(&dbg, addrs, 0, true);
	EXPECT_EQ(dbg.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW | KVM_GUESTDBG_SINGLESTEP);
	for (u32 i = 0; i < KVM_ARM_MAX_DBG_REGS; i++) {
		EXPECT_EQ(dbg.arch.dbg_wvr[i], 0);
		EXPECT_EQ(dbg.arch.dbg_wcr[i], 0);
	}
}

TEST(build_nothing_disables)
{
	struct kvm_guest_debug dbg, zero;

	memset(&dbg, 0xa5, sizeof(dbg));
	memset(&zero, 0, sizeof(zero));
	a64_debugreg_build(&dbg, addrs, 0, false);
	EXPECT_EQ(dbg.control, 0);
	EXPECT_EQ(memcmp(&dbg, &zero, sizeof(dbg)), 0);
	/* Mask bits above slot 3 arm nothing. */
	a64_debugreg_build(&dbg, addrs, 0xf0, false);
	EXPECT_EQ(memcmp(&dbg, &zero, sizeof(dbg)), 0);
}

TEST(classify_each_ec)
{
	/* Watchpoint ISS: WnR[6] = 1 (a write), DFSC[5:0] = 0b100010 (debug). */
	EXPECT_EQ(a64_debug_classify(esr(0x34, 1u << 6 | 0x22)), A64_DEBUG_WATCH);
	EXPECT_EQ(esr(0x34, 1u << 6 | 0x22), 0xd2000062);
	EXPECT_EQ(a64_debug_classify(esr(0x35, 1u << 6 | 0x22)), A64_DEBUG_WATCH);
	/* Software step ISS: ISV[24], EX[6]. */
	EXPECT_EQ(a64_debug_classify(esr(0x32, 1u << 24)), A64_DEBUG_STEP);
	EXPECT_EQ(a64_debug_classify(esr(0x33, 0)), A64_DEBUG_STEP);
	/* Breakpoint ISS: IFSC[5:0] = 0b100010. */
	EXPECT_EQ(a64_debug_classify(esr(0x30, 0x22)), A64_DEBUG_HWBP);
	EXPECT_EQ(a64_debug_classify(esr(0x31, 0x22)), A64_DEBUG_HWBP);
	/* BRK #imm16: ISS[15:0] = imm16. */
	EXPECT_EQ(a64_debug_classify(esr(0x3c, 0x800)), A64_DEBUG_BRK);
	EXPECT_EQ(a64_debug_classify(esr(0x38, 0)), A64_DEBUG_BRK);
}

TEST(classify_other)
{
	EXPECT_EQ(a64_debug_classify(0), A64_DEBUG_OTHER);
	EXPECT_EQ(a64_debug_classify(esr(0x24, 0x40)), A64_DEBUG_OTHER); /* data abort */
	EXPECT_EQ(a64_debug_classify(esr(0x16, 0)), A64_DEBUG_OTHER);	 /* HVC */
	EXPECT_EQ(a64_debug_classify(esr(0x3a, 0)), A64_DEBUG_OTHER);	 /* AArch32 vector catch */
	EXPECT_EQ(a64_debug_classify(esr(0x36, 0)), A64_DEBUG_OTHER);
}

TEST(watch_slot_exact)
{
	EXPECT_EQ(a64_debug_watch_slot(addrs, 0xf, addrs[0]), 0);
	EXPECT_EQ(a64_debug_watch_slot(addrs, 0xf, addrs[0] + 3), 0);
	EXPECT_EQ(a64_debug_watch_slot(addrs, 0xf, addrs[1]), 1);
	EXPECT_EQ(a64_debug_watch_slot(addrs, 0xf, addrs[1] + 2), 1);
	EXPECT_EQ(a64_debug_watch_slot(addrs, 0xf, addrs[2] + 1), 2);
	EXPECT_EQ(a64_debug_watch_slot(addrs, 0xf, addrs[3]), 3);
	/* Slots 0 and 1 share a doubleword: with 0 unarmed, its bytes are not 1's. */
	EXPECT_EQ(a64_debug_watch_slot(addrs, 1u << 1 | 1u << 2, addrs[1]), 1);
}

TEST(watch_slot_same_doubleword)
{
	/* An 8-byte store to 0x...3008 hits slot 2 (0x...300c) with FAR below it. */
	EXPECT_EQ(a64_debug_watch_slot(addrs, 0xf, 0xffff800081003008ULL), 2);
	EXPECT_EQ(a64_debug_watch_slot(addrs, 0xf, 0xffff800081003009ULL), 2);
	/* Slot 0's doubleword, slot 0 unarmed: slot 1 is the one there. */
	EXPECT_EQ(a64_debug_watch_slot(addrs, 1u << 1 | 1u << 3, addrs[0]), 1);
}

TEST(watch_slot_only_one_armed)
{
	/* A 16-byte STP (or DC ZVA) reports FAR outside the doubleword. */
	EXPECT_EQ(a64_debug_watch_slot(addrs, 1u << 2, 0xffff800081003000ULL), 2);
	EXPECT_EQ(a64_debug_watch_slot(addrs, 1u << 3, 0x1234), 3);
}

TEST(watch_slot_ambiguous)
{
	EXPECT_EQ(a64_debug_watch_slot(addrs, 1u << 2 | 1u << 3, 0xffff800081003000ULL), -1);
	EXPECT_EQ(a64_debug_watch_slot(addrs, 0, addrs[0]), -1);
	/* The address of an unarmed slot, with others armed. */
	EXPECT_EQ(a64_debug_watch_slot(addrs, 1u << 0 | 1u << 1, addrs[3]), -1);
}

TEST(stepover_hit_step_report)
{
	struct a64_stepover s;

	a64_stepover_init(&s, 1u << 0 | 1u << 2);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 1u << 0 | 1u << 2);
	EXPECT_FALSE(a64_stepover_stepping(&s));

	ASSERT_EQ(a64_stepover_on_watch(&s, 2), 0);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 1u << 0); /* the stepped slot is out */
	EXPECT_TRUE(a64_stepover_stepping(&s));

	EXPECT_EQ(a64_stepover_on_step(&s), 1u << 2);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 1u << 0 | 1u << 2);
	EXPECT_FALSE(a64_stepover_stepping(&s));
}

TEST(stepover_user_disarms_during_step)
{
	struct a64_stepover s;

	a64_stepover_init(&s, 1u << 1 | 1u << 3);
	ASSERT_EQ(a64_stepover_on_watch(&s, 1), 0);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 1u << 3);

	/* Slot 1 is dropped and slot 0 added while the step is on. */
	a64_stepover_set_mask(&s, 1u << 0 | 1u << 3);
	EXPECT_TRUE(a64_stepover_stepping(&s));
	EXPECT_EQ(a64_stepover_hw_mask(&s), 1u << 0 | 1u << 3);

	/* The hit still completes and is reported; slot 1 is not re-armed. */
	EXPECT_EQ(a64_stepover_on_step(&s), 1u << 1);
	EXPECT_FALSE(a64_stepover_stepping(&s));
	EXPECT_EQ(a64_stepover_hw_mask(&s), 1u << 0 | 1u << 3);
}

TEST(stepover_user_rearms_pending_slot)
{
	struct a64_stepover s;

	a64_stepover_init(&s, 1u << 1);
	ASSERT_EQ(a64_stepover_on_watch(&s, 1), 0);
	a64_stepover_set_mask(&s, 0);
	a64_stepover_set_mask(&s, 1u << 1);
	/* Still out of the hardware until the step is done. */
	EXPECT_EQ(a64_stepover_hw_mask(&s), 0);
	EXPECT_EQ(a64_stepover_on_step(&s), 1u << 1);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 1u << 1);
}

TEST(stepover_stray_step)
{
	struct a64_stepover s;

	a64_stepover_init(&s, 0xf);
	EXPECT_EQ(a64_stepover_on_step(&s), 0);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 0xf);
	EXPECT_FALSE(a64_stepover_stepping(&s));

	ASSERT_EQ(a64_stepover_on_watch(&s, 0), 0);
	EXPECT_EQ(a64_stepover_on_step(&s), 1u << 0);
	/* A second step exit for the same hit is stray. */
	EXPECT_EQ(a64_stepover_on_step(&s), 0);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 0xf);
}

/* One store over two watched words (an STP, an 8-byte store over both halves). */
TEST(stepover_store_hits_two_slots)
{
	struct a64_stepover s;

	a64_stepover_init(&s, 0xf);
	ASSERT_EQ(a64_stepover_on_watch(&s, 0), 0);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 0xeu);
	/* The step traps again on the same store, for slot 3. */
	ASSERT_EQ(a64_stepover_on_watch(&s, 3), 0);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 1u << 1 | 1u << 2);
	EXPECT_TRUE(a64_stepover_stepping(&s));
	/* A slot already stepped over cannot fire again: refused, state kept. */
	EXPECT_EQ(a64_stepover_on_watch(&s, 0), -EBUSY);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 1u << 1 | 1u << 2);
	EXPECT_EQ(a64_stepover_on_step(&s), 1u << 0 | 1u << 3);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 0xf);
	EXPECT_FALSE(a64_stepover_stepping(&s));
}

/* Four slots on one store: the fourth watch exit leaves none armed, so the step ends. */
TEST(stepover_all_slots_bounded)
{
	struct a64_stepover s;

	a64_stepover_init(&s, 0xf);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(a64_stepover_on_watch(&s, i), 0);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 0);
	EXPECT_EQ(a64_stepover_on_step(&s), 0xfu);
}

TEST(stepover_bad_slot)
{
	struct a64_stepover s;

	a64_stepover_init(&s, 0xff);
	EXPECT_EQ(a64_stepover_hw_mask(&s), 0xf);
	EXPECT_EQ(a64_stepover_on_watch(&s, -1), -EINVAL);
	EXPECT_EQ(a64_stepover_on_watch(&s, 4), -EINVAL);
	EXPECT_FALSE(a64_stepover_stepping(&s));
}

TEST(exception_vector_offsets)
{
	u64 pc = 0;

	EXPECT_EQ(a64_exception_vector(0x3c5, 0xffff800080010800ULL, &pc), 0); /* EL1h */
	EXPECT_EQ(pc, 0xffff800080010a00ULL);
	EXPECT_EQ(a64_exception_vector(0x3c4, 0x1000, &pc), 0); /* EL1t */
	EXPECT_EQ(pc, 0x1000);
	EXPECT_EQ(a64_exception_vector(0x0, 0x1000, &pc), 0); /* EL0t */
	EXPECT_EQ(pc, 0x1400);
	EXPECT_EQ(a64_exception_vector(0x10, 0x1000, &pc), -EINVAL); /* AArch32 */
	EXPECT_EQ(a64_exception_vector(0x9, 0x1000, &pc), -EINVAL);  /* EL2h */
}
