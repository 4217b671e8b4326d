// SPDX-License-Identifier: GPL-2.0
/*
 * aarch64 stage-1 EL1&0 translation table walk (ptwalk.h), VMSAv8-64 as
 * described in ARM DDI 0487 chapter D8, "The AArch64 Virtual Memory System
 * Architecture": D8.2 for the walk (VA range selection, granule, starting
 * level), D8.3 for the descriptor formats; TCR_EL1, TTBRn_EL1 and SCTLR_EL1
 * field positions from their register descriptions.
 *
 * A granule of 2^g bytes makes every table one granule of 8-byte
 * descriptors, so each level resolves g - 3 VA bits above the g-bit page
 * offset; level 3 maps pages, and the walk starts as many levels above it
 * as the VA size needs, the first table possibly smaller than a granule.
 * A 52-bit VA with the 4K granule starts at level -1.
 *
 * Supported: the 4K, 16K and 64K granules; VAs of 16 (FEAT_TTST) to 48
 * bits, and of 52 bits with TCR_EL1.DS (FEAT_LPA2, 4K and 16K) or the 64K
 * granule (FEAT_LVA); 48-bit output addresses, and 52-bit ones with
 * TCR_EL1.DS (OA 51:50 in descriptor bits 9:8, 49:48 in place, 4K level 0
 * and 16K level 1 blocks) or with the 64K granule and a 52-bit
 * TCR_EL1.IPS (FEAT_LPA: OA 51:48 in descriptor bits 15:12, 4 TiB level 1
 * blocks); TTBR BADDR bits 51:48 in TTBR bits 5:2 in both; TBI, EPDx,
 * SCTLR_EL1.EE, and the identity map with the MMU off.
 *
 * Only what decides the output address is modelled. Permissions, the
 * access flag (an AF=0 entry faults on access but still names its output
 * address), memory attributes, hardware AF/dirty updates and address-size
 * faults against TCR_EL1.IPS are not: the reader refuses what is not RAM.
 * The PE's feature registers are not known either: a 52-bit TCR_EL1.IPS
 * with the 64K granule is taken to mean the PE has 52-bit PAs
 * (AArch64.PAMax() == 52), TCR_EL1.DS = 1 to mean it has FEAT_LPA2, and
 * the 64K granule is assumed to come with FEAT_LVA.
 *
 * Not supported, -ENOTSUP: reserved TGx encodings, and a 64K level 1
 * block when TCR_EL1.IPS is below 52 bits (valid only if the PE has 52-bit
 * PAs, which the registers here do not tell). The 128-bit descriptors of
 * VMSAv9-128 (TCR2_EL1.D128) are assumed off.
 */
#include <errno.h>

#include "arch/aarch64/ptwalk.h"

#define PTWALK_SCTLR_M	(1ULL << 0)  /* stage 1 enabled */
#define PTWALK_SCTLR_EE (1ULL << 25) /* tables are big-endian */

#define PTWALK_TCR_EPD0 (1ULL << 7)
#define PTWALK_TCR_EPD1 (1ULL << 23)
#define PTWALK_TCR_TBI0 (1ULL << 37)
#define PTWALK_TCR_TBI1 (1ULL << 38)
#define PTWALK_TCR_DS	(1ULL << 59)
#define PTWALK_IPS_52	6 /* TCR_EL1.IPS (bits 34:32) for 52 bits */

#define PTWALK_DESC_VALID (1ULL << 0)
/* Bit 1: table at levels -1 to 2, block if clear; page at level 3, reserved if clear. */
#define PTWALK_DESC_TABLE (1ULL << 1)

#define PTWALK_TXSZ_MIN	   16
#define PTWALK_TXSZ_MIN_52 12
/* With the MMU off the PA size is the PE's, unknown here: the largest without FEAT_LPA. */
#define PTWALK_FLAT_PA_BITS 48
#define PTWALK_FLAT_PAGE    4096

/* Bits hi:lo of v, shifted down. */
static u64 ptwalk_field(u64 v, unsigned int hi, unsigned int lo)
{
	return (v >> lo) & (~0ULL >> (63 - (hi - lo)));
}

/* Bits hi:lo set. */
static u64 ptwalk_mask(unsigned int hi, unsigned int lo)
{
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

/*
 * Bit 55 selects the VA range in the EL1&0 regime whether or not the top
 * byte is ignored; with TCR_EL1.TBIx set for that range bits 63:56 are a
 * tag, and the bits that must match bit 55 end at bit 55.
 */
static unsigned int ptwalk_top_bit(u64 tcr, bool upper)
{
	return tcr & (upper ? PTWALK_TCR_TBI1 : PTWALK_TCR_TBI0) ? 55 : 63;
}

/*
 * Stage 1 disabled: VA = PA, and any VA bit set above the PA size (up to
 * the top bit TBI leaves) is an Address size fault.
 */
static int ptwalk_flat(const struct a64_mmu *m, u64 gva, struct gva_result *out)
{
	unsigned int top = ptwalk_top_bit(m->tcr, (gva >> 55) & 1);

	if (ptwalk_field(gva, top, PTWALK_FLAT_PA_BITS))
		return -EINVAL;
	out->gpa = gva & ptwalk_mask(PTWALK_FLAT_PA_BITS - 1, 0);
	/* No table gives a mapping size: report the smallest granule. */
	out->page_size = PTWALK_FLAT_PAGE;
	return 0;
}

/* The walk parameters of the VA range gva falls in. */
struct ptwalk_range {
	u64 ttbr;
	unsigned int gshift;  /* log2 of the granule */
	unsigned int va_bits; /* 64 - TxSZ */
	bool disabled;	      /* EPDx */
	bool ds;	      /* TCR_EL1.DS in effect: FEAT_LPA2 formats, 4K and 16K */
	bool lpa;	      /* 64K granule with 52-bit IPS: FEAT_LPA formats */
};

/* TG0 and TG1 encode the same sizes differently. */
static int ptwalk_granule(u64 tcr, bool upper, unsigned int *gshift)
{
	static const unsigned char tg0[4] = {12, 16, 14, 0};
	static const unsigned char tg1[4] = {0, 14, 12, 16};
	unsigned int g;

	g = upper ? tg1[ptwalk_field(tcr, 31, 30)] : tg0[ptwalk_field(tcr, 15, 14)];
	/* A reserved value selects an IMPLEMENTATION DEFINED size we cannot know. */
	if (!g)
		return -ENOTSUP;
	*gshift = g;
	return 0;
}

static int ptwalk_select(const struct a64_mmu *m, u64 gva, struct ptwalk_range *rg)
{
	bool upper = (gva >> 55) & 1;
	unsigned int txsz, top, min, max;
	u64 high, want;
	int rc;

	rc = ptwalk_granule(m->tcr, upper, &rg->gshift);
	if (rc)
		return rc;
	if (upper) {
		txsz = ptwalk_field(m->tcr, 21, 16);
		rg->ttbr = m->ttbr1;
		rg->disabled = m->tcr & PTWALK_TCR_EPD1;
	} else {
		txsz = ptwalk_field(m->tcr, 5, 0);
		rg->ttbr = m->ttbr0;
		rg->disabled = m->tcr & PTWALK_TCR_EPD0;
	}
	/*
	 * TCR_EL1.DS is RES0, its effective value 0, with the 64K granule;
	 * TG0 and TG1 can differ, so it is decided per range.
	 */
	rg->ds = (m->tcr & PTWALK_TCR_DS) && rg->gshift != 16;
	rg->lpa = rg->gshift == 16 && ptwalk_field(m->tcr, 34, 32) == PTWALK_IPS_52;

	/*
	 * VA ranges of 16 bits (17 with 64K, FEAT_TTST) up to 48, or 52 with
	 * DS (FEAT_LPA2) or the 64K granule (FEAT_LVA). A TxSZ outside them
	 * may fault or be clamped, at the implementation's choice (below the
	 * minimum it must fault where FEAT_LVA is implemented): take the
	 * fault.
	 */
	min = rg->ds || rg->gshift == 16 ? PTWALK_TXSZ_MIN_52 : PTWALK_TXSZ_MIN;
	max = rg->gshift == 16 ? 47 : 48;
	if (txsz < min || txsz > max)
		return -EINVAL;
	rg->va_bits = 64 - txsz;

	/* TTBR0 covers VAs with bits top:va_bits all 0, TTBR1 all 1; between is a fault. */
	top = ptwalk_top_bit(m->tcr, upper);
	high = ptwalk_field(gva, top, rg->va_bits);
	want = upper ? ptwalk_mask(top - rg->va_bits, 0) : 0;
	if (high != want)
		return -EINVAL;
	return 0;
}

/*
 * The first table's address (TTBRn_EL1): ASID in 63:48, BADDR in 47:1,
 * CnP in 0. The table is aligned to its size, at least 64 bytes: BADDR
 * bits below that are RES0, and treating them as zero is one of the
 * behaviours the architecture permits. With DS in effect, or the 64K
 * granule and a 52-bit IPS, bits 5:2 hold address bits 51:48 instead:
 * they lie below the 64-byte minimum, never low address bits.
 */
static u64 ptwalk_base(const struct ptwalk_range *rg, unsigned int first_bits)
{
	u64 align = MAX(8ULL << first_bits, 64ULL);
	u64 base = rg->ttbr & ptwalk_mask(47, 0) & ~(align - 1);

	if (rg->ds || rg->lpa)
		base |= ptwalk_field(rg->ttbr, 5, 2) << 48;
	return base;
}

/*
 * The output address in descriptor d (D8.3), the table's or mapping's
 * from bit lo up (the granule for a table, the size for a block or page);
 * the bits below lo are attributes or RES0.
 *  - 48-bit OA: bits 47:lo.
 *  - DS (FEAT_LPA2): bits 49:lo; OA 51:50 in bits 9:8, which are then not
 *    shareability (that comes from TCR_EL1.SHx).
 *  - 64K granule, 52-bit IPS (FEAT_LPA): bits 47:lo; OA 51:48 in bits
 *    15:12, RES0 otherwise.
 */
static u64 ptwalk_oa(const struct ptwalk_range *rg, u64 d, unsigned int lo)
{
	if (rg->ds)
		return (d & ptwalk_mask(49, lo)) | ptwalk_field(d, 9, 8) << 50;
	if (rg->lpa)
		return (d & ptwalk_mask(47, lo)) | ptwalk_field(d, 15, 12) << 48;
	return d & ptwalk_mask(47, lo);
}

/*
 * Whether a block descriptor is allowed at level (D8.3, as the pseudocode's
 * AArch64.BlockDescSupported()): 1 GiB and 2 MiB with 4K, 32 MiB with
 * 16K, 512 MiB with 64K; with DS also 512 GiB (4K level 0) and 64 GiB
 * (16K level 1). Level -1 holds only tables. A 64K level 1 block (4 TiB)
 * is valid where the PE has 52-bit PAs: taken as so with a 52-bit IPS,
 * unknown without.
 */
static int ptwalk_block_ok(const struct ptwalk_range *rg, int level)
{
	switch (rg->gshift) {
	case 12:
		if (level == 1 || level == 2 || (level == 0 && rg->ds))
			return 0;
		break;
	case 14:
		if (level == 2 || (level == 1 && rg->ds))
			return 0;
		break;
	case 16:
		if (level == 2)
			return 0;
		if (level == 1)
			return rg->lpa ? 0 : -ENOTSUP;
		break;
	}
	return -ENOENT;
}

int a64_ptwalk(const struct a64_mmu *m, u64 gva, const struct gva_reader *r, struct gva_result *out)
{
	bool be = m->sctlr & PTWALK_SCTLR_EE;
	struct ptwalk_range rg;
	unsigned int stride, shift;
	u64 va, table;
	int level, rc;

	if (!(m->sctlr & PTWALK_SCTLR_M))
		return ptwalk_flat(m, gva, out);
	rc = ptwalk_select(m, gva, &rg);
	if (rc)
		return rc;
	if (rg.disabled)
		return -ENOENT;

	/*
	 * Start as many levels above 3 as the VA bits above the page offset
	 * need at stride bits a level, rounded up: the first table takes the
	 * remainder. That is level -1 only for a 52-bit VA with 4K (40 bits,
	 * 5 levels); the loop below then runs at most 5 times.
	 */
	stride = rg.gshift - 3;
	level = 4 - (int)((rg.va_bits - rg.gshift + stride - 1) / stride);
	shift = rg.gshift + stride * (unsigned int)(3 - level);
	va = gva & ptwalk_mask(rg.va_bits - 1, 0);
	table = ptwalk_base(&rg, rg.va_bits - shift);

	for (;; level++, shift -= stride) {
		u64 index = (va >> shift) & ((1ULL << stride) - 1);
		u64 size = 1ULL << shift;
		u64 d;

		rc = gva_read_u64(r, table + index * 8, be, &d);
		if (rc)
			return rc;
		if (!(d & PTWALK_DESC_VALID))
			return -ENOENT;
		if (level < 3 && (d & PTWALK_DESC_TABLE)) {
			table = ptwalk_oa(&rg, d, rg.gshift);
			continue;
		}
		if (level == 3 && !(d & PTWALK_DESC_TABLE))
			return -ENOENT;
		if (level < 3) {
			rc = ptwalk_block_ok(&rg, level);
			if (rc)
				return rc;
		}
		/* A block's OA field starts at its size: the bits below are RES0. */
		out->gpa = ptwalk_oa(&rg, d, shift) | (gva & (size - 1));
		out->page_size = size;
		return 0;
	}
}
