// SPDX-License-Identifier: GPL-2.0
/*
 * The aarch64 device tree, read back with libfdt's read API and checked
 * against the bindings fdt.c cites, and the descriptions it refuses: what
 * arm64 adds to the arch-neutral nodes (tests/unit/test_dtree.c).
 * test_fdt_dtc.c round-trips it through dtc.
 */
#include <errno.h>

#include "tests/unit/aarch64/fdt_fixture.h"

static void expect_error(const struct a64_fdt_desc *d, size_t size, int code, enum error_kind kind,
			 const char *words)
{
	error_clear();
	EXPECT_EQ(a64_fdt_build(d, dtb, size), code);
	EXPECT_EQ(error_kind(), kind);
	if (!strstr(error_msg(), words))
		printf("  message \"%s\" lacks \"%s\"\n", error_msg(), words);
	EXPECT_TRUE(strstr(error_msg(), words));
}

TEST(root_node)
{
	struct a64_fdt_desc d = desc(1);
	int gic;

	build(&d);
	EXPECT_STREQ(prop_str("/", "compatible"), "linux,dummy-virt");
	EXPECT_STREQ(prop_str("/", "model"), "ktvm");
	EXPECT_EQ(prop_u32("/", "#address-cells"), 2);
	EXPECT_EQ(prop_u32("/", "#size-cells"), 2);
	/* Every device inherits the root's interrupt-parent: it must be the GIC. */
	gic = fdt_node_offset_by_phandle(dtb, prop_u32("/", "interrupt-parent"));
	EXPECT_EQ(gic, node("/intc@8000000"));
	EXPECT_EQ(fdt_get_phandle(dtb, gic), A64_FDT_PHANDLE_GIC);
}

/* nr cpu nodes under /cpus, in order, reg = the given MPIDRs' affinity. */
static void check_cpus(u32 nr)
{
	struct a64_fdt_desc d = desc(nr);
	int cpus, cpu, n = 0;
	char path[64];

	/* KVM's MPIDR_EL1 has RES1 bit 31; reg must not. */
	mpidr[nr - 1] |= 1ULL << 31;
	build(&d);
	cpus = node("/cpus");
	EXPECT_EQ(prop_u32("/cpus", "#address-cells"), 2);
	EXPECT_EQ(prop_u32("/cpus", "#size-cells"), 0);
	fdt_for_each_subnode(cpu, dtb, cpus)
	{
		/* The cache nodes and cpu-map follow the cpu nodes (tests/unit/test_dtree_topo.c). */
		if (strncmp(fdt_get_name(dtb, cpu, NULL), "cpu@", 4))
			continue;
		ASSERT_LT(n, (int)nr);
		snprintf(path, sizeof(path), "/cpus/cpu@%llx", (unsigned long long)a64_mpidr(n));
		if (fdt_path_offset(dtb, path) != cpu)
			printf("  cpu %d is %s, expected %s\n", n, fdt_get_name(dtb, cpu, NULL),
			       path);
		ASSERT_EQ(fdt_path_offset(dtb, path), cpu);
		EXPECT_EQ(prop_u64(path, "reg"), a64_mpidr(n));
		EXPECT_STREQ(prop_str(path, "device_type"), "cpu");
		EXPECT_STREQ(prop_str(path, "compatible"), "arm,arm-v8");
		EXPECT_STREQ(prop_str(path, "enable-method"), "psci");
		n++;
	}
	EXPECT_EQ(n, nr);
}

TEST(cpus_1)
{
	check_cpus(1);
}

TEST(cpus_4)
{
	check_cpus(4);
}

TEST(cpus_123)
{
	/* Past 16 vCPUs KVM moves on to Aff1: cpu@100 is vCPU 16. */
	check_cpus(ARCH_MAX_VCPUS);
	EXPECT_EQ(prop_u64("/cpus/cpu@100", "reg"), 0x100);
	EXPECT_EQ(prop_u64("/cpus/cpu@70a", "reg"), 0x70a);
}

TEST(cpu_reg_keeps_only_affinity)
{
	struct a64_fdt_desc d = desc(3);

	/* Aff3 and Aff2 kept; U (30), MT (24) and RES1 (31) dropped. */
	mpidr[0] = 0x80000000ULL;
	mpidr[1] = 0x0100000000ULL | 0x41000000ULL;
	mpidr[2] = 0x00ab0000ULL;
	build(&d);
	EXPECT_EQ(prop_u64("/cpus/cpu@0", "reg"), 0);
	EXPECT_EQ(prop_u64("/cpus/cpu@100000000", "reg"), 0x100000000ULL);
	EXPECT_EQ(prop_u64("/cpus/cpu@ab0000", "reg"), 0xab0000);
}

TEST(psci_node)
{
	struct a64_fdt_desc d = desc(2);
	int len;
	const char *p;

	build(&d);
	p = prop("/psci", "compatible", &len);
	ASSERT_EQ(len, (int)sizeof("arm,psci-1.0\0arm,psci-0.2"));
	EXPECT_TRUE(!memcmp(p, "arm,psci-1.0\0arm,psci-0.2", (size_t)len));
	EXPECT_EQ(fdt_stringlist_count(dtb, node("/psci"), "compatible"), 2);
	EXPECT_STREQ(prop_str("/psci", "method"), "hvc");
}

TEST(timer_node)
{
	struct a64_fdt_desc d = desc(2);
	/* <GIC_PPI n IRQ_TYPE_LEVEL_LOW>: secure 13, non-secure 14, virtual 11, hyp 10. */
	static const u32 want[] = {1, 13, 8, 1, 14, 8, 1, 11, 8, 1, 10, 8};

	build(&d);
	EXPECT_STREQ(prop_str("/timer", "compatible"), "arm,armv8-timer");
	expect_cells("/timer", "interrupts", want, ARRAY_SIZE(want));
	expect_empty("/timer", "always-on");
}

static void check_gic(u32 nr)
{
	struct a64_fdt_desc d = desc(nr);
	const fdt32_t *reg;
	u64 gicr, gicr_size;
	int len;

	build(&d);
	EXPECT_STREQ(prop_str("/intc@8000000", "compatible"), "arm,gic-v3");
	EXPECT_EQ(prop_u32("/intc@8000000", "#interrupt-cells"), 3);
	EXPECT_EQ(prop_u32("/intc@8000000", "#address-cells"), 0);
	expect_empty("/intc@8000000", "interrupt-controller");
	EXPECT_EQ(prop_u32("/intc@8000000", "#redistributor-regions"), 1);
	EXPECT_EQ(prop_u32("/intc@8000000", "phandle"), A64_FDT_PHANDLE_GIC);
	reg = prop("/intc@8000000", "reg", &len);
	ASSERT_EQ(len, 8 * 4);
	EXPECT_EQ(fdt64_ld((const fdt64_t *)reg), A64_GICD_BASE);
	EXPECT_EQ(fdt64_ld((const fdt64_t *)(reg + 2)), A64_GICD_SIZE);
	gicr = fdt64_ld((const fdt64_t *)(reg + 4));
	gicr_size = fdt64_ld((const fdt64_t *)(reg + 6));
	EXPECT_EQ(gicr, A64_GICR_BASE);
	/* One RD_base + SGI_base pair per vCPU, all below the UARTs. */
	EXPECT_GE(gicr_size, nr * 0x20000ULL);
	EXPECT_LE(gicr + gicr_size, A64_UART0_BASE);
	EXPECT_LE(A64_GICD_BASE + A64_GICD_SIZE, gicr);
}

TEST(gic_node_1)
{
	check_gic(1);
}

TEST(gic_node_123)
{
	check_gic(ARCH_MAX_VCPUS);
}

/* The UARTs' and virtio-mmio windows' lines as GIC SPIs: <GIC_SPI n flags>. */
TEST(device_interrupts)
{
	struct a64_fdt_desc d = desc(1);
	static const char *const path[] = {"/serial@9000000", "/serial@9001000"};
	static const u32 spi[] = {A64_UART0_SPI, A64_UART1_SPI};
	char vpath[64];
	u32 i, irq[3];

	build(&d);
	for (i = 0; i < 2; i++) {
		irq[0] = 0, irq[1] = spi[i], irq[2] = 4; /* <GIC_SPI n IRQ_TYPE_LEVEL_HIGH> */
		expect_cells(path[i], "interrupts", irq, 3);
	}
	for (i = 0; i < ARRAY_SIZE(virtio3); i++) {
		snprintf(vpath, sizeof(vpath), "/virtio_mmio@%llx",
			 (unsigned long long)virtio3[i].base);
		irq[0] = 0, irq[1] = A64_DEVICES_SPI + i, irq[2] = 1; /* IRQ_TYPE_EDGE_RISING */
		expect_cells(vpath, "interrupts", irq, 3);
	}
}

TEST(same_desc_same_bytes)
{
	struct a64_fdt_desc d = desc(8);
	static u8 first[sizeof(dtb)];
	int len;

	len = build(&d);
	memcpy(first, dtb, (size_t)len);
	EXPECT_EQ(build(&d), len);
	EXPECT_TRUE(!memcmp(first, dtb, (size_t)len));
}

TEST(phandles)
{
	struct a64_fdt_desc d = desc(4);
	int off, depth = 0, n = 0, nodes = 0;
	u32 ph, seen[8], i;

	/*
	 * Phandles are distinct: the GIC's (the interrupt controller, which
	 * only the root points at), the 4 cpu nodes', 4 L2 caches' and one L3's.
	 */
	build(&d);
	for (off = 0; off >= 0 && depth >= 0; off = fdt_next_node(dtb, off, &depth)) {
		ph = fdt_get_phandle(dtb, off);
		if (ph == A64_FDT_PHANDLE_GIC)
			EXPECT_TRUE(fdt_getprop(dtb, off, "interrupt-controller", NULL));
		if (ph) {
			for (i = 0; i < (u32)n && i < ARRAY_SIZE(seen); i++)
				EXPECT_NE(seen[i], ph);
			if (n < (int)ARRAY_SIZE(seen))
				seen[n] = ph;
			n++;
		}
		if (off)
			EXPECT_FALSE(fdt_getprop(dtb, off, "interrupt-parent", NULL));
		nodes++;
	}
	/*
	 * /, aliases, chosen, memory, cpus + 4 + 4 L2 + L3 + cpu-map, cluster0,
	 * 4 cores, psci, intc, timer, 2 UARTs, 3 virtio
	 */
	EXPECT_EQ(nodes, 28);
	EXPECT_EQ(n, 10);
}

TEST(rejects_cpu_count)
{
	struct a64_fdt_desc d = desc(1);

	d.dt.nr_cpus = 0;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_INPUT, "0 vCPUs");
	d.dt.nr_cpus = ARCH_MAX_VCPUS + 1;
	d.gicr_size = d.dt.nr_cpus * A64_GICR_STRIDE;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_INPUT, "124 vCPUs");
	d = desc(2);
	d.mpidr = NULL;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "no MPIDRs");
}

TEST(rejects_same_mpidr)
{
	struct a64_fdt_desc d = desc(4);

	/* Equal once the non-affinity bits are dropped. */
	mpidr[3] = mpidr[1] | 1ULL << 31;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "vCPUs 1 and 3 have the same MPIDR");
}

TEST(rejects_short_gic)
{
	struct a64_fdt_desc d = desc(4);

	d.gicr_size = 3 * A64_GICR_STRIDE;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "4 vCPUs need");
	d = desc(4);
	d.gicd_size = 0x1000;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "GIC distributor 0x1000 bytes");
}

TEST(rejects_bad_interrupts)
{
	struct resource_device v[2] = {virtio3[0], virtio3[1]};
	struct a64_fdt_desc d = desc(1);

	d.dt.devs = v;
	d.dt.nr_devs = 2;
	v[1].irq = 988; /* INTID 1020: special */
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "virtio-mmio 1: SPI 988 is not below");
	v[1].irq = A64_UART1_SPI;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "virtio-mmio 1: SPI 2 is used twice");
	v[1].irq = 987;
	build(&d);

	d.dt.uart_irq[1] = d.dt.uart_irq[0];
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "UART 1: SPI 1 is used twice");
	d = desc(1);
	memset(d.timer_ppi, 0, sizeof(d.timer_ppi)); /* left unset */
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "timer PPIs 0 0 0 0");
	d.timer_ppi[0] = 16, d.timer_ppi[1] = 1, d.timer_ppi[2] = 2, d.timer_ppi[3] = 3;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "timer PPIs 16 1 2 3");
	d = desc(1);
	d.dt.nr_devs = 1;
	d.dt.devs = NULL;
	expect_error(&d, sizeof(dtb), -EINVAL, ERROR_HOST, "no table for 1 virtio-mmio");
}

TEST(rejects_long_cmdline)
{
	static char line[2049];
	struct a64_fdt_desc d = desc(1);

	memset(line, 'x', 2047);
	d.dt.bootargs = line;
	build(&d);
	EXPECT_EQ(strlen(prop_str("/chosen", "bootargs")), 2047);
	line[2047] = 'x';
	expect_error(&d, sizeof(dtb), -E2BIG, ERROR_INPUT, "2048 bytes, arm64 kernels take");
}

/* The exact size is enough, one byte less is not (test_dtree.c tries every size). */
TEST(buffer_too_small)
{
	struct a64_fdt_desc d = desc(4);
	int len = build(&d);
	static u8 copy[sizeof(dtb)];

	memcpy(copy, dtb, (size_t)len);
	expect_error(&d, 100, -ENOSPC, ERROR_HOST,
		     "device tree: 4 vCPUs and 3 virtio-mmio devices do not fit in 100 bytes");
	expect_error(&d, (size_t)len - 1, -ENOSPC, ERROR_HOST, "do not fit");
	memset(dtb, 0xa5, sizeof(dtb));
	EXPECT_EQ(a64_fdt_build(&d, dtb, (size_t)len), len);
	EXPECT_TRUE(!memcmp(copy, dtb, (size_t)len));
}
