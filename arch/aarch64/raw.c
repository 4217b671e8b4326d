// SPDX-License-Identifier: GPL-2.0
/*
 * Raw boot for aarch64 (core/vm/arch.h arch_boot_raw()): a few hundred bytes
 * of test code at the start of RAM, entered in EL1h with the MMU off (so
 * guest-virtual addresses are physical ones) on every vCPU at once (vcpu.c
 * does not power the secondaries off). No device tree: the GIC, UARTs and
 * PSCI (SYSTEM_OFF to power off) are there all the same.
 */
#include <errno.h>
#include <string.h>

#include "arch/aarch64/layout.h"
#include "core/base/error.h"
#include "core/vm/arch.h"
#include "core/vm/vm.h"

/* The code, its data page and stacks all lie in [gpa, gpa + 128 KiB). */
#define A64_RAW_MAX 0x10000ULL

u64 arch_raw_gpa(void)
{
	return A64_RAM_BASE;
}

int arch_boot_raw(struct vm *vm)
{
	u8 *dst;

	if (!vm->cfg.raw_len || vm->cfg.raw_len > A64_RAW_MAX)
		return error_input(-EINVAL, "raw guest code: %zu bytes, must be 1 to %llu",
				   vm->cfg.raw_len, A64_RAW_MAX);
	dst = vm_gpa(vm, A64_RAM_BASE, A64_RAW_MAX);
	if (!dst)
		return error_input(-EFBIG, "raw guest code: no RAM at 0x%llx", A64_RAM_BASE);
	memcpy(dst, vm->cfg.raw, vm->cfg.raw_len);
	vm->arch.entry = A64_RAM_BASE;
	vm->arch.fdt_gpa = 0;
	return 0;
}
