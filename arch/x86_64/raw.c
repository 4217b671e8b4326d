// SPDX-License-Identifier: GPL-2.0
/*
 * Raw boot for x86_64 (core/vm/arch.h arch_boot_raw()): a few hundred bytes
 * of test code at 1 MiB, entered in 64-bit mode on the same GDT and
 * identity page tables as the 64-bit boot protocol (vcpu.c), so a watchpoint
 * address is both the guest-virtual and the guest-physical one and
 * arch_vcpu_gva_to_gpa() walks real page tables. No firmware tables: the
 * platform devices (serial, CMOS, ACPI PM1 for the S5 power-off) are there.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86_64/layout.h"
#include "core/base/error.h"
#include "core/vm/arch.h"
#include "core/vm/vm.h"

/* The code, its data page and the vCPUs' stacks all lie in [gpa, gpa + 128 KiB). */
#define X86_RAW_MAX 0x10000ULL

u64 arch_raw_gpa(void)
{
	return X86_KERNEL_ADDR;
}

int arch_boot_raw(struct vm *vm)
{
	u8 *dst;

	if (!vm->cfg.raw_len || vm->cfg.raw_len > X86_RAW_MAX)
		return error_input(-EINVAL, "raw guest code: %zu bytes, must be 1 to %llu",
				   vm->cfg.raw_len, X86_RAW_MAX);
	dst = vm_gpa(vm, X86_KERNEL_ADDR, X86_RAW_MAX);
	if (!dst)
		return error_input(-EFBIG, "raw guest code: no RAM at 0x%llx", X86_KERNEL_ADDR);
	memcpy(dst, vm->cfg.raw, vm->cfg.raw_len);
	vm->arch.entry = X86_ENTRY_BZIMAGE_64;
	vm->arch.entry_addr = X86_KERNEL_ADDR;
	vm->arch.boot_info_gpa = 0;
	return 0;
}
