// SPDX-License-Identifier: GPL-2.0
/*
 * MP tables, decoded from the Intel MP Specification 1.4's byte offsets
 * (chapter 4) rather than from mptable.c's structures.
 */
#include <errno.h>

#include "arch/x86_64/layout.h"
#include "arch/x86_64/mptable.h"
#include "arch/x86_64/platform.h"
#include "core/base/error.h"
#include "tests/test.h"
#include "tests/unit/x86_64/topo_fixture.h"

static u8 buf[X86_MPTABLE_SIZE];

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 rd32(const u8 *p)
{
	return rd16(p) | (u32)rd16(p + 2) << 16;
}

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

struct mp_counts {
	u32 cpus, bsps, buses, ioapics, io_ints, local_ints;
	u8 pin_of_irq[16]; /* 0xff: no entry */
	u8 lint_of[4];	   /* by interrupt type: 0 INT, 1 NMI, 2 SMI, 3 ExtINT */
};

/* Walk the configuration table; returns where it says it starts. */
static const u8 *mp_walk(const struct x86_platform *p, int used, struct mp_counts *c)
{
	const u8 *mpf = buf, *cfg, *e, *end;
	u8 last_type = 0;
	u32 entries = 0;

	memset(c, 0, sizeof(*c));
	memset(c->pin_of_irq, 0xff, sizeof(c->pin_of_irq));
	memset(c->lint_of, 0xff, sizeof(c->lint_of));

	/* 4.1: the floating pointer, 16 bytes. */
	EXPECT_TRUE(!memcmp(mpf, "_MP_", 4));
	EXPECT_EQ(mpf[8], 1);
	EXPECT_EQ(mpf[9], 4);
	EXPECT_EQ(sum(mpf, 16), 0);
	EXPECT_EQ(mpf[11], 0); /* feature byte 1: a table follows, no default config */
	EXPECT_EQ(mpf[12], 0); /* no IMCR: virtual wire */
	ASSERT_EQ(rd32(mpf + 4), X86_MPTABLE_ADDR + 16);

	/* 4.2: the configuration table header, 44 bytes. */
	cfg = mpf + 16;
	EXPECT_TRUE(!memcmp(cfg, "PCMP", 4));
	ASSERT_EQ(16 + rd16(cfg + 4), (u32)used);
	EXPECT_EQ(cfg[6], 4);
	EXPECT_EQ(sum(cfg, rd16(cfg + 4)), 0);
	EXPECT_TRUE(!memcmp(cfg + 8, "KTVM    ", 8));
	EXPECT_EQ(rd32(cfg + 28), 0);
	EXPECT_EQ(rd32(cfg + 36), X86_LAPIC_ADDR);
	EXPECT_EQ(rd16(cfg + 40), 0);

	end = cfg + rd16(cfg + 4);
	for (e = cfg + 44; e < end; entries++) {
		ASSERT_GE(e[0], last_type); /* 4.3: sorted by entry type */
		last_type = e[0];
		switch (e[0]) {
		case 0:
			ASSERT_LT(c->cpus, p->nr_cpus);
			EXPECT_EQ(e[1], p->apic_id[c->cpus]);
			EXPECT_EQ(e[2], 0x14);
			EXPECT_TRUE(e[3] & 1); /* enabled */
			if (e[3] & 2) {
				EXPECT_EQ(c->cpus, 0);
				c->bsps++;
			}
			EXPECT_EQ((rd32(e + 4) >> 8) & 0xf, 6); /* family */
			EXPECT_TRUE(rd32(e + 8) & (1u << 9));	/* APIC on chip */
			c->cpus++;
			e += 20;
			break;
		case 1:
			EXPECT_EQ(e[1], 0);
			EXPECT_TRUE(!memcmp(e + 2, "ISA   ", 6));
			c->buses++;
			e += 8;
			break;
		case 2:
			EXPECT_EQ(e[1], p->ioapic_id);
			EXPECT_EQ(e[2], 0x11);
			EXPECT_EQ(e[3], 1);
			EXPECT_EQ(rd32(e + 4), X86_IOAPIC_ADDR);
			c->ioapics++;
			e += 8;
			break;
		case 3:
			EXPECT_EQ(e[1], 0); /* INT */
			EXPECT_EQ(e[4], 0); /* ISA bus */
			EXPECT_EQ(e[6], p->ioapic_id);
			ASSERT_LT(e[5], 16);
			EXPECT_EQ(c->pin_of_irq[e[5]], 0xff);
			c->pin_of_irq[e[5]] = e[7];
			c->io_ints++;
			e += 8;
			break;
		case 4:
			ASSERT_LT(e[1], 4);
			EXPECT_EQ(e[6], 0xff); /* every local APIC */
			c->lint_of[e[1]] = e[7];
			c->local_ints++;
			e += 8;
			break;
		default:
			ASSERT_LE(e[0], 4);
		}
	}
	EXPECT_EQ(e, end);
	EXPECT_EQ(rd16(cfg + 34), entries);
	return cfg;
}

static void check_cpus(u32 nr_cpus)
{
	struct x86_platform p;
	struct mp_counts c;
	int used;

	x86_platform_init(&p, nr_cpus);
	memset(buf, 0xa5, sizeof(buf));
	used = mptable_build(buf, X86_MPTABLE_ADDR, sizeof(buf), &p);
	ASSERT_GT(used, 0);
	mp_walk(&p, used, &c);
	EXPECT_EQ(c.cpus, nr_cpus);
	EXPECT_EQ(c.bsps, 1);
	EXPECT_EQ(c.buses, 1);
	EXPECT_EQ(c.ioapics, 1);
	EXPECT_EQ(c.io_ints, 15);
	EXPECT_EQ(c.local_ints, 2);
}

TEST(one_cpu)
{
	check_cpus(1);
}

TEST(four_cpus)
{
	check_cpus(4);
}

TEST(max_cpus)
{
	check_cpus(ARCH_MAX_VCPUS);
}

TEST(isa_irq_routing)
{
	struct x86_platform p;
	struct mp_counts c;
	int used;
	u8 irq;

	x86_platform_init(&p, 2);
	used = mptable_build(buf, X86_MPTABLE_ADDR, sizeof(buf), &p);
	ASSERT_GT(used, 0);
	mp_walk(&p, used, &c);
	EXPECT_EQ(c.pin_of_irq[0], 2); /* the PIT */
	EXPECT_EQ(c.pin_of_irq[2], 0xff);
	for (irq = 1; irq < 16; irq++)
		if (irq != 2)
			EXPECT_EQ(c.pin_of_irq[irq], irq);
	EXPECT_EQ(c.lint_of[3], 0); /* ExtINT -> LINT0 */
	EXPECT_EQ(c.lint_of[1], 1); /* NMI -> LINT1 */
}

TEST(custom_apic_ids)
{
	struct x86_platform p;
	struct mp_counts c;
	int used;

	x86_platform_init(&p, 2);
	p.apic_id[0] = 6;
	p.apic_id[1] = 3;
	p.ioapic_id = 9;
	used = mptable_build(buf, X86_MPTABLE_ADDR, sizeof(buf), &p);
	ASSERT_GT(used, 0);
	mp_walk(&p, used, &c);
	EXPECT_EQ(c.cpus, 2);
}

TEST(topology_apic_ids)
{
	static const u8 want[] = {0, 1, 2, 4, 5, 6}; /* pkg << 2 | core */
	struct x86_platform p;
	struct topology t;
	struct mp_counts c;
	const u8 *e;
	int used;

	topo_make(&t, "2,2,3,1", 256, NULL);
	x86_platform_init_topology(&p, &t);
	used = mptable_build(buf, X86_MPTABLE_ADDR, sizeof(buf), &p);
	ASSERT_GT(used, 0);
	e = mp_walk(&p, used, &c) + 44;
	EXPECT_EQ(c.cpus, 6);
	for (u32 i = 0; i < 6; i++)
		EXPECT_EQ(e[20 * i + 1], want[i]);
	EXPECT_EQ(p.ioapic_id, 7);
}

TEST(enospc_when_short)
{
	struct x86_platform p;
	int used, ret;

	x86_platform_init(&p, ARCH_MAX_VCPUS);
	used = mptable_build(buf, X86_MPTABLE_ADDR, sizeof(buf), &p);
	ASSERT_GT(used, 0);
	for (int size = 0; size < used; size += 5) {
		error_clear();
		ret = mptable_build(buf, X86_MPTABLE_ADDR, (size_t)size, &p);
		EXPECT_EQ(ret, -ENOSPC);
		EXPECT_EQ(error_kind(), ERROR_HOST);
	}
	EXPECT_EQ(mptable_build(buf, X86_MPTABLE_ADDR, (size_t)used - 1, &p), -ENOSPC);
	EXPECT_EQ(mptable_build(buf, X86_MPTABLE_ADDR, (size_t)used, &p), used);
}

TEST(refuses_bad_platform)
{
	struct x86_platform p;

	x86_platform_init(&p, 0);
	EXPECT_EQ(mptable_build(buf, X86_MPTABLE_ADDR, sizeof(buf), &p), -EINVAL);
	x86_platform_init(&p, ARCH_MAX_VCPUS + 1);
	EXPECT_EQ(mptable_build(buf, X86_MPTABLE_ADDR, sizeof(buf), &p), -EINVAL);
	EXPECT_EQ(error_kind(), ERROR_INPUT);
	x86_platform_init(&p, 2);
	p.apic_id[1] = 255; /* the broadcast ID */
	EXPECT_EQ(mptable_build(buf, X86_MPTABLE_ADDR, sizeof(buf), &p), -EINVAL);
	x86_platform_init(&p, 2);
	p.ioapic_id = 1; /* clashes with CPU 1 */
	EXPECT_EQ(mptable_build(buf, X86_MPTABLE_ADDR, sizeof(buf), &p), -EINVAL);
	x86_platform_init(&p, 2);
	EXPECT_EQ(mptable_build(buf, X86_MPTABLE_ADDR + 4, sizeof(buf), &p), -EINVAL);
}
