/* SPDX-License-Identifier: GPL-2.0 */
/* Every vCPU increments its counter forever; those in G_HALT_MASK halt instead. */
#include "guest.h"
	.code64
	.text
	.globl	_start
_start:
	guest_entry
	halt_if_masked 2f
1:	incq	(%r9)
	jmp	1b
2:	halt_loop
