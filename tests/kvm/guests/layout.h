/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tests/kvm guests and their host side agree on, for assembly and
 * C alike. A guest is loaded at arch_raw_gpa() (core/vm/arch.h) and starts
 * on every vCPU with its index in rdi / x0 and the load address in rsi /
 * x1. Offsets below are from the load address; guest-virtual equals
 * guest-physical in both arches' raw mode.
 */
#ifndef KTVM_TESTS_KVM_GUESTS_LAYOUT_H
#define KTVM_TESTS_KVM_GUESTS_LAYOUT_H

#define G_DATA 0x10000 /* the data page: the fields below are offsets in it */

/* Set by the host before the run. */
#define G_NR_CPUS   0x000 /* u64: vCPUs that run the guest */
#define G_HALT_MASK 0x008 /* u64: bit i set: vCPU i halts (HLT / WFI) instead of spinning */
#define G_MMIO	    0x010 /* u64: the virtio console's MMIO window (virtio guest) */
#define G_IRQ	    0x018 /* u64: its line: IOAPIC pin (x86_64) or SPI index (aarch64) */
#define G_MSG_LEN   0x020 /* u64: bytes of G_BUF the virtio guest sends */
#define G_DELAY	    0x028 /* u64: store guest: iterations of an empty loop after each round */

/* Written by the guest. */
#define G_IRQ_STATUS 0x040 /* u32: InterruptStatus the interrupt handler read */
#define G_IRQ_COUNT  0x044 /* u32: interrupts taken */
#define G_MMIO_OPS   0x048 /* u32: virtio register accesses, QueueNotify not counted */
#define G_BOOT_CPUID 0x050 /* u32: boot guest, x86_64: vCPU 0's CPUID leaf 1 ECX */
#define G_BOOT_LINT1 0x054 /* u32: boot guest, x86_64: vCPU 0's local APIC LVT LINT1 */
#define G_WORD_A     0x080 /* u32: stored to by the store guest */
#define G_WORD_B     0x0c0 /* u32: likewise, in another 64-byte line */
#define G_COUNTER    0x100 /* u64 per vCPU: loop count */
#define G_MAX_CPUS   32

/* The virtio guest's split virtqueue (virtio 1.2 2.7) and buffer, offsets from the load address. */
#define G_VQ	   0x11000
#define G_VQ_DESC  0x11000 /* 16-byte descriptors */
#define G_VQ_AVAIL 0x11100 /* le16 flags, le16 idx, le16 ring[] */
#define G_VQ_USED  0x11200 /* le16 flags, le16 idx, {le32 id, le32 len} ring[] */
#define G_BUF	   0x11400
#define G_BUF_MAX  0x400
#define G_VQ_SIZE  4
#define G_IDT	   0x12000 /* x86_64: the IDT the virtio guest builds */

/* virtio-console queue 5: port 1's transmitq (virtio 1.2 5.3.2, with MULTIPORT). */
#define G_TXQ	 5
#define G_VECTOR 0x40	    /* x86_64: the interrupt vector the IOAPIC pin is routed to */
#define G_MAGIC	 0x4b54564d /* "KTVM" */

#endif
