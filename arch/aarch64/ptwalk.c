// SPDX-License-Identifier: GPL-2.0
/*
 * aarch64 stage-1 EL1&0 translation table walk (ptwalk.h), VMSAv8-64 as
 * described in ARM DDI 0487 chapter D8, "The AArch64 Virtual Memory System
 * Architecture": D8.2 for the walk (VA range selection, granule, starting
 * level), D8.3 for the descriptor formats; TCR_EL1 and SCTLR_EL1 field
 * positions from their register descriptions.
 *
 * A granule of 2^g bytes makes every table one granule of 8-byte
 * descriptors, so each level resolves g - 3 VA bits above the g-bit page
 * offset; level 3 maps pages, and the walk starts as many levels above it
 * as the VA size needs, the first table possibly smaller than a granule.
 *
 * Only what decides the output address is modelled. Permissions, the
 * access flag (an AF=0 entry faults on access but still names its output
 * address), memory attributes, hardware AF/dirty updates and address-size
 * faults against TCR_EL1.IPS are not: the reader refuses what is not RAM.
 *
 * Not supported, -ENOTSUP: 52-bit VAs (TxSZ < 16: FEAT_LVA, FEAT_LPA2),
 * TCR_EL1.DS (FEAT_LPA2 descriptor formats), 52-bit PAs with the 64K
 * granule (FEAT_LPA: OA bits 51:48 in TTBR bits 5:2 and descriptor bits
 * 15:12, and 4 TiB level 1 blocks), and reserved TGx encodings. The
 * 128-bit descriptors of VMSAv9-128 (TCR2_EL1.D128) are assumed off.
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
/* Bit 1: table at levels 0-2, block if clear; page at level 3, reserved if clear. */
#define PTWALK_DESC_TABLE (1ULL << 1)

#define PTWALK_OA_BITS	 48
#define PTWALK_TXSZ_MIN	 16
#define PTWALK_FLAT_PAGE 4096

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

	if (ptwalk_field(gva, top, PTWALK_OA_BITS))
		return -EINVAL;
	out->gpa = gva & ptwalk_mask(PTWALK_OA_BITS - 1, 0);
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
	bool lpa;	      /* 64K granule with 52-bit IPS: OA 51:48 in low bits */
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
	unsigned int txsz, top, max;
	u64 high, want;
	int rc;

	if (m->tcr & PTWALK_TCR_DS)
		return -ENOTSUP;
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
	 * The smallest range FEAT_TTST allows is 16 bits (17 with the 64K
	 * granule). A TxSZ beyond it may fault or be clamped, at the
	 * implementation's choice; take the fault.
	 */
	max = rg->gshift == 16 ? 47 : 48;
	if (txsz < PTWALK_TXSZ_MIN)
		return -ENOTSUP;
	if (txsz > max)
		return -EINVAL;
	rg->va_bits = 64 - txsz;

	/* TTBR0 covers VAs with bits top:va_bits all 0, TTBR1 all 1; between is a fault. */
	top = ptwalk_top_bit(m->tcr, upper);
	high = ptwalk_field(gva, top, rg->va_bits);
	want = upper ? ptwalk_mask(top - rg->va_bits, 0) : 0;
	if (high != want)
		return -EINVAL;

	rg->lpa = rg->gshift == 16 && ptwalk_field(m->tcr, 34, 32) == PTWALK_IPS_52;
	return 0;
}

/*
 * Whether a block descriptor is allowed at level (D8.3): 1 GiB and 2 MiB
 * with 4K, 32 MiB with 16K, 512 MiB with 64K. Level 0 (4K) and level 1
 * (16K) blocks need TCR_EL1.DS, refused earlier, so such a descriptor is
 * invalid; a 64K level 1 block is valid only where the PE has 52-bit PAs,
 * which the registers here do not tell.
 */
static int ptwalk_block_ok(unsigned int gshift, unsigned int level)
{
	if (level == 2 || (gshift == 12 && level == 1))
		return 0;
	if (gshift == 16 && level == 1)
		return -ENOTSUP;
	return -ENOENT;
}

int a64_ptwalk(const struct a64_mmu *m, u64 gva, const struct gva_reader *r, struct gva_result *out)
{
	bool be = m->sctlr & PTWALK_SCTLR_EE;
	struct ptwalk_range rg;
	unsigned int stride, level, shift;
	u64 va, table, first_size;
	int rc;

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
	 * remainder.
	 */
	stride = rg.gshift - 3;
	level = 4 - (rg.va_bits - rg.gshift + stride - 1) / stride;
	shift = rg.gshift + stride * (3 - level);
	va = gva & ptwalk_mask(rg.va_bits - 1, 0);

	/*
	 * TTBR: ASID in 63:48, BADDR in 47:1, CnP in 0. BADDR bits below the
	 * first table's size (at least 64 bytes) are RES0; treating them as
	 * zero is one of the behaviours the architecture permits.
	 */
	if (rg.lpa && ptwalk_field(rg.ttbr, 5, 2))
		return -ENOTSUP;
	first_size = MAX(8ULL << (rg.va_bits - shift), 64ULL);
	table = rg.ttbr & ptwalk_mask(PTWALK_OA_BITS - 1, 0) & ~(first_size - 1);

	for (;; level++, shift -= stride) {
		u64 index = (va >> shift) & ((1ULL << stride) - 1);
		u64 size = 1ULL << shift;
		u64 d;

		rc = gva_read_u64(r, table + index * 8, be, &d);
		if (rc)
			return rc;
		if (!(d & PTWALK_DESC_VALID))
			return -ENOENT;
		/*
		 * 64K granule, 52-bit IPS: bits 15:12 are OA bits 51:48.
		 * Otherwise the bits between 11 and the granule are RES0 and
		 * the address masks below drop them.
		 */
		if (rg.lpa && ptwalk_field(d, 15, 12))
			return -ENOTSUP;
		if (level < 3 && (d & PTWALK_DESC_TABLE)) {
			table = d & ptwalk_mask(PTWALK_OA_BITS - 1, rg.gshift);
			continue;
		}
		if (level == 3 && !(d & PTWALK_DESC_TABLE))
			return -ENOENT;
		if (level < 3) {
			rc = ptwalk_block_ok(rg.gshift, level);
			if (rc)
				return rc;
		}
		/* A block's OA field starts at its size: the bits below are RES0. */
		out->gpa = (d & ptwalk_mask(PTWALK_OA_BITS - 1, shift)) | (gva & (size - 1));
		out->page_size = size;
		return 0;
	}
}
