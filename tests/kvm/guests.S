/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tests/kvm guests as data: each tests/kvm/guests/$(ARCH)/NAME.S is
 * assembled and cut to its raw .text (NAME.bin, see the Makefile), found
 * here through the assembler's include path; guest_NAME and guest_NAME_end
 * bound it (tests/kvm/kvm.h KVM_GUEST()).
 */
.macro guest name, file
	.section .rodata
	.balign	16
	.globl	guest_\name, guest_\name\()_end
guest_\name:
	.incbin	"\file"
guest_\name\()_end:
.endm

	guest	boot, "boot.bin"
	guest	spin, "spin.bin"
	guest	store, "store.bin"
	guest	virtio, "virtio.bin"

	.section .note.GNU-stack, "", %progbits
