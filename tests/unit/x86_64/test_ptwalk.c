// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 page-table walk (arch/x86_64/ptwalk.c) over synthetic tables in a
 * fake guest memory (tests/unit/gva_fake.h). Table indices and expected
 * addresses are worked out by hand in the comments, not with the walker's
 * helpers: 4-level paging splits a linear address 9/9/9/9/12 (PML4 47:39,
 * PDPT 38:30, PD 29:21, PT 20:12, offset 11:0), 5-level adds PML5 56:48.
 */
#include <errno.h>

#include "arch/x86_64/ptwalk.h"
#include "tests/test.h"
#include "tests/unit/gva_fake.h"

/* Entry bits, Intel SDM Vol 3A 4.5. */
#define P  0x001ULL
#define RW 0x002ULL
#define PS 0x080ULL
#define XD (1ULL << 63)

/* Table pages in the fake memory. */
#define PML4 0x1000ULL
#define PDPT 0x2000ULL
#define PD   0x3000ULL
#define PT   0x4000ULL
#define PML5 0x5000ULL

/* CR0 = PE|ET|PG, CR4 = PAE, EFER = LME|LMA: a 64-bit kernel's state. */
#define LM_CR0	0x80000011ULL
#define LM_CR4	0x20ULL
#define LA57	0x1000ULL
#define LM_EFER 0x500ULL

static const struct x86_mmu lm4 = {.cr0 = LM_CR0, .cr3 = PML4, .cr4 = LM_CR4, .efer = LM_EFER};
static const struct x86_mmu lm5 = {
    .cr0 = LM_CR0, .cr3 = PML5, .cr4 = LM_CR4 | LA57, .efer = LM_EFER};

static void put(u64 table, unsigned int index, u64 entry)
{
	gva_fake_put(table + index * 8ULL, entry, false);
}

/*
 * 0x00007f1234567abc = 0xfe << 39 | 0x48 << 30 | 0x1a2 << 21 | 0x167 << 12 | 0xabc:
 * PML4 254, PDPT 72, PD 418, PT 359, offset 0xabc.
 */
#define USER_VA 0x00007f1234567abcULL

static void map_user_4k(u64 frame)
{
	gva_fake_reset();
	put(PML4, 254, PDPT | P | RW);
	put(PDPT, 72, PD | P | RW);
	put(PD, 418, PT | P | RW);
	put(PT, 359, frame | P | RW);
}

static int walk(const struct x86_mmu *m, u64 gva, struct gva_result *res)
{
	res->gpa = res->page_size = 0xdead;
	return x86_ptwalk(m, gva, &gva_fake_reader, res);
}

TEST(page_4k_keeps_offset)
{
	struct gva_result res;

	map_user_4k(0x123456789000ULL);
	ASSERT_EQ(walk(&lm4, USER_VA, &res), 0);
	EXPECT_EQ(res.gpa, 0x123456789abcULL);
	EXPECT_EQ(res.page_size, 4096);
	EXPECT_EQ(gva_fake.reads, 4);
}

TEST(page_4k_neighbour_is_unmapped)
{
	struct gva_result res;

	map_user_4k(0x123456789000ULL);
	/* the next page: PT index 360, not present */
	EXPECT_EQ(walk(&lm4, USER_VA + 0x1000, &res), -ENOENT);
	/* same page, last byte */
	ASSERT_EQ(walk(&lm4, 0x00007f1234567fffULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x123456789fffULL);
}

TEST(kernel_half_4k)
{
	struct gva_result res;

	/* 0xffff888012345678: 47:39 = 0x111 (273), 38:30 = 0, 29:21 = 0x91 (145),
	 * 20:12 = 0x145 (325), offset 0x678 */
	gva_fake_reset();
	put(PML4, 273, PDPT | P);
	put(PDPT, 0, PD | P);
	put(PD, 145, PT | P);
	put(PT, 325, 0x7000 | P);
	ASSERT_EQ(walk(&lm4, 0xffff888012345678ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x7678);
	EXPECT_EQ(res.page_size, 4096);
}

TEST(page_2m)
{
	struct gva_result res;

	/* PDE 418 maps 2 MiB at 0x40000000; offset = bits 20:0 = 0x167abc */
	gva_fake_reset();
	put(PML4, 254, PDPT | P);
	put(PDPT, 72, PD | P);
	put(PD, 418, 0x40000000 | PS | P);
	ASSERT_EQ(walk(&lm4, USER_VA, &res), 0);
	EXPECT_EQ(res.gpa, 0x40167abcULL);
	EXPECT_EQ(res.page_size, 2ULL << 20);
	EXPECT_EQ(gva_fake.reads, 3);
}

TEST(page_2m_pat_bit_is_not_address)
{
	struct gva_result res;

	/* bit 12 of a 2 MiB PDE is PAT; 20:13 are reserved and not address either */
	gva_fake_reset();
	put(PML4, 254, PDPT | P);
	put(PDPT, 72, PD | P);
	put(PD, 418, 0x40000000 | 0x1000 | PS | P);
	ASSERT_EQ(walk(&lm4, USER_VA, &res), 0);
	EXPECT_EQ(res.gpa, 0x40167abcULL);
}

TEST(page_1g)
{
	struct gva_result res;

	/* PDPTE 72 maps 1 GiB at 0x80_0000_0000; offset = bits 29:0 = 0x34567abc */
	gva_fake_reset();
	put(PML4, 254, PDPT | P);
	put(PDPT, 72, 0x8000000000ULL | 0x1000 | PS | P);
	ASSERT_EQ(walk(&lm4, USER_VA, &res), 0);
	EXPECT_EQ(res.gpa, 0x8034567abcULL);
	EXPECT_EQ(res.page_size, 1ULL << 30);
	EXPECT_EQ(gva_fake.reads, 2);
}

TEST(pte_bit7_is_pat_not_ps)
{
	struct gva_result res;

	map_user_4k(0x123456789000ULL);
	put(PT, 359, 0x123456789000ULL | PS | P);
	ASSERT_EQ(walk(&lm4, USER_VA, &res), 0);
	EXPECT_EQ(res.gpa, 0x123456789abcULL);
	EXPECT_EQ(res.page_size, 4096);
}

TEST(high_entry_bits_are_not_address)
{
	struct gva_result res;

	/* XD (63) and 62:52 (ignored / protection key) set in every entry */
	gva_fake_reset();
	put(PML4, 254, XD | 0x7ff0000000000000ULL | PDPT | P);
	put(PDPT, 72, XD | 0x0010000000000000ULL | PD | P);
	put(PD, 418, XD | 0x7800000000000000ULL | PT | P);
	put(PT, 359, XD | 0x7ff0000000000000ULL | 0x000ffffffffff000ULL | P);
	ASSERT_EQ(walk(&lm4, USER_VA, &res), 0);
	EXPECT_EQ(res.gpa, 0x000ffffffffffabcULL);
}

TEST(five_level)
{
	struct gva_result res;

	/*
	 * 0xff5a123456789abc: canonical for 57 bits (63:56 = 0xff copy bit
	 * 56 = 1). 56:48 = 0x15a (346), 47:39 = 0x24 (36), 38:30 = 0xd1 (209),
	 * 29:21 = 0xb3 (179), 20:12 = 0x189 (393), offset 0xabc.
	 */
	gva_fake_reset();
	put(PML5, 346, PML4 | P);
	put(PML4, 36, PDPT | P);
	put(PDPT, 209, PD | P);
	put(PD, 179, PT | P);
	put(PT, 393, 0xfedcba000ULL | P);
	ASSERT_EQ(walk(&lm5, 0xff5a123456789abcULL, &res), 0);
	EXPECT_EQ(res.gpa, 0xfedcbaabcULL);
	EXPECT_EQ(res.page_size, 4096);
	EXPECT_EQ(gva_fake.reads, 5);
	/* with 4 levels the same address is not canonical */
	EXPECT_EQ(walk(&lm4, 0xff5a123456789abcULL, &res), -EINVAL);
}

TEST(five_level_low_half_and_1g)
{
	struct gva_result res;

	/* 0x00007f1234567abc under LA57: PML5 index 0 (bits 56:48), then as in 4-level */
	gva_fake_reset();
	put(PML5, 0, PML4 | P);
	put(PML4, 254, PDPT | P);
	put(PDPT, 72, 0xc0000000ULL | PS | P);
	ASSERT_EQ(walk(&lm5, USER_VA, &res), 0);
	EXPECT_EQ(res.gpa, 0xc0000000ULL + 0x34567abcULL);
	EXPECT_EQ(res.page_size, 1ULL << 30);
}

TEST(non_canonical)
{
	static const u64 bad4[] = {0x0000800000000000ULL, 0xffff7fffffffffffULL,
				   0x8000000000000000ULL, 0x00ff000000000000ULL,
				   0x7fffffffffffffffULL};
	static const u64 bad5[] = {0x0100000000000000ULL, 0xfeffffffffffffffULL,
				   0x8000000000000000ULL};
	struct gva_result res;

	map_user_4k(0x123456789000ULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad4); i++)
		EXPECT_EQ(walk(&lm4, bad4[i], &res), -EINVAL);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad5); i++)
		EXPECT_EQ(walk(&lm5, bad5[i], &res), -EINVAL);
	/* nothing was read for them */
	EXPECT_EQ(gva_fake.reads, 0);
	/* the edges of the canonical halves are fine (and not present here) */
	EXPECT_EQ(walk(&lm4, 0x00007fffffffffffULL, &res), -ENOENT);
	EXPECT_EQ(walk(&lm4, 0xffff800000000000ULL, &res), -ENOENT);
	EXPECT_EQ(walk(&lm5, 0x00ffffffffffffffULL, &res), -ENOENT);
	EXPECT_EQ(walk(&lm5, 0xff00000000000000ULL, &res), -ENOENT);
}

TEST(not_present_at_each_level)
{
	static const struct {
		u64 table;
		unsigned int index;
	} path[] = {{PML5, 346}, {PML4, 36}, {PDPT, 209}, {PD, 179}, {PT, 393}};
	struct gva_result res;

	for (unsigned int lvl = 0; lvl < ARRAY_SIZE(path); lvl++) {
		gva_fake_reset();
		put(PML5, 346, PML4 | P);
		put(PML4, 36, PDPT | P);
		put(PDPT, 209, PD | P);
		put(PD, 179, PT | P);
		put(PT, 393, 0xfedcba000ULL | P);
		/* clear P only: the rest of the entry stays as it was */
		gva_fake.mem[path[lvl].table + path[lvl].index * 8] &= ~(u8)P;
		EXPECT_EQ(walk(&lm5, 0xff5a123456789abcULL, &res), -ENOENT);
		EXPECT_EQ(gva_fake.reads, lvl + 1);
	}
}

TEST(not_present_2m_and_1g_leaves)
{
	struct gva_result res;

	/* PS without P is not a page */
	gva_fake_reset();
	put(PML4, 254, PDPT | P);
	put(PDPT, 72, 0x40000000ULL | PS);
	EXPECT_EQ(walk(&lm4, USER_VA, &res), -ENOENT);
	put(PDPT, 72, PD | P);
	put(PD, 418, 0x40000000ULL | PS);
	EXPECT_EQ(walk(&lm4, USER_VA, &res), -ENOENT);
}

TEST(ps_in_pml4e_is_reserved)
{
	struct gva_result res;

	map_user_4k(0x123456789000ULL);
	put(PML4, 254, PDPT | PS | P);
	EXPECT_EQ(walk(&lm4, USER_VA, &res), -ENOENT);
	gva_fake_reset();
	put(PML5, 346, PML4 | PS | P);
	EXPECT_EQ(walk(&lm5, 0xff5a123456789abcULL, &res), -ENOENT);
}

TEST(table_read_failure)
{
	struct x86_mmu m = lm4;
	struct gva_result res;

	/* a PD outside the fake RAM */
	map_user_4k(0x123456789000ULL);
	put(PDPT, 72, 0x40000000ULL | P);
	EXPECT_EQ(walk(&lm4, USER_VA, &res), -EFAULT);

	/* the reader failing on the PT entry itself */
	map_user_4k(0x123456789000ULL);
	gva_fake.fail_gpa = PT + 359 * 8;
	EXPECT_EQ(walk(&lm4, USER_VA, &res), -EFAULT);
	EXPECT_EQ(gva_fake.reads, 4);

	/* CR3 outside RAM */
	m.cr3 = 0x7ffff000ULL;
	EXPECT_EQ(walk(&m, USER_VA, &res), -EFAULT);
}

TEST(cr3_low_bits_ignored)
{
	static const u64 low[] = {0x018 /* PWT|PCD */, 0xfff /* PCID */, 0x123};
	struct x86_mmu m = lm4;
	struct gva_result res;

	map_user_4k(0x123456789000ULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(low); i++) {
		m.cr3 = PML4 | low[i];
		ASSERT_EQ(walk(&m, USER_VA, &res), 0);
		EXPECT_EQ(res.gpa, 0x123456789abcULL);
	}
	/* bit 63 (no-flush on a MOV to CR3) is not address either */
	m.cr3 = PML4 | (1ULL << 63) | 0x5;
	ASSERT_EQ(walk(&m, USER_VA, &res), 0);
	EXPECT_EQ(res.gpa, 0x123456789abcULL);
}

TEST(not_long_mode)
{
	struct x86_mmu m;
	struct gva_result res;

	map_user_4k(0x123456789000ULL);
	m = lm4;
	m.cr0 &= ~(1ULL << 31); /* PG */
	EXPECT_EQ(walk(&m, USER_VA, &res), -ENOTSUP);
	m = lm4;
	m.cr4 &= ~(1ULL << 5); /* PAE: 32-bit paging */
	EXPECT_EQ(walk(&m, USER_VA, &res), -ENOTSUP);
	m = lm4;
	m.efer &= ~(1ULL << 10); /* LMA: PAE paging */
	EXPECT_EQ(walk(&m, USER_VA, &res), -ENOTSUP);
	EXPECT_EQ(gva_fake.reads, 0);
}
