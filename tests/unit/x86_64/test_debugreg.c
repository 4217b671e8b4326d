// SPDX-License-Identifier: GPL-2.0
/*
 * x86 data watchpoints (arch/x86_64/debugreg.c): DR7 values built here bit
 * by bit from the SDM 3B 18.2.4 layout, the KVM_SET_GUEST_DEBUG argument,
 * and DR6 decoding with the bits KVM reports as 1 (DR6_ACTIVE_LOW).
 */
#include <string.h>

#include <linux/kvm.h>

#include "arch/x86_64/debugreg.h"
#include "tests/test.h"

/* The reserved-1 and active-low DR6 bits KVM ORs into run->debug.arch.dr6. */
#define DR6_ACTIVE_LOW 0xffff0ff0ULL
#define DR6_BS	       (1ULL << 14)

static const u64 addrs[4] = {
    0xffffffff82001000ULL,
    0xffffffff82001004ULL,
    0xffffffff82002008ULL,
    0xffff888000100ffcULL,
};

/* DR7 for one armed slot i: L, G, R/W = 01, LEN = 11. */
static u64 slot_bits(u32 i)
{
	u64 v = 0;

	v |= 1ULL << (2 * i);	   /* L_i */
	v |= 1ULL << (2 * i + 1);  /* G_i */
	v |= 1ULL << (16 + 4 * i); /* R/W_i bit 0 */
	v |= 0ULL << (17 + 4 * i); /* R/W_i bit 1 */
	v |= 1ULL << (18 + 4 * i); /* LEN_i bit 0 */
	v |= 1ULL << (19 + 4 * i); /* LEN_i bit 1 */
	return v;
}

#define DR7_LE_GE (1ULL << 8 | 1ULL << 9)
#define DR7_BIT10 (1ULL << 10)

TEST(dr7_mask_0)
{
	EXPECT_EQ(x86_dr7_encode(0), 0x400);
	EXPECT_EQ(x86_dr7_encode(0), DR7_BIT10);
}

TEST(dr7_slot_0)
{
	u64 want = DR7_BIT10 | DR7_LE_GE | slot_bits(0);

	EXPECT_EQ(want, 0xd0703);
	EXPECT_EQ(x86_dr7_encode(1u << 0), want);
}

TEST(dr7_slot_3)
{
	u64 want = DR7_BIT10 | DR7_LE_GE | slot_bits(3);

	EXPECT_EQ(want, 0xd00007c0);
	EXPECT_EQ(x86_dr7_encode(1u << 3), want);
}

TEST(dr7_all_slots)
{
	u64 want = DR7_BIT10 | DR7_LE_GE;

	for (u32 i = 0; i < 4; i++)
		want |= slot_bits(i);
	EXPECT_EQ(want, 0xdddd07ff);
	EXPECT_EQ(x86_dr7_encode(0xf), want);
	/* Nothing above bit 31: a VM entry with DR7[63:32] != 0 fails. */
	EXPECT_EQ(x86_dr7_encode(0xf) >> 32, 0);
}

TEST(dr7_ignores_high_mask_bits)
{
	EXPECT_EQ(x86_dr7_encode(0xf0), 0x400);
	EXPECT_EQ(x86_dr7_encode(0x12), x86_dr7_encode(0x2));
}

TEST(build_two_slots)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0xa5, sizeof(dbg));
	x86_debugreg_build(&dbg, addrs, 1u << 1 | 1u << 2);
	EXPECT_EQ(dbg.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP);
	EXPECT_EQ(dbg.pad, 0);
	EXPECT_EQ(dbg.arch.debugreg[0], 0);
	EXPECT_EQ(dbg.arch.debugreg[1], addrs[1]);
	EXPECT_EQ(dbg.arch.debugreg[2], addrs[2]);
	EXPECT_EQ(dbg.arch.debugreg[3], 0);
	EXPECT_EQ(dbg.arch.debugreg[4], 0);
	EXPECT_EQ(dbg.arch.debugreg[5], 0);
	EXPECT_EQ(dbg.arch.debugreg[6], 0);
	EXPECT_EQ(dbg.arch.debugreg[7], DR7_BIT10 | DR7_LE_GE | slot_bits(1) | slot_bits(2));
}

TEST(build_all_slots)
{
	struct kvm_guest_debug dbg;

	x86_debugreg_build(&dbg, addrs, 0xf);
	EXPECT_EQ(dbg.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP);
	for (u32 i = 0; i < 4; i++)
		EXPECT_EQ(dbg.arch.debugreg[i], addrs[i]);
	EXPECT_EQ(dbg.arch.debugreg[7], 0xdddd07ff);
}

TEST(build_mask_0_disables)
{
	struct kvm_guest_debug dbg, zero;

	memset(&dbg, 0xa5, sizeof(dbg));
	memset(&zero, 0, sizeof(zero));
	x86_debugreg_build(&dbg, addrs, 0);
	EXPECT_EQ(dbg.control, 0);
	EXPECT_EQ(memcmp(&dbg, &zero, sizeof(dbg)), 0);
}

TEST(dr6_slot_0)
{
	EXPECT_EQ(x86_debugreg_fired_mask(0xffff0ff1ULL, 0xf), 1u << 0);
}

TEST(dr6_slot_2)
{
	EXPECT_EQ(x86_debugreg_fired_mask(0xffff0ff4ULL, 0xf), 1u << 2);
	EXPECT_EQ(x86_debugreg_fired_mask(0xffff0ff4ULL, 1u << 2), 1u << 2);
}

TEST(dr6_single_step_only)
{
	EXPECT_EQ(x86_debugreg_fired_mask(DR6_ACTIVE_LOW | DR6_BS, 0xf), 0u);
	EXPECT_EQ(x86_debugreg_fired_mask(DR6_ACTIVE_LOW, 0xf), 0u);
}

TEST(dr6_unarmed_slot)
{
	/* B1 set, but only slots 0 and 2 are armed. */
	EXPECT_EQ(x86_debugreg_fired_mask(DR6_ACTIVE_LOW | 1u << 1, 1u << 0 | 1u << 2), 0u);
	EXPECT_EQ(x86_debugreg_fired_mask(DR6_ACTIVE_LOW | 1u << 1, 0), 0u);
}

TEST(dr6_several_hits)
{
	u64 dr6 = DR6_ACTIVE_LOW | 1u << 1 | 1u << 3;

	EXPECT_EQ(x86_debugreg_fired_mask(dr6, 0xf), 1u << 1 | 1u << 3);
	/* An unarmed slot's B bit is dropped from the set. */
	EXPECT_EQ(x86_debugreg_fired_mask(dr6, 1u << 3), 1u << 3);
	EXPECT_EQ(x86_debugreg_fired_mask(dr6, 1u << 1 | 1u << 2), 1u << 1);
}
