/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 hardware data watchpoints, as KVM_SET_GUEST_DEBUG takes them and
 * KVM_EXIT_DEBUG reports them (Intel SDM Vol 3B 18.2, Debug Registers).
 *
 * ktvm watches up to four 4-byte guest kernel variables for writes, one per
 * debug address register: slot i is DR<i>. A slot set is addr[4] plus a
 * mask (bit i = slot i armed; bits above 3 are ignored). Addresses are
 * guest linear addresses, 4-byte aligned and nonzero: the callers check
 * that (a 4-byte breakpoint must be 4-byte aligned, SDM 18.2.5).
 *
 * A data breakpoint is trap-like: the #DB comes after the writing
 * instruction has completed (SDM 18.3.1.2), so at the KVM_EXIT_DEBUG the
 * new value is already in memory and the vCPU can simply be resumed.
 */
#ifndef KTVM_ARCH_X86_64_DEBUGREG_H
#define KTVM_ARCH_X86_64_DEBUGREG_H

#include "core/base/types.h"

struct kvm_guest_debug;

#define X86_DEBUGREG_SLOTS     4
#define X86_DEBUGREG_SLOT_MASK 0xfu

/* DR7 fields (SDM 3B 18.2.4, Figure 18-1). */
#define X86_DR7_L(i)	  (1ULL << (2 * (i)))
#define X86_DR7_G(i)	  (1ULL << (2 * (i) + 1))
#define X86_DR7_LE	  (1ULL << 8)
#define X86_DR7_GE	  (1ULL << 9)
#define X86_DR7_FIXED_1	  (1ULL << 10) /* reserved, reads as 1 */
#define X86_DR7_RW(i, v)  ((u64)(v) << (16 + 4 * (i)))
#define X86_DR7_LEN(i, v) ((u64)(v) << (18 + 4 * (i)))
#define X86_DR7_RW_WRITE  0x1 /* break on data writes only */
#define X86_DR7_LEN_4	  0x3 /* 4 bytes */

/* DR6 B0..B3: breakpoint condition i was met (SDM 3B 18.2.3). */
#define X86_DR6_B_MASK 0xfULL

/*
 * DR7 for the armed slots: L_i and G_i, R/W_i = 01 (writes), LEN_i = 11
 * (4 bytes); LE and GE when any slot is armed. Bit 10 is always set, so
 * mask 0 gives 0x400, DR7's value at reset.
 */
u64 x86_dr7_encode(u32 mask);

/*
 * Fill *dbg for KVM_SET_GUEST_DEBUG: DR0..3 = the armed slots' addresses
 * (0 for the others), DR7 = x86_dr7_encode(mask), control = ENABLE |
 * USE_HW_BP. mask 0 gives an all-zero *dbg: control 0 turns guest
 * debugging off, and KVM then gives the guest back its own DR0..3 and DR7.
 */
void x86_debugreg_build(struct kvm_guest_debug *dbg, const u64 addr[4], u32 mask);

/*
 * The armed slots whose B bit is set in dr6 (run->debug.arch.dr6 of a
 * KVM_EXIT_DEBUG). One write can meet several conditions at once and set
 * several B bits.
 */
u32 x86_debugreg_fired_mask(u64 dr6, u32 mask);

#endif
