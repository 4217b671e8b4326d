// SPDX-License-Identifier: GPL-2.0
/* MC146818A CMOS/RTC model: time in BCD, status registers, memory-size bytes. */
#include "arch/x86_64/cmos.h"
#include "tests/test.h"

/* 2026-11-22 13:45:07 UTC, a Sunday. */
#define FIXED_NOW 1795355107LL

static s64 fixed_now(void)
{
	return FIXED_NOW;
}

static s64 absurd_now(void)
{
	return INT64_MAX;
}

static void cmos_out(struct cmos *c, u64 off, u8 val)
{
	c->region.access(&c->region, NULL, off, &val, 1, true);
}

static u8 cmos_in(struct cmos *c, u64 off)
{
	u8 val = 0x5a;

	c->region.access(&c->region, NULL, off, &val, 1, false);
	return val;
}

static u8 cmos_reg(struct cmos *c, u8 index)
{
	cmos_out(c, 0, index);
	return cmos_in(c, 1);
}

static void cmos_set(struct cmos *c, u8 index, u8 val)
{
	cmos_out(c, 0, index);
	cmos_out(c, 1, val);
}

TEST(init_fills_region)
{
	struct cmos c;

	ASSERT_EQ(cmos_init(&c, 256 * MiB, 0), 0);
	EXPECT_EQ(c.region.base, 0x70);
	EXPECT_EQ(c.region.len, 2);
	EXPECT_STREQ(c.region.name, "cmos");
	EXPECT_TRUE(c.now != NULL);
	cmos_destroy(&c);
}

TEST(time_in_bcd)
{
	struct cmos c;

	ASSERT_EQ(cmos_init(&c, 256 * MiB, 0), 0);
	c.now = fixed_now;
	EXPECT_EQ(cmos_reg(&c, 0x00), 0x07);
	EXPECT_EQ(cmos_reg(&c, 0x02), 0x45);
	EXPECT_EQ(cmos_reg(&c, 0x04), 0x13);
	EXPECT_EQ(cmos_reg(&c, 0x06), 0x01);
	EXPECT_EQ(cmos_reg(&c, 0x07), 0x22);
	EXPECT_EQ(cmos_reg(&c, 0x08), 0x11);
	EXPECT_EQ(cmos_reg(&c, 0x09), 0x26);
	EXPECT_EQ(cmos_reg(&c, 0x32), 0x20);
	cmos_destroy(&c);
}

TEST(status_registers)
{
	struct cmos c;

	ASSERT_EQ(cmos_init(&c, 256 * MiB, 0), 0);
	EXPECT_EQ(cmos_reg(&c, 0x0a), 0x26);
	EXPECT_EQ(cmos_reg(&c, 0x0b), 0x02);
	EXPECT_EQ(cmos_reg(&c, 0x0c), 0x00);
	EXPECT_EQ(cmos_reg(&c, 0x0d), 0x80);
	/* UIP stays clear, whatever is written; C and D are read-only. */
	cmos_set(&c, 0x0a, 0xa6);
	EXPECT_EQ(cmos_reg(&c, 0x0a), 0x26);
	for (int i = 0; i < 1000; i++)
		ASSERT_EQ(cmos_reg(&c, 0x0a) & 0x80, 0);
	cmos_set(&c, 0x0c, 0xff);
	cmos_set(&c, 0x0d, 0x00);
	EXPECT_EQ(cmos_reg(&c, 0x0c), 0x00);
	EXPECT_EQ(cmos_reg(&c, 0x0d), 0x80);
	cmos_destroy(&c);
}

TEST(register_b_selects_format)
{
	struct cmos c;

	ASSERT_EQ(cmos_init(&c, 256 * MiB, 0), 0);
	c.now = fixed_now;
	cmos_set(&c, 0x0b, 0x06); /* binary, 24-hour */
	EXPECT_EQ(cmos_reg(&c, 0x0b), 0x06);
	EXPECT_EQ(cmos_reg(&c, 0x00), 7);
	EXPECT_EQ(cmos_reg(&c, 0x02), 45);
	EXPECT_EQ(cmos_reg(&c, 0x04), 13);
	EXPECT_EQ(cmos_reg(&c, 0x09), 26);
	EXPECT_EQ(cmos_reg(&c, 0x32), 0x20); /* century is BCD regardless */
	cmos_set(&c, 0x0b, 0x00);	     /* BCD, 12-hour: 1 PM */
	EXPECT_EQ(cmos_reg(&c, 0x04), 0x81);
	cmos_destroy(&c);
}

TEST(time_not_settable)
{
	struct cmos c;

	ASSERT_EQ(cmos_init(&c, 256 * MiB, 0), 0);
	c.now = fixed_now;
	cmos_set(&c, 0x00, 0x59);
	cmos_set(&c, 0x09, 0x99);
	EXPECT_EQ(cmos_reg(&c, 0x00), 0x07);
	EXPECT_EQ(cmos_reg(&c, 0x09), 0x26);
	/* Alarms are RAM. */
	cmos_set(&c, 0x01, 0x30);
	EXPECT_EQ(cmos_reg(&c, 0x01), 0x30);
	cmos_destroy(&c);
}

TEST(absurd_time_source)
{
	struct cmos c;

	ASSERT_EQ(cmos_init(&c, 256 * MiB, 0), 0);
	c.now = absurd_now;
	/* Reads as some valid BCD date rather than garbage. */
	EXPECT_LE(cmos_reg(&c, 0x08), 0x12);
	EXPECT_GE(cmos_reg(&c, 0x08), 0x01);
	cmos_destroy(&c);
}

TEST(memory_256m)
{
	struct cmos c;

	ASSERT_EQ(cmos_init(&c, 256 * MiB, 0), 0);
	EXPECT_EQ(cmos_reg(&c, 0x15), 0x80); /* 640 KiB base memory */
	EXPECT_EQ(cmos_reg(&c, 0x16), 0x02);
	/* 255 MiB above 1 MiB is more KiB than 16 bits hold. */
	EXPECT_EQ(cmos_reg(&c, 0x30), 0xff);
	EXPECT_EQ(cmos_reg(&c, 0x31), 0xff);
	EXPECT_EQ(cmos_reg(&c, 0x17), 0xff);
	EXPECT_EQ(cmos_reg(&c, 0x18), 0xff);
	/* 240 MiB above 16 MiB = 3840 (0x0f00) 64 KiB units. */
	EXPECT_EQ(cmos_reg(&c, 0x34), 0x00);
	EXPECT_EQ(cmos_reg(&c, 0x35), 0x0f);
	EXPECT_EQ(cmos_reg(&c, 0x5b), 0x00);
	EXPECT_EQ(cmos_reg(&c, 0x5c), 0x00);
	EXPECT_EQ(cmos_reg(&c, 0x5d), 0x00);
	cmos_destroy(&c);
}

TEST(memory_8g)
{
	struct cmos c;

	/* The x86 layout: RAM up to 3 GiB, the rest above 4 GiB. */
	ASSERT_EQ(cmos_init(&c, 3 * GiB, 5 * GiB), 0);
	EXPECT_EQ(cmos_reg(&c, 0x30), 0xff);
	EXPECT_EQ(cmos_reg(&c, 0x31), 0xff);
	/* (3072 - 16) MiB = 48896 (0xbf00) 64 KiB units. */
	EXPECT_EQ(cmos_reg(&c, 0x34), 0x00);
	EXPECT_EQ(cmos_reg(&c, 0x35), 0xbf);
	/* 5 GiB = 81920 (0x014000) 64 KiB units. */
	EXPECT_EQ(cmos_reg(&c, 0x5b), 0x00);
	EXPECT_EQ(cmos_reg(&c, 0x5c), 0x40);
	EXPECT_EQ(cmos_reg(&c, 0x5d), 0x01);
	cmos_destroy(&c);
}

TEST(memory_small_and_huge)
{
	struct cmos c;

	ASSERT_EQ(cmos_init(&c, 8 * MiB, 0), 0);
	/* 7 MiB = 7168 (0x1c00) KiB; nothing above 16 MiB. */
	EXPECT_EQ(cmos_reg(&c, 0x30), 0x00);
	EXPECT_EQ(cmos_reg(&c, 0x31), 0x1c);
	EXPECT_EQ(cmos_reg(&c, 0x34), 0x00);
	EXPECT_EQ(cmos_reg(&c, 0x35), 0x00);
	cmos_destroy(&c);

	/* Above 4 GiB is capped at 24 bits of 64 KiB units (1 TiB - 64 KiB). */
	ASSERT_EQ(cmos_init(&c, 3 * GiB, 4096 * GiB), 0);
	EXPECT_EQ(cmos_reg(&c, 0x5b), 0xff);
	EXPECT_EQ(cmos_reg(&c, 0x5c), 0xff);
	EXPECT_EQ(cmos_reg(&c, 0x5d), 0xff);
	/* And the next byte is untouched. */
	EXPECT_EQ(cmos_reg(&c, 0x5e), 0x00);
	cmos_destroy(&c);
}

TEST(nmi_bit_masked)
{
	struct cmos c;

	ASSERT_EQ(cmos_init(&c, 256 * MiB, 0), 0);
	c.now = fixed_now;
	EXPECT_EQ(cmos_reg(&c, 0x80 | 0x00), 0x07);
	EXPECT_EQ(cmos_reg(&c, 0x80 | 0x0d), 0x80);
	EXPECT_EQ(cmos_reg(&c, 0x80 | 0x0a), 0x26);
	EXPECT_EQ(c.index, 0x0a);
	cmos_destroy(&c);
}

TEST(index_stays_in_ram)
{
	struct cmos c;

	ASSERT_EQ(cmos_init(&c, 256 * MiB, 0), 0);
	cmos_set(&c, 0x7f, 0xab);
	EXPECT_EQ(cmos_reg(&c, 0x7f), 0xab);
	/* 0xff is 0x7f with the NMI bit. */
	cmos_set(&c, 0xff, 0xcd);
	EXPECT_EQ(cmos_reg(&c, 0x7f), 0xcd);
	EXPECT_EQ(cmos_reg(&c, 0xff), 0xcd);
	EXPECT_LT(c.index, sizeof(c.ram));
	/* The fields after ram[] are intact. */
	EXPECT_EQ(c.mem_below_4g, 256 * MiB);
	EXPECT_EQ(c.mem_above_4g, 0);
	/* Plain RAM elsewhere. */
	cmos_set(&c, 0x40, 0x12);
	EXPECT_EQ(cmos_reg(&c, 0x40), 0x12);
	cmos_destroy(&c);
}

TEST(odd_accesses)
{
	struct cmos c;
	u8 buf[4] = {0x0a, 0x0a, 0x0a, 0x0a};

	ASSERT_EQ(cmos_init(&c, 256 * MiB, 0), 0);
	cmos_out(&c, 0, 0x40);
	/* The index port is write-only; out-of-range and wide accesses do nothing. */
	EXPECT_EQ(cmos_in(&c, 0), 0xff);
	EXPECT_EQ(cmos_in(&c, 2), 0xff);
	cmos_out(&c, 2, 0x0a);
	c.region.access(&c.region, NULL, 0, buf, 2, true);
	EXPECT_EQ(c.index, 0x40);
	c.region.access(&c.region, NULL, 0, buf, 2, false);
	EXPECT_EQ(buf[0], 0xff);
	EXPECT_EQ(buf[1], 0xff);
	EXPECT_EQ(buf[2], 0x0a);
	cmos_destroy(&c);
}
