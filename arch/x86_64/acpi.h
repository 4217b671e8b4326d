/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI tables (RSDP, XSDT, FADT, DSDT, MADT, SRAT, SLIT) and the
 * fixed-hardware power management registers the FADT points at (ACPI 6.5
 * chapters 4 and 5).
 */
#ifndef KTVM_ARCH_X86_64_ACPI_H
#define KTVM_ARCH_X86_64_ACPI_H

#include <pthread.h>

#include "core/vm/bus.h"
#include "core/base/types.h"

struct x86_platform;

/*
 * The guest-visible contract between the tables and struct acpi_pm, all in
 * port I/O space (layout.h has the ports):
 *  - \_S5 in the DSDT is Package () { 5, 5, 0, 0 }: writing PM1a_CNT with
 *    SLP_TYP = ACPI_S5_SLP_TYP and SLP_EN set powers the VM off;
 *  - the FADT RESET_REG is one byte at X86_ACPI_RESET: writing
 *    X86_ACPI_RESET_VAL there resets it.
 * Register bits: ACPI 6.5 4.8.3.1 (PM1 event) and 4.8.3.2 (PM1 control).
 */
#define ACPI_S5_SLP_TYP		   5
#define ACPI_PM1_STS_WAK	   (1u << 15)
#define ACPI_PM1_CNT_SCI_EN	   (1u << 0)
#define ACPI_PM1_CNT_BM_RLD	   (1u << 1)
#define ACPI_PM1_CNT_GBL_RLS	   (1u << 2)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP	   (7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN	   (1u << 13)

/*
 * Build every table into buf, which the guest sees at guest-physical address
 * buf_gpa. The RSDP comes first (16-byte aligned, inside the BIOS area the
 * kernel scans). Returns bytes used, or -ENOSPC (error set) if size is short,
 * -EINVAL if x86_platform_check() refuses p or buf_gpa is not 16-byte
 * aligned below 4 GiB. *rsdp_gpa receives the RSDP's guest-physical address.
 * The DSDT holds \_S5 and one Device per p->virtio_mmio[] entry (platform.h).
 * With p->topo of more than one node, an SRAT (each vCPU's APIC ID and each
 * node's memory, in guest-physical ranges around the 32-bit hole) and a
 * SLIT (the distances) follow the MADT.
 */
int acpi_build(u8 *buf, u64 buf_gpa, size_t size, const struct x86_platform *p, u64 *rsdp_gpa);

/*
 * ACPI checksum rule: all bytes of a table sum to zero (mod 256). Returns the
 * byte that makes data sum to zero: the value to store in a checksum field
 * that is still 0, and 0 for a table whose checksum is already right.
 */
u8 acpi_checksum(const u8 *data, size_t len);

enum acpi_pm_event {
	ACPI_PM_POWEROFF, /* SLP_EN with the \_S5 sleep type */
	ACPI_PM_RESET,	  /* the FADT reset register was written */
};

struct acpi_pm;
typedef void (*acpi_pm_event_fn)(struct acpi_pm *pm, enum acpi_pm_event ev);

struct acpi_pm {
	struct bus_region evt;	 /* PM1a event block */
	struct bus_region cnt;	 /* PM1a control block */
	struct bus_region reset; /* reset register */
	pthread_mutex_t lock;
	u16 pm1_sts, pm1_en, pm1_cnt;
	acpi_pm_event_fn event;
	void *ctx; /* for event's use (the owning VM) */
};

/*
 * Fill the three regions (the caller registers them on the port I/O bus).
 * event is called from the writing vCPU's thread, without pm->lock held,
 * once per write that requests a poweroff or a reset.
 */
int acpi_pm_init(struct acpi_pm *pm, acpi_pm_event_fn event, void *ctx);
void acpi_pm_destroy(struct acpi_pm *pm);

#endif
