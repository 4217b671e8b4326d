/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the aarch64 test guests: entry registers and how to power off.
 * The MMU is off, so every data access is Device-nGnRnE: keep them aligned
 * and use no exclusives (ARM DDI 0487 D8.2.12 / B2.8).
 */
#include "tests/kvm/guests/layout.h"

/* PSCI 0.2 SYSTEM_OFF, SMC32 function ID (ARM DEN 0022, 5.1), by HVC: KVM answers it. */
#define PSCI_SYSTEM_OFF 0x84000008

/* x8 = the data page, x9 = this vCPU's counter; x0 = index, x1 = load address. */
.macro guest_entry
	add	x8, x1, #(G_DATA >> 12), lsl #12
	add	x9, x8, #G_COUNTER
	add	x9, x9, x0, lsl #3
.endm

.macro poweroff
	movz	x0, #(PSCI_SYSTEM_OFF >> 16), lsl #16
	movk	x0, #(PSCI_SYSTEM_OFF & 0xffff)
	hvc	#0
99:	wfi
	b	99b
.endm

/* The vCPUs in G_HALT_MASK go to label. */
.macro halt_if_masked label
	ldr	x2, [x8, #G_HALT_MASK]
	lsr	x2, x2, x0
	tbnz	x2, #0, \label
.endm

/* Wait for interrupts forever (they are masked), counting wake-ups. */
.macro halt_loop
98:	ldr	x3, [x9]
	add	x3, x3, #1
	str	x3, [x9]
	wfi
	b	98b
.endm
