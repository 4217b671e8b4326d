/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debugger (core/debug/debug.h) in the KVM tier: only the cases that
 * test it (watchpoints, the timeout dump) include this and link
 * libktvm.a; the runtime's cases link libktvm-vm.a, which has no debugger.
 */
#ifndef KTVM_TESTS_KVM_KVM_DEBUG_H
#define KTVM_TESTS_KVM_KVM_DEBUG_H

#include "core/base/error.h"
#include "core/debug/debug.h"
#include "tests/kvm/kvm.h"

/* Attach a debugger to vm, dumps in test_tmpdir(), or fail the case. */
static inline struct vm_debug *kvm_debug(struct vm *vm)
{
	const struct debug_config dc = {.dump_dir = test_tmpdir()};
	struct vm_debug *d = NULL;

	if (debug_attach(&d, vm, &dc) < 0) {
		test_fail_at(__FILE__, __LINE__, "debug_attach: %s", error_msg());
		test_stop();
	}
	return d;
}

/* debug_detach() and vm_destroy(). */
static inline void kvm_destroy_debug(struct vm *vm)
{
	debug_detach(vm->debug);
	vm_destroy(vm);
}

#endif
