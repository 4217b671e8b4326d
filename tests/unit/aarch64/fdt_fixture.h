/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the aarch64 device-tree tests (test_fdt*.c) build from: the
 * description the boot code passes for nr_cpus vCPUs (the flat default
 * topology) or for a topology, with layout.h's memory map, three
 * virtio-mmio windows and an initrd; and build(), which writes it into dtb
 * and checks the result's structure.
 */
#ifndef KTVM_TESTS_UNIT_AARCH64_FDT_FIXTURE_H
#define KTVM_TESTS_UNIT_AARCH64_FDT_FIXTURE_H

#include <libfdt.h>

#include "arch/aarch64/boot.h"
#include "arch/aarch64/fdt.h"
#include "arch/aarch64/layout.h"
#include "arch/aarch64/topo.h"
#include "core/base/error.h"
#include "core/vm/topology.h"
#include "ktvm-arch.h"
#include "tests/test.h"
#include "tests/unit/dtb_read.h"

static u64 mpidr[ARCH_MAX_VCPUS];
static struct topology topo;

#define INITRD_START (A64_RAM_BASE + 64 * MiB)
#define INITRD_END   (INITRD_START + 0x123456)
#define VIRTIO_SIZE  0x200

/* As the resource registry holds them: the irqs are SPI indexes. */
static const struct resource_device virtio3[] = {
    {"virtio0", RESOURCE_VIRTIO_MMIO, A64_DEVICES_BASE, VIRTIO_SIZE, A64_DEVICES_SPI},
    {"virtio1", RESOURCE_VIRTIO_MMIO, A64_DEVICES_BASE + VIRTIO_SIZE, VIRTIO_SIZE,
     A64_DEVICES_SPI + 1},
    {"virtio2", RESOURCE_VIRTIO_MMIO, A64_DEVICES_BASE + 2 * VIRTIO_SIZE, VIRTIO_SIZE,
     A64_DEVICES_SPI + 2},
};

/*
 * What the boot code passes for topology t (finished), from layout.h: the
 * vCPUs' MPIDRs and t itself (copied to topo).
 */
static inline struct a64_fdt_desc desc_topo(const struct topology *t)
{
	u32 i, nr_cpus = topology_nr_cpus(t);
	u64 ram = 0;

	topo = *t;
	for (i = 0; i < topo.nr_nodes; i++)
		ram += topo.mem_mib[i] * MiB;
	for (i = 0; i < ARRAY_SIZE(mpidr); i++)
		mpidr[i] = i < nr_cpus ? a64_topo_mpidr(&topo, i) : a64_mpidr(i);
	return (struct a64_fdt_desc){
	    .dt =
		{
		    .ram_base = A64_RAM_BASE,
		    .ram_size = ram,
		    .nr_cpus = nr_cpus,
		    .topo = &topo,
		    .uart_base = {A64_UART0_BASE, A64_UART1_BASE},
		    .uart_size = A64_UART_SIZE,
		    .uart_irq = {A64_UART0_SPI, A64_UART1_SPI},
		    .uart_clock = A64_UART_CLOCK,
		    .devs = virtio3,
		    .nr_devs = ARRAY_SIZE(virtio3),
		    .bootargs = "console=ttyS0 earlycon panic=-1",
		    .initrd_start = INITRD_START,
		    .initrd_end = INITRD_END,
		    .stdout_path = "serial0:115200n8",
		},
	    .mpidr = mpidr,
	    .timer_ppi = {A64_TIMER_PPI_SEC, A64_TIMER_PPI_NONSEC, A64_TIMER_PPI_VIRT,
			  A64_TIMER_PPI_HYP},
	    .gicd_base = A64_GICD_BASE,
	    .gicd_size = A64_GICD_SIZE,
	    .gicr_base = A64_GICR_BASE,
	    .gicr_size = nr_cpus * A64_GICR_STRIDE,
	};
}

static inline void topo_make(struct topology *t, const char *shape, u64 mem_mib,
			     const char *numa_mem, const char *dist)
{
	topology_make(t, shape, mem_mib, numa_mem, dist, ARCH_MAX_VCPUS);
}

/* What the boot code passes for nr_cpus vCPUs and no --topology: 1,1,nr_cpus,1, 512 MiB. */
static inline struct a64_fdt_desc desc(u32 nr_cpus)
{
	struct topology t;

	topology_default(&t, nr_cpus, 512);
	return desc_topo(&t);
}

/* Build d into dtb; the result must pass libfdt's full structure check. */
static inline int build(const struct a64_fdt_desc *d)
{
	int ret;

	error_clear();
	memset(dtb, 0xa5, sizeof(dtb));
	ret = a64_fdt_build(d, dtb, sizeof(dtb));
	if (ret < 0)
		printf("  a64_fdt_build: %s\n", error_msg());
	ASSERT_GT(ret, 0);
	ASSERT_EQ(fdt_check_header(dtb), 0);
	ASSERT_EQ(fdt_check_full(dtb, (size_t)ret), 0);
	ASSERT_EQ(fdt_totalsize(dtb), ret);
	ASSERT_EQ(fdt_num_mem_rsv(dtb), 0);
	return ret;
}

#endif
