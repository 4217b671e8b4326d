/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel symbol addresses from a file the user gives the host, for watching
 * kernel variables without asking the guest (guest/ksyms.h): an ELF vmlinux
 * with a symbol table, or a System.map ("ffffffff82a1b2c0 D vm_swappiness"
 * lines, scripts/mksysmap). Either gives link-time addresses: a kernel with
 * KASLR on runs somewhere else, so the caller adds the offset, or uses the
 * guest's /proc/kallsyms addresses instead.
 *
 * Debian ships neither: its vmlinuz holds a stripped vmlinux, and its
 * /boot/System.map-<version> is an 83-byte placeholder pointing to the
 * linux-image-<version>-dbg package, which has both.
 */
#ifndef KTVM_CORE_KSYMS_FILE_H
#define KTVM_CORE_KSYMS_FILE_H

#include "core/base/types.h"

/* Bytes of one System.map line; longer lines cannot hold a wanted name. */
#define KSYMS_FILE_LINE_MAX 1024

/*
 * Set *addr to the address of the kernel symbol name in the file at path,
 * told apart by the ELF magic. In a vmlinux: the first .symtab symbol of
 * that name that is defined and an object, function or untyped symbol (so
 * not a section or file symbol). In a System.map: the first line of that
 * name. Names follow wire_ksym_name_valid() (wire/wire.h).
 *
 * Returns 0 or, with an error message (core/base/error.h) naming the file:
 *   -ENOENT   no such symbol (also: no such file; the message says which)
 *   -ENOEXEC  an ELF file without a symbol table (stripped), or one libelf
 *             cannot read
 *   -EINVAL   a bad name; Debian's placeholder System.map; a text file that
 *             is not a System.map; not a regular file
 *   -errno    from opening or reading the file; -ENOSYS when libelf fails
 */
int ksyms_file_lookup(const char *path, const char *name, u64 *addr);

/*
 * Where this boot put a symbol the file says is at addr: moved by as much
 * as _text moved (KASLR: the file's text vs the guest's live_text). A
 * symbol below _text does not move: x86_64's per-CPU symbols before Linux
 * 6.15 are offsets from 0. 0 if addr or live_text is 0 (unknown).
 */
u64 ksyms_file_place(u64 addr, u64 text, u64 live_text);

#endif
