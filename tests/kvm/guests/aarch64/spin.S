/* SPDX-License-Identifier: GPL-2.0 */
/* Every vCPU increments its counter forever; those in G_HALT_MASK wait in WFI instead. */
#include "guest.h"
	.text
	.globl	_start
_start:
	guest_entry
	halt_if_masked 2f
1:	ldr	x3, [x9]
	add	x3, x3, #1
	str	x3, [x9]
	b	1b
2:	halt_loop
