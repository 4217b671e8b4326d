// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI fixed hardware the FADT points at (ACPI 6.5 4.8): the PM1a event
 * block (status and enable registers), the PM1a control register and the
 * reset register, all in port I/O space.
 *
 * Nothing here ever sets a PM1 status bit (no power button, PM timer, RTC
 * alarm or GPE), so the SCI is never raised; the blocks exist because a
 * fixed-hardware FADT must have them (ACPICA reports them missing otherwise)
 * and because SLP_EN in PM1a_CNT is how OSPM enters \_S5.
 *
 * Accesses may be of any width at any offset inside a block: ACPICA reads
 * and writes the 16-bit registers whole, but nothing stops a guest from
 * using byte accesses, so every access is taken apart into byte lanes.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/layout.h"
#include "core/base/error.h"

#define ACPI_PM_EVT_LEN	  4 /* PM1_STS at 0, PM1_EN at 2 (4.8.3.1) */
#define ACPI_PM_CNT_LEN	  2
#define ACPI_PM_RESET_LEN 1

/*
 * PM1 enable bits the hardware defines: TMR, GBL,
 * PWRBTN, SLPBTN, RTC, PCIEXP_WAKE_DIS (4.8.3.1.2). Others read as zero.
 */
#define ACPI_PM1_EN_MASK 0x4721u
/* Control bits that read back (4.8.3.2.1); SLP_EN and GBL_RLS are write-only. */
#define ACPI_PM1_CNT_RW (ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP)

/*
 * The bytes of an access at off, len bytes, inside a block of blk_len bytes,
 * as a little-endian value over the block and the mask of the lanes it
 * covers. Bytes past the block are dropped.
 */
static u32 acpi_pm_lanes(u64 off, u32 len, u32 blk_len, const u8 *data, u32 *mask)
{
	u32 val = 0, i;

	*mask = 0;
	for (i = 0; i < len && off < blk_len && i < blk_len - off; i++) {
		val |= (u32)data[i] << (8 * (off + i));
		*mask |= 0xffu << (8 * (off + i));
	}
	return val;
}

/* Fill a read from the block's little-endian image; bytes past it read as ones. */
static void acpi_pm_fill(u32 image, u64 off, u32 len, u32 blk_len, u8 *data)
{
	u32 i;

	for (i = 0; i < len; i++)
		data[i] =
		    off < blk_len && i < blk_len - off ? (u8)(image >> (8 * (off + i))) : 0xff;
}

static void acpi_pm_event(struct acpi_pm *pm, bool fire, enum acpi_pm_event ev)
{
	if (fire && pm->event)
		pm->event(pm, ev);
}

static void acpi_pm_evt_access(struct bus_region *r, struct vcpu *vcpu, u64 off, u8 *data, u32 len,
			       bool is_write)
{
	struct acpi_pm *pm = container_of(r, struct acpi_pm, evt);
	u32 val, mask;

	pthread_mutex_lock(&pm->lock);
	if (is_write) {
		val = acpi_pm_lanes(off, len, ACPI_PM_EVT_LEN, data, &mask);
		/* Status bits are write-1-to-clear; enable bits are plain read/write. */
		pm->pm1_sts &= (u16) ~(val & mask);
		mask >>= 16;
		pm->pm1_en = (u16)((pm->pm1_en & ~mask) | ((val >> 16) & mask & ACPI_PM1_EN_MASK));
	} else {
		acpi_pm_fill(pm->pm1_sts | (u32)pm->pm1_en << 16, off, len, ACPI_PM_EVT_LEN, data);
	}
	pthread_mutex_unlock(&pm->lock);
}

static void acpi_pm_cnt_access(struct bus_region *r, struct vcpu *vcpu, u64 off, u8 *data, u32 len,
			       bool is_write)
{
	struct acpi_pm *pm = container_of(r, struct acpi_pm, cnt);
	bool poweroff = false;
	u32 val, mask, cnt;

	pthread_mutex_lock(&pm->lock);
	if (!is_write) {
		/* No SMI_CMD in the FADT (5.2.9): always in ACPI mode, SCI_EN set. */
		acpi_pm_fill(pm->pm1_cnt | ACPI_PM1_CNT_SCI_EN, off, len, ACPI_PM_CNT_LEN, data);
		pthread_mutex_unlock(&pm->lock);
		return;
	}
	val = acpi_pm_lanes(off, len, ACPI_PM_CNT_LEN, data, &mask);
	cnt = (pm->pm1_cnt & ~mask) | (val & mask);
	pm->pm1_cnt = (u16)(cnt & ACPI_PM1_CNT_RW);
	/*
	 * SLP_EN starts the transition to the state in SLP_TYP (4.8.3.2.1,
	 * 16.1.7). Only \_S5 is in the DSDT; should a guest ask for another
	 * state anyway, report an immediate wake (WAK_STS) rather than leave
	 * it polling for one forever (ACPICA does, after S1-S3).
	 */
	if (val & mask & ACPI_PM1_CNT_SLP_EN) {
		if ((cnt & ACPI_PM1_CNT_SLP_TYP) >> ACPI_PM1_CNT_SLP_TYP_SHIFT == ACPI_S5_SLP_TYP)
			poweroff = true;
		else
			pm->pm1_sts |= ACPI_PM1_STS_WAK;
	}
	pthread_mutex_unlock(&pm->lock);
	acpi_pm_event(pm, poweroff, ACPI_PM_POWEROFF);
}

static void acpi_pm_reset_access(struct bus_region *r, struct vcpu *vcpu, u64 off, u8 *data,
				 u32 len, bool is_write)
{
	struct acpi_pm *pm = container_of(r, struct acpi_pm, reset);

	if (!is_write) {
		/* The FADT RESET_REG is write-only; reads see zero. */
		acpi_pm_fill(0, off, len, ACPI_PM_RESET_LEN, data);
		return;
	}
	acpi_pm_event(pm, off == 0 && len >= 1 && data[0] == X86_ACPI_RESET_VAL, ACPI_PM_RESET);
}

int acpi_pm_init(struct acpi_pm *pm, acpi_pm_event_fn event, void *ctx)
{
	int ret;

	memset(pm, 0, sizeof(*pm));
	ret = pthread_mutex_init(&pm->lock, NULL);
	if (ret)
		return error_host(-ret, "ACPI PM registers: cannot initialise lock: %s",
				  strerror(ret));
	pm->event = event;
	pm->ctx = ctx;

	pm->evt.name = "acpi-pm1a-evt";
	pm->evt.base = X86_ACPI_PM1A_EVT;
	pm->evt.len = ACPI_PM_EVT_LEN;
	pm->evt.access = acpi_pm_evt_access;

	pm->cnt.name = "acpi-pm1a-cnt";
	pm->cnt.base = X86_ACPI_PM1A_CNT;
	pm->cnt.len = ACPI_PM_CNT_LEN;
	pm->cnt.access = acpi_pm_cnt_access;

	pm->reset.name = "acpi-reset";
	pm->reset.base = X86_ACPI_RESET;
	pm->reset.len = ACPI_PM_RESET_LEN;
	pm->reset.access = acpi_pm_reset_access;
	return 0;
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
	pthread_mutex_destroy(&pm->lock);
}
