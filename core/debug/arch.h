/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an architecture backend may provide to the debugger (core/debug/):
 * hardware watchpoints, debug exits, guest page walks and register dumps.
 * Optional: an arch whose arch.mk does not set ARCH_HAS_DEBUG := y gets
 * core/debug/arch_none.c instead, where arch_debug_supported() is false and
 * every hook refuses with -ENOTSUP, and ktvm refuses --watch, --dump-mem and
 * state dumps on it with one clear message.
 *
 * The vCPU hooks issue vCPU ioctls: the caller is the vCPU's own thread, or
 * the vCPU is parked (core/vm/freeze.h), i.e. not in KVM_RUN.
 */
#ifndef KTVM_CORE_DEBUG_ARCH_H
#define KTVM_CORE_DEBUG_ARCH_H

#include <stdio.h>

#include "core/base/types.h"
#include "core/debug/gva.h"
#include "core/vm/arch.h"

struct vcpu;
struct vm;
struct kvm_run;
struct watch_hw;

/* Whether the hooks below are implemented. */
bool arch_debug_supported(void);
/*
 * How many hardware watchpoints this host gives the guest's debugger (at
 * most WATCH_SLOTS; arm64: KVM_CAP_GUEST_DEBUG_HW_WPS, the architecture
 * guarantees only 2). Slots at or above it cannot be armed.
 */
unsigned int arch_debug_slots(struct vm *vm);
/*
 * Program the debug hardware for hw (KVM_SET_GUEST_DEBUG), on the vCPU's
 * own thread: 0, or a negative errno with a host error set.
 */
int arch_vcpu_set_watch(struct vcpu *vcpu, const struct watch_hw *hw);
/*
 * A KVM_EXIT_DEBUG: 1 when a watched write has completed (the value is in
 * memory), with fired->mask the slots it hit (one store can cover several
 * watched words: x86 sets a DR6 B bit for each), fired->addr[] the
 * addresses those slots watched when they fired, and *pc set; 0 to run on
 * (an arch step in between, or a debug exception of the guest's own, given
 * back to it), or a negative errno with a host error set (an exit ktvm did
 * not ask for).
 */
int arch_vcpu_debug_exit(struct vcpu *vcpu, struct kvm_run *run, struct watch_hw *fired, u64 *pc);
/*
 * Translate a guest virtual address with vcpu's current page tables
 * (core/debug/gva.h). 0 or a negative errno.
 */
int arch_vcpu_gva_to_gpa(struct vcpu *vcpu, u64 gva, u64 *gpa);
/*
 * What another thread needs to read the guest kernel's memory while the
 * vCPUs run on (the monitor, core/run/monitor.h): a vCPU's translation
 * registers, valid for every kernel address because the kernel half of the
 * address space is the same on every CPU and in every process, and this
 * CPU's per-CPU offset (the kernel's __per_cpu_offset[cpu]: x86_64 its GS
 * base in kernel mode, arm64 TPIDR_EL1). Captured on the vCPU's thread or
 * while it is parked; the walk itself runs anywhere.
 */
struct arch_mmu {
	u64 reg[4];
	bool user; /* captured in user mode (x86: CR3 may be the user half of a PTI pair) */
};
int arch_vcpu_mmu(struct vcpu *vcpu, struct arch_mmu *m, u64 *percpu_offset);
/*
 * The kernel's own top-level table (x86_64 init_top_pgt, arm64
 * swapper_pg_dir): a capture may hold a process's tables, freed when it
 * exits, or under PTI/KPTI the user tables that map little of the kernel;
 * arch_mmu_kernel_root() makes m walk from the kernel's table at root_gpa
 * instead. NULL where the arch has no such symbol.
 */
const char *arch_kernel_pgd_symbol(void);
void arch_mmu_kernel_root(struct arch_mmu *m, u64 root_gpa);
/* Translate kernel address gva through m, reading the tables with r: 0 or -errno (gva.h). */
int arch_mmu_gva_to_gpa(const struct arch_mmu *m, u64 gva, const struct gva_reader *r, u64 *gpa);
/* Write vcpu's registers as one JSON object. */
void arch_vcpu_dump_regs(struct vcpu *vcpu, FILE *f);

#endif
