// SPDX-License-Identifier: GPL-2.0
/*
 * aarch64 boot without KVM: the Image header (booting.rst section 4, field
 * offsets written out here), placement of kernel, initrd and device tree in
 * guest RAM, and the MPIDR affinity values KVM gives each vCPU id.
 */
#include <errno.h>
#include <string.h>

#include "arch/aarch64/boot.h"
#include "arch/aarch64/layout.h"
#include "tests/test.h"

static void put64(u8 *p, u64 v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (u8)(v >> (8 * i));
}

/* A 64-byte header plus len - 64 bytes of "code". */
static void make_image(u8 *img, size_t len, u64 text_offset, u64 image_size, u64 flags)
{
	memset(img, 0, len);
	put64(img + 8, text_offset);
	put64(img + 16, image_size);
	put64(img + 24, flags);
	memcpy(img + 56, "ARM\x64", 4);
}

static u8 img[4096];

TEST(image_header_fields)
{
	struct a64_image im;

	make_image(img, sizeof(img), 0, 40 * MiB, 0xa /* 4K pages, anywhere */);
	ASSERT_EQ(a64_image_parse(img, sizeof(img), &im), 0);
	EXPECT_EQ(im.text_offset, 0);
	EXPECT_EQ(im.image_size, 40 * MiB);
}

TEST(image_legacy_zero_size)
{
	struct a64_image im;

	make_image(img, sizeof(img), 0x1234, 0, 0);
	ASSERT_EQ(a64_image_parse(img, sizeof(img), &im), 0);
	EXPECT_EQ(im.text_offset, 0x80000);
	EXPECT_EQ(im.image_size, sizeof(img));
}

TEST(image_rejects)
{
	struct a64_image im;

	make_image(img, sizeof(img), 0, MiB, 0);
	EXPECT_EQ(a64_image_parse(img, 63, &im), -ENOEXEC);
	img[56] = 'X';
	EXPECT_EQ(a64_image_parse(img, sizeof(img), &im), -ENOEXEC);
	/* an x86 bzImage: "HdrS" at 0x202, no arm64 magic */
	memset(img, 0, sizeof(img));
	memcpy(img + 0x202, "HdrS", 4);
	EXPECT_EQ(a64_image_parse(img, sizeof(img), &im), -ENOEXEC);
	make_image(img, sizeof(img), 0, MiB, 1 /* big-endian */);
	EXPECT_EQ(a64_image_parse(img, sizeof(img), &im), -EPROTONOSUPPORT);
	make_image(img, sizeof(img), 0, 100 /* smaller than the file */, 0);
	EXPECT_EQ(a64_image_parse(img, sizeof(img), &im), -EINVAL);
	make_image(img, sizeof(img), 2 * MiB, MiB, 0);
	EXPECT_EQ(a64_image_parse(img, sizeof(img), &im), -EINVAL);
	make_image(img, sizeof(img), 0x80001, MiB, 0);
	EXPECT_EQ(a64_image_parse(img, sizeof(img), &im), -EINVAL);
}

/*
 * The PE/COFF view of an EFI-capable Image (arch/arm64/kernel/efi-header.S):
 * "MZ", the PE header at 0x40, no optional header here, and two sections
 * whose raw data ends at 3000 + 1000 bytes.
 */
static void make_pe_image(u8 *buf, size_t len)
{
	u8 *pe = buf + 0x40, *sec = pe + 24;

	make_image(buf, len, 0, MiB, 0xa);
	memcpy(buf, "MZ", 2);
	buf[0x3c] = 0x40;
	memcpy(pe, "PE\0\0", 4);
	pe[6] = 2;  /* NumberOfSections */
	pe[20] = 0; /* SizeOfOptionalHeader */
	/* .text: 2048 bytes at 512; .data: 1000 bytes at 3000 */
	put64(sec + 16, 2048);
	put64(sec + 20, 512);
	put64(sec + 40 + 16, 1000);
	put64(sec + 40 + 20, 3000);
}

TEST(image_pe_truncated)
{
	struct a64_image im;

	make_pe_image(img, sizeof(img));
	ASSERT_EQ(a64_image_parse(img, sizeof(img), &im), 0);
	EXPECT_EQ(im.file_size, 4000);
	/* exactly the sections: whole; one byte less: truncated */
	EXPECT_EQ(a64_image_parse(img, 4000, &im), 0);
	EXPECT_EQ(a64_image_parse(img, 3999, &im), -ENODATA);
	EXPECT_EQ(im.file_size, 4000);
	/* the section table itself cut off */
	EXPECT_EQ(a64_image_parse(img, 0x40 + 24 + 50, &im), -ENODATA);
	/* no PE signature: nothing to check against */
	img[0x40] = 'X';
	EXPECT_EQ(a64_image_parse(img, 100, &im), 0);
	EXPECT_EQ(im.file_size, 0);
}

TEST(place_kernel_initrd_fdt)
{
	struct a64_image im = {.text_offset = 0, .image_size = 30 * MiB};
	struct a64_placement p;

	ASSERT_EQ(a64_place(256 * MiB, &im, 10 * MiB + 123, &p), 0);
	EXPECT_EQ(p.kernel, A64_RAM_BASE);
	EXPECT_EQ(p.kernel_end, A64_RAM_BASE + 30 * MiB);
	/* device tree: the last 2 MiB block */
	EXPECT_EQ(p.fdt, A64_RAM_BASE + 254 * MiB);
	EXPECT_EQ(p.fdt % (2 * MiB), 0);
	/* initrd: page aligned, right below, above the kernel */
	EXPECT_EQ(p.initrd % 4096, 0);
	EXPECT_LE(p.initrd + 10 * MiB + 123, p.fdt);
	EXPECT_GT(p.initrd + 10 * MiB + 123 + 4096, p.fdt);
	EXPECT_GE(p.initrd, p.kernel_end);
}

TEST(place_without_initrd)
{
	struct a64_image im = {.text_offset = 0x80000, .image_size = 20 * MiB};
	struct a64_placement p;

	ASSERT_EQ(a64_place(33 * MiB, &im, 0, &p), 0);
	EXPECT_EQ(p.kernel, A64_RAM_BASE + 0x80000);
	EXPECT_EQ(p.initrd, 0);
	/* 33 MiB: the last whole 2 MiB block starts at 30 MiB */
	EXPECT_EQ(p.fdt, A64_RAM_BASE + 30 * MiB);
}

TEST(place_too_small)
{
	struct a64_image im = {.text_offset = 0, .image_size = 30 * MiB};
	struct a64_placement p;

	EXPECT_EQ(a64_place(31 * MiB, &im, 0, &p), -EFBIG);
	EXPECT_EQ(a64_place(MiB, &im, 0, &p), -EFBIG);
	EXPECT_EQ(a64_place(64 * MiB, &im, 40 * MiB, &p), -E2BIG);
	/* exactly fills: kernel 30 MiB, initrd 32 MiB, fdt 2 MiB */
	EXPECT_EQ(a64_place(64 * MiB, &im, 32 * MiB, &p), 0);
	EXPECT_EQ(p.initrd, p.kernel_end);
	EXPECT_EQ(a64_place(64 * MiB, &im, 32 * MiB + 1, &p), -E2BIG);
}

TEST(mpidr_affinity_of_vcpu_ids)
{
	EXPECT_EQ(a64_mpidr(0), 0);
	EXPECT_EQ(a64_mpidr(15), 0xf);
	/* Aff0 holds 16 CPUs (GICv3 target lists), then Aff1 counts on */
	EXPECT_EQ(a64_mpidr(16), 0x100);
	EXPECT_EQ(a64_mpidr(17), 0x101);
	EXPECT_EQ(a64_mpidr(122), 0x70a);
	EXPECT_EQ(a64_mpidr(4096), 0x10000);
}
