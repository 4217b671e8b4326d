/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU 0 drives the virtio console (virtio-mmio, virtio 1.2 4.2.3.1.1)
 * far enough to send G_MSG_LEN bytes of G_BUF on port 1 (queue 5), with
 * its interrupt routed through the IOAPIC to vector G_VECTOR. It writes
 * QueueNotify once (the ioeventfd), waits in HLT for the used-buffer
 * interrupt, and powers off. Every other register access is counted in
 * G_MMIO_OPS: each of those is an MMIO exit, QueueNotify is not.
 */
#include "guest.h"

#define LAPIC	    0xfee00000
#define LAPIC_SVR   0xf0
#define LAPIC_EOI   0xb0
#define IOAPIC	    0xfec00000
#define IOAPIC_WIN  0x10

/* Virtio-mmio registers (devices/virtio/mmio.h). */
#define V_INT_STATUS  0x060
#define V_INT_ACK     0x064
#define V_STATUS      0x070
#define V_DRV_FEAT    0x020
#define V_DRV_FEAT_SEL 0x024
#define V_QUEUE_SEL   0x030
#define V_QUEUE_NUM   0x038
#define V_QUEUE_READY 0x044
#define V_QUEUE_NOTIFY 0x050
#define V_DESC_LO     0x080
#define V_DESC_HI     0x084
#define V_DRIVER_LO   0x090
#define V_DRIVER_HI   0x094
#define V_DEVICE_LO   0x0a0
#define V_DEVICE_HI   0x0a4

/* r10 = the virtio window, r12 = the local APIC, r13 = the IOAPIC. */

/* A counted 32-bit register write: reg, value (a register or $imm). */
.macro vwrite reg, val
	movl	\val, \reg(%r10)
	incl	G_MMIO_OPS(%r8)
.endm

	.code64
	.text
	.globl	_start
_start:
	guest_entry
	testq	%rdi, %rdi
	jnz	halt
	movq	G_MMIO(%r8), %r10

	/* IDT gate G_VECTOR: 64-bit interrupt gate to irq, selector 0x10 (Intel SDM 3A 6.14.1). */
	leaq	G_IDT(%rsi), %r11
	leaq	irq(%rip), %rax
	leaq	(G_VECTOR * 16)(%r11), %rcx
	movw	%ax, (%rcx)
	movw	$0x10, 2(%rcx)
	movw	$0x8e00, 4(%rcx)
	shrq	$16, %rax
	movw	%ax, 6(%rcx)
	shrq	$16, %rax
	movl	%eax, 8(%rcx)
	movl	$0, 12(%rcx)
	movw	$(256 * 16 - 1), idtr(%rip)
	movq	%r11, idtr+2(%rip)
	lidt	idtr(%rip)

	/* Local APIC software-enabled (SDM 3A 11.4.7.1), IOAPIC pin G_IRQ -> vector, CPU 0, edge. */
	movl	$LAPIC, %r12d
	movl	$IOAPIC, %r13d
	movl	$0x1ff, LAPIC_SVR(%r12)
	movl	G_IRQ(%r8), %ecx
	leal	0x10(,%rcx,2), %eax
	movl	%eax, (%r13)
	movl	$G_VECTOR, IOAPIC_WIN(%r13)
	incl	%eax
	movl	%eax, (%r13)
	movl	$0, IOAPIC_WIN(%r13)

	/* Reset is implicit; ACKNOWLEDGE, DRIVER, features VERSION_1 (bit 32) + MULTIPORT (bit 1). */
	vwrite	V_STATUS, $1
	vwrite	V_STATUS, $3
	vwrite	V_DRV_FEAT_SEL, $1
	vwrite	V_DRV_FEAT, $1
	vwrite	V_DRV_FEAT_SEL, $0
	vwrite	V_DRV_FEAT, $2
	vwrite	V_STATUS, $0xb
	vwrite	V_QUEUE_SEL, $G_TXQ
	vwrite	V_QUEUE_NUM, $G_VQ_SIZE
	leal	G_VQ_DESC(%rsi), %eax
	vwrite	V_DESC_LO, %eax
	vwrite	V_DESC_HI, $0
	leal	G_VQ_AVAIL(%rsi), %eax
	vwrite	V_DRIVER_LO, %eax
	vwrite	V_DRIVER_HI, $0
	leal	G_VQ_USED(%rsi), %eax
	vwrite	V_DEVICE_LO, %eax
	vwrite	V_DEVICE_HI, $0
	vwrite	V_QUEUE_READY, $1
	vwrite	V_STATUS, $0xf

	/* Descriptor 0: the buffer, device-readable; avail ring[0] = 0, idx = 1. */
	leaq	G_BUF(%rsi), %rax
	movq	%rax, G_VQ_DESC(%rsi)
	movl	G_MSG_LEN(%r8), %eax
	movl	%eax, G_VQ_DESC+8(%rsi)
	movl	$0, G_VQ_DESC+12(%rsi)
	movw	$0, G_VQ_AVAIL(%rsi)
	movw	$0, G_VQ_AVAIL+4(%rsi)
	movw	$1, G_VQ_AVAIL+2(%rsi)
	movl	$G_TXQ, V_QUEUE_NOTIFY(%r10)

	/* Wait for the interrupt; sti's shadow covers the hlt. */
1:	cli
	cmpl	$0, G_IRQ_COUNT(%r8)
	jne	2f
	sti
	hlt
	jmp	1b
2:	poweroff

halt:	cli
	hlt
	jmp	halt

irq:	pushq	%rax
	movl	V_INT_STATUS(%r10), %eax
	incl	G_MMIO_OPS(%r8)
	movl	%eax, G_IRQ_STATUS(%r8)
	movl	%eax, V_INT_ACK(%r10)
	incl	G_MMIO_OPS(%r8)
	incl	G_IRQ_COUNT(%r8)
	movl	$0, LAPIC_EOI(%r12)
	popq	%rax
	iretq

	.balign 16
idtr:	.skip	16
