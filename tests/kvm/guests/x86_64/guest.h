/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the x86_64 test guests: entry registers and how to power off. */
#include "tests/kvm/guests/layout.h"

/* ACPI PM1a_CNT (arch/x86_64/layout.h): SLP_TYP = 5 (\_S5), SLP_EN (ACPI 6.5 4.8.3.2.1). */
#define PM1A_CNT   0x604
#define PM1_S5_OFF ((5 << 10) | (1 << 13))

/* r8 = the data page, r9 = this vCPU's counter; rdi = index, rsi = load address. */
.macro guest_entry
	leaq	G_DATA(%rsi), %r8
	leaq	G_COUNTER(%r8,%rdi,8), %r9
.endm

.macro poweroff
	movw	$PM1A_CNT, %dx
	movw	$PM1_S5_OFF, %ax
	outw	%ax, %dx
99:	cli
	hlt
	jmp	99b
.endm

/* The vCPUs in G_HALT_MASK go to label: bit rdi of the mask. */
.macro halt_if_masked label
	movq	G_HALT_MASK(%r8), %rax
	btq	%rdi, %rax
	jc	\label
.endm

/* Halt forever with interrupts off, counting wake-ups. */
.macro halt_loop
98:	incq	(%r9)
	cli
	hlt
	jmp	98b
.endm
