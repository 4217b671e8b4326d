/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the arch-neutral device-tree tests (test_dtree*.c) build from: a
 * made-up arch in the shape of riscv64's (one-cell cpu reg, a /cpus
 * property, two-cell <line type> interrupts, lines 1..63), so the checks
 * hold on every build arch and nothing arm64 leaks into core/fw/dtree.c;
 * the description for a topology, aarch64's memory map, three virtio-mmio
 * windows and an initrd; and build(), which writes the tree in an arch's
 * order and checks the result's structure.
 */
#ifndef KTVM_TESTS_UNIT_DTREE_FIXTURE_H
#define KTVM_TESTS_UNIT_DTREE_FIXTURE_H

#include <libfdt.h>

#include "core/base/error.h"
#include "core/fw/dtree.h"
#include "core/vm/topology.h"
#include "tests/test.h"
#include "tests/unit/dtb_read.h"

#define RAM_BASE     0x40000000ULL
#define UART0_BASE   0x09000000ULL
#define UART1_BASE   0x09001000ULL
#define UART_SIZE    0x1000ULL
#define UART0_IRQ    1
#define UART1_IRQ    2
#define UART_CLOCK   1843200
#define DEVICES_BASE 0x0a000000ULL
#define DEVICES_IRQ  16
#define VIRTIO_SIZE  0x200
#define INITRD_START (RAM_BASE + 64 * MiB)
#define INITRD_END   (INITRD_START + 0x123456)

#define TEST_IRQ_FIRST	 1
#define TEST_IRQ_END	 64
#define TEST_CMDLINE_MAX 512
#define TEST_TIMEBASE	 10000000
#define TEST_EDGE	 1 /* the second interrupt cell */
#define TEST_LEVEL	 4

static struct topology topo;

static const struct resource_device virtio3[] = {
    {"virtio0", RESOURCE_VIRTIO_MMIO, DEVICES_BASE, VIRTIO_SIZE, DEVICES_IRQ},
    {"virtio1", RESOURCE_VIRTIO_MMIO, DEVICES_BASE + VIRTIO_SIZE, VIRTIO_SIZE, DEVICES_IRQ + 1},
    {"virtio2", RESOURCE_VIRTIO_MMIO, DEVICES_BASE + 2 * VIRTIO_SIZE, VIRTIO_SIZE, DEVICES_IRQ + 2},
};

/* vCPU cpu's hardware id: spaced and offset, so a cpu's reg is not its number. */
static inline u64 cpu_reg(u32 cpu)
{
	return 0x1000 + 0x10 * cpu;
}

static u64 test_cpu_reg(const struct dtree_desc *d, u32 cpu)
{
	return cpu_reg(cpu);
}

static void test_cpu_props(struct fdtw *w, const struct dtree_desc *d, u32 cpu)
{
	fdtw_string(w, "compatible", "ktvm,test-cpu");
}

static void test_cpus_props(struct fdtw *w, const struct dtree_desc *d)
{
	fdtw_u32(w, "timebase-frequency", TEST_TIMEBASE);
}

static void test_irq(struct fdtw *w, const struct dtree_desc *d, u32 irq, enum dtree_trigger t)
{
	u32 cells[2] = {irq, t == DTREE_EDGE_RISING ? TEST_EDGE : TEST_LEVEL};

	fdtw_cells(w, "interrupts", cells, 2);
}

static const struct dtree_arch test_arch = {
    .name = "test",
    .cmdline_max = TEST_CMDLINE_MAX,
    .cpu_addr_cells = 1,
    .cpu_reg = test_cpu_reg,
    .cpu_props = test_cpu_props,
    .cpus_props = test_cpus_props,
    .irq = test_irq,
    .irq_name = "IRQ",
    .irq_first = TEST_IRQ_FIRST,
    .irq_end = TEST_IRQ_END,
};

/* The description of topology t (finished, copied to topo). */
static inline struct dtree_desc desc_topo(const struct topology *t)
{
	u64 ram = 0;

	topo = *t;
	for (u32 i = 0; i < topo.nr_nodes; i++)
		ram += topo.mem_mib[i] * MiB;
	return (struct dtree_desc){
	    .arch = &test_arch,
	    .ram_base = RAM_BASE,
	    .ram_size = ram,
	    .nr_cpus = topology_nr_cpus(t),
	    .topo = &topo,
	    .uart_base = {UART0_BASE, UART1_BASE},
	    .uart_size = UART_SIZE,
	    .uart_irq = {UART0_IRQ, UART1_IRQ},
	    .uart_clock = UART_CLOCK,
	    .devs = virtio3,
	    .nr_devs = ARRAY_SIZE(virtio3),
	    .bootargs = "console=ttyS0 earlycon panic=-1",
	    .initrd_start = INITRD_START,
	    .initrd_end = INITRD_END,
	    .stdout_path = "serial0:115200n8",
	};
}

static inline void topo_make(struct topology *t, const char *shape, u64 mem_mib,
			     const char *numa_mem, const char *dist)
{
	topology_make(t, shape, mem_mib, numa_mem, dist, DTREE_MAX_CPUS);
}

/* nr_cpus vCPUs and no --topology: 1,1,nr_cpus,1, 512 MiB. */
static inline struct dtree_desc desc(u32 nr_cpus)
{
	struct topology t;

	topology_default(&t, nr_cpus, 512);
	return desc_topo(&t);
}

/* What an arch's build function does, without nodes of its own. */
static inline int dtree_build(const struct dtree_desc *d, void *buf, size_t size)
{
	struct fdtw w;
	int ret = dtree_check(d);

	if (ret < 0)
		return ret;
	fdtw_create(&w, buf, size);
	dtree_root(&w, "ktvm,test");
	dtree_chosen(&w, d);
	dtree_topo_memory(&w, d);
	dtree_cpus(&w, d);
	dtree_devices(&w, d);
	return dtree_finish(&w, d);
}

/* Build d into dtb; the result must pass libfdt's full structure check. */
static inline int build(const struct dtree_desc *d)
{
	int ret;

	error_clear();
	memset(dtb, 0xa5, sizeof(dtb));
	ret = dtree_build(d, dtb, sizeof(dtb));
	if (ret < 0)
		printf("  dtree_build: %s\n", error_msg());
	ASSERT_GT(ret, 0);
	ASSERT_EQ(fdt_check_header(dtb), 0);
	ASSERT_EQ(fdt_check_full(dtb, (size_t)ret), 0);
	ASSERT_EQ(fdt_totalsize(dtb), ret);
	ASSERT_EQ(fdt_num_mem_rsv(dtb), 0);
	return ret;
}

#endif
