// SPDX-License-Identifier: GPL-2.0
/*
 * aarch64 boot without KVM: the Image header (booting.rst section 4, field
 * offsets written out here), placement of kernel, initrd and device tree in
 * guest RAM, the MPIDR affinity values KVM gives each vCPU id, and the
 * topology's MPIDR layout (topo.h) with the vcpu ids that give it.
 */
#include <errno.h>
#include <string.h>

#include "arch/aarch64/boot.h"
#include "arch/aarch64/layout.h"
#include "arch/aarch64/topo.h"
#include "core/vm/arch.h"
#include "core/base/error.h"
#include "core/vm/topology.h"
#include "ktvm-arch.h"
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
	/* A size that wraps the load address (issue 15): refused, as is one past the cap. */
	make_image(img, sizeof(img), 0, 0xffffffffc0100000ULL, 0);
	EXPECT_EQ(a64_image_parse(img, sizeof(img), &im), -EINVAL);
	make_image(img, sizeof(img), 0, A64_IMAGE_SIZE_MAX + 4096, 0);
	EXPECT_EQ(a64_image_parse(img, sizeof(img), &im), -EINVAL);
	make_image(img, sizeof(img), 0, A64_IMAGE_SIZE_MAX, 0);
	EXPECT_EQ(a64_image_parse(img, sizeof(img), &im), 0);
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
	/* A wrapping size is refused before any sum, whatever the memory. */
	im.image_size = 0xffffffffc0100000ULL;
	EXPECT_EQ(a64_place(64 * MiB, &im, MiB, &p), -EFBIG);
	EXPECT_EQ(a64_place(1ULL << 40, &im, MiB, &p), -EFBIG);
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

/* A finished topology "N,L,C,T" with mem_mib MiB split evenly. */
static struct topology shape(const char *s, u64 mem_mib)
{
	struct topology t;

	memset(&t, 0, sizeof(t));
	error_clear();
	EXPECT_EQ(topology_parse_shape(&t, s), 0);
	EXPECT_EQ(topology_finish(&t, &mem_mib, ARCH_MAX_VCPUS), 0);
	return t;
}

TEST(mpidr_llc_layout)
{
	struct topology t = shape("1,2,2,2", 512);

	/* Aff1 = LLC, Aff0 = core * THREADS + thread */
	EXPECT_TRUE(a64_topo_llc_layout(&t));
	EXPECT_EQ(a64_topo_mpidr(&t, 0), 0);
	EXPECT_EQ(a64_topo_mpidr(&t, 3), 0x3);
	EXPECT_EQ(a64_topo_mpidr(&t, 4), 0x100);
	EXPECT_EQ(a64_topo_mpidr(&t, 7), 0x103);
	t = shape("2,4,1,2", 512);
	EXPECT_EQ(a64_topo_mpidr(&t, 2), 0x100);
	EXPECT_EQ(a64_topo_mpidr(&t, 5), 0x201);
	EXPECT_EQ(a64_topo_mpidr(&t, 7), 0x301);
	/* One LLC of up to 16: the same as KVM's default. */
	t = shape("1,1,4,2", 512);
	for (u32 i = 0; i < 8; i++)
		EXPECT_EQ(a64_topo_mpidr(&t, i), a64_mpidr(i));
	/* 16 vCPUs per LLC still fit Aff0. */
	t = shape("1,2,8,2", 512);
	EXPECT_TRUE(a64_topo_llc_layout(&t));
	EXPECT_EQ(a64_topo_mpidr(&t, 15), 0xf);
	EXPECT_EQ(a64_topo_mpidr(&t, 16), 0x100);
	EXPECT_EQ(a64_topo_mpidr(&t, 31), 0x10f);
}

TEST(mpidr_default_layout_past_16_per_llc)
{
	/* 17 vCPUs per LLC do not fit one SGI target list: KVM's default. */
	struct topology t = shape("1,2,17,1", 512);

	EXPECT_FALSE(a64_topo_llc_layout(&t));
	for (u32 i = 0; i < 34; i++) {
		EXPECT_EQ(a64_topo_kvm_id(&t, i), i);
		EXPECT_EQ(a64_topo_mpidr(&t, i), a64_mpidr(i));
	}
	/* The flat default with 123 vCPUs: unchanged. */
	t = shape("1,1,123,1", 512);
	EXPECT_FALSE(a64_topo_llc_layout(&t));
	EXPECT_EQ(a64_topo_mpidr(&t, 122), 0x70a);
}

TEST(mpidr_kvm_ids)
{
	struct topology t = shape("2,4,1,2", 512);

	/* KVM's reset value of the vcpu_id is the layout's MPIDR. */
	for (u32 i = 0; i < 8; i++)
		EXPECT_EQ(a64_mpidr(a64_topo_kvm_id(&t, i)), a64_topo_mpidr(&t, i));
	EXPECT_EQ(a64_topo_kvm_id(&t, 7), 0x31);
	/* The ids must stay below KVM's 512: 32 LLCs reach 31 * 16 + 0 = 496. */
	t = shape("1,32,1,1", 512);
	EXPECT_TRUE(a64_topo_llc_layout(&t));
	EXPECT_EQ(a64_topo_kvm_id(&t, 31), 496);
	EXPECT_EQ(a64_topo_mpidr(&t, 31), 0x1f00);
	t.cores = 16; /* 512 vCPUs: past ktvm's limit, but the last id is 511 */
	EXPECT_TRUE(a64_topo_llc_layout(&t));
	EXPECT_EQ(a64_topo_kvm_id(&t, 511), 511);
	t = shape("1,33,1,1", 512);
	EXPECT_FALSE(a64_topo_llc_layout(&t));
	EXPECT_EQ(a64_topo_mpidr(&t, 32), 0x200);
}

/* Shape 1,l,c,th: distinct MPIDRs, ids below KVM's 512, MT clear. Returns the faults. */
static u32 check_mpidrs(u32 l, u32 c, u32 th)
{
	static u64 seen[ARCH_MAX_VCPUS];
	struct topology t;
	u32 bad = 0;
	char s[32];

	snprintf(s, sizeof(s), "1,%u,%u,%u", l, c, th);
	t = shape(s, 512);
	for (u32 i = 0; i < l * c * th; i++) {
		seen[i] = a64_topo_mpidr(&t, i);
		if (a64_topo_kvm_id(&t, i) >= A64_TOPO_KVM_IDS || seen[i] & (1ULL << 24))
			bad++;
		for (u32 j = 0; j < i; j++)
			if (seen[j] == seen[i] && !bad++)
				printf("  %s: vCPUs %u and %u: 0x%llx\n", s, j, i,
				       (unsigned long long)seen[i]);
	}
	return bad;
}

TEST(mpidr_distinct_for_all_shapes)
{
	u32 shapes = 0, bad = 0;

	for (u32 l = 1; l <= ARCH_MAX_VCPUS; l++)
		for (u32 c = 1; l * c <= ARCH_MAX_VCPUS; c++)
			for (u32 th = 1; l * c * th <= ARCH_MAX_VCPUS; th++, shapes++)
				bad += check_mpidrs(l, c, th);
	EXPECT_EQ(bad, 0);
	EXPECT_GT(shapes, 1000);
}

/* No device-tree binding carries memory latency or bandwidth: refused. */
TEST(topology_perf_refused)
{
	struct topology t;
	u64 mem = 256;

	memset(&t, 0, sizeof(t));
	ASSERT_EQ(topology_parse_shape(&t, "2,2,1,1"), 0);
	ASSERT_EQ(topology_finish(&t, &mem, ARCH_MAX_VCPUS), 0);
	EXPECT_EQ(arch_topology_check(&t), 0);
	ASSERT_EQ(topology_parse_bandwidth(&t, "100,50;50,100"), 0);
	error_clear();
	EXPECT_EQ(arch_topology_check(&t), -ENOTSUP);
	EXPECT_NE(strstr(error_msg(), "--numa-bandwidth"), NULL);
	EXPECT_NE(strstr(error_msg(), "aarch64"), NULL);
}
