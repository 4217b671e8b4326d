/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every vCPU not in G_HALT_MASK stores n = 1, 2, 3, ... to G_WORD_A, then
 * to G_WORD_B, then to its counter, then idles G_DELAY iterations, forever:
 * the watchpoint target.
 */
#include "guest.h"
	.code64
	.text
	.globl	_start
_start:
	guest_entry
	halt_if_masked 2f
	xorl	%eax, %eax
1:	incl	%eax
	movl	%eax, G_WORD_A(%r8)
	movl	%eax, G_WORD_B(%r8)
	movq	%rax, (%r9)
	movq	G_DELAY(%r8), %rcx
3:	testq	%rcx, %rcx
	jz	1b
	decq	%rcx
	jmp	3b
2:	halt_loop
