// SPDX-License-Identifier: GPL-2.0
/*
 * aarch64 stage-1 walk (arch/aarch64/ptwalk.c) over synthetic tables in a
 * fake guest memory (tests/unit/gva_fake.h). Indices and expected addresses
 * are worked out by hand in the comments: with a 2^g granule each level
 * resolves g - 3 VA bits, level 3 ending at bit g, and the first level
 * takes what is left of the 64 - TxSZ bits.
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

#define SCTLR_M	 1ULL
#define SCTLR_EE (1ULL << 25)

/* Descriptors: valid, table/page, AF for leaves. */
#define TABLE(a) ((u64)(a) | 3)
#define PAGE(a)	 ((u64)(a) | 0x400 | 3)
#define BLOCK(a) ((u64)(a) | 0x400 | 1)

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

	/* with a 52-bit IPS they are OA bits 51:48, which the walker refuses */
	m.tcr = (m.tcr & ~IPS(7)) | IPS(6);
	EXPECT_EQ(walk(&m, UVA64, &res), -ENOTSUP);
	map_uva_64k(0);
	ASSERT_EQ(walk(&m, UVA64, &res), 0);
	EXPECT_EQ(res.gpa, 0x700009abcULL);
	/* and TTBR bits 5:2 are BADDR bits 51:48 */
	m.ttbr0 = TA | 0x4;
	EXPECT_EQ(walk(&m, UVA64, &res), -ENOTSUP);
}

TEST(granule_64k_level_1_block_unsupported)
{
	struct gva_result res;

	map_uva_64k(0);
	put(TA, 4, BLOCK(0x40000000000ULL));
	EXPECT_EQ(walk(&mmu_64k48, UVA64, &res), -ENOTSUP);
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

TEST(unsupported_configurations)
{
	struct a64_mmu m = mmu_4k48;
	struct gva_result res;

	map_kva_4k();
	/* 52-bit VA */
	m.tcr = (TCR_4K48 & ~T1SZ(63)) | T1SZ(12);
	EXPECT_EQ(walk(&m, KVA, &res), -ENOTSUP);
	/* FEAT_LPA2 descriptor format */
	m.tcr = TCR_4K48 | DS;
	EXPECT_EQ(walk(&m, KVA, &res), -ENOTSUP);
	/* reserved granule encodings: TG1 0b00, TG0 0b11 */
	m.tcr = TCR_4K48 & ~(3ULL << 30);
	EXPECT_EQ(walk(&m, KVA, &res), -ENOTSUP);
	m.tcr = TCR_4K48 | 3ULL << 14;
	EXPECT_EQ(walk(&m, 0x1000, &res), -ENOTSUP);
	EXPECT_EQ(gva_fake.reads, 0);
}
