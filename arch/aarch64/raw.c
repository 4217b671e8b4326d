// SPDX-License-Identifier: GPL-2.0
/*
 * Raw boot for aarch64 (core/vm/arch.h arch_boot_raw()): a few hundred bytes
 * of test code at the start of RAM, entered in EL1h with the MMU off (so
 * guest-virtual addresses are physical ones) on every vCPU at once (vcpu.c
 * does not power the secondaries off). No device tree: the GIC, UARTs and
 * PSCI (SYSTEM_OFF to power off) are there all the same.
 */
#include "arch/aarch64/layout.h"
#include "core/vm/arch.h"
#include "core/vm/vm.h"

u64 arch_raw_gpa(void)
{
	return A64_RAM_BASE;
}

int arch_boot_raw(struct vm *vm)
{
	vm->arch.entry = A64_RAM_BASE;
	vm->arch.fdt_gpa = 0;
	return 0;
}
