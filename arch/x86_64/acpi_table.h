/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the ACPI table builders (acpi.c, acpi_numa.c): the common table
 * header and the buffer the tables are placed in. Not for other users;
 * acpi.h is the interface.
 */
#ifndef KTVM_ARCH_X86_64_ACPI_TABLE_H
#define KTVM_ARCH_X86_64_ACPI_TABLE_H

#include "core/base/types.h"

/* Tables are little-endian; both ktvm hosts are too, so fields are plain stores. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

/* ACPI 6.5 5.2.6 System Description Table Header */
struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI 6.5 5.2.6");

/* Where the next table goes. Every table lies in buf, the guest's view of buf_gpa. */
struct acpi_ctx {
	u8 *buf;
	u64 gpa;
	size_t size, used;
};

/* Reserve len zeroed bytes at a guest address aligned to align: offset in buf, or -ENOSPC. */
long acpi_alloc(struct acpi_ctx *c, size_t len, u64 align, const char *what);
/* Signature, length, revision, ktvm's OEM fields; the checksum comes last. */
void acpi_header_init(struct acpi_header *h, const char *sig, size_t len, u8 rev,
		      const char *table_id);
void acpi_header_finish(struct acpi_header *h);

/* SRAT (5.2.16) and SLIT (5.2.17) for p->topo (acpi_numa.c); offsets in c->buf. */
struct x86_platform;
long acpi_numa_srat(struct acpi_ctx *c, const struct x86_platform *p);
long acpi_numa_slit(struct acpi_ctx *c, const struct x86_platform *p);
/* HMAT (5.2.28) for p->topo's latencies and bandwidths (topology_has_perf()). */
long acpi_numa_hmat(struct acpi_ctx *c, const struct x86_platform *p);

#endif
