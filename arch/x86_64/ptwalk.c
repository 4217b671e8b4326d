// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 page-table walk (ptwalk.h), Intel SDM Vol 3A 4.5.
 *
 * 4-level paging splits a linear address 9/9/9/9/12: PML4, PDPT, PD and PT
 * index, then the page offset; 5-level paging (CR4.LA57) adds a PML5 index
 * in bits 56:48. Levels are numbered here by the address bits they resolve:
 * level 1 (PT) resolves bits 20:12, level 5 (PML5) bits 56:48. A PDPTE
 * (level 3) or PDE (level 2) with PS set maps a 1 GiB or 2 MiB page and ends
 * the walk.
 *
 * Only what decides the address is modelled. Access rights (R/W, U/S, XD,
 * protection keys), accessed/dirty updates, memory types and reserved bits
 * above MAXPHYADDR are not checked; LAM (CR3/CR4 bits that mask pointer
 * metadata) is not applied, so a tagged pointer is non-canonical here.
 */
#include <errno.h>

#include "arch/x86_64/ptwalk.h"

/* The bits that select the paging mode (Intel SDM Vol 3A 2.2.1 for EFER, 2.5, 4.1). */
#define PTWALK_CR0_PG	(1ULL << 31)
#define PTWALK_CR4_PAE	(1ULL << 5)
#define PTWALK_CR4_LA57 (1ULL << 12)
#define PTWALK_EFER_LMA (1ULL << 10)

/* Entry bits (Intel SDM Vol 3A 4.5, the paging-structure entry formats). */
#define PTWALK_P  (1ULL << 0)
#define PTWALK_PS (1ULL << 7)
/*
 * Bits 51:12: the physical-address field of CR3 and of every entry. Bit 63
 * (XD) and 62:52 (ignored, or the protection key in 62:59) are not address;
 * CR3 bits 11:0 are PWT/PCD or, with CR4.PCIDE, the PCID.
 */
#define PTWALK_ADDR 0x000ffffffffff000ULL

#define PTWALK_PAGE_SHIFT 12
#define PTWALK_LEVEL_BITS 9
#define PTWALK_INDEX_MASK ((1ULL << PTWALK_LEVEL_BITS) - 1)

/*
 * A linear address is canonical when bits 63 down to the top implemented
 * bit (47, or 56 with LA57) are all equal (Intel SDM Vol 1 3.3.7.1).
 * Anything else faults (#GP or #SS) before paging is consulted.
 */
static bool ptwalk_canonical(u64 gva, unsigned int va_bits)
{
	u64 top = gva >> (va_bits - 1);

	return top == 0 || top == (~0ULL >> (va_bits - 1));
}

int x86_ptwalk(const struct x86_mmu *m, u64 gva, const struct gva_reader *r, struct gva_result *out)
{
	unsigned int levels, level;
	u64 table;

	if (!(m->cr0 & PTWALK_CR0_PG) || !(m->cr4 & PTWALK_CR4_PAE) || !(m->efer & PTWALK_EFER_LMA))
		return -ENOTSUP;
	levels = m->cr4 & PTWALK_CR4_LA57 ? 5 : 4;
	if (!ptwalk_canonical(gva, PTWALK_PAGE_SHIFT + PTWALK_LEVEL_BITS * levels))
		return -EINVAL;

	table = m->cr3 & PTWALK_ADDR;
	for (level = levels;; level--) {
		unsigned int shift = PTWALK_PAGE_SHIFT + PTWALK_LEVEL_BITS * (level - 1);
		u64 index = (gva >> shift) & PTWALK_INDEX_MASK;
		u64 size = 1ULL << shift;
		u64 e;
		int rc;

		rc = gva_read_u64(r, table + index * 8, false, &e);
		if (rc)
			return rc;
		if (!(e & PTWALK_P))
			return -ENOENT;
		/*
		 * Bit 7 is PS in a PDPTE or PDE, PAT in a PTE, and reserved
		 * (must be 0, else a reserved-bit #PF) in a PML4E or PML5E.
		 * In a 1 GiB or 2 MiB page entry, bit 12 is PAT and the bits
		 * up to the page size are reserved: the mask drops them.
		 */
		if (level == 1 || ((level == 2 || level == 3) && (e & PTWALK_PS))) {
			out->gpa = (e & PTWALK_ADDR & ~(size - 1)) | (gva & (size - 1));
			out->page_size = size;
			return 0;
		}
		if (e & PTWALK_PS)
			return -ENOENT;
		table = e & PTWALK_ADDR;
	}
}
