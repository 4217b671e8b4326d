/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ktvm-init binary as read-only data (init-blob.h). KTVM_INIT_PATH is
 * its path, a string, given by the Makefile, which also makes this object
 * depend on the binary: make cannot see what .incbin reads. .8byte and
 * %object mean the same to GNU as on x86_64 and aarch64.
 */
#ifndef KTVM_INIT_PATH
#error "KTVM_INIT_PATH must name the ktvm-init binary"
#endif

	.section .rodata
	.balign 16
	.globl ktvm_init_blob
	.type ktvm_init_blob, %object
ktvm_init_blob:
	.incbin KTVM_INIT_PATH
.Lktvm_init_blob_end:
	.size ktvm_init_blob, .Lktvm_init_blob_end - ktvm_init_blob

	.balign 8
	.globl ktvm_init_blob_size
	.type ktvm_init_blob_size, %object
ktvm_init_blob_size:
	.8byte .Lktvm_init_blob_end - ktvm_init_blob
	.size ktvm_init_blob_size, 8

	/* no executable stack for the program this is linked into */
	.section .note.GNU-stack,"",%progbits
