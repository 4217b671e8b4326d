/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every vCPU sets its counter to index + 1; vCPU 0 waits until all
 * G_NR_CPUS have, stores G_MAGIC to G_WORD_A and powers off.
 */
#include "guest.h"
	.text
	.globl	_start
_start:
	guest_entry
	add	x3, x0, #1
	str	x3, [x9]
	cbnz	x0, 2f
	mov	x4, #0
	ldr	x5, [x8, #G_NR_CPUS]
	add	x6, x8, #G_COUNTER
1:	cmp	x4, x5
	b.hs	3f
	ldr	x3, [x6, x4, lsl #3]
	cbz	x3, 1b
	add	x4, x4, #1
	b	1b
3:	movz	w3, #(G_MAGIC >> 16), lsl #16
	movk	w3, #(G_MAGIC & 0xffff)
	str	w3, [x8, #G_WORD_A]
	poweroff
2:	wfi
	b	2b
