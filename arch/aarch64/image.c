// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 Image (Documentation/arch/arm64/booting.rst): a 64-byte header
 * in front of the kernel, loaded at text_offset from a 2 MiB aligned base
 * in RAM and entered at its first byte with x0 = the device tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/boot.h"
#include "core/vm/arch.h"
#include "core/base/error.h"
#include "core/image/unpack.h"
#include "core/image/zboot.h"
#include "core/vm/vm.h"

/* Header fields, little-endian (booting.rst section 4). */
#define IMAGE_HDR_SIZE	  64
#define IMAGE_TEXT_OFFSET 8
#define IMAGE_SIZE	  16
#define IMAGE_FLAGS	  24
#define IMAGE_MAGIC_OFF	  56
#define IMAGE_MAGIC	  "ARM\x64"
#define IMAGE_FLAG_BE	  (1ULL << 0)
/* Kernels before 3.17 left image_size 0; they were loaded 512 KiB in. */
#define IMAGE_LEGACY_OFFSET 0x80000ULL
/*
 * With CONFIG_EFI the header is also an MS-DOS stub ("MZ", the PE header's
 * offset at 0x3c) and the file a PE/COFF image (arch/arm64/kernel/efi-header.S;
 * Microsoft PE format: after "PE\0\0" the COFF header, NumberOfSections at
 * +6 and SizeOfOptionalHeader at +20 from the signature; 40-byte section
 * headers with SizeOfRawData at +16 and PointerToRawData at +20).
 */
#define IMAGE_PE_OFFSET	 0x3c
#define PE_COFF_HDR_SIZE 24 /* signature + COFF file header */
#define PE_SECTION_SIZE	 40

static u64 image_le(const u8 *p, int bytes)
{
	u64 v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static u64 image_le64(const u8 *p)
{
	return image_le(p, 8);
}

/*
 * The file size the PE/COFF section table implies (the end of the last
 * section's raw data), 0 if the Image carries no PE header. A signed
 * kernel is a little longer (the signature follows the sections).
 */
static u64 image_pe_end(const u8 *img, size_t len)
{
	u64 pe, sec, nsec, end = 0;

	if (len < IMAGE_HDR_SIZE || memcmp(img, "MZ", 2))
		return 0;
	pe = image_le(img + IMAGE_PE_OFFSET, 4);
	if (pe > len || len - pe < PE_COFF_HDR_SIZE || memcmp(img + pe, "PE\0\0", 4))
		return 0;
	nsec = image_le(img + pe + 6, 2);
	sec = pe + PE_COFF_HDR_SIZE + image_le(img + pe + 20, 2);
	/* A section table cut off by the end of the file: truncated too. */
	if (sec > len || (len - sec) / PE_SECTION_SIZE < nsec)
		return sec + nsec * PE_SECTION_SIZE;
	for (u64 i = 0; i < nsec; i++) {
		const u8 *s = img + sec + i * PE_SECTION_SIZE;
		u64 e = image_le(s + 20, 4) + image_le(s + 16, 4);

		if (e > end)
			end = e;
	}
	return end;
}

int a64_image_parse(const u8 *img, size_t len, struct a64_image *out)
{
	u64 flags;

	memset(out, 0, sizeof(*out));
	if (len < IMAGE_HDR_SIZE || memcmp(img + IMAGE_MAGIC_OFF, IMAGE_MAGIC, 4))
		return -ENOEXEC;
	out->text_offset = image_le64(img + IMAGE_TEXT_OFFSET);
	out->image_size = image_le64(img + IMAGE_SIZE);
	flags = image_le64(img + IMAGE_FLAGS);
	if (flags & IMAGE_FLAG_BE)
		return -EPROTONOSUPPORT;
	if (out->image_size == 0) {
		out->text_offset = IMAGE_LEGACY_OFFSET;
		out->image_size = len;
	}
	/*
	 * The file may stop before the end of .bss, never after the image; a
	 * size past A64_IMAGE_SIZE_MAX would wrap the load address arithmetic.
	 */
	if (out->image_size < len || out->image_size > A64_IMAGE_SIZE_MAX ||
	    out->text_offset >= A64_KERNEL_ALIGN || out->text_offset % 4096)
		return -EINVAL;
	out->file_size = image_pe_end(img, len);
	if (out->file_size > len)
		return -ENODATA;
	return 0;
}

/*
 * An EFI zboot image (core/image/zboot.h) at the boot: ktvm runs no EFI
 * code, so the Image inside boots only through the kernel cache. Why this
 * one could not, when the header says.
 */
static int image_zboot_refuse(struct vm *vm)
{
	struct zboot z;
	int ret = zboot_parse(vm->kernel_img, vm->kernel_len, vm_kernel_name(vm), &z);

	if (ret < 0)
		return ret;
	return error_input(-ENOEXEC,
			   "kernel %s: an EFI zboot image (%s-compressed Image), which ktvm boots "
			   "through its kernel cache (off: --no-kernel-cache, or the cache could "
			   "not be used; see --json's kernel.why)",
			   vm_kernel_name(vm), z.comp);
}

int arch_kernel_check(struct vm *vm)
{
	struct a64_placement p;
	struct a64_image im;
	int ret = a64_image_parse(vm->kernel_img, vm->kernel_len, &im);

	if (ret == -ENOEXEC && zboot_is(vm->kernel_img, vm->kernel_len))
		return image_zboot_refuse(vm);
	if (ret == -ENOEXEC && unpack_sniff(vm->kernel_img, vm->kernel_len) == UNPACK_GZIP)
		return error_input(ret,
				   "kernel %s: a gzip-compressed Image, which ktvm boots through "
				   "its kernel cache (off: --no-kernel-cache, or the cache could "
				   "not be used; see --json's kernel.why)",
				   vm_kernel_name(vm));
	if (ret == -ENOEXEC)
		return error_input(ret,
				   "kernel %s: not an arm64 Image (no ARM\\x64 magic at byte 56)",
				   vm_kernel_name(vm));
	if (ret == -EPROTONOSUPPORT)
		return error_input(ret,
				   "kernel %s: a big-endian arm64 Image; ktvm runs little-endian "
				   "guests only",
				   vm_kernel_name(vm));
	if (ret == -ENODATA)
		return error_input(-ENOEXEC,
				   "kernel %s: truncated arm64 Image (%zu bytes, its PE/COFF "
				   "sections end at byte %llu)",
				   vm_kernel_name(vm), vm->kernel_len,
				   (unsigned long long)im.file_size);
	if (ret < 0)
		return error_input(ret,
				   "kernel %s: inconsistent arm64 Image header (text_offset "
				   "0x%llx, image_size %llu for a %zu-byte file)",
				   vm_kernel_name(vm), (unsigned long long)im.text_offset,
				   (unsigned long long)im.image_size, vm->kernel_len);
	ret = a64_place(vm->cfg.mem_size, &im, vm->initrd_len, &p);
	if (ret == -EFBIG)
		return error_input(-EFBIG,
				   "kernel %s: needs %llu MiB of guest memory, guest has %llu MiB",
				   vm_kernel_name(vm),
				   (unsigned long long)((im.text_offset + im.image_size +
							 2 * A64_FDT_MAX + MiB - 1) /
							MiB),
				   (unsigned long long)(vm->cfg.mem_size / MiB));
	if (ret < 0)
		return error_input(-EFBIG,
				   "initrd %s: %zu bytes do not fit beside the kernel in "
				   "%llu MiB of guest memory",
				   vm_initrd_name(vm), vm->initrd_len,
				   (unsigned long long)(vm->cfg.mem_size / MiB));
	vm->arch.text_offset = im.text_offset;
	vm->arch.image_size = im.image_size;
	return 0;
}

/* A bound on a decompressed Image (Debian's arm64 6.12 Image is ~40 MiB). */
#define A64_UNPACK_MAX (512 * MiB)

/*
 * An arm64 Image is the kernel uncompressed (booting.rst): nothing to undo.
 * An Image.gz (what `make Image.gz` builds; the bootloader decompresses
 * it) and an EFI zboot image (vmlinuz.efi: core/image/zboot.h) are
 * decompressed here; what comes out must be an arm64 Image (a riscv
 * zboot image holds a riscv one).
 */
int arch_kernel_unpack(const u8 *img, size_t len, const char *name, const u8 **out, size_t *out_len,
		       u8 **owned)
{
	struct a64_image im;
	const char *what;
	size_t n;
	int ret;

	*owned = NULL;
	if (zboot_is(img, len)) {
		what = "an EFI zboot image";
		ret = zboot_unpack(img, len, name, A64_UNPACK_MAX, owned, &n);
	} else if (unpack_sniff(img, len) == UNPACK_GZIP) {
		what = "gzip";
		ret = unpack(UNPACK_GZIP, img, len, 0, A64_UNPACK_MAX, owned, &n);
		if (ret < 0)
			ret = error_prefix(ERROR_INPUT, ret, "kernel %s: gzip", name);
	} else {
		if (a64_image_parse(img, len, &im) < 0)
			return error_input(-ENOEXEC, "kernel %s: not an arm64 Image", name);
		*out = img;
		*out_len = len;
		return 0;
	}
	if (ret < 0)
		return ret;
	if (a64_image_parse(*owned, n, &im) < 0) {
		free(*owned);
		*owned = NULL;
		return error_input(-ENOEXEC, "kernel %s: %s of something other than an arm64 Image",
				   name, what);
	}
	*out = *owned;
	*out_len = n;
	return 0;
}

bool arch_kernel_boots_unpacked(const u8 *img, size_t len)
{
	struct a64_image im;

	return a64_image_parse(img, len, &im) == 0;
}

enum arch_kernel_form arch_kernel_form(const u8 *head, size_t n)
{
	if (zboot_is(head, n) || unpack_sniff(head, n) == UNPACK_GZIP)
		return ARCH_KERNEL_PACKED;
	if (n >= IMAGE_HDR_SIZE && !memcmp(head + IMAGE_MAGIC_OFF, IMAGE_MAGIC, 4))
		return ARCH_KERNEL_PLAIN;
	return ARCH_KERNEL_OTHER;
}
