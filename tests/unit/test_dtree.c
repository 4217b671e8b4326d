// SPDX-License-Identifier: GPL-2.0
/*
 * The arch-neutral device-tree nodes (core/fw/dtree.c) and the writer they
 * use (core/fw/fdtw.c), read back with libfdt's read API and checked
 * against the bindings dtree.c cites, and the descriptions dtree_check()
 * refuses. The arch is the fixture's made-up one; tests/unit/aarch64/
 * test_fdt.c checks what arm64 adds.
 */
#include <errno.h>

#include "tests/unit/dtree_fixture.h"

static void expect_reg(const char *path, u64 base, u64 size)
{
	u32 want[4] = {(u32)(base >> 32), (u32)base, (u32)(size >> 32), (u32)size};

	expect_cells(path, "reg", want, 4);
}

static void expect_error(const struct dtree_desc *d, size_t size, int code, enum error_kind kind,
			 const char *words)
{
	error_clear();
	EXPECT_EQ(dtree_build(d, dtb, size), code);
	EXPECT_EQ(error_kind(), kind);
	if (!strstr(error_msg(), words))
		printf("  message \"%s\" lacks \"%s\"\n", error_msg(), words);
	EXPECT_TRUE(strstr(error_msg(), words));
}

TEST(memory_node)
{
	struct dtree_desc d = desc(1);

	build(&d);
	EXPECT_STREQ(prop_str("/memory@40000000", "device_type"), "memory");
	expect_reg("/memory@40000000", RAM_BASE, 512 * MiB);

	/* RAM above 4 GiB: both cells of base and size carry bits. */
	d.ram_base = 0x80000000ULL;
	d.ram_size = 5 * GiB;
	d.initrd_start = d.initrd_end = 0;
	build(&d);
	expect_reg("/memory@80000000", 0x80000000ULL, 5 * GiB);
}

TEST(uart_nodes)
{
	struct dtree_desc d = desc(1);
	static const char *const path[] = {"/serial@9000000", "/serial@9001000"};
	static const u32 spi[] = {UART0_IRQ, UART1_IRQ};
	u32 i, irq[2];

	build(&d);
	for (i = 0; i < 2; i++) {
		EXPECT_STREQ(prop_str(path[i], "compatible"), "ns16550a");
		expect_reg(path[i], i ? UART1_BASE : UART0_BASE, UART_SIZE);
		/* The arch's specifier: <line level>. */
		irq[0] = spi[i], irq[1] = TEST_LEVEL;
		expect_cells(path[i], "interrupts", irq, 2);
		EXPECT_EQ(prop_u32(path[i], "clock-frequency"), UART_CLOCK);
		EXPECT_EQ(prop_u32(path[i], "reg-shift"), 0);
		EXPECT_EQ(prop_u32(path[i], "reg-io-width"), 1);
	}
	EXPECT_STREQ(fdt_get_alias(dtb, "serial0"), path[0]);
	EXPECT_STREQ(fdt_get_alias(dtb, "serial1"), path[1]);
	/* libfdt resolves a path starting with an alias, as Linux does. */
	EXPECT_EQ(fdt_path_offset(dtb, "serial1"), node(path[1]));
}

TEST(virtio_nodes)
{
	struct dtree_desc d = desc(1);
	char path[64];
	u32 i, irq[2];
	int off, n = 0;

	build(&d);
	for (i = 0; i < ARRAY_SIZE(virtio3); i++) {
		snprintf(path, sizeof(path), "/virtio_mmio@%llx",
			 (unsigned long long)virtio3[i].base);
		EXPECT_STREQ(prop_str(path, "compatible"), "virtio,mmio");
		expect_reg(path, virtio3[i].base, VIRTIO_SIZE);
		irq[0] = DEVICES_IRQ + i, irq[1] = TEST_EDGE;
		expect_cells(path, "interrupts", irq, 2);
		expect_empty(path, "dma-coherent");
	}
	fdt_for_each_subnode(off, dtb, 0)
	{
		if (!fdt_node_check_compatible(dtb, off, "virtio,mmio"))
			n++;
	}
	EXPECT_EQ(n, ARRAY_SIZE(virtio3));

	d.nr_devs = 0;
	d.devs = NULL;
	build(&d);
	EXPECT_EQ(fdt_node_offset_by_compatible(dtb, -1, "virtio,mmio"), -FDT_ERR_NOTFOUND);
}

TEST(chosen_bootargs_initrd_stdout)
{
	struct dtree_desc d = desc(1);
	const char *stdout_path;
	int uart;

	build(&d);
	EXPECT_STREQ(prop_str("/chosen", "bootargs"), "console=ttyS0 earlycon panic=-1");
	EXPECT_EQ(prop_u64("/chosen", "linux,initrd-start"), INITRD_START);
	EXPECT_EQ(prop_u64("/chosen", "linux,initrd-end"), INITRD_END);
	/* "serial0:115200n8": the alias before ':' names UART 0. */
	stdout_path = prop_str("/chosen", "stdout-path");
	EXPECT_STREQ(stdout_path, "serial0:115200n8");
	uart = fdt_path_offset_namelen(dtb, stdout_path, (int)strcspn(stdout_path, ":"));
	EXPECT_EQ(uart, node("/serial@9000000"));
}

TEST(chosen_defaults)
{
	struct dtree_desc d = desc(1);

	d.bootargs = NULL;
	d.stdout_path = NULL;
	d.initrd_start = d.initrd_end = 0;
	build(&d);
	EXPECT_STREQ(prop_str("/chosen", "bootargs"), "");
	EXPECT_FALSE(has_prop("/chosen", "stdout-path"));
	EXPECT_FALSE(has_prop("/chosen", "linux,initrd-start"));
	EXPECT_FALSE(has_prop("/chosen", "linux,initrd-end"));
}

TEST(same_desc_same_bytes)
{
	struct dtree_desc d = desc(8);
	static u8 first[sizeof(dtb)];
	int len;

	len = build(&d);
	memcpy(first, dtb, (size_t)len);
	EXPECT_EQ(build(&d), len);
	EXPECT_TRUE(!memcmp(first, dtb, (size_t)len));
}

TEST(rejects_bad_initrd)
{
	struct dtree_desc d = desc(1);

	d.initrd_end = d.initrd_start;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "is not a range in RAM");
	d.initrd_start = 0;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "initrd 0x0..");
	d = desc(1);
	d.initrd_end = RAM_BASE + 512 * MiB + 1;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "is not a range in RAM");
	d.initrd_end = RAM_BASE + 512 * MiB; /* ends with RAM: fine */
	build(&d);
	d.ram_size = 0;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "RAM 0x40000000+0x0 is empty");
}

/*
 * Every buffer size short of the DTB fails with -ENOSPC and a message, and
 * writes nothing past the size it was given; the exact size succeeds.
 */
TEST(buffer_too_small)
{
	struct dtree_desc d = desc(4);
	int len = build(&d), size, bad = 0;
	static u8 copy[sizeof(dtb)];

	memcpy(copy, dtb, (size_t)len);
	for (size = 0; size < len; size++) {
		memset(dtb, 0xa5, sizeof(dtb));
		error_clear();
		if (dtree_build(&d, dtb, (size_t)size) != -ENOSPC || error_kind() != ERROR_HOST ||
		    dtb[size] != 0xa5) {
			if (!bad++)
				printf("  size %d: %s\n", size, error_msg());
		}
	}
	EXPECT_EQ(bad, 0);
	expect_error(&d, 100, -ENOSPC, ERROR_HOST,
		     "device tree: 4 vCPUs and 3 virtio-mmio devices do not fit in 100 bytes");
	memset(dtb, 0xa5, sizeof(dtb));
	EXPECT_EQ(dtree_build(&d, dtb, (size_t)len), len);
	EXPECT_TRUE(!memcmp(copy, dtb, (size_t)len));
}

/* /cpus and the cpu nodes: the arch's cell count, reg, and properties where it put them. */
TEST(cpu_nodes_from_arch_hooks)
{
	struct dtree_desc d = desc(3);
	char path[64];
	int off, prop_off, i = 0;
	const char *name;
	static const char *const order[] = {"device_type", "compatible", "reg"};

	build(&d);
	EXPECT_EQ(prop_u32("/cpus", "#address-cells"), 1);
	EXPECT_EQ(prop_u32("/cpus", "#size-cells"), 0);
	EXPECT_EQ(prop_u32("/cpus", "timebase-frequency"), TEST_TIMEBASE);
	for (u32 cpu = 0; cpu < 3; cpu++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%llx", (unsigned long long)cpu_reg(cpu));
		EXPECT_STREQ(prop_str(path, "device_type"), "cpu");
		EXPECT_STREQ(prop_str(path, "compatible"), "ktvm,test-cpu");
		EXPECT_EQ(prop_u32(path, "reg"), cpu_reg(cpu));
		EXPECT_EQ(fdt_get_phandle(dtb, node(path)), DTREE_PHANDLE_CPU(cpu));
	}
	/* device_type first, then the arch's, then reg: the order Linux's dts files use. */
	off = node("/cpus/cpu@1000");
	fdt_for_each_property_offset(prop_off, dtb, off)
	{
		if (i >= (int)ARRAY_SIZE(order))
			break;
		fdt_getprop_by_offset(dtb, prop_off, &name, NULL);
		EXPECT_STREQ(name, order[i]);
		i++;
	}
	EXPECT_EQ(i, ARRAY_SIZE(order));
}

TEST(root_cells)
{
	struct dtree_desc d = desc(1);

	build(&d);
	EXPECT_STREQ(prop_str("/", "compatible"), "ktvm,test");
	EXPECT_STREQ(prop_str("/", "model"), "ktvm");
	EXPECT_EQ(prop_u32("/", "#address-cells"), 2);
	EXPECT_EQ(prop_u32("/", "#size-cells"), 2);
}

/* Only virtio-mmio devices of the registry get nodes; the others' lines are not checked. */
TEST(registry_other_kinds_skipped)
{
	struct resource_device v[2] = {virtio3[0], virtio3[1]};
	struct dtree_desc d = desc(1);

	v[0].kind = (enum resource_device_kind)(RESOURCE_VIRTIO_MMIO + 1);
	v[0].irq = UART0_IRQ; /* would be used twice */
	d.devs = v;
	d.nr_devs = 2;
	build(&d);
	EXPECT_EQ(fdt_path_offset(dtb, "/virtio_mmio@a000000"), -FDT_ERR_NOTFOUND);
	node("/virtio_mmio@a000200");
	expect_error(&d, 100, -ENOSPC, ERROR_HOST, "1 vCPUs and 1 virtio-mmio devices do not fit");
}

TEST(rejects_bad_interrupts)
{
	struct resource_device v[2] = {virtio3[0], virtio3[1]};
	struct dtree_desc d = desc(1);

	d.devs = v;
	d.nr_devs = 2;
	v[1].irq = TEST_IRQ_END;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "virtio-mmio 1: IRQ 64 is not in 1..63");
	v[1].irq = 0;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "virtio-mmio 1: IRQ 0 is not in 1..63");
	v[1].irq = UART1_IRQ;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "virtio-mmio 1: IRQ 2 is used twice");
	v[1].irq = TEST_IRQ_END - 1;
	build(&d);
	v[1].size = 0;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "virtio-mmio 1: size 0");

	d = desc(1);
	d.uart_irq[1] = d.uart_irq[0];
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "UART 1: IRQ 1 is used twice");
	d = desc(1);
	d.uart_size = 0;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "UART size 0");
	d = desc(1);
	d.nr_devs = 1;
	d.devs = NULL;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "no table for 1 virtio-mmio");
}

TEST(rejects_long_cmdline)
{
	static char line[TEST_CMDLINE_MAX + 1];
	struct dtree_desc d = desc(1);

	memset(line, 'x', TEST_CMDLINE_MAX - 1);
	d.bootargs = line;
	build(&d);
	EXPECT_EQ(strlen(prop_str("/chosen", "bootargs")), TEST_CMDLINE_MAX - 1);
	line[TEST_CMDLINE_MAX - 1] = 'x';
	expect_error(&d, sizeof(dtb), -E2BIG, ERROR_INPUT,
		     "512 bytes, test kernels take at most 511");
}

TEST(rejects_incomplete_arch)
{
	struct dtree_arch a = test_arch;
	struct dtree_desc d = desc(1);

	d.arch = NULL;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "arch description");
	d.arch = &a;
	a.irq = NULL;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "arch description");
	a = test_arch;
	a.irq_end = DTREE_MAX_IRQS + 1;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "arch description");
	a = test_arch;
	a.cpu_addr_cells = 3;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "arch description");
	a = test_arch;
	a.cpus_props = NULL; /* optional */
	build(&d);
	EXPECT_FALSE(has_prop("/cpus", "timebase-frequency"));
}

/*
 * The writer's latch: after the first libfdt error nothing more is
 * written, and fdtw_finish() names the node or property it happened at.
 */
TEST(fdtw_latches_first_error)
{
	struct fdtw w;
	u8 magic[4];

	error_clear();
	memset(dtb, 0, sizeof(dtb));
	fdtw_create(&w, dtb, sizeof(dtb));
	fdtw_begin(&w, "a@%x", 1);
	fdtw_u32(&w, "fine", 1);
	/* A tree libfdt no longer recognises: every write after this fails. */
	memcpy(magic, dtb, 4);
	memset(dtb, 0, 4);
	fdtw_u32(&w, "broken", 1);
	memcpy(dtb, magic, 4); /* a good tree again: only the latch stops what follows */
	fdtw_u32(&w, "after", 1);
	fdtw_end(&w);
	EXPECT_EQ(fdtw_finish(&w), -EIO);
	EXPECT_EQ(error_kind(), ERROR_HOST);
	if (!strstr(error_msg(), "(at broken)"))
		printf("  message \"%s\"\n", error_msg());
	EXPECT_TRUE(strstr(error_msg(), "device tree: libfdt: "));
	EXPECT_TRUE(strstr(error_msg(), "(at broken)"));
	/* Nothing was written after the error: "fine" is the last property in the buffer. */
	EXPECT_TRUE(memmem(dtb, sizeof(dtb), "fine", 5));
	EXPECT_FALSE(memmem(dtb, sizeof(dtb), "after", 6));

	error_clear();
	fdtw_create(&w, dtb, 64);
	fdtw_string(&w, "long", "a string that does not fit in the 64 bytes of this tree");
	EXPECT_EQ(fdtw_finish(&w), -ENOSPC);
	EXPECT_TRUE(strstr(error_msg(), "device tree: does not fit in 64 bytes"));
}

TEST(fdtw_properties)
{
	static const u32 cells[] = {1, 0x80000000, 0xffffffff};
	struct fdtw w;
	int len, off;
	const fdt32_t *p;

	fdtw_create(&w, dtb, sizeof(dtb));
	fdtw_begin(&w, "n");
	fdtw_u32(&w, "u32", 0x12345678);
	fdtw_u64(&w, "u64", 0x123456789abcdef0ULL);
	fdtw_cells(&w, "cells", cells, ARRAY_SIZE(cells));
	fdtw_strings(&w, "list", "a\0bc");
	fdtw_flag(&w, "flag");
	fdtw_reg(&w, 0x100000000ULL, 0x2000, 0x3000, 0x4000, 2);
	fdtw_end(&w);
	ASSERT_GT(fdtw_finish(&w), 0);
	ASSERT_EQ(fdt_check_full(dtb, fdt_totalsize(dtb)), 0);
	off = node("/n");
	EXPECT_EQ(prop_u32("/n", "u32"), 0x12345678);
	EXPECT_EQ(prop_u64("/n", "u64"), 0x123456789abcdef0ULL);
	expect_cells("/n", "cells", cells, ARRAY_SIZE(cells));
	EXPECT_EQ(fdt_stringlist_count(dtb, off, "list"), 2);
	EXPECT_STREQ(fdt_stringlist_get(dtb, off, "list", 1, NULL), "bc");
	expect_empty("/n", "flag");
	p = prop("/n", "reg", &len);
	ASSERT_EQ(len, 8 * 4);
	EXPECT_EQ(fdt64_ld((const fdt64_t *)p), 0x100000000ULL);
	EXPECT_EQ(fdt64_ld((const fdt64_t *)(p + 6)), 0x4000);
}
