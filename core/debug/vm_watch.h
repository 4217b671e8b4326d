/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM's watchpoints (core/debug/watch.h) and what a hit does: every vCPU
 * programs the published slots on its own thread (VCPU_REQ_WATCH); a
 * KVM_EXIT_DEBUG that the arch reports as a completed hit is recorded with
 * the value now in guest memory, and, by the slot's action, the VM is
 * frozen (core/vm/freeze.h) and dumped (core/debug/dump.h), then resumed or stopped.
 */
#ifndef KTVM_CORE_VM_WATCH_H
#define KTVM_CORE_VM_WATCH_H

#include <stddef.h>

#include "core/base/types.h"
#include "core/debug/watch.h"

struct vm;
struct vcpu;
struct kvm_run;

/*
 * Arm slot at guest virtual address gva (0: disarm) and ask every vCPU to
 * re-program. 0, or a negative errno with an input error set.
 */
int vm_watch_set(struct vm *vm, u32 slot, u64 gva, enum watch_action action, const char *name);
/*
 * Wait up to timeout_ms until every running vCPU programmed the published
 * slots: 0, or -ETIMEDOUT.
 */
int vm_watch_wait_armed(struct vm *vm, u64 timeout_ms);
/* VCPU_REQ_WATCH, on the vCPU's thread: 0, or <0 when the VM was stopped. */
int vm_watch_apply(struct vcpu *vcpu);
/* KVM_EXIT_DEBUG: 0 to run on, 1 when this vCPU must stop. */
int vm_watch_debug_exit(struct vcpu *vcpu, struct kvm_run *run);
/*
 * The run is ending because the guest failed (tag "timeout": it did not
 * finish in time; "panic": it panicked and did not reboot): with a dump
 * directory, freeze every vCPU where it is and write a dump, so a hung or
 * crashed guest can be looked at as it was. The vCPUs stay parked: the
 * caller ends the run. Called from the thread that waits on the run.
 */
void vm_watch_end_dump(struct vm *vm, const char *tag);
/*
 * Read len bytes of guest virtual memory through vcpu's page tables (one
 * page at a time): 0, or a negative errno (-EFAULT: not mapped or not RAM).
 */
int vm_read_gva(struct vcpu *vcpu, u64 gva, void *buf, size_t len);

#endif
