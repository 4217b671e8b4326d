/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 kernel loading: a bzImage through the Linux x86 boot protocol
 * (Documentation/arch/x86/boot.rst) or an uncompressed ELF vmlinux through
 * its PVH entry (Xen's hvm_start_info ABI, xen/include/public/arch-x86/hvm/
 * start_info.h). The builders below work on plain buffers so unit tests can
 * check them without KVM.
 */
#ifndef KTVM_ARCH_X86_64_BOOT_H
#define KTVM_ARCH_X86_64_BOOT_H

#include <asm/bootparam.h>

#include "core/vm/topology.h"
#include "core/base/types.h"

struct vm;

/* What the boot information must describe. */
struct x86_boot_info {
	u64 ram_below_4g; /* RAM from 0 up to here (ends at or below X86_MMIO_HOLE) */
	u64 ram_above_4g; /* RAM from 4 GiB on */
	u64 cmdline_gpa;
	u32 cmdline_size; /* bytes including the NUL */
	u64 initrd_gpa;
	u64 initrd_size; /* 0: none */
	u64 rsdp_gpa;
	/* NULL or one node: one RAM entry per range; else split at node boundaries */
	const struct topology *topo;
};

/* e820 types (ACPI 6.5 15.1 "Address Range Types"). */
#define X86_E820_RAM	  1
#define X86_E820_RESERVED 2

/*
 * Fill at most max entries; returns the count. Same map for both boot
 * paths. With NUMA nodes each RAM entry is split where a node's memory
 * begins, so every entry lies in one node (SRAT describes the same ranges).
 */
#define X86_E820_MAX (5 + 2 * TOPO_MAX_NODES)
u32 x86_e820_build(struct boot_e820_entry *e, u32 max, const struct x86_boot_info *bi);

/* Parsed bzImage: the setup header and where the protected-mode code is. */
struct bzimage {
	struct setup_header hdr;
	size_t hdr_len; /* bytes of setup header present in the image, from 0x1f1 */
	size_t setup_size;
	const u8 *kernel;
	size_t kernel_size;
};

/* Validate and parse; name is used in error messages. -ENOEXEC etc. with error set. */
int bzimage_parse(struct bzimage *bz, const u8 *img, size_t len, const char *name);
/* Lowest RAM end that holds the kernel while it decompresses and relocates. */
u64 bzimage_mem_needed(const struct bzimage *bz);
/* Build the zero page for the 64-bit boot protocol entry. */
void bzimage_zero_page(struct boot_params *bp, const struct bzimage *bz,
		       const struct x86_boot_info *bi);

/* PVH start info (start_info.h, version 1). */
#define HVM_START_MAGIC		 0x336ec578
#define XEN_ELFNOTE_PHYS32_ENTRY 18

struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr;
	u32 memmap_entries;
	u32 reserved;
} __packed;

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
} __packed;

struct hvm_memmap_table_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 reserved;
} __packed;

/*
 * Build start info, one module (the initrd, if any) and the memory map into
 * a page seen by the guest at page_gpa. Returns bytes used.
 */
size_t pvh_start_info(u8 *page, size_t size, u64 page_gpa, const struct x86_boot_info *bi);

/* Is this an ELF file (by magic)? */
bool pvh_is_elf(const u8 *img, size_t len);
/*
 * Check an ELF vmlinux without loading it: x86_64, a PVH entry note, and
 * every PT_LOAD segment inside RAM below ram_end. Gives the entry point and
 * the end of the loaded image.
 */
int pvh_check(const u8 *img, size_t len, const char *name, u64 ram_end, u64 *entry, u64 *end);
/*
 * Load the PT_LOAD segments of an ELF vmlinux into guest memory and find its
 * PVH entry. *end receives the highest loaded address.
 */
int pvh_load(struct vm *vm, const u8 *img, size_t len, const char *name, u64 *entry, u64 *end);

#endif
