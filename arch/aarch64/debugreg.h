/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 hardware data watchpoints, as KVM_SET_GUEST_DEBUG takes them and
 * KVM_EXIT_DEBUG reports them (ARM DDI 0487: D2.10 "Watchpoint exceptions",
 * DBGWCR<n>_EL1, DBGWVR<n>_EL1, ESR_ELx).
 *
 * ktvm watches up to four 4-byte guest kernel variables for writes, one per
 * watchpoint register pair: slot i is DBGWVR<i>/DBGWCR<i>. A slot set is
 * addr[4] plus a mask (bit i = slot i armed; bits above 3 are ignored).
 * Addresses are guest virtual addresses, 4-byte aligned and nonzero: the
 * callers check that. The architecture guarantees only two watchpoints;
 * KVM_CHECK_EXTENSION(KVM_CAP_GUEST_DEBUG_HW_WPS) says how many the host
 * has, and a caller arms no slot at or above that number.
 *
 * Unlike x86, a watchpoint exception is taken before the store is done
 * (the instruction has not executed; ELR points at it). To see the new
 * value the vCPU disarms the slot, single-steps the store, re-arms it and
 * only then reports the hit: struct a64_stepover keeps that state.
 */
#ifndef KTVM_ARCH_AARCH64_DEBUGREG_H
#define KTVM_ARCH_AARCH64_DEBUGREG_H

#include "core/base/types.h"

struct kvm_guest_debug;

#define A64_DEBUGREG_SLOTS     4
#define A64_DEBUGREG_SLOT_MASK 0xfu

/* DBGWCR<n>_EL1 fields (ARM DDI 0487, DBGWCR<n>_EL1). */
#define A64_DBGWCR_E	       (1ULL << 0)
#define A64_DBGWCR_PAC(v)      ((u64)(v) << 1) /* bits 2:1 */
#define A64_DBGWCR_LSC(v)      ((u64)(v) << 3) /* bits 4:3 */
#define A64_DBGWCR_BAS(v)      ((u64)(v) << 5) /* bits 12:5 */
#define A64_DBGWCR_PAC_EL1_EL0 0x3	       /* with HMC = 0, SSC = 0b00 */
#define A64_DBGWCR_LSC_STORE   0x2

/* ESR_ELx.EC (bits 31:26) of the debug exceptions (ARM DDI 0487, ESR_ELx). */
#define A64_ESR_EC(esr)	       ((u32)(esr) >> 26)
#define A64_ESR_EC_BREAKPT_LOW 0x30
#define A64_ESR_EC_BREAKPT_CUR 0x31
#define A64_ESR_EC_SOFTSTP_LOW 0x32
#define A64_ESR_EC_SOFTSTP_CUR 0x33
#define A64_ESR_EC_WATCHPT_LOW 0x34
#define A64_ESR_EC_WATCHPT_CUR 0x35
#define A64_ESR_EC_BKPT32      0x38
#define A64_ESR_EC_BRK64       0x3c

/*
 * DBGWVR for a watch at addr: the doubleword holding it (BAS picks the
 * bytes within). Bits 63:3 are kept as given; see debugreg.c.
 */
u64 a64_dbgwvr(u64 addr);
/*
 * DBGWCR for a 4-byte store watch at addr: E = 1, PAC = 0b11 (EL1 and
 * EL0), LSC = 0b10 (stores), BAS = 0xf << (addr & 4); HMC, SSC, LBN, WT
 * and MASK 0. 0x1f7 for addr % 8 == 0, 0x1e17 for addr % 8 == 4.
 */
u64 a64_dbgwcr(u64 addr);

/*
 * Fill *dbg for KVM_SET_GUEST_DEBUG: dbg_wvr[i]/dbg_wcr[i] for the armed
 * slots, zero for the rest; control = ENABLE | USE_HW when a slot is armed
 * or single_step, plus SINGLESTEP for single_step. With neither, *dbg is
 * all zero: control 0 turns guest debugging off.
 */
void a64_debugreg_build(struct kvm_guest_debug *dbg, const u64 addr[4], u32 mask, bool single_step);

enum a64_debug_event {
	A64_DEBUG_OTHER,
	A64_DEBUG_WATCH, /* watchpoint: EC 0x34, 0x35 */
	A64_DEBUG_STEP,	 /* software step: EC 0x32, 0x33 */
	A64_DEBUG_HWBP,	 /* hardware breakpoint: EC 0x30, 0x31 */
	A64_DEBUG_BRK,	 /* BRK (EC 0x3c) or AArch32 BKPT (EC 0x38) */
};

/*
 * What a KVM_EXIT_DEBUG reports, from run->debug.arch.hsr (ESR_EL2[31:0]).
 * KVM exits only for the lower-EL classes and BRK/BKPT; the current-EL
 * ones are classified alike.
 */
enum a64_debug_event a64_debug_classify(u32 hsr);

/*
 * The armed slot a watchpoint exit with run->debug.arch.far was for, or -1.
 * FAR need not be the watched address: in order, the armed slot whose 4
 * bytes contain far; the armed slot in far's doubleword; the only armed
 * slot; else -1 (see debugreg.c).
 */
int a64_debug_watch_slot(const u64 addr[4], u32 mask, u64 far);

/*
 * Step-over state of one vCPU. The slots to program are
 * a64_stepover_hw_mask(), with KVM_GUESTDBG_SINGLESTEP while
 * a64_stepover_stepping():
 *
 *   watch exit on slot s   a64_stepover_on_watch(s): s is left out, step
 *                          on (the other slots stay armed)
 *   watch exit again       the same store also covers another watched word
 *   (same instruction)     (an STP over two, an 8-byte store over both
 *                          halves): that slot is left out too
 *   step exit              a64_stepover_on_step() returns the slots left
 *                          out: report a hit for each; they are programmed
 *                          again if still wanted
 *
 * So one store is reported once per slot it wrote to, as x86 reports
 * every DR6 B bit, and the step ends after at most four watch exits.
 */
struct a64_stepover {
	u32 mask_armed; /* what the user wants armed */
	u32 pending;	/* the slots being stepped over */
};

void a64_stepover_init(struct a64_stepover *s, u32 mask);
/* The user changed the armed set; a step in progress goes on. */
void a64_stepover_set_mask(struct a64_stepover *s, u32 mask);
/* The slots to program: the wanted ones but those being stepped over. */
u32 a64_stepover_hw_mask(const struct a64_stepover *s);
/* Whether to single-step (KVM_GUESTDBG_SINGLESTEP). */
bool a64_stepover_stepping(const struct a64_stepover *s);
/*
 * A watchpoint exit for slot: leave it out and step. 0, -EBUSY if that
 * slot is already being stepped over (state unchanged), -EINVAL if slot is
 * not 0..3.
 */
int a64_stepover_on_watch(struct a64_stepover *s, int slot);
/*
 * A step exit: the slots whose store has now completed (reported even if
 * the user disarmed them during the step), 0 for a step exit with no
 * step-over in progress.
 */
u32 a64_stepover_on_step(struct a64_stepover *s);

/*
 * Taking a synchronous exception to EL1 by hand (ARM DDI 0487, D1.10 and
 * the vector table offsets of VBAR_EL1): for a BRK the guest executed
 * (its BUG/WARN, kprobes), which KVM hands to us while we debug it. From
 * PSTATE pstate, the vector is VBAR_EL1 plus 0x000 (EL1 with SP_EL0),
 * 0x200 (EL1 with SP_EL1) or 0x400 (from AArch64 EL0); the new PSTATE is
 * EL1h with D, A, I and F masked. -EINVAL for a PSTATE outside EL0/EL1
 * AArch64 (not a guest kernel state we can enter from).
 */
#define A64_PSTATE_EL1H_MASKED 0x3c5ULL
int a64_exception_vector(u64 pstate, u64 vbar, u64 *pc);

#endif
