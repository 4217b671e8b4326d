// SPDX-License-Identifier: GPL-2.0
/*
 * bzImage parsing and the zero page, per the Linux x86 boot protocol
 * (Documentation/arch/x86/boot.rst). ktvm enters the kernel through the
 * 64-bit entry point (protocol 2.12+, XLF_KERNEL_64), so no real-mode
 * setup code runs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86_64/boot.h"
#include "arch/x86_64/layout.h"
#include "core/vm/arch.h"
#include "core/base/error.h"
#include "core/image/unpack.h"
#include "core/base/endian.h"

#define SETUP_HDR_OFF	0x1f1
#define HDRS_MAGIC	0x53726448 /* "HdrS" */
#define BOOT_FLAG_MAGIC 0xaa55
#define PROTO_MIN	0x020c /* 2.12: xloadflags, 64-bit entry */
#define LOADED_HIGH_F	0x01
#define CAN_USE_HEAP_F	0x80

int bzimage_parse(struct bzimage *bz, const u8 *img, size_t len, const char *name)
{
	struct setup_header *h = &bz->hdr;
	u32 setup_sects;
	size_t hdr_end;

	memset(bz, 0, sizeof(*bz));
	/* The byte at 0x201 (the jump offset) gives the header's length (boot.rst, "jump"). */
	if (len < 0x202 + 1)
		return error_input(-ENOEXEC, "kernel %s: not a bzImage (only %zu bytes)", name,
				   len);
	hdr_end = 0x202 + img[0x201];
	bz->hdr_len = MIN(hdr_end, (size_t)SETUP_HDR_OFF + sizeof(*h)) - SETUP_HDR_OFF;
	if (len < SETUP_HDR_OFF + bz->hdr_len || bz->hdr_len < offsetof(struct setup_header, jump))
		return error_input(-ENOEXEC, "kernel %s: not a bzImage (setup header cut short)",
				   name);
	memcpy(h, img + SETUP_HDR_OFF, bz->hdr_len);
	if (h->header != HDRS_MAGIC)
		return error_input(-ENOEXEC, "kernel %s: not a bzImage (no HdrS magic)", name);
	if (h->boot_flag != BOOT_FLAG_MAGIC)
		return error_input(-ENOEXEC, "kernel %s: not a bzImage (boot flag 0x%04x)", name,
				   h->boot_flag);
	if (h->version < PROTO_MIN)
		return error_input(
		    -ENOEXEC, "kernel %s: boot protocol %u.%02u is too old (need 2.12 or later)",
		    name, h->version >> 8, h->version & 0xff);
	if (bz->hdr_len < offsetof(struct setup_header, init_size) + sizeof(h->init_size))
		return error_input(-ENOEXEC, "kernel %s: setup header too short", name);
	if (!(h->loadflags & LOADED_HIGH_F))
		return error_input(-ENOEXEC, "kernel %s: a zImage, not a bzImage (not loaded high)",
				   name);
	if (!(h->xloadflags & XLF_KERNEL_64))
		return error_input(-ENOEXEC, "kernel %s: has no 64-bit entry point (XLF_KERNEL_64)",
				   name);
	setup_sects = h->setup_sects ? h->setup_sects : 4;
	bz->setup_size = (size_t)(setup_sects + 1) * 512;
	/* syssize counts 16-byte paragraphs of the protected-mode code. */
	if (len <= bz->setup_size || len - bz->setup_size < (size_t)h->syssize * 16)
		return error_input(-ENOEXEC,
				   "kernel %s: truncated bzImage (%zu bytes, header says %zu)",
				   name, len, bz->setup_size + (size_t)h->syssize * 16);
	if (h->cmdline_size == 0)
		return error_input(-ENOEXEC, "kernel %s: setup header has no command-line size",
				   name);
	bz->kernel = img + bz->setup_size;
	bz->kernel_size = len - bz->setup_size;
	return 0;
}

u64 bzimage_mem_needed(const struct bzimage *bz)
{
	/*
	 * The decompressor runs where we load it and decompresses to
	 * pref_address (LOAD_PHYSICAL_ADDR) or above, needing init_size there.
	 */
	u64 at_load = X86_KERNEL_ADDR + MAX((u64)bz->kernel_size, (u64)bz->hdr.init_size);
	/* A hostile pref_address must not wrap the sum: saturate, so no memory is enough. */
	u64 at_pref = bz->hdr.pref_address > UINT64_MAX - bz->hdr.init_size
			  ? UINT64_MAX
			  : bz->hdr.pref_address + bz->hdr.init_size;

	return MAX(at_load, at_pref);
}

void bzimage_zero_page(struct boot_params *bp, const struct bzimage *bz,
		       const struct x86_boot_info *bi)
{
	struct setup_header *h = &bp->hdr;

	memset(bp, 0, sizeof(*bp));
	memcpy(h, &bz->hdr, bz->hdr_len);
	h->type_of_loader = 0xff; /* undefined loader */
	h->loadflags |= CAN_USE_HEAP_F;
	h->heap_end_ptr = 0xfe00; /* boot.rst: setup-heap end, relative to the real-mode base */
	h->vid_mode = 0xffff;	  /* "normal" */
	h->code32_start = X86_KERNEL_ADDR;
	h->cmd_line_ptr = (u32)bi->cmdline_gpa;
	bp->ext_cmd_line_ptr = (u32)(bi->cmdline_gpa >> 32);
	if (bi->initrd_size) {
		h->ramdisk_image = (u32)bi->initrd_gpa;
		h->ramdisk_size = (u32)bi->initrd_size;
		bp->ext_ramdisk_image = (u32)(bi->initrd_gpa >> 32);
		bp->ext_ramdisk_size = (u32)(bi->initrd_size >> 32);
	}
	bp->acpi_rsdp_addr = bi->rsdp_gpa; /* read by protocol 2.14+ kernels */
	bp->e820_entries = (u8)x86_e820_build(bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE, bi);
}

/* A bound on the decompressed kernel (Debian's 6.12 vmlinux is ~60 MiB). */
#define BZIMAGE_UNPACK_MAX (1024 * MiB)

/*
 * An ELF vmlinux is the kernel as it is. A bzImage's compressed kernel is
 * payload_length bytes at payload_offset past the setup code (boot.rst,
 * protocol 2.08+), an ELF vmlinux once decompressed; the kernel build
 * appends the decompressed size (4 bytes) to the stream, which zstd must
 * not see.
 */
int arch_kernel_unpack(const u8 *img, size_t len, const char *name, const u8 **out, size_t *out_len,
		       u8 **owned)
{
	struct bzimage bz;
	enum unpack_format f;
	size_t off, plen, n, hint;
	int ret;

	*owned = NULL;
	if (pvh_is_elf(img, len)) {
		*out = img;
		*out_len = len;
		return 0;
	}
	ret = bzimage_parse(&bz, img, len, name);
	if (ret < 0)
		return ret;
	if (bz.hdr_len < offsetof(struct setup_header, payload_length) + 4)
		return error_input(-ENOEXEC, "kernel %s: setup header has no payload fields", name);
	off = bz.setup_size + bz.hdr.payload_offset;
	plen = bz.hdr.payload_length;
	if (off > len || plen > len - off || plen < 8)
		return error_input(-ENOEXEC,
				   "kernel %s: payload (%zu bytes at %zu) outside the file", name,
				   plen, off);
	f = unpack_sniff(img + off, plen);
	if (f == UNPACK_NONE)
		return error_input(-ENOEXEC,
				   "kernel %s: payload compressed other than with gzip, xz or zstd",
				   name);
	/* The last 4 bytes: the size decompressed (gzip's ISIZE, else appended). */
	hint = (size_t)get_le32(img + off + plen - 4);
	ret = unpack(f, img + off, f == UNPACK_ZSTD ? plen - 4 : plen, hint, BZIMAGE_UNPACK_MAX,
		     owned, &n);
	if (ret < 0)
		return error_prefix(ERROR_INPUT, ret, "kernel %s: payload", name);
	*out = *owned;
	*out_len = n;
	return 0;
}

bool arch_kernel_boots_unpacked(const u8 *img, size_t len)
{
	u64 entry, end;
	bool ok;

	/* Only the PVH note and the ELF's shape: where it lands is the VM's check. */
	ok = pvh_is_elf(img, len) && pvh_check(img, len, "kernel", UINT64_MAX, &entry, &end) == 0;
	error_clear();
	return ok;
}

enum arch_kernel_form arch_kernel_form(const u8 *head, size_t n)
{
	/* boot.rst: "HdrS" at 0x202 marks a bzImage's setup header (protocol 2.00+). */
	if (pvh_is_elf(head, n))
		return ARCH_KERNEL_PLAIN;
	if (n >= 0x206 && !memcmp(head + 0x202, "HdrS", 4))
		return ARCH_KERNEL_PACKED;
	return ARCH_KERNEL_OTHER;
}
