// SPDX-License-Identifier: GPL-2.0
/*
 * aarch64 stage-1 walk (arch/aarch64/ptwalk.c) over synthetic tables in a
 * fake guest memory (tests/unit/gva_fake.h). Indices and expected addresses
 * are worked out by hand in the comments: with a 2^g granule each level
 * resolves g - 3 VA bits, level 3 ending at bit g, and the first level
 * takes what is left of the 64 - TxSZ bits (a 52-bit VA with 4K starts at
 * level -1). Tables above 1 MiB live in the fake memory's high window.
 */
#include <errno.h>

#include "arch/aarch64/ptwalk.h"
#include "tests/test.h"
#include "tests/unit/gva_fake.h"

/* TCR_EL1 fields, written out from the register description. */
#define T0SZ(n) (u64)(n)
#define T1SZ(n) ((u64)(n) << 16)
#define TG0_4K	(0ULL << 14)
#define TG0_64K (1ULL << 14)
#define TG0_16K (2ULL << 14)
#define TG1_16K (1ULL << 30)
#define TG1_4K	(2ULL << 30)
#define TG1_64K (3ULL << 30)
#define EPD0	(1ULL << 7)
#define EPD1	(1ULL << 23)
#define IPS(n)	((u64)(n) << 32)
#define TBI0	(1ULL << 37)
#define TBI1	(1ULL << 38)
#define DS	(1ULL << 59)
#define IPS_48	IPS(5)
#define IPS_52	IPS(6)

#define SCTLR_M	 1ULL
#define SCTLR_EE (1ULL << 25)

/* Descriptors: valid, table/page, AF for leaves. */
#define TABLE(a) ((u64)(a) | 3)
#define PAGE(a)	 ((u64)(a) | 0x400 | 3)
#define BLOCK(a) ((u64)(a) | 0x400 | 1)

/*
 * 52-bit output addresses, from the full address a (ARM DDI 0487 D8.3 and
 * the TTBRn_EL1 description): with TCR_EL1.DS (FEAT_LPA2) bits 49:12 stay
 * and 51:50 go to descriptor bits 9:8; with the 64K granule and a 52-bit
 * IPS (FEAT_LPA) bits 47:16 stay and 51:48 go to bits 15:12; in a TTBR
 * (either) bits 47:6 stay and 51:48 go to bits 5:2. The tests pin each
 * against a value worked out by hand.
 */
#define LPA2_OA(a) ((0x0003fffffffff000ULL & (a)) | ((u64)(a) >> 50 & 3) << 8)
#define LPA_OA(a)  ((0x0000ffffffff0000ULL & (a)) | ((u64)(a) >> 48 & 0xf) << 12)
#define TTBR52(a)  ((0x0000ffffffffffc0ULL & (a)) | ((u64)(a) >> 48 & 0xf) << 2)

/*
 * Where the tests place the fake memory's high window: above 2^48, bits
 * 51:48 = 0xe (51:50 = 0b11, 49 = 1, 48 = 0), 64 KiB aligned.
 */
#define HI 0x000e001234500000ULL

/* Table pages in the fake memory, 64 KiB aligned so any granule fits. */
#define TA 0x10000ULL
#define TB 0x20000ULL
#define TC 0x30000ULL
#define TD 0x40000ULL

/* Linux's 4K/48-bit setup: both ranges 48 bits, 48-bit IPS. */
#define TCR_4K48 (T0SZ(16) | T1SZ(16) | TG0_4K | TG1_4K | IPS(5))

static bool big_endian;

static void put(u64 table, unsigned int index, u64 d)
{
	gva_fake_put(table + index * 8ULL, d, big_endian);
}

static int walk(const struct a64_mmu *m, u64 gva, struct gva_result *res)
{
	res->gpa = res->page_size = 0xdead;
	return a64_ptwalk(m, gva, &gva_fake_reader, res);
}

/*
 * 0xffff800012345678, 48-bit VA, 4K: bits 47:39 = 0x100 (256), 38:30 = 0,
 * 29:21 = 0x91 (145), 20:12 = 0x145 (325), offset 0x678.
 */
#define KVA 0xffff800012345678ULL

static void map_kva_4k(void)
{
	gva_fake_reset();
	put(TA, 256, TABLE(TB));
	put(TB, 0, TABLE(TC));
	put(TC, 145, TABLE(TD));
	put(TD, 325, PAGE(0x87654000));
}

static const struct a64_mmu mmu_4k48 = {.ttbr1 = TA, .tcr = TCR_4K48, .sctlr = SCTLR_M};

TEST(ttbr1_4k_48bit)
{
	struct gva_result res;

	map_kva_4k();
	ASSERT_EQ(walk(&mmu_4k48, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x87654678);
	EXPECT_EQ(res.page_size, 4096);
	EXPECT_EQ(gva_fake.reads, 4);
	/* the next page (level 3 index 326) is not mapped */
	EXPECT_EQ(walk(&mmu_4k48, KVA + 0x1000, &res), -ENOENT);
}

TEST(ttbr1_4k_39bit_starts_at_level_1)
{
	struct a64_mmu m = {.ttbr1 = TB, .tcr = T0SZ(25) | T1SZ(25) | TG1_4K, .sctlr = SCTLR_M};
	struct gva_result res;

	/* 0xffffffc012345678: bits 38:30 = 0x100 (256), then 145, 325 as above */
	gva_fake_reset();
	put(TB, 256, TABLE(TC));
	put(TC, 145, TABLE(TD));
	put(TD, 325, PAGE(0x5000));
	ASSERT_EQ(walk(&m, 0xffffffc012345678ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x5678);
	EXPECT_EQ(res.page_size, 4096);
	EXPECT_EQ(gva_fake.reads, 3);

	/* a 1 GiB block in the first table: offset bits 29:0 = 0x12345678 */
	put(TB, 256, BLOCK(0xc0000000));
	ASSERT_EQ(walk(&m, 0xffffffc012345678ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0xd2345678);
	EXPECT_EQ(res.page_size, 1ULL << 30);
}

TEST(ttbr0_4k_user_address)
{
	/* ASID in 63:48 and CnP in bit 0 are not part of the table address */
	struct a64_mmu m = {.ttbr0 = TA | 0xbeefULL << 48 | 1,
			    .ttbr1 = 0x7fff0000ULL,
			    .tcr = TCR_4K48,
			    .sctlr = SCTLR_M};
	struct gva_result res;

	/*
	 * 0x0000aaaabbbbc123: bits 47:39 = 0x155 (341), 38:30 = 0xaa (170),
	 * 29:21 = 0x1dd (477), 20:12 = 0x1bc (444), offset 0x123.
	 */
	gva_fake_reset();
	put(TA, 341, TABLE(TB));
	put(TB, 170, TABLE(TC));
	put(TC, 477, TABLE(TD));
	put(TD, 444, PAGE(0x123456789000ULL));
	ASSERT_EQ(walk(&m, 0x0000aaaabbbbc123ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x123456789123ULL);
	EXPECT_EQ(res.page_size, 4096);
}

TEST(ttbr_low_bits_ignored)
{
	struct a64_mmu m = mmu_4k48;
	struct gva_result res;

	/* a 4 KiB first table: BADDR bits 11:1 are RES0, bit 0 is CnP */
	map_kva_4k();
	m.ttbr1 = TA | 0xffe | 1 | 0xffffULL << 48;
	ASSERT_EQ(walk(&m, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x87654678);
}

TEST(block_2m_at_level_2)
{
	struct gva_result res;

	/* level 2 index 145 maps 2 MiB at 0x40000000; offset bits 20:0 = 0x145678 */
	map_kva_4k();
	put(TC, 145, BLOCK(0x40000000));
	ASSERT_EQ(walk(&mmu_4k48, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x40145678);
	EXPECT_EQ(res.page_size, 2ULL << 20);
	EXPECT_EQ(gva_fake.reads, 3);

	/* OA bits 20:12 of a 2 MiB block are RES0, not address */
	put(TC, 145, BLOCK(0x40000000 | 0x1ff000));
	ASSERT_EQ(walk(&mmu_4k48, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x40145678);
}

TEST(block_1g_at_level_1)
{
	struct gva_result res;

	/* level 1 index 0 maps 1 GiB at 0x80000000; offset bits 29:0 = 0x12345678 */
	map_kva_4k();
	put(TB, 0, BLOCK(0x80000000));
	ASSERT_EQ(walk(&mmu_4k48, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x92345678);
	EXPECT_EQ(res.page_size, 1ULL << 30);
	EXPECT_EQ(gva_fake.reads, 2);
}

TEST(high_descriptor_bits_are_not_address)
{
	struct gva_result res;

	/* UXN/PXN (54:53), Contiguous (52), DBM (51), software bits 58:55 */
	map_kva_4k();
	put(TD, 325, PAGE(0x87654000) | 0x07f8000000000000ULL);
	put(TC, 145, TABLE(TD) | 0xf800000000000000ULL); /* NSTable, APTable, XNTable, PXNTable */
	ASSERT_EQ(walk(&mmu_4k48, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x87654678);
}

TEST(granule_16k)
{
	struct a64_mmu m = {
	    .ttbr1 = TA, .tcr = T0SZ(16) | T1SZ(16) | TG0_16K | TG1_16K, .sctlr = SCTLR_M};
	struct gva_result res;

	/*
	 * KVA with 16K: level 0 is bit 47 (1), 46:36 = 0, 35:25 = 9,
	 * 24:14 = 0xd1 (209), offset 13:0 = 0x1678.
	 */
	gva_fake_reset();
	put(TA, 1, TABLE(TB));
	put(TB, 0, TABLE(TC));
	put(TC, 9, TABLE(TD));
	put(TD, 209, PAGE(0xabcdc000));
	ASSERT_EQ(walk(&m, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0xabcdd678);
	EXPECT_EQ(res.page_size, 16384);
	EXPECT_EQ(gva_fake.reads, 4);

	/* 32 MiB block at level 2: offset bits 24:0 = 0x345678 */
	put(TC, 9, BLOCK(0x0a000000));
	ASSERT_EQ(walk(&m, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x0a345678);
	EXPECT_EQ(res.page_size, 32ULL << 20);

	/* a level 1 block needs TCR_EL1.DS: invalid here */
	put(TB, 0, BLOCK(0x1000000000ULL));
	EXPECT_EQ(walk(&m, KVA, &res), -ENOENT);
}

/*
 * 0x0000123456789abc, 48-bit VA, 64K: level 1 is bits 47:42 (4),
 * 41:29 = 0x11a2 (4514), 28:16 = 0x1678 (5752), offset 15:0 = 0x9abc.
 */
#define UVA64 0x0000123456789abcULL

static const struct a64_mmu mmu_64k48 = {
    .ttbr0 = TA, .tcr = T0SZ(16) | T1SZ(16) | TG0_64K | TG1_64K | IPS(5), .sctlr = SCTLR_M};

static void map_uva_64k(u64 low_bits)
{
	gva_fake_reset();
	put(TA, 4, TABLE(TB) | low_bits);
	put(TB, 4514, TABLE(TC) | low_bits);
	put(TC, 5752, PAGE(0x700000000ULL) | low_bits);
}

TEST(granule_64k)
{
	struct gva_result res;

	map_uva_64k(0);
	ASSERT_EQ(walk(&mmu_64k48, UVA64, &res), 0);
	EXPECT_EQ(res.gpa, 0x700009abcULL);
	EXPECT_EQ(res.page_size, 65536);
	EXPECT_EQ(gva_fake.reads, 3);

	/* 512 MiB block at level 2: offset bits 28:0 = 0x16789abc */
	put(TB, 4514, BLOCK(0x60000000));
	ASSERT_EQ(walk(&mmu_64k48, UVA64, &res), 0);
	EXPECT_EQ(res.gpa, 0x76789abc);
	EXPECT_EQ(res.page_size, 512ULL << 20);
}

TEST(granule_64k_42bit_starts_at_level_2)
{
	struct a64_mmu m = {.ttbr1 = TC, .tcr = T1SZ(22) | TG1_64K, .sctlr = SCTLR_M};
	struct gva_result res;

	/* 0xfffffc0012345678: 41:29 = 0, 28:16 = 0x1234 (4660), offset 0x5678 */
	gva_fake_reset();
	put(TC, 0, TABLE(TD));
	put(TD, 4660, PAGE(0x90000));
	ASSERT_EQ(walk(&m, 0xfffffc0012345678ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x95678);
	EXPECT_EQ(gva_fake.reads, 2);
	/* just below the 42-bit range */
	EXPECT_EQ(walk(&m, 0xfffffbffffffffffULL, &res), -EINVAL);
}

TEST(granule_64k_bits_15_12)
{
	struct a64_mmu m = mmu_64k48;
	struct gva_result res;

	/* with a 48-bit IPS, descriptor bits 15:12 are RES0: not address */
	map_uva_64k(0xf000);
	ASSERT_EQ(walk(&m, UVA64, &res), 0);
	EXPECT_EQ(res.gpa, 0x700009abcULL);

	/* with a 52-bit IPS they are OA bits 51:48, here 0xf in every descriptor */
	m.tcr = (m.tcr & ~IPS(7)) | IPS_52;
	map_uva_64k(0);
	put(TC, 5752, PAGE(0x700000000ULL) | 0xf000);
	ASSERT_EQ(walk(&m, UVA64, &res), 0);
	EXPECT_EQ(res.gpa, 0x000f000700009abcULL);
	/* a table at 0x000f000000020000 is not in the fake RAM */
	put(TA, 4, TABLE(TB) | 0xf000);
	EXPECT_EQ(walk(&m, UVA64, &res), -EFAULT);
}

TEST(lpa_64k_52bit_oa)
{
	struct a64_mmu m = mmu_64k48;
	struct gva_result res;

	EXPECT_EQ(TTBR52(HI), 0x0000001234500038ULL);
	EXPECT_EQ(LPA_OA(HI + 0x10000), 0x000000123451e000ULL);
	EXPECT_EQ(LPA_OA(0x000b000700000000ULL), 0x000000070000b000ULL);

	/*
	 * UVA64 as above (indices 4, 4514, 5752, offset 0x9abc). The level 1
	 * table at HI is named by TTBR0 bits 5:2 (0xe) and 47:6, the level 3
	 * table at HI + 64K by descriptor bits 15:12 (0xe) and 47:16; the
	 * page is at 0x000b000700000000.
	 */
	m.tcr = (m.tcr & ~IPS(7)) | IPS_52;
	m.ttbr0 = TTBR52(HI) | 0x1234ULL << 48 | 1;
	gva_fake_reset();
	gva_fake_place_high(HI);
	put(HI, 4, TABLE(TB));
	put(TB, 4514, TABLE(LPA_OA(HI + 0x10000)));
	put(HI + 0x10000, 5752, PAGE(LPA_OA(0x000b000700000000ULL)));
	ASSERT_EQ(walk(&m, UVA64, &res), 0);
	EXPECT_EQ(res.gpa, 0x000b000700009abcULL);
	EXPECT_EQ(res.page_size, 65536);
	EXPECT_EQ(gva_fake.reads, 3);

	/*
	 * A 4 TiB level 1 block at 0x00050c0000000000 (bits 51:48 = 5 in
	 * descriptor bits 15:12): offset bits 41:0 = 0x23456789abc.
	 */
	put(HI, 4, BLOCK(0x00000c0000000000ULL | 0x5000));
	ASSERT_EQ(walk(&m, UVA64, &res), 0);
	EXPECT_EQ(res.gpa, 0x00050e3456789abcULL);
	EXPECT_EQ(res.page_size, 1ULL << 42);
	EXPECT_EQ(gva_fake.reads, 4);

	/* with a 48-bit IPS TTBR0 bits 5:2 are RES0: the table is at 0x1234500000 */
	m.tcr = mmu_64k48.tcr;
	EXPECT_EQ(walk(&m, UVA64, &res), -EFAULT);
}

TEST(lva_64k_52bit_va)
{
	/*
	 * T0SZ 12 with 64K (FEAT_LVA): level 1 resolves bits 51:42 (1024
	 * entries, an 8 KiB first table). 0x000ea5a1df007654: 51:42 = 0x3a9
	 * (937), 41:29 = 0xd0e (3342), 28:16 = 0x1f00 (7936), offset 0x7654.
	 */
	struct a64_mmu m = {
	    .ttbr0 = TA | 0x2000, .tcr = T0SZ(12) | TG0_64K | IPS_48, .sctlr = SCTLR_M};
	struct gva_result res;

	gva_fake_reset();
	/* the first table is 8 KiB, so 8 KiB aligned: BADDR bit 13 is address */
	put(TA | 0x2000, 937, TABLE(TB));
	put(TB, 3342, TABLE(TC));
	put(TC, 7936, PAGE(0x0000654321230000ULL));
	ASSERT_EQ(walk(&m, 0x000ea5a1df007654ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x0000654321237654ULL);
	EXPECT_EQ(res.page_size, 65536);
	EXPECT_EQ(gva_fake.reads, 3);
	/* the top of the 52-bit range is inside (unmapped), just above it is not */
	EXPECT_EQ(walk(&m, 0x000fffffffffffffULL, &res), -ENOENT);
	EXPECT_EQ(walk(&m, 0x0010000000000000ULL, &res), -EINVAL);

	/* the same through TTBR1: 0xfffea5a1df007654, with a 52-bit IPS too */
	m.ttbr1 = m.ttbr0;
	m.tcr = T1SZ(12) | TG1_64K | IPS_52;
	put(TC, 7936, PAGE(LPA_OA(0x0003654321230000ULL)));
	ASSERT_EQ(walk(&m, 0xfffea5a1df007654ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x0003654321237654ULL);
	EXPECT_EQ(walk(&m, 0xffefffffffffffffULL, &res), -EINVAL);

	/* T1SZ 11 is below the minimum */
	m.tcr = T1SZ(11) | TG1_64K | IPS_52;
	EXPECT_EQ(walk(&m, 0xfffea5a1df007654ULL, &res), -EINVAL);
}

TEST(ds_is_ignored_with_64k)
{
	struct a64_mmu m = mmu_64k48;
	struct gva_result res;

	/* bits 9:8 stay shareability and 49:48 RES0: not address */
	map_uva_64k(0x0003000000000300ULL);
	m.tcr |= DS;
	ASSERT_EQ(walk(&m, UVA64, &res), 0);
	EXPECT_EQ(res.gpa, 0x700009abcULL);

	/* DS still applies to the other range if its granule is 4K */
	m.tcr = (m.tcr & ~(3ULL << 30)) | TG1_4K;
	m.ttbr1 = TA;
	map_kva_4k();
	put(TD, 325, PAGE(0x87654000) | 0x300);
	ASSERT_EQ(walk(&m, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x000c000087654678ULL);
}

TEST(granule_64k_level_1_block_unsupported)
{
	struct gva_result res;

	/* a 4 TiB block is valid only if the PE has 52-bit PAs: a 48-bit IPS does not tell */
	map_uva_64k(0);
	put(TA, 4, BLOCK(0x40000000000ULL));
	EXPECT_EQ(walk(&mmu_64k48, UVA64, &res), -ENOTSUP);
}

TEST(ds_4k_52bit_va_five_levels)
{
	/*
	 * T1SZ 12, DS: a 52-bit VA in five levels. 0xfff9d2bce587eabc:
	 * bits 51:48 = 9 (level -1, a 16-entry table), 47:39 = 0x1a5 (421),
	 * 38:30 = 0xf3 (243), 29:21 = 0x12c (300), 20:12 = 0x7e (126),
	 * offset 0xabc.
	 */
	struct a64_mmu m = {.ttbr1 = TTBR52(HI) | 0x5aULL << 48 | 1,
			    .tcr = T0SZ(12) | T1SZ(12) | TG0_4K | TG1_4K | IPS_52 | DS,
			    .sctlr = SCTLR_M};
	const u64 va = 0xfff9d2bce587eabcULL;
	struct gva_result res;

	EXPECT_EQ(TTBR52(HI), 0x0000001234500038ULL);
	EXPECT_EQ(LPA2_OA(HI + 0x1000), 0x0002001234501300ULL);
	EXPECT_EQ(LPA2_OA(0x0009876543210000ULL), 0x0001876543210200ULL);

	/*
	 * Level -1 at HI through TTBR1 bits 5:2; level 1 at HI + 4K through
	 * descriptor bits 9:8 (51:50) and 49:48; the page at
	 * 0x0009876543210000 (51:50 = 0b10, 49:48 = 0b01).
	 */
	gva_fake_reset();
	gva_fake_place_high(HI);
	put(HI, 9, TABLE(TA));
	put(TA, 421, TABLE(LPA2_OA(HI + 0x1000)));
	put(HI + 0x1000, 243, TABLE(TB));
	put(TB, 300, TABLE(TC));
	put(TC, 126, PAGE(LPA2_OA(0x0009876543210000ULL)));
	ASSERT_EQ(walk(&m, va, &res), 0);
	EXPECT_EQ(res.gpa, 0x0009876543210abcULL);
	EXPECT_EQ(res.page_size, 4096);
	EXPECT_EQ(gva_fake.reads, 5);

	/* a 2 MiB block at level 2, then a 1 GiB one at level 1, both above 2^48 */
	put(TB, 300, BLOCK(LPA2_OA(0x000d000040000000ULL)));
	ASSERT_EQ(walk(&m, va, &res), 0);
	EXPECT_EQ(res.gpa, 0x000d00004007eabcULL); /* offset bits 20:0 = 0x07eabc */
	EXPECT_EQ(res.page_size, 2ULL << 20);
	put(HI + 0x1000, 243, BLOCK(LPA2_OA(0x0004001c00000000ULL)));
	ASSERT_EQ(walk(&m, va, &res), 0);
	EXPECT_EQ(res.gpa, 0x0004001c2587eabcULL); /* offset bits 29:0 = 0x2587eabc */
	EXPECT_EQ(res.page_size, 1ULL << 30);

	/* level -1 holds tables only */
	put(HI, 9, BLOCK(0));
	EXPECT_EQ(walk(&m, va, &res), -ENOENT);
	/* the rest of the level -1 table is empty; above the 52-bit range is a fault */
	EXPECT_EQ(walk(&m, 0xfff0000000000000ULL, &res), -ENOENT);
	EXPECT_EQ(walk(&m, 0xffefffffffffffffULL, &res), -EINVAL);

	/* without DS, T1SZ 12 is below the minimum */
	m.tcr &= ~DS;
	EXPECT_EQ(walk(&m, va, &res), -EINVAL);
}

TEST(ds_4k_48bit_va_and_level_0_block)
{
	struct a64_mmu m = mmu_4k48;
	struct gva_result res;

	/* DS with a 48-bit VA: the same four levels; bits 9:8 of a page are OA 51:50 */
	m.tcr |= DS;
	map_kva_4k();
	ASSERT_EQ(walk(&m, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x87654678);
	put(TD, 325, PAGE(0x87654000) | 0x300);
	ASSERT_EQ(walk(&m, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x000c000087654678ULL);
	/* without DS they are shareability */
	ASSERT_EQ(walk(&mmu_4k48, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x87654678);

	/*
	 * A 512 GiB block at level 0 (index 256) at 0x000c008000000000:
	 * descriptor 0x0000008000000701; offset bits 38:0 = 0x12345678.
	 */
	EXPECT_EQ(LPA2_OA(0x000c008000000000ULL), 0x0000008000000300ULL);
	put(TA, 256, BLOCK(LPA2_OA(0x000c008000000000ULL)));
	gva_fake.reads = 0;
	ASSERT_EQ(walk(&m, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x000c008012345678ULL);
	EXPECT_EQ(res.page_size, 1ULL << 39);
	EXPECT_EQ(gva_fake.reads, 1);
	/* and without DS it is invalid */
	EXPECT_EQ(walk(&mmu_4k48, KVA, &res), -ENOENT);
}

TEST(ds_16k_52bit_va)
{
	/*
	 * T1SZ 12, 16K, DS: level 0 resolves bits 51:47 (32 entries).
	 * 0xfffdaa5027ffd234: 51:47 = 0x1b (27), 46:36 = 0x2a5 (677),
	 * 35:25 = 0x13 (19), 24:14 = 0x7ff (2047), offset 0x1234.
	 */
	struct a64_mmu m = {
	    .ttbr1 = TA | 0x100, .tcr = T1SZ(12) | TG1_16K | IPS_52 | DS, .sctlr = SCTLR_M};
	const u64 va = 0xfffdaa5027ffd234ULL;
	struct gva_result res;

	EXPECT_EQ(LPA2_OA(HI), 0x0002001234500300ULL);
	EXPECT_EQ(LPA2_OA(0x000600000abcc000ULL), 0x000200000abcc100ULL);

	/* a 256-byte first table: BADDR bit 8 is address */
	gva_fake_reset();
	gva_fake_place_high(HI);
	put(TA | 0x100, 27, TABLE(LPA2_OA(HI)));
	put(HI, 677, TABLE(TB));
	put(TB, 19, TABLE(TC));
	put(TC, 2047, PAGE(LPA2_OA(0x000600000abcc000ULL)));
	ASSERT_EQ(walk(&m, va, &res), 0);
	EXPECT_EQ(res.gpa, 0x000600000abcd234ULL);
	EXPECT_EQ(res.page_size, 16384);
	EXPECT_EQ(gva_fake.reads, 4);

	/* a 64 GiB level 1 block at 0x000a001000000000: offset bits 35:0 = 0x27ffd234 */
	EXPECT_EQ(LPA2_OA(0x000a001000000000ULL), 0x0002001000000200ULL);
	put(HI, 677, BLOCK(LPA2_OA(0x000a001000000000ULL)));
	ASSERT_EQ(walk(&m, va, &res), 0);
	EXPECT_EQ(res.gpa, 0x000a001027ffd234ULL);
	EXPECT_EQ(res.page_size, 1ULL << 36);

	/* 16K level 0 never holds a block */
	put(TA | 0x100, 27, BLOCK(0));
	EXPECT_EQ(walk(&m, va, &res), -ENOENT);
}

/*
 * What Debian's arm64 Linux 6.12 (CONFIG_ARM64_VA_BITS_52, CONFIG_ARM64_LPA2,
 * 4K pages) runs with on a CPU with FEAT_LPA2 such as QEMU's -cpu max:
 * TCR_EL1 as __cpu_setup builds it (inner-shareable WBWA walks, A1, 16-bit
 * ASIDs, TBI0, TBI1 and TBID1 for MTE, NFD1 for KASLR, HA) with T1SZ 12,
 * DS and IPS from PARange (52 bits), later HD and E0PD1; TTBR1 =
 * swapper_pg_dir, a level -1 table, in phys_to_ttbr() form, with an ASID
 * (A1) and CnP. With 52-bit VAs the linear map starts at PAGE_OFFSET
 * 0xfff0000000000000 while the kernel image stays at KIMAGE_VADDR
 * 0xffff800080000000, so both ends of the level -1 table are used. Guest
 * RAM at 0x40000000 (QEMU virt), the image loaded at 0x40200000, tables
 * in the high window placed at 0x41f40000.
 */
#define LX_SH_INNER_WBWA(n) ((1ULL << 8 | 1ULL << 10 | 3ULL << 12) << (16 * (n)))
#define LX_A1		    (1ULL << 22)
#define LX_AS		    (1ULL << 36)
#define LX_HA		    (1ULL << 39)
#define LX_HD		    (1ULL << 40)
#define LX_TBID1	    (1ULL << 52)
#define LX_NFD1		    (1ULL << 54)
#define LX_E0PD1	    (1ULL << 56)
#define LX_TCR                                                                                     \
	(T0SZ(12) | T1SZ(12) | TG0_4K | TG1_4K | LX_SH_INNER_WBWA(0) | LX_SH_INNER_WBWA(1) |       \
	 LX_A1 | IPS_52 | LX_AS | TBI0 | TBI1 | LX_HA | LX_HD | LX_TBID1 | LX_NFD1 | LX_E0PD1 |    \
	 DS)
#define LX_PGD 0x41f40000ULL

TEST(linux_6_12_lpa2_kernel)
{
	/* SCTLR_EL1: M, C, I; EE clear, tables little-endian */
	struct a64_mmu m = {.ttbr1 = TTBR52(LX_PGD) | 0x0002ULL << 48 | 1,
			    .tcr = LX_TCR,
			    .sctlr = SCTLR_M | 1ULL << 2 | 1ULL << 12};
	struct gva_result res;

	EXPECT_EQ(m.tcr, 0x095001f6b54c350cULL);
	EXPECT_EQ(m.ttbr1, 0x0002000041f40001ULL);

	/*
	 * Kernel text 0xffff800081234567, 2 MiB blocks (PAGE_KERNEL_ROX:
	 * UXN, AF, AP[2]; no SH bits with LPA2): bits 51:48 = 0xf (15),
	 * 47:39 = 0x100 (256), 38:30 = 2, 29:21 = 9. Image offset 0x1234567
	 * from 0x40200000: 0x41434567, in the block at 0x41400000.
	 */
	gva_fake_reset();
	gva_fake_place_high(LX_PGD);
	put(LX_PGD, 15, TABLE(LX_PGD + 0x1000));
	put(LX_PGD + 0x1000, 256, TABLE(LX_PGD + 0x2000));
	put(LX_PGD + 0x2000, 2, TABLE(LX_PGD + 0x3000));
	put(LX_PGD + 0x3000, 9, 0x41400000ULL | 1ULL << 54 | 1ULL << 10 | 1ULL << 7 | 1);
	ASSERT_EQ(walk(&m, 0xffff800081234567ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x41434567);
	EXPECT_EQ(res.page_size, 2ULL << 20);
	EXPECT_EQ(gva_fake.reads, 4);
	/* an MTE-tagged pointer to it: TBI1 */
	ASSERT_EQ(walk(&m, 0xf2ff800081234567ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x41434567);

	/*
	 * The linear map, 4K pages (rodata=full; PAGE_KERNEL: UXN, PXN, DBM,
	 * AF): 0xfff0000001234567 is PA 0x40000000 + 0x1234567. Indices 0,
	 * 0, 0, 9, then 20:12 = 0x34 (52).
	 */
	put(LX_PGD, 0, TABLE(LX_PGD + 0x4000));
	put(LX_PGD + 0x4000, 0, TABLE(LX_PGD + 0x5000));
	put(LX_PGD + 0x5000, 0, TABLE(LX_PGD + 0x6000));
	put(LX_PGD + 0x6000, 9, TABLE(LX_PGD + 0x7000));
	put(LX_PGD + 0x7000, 52, 0x41234000ULL | 3ULL << 53 | 1ULL << 51 | 1ULL << 10 | 3);
	gva_fake.reads = 0;
	ASSERT_EQ(walk(&m, 0xfff0000001234567ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x41234567);
	EXPECT_EQ(res.page_size, 4096);
	EXPECT_EQ(gva_fake.reads, 5);

	/* below PAGE_OFFSET is outside TTBR1's range */
	EXPECT_EQ(walk(&m, 0xffefffffffffffffULL, &res), -EINVAL);
}

TEST(smallest_va_range)
{
	/* T0SZ 48: 16-bit VAs, one level of 16 entries (a 128-byte table) */
	struct a64_mmu m = {.ttbr0 = TA | 0x40, .tcr = T0SZ(48) | TG0_4K, .sctlr = SCTLR_M};
	struct gva_result res;

	gva_fake_reset();
	put(TA, 0xf, PAGE(0x3000));
	/* BADDR bit 6 is below the table's 128-byte alignment: RES0 */
	ASSERT_EQ(walk(&m, 0xf123, &res), 0);
	EXPECT_EQ(res.gpa, 0x3123);
	EXPECT_EQ(gva_fake.reads, 1);
	EXPECT_EQ(walk(&m, 0x10000, &res), -EINVAL);
	/* beyond the smallest range the architecture allows */
	m.tcr = T0SZ(49) | TG0_4K;
	EXPECT_EQ(walk(&m, 0xf123, &res), -EINVAL);
	m.tcr = T0SZ(48) | TG0_64K;
	EXPECT_EQ(walk(&m, 0xf123, &res), -EINVAL);

	/*
	 * 16K, T0SZ 48: level 3 alone resolves bits 15:14, a 4-entry (32-byte)
	 * table that still sits on 64 bytes: with DS, TTBR bits 5:2 are
	 * address bits 51:48, not base bits. 0xf123: index 3, offset 0x3123.
	 */
	m.ttbr0 = TTBR52(HI);
	m.tcr = T0SZ(48) | TG0_16K | DS;
	gva_fake_place_high(HI);
	put(HI, 3, PAGE(0x4000));
	ASSERT_EQ(walk(&m, 0xf123, &res), 0);
	EXPECT_EQ(res.gpa, 0x7123);
	EXPECT_EQ(res.page_size, 16384);
}

TEST(address_between_the_ranges)
{
	static const u64 hole48[] = {0x0001000000000000ULL, 0xfffeffffffffffffULL,
				     0x8000000000000000ULL, 0x7fffffffffffffffULL,
				     0x00ff800012345678ULL};
	struct a64_mmu m39 = {
	    .ttbr0 = TA, .ttbr1 = TA, .tcr = T0SZ(25) | T1SZ(25) | TG1_4K, .sctlr = SCTLR_M};
	struct gva_result res;

	map_kva_4k();
	for (unsigned int i = 0; i < ARRAY_SIZE(hole48); i++)
		EXPECT_EQ(walk(&mmu_4k48, hole48[i], &res), -EINVAL);
	EXPECT_EQ(walk(&m39, 0xffffff7fffffffffULL, &res), -EINVAL);
	EXPECT_EQ(walk(&m39, 0x0000008000000000ULL, &res), -EINVAL);
	EXPECT_EQ(gva_fake.reads, 0);
	/* the edges of both ranges are inside (and unmapped here) */
	EXPECT_EQ(walk(&mmu_4k48, 0x0000ffffffffffffULL, &res), -ENOENT);
	EXPECT_EQ(walk(&mmu_4k48, 0xffff000000000000ULL, &res), -ENOENT);
	EXPECT_EQ(walk(&m39, 0x0000007fffffffffULL, &res), -ENOENT);
	EXPECT_EQ(walk(&m39, 0xffffff8000000000ULL, &res), -ENOENT);
}

TEST(top_byte_ignore)
{
	struct a64_mmu m = mmu_4k48;
	struct gva_result res;

	map_kva_4k();
	/* a tag in bits 63:56; bit 55 still 1, so TTBR1 */
	EXPECT_EQ(walk(&m, 0x5aff800012345678ULL, &res), -EINVAL);
	m.tcr |= TBI1;
	ASSERT_EQ(walk(&m, 0x5aff800012345678ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x87654678);
	/* TBI1 says nothing about TTBR0 addresses */
	EXPECT_EQ(walk(&m, 0x5a00000000001000ULL, &res), -EINVAL);
	m.tcr |= TBI0;
	EXPECT_EQ(walk(&m, 0x5a00000000001000ULL, &res), -ENOENT);
}

TEST(epd_disables_walks)
{
	struct a64_mmu m = mmu_4k48;
	struct gva_result res;

	map_kva_4k();
	m.ttbr0 = TA;
	m.tcr |= EPD1;
	EXPECT_EQ(walk(&m, KVA, &res), -ENOENT);
	EXPECT_EQ(gva_fake.reads, 0);
	/* TTBR0 still walks: the same tables through the low range */
	ASSERT_EQ(walk(&m, 0x0000800012345678ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x87654678);

	m.tcr = TCR_4K48 | EPD0;
	EXPECT_EQ(walk(&m, 0x0000800012345678ULL, &res), -ENOENT);
	ASSERT_EQ(walk(&m, KVA, &res), 0);
}

TEST(mmu_off_is_identity)
{
	/* TTBRs and TCR point at nothing useful: they are not consulted */
	struct a64_mmu m = {.ttbr0 = 0xdead000, .ttbr1 = 0xbeef000, .tcr = TCR_4K48};
	struct gva_result res;

	gva_fake_reset();
	ASSERT_EQ(walk(&m, 0x40081234, &res), 0);
	EXPECT_EQ(res.gpa, 0x40081234);
	EXPECT_EQ(res.page_size, 4096);
	ASSERT_EQ(walk(&m, 0x0000ffffffffffffULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x0000ffffffffffffULL);
	EXPECT_EQ(gva_fake.reads, 0);
	/* above the 48-bit PA space: an address size fault */
	EXPECT_EQ(walk(&m, KVA, &res), -EINVAL);
	EXPECT_EQ(walk(&m, 0x0001000000000000ULL, &res), -EINVAL);
	/* a tag is ignored with TBI0 */
	m.tcr |= TBI0;
	ASSERT_EQ(walk(&m, 0x5a00000040081234ULL, &res), 0);
	EXPECT_EQ(res.gpa, 0x40081234);
}

TEST(invalid_descriptor_at_each_level)
{
	static const struct {
		u64 table;
		unsigned int index;
	} path[] = {{TA, 256}, {TB, 0}, {TC, 145}, {TD, 325}};
	struct gva_result res;

	for (unsigned int lvl = 0; lvl < ARRAY_SIZE(path); lvl++) {
		map_kva_4k();
		/* clear the valid bit only */
		gva_fake.mem[path[lvl].table + path[lvl].index * 8] &= ~1;
		EXPECT_EQ(walk(&mmu_4k48, KVA, &res), -ENOENT);
		EXPECT_EQ(gva_fake.reads, lvl + 1);
	}
}

TEST(reserved_and_misplaced_descriptors)
{
	struct gva_result res;

	/* level 3 with bit 1 clear is the reserved encoding, not a block */
	map_kva_4k();
	put(TD, 325, BLOCK(0x87654000));
	EXPECT_EQ(walk(&mmu_4k48, KVA, &res), -ENOENT);
	/* a level 0 block with the 4K granule (needs TCR_EL1.DS) */
	map_kva_4k();
	put(TA, 256, BLOCK(0));
	EXPECT_EQ(walk(&mmu_4k48, KVA, &res), -ENOENT);
}

TEST(table_read_failure)
{
	struct a64_mmu m = mmu_4k48;
	struct gva_result res;

	/* a level 2 table outside the fake RAM */
	map_kva_4k();
	put(TB, 0, TABLE(0x80000000));
	EXPECT_EQ(walk(&m, KVA, &res), -EFAULT);
	/* the reader failing on the level 2 descriptor itself */
	map_kva_4k();
	gva_fake.fail_gpa = TC + 145 * 8;
	EXPECT_EQ(walk(&m, KVA, &res), -EFAULT);
	EXPECT_EQ(gva_fake.reads, 3);
	/* TTBR1 outside RAM */
	gva_fake.fail_gpa = ~0ULL;
	m.ttbr1 = 0x7fff0000;
	EXPECT_EQ(walk(&m, KVA, &res), -EFAULT);
}

TEST(big_endian_tables)
{
	struct a64_mmu m = mmu_4k48;
	struct gva_result res;

	m.sctlr |= SCTLR_EE;
	big_endian = true;
	map_kva_4k();
	big_endian = false;
	ASSERT_EQ(walk(&m, KVA, &res), 0);
	EXPECT_EQ(res.gpa, 0x87654678);
	/* little-endian tables read big-endian: byte 0 (valid bit) lands in 63:56 */
	map_kva_4k();
	EXPECT_EQ(walk(&m, KVA, &res), -ENOENT);
}

TEST(txsz_below_the_minimum)
{
	struct a64_mmu m = mmu_4k48;
	struct gva_result res;

	/* 52-bit VAs need DS with 4K and 16K; below 12 nothing allows */
	map_kva_4k();
	m.tcr = (TCR_4K48 & ~T1SZ(63)) | T1SZ(12);
	EXPECT_EQ(walk(&m, KVA, &res), -EINVAL);
	m.tcr = (TCR_4K48 & ~T1SZ(63)) | T1SZ(15);
	EXPECT_EQ(walk(&m, KVA, &res), -EINVAL);
	m.tcr = T1SZ(13) | TG1_16K;
	EXPECT_EQ(walk(&m, KVA, &res), -EINVAL);
	m.tcr = T1SZ(11) | TG1_4K | DS;
	EXPECT_EQ(walk(&m, KVA, &res), -EINVAL);
	m.tcr = T1SZ(11) | TG1_16K | DS;
	EXPECT_EQ(walk(&m, KVA, &res), -EINVAL);
	EXPECT_EQ(gva_fake.reads, 0);
}

TEST(unsupported_configurations)
{
	struct a64_mmu m = mmu_4k48;
	struct gva_result res;

	map_kva_4k();
	/* reserved granule encodings: TG1 0b00, TG0 0b11 */
	m.tcr = TCR_4K48 & ~(3ULL << 30);
	EXPECT_EQ(walk(&m, KVA, &res), -ENOTSUP);
	m.tcr = TCR_4K48 | 3ULL << 14;
	EXPECT_EQ(walk(&m, 0x1000, &res), -ENOTSUP);
	EXPECT_EQ(gva_fake.reads, 0);
}
