/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel symbols the host wants to watch (ktvm run --watch NAME): the
 * host names them on the kernel command line,
 *
 *   ktvm.watch=vm_swappiness,other_var
 *
 * and init answers with their addresses in a KSYMS frame (wire/wire.h)
 * before it starts the payload. Debian's kernels ship neither System.map
 * nor a symbol table, so /proc/kallsyms is where the addresses come from:
 * it lists data symbols with CONFIG_KALLSYMS_ALL, and its addresses include
 * the KASLR offset. Readers without CAP_SYSLOG see zeros (kptr_restrict,
 * lib/vsprintf.c restricted_pointer()); init runs as root and sees them.
 */
#ifndef KTVM_GUEST_KSYMS_H
#define KTVM_GUEST_KSYMS_H

#include "core/base/types.h"
#include "wire/wire.h"

#define KSYMS_WATCH_KEY "ktvm.watch"
/* Bytes for the longest valid ktvm.watch= value and its NUL (kcmdline_get()). */
#define KSYMS_WATCH_ARG_MAX (WIRE_KSYMS_MAX * (WIRE_KSYM_NAME_MAX + 1))

/*
 * Bytes of one /proc/kallsyms line read at a time. A name longer than
 * WIRE_KSYM_NAME_MAX cannot be asked for, so a line that does not fit is
 * never one that is wanted; it is skipped whole.
 */
#define KSYMS_LINE_MAX 256

/*
 * Parse the value of ktvm.watch=, "NAME[,NAME]...", into k[0..) with the
 * addresses 0: at most max (and WIRE_KSYMS_MAX) names, each 1 to
 * WIRE_KSYM_NAME_MAX bytes from [A-Za-z0-9_.$] (wire_ksym_name_valid()).
 * Returns how many, or -EINVAL for an empty list, an empty or bad name, or
 * too many names; k[] may be partly written then.
 */
int ksyms_parse_request(const char *arg, struct wire_ksym *k, u32 max);

/*
 * Fill in k[i].addr for each k[i].name (n at most WIRE_KSYMS_MAX) from one
 * pass over the kallsyms file at path. Only the kernel's own symbols count:
 * module symbols ("\t[module]" lines) are skipped. When a name is listed more
 * than once (static symbols of different files) the first line wins. A
 * name not found, or found with a hidden (zero) address, gets 0.
 *
 * Returns the number of names with a non-zero address, -EINVAL for n over
 * WIRE_KSYMS_MAX or a name wire_ksym_name_valid() refuses, or -errno from
 * opening or reading the file.
 */
int ksyms_lookup(const char *kallsyms_path, struct wire_ksym *k, u32 n);

#endif
