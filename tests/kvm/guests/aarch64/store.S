/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every vCPU not in G_HALT_MASK stores n = 1, 2, 3, ... to G_WORD_A, then
 * to G_WORD_B, then to its counter, then idles G_DELAY iterations, forever:
 * the watchpoint target.
 */
#include "guest.h"
	.text
	.globl	_start
_start:
	guest_entry
	halt_if_masked 2f
	mov	w3, #0
1:	add	w3, w3, #1
	str	w3, [x8, #G_WORD_A]
	str	w3, [x8, #G_WORD_B]
	str	x3, [x9]
	ldr	x4, [x8, #G_DELAY]
3:	cbz	x4, 1b
	sub	x4, x4, #1
	b	3b
2:	halt_loop
