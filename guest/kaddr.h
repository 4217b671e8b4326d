/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel addresses that place the guest kernel's image and direct map
 * (the KERN_ADDRS frame, wire/wire.h): values of kernel variables that KASLR
 * picks at boot. x86_64: phys_base (where the kernel image sits in physical
 * memory, arch/x86/kernel/head_64.S) and page_offset_base (the start of the
 * direct map, arch/x86/mm/kaslr.c). aarch64: kimage_voffset (the image's
 * virtual minus physical address) and memstart_addr (the physical address
 * the linear map starts at), arch/arm64/mm/mmu.c and init.c.
 * /proc/kallsyms gives their addresses (CONFIG_KALLSYMS_ALL for data
 * symbols; all-zero addresses under kptr_restrict), /proc/kcore their
 * contents (CONFIG_PROC_KCORE; CAP_SYS_RAWIO; refused under lockdown).
 * A value that cannot be read has its known bit clear: 0 is a real value
 * (phys_base is 0 when the kernel runs where it was linked to).
 */
#ifndef KTVM_GUEST_KADDR_H
#define KTVM_GUEST_KADDR_H

#include <stdio.h>

#include "core/base/types.h"
#include "wire/wire.h"

/* The number of KERN_ADDRS values this arch's init reads. */
#if defined(__x86_64__) || defined(__aarch64__)
#define KADDR_ARCH_FIELDS 2
#else
#define KADDR_ARCH_FIELDS 0
#endif

/*
 * Parse one /proc/kallsyms line, "ADDR TYPE NAME" or "ADDR TYPE NAME\t[mod]"
 * (kernel/kallsyms.c s_show). 0 with *addr and name (size bytes) set,
 * -EINVAL for a line of another shape. A module symbol gives -ENOENT: the
 * symbols wanted here are the kernel's own.
 */
int kaddr_parse_line(const char *line, u64 *addr, char *name, size_t size);

/*
 * Look names[0..n) up in a kallsyms stream: found[i] says whether names[i]
 * is there, addrs[i] is its address (0 if not found, or hidden). Returns how
 * many were found; stops reading once all are.
 */
size_t kaddr_lookup(FILE *kallsyms, const char *const *names, u64 *addrs, bool *found, size_t n);

/*
 * Read len bytes at kernel virtual address addr from an ELF64 core file in
 * the CPU's byte order (/proc/kcore): through the PT_LOAD segment whose
 * [p_vaddr, p_vaddr + p_memsz) holds them. 0, -ENOEXEC (not an ELF64 core
 * file of this byte order), -EFAULT (no segment holds them; or they lie
 * past p_filesz) or -errno from pread.
 */
int kaddr_kcore_read(int fd, u64 addr, void *buf, size_t len);

/*
 * Fill *ka with the KERN_ADDRS values fields[0..n) (enum wire_ka) from the
 * given kallsyms and kcore paths; the others stay unknown. A value that
 * cannot be had keeps its known bit clear and a log line says why. Returns
 * how many could not be had, or -EINVAL for a field past WIRE_KA_NR.
 */
int kaddr_collect_fields(struct wire_kern_addrs *ka, const char *kallsyms, const char *kcore,
			 const unsigned int *fields, size_t n);

/* kaddr_collect_fields() with this arch's values (KADDR_ARCH_FIELDS of them). */
int kaddr_collect(struct wire_kern_addrs *ka, const char *kallsyms, const char *kcore);

#endif
