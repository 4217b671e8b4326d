/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every vCPU sets its counter to index + 1; vCPU 0 waits until all
 * G_NR_CPUS have, stores what the host set up for it (CPUID leaf 1 ECX,
 * its local APIC's LINT1 entry), then G_MAGIC to G_WORD_A, and powers off.
 */
#define XAPIC_LVT_LINT1 0xfee00360
#include "guest.h"
	.code64
	.text
	.globl	_start
_start:
	guest_entry
	leaq	1(%rdi), %rax
	movq	%rax, (%r9)
	testq	%rdi, %rdi
	jnz	2f
	xorq	%rcx, %rcx
1:	cmpq	G_NR_CPUS(%r8), %rcx
	jae	3f
	cmpq	$0, G_COUNTER(%r8,%rcx,8)
	je	1b
	incq	%rcx
	jmp	1b
3:	movl	$1, %eax
	xorl	%ecx, %ecx
	cpuid
	movl	%ecx, G_BOOT_CPUID(%r8)
	movl	$XAPIC_LVT_LINT1, %edx
	movl	(%rdx), %eax
	movl	%eax, G_BOOT_LINT1(%r8)
	movl	$G_MAGIC, G_WORD_A(%r8)
	poweroff
2:	cli
	hlt
	jmp	2b
