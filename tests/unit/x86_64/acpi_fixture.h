/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading acpi_build()'s output back from the spec's byte offsets (ACPI 6.5
 * chapter 5), for the ACPI unit tests: the tables are found through the
 * RSDP, XSDT and RSDT, each with its header and checksum checked.
 */
#ifndef KTVM_TESTS_UNIT_X86_64_ACPI_FIXTURE_H
#define KTVM_TESTS_UNIT_X86_64_ACPI_FIXTURE_H

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/platform.h"
#include "tests/test.h"

static u8 buf[X86_ACPI_SIZE];

static inline u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 rd32(const u8 *p)
{
	return rd16(p) | (u32)rd16(p + 2) << 16;
}

static inline u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

static inline u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

struct tables {
	int used;
	const u8 *rsdp, *xsdt, *rsdt, *fadt, *facs, *dsdt, *madt, *srat, *slit, *hmat;
	u32 nr_tables;
};

/* A table at gpa, wholly inside what acpi_build() used, with a good header. */
static inline const u8 *table_at(const struct tables *t, u64 gpa, const char *sig)
{
	const u8 *tab;
	u32 len;

	ASSERT_GE(gpa, X86_ACPI_ADDR);
	ASSERT_LE(gpa + 36, X86_ACPI_ADDR + (u64)t->used);
	tab = buf + (gpa - X86_ACPI_ADDR);
	len = rd32(tab + 4);
	ASSERT_GE(len, 36);
	ASSERT_LE(gpa + len, X86_ACPI_ADDR + (u64)t->used);
	EXPECT_TRUE(!memcmp(tab, sig, 4));
	EXPECT_EQ(sum(tab, len), 0);
	EXPECT_TRUE(!memcmp(tab + 10, "KTVM  ", 6));
	return tab;
}

static inline void build(struct tables *t, const struct x86_platform *p)
{
	u64 rsdp_gpa = 0;
	const u8 *e;
	u32 i, n;

	memset(buf, 0xa5, sizeof(buf));
	memset(t, 0, sizeof(*t));
	t->used = acpi_build(buf, X86_ACPI_ADDR, sizeof(buf), p, &rsdp_gpa);
	ASSERT_GT(t->used, 0);
	ASSERT_EQ(rsdp_gpa % 16, 0);
	ASSERT_GE(rsdp_gpa, X86_ACPI_ADDR);
	t->rsdp = buf + (rsdp_gpa - X86_ACPI_ADDR);

	t->xsdt = table_at(t, rd64(t->rsdp + 24), "XSDT");
	t->rsdt = table_at(t, rd32(t->rsdp + 16), "RSDT");
	n = (rd32(t->xsdt + 4) - 36) / 8;
	EXPECT_EQ(n, (rd32(t->rsdt + 4) - 36) / 4);
	for (i = 0; i < n; i++) {
		e = t->xsdt + 36 + 8 * i;
		EXPECT_EQ(rd64(e), rd32(t->rsdt + 36 + 4 * i));
		if (!memcmp(buf + (rd64(e) - X86_ACPI_ADDR), "FACP", 4))
			t->fadt = table_at(t, rd64(e), "FACP");
		else if (!memcmp(buf + (rd64(e) - X86_ACPI_ADDR), "SRAT", 4))
			t->srat = table_at(t, rd64(e), "SRAT");
		else if (!memcmp(buf + (rd64(e) - X86_ACPI_ADDR), "SLIT", 4))
			t->slit = table_at(t, rd64(e), "SLIT");
		else if (!memcmp(buf + (rd64(e) - X86_ACPI_ADDR), "HMAT", 4))
			t->hmat = table_at(t, rd64(e), "HMAT");
		else
			t->madt = table_at(t, rd64(e), "APIC");
	}
	t->nr_tables = n;
	ASSERT_TRUE(t->fadt && t->madt);
	t->dsdt = table_at(t, rd64(t->fadt + 140), "DSDT");
	t->facs = buf + (rd32(t->fadt + 36) - X86_ACPI_ADDR);
}

#endif
