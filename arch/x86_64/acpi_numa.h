/* SPDX-License-Identifier: GPL-2.0 */
/* What the NUMA tables (acpi_numa.c) need checked before boot. */
#ifndef KTVM_ARCH_X86_64_ACPI_NUMA_H
#define KTVM_ARCH_X86_64_ACPI_NUMA_H

#include "core/vm/topology.h"

/* HMAT locality data types (ACPI 6.5 5.2.28.5, table 5.147). */
#define HMAT_ACCESS_LATENCY   0
#define HMAT_ACCESS_BANDWIDTH 3
/* An entry is 16 bits; 0 means "not given" and 0xffff "unreachable". */
#define HMAT_MAX_ENTRY 0xfffe

/*
 * The unit the HMAT gives matrix m's rows x cols values in: their greatest
 * common divisor, so each entry is exact. -ERANGE if the largest value is
 * more than HMAT_MAX_ENTRY units.
 */
int x86_hmat_unit(const u32 m[TOPO_MAX_NODES][TOPO_MAX_NODES], u32 rows, u32 cols, u32 *unit);

#endif
