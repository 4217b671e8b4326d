/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel symbol names and types from the kallsyms tables inside a kernel
 * image, read before the guest boots: `ktvm run --watch SYMBOL` rejects an
 * unknown symbol up front, even for Debian's stripped kernels, which have no
 * symbol table (ksyms_file.h) but carry kallsyms in .rodata when built with
 * CONFIG_KALLSYMS. Addresses are left to the guest (guest/ksyms.h).
 *
 * The input is the bytes of an uncompressed kernel: an arm64 Image, or an
 * x86_64 vmlinux ELF taken whole (the tables are contiguous in the file).
 * No symbol tells where the tables are, so kallsyms_image_open() finds them
 * by their shape (kallsyms_image.c) and checks them against each other
 * before trusting them. Little-endian kernels only.
 */
#ifndef KTVM_CORE_KALLSYMS_IMAGE_H
#define KTVM_CORE_KALLSYMS_IMAGE_H

#include "core/base/types.h"

/*
 * KSYM_NAME_LEN (include/linux/kallsyms.h, 512 since Linux 6.1): a symbol
 * name is shorter, so its type letter and name together are at most this.
 */
#define KALLSYMS_IMAGE_NAME_MAX 512

/* Where the tables are in the buffer given to kallsyms_image_open(). */
struct kallsyms_image {
	const u8 *names; /* kallsyms_names: num_syms entries */
	size_t names_len;
	const u8 *markers;     /* kallsyms_markers: u32 LE, (num_syms + 255) / 256 */
	const u8 *token_table; /* kallsyms_token_table: 256 NUL-terminated tokens */
	const u8 *token_index; /* kallsyms_token_index: 256 u16 LE offsets */
	u32 num_syms;
	/*
	 * The names decoded with Linux 6.1's two-byte lengths (a first byte
	 * of 0x80 or more is the low 7 bits); false: one byte, as before.
	 * The two read alike unless some entry has 128 tokens or more.
	 */
	bool two_byte_len;
	u16 token_len[256]; /* strlen() of each token */
	u32 work_left;	    /* kallsyms_image_open()'s search budget (internal) */
};

/*
 * Find the kallsyms tables in buf (len bytes) and fill k, which then points
 * into buf: buf must stay mapped and unchanged while k is used. Never reads
 * outside buf, whatever it holds.
 *
 * Returns 0 or, with an error message (core/base/error.h), -ENOEXEC: no tables
 * found (no CONFIG_KALLSYMS, a compressed or truncated image, or a layout
 * this reader does not know, such as old kernels' 64-bit kallsyms_markers;
 * tables of 256 symbols or fewer are not looked for).
 */
int kallsyms_image_open(const u8 *buf, size_t len, struct kallsyms_image *k);

/*
 * Does the kernel have a symbol called name? Sets *type to its kallsyms type
 * letter ('T', 't', 'D', 'b', ... as in /proc/kallsyms), that of the first
 * of several of the same name. Without CONFIG_KALLSYMS_ALL the tables hold
 * only functions (text symbols), no variables.
 *
 * Returns 0 or, with an error message, -ENOENT.
 */
int kallsyms_image_find(const struct kallsyms_image *k, const char *name, char *type);

/*
 * Call fn for every symbol, in table (address) order, with its type letter
 * and name. Stops at the first nonzero return of fn and returns it; else 0.
 */
int kallsyms_image_foreach(const struct kallsyms_image *k,
			   int (*fn)(void *arg, char type, const char *name), void *arg);

#endif
