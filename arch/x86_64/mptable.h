/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel MultiProcessor Specification 1.4 tables: the floating pointer
 * structure and the configuration table (processors, ISA bus, IOAPIC,
 * interrupt assignments). Linux uses them when ACPI is off (acpi=off).
 */
#ifndef KTVM_ARCH_X86_64_MPTABLE_H
#define KTVM_ARCH_X86_64_MPTABLE_H

#include "core/base/types.h"

struct x86_platform;

/*
 * Write the floating pointer and configuration table into buf, seen by the
 * guest at buf_gpa (must be where the kernel scans: the BIOS area or the
 * first KiB of the EBDA). Returns bytes used, or -ENOSPC (error set) if size
 * is short, -EINVAL if x86_platform_check() refuses p or buf_gpa is not
 * 16-byte aligned below 4 GiB.
 */
int mptable_build(u8 *buf, u64 buf_gpa, size_t size, const struct x86_platform *p);

#endif
