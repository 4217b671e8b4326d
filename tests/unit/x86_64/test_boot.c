// SPDX-License-Identifier: GPL-2.0
/* x86_64 boot information: zero page, e820 map, PVH start info, bzImage checks. */
#include <errno.h>
#include <stdlib.h>

#include "arch/x86_64/boot.h"
#include "arch/x86_64/layout.h"
#include "core/base/error.h"
#include "core/vm/topology.h"
#include "ktvm-arch.h"
#include "tests/test.h"

/* A synthetic bzImage: setup header as a 6.1 kernel has it, then payload bytes. */
static u8 *fake_bzimage(size_t *len, u8 setup_sects, u32 syssize_bytes)
{
	size_t setup = ((size_t)setup_sects + 1) * 512;
	u8 *img = calloc(1, setup + syssize_bytes);
	struct setup_header h;

	memset(&h, 0, sizeof(h));
	h.setup_sects = setup_sects;
	h.syssize = syssize_bytes / 16;
	h.boot_flag = 0xaa55;
	h.jump = 0x66eb; /* "jmp short" with offset 0x66: header runs to 0x268 */
	h.header = 0x53726448;
	h.version = 0x020f;
	h.loadflags = 0x01;
	h.kernel_alignment = 0x200000;
	h.relocatable_kernel = 1;
	h.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h.cmdline_size = 2047;
	h.initrd_addr_max = 0x7fffffff;
	h.pref_address = 0x1000000;
	h.init_size = 0x2000000;
	memcpy(img + 0x1f1, &h, sizeof(h));
	memset(img + setup, 0x90, syssize_bytes);
	*len = setup + syssize_bytes;
	return img;
}

static struct x86_boot_info info_256m(void)
{
	struct x86_boot_info bi = {
	    .ram_below_4g = 256 * MiB,
	    .cmdline_gpa = X86_CMDLINE_ADDR,
	    .cmdline_size = 20,
	    .initrd_gpa = 200 * MiB,
	    .initrd_size = 3 * MiB + 5,
	    .rsdp_gpa = X86_ACPI_ADDR,
	};
	return bi;
}

TEST(e820_256m)
{
	struct x86_boot_info bi = info_256m();
	struct boot_e820_entry e[8];
	u32 n = x86_e820_build(e, 8, &bi);

	ASSERT_EQ(n, 4);
	EXPECT_EQ(e[0].addr, 0);
	EXPECT_EQ(e[0].size, X86_EBDA_ADDR);
	EXPECT_EQ(e[0].type, X86_E820_RAM);
	EXPECT_EQ(e[1].addr, X86_EBDA_ADDR);
	EXPECT_EQ(e[1].type, X86_E820_RESERVED);
	EXPECT_EQ(e[2].addr, 0xe0000);
	EXPECT_EQ(e[2].addr + e[2].size, 0x100000);
	EXPECT_EQ(e[2].type, X86_E820_RESERVED);
	EXPECT_EQ(e[3].addr, 0x100000);
	EXPECT_EQ(e[3].addr + e[3].size, 256 * MiB);
	EXPECT_EQ(e[3].type, X86_E820_RAM);
}

TEST(e820_above_4g)
{
	struct x86_boot_info bi = {.ram_below_4g = X86_MMIO_HOLE, .ram_above_4g = 5 * GiB};
	struct boot_e820_entry e[8];
	u32 n = x86_e820_build(e, 8, &bi), i;

	ASSERT_EQ(n, 5);
	EXPECT_EQ(e[3].addr + e[3].size, X86_MMIO_HOLE);
	EXPECT_EQ(e[4].addr, X86_4G);
	EXPECT_EQ(e[4].size, 5 * GiB);
	/* Sorted and not overlapping. */
	for (i = 1; i < n; i++)
		EXPECT_LE(e[i - 1].addr + e[i - 1].size, e[i].addr);
}

/* Each RAM entry within one node: split where nodes 1.. begin, around the hole. */
TEST(e820_split_at_nodes)
{
	struct topology t;
	struct x86_boot_info bi = {.ram_below_4g = X86_MMIO_HOLE, .ram_above_4g = 2 * GiB};
	struct boot_e820_entry e[X86_E820_MAX];
	u64 mem = 0, ram = 0;
	u32 n, i;

	memset(&t, 0, sizeof(t));
	/* node 0: 1-1000 MiB; 1: 1000 MiB to the hole, then from 4 GiB; 2: the rest */
	ASSERT_EQ(topology_parse_shape(&t, "2,2,1,1"), 0);
	ASSERT_EQ(topology_parse_mem(&t, "1000,3000,1120"), 0);
	ASSERT_EQ(topology_finish(&t, &mem, ARCH_MAX_VCPUS), 0);
	ASSERT_EQ(mem * MiB, bi.ram_below_4g + bi.ram_above_4g);
	bi.topo = &t;
	n = x86_e820_build(e, X86_E820_MAX, &bi);
	ASSERT_EQ(n, 7);
	EXPECT_EQ(e[3].addr, X86_HIMEM_START);
	EXPECT_EQ(e[3].addr + e[3].size, 1000 * MiB);
	EXPECT_EQ(e[4].addr, 1000 * MiB);
	EXPECT_EQ(e[4].addr + e[4].size, X86_MMIO_HOLE);
	EXPECT_EQ(e[5].addr, X86_4G);
	EXPECT_EQ(e[5].size, 4000 * MiB - X86_MMIO_HOLE);
	EXPECT_EQ(e[6].addr, X86_4G + 4000 * MiB - X86_MMIO_HOLE);
	EXPECT_EQ(e[6].size, 1120 * MiB);
	for (i = 0; i < n; i++) {
		if (i)
			EXPECT_LE(e[i - 1].addr + e[i - 1].size, e[i].addr);
		if (e[i].type == X86_E820_RAM)
			ram += e[i].size;
	}
	EXPECT_EQ(ram, mem * MiB - (X86_HIMEM_START - X86_EBDA_ADDR));
	/* One node: as without a topology. */
	topology_default(&t, 2, 5120);
	EXPECT_EQ(x86_e820_build(e, X86_E820_MAX, &bi), 5);
}

TEST(e820_respects_max)
{
	struct x86_boot_info bi = info_256m();
	struct boot_e820_entry e[2];

	EXPECT_EQ(x86_e820_build(e, 2, &bi), 2);
}

TEST(zero_page_fields)
{
	struct x86_boot_info bi = info_256m();
	struct boot_params *bp = calloc(1, sizeof(*bp));
	struct bzimage bz;
	size_t len;
	u8 *img = fake_bzimage(&len, 30, 64 * 1024);

	ASSERT_EQ(bzimage_parse(&bz, img, len, "fake"), 0);
	EXPECT_EQ(bz.setup_size, 31 * 512);
	EXPECT_EQ(bz.kernel_size, 64 * 1024);
	bzimage_zero_page(bp, &bz, &bi);
	EXPECT_EQ(bp->hdr.header, 0x53726448);
	EXPECT_EQ(bp->hdr.type_of_loader, 0xff);
	EXPECT_EQ(bp->hdr.loadflags & 0x81, 0x81); /* LOADED_HIGH | CAN_USE_HEAP */
	EXPECT_EQ(bp->hdr.heap_end_ptr, 0xfe00);
	EXPECT_EQ(bp->hdr.vid_mode, 0xffff);
	EXPECT_EQ(bp->hdr.cmd_line_ptr, X86_CMDLINE_ADDR);
	EXPECT_EQ(bp->ext_cmd_line_ptr, 0);
	EXPECT_EQ(bp->hdr.ramdisk_image, 200 * MiB);
	EXPECT_EQ(bp->hdr.ramdisk_size, 3 * MiB + 5);
	EXPECT_EQ(bp->acpi_rsdp_addr, X86_ACPI_ADDR);
	EXPECT_EQ(bp->e820_entries, 4);
	EXPECT_EQ(bp->e820_table[3].addr + bp->e820_table[3].size, 256 * MiB);
	/* Offsets fixed by the boot protocol (boot.rst, zero-page.rst). */
	EXPECT_EQ(((u8 *)bp)[0x210], 0xff);
	EXPECT_EQ(((u8 *)bp)[0x1e8], 4);
	EXPECT_EQ(*(u32 *)((u8 *)bp + 0x228), X86_CMDLINE_ADDR);
	free(img);
	free(bp);
}

TEST(zero_page_no_initrd)
{
	struct x86_boot_info bi = info_256m();
	struct boot_params *bp = calloc(1, sizeof(*bp));
	struct bzimage bz;
	size_t len;
	u8 *img = fake_bzimage(&len, 30, 4096);

	bi.initrd_size = 0;
	ASSERT_EQ(bzimage_parse(&bz, img, len, "fake"), 0);
	bzimage_zero_page(bp, &bz, &bi);
	EXPECT_EQ(bp->hdr.ramdisk_image, 0);
	EXPECT_EQ(bp->hdr.ramdisk_size, 0);
	free(img);
	free(bp);
}

TEST(bzimage_mem_needed)
{
	struct bzimage bz;
	size_t len;
	u8 *img = fake_bzimage(&len, 30, 4096);

	ASSERT_EQ(bzimage_parse(&bz, img, len, "fake"), 0);
	/* pref_address 16 MiB + init_size 32 MiB */
	EXPECT_EQ(bzimage_mem_needed(&bz), 48 * MiB);
	/* A pref_address near the top would wrap the sum to a few MiB (issue 15). */
	bz.hdr.pref_address = UINT64_MAX - MiB;
	EXPECT_EQ(bzimage_mem_needed(&bz), UINT64_MAX);
	free(img);
}

TEST(bzimage_rejects)
{
	struct bzimage bz;
	size_t len;
	u8 *img = fake_bzimage(&len, 30, 64 * 1024);
	u8 small[100] = {0};

	EXPECT_EQ(bzimage_parse(&bz, small, sizeof(small), "tiny"), -ENOEXEC);
	EXPECT_TRUE(strstr(error_msg(), "tiny") != NULL);

	/* Truncated: the header says 64 KiB of payload, give it 4 KiB. */
	EXPECT_EQ(bzimage_parse(&bz, img, 31 * 512 + 4096, "cut"), -ENOEXEC);
	EXPECT_TRUE(strstr(error_msg(), "truncated") != NULL);

	img[0x202] = 'X';
	EXPECT_EQ(bzimage_parse(&bz, img, len, "nomagic"), -ENOEXEC);
	EXPECT_TRUE(strstr(error_msg(), "HdrS") != NULL);
	img[0x202] = 'H';

	img[0x206] = 0x0b; /* version 2.11 */
	EXPECT_EQ(bzimage_parse(&bz, img, len, "old"), -ENOEXEC);
	EXPECT_TRUE(strstr(error_msg(), "2.11") != NULL);
	img[0x206] = 0x0f;

	img[0x236] = 0; /* xloadflags: no 64-bit entry */
	EXPECT_EQ(bzimage_parse(&bz, img, len, "no64"), -ENOEXEC);
	EXPECT_TRUE(strstr(error_msg(), "64-bit") != NULL);
	img[0x236] = XLF_KERNEL_64;

	EXPECT_EQ(bzimage_parse(&bz, img, len, "fake"), 0);
	free(img);
}

TEST(pvh_start_info_layout)
{
	struct x86_boot_info bi = info_256m();
	static u8 page[4096];
	struct hvm_start_info *si = (struct hvm_start_info *)page;
	struct hvm_modlist_entry *mod;
	struct hvm_memmap_table_entry *mm;
	size_t used = pvh_start_info(page, sizeof(page), 0x6000, &bi);

	EXPECT_LE(used, sizeof(page));
	EXPECT_EQ(si->magic, HVM_START_MAGIC);
	EXPECT_EQ(si->version, 1);
	EXPECT_EQ(si->cmdline_paddr, X86_CMDLINE_ADDR);
	EXPECT_EQ(si->rsdp_paddr, X86_ACPI_ADDR);
	ASSERT_EQ(si->nr_modules, 1);
	ASSERT_GE(si->modlist_paddr, 0x6000);
	mod = (struct hvm_modlist_entry *)(page + (si->modlist_paddr - 0x6000));
	EXPECT_EQ(mod->paddr, 200 * MiB);
	EXPECT_EQ(mod->size, 3 * MiB + 5);
	ASSERT_EQ(si->memmap_entries, 4);
	mm = (struct hvm_memmap_table_entry *)(page + (si->memmap_paddr - 0x6000));
	EXPECT_EQ(mm[3].addr, 0x100000);
	EXPECT_EQ(mm[3].type, X86_E820_RAM);
	/* start_info.h: the structures' sizes are ABI. */
	EXPECT_EQ(sizeof(struct hvm_start_info), 56);
	EXPECT_EQ(sizeof(struct hvm_modlist_entry), 32);
	EXPECT_EQ(sizeof(struct hvm_memmap_table_entry), 24);
}

TEST(pvh_is_elf)
{
	u8 elf[8] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
	u8 bz[8] = {0};

	EXPECT_TRUE(pvh_is_elf(elf, sizeof(elf)));
	EXPECT_FALSE(pvh_is_elf(bz, sizeof(bz)));
	EXPECT_FALSE(pvh_is_elf(elf, 3));
}

TEST(pvh_check_rejects_garbage)
{
	u8 junk[256];
	u64 entry, end;

	memset(junk, 0xa5, sizeof(junk));
	memcpy(junk,
	       "\x7f"
	       "ELF",
	       4);
	EXPECT_LT(pvh_check(junk, sizeof(junk), "junk", 256 * MiB, &entry, &end), 0);
	EXPECT_TRUE(strstr(error_msg(), "junk") != NULL);
}
