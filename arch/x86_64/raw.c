// SPDX-License-Identifier: GPL-2.0
/*
 * Raw boot for x86_64 (core/vm/arch.h arch_boot_raw()): a few hundred bytes
 * of test code at 1 MiB, entered in 64-bit mode on the same GDT and
 * identity page tables as the 64-bit boot protocol (vcpu.c), so a watchpoint
 * address is both the guest-virtual and the guest-physical one and
 * arch_vcpu_gva_to_gpa() walks real page tables. No firmware tables: the
 * platform devices (serial, CMOS, ACPI PM1 for the S5 power-off) are there.
 */
#include "arch/x86_64/layout.h"
#include "core/vm/arch.h"
#include "core/vm/vm.h"

u64 arch_raw_gpa(void)
{
	return X86_KERNEL_ADDR;
}

int arch_boot_raw(struct vm *vm)
{
	vm->arch.entry = X86_ENTRY_BZIMAGE_64;
	vm->arch.entry_addr = X86_KERNEL_ADDR;
	vm->arch.boot_info_gpa = 0;
	return 0;
}
