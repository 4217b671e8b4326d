/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU 0 drives the virtio console (virtio-mmio, virtio 1.2 4.2.3.1.1)
 * far enough to send G_MSG_LEN bytes of G_BUF on port 1 (queue 5), with
 * its SPI enabled in the GICv3 and taken at VBAR_EL1. It writes
 * QueueNotify once (the ioeventfd), waits in WFI for the used-buffer
 * interrupt, and powers off. Every other virtio register access is counted
 * in G_MMIO_OPS: each of those is an MMIO exit, QueueNotify is not (the
 * GIC is KVM's own and makes no exits).
 */
#include "guest.h"

/* arch/aarch64/layout.h; GICv3 registers, ARM IHI 0069 12.9 and 12.11. */
#define GICD		0x08000000
#define GICD_CTLR	0x0000
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_IPRIORITYR	0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000
#define GICR		0x080a0000
#define GICR_WAKER	0x0014
#define ICC_IAR1_EL1	s3_0_c12_c12_0
#define ICC_EOIR1_EL1	s3_0_c12_c12_1
#define ICC_SRE_EL1	s3_0_c12_c12_5
#define ICC_IGRPEN1_EL1	s3_0_c12_c12_7
#define ICC_PMR_EL1	s3_0_c4_c6_0

/* Virtio-mmio registers (devices/virtio/mmio.h). */
#define V_INT_STATUS	0x060
#define V_INT_ACK	0x064
#define V_STATUS	0x070
#define V_DRV_FEAT	0x020
#define V_DRV_FEAT_SEL	0x024
#define V_QUEUE_SEL	0x030
#define V_QUEUE_NUM	0x038
#define V_QUEUE_READY	0x044
#define V_QUEUE_NOTIFY	0x050
#define V_DESC_LO	0x080
#define V_DESC_HI	0x084
#define V_DRIVER_LO	0x090
#define V_DRIVER_HI	0x094
#define V_DEVICE_LO	0x0a0
#define V_DEVICE_HI	0x0a4

/* x10 = the virtio window, x11 = the GIC distributor, x12 = the INTID. */

/* A counted 32-bit register write of w-register val. */
.macro vwrite reg, val
	str	\val, [x10, #\reg]
	ldr	w7, [x8, #G_MMIO_OPS]
	add	w7, w7, #1
	str	w7, [x8, #G_MMIO_OPS]
.endm
.macro vwritei reg, imm
	mov	w6, #\imm
	vwrite	\reg, w6
.endm

	.text
	.globl	_start
_start:
	guest_entry
	cbnz	x0, halt
	ldr	x10, [x8, #G_MMIO]
	ldr	x12, [x8, #G_IRQ]
	add	x12, x12, #32
	adr	x3, vectors
	msr	vbar_el1, x3
	isb

	/* Distributor: enable group 1; the SPI: group 1, edge, priority 0x80, to vCPU 0, enabled. */
	movz	x11, #(GICD >> 16), lsl #16
	mov	w3, #0x12
	str	w3, [x11, #GICD_CTLR]
	lsr	x4, x12, #5
	lsl	x4, x4, #2
	and	x5, x12, #31
	mov	w6, #1
	lsl	w6, w6, w5
	add	x7, x11, #GICD_IGROUPR
	ldr	w3, [x7, x4]
	orr	w3, w3, w6
	str	w3, [x7, x4]
	lsr	x4, x12, #4
	lsl	x4, x4, #2
	and	x5, x12, #15
	lsl	x5, x5, #1
	add	x5, x5, #1
	mov	w3, #1
	lsl	w3, w3, w5
	add	x7, x11, #GICD_ICFGR
	ldr	w5, [x7, x4]
	orr	w5, w5, w3
	str	w5, [x7, x4]
	add	x7, x11, #GICD_IPRIORITYR
	mov	w3, #0x80
	strb	w3, [x7, x12]
	add	x7, x11, #GICD_IROUTER
	str	xzr, [x7, x12, lsl #3]
	lsr	x4, x12, #5
	lsl	x4, x4, #2
	add	x7, x11, #GICD_ISENABLER
	str	w6, [x7, x4]
	/* Redistributor 0 awake, CPU interface on (system registers), all priorities let through. */
	movz	x3, #(GICR >> 16), lsl #16
	movk	x3, #(GICR & 0xffff)
	str	wzr, [x3, #GICR_WAKER]
	mrs	x3, ICC_SRE_EL1
	orr	x3, x3, #1
	msr	ICC_SRE_EL1, x3
	isb
	mov	x3, #0xff
	msr	ICC_PMR_EL1, x3
	mov	x3, #1
	msr	ICC_IGRPEN1_EL1, x3
	isb

	/* ACKNOWLEDGE, DRIVER, features VERSION_1 (bit 32) + MULTIPORT (bit 1). */
	vwritei	V_STATUS, 1
	vwritei	V_STATUS, 3
	vwritei	V_DRV_FEAT_SEL, 1
	vwritei	V_DRV_FEAT, 1
	vwritei	V_DRV_FEAT_SEL, 0
	vwritei	V_DRV_FEAT, 2
	vwritei	V_STATUS, 0xb
	vwritei	V_QUEUE_SEL, G_TXQ
	vwritei	V_QUEUE_NUM, G_VQ_SIZE
	add	x3, x1, #(G_VQ_DESC >> 12), lsl #12
	vwrite	V_DESC_LO, w3
	lsr	x3, x3, #32
	vwrite	V_DESC_HI, w3
	add	x3, x1, #(G_VQ_AVAIL >> 12), lsl #12
	add	x3, x3, #(G_VQ_AVAIL & 0xfff)
	vwrite	V_DRIVER_LO, w3
	lsr	x3, x3, #32
	vwrite	V_DRIVER_HI, w3
	add	x3, x1, #(G_VQ_USED >> 12), lsl #12
	add	x3, x3, #(G_VQ_USED & 0xfff)
	vwrite	V_DEVICE_LO, w3
	lsr	x3, x3, #32
	vwrite	V_DEVICE_HI, w3
	vwritei	V_QUEUE_READY, 1
	vwritei	V_STATUS, 0xf

	/* Descriptor 0: the buffer, device-readable; avail ring[0] = 0, idx = 1. */
	add	x4, x1, #(G_VQ_DESC >> 12), lsl #12
	add	x3, x1, #(G_BUF >> 12), lsl #12
	add	x3, x3, #(G_BUF & 0xfff)
	str	x3, [x4]
	ldr	x3, [x8, #G_MSG_LEN]
	str	w3, [x4, #8]
	str	wzr, [x4, #12]
	add	x4, x1, #(G_VQ_AVAIL >> 12), lsl #12
	add	x4, x4, #(G_VQ_AVAIL & 0xfff)
	str	wzr, [x4]
	strh	wzr, [x4, #4]
	dmb	ishst
	mov	w3, #1
	strh	w3, [x4, #2]
	dsb	sy
	msr	daifclr, #2
	mov	w3, #G_TXQ
	str	w3, [x10, #V_QUEUE_NOTIFY]

1:	ldr	w3, [x8, #G_IRQ_COUNT]
	cbnz	w3, 2f
	wfi
	b	1b
2:	poweroff

halt:	wfi
	b	halt

irq:	mrs	x20, ICC_IAR1_EL1
	ldr	w21, [x10, #V_INT_STATUS]
	str	w21, [x8, #G_IRQ_STATUS]
	str	w21, [x10, #V_INT_ACK]
	ldr	w22, [x8, #G_MMIO_OPS]
	add	w22, w22, #2
	str	w22, [x8, #G_MMIO_OPS]
	ldr	w22, [x8, #G_IRQ_COUNT]
	add	w22, w22, #1
	str	w22, [x8, #G_IRQ_COUNT]
	msr	ICC_EOIR1_EL1, x20
	isb
	eret

/* VBAR_EL1: 2 KiB aligned, 16 entries of 0x80 bytes; only IRQ from EL1h (0x280) is expected. */
	.balign	2048
vectors:
	.rept	5
	b	.
	.balign	0x80
	.endr
	b	irq
	.balign	0x80
	.rept	10
	b	.
	.balign	0x80
	.endr
