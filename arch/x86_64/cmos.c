// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818A real-time clock and CMOS RAM behind the PC/AT index/data ports.
 *
 * The clock reads the host's wall-clock time at every access, so it never
 * needs an update cycle: UIP is always clear and a guest polling for the end
 * of an update returns at once. The interrupt flags never fire (no IRQ 8),
 * and the guest cannot set the time: writes to the time registers are
 * dropped. Everything else in the 128 bytes is plain RAM.
 */
#include <string.h>
#include <time.h>

#include "arch/x86_64/cmos.h"
#include "arch/x86_64/layout.h"
#include "core/base/error.h"

/*
 * PC/AT ports: writing 0x70 selects a register (bits 6:0) and sets the NMI
 * mask (bit 7, not an RTC bit); 0x71 reads or writes the selected register.
 */
#define CMOS_INDEX_PORT 0
#define CMOS_DATA_PORT	1
#define CMOS_INDEX_MASK 0x7f

/* MC146818A data sheet, "Address Map": time, alarm and status registers. */
#define RTC_SECONDS	  0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES	  0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS	  0x04
#define RTC_HOURS_ALARM	  0x05
#define RTC_DAY_OF_WEEK	  0x06 /* 1-7, Sunday = 1 */
#define RTC_DAY_OF_MONTH  0x07
#define RTC_MONTH	  0x08
#define RTC_YEAR	  0x09 /* two digits */
#define RTC_REG_A	  0x0a
#define RTC_REG_B	  0x0b
#define RTC_REG_C	  0x0c
#define RTC_REG_D	  0x0d

/*
 * Register A: bit 7 UIP (update in progress, read-only), bits 6:4 the
 * divider (010 = 32.768 kHz time base), bits 3:0 the periodic rate
 * (0110 = 1.024 kHz). 0x26 is what PC firmware programs.
 */
#define RTC_A_UIP     0x80
#define RTC_A_DEFAULT 0x26

/*
 * Register B: bit 7 SET, 6 PIE, 5 AIE, 4 UIE, 3 SQWE, 2 DM (1 = binary,
 * 0 = BCD), 1 24/12 (1 = 24-hour), 0 DSE. The default is 24-hour BCD.
 */
#define RTC_B_DM_BINARY 0x04
#define RTC_B_24H	0x02
#define RTC_B_DEFAULT	RTC_B_24H

/* Register D: bit 7 VRT (valid RAM and time), the rest read as 0. */
#define RTC_D_VRT 0x80

/* In 12-hour mode the hours register has the PM flag in bit 7. */
#define RTC_HOURS_PM 0x80

/*
 * IBM PC/AT CMOS map (AT Technical Reference, "CMOS RAM Address Map"):
 * base memory in KiB at 0x15/0x16, memory above 1 MiB in KiB at 0x17/0x18
 * (configured) and 0x30/0x31 (found by POST), the century in BCD at 0x32
 * (the byte the ACPI FADT CENTURY field names). The Bochs/QEMU BIOS
 * convention, read by SeaBIOS, adds memory above 16 MiB (below 4 GiB) in
 * 64 KiB units at 0x34/0x35 and memory above 4 GiB in 64 KiB units at
 * 0x5b-0x5d. All little-endian.
 */
#define CMOS_BASE_MEM_LO     0x15
#define CMOS_BASE_MEM_HI     0x16
#define CMOS_EXT_MEM_LO	     0x17
#define CMOS_EXT_MEM_HI	     0x18
#define CMOS_EXT_MEM_POST_LO 0x30
#define CMOS_EXT_MEM_POST_HI 0x31
#define CMOS_CENTURY	     0x32
#define CMOS_MEM_16M_LO	     0x34
#define CMOS_MEM_16M_HI	     0x35
#define CMOS_MEM_4G_0	     0x5b
#define CMOS_MEM_4G_1	     0x5c
#define CMOS_MEM_4G_2	     0x5d

static s64 cmos_time_now(void)
{
	return (s64)time(NULL);
}

static u8 cmos_bcd(unsigned int v)
{
	v %= 100;
	return (u8)(((v / 10) << 4) | (v % 10));
}

/* A time register, in the format register B selects. */
static u8 cmos_time_reg(struct cmos *c, u8 reg)
{
	bool binary = c->ram[RTC_REG_B] & RTC_B_DM_BINARY;
	time_t t = (time_t)c->now();
	unsigned int v, year;
	struct tm tm;
	bool pm = false;

	/* A time source beyond what gmtime handles reads as the epoch. */
	if (!gmtime_r(&t, &tm)) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	year = (unsigned int)tm.tm_year + 1900;

	switch (reg) {
	case RTC_SECONDS:
		v = (unsigned int)tm.tm_sec;
		break;
	case RTC_MINUTES:
		v = (unsigned int)tm.tm_min;
		break;
	case RTC_HOURS:
		v = (unsigned int)tm.tm_hour;
		if (!(c->ram[RTC_REG_B] & RTC_B_24H)) {
			pm = v >= 12;
			v = v % 12 ? v % 12 : 12;
		}
		break;
	case RTC_DAY_OF_WEEK:
		v = (unsigned int)tm.tm_wday + 1;
		break;
	case RTC_DAY_OF_MONTH:
		v = (unsigned int)tm.tm_mday;
		break;
	case RTC_MONTH:
		v = (unsigned int)tm.tm_mon + 1;
		break;
	case RTC_YEAR:
		v = year % 100;
		break;
	default: /* CMOS_CENTURY */
		v = (year / 100) % 100;
		break;
	}
	/* The century byte is BCD whatever DM says: it is not an RTC register. */
	v = (binary && reg != CMOS_CENTURY) ? v % 100 : cmos_bcd(v);
	return (u8)(v | (pm ? RTC_HOURS_PM : 0));
}

static bool cmos_is_time_reg(u8 reg)
{
	switch (reg) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case CMOS_CENTURY:
		return true;
	}
	return false;
}

static u8 cmos_read(struct cmos *c, u8 reg)
{
	if (cmos_is_time_reg(reg))
		return cmos_time_reg(c, reg);
	switch (reg) {
	case RTC_REG_A:
		/* Never in an update cycle: the time is computed per read. */
		return c->ram[RTC_REG_A] & ~RTC_A_UIP;
	case RTC_REG_C:
		/* No interrupt flags: periodic, alarm and update never fire. */
		return 0;
	case RTC_REG_D:
		return RTC_D_VRT;
	}
	return c->ram[reg];
}

static void cmos_write(struct cmos *c, u8 reg, u8 val)
{
	/* The clock follows the host; C and D are read-only. */
	if (cmos_is_time_reg(reg) || reg == RTC_REG_C || reg == RTC_REG_D)
		return;
	if (reg == RTC_REG_A)
		val &= ~RTC_A_UIP;
	/* Register B keeps all its bits; DM and 24/12 change how time reads. */
	c->ram[reg] = val;
}

static void cmos_access(struct bus_region *r, struct vcpu *vcpu, u64 off, u8 *data, u32 len,
			bool is_write)
{
	struct cmos *c = container_of(r, struct cmos, region);

	if (len != 1 || off > CMOS_DATA_PORT) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}

	pthread_mutex_lock(&c->lock);
	if (off == CMOS_INDEX_PORT) {
		/* The index port is write-only on the PC/AT. */
		if (is_write)
			c->index = data[0] & CMOS_INDEX_MASK;
		else
			data[0] = 0xff;
	} else if (is_write) {
		cmos_write(c, c->index, data[0]);
	} else {
		data[0] = cmos_read(c, c->index);
	}
	pthread_mutex_unlock(&c->lock);
}

static void cmos_put16(struct cmos *c, u8 reg, u64 v)
{
	c->ram[reg] = (u8)v;
	c->ram[reg + 1] = (u8)(v >> 8);
}

static void cmos_set_memory(struct cmos *c)
{
	u64 below = c->mem_below_4g, above = c->mem_above_4g;
	u64 ext_kib = below > X86_HIMEM_START ? (below - X86_HIMEM_START) / KiB : 0;
	u64 over_16m = below > 16 * MiB ? (below - 16 * MiB) / (64 * KiB) : 0;
	u64 over_4g = above / (64 * KiB);

	cmos_put16(c, CMOS_BASE_MEM_LO, X86_LOWMEM_END / KiB);
	cmos_put16(c, CMOS_EXT_MEM_LO, MIN(ext_kib, 0xffffULL));
	cmos_put16(c, CMOS_EXT_MEM_POST_LO, MIN(ext_kib, 0xffffULL));
	cmos_put16(c, CMOS_MEM_16M_LO, MIN(over_16m, 0xffffULL));
	over_4g = MIN(over_4g, 0xffffffULL);
	c->ram[CMOS_MEM_4G_0] = (u8)over_4g;
	c->ram[CMOS_MEM_4G_1] = (u8)(over_4g >> 8);
	c->ram[CMOS_MEM_4G_2] = (u8)(over_4g >> 16);
}

int cmos_init(struct cmos *c, u64 mem_below_4g, u64 mem_above_4g)
{
	int ret;

	memset(c, 0, sizeof(*c));
	ret = pthread_mutex_init(&c->lock, NULL);
	if (ret)
		return error_host(-ret, "cmos: cannot initialise lock: %s", strerror(ret));
	c->region.name = "cmos";
	c->region.base = X86_CMOS_PORT;
	c->region.len = 2;
	c->region.access = cmos_access;
	c->now = cmos_time_now;
	c->mem_below_4g = mem_below_4g;
	c->mem_above_4g = mem_above_4g;
	c->ram[RTC_REG_A] = RTC_A_DEFAULT;
	c->ram[RTC_REG_B] = RTC_B_DEFAULT;
	c->ram[RTC_REG_D] = RTC_D_VRT;
	cmos_set_memory(c);
	return 0;
}

void cmos_destroy(struct cmos *c)
{
	pthread_mutex_destroy(&c->lock);
}
