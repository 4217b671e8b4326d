// SPDX-License-Identifier: GPL-2.0
/* The guest's physical memory map, as both boot paths report it. */
#include "arch/x86_64/boot.h"
#include "arch/x86_64/layout.h"

static u32 e820_add(struct boot_e820_entry *e, u32 n, u32 max, u64 addr, u64 size, u32 type)
{
	if (n >= max || !size)
		return n;
	e[n].addr = addr;
	e[n].size = size;
	e[n].type = type;
	return n + 1;
}

/* The guest-physical address of RAM offset off (RAM past the hole is at 4 GiB). */
static u64 e820_ram_gpa(u64 off)
{
	return off < X86_MMIO_HOLE ? off : off - X86_MMIO_HOLE + X86_4G;
}

/* RAM [addr, addr + size), one entry per node it spans. */
static u32 e820_add_ram(struct boot_e820_entry *e, u32 n, u32 max, u64 addr, u64 size,
			const struct topology *t)
{
	u64 end = addr + size;

	for (u32 node = 1; t && node < t->nr_nodes; node++) {
		u64 cut = e820_ram_gpa(topology_node_mem_offset(t, node));

		if (cut > addr && cut < end) {
			n = e820_add(e, n, max, addr, cut - addr, X86_E820_RAM);
			addr = cut;
		}
	}
	return e820_add(e, n, max, addr, end - addr, X86_E820_RAM);
}

u32 x86_e820_build(struct boot_e820_entry *e, u32 max, const struct x86_boot_info *bi)
{
	u32 n = 0;

	/* Conventional memory, minus the EBDA the MP spec lets us use. */
	n = e820_add(e, n, max, 0, X86_EBDA_ADDR, X86_E820_RAM);
	n = e820_add(e, n, max, X86_EBDA_ADDR, X86_LOWMEM_END - X86_EBDA_ADDR, X86_E820_RESERVED);
	/* BIOS area holding the ACPI tables and the MP table. */
	n = e820_add(e, n, max, X86_BIOS_START, X86_HIMEM_START - X86_BIOS_START,
		     X86_E820_RESERVED);
	if (bi->ram_below_4g > X86_HIMEM_START)
		n = e820_add_ram(e, n, max, X86_HIMEM_START, bi->ram_below_4g - X86_HIMEM_START,
				 bi->topo);
	if (bi->ram_above_4g)
		n = e820_add_ram(e, n, max, X86_4G, bi->ram_above_4g, bi->topo);
	return n;
}
