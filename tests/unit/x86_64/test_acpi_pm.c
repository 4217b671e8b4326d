// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI fixed hardware: the PM1a event and control blocks and the reset
 * register, driven through their bus callbacks the way ACPICA drives them
 * (acpi_hw_legacy_sleep(): SLP_TYP first, then SLP_TYP | SLP_EN).
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/layout.h"
#include "tests/test.h"

struct pm_log {
	unsigned int poweroffs, resets;
};

static void count_event(struct acpi_pm *pm, enum acpi_pm_event ev)
{
	struct pm_log *log = pm->ctx;

	if (ev == ACPI_PM_POWEROFF)
		log->poweroffs++;
	else if (ev == ACPI_PM_RESET)
		log->resets++;
}

static void pm_setup(struct acpi_pm *pm, struct pm_log *log)
{
	memset(log, 0, sizeof(*log));
	ASSERT_EQ(acpi_pm_init(pm, count_event, log), 0);
}

static void out(struct bus_region *r, u64 off, u32 val, u32 len)
{
	u8 data[4];

	memcpy(data, &val, sizeof(data));
	r->access(r, NULL, off, data, len, true);
}

static u32 in(struct bus_region *r, u64 off, u32 len)
{
	u8 data[4] = {0};
	u32 val;

	r->access(r, NULL, off, data, len, false);
	memcpy(&val, data, sizeof(val));
	return val;
}

#define SLP_TYP(t) ((u32)(t) << ACPI_PM1_CNT_SLP_TYP_SHIFT)

TEST(regions_at_the_fadt_ports)
{
	struct acpi_pm pm;
	struct pm_log log;

	pm_setup(&pm, &log);
	EXPECT_EQ(pm.evt.base, X86_ACPI_PM1A_EVT);
	EXPECT_EQ(pm.evt.len, 4);
	EXPECT_EQ(pm.cnt.base, X86_ACPI_PM1A_CNT);
	EXPECT_EQ(pm.cnt.len, 2);
	EXPECT_EQ(pm.reset.base, X86_ACPI_RESET);
	EXPECT_EQ(pm.reset.len, 1);
	EXPECT_TRUE(pm.evt.name && pm.cnt.name && pm.reset.name);
	EXPECT_TRUE(pm.evt.access && pm.cnt.access && pm.reset.access);
	acpi_pm_destroy(&pm);
}

TEST(sci_en_reads_set)
{
	struct acpi_pm pm;
	struct pm_log log;

	pm_setup(&pm, &log);
	EXPECT_EQ(in(&pm.cnt, 0, 2), ACPI_PM1_CNT_SCI_EN);
	out(&pm.cnt, 0, 0, 2); /* OSPM cannot turn ACPI mode off */
	EXPECT_EQ(in(&pm.cnt, 0, 1), ACPI_PM1_CNT_SCI_EN);
	acpi_pm_destroy(&pm);
}

TEST(s5_powers_off_once)
{
	struct acpi_pm pm;
	struct pm_log log;

	pm_setup(&pm, &log);
	out(&pm.cnt, 0, SLP_TYP(ACPI_S5_SLP_TYP), 2);
	EXPECT_EQ(log.poweroffs, 0);
	EXPECT_EQ(in(&pm.cnt, 0, 2), SLP_TYP(ACPI_S5_SLP_TYP) | ACPI_PM1_CNT_SCI_EN);
	out(&pm.cnt, 0, SLP_TYP(ACPI_S5_SLP_TYP) | ACPI_PM1_CNT_SLP_EN, 2);
	EXPECT_EQ(log.poweroffs, 1);
	EXPECT_EQ(log.resets, 0);
	/* SLP_EN is write-only. */
	EXPECT_EQ(in(&pm.cnt, 0, 2) & ACPI_PM1_CNT_SLP_EN, 0);
	/* Reads do not fire it again. */
	in(&pm.cnt, 0, 2);
	in(&pm.cnt, 1, 1);
	EXPECT_EQ(log.poweroffs, 1);
	acpi_pm_destroy(&pm);
}

TEST(s5_by_byte_write)
{
	struct acpi_pm pm;
	struct pm_log log;

	pm_setup(&pm, &log);
	/* The high byte holds SLP_TYP and SLP_EN. */
	out(&pm.cnt, 1, (SLP_TYP(ACPI_S5_SLP_TYP) | ACPI_PM1_CNT_SLP_EN) >> 8, 1);
	EXPECT_EQ(log.poweroffs, 1);
	/* A write to the low byte alone keeps SLP_TYP and does not sleep. */
	out(&pm.cnt, 0, 0, 1);
	EXPECT_EQ(log.poweroffs, 1);
	EXPECT_EQ(in(&pm.cnt, 0, 2), SLP_TYP(ACPI_S5_SLP_TYP) | ACPI_PM1_CNT_SCI_EN);
	acpi_pm_destroy(&pm);
}

TEST(other_sleep_types_wake_at_once)
{
	struct acpi_pm pm;
	struct pm_log log;
	u32 t;

	pm_setup(&pm, &log);
	for (t = 0; t < 8; t++) {
		if (t == ACPI_S5_SLP_TYP)
			continue;
		out(&pm.evt, 0, ACPI_PM1_STS_WAK, 2); /* OSPM clears WAK_STS first */
		EXPECT_EQ(in(&pm.evt, 0, 2) & ACPI_PM1_STS_WAK, 0);
		out(&pm.cnt, 0, SLP_TYP(t) | ACPI_PM1_CNT_SLP_EN, 2);
		EXPECT_EQ(in(&pm.evt, 0, 2) & ACPI_PM1_STS_WAK, ACPI_PM1_STS_WAK);
	}
	EXPECT_EQ(log.poweroffs, 0);
	EXPECT_EQ(log.resets, 0);
	acpi_pm_destroy(&pm);
}

TEST(pm1_status_w1c_enable_rw)
{
	struct acpi_pm pm;
	struct pm_log log;

	pm_setup(&pm, &log);
	EXPECT_EQ(in(&pm.evt, 0, 4), 0);
	/* PWRBTN_EN and GBL_EN stick; undefined bits read as zero. */
	out(&pm.evt, 2, 0x0120 | 0x0002, 2);
	EXPECT_EQ(in(&pm.evt, 2, 2), 0x0120);
	EXPECT_EQ(in(&pm.evt, 0, 4), 0x0120u << 16);
	/* Writing ones to status clears, never sets. */
	out(&pm.evt, 0, 0xffff, 2);
	EXPECT_EQ(in(&pm.evt, 0, 2), 0);
	/* A 4-byte write covers both registers. */
	out(&pm.evt, 0, 0x0001u << 16, 4);
	EXPECT_EQ(in(&pm.evt, 2, 1), 0x01);
	EXPECT_EQ(in(&pm.evt, 3, 1), 0x00);
	/* Bytes past the block read as ones. */
	EXPECT_EQ(in(&pm.evt, 3, 2), 0xff00);
	acpi_pm_destroy(&pm);
}

TEST(reset_value_resets)
{
	struct acpi_pm pm;
	struct pm_log log;

	pm_setup(&pm, &log);
	out(&pm.reset, 0, X86_ACPI_RESET_VAL, 1);
	EXPECT_EQ(log.resets, 1);
	EXPECT_EQ(log.poweroffs, 0);
	EXPECT_EQ(in(&pm.reset, 0, 1), 0);
	acpi_pm_destroy(&pm);
}

TEST(other_reset_values_ignored)
{
	struct acpi_pm pm;
	struct pm_log log;
	u32 v;

	pm_setup(&pm, &log);
	for (v = 0; v < 256; v++)
		if (v != X86_ACPI_RESET_VAL)
			out(&pm.reset, 0, v, 1);
	EXPECT_EQ(log.resets, 0);
	/* Nor does a write to the other blocks reset. */
	out(&pm.evt, 0, X86_ACPI_RESET_VAL, 1);
	out(&pm.cnt, 0, X86_ACPI_RESET_VAL, 1);
	EXPECT_EQ(log.resets, 0);
	EXPECT_EQ(log.poweroffs, 0);
	acpi_pm_destroy(&pm);
}

TEST(no_callback_is_harmless)
{
	struct acpi_pm pm;

	ASSERT_EQ(acpi_pm_init(&pm, NULL, NULL), 0);
	out(&pm.cnt, 0, SLP_TYP(ACPI_S5_SLP_TYP) | ACPI_PM1_CNT_SLP_EN, 2);
	out(&pm.reset, 0, X86_ACPI_RESET_VAL, 1);
	acpi_pm_destroy(&pm);
}
