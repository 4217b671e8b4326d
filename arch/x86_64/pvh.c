// SPDX-License-Identifier: GPL-2.0
/*
 * Booting an uncompressed ELF vmlinux through its PVH entry point: the
 * kernel announces a 32-bit physical entry in an ELF note (name "Xen", type
 * XEN_ELFNOTE_PHYS32_ENTRY) and expects, in 32-bit protected mode with
 * paging off, %ebx pointing at a struct hvm_start_info (Xen's
 * docs/misc/pvh.pandoc and public/arch-x86/hvm/start_info.h).
 * This skips the bzImage's in-guest decompression, which is slow under
 * emulation.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include "arch/x86_64/boot.h"
#include "arch/x86_64/layout.h"
#include "core/base/error.h"
#include "core/vm/vm.h"

bool pvh_is_elf(const u8 *img, size_t len)
{
	return len >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG);
}

size_t pvh_start_info(u8 *page, size_t size, u64 page_gpa, const struct x86_boot_info *bi)
{
	struct hvm_start_info *si = (struct hvm_start_info *)page;
	struct hvm_modlist_entry *mod = (struct hvm_modlist_entry *)(si + 1);
	struct hvm_memmap_table_entry *mm = (struct hvm_memmap_table_entry *)(mod + 1);
	struct boot_e820_entry e820[X86_E820_MAX];
	u32 i, n;

	memset(page, 0, size);
	si->magic = HVM_START_MAGIC;
	si->version = 1; /* version 1 adds the memory map */
	si->cmdline_paddr = bi->cmdline_gpa;
	si->rsdp_paddr = bi->rsdp_gpa;
	if (bi->initrd_size) {
		si->nr_modules = 1;
		si->modlist_paddr = page_gpa + ((u8 *)mod - page);
		mod->paddr = bi->initrd_gpa;
		mod->size = bi->initrd_size;
	}
	n = x86_e820_build(e820, ARRAY_SIZE(e820), bi);
	n = MIN(n, (u32)((size - ((u8 *)mm - page)) / sizeof(*mm)));
	for (i = 0; i < n; i++) {
		mm[i].addr = e820[i].addr;
		mm[i].size = e820[i].size;
		mm[i].type = e820[i].type;
	}
	si->memmap_paddr = page_gpa + ((u8 *)mm - page);
	si->memmap_entries = n;
	return (size_t)((u8 *)(mm + n) - page);
}

/* Find the PVH entry in the PT_NOTE segments. */
static int pvh_find_entry(Elf *elf, size_t phnum, const char *name, u64 *entry)
{
	size_t i;

	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, noff, doff, next;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		if (!d)
			continue;
		while ((next = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			const char *nname = (const char *)d->d_buf + noff;

			if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY && nh.n_namesz == 4 &&
			    !memcmp(nname, "Xen", 4)) {
				const u8 *desc = (const u8 *)d->d_buf + doff;
				u64 v = 0;

				if (nh.n_descsz != 4 && nh.n_descsz != 8)
					break;
				memcpy(&v, desc, nh.n_descsz); /* little-endian */
				*entry = nh.n_descsz == 4 ? (u32)v : v;
				return 0;
			}
			off = next;
		}
	}
	return error_input(-ENOEXEC,
			   "kernel %s: ELF without a PVH entry note (CONFIG_PVH=y needed)", name);
}

/* Check, and when vm is given also load, the kernel's PT_LOAD segments. */
static int pvh_walk(struct vm *vm, const u8 *img, size_t len, const char *name, u64 ram_end,
		    u64 *entry, u64 *end)
{
	Elf *elf;
	GElf_Ehdr eh;
	size_t phnum, i;
	u64 hi = 0;
	int ret;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return error_host(-ENOSYS, "libelf: %s", elf_errmsg(-1));
	elf = elf_memory((char *)img, len);
	if (!elf)
		return error_input(-ENOEXEC, "kernel %s: bad ELF: %s", name, elf_errmsg(-1));
	if (!gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &phnum) < 0) {
		ret = error_input(-ENOEXEC, "kernel %s: bad ELF header: %s", name, elf_errmsg(-1));
		goto out;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		ret = error_input(-ENOEXEC, "kernel %s: not an x86_64 ELF (machine %u)", name,
				  eh.e_machine);
		goto out;
	}
	ret = pvh_find_entry(elf, phnum, name, entry);
	if (ret < 0)
		goto out;
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
		    ph.p_filesz > len - ph.p_offset) {
			ret = error_input(-ENOEXEC, "kernel %s: segment %zu lies outside the file",
					  name, i);
			goto out;
		}
		if (ph.p_paddr < X86_HIMEM_START) {
			ret = error_input(-ENOEXEC, "kernel %s: segment %zu at 0x%llx, below 1 MiB",
					  name, i, (unsigned long long)ph.p_paddr);
			goto out;
		}
		if (ph.p_paddr > ram_end || ph.p_memsz > ram_end - ph.p_paddr) {
			ret = error_input(
			    -EFBIG,
			    "kernel %s: does not fit in guest memory (segment at 0x%llx, "
			    "%llu KiB; guest RAM ends at %llu MiB)",
			    name, (unsigned long long)ph.p_paddr,
			    (unsigned long long)(ph.p_memsz / KiB),
			    (unsigned long long)(ram_end / MiB));
			goto out;
		}
		hi = MAX(hi, ph.p_paddr + ph.p_memsz);
		if (!vm)
			continue;
		ret = vm_load_kernel(vm, ph.p_paddr, ph.p_offset, ph.p_filesz, ph.p_memsz);
		if (ret == -EFAULT) {
			ret =
			    error_input(-EFBIG, "kernel %s: segment at 0x%llx is not in guest RAM",
					name, (unsigned long long)ph.p_paddr);
			goto out;
		}
		if (ret < 0) {
			ret = error_host(ret, "kernel %s: cannot load segment %zu: %s", name, i,
					 strerror(-ret));
			goto out;
		}
	}
	if (!hi) {
		ret = error_input(-ENOEXEC, "kernel %s: ELF has no loadable segment", name);
		goto out;
	}
	*end = hi;
	ret = 0;
out:
	elf_end(elf);
	return ret;
}

int pvh_check(const u8 *img, size_t len, const char *name, u64 ram_end, u64 *entry, u64 *end)
{
	return pvh_walk(NULL, img, len, name, ram_end, entry, end);
}

int pvh_load(struct vm *vm, const u8 *img, size_t len, const char *name, u64 *entry, u64 *end)
{
	return pvh_walk(vm, img, len, name, x86_ram_below_4g(vm->cfg.mem_size), entry, end);
}
