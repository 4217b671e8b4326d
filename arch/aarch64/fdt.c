// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 device tree, written in one pass: the arch-neutral nodes from
 * core/fw/dtree.c, and here what only arm64 has. Bindings (Linux
 * Documentation/devicetree/bindings/): arm/cpus.yaml, arm/psci.yaml,
 * timer/arm,arch_timer.yaml, interrupt-controller/arm,gic-v3.yaml;
 * Documentation/arch/arm64/booting.rst.
 */
#include <errno.h>
#include <string.h>

#include "arch/aarch64/fdt.h"
#include "core/base/error.h"
#include "ktvm-arch.h"

/* <dt-bindings/interrupt-controller/arm-gic.h>, irq.h: an interrupt is <type number flags>. */
#define GIC_SPI		     0
#define GIC_PPI		     1
#define IRQ_TYPE_EDGE_RISING 1
#define IRQ_TYPE_LEVEL_HIGH  4
#define IRQ_TYPE_LEVEL_LOW   8

/* ARM IHI 0069 (GICv3) 2.2.1: PPIs are INTIDs 16..31, SPIs 32..1019. */
#define A64_FDT_NR_PPI 16
#define A64_FDT_NR_SPI (1020 - 32)
/* ARM IHI 0069: a GICv3 redistributor is two 64 KiB frames, RD_base and SGI_base. */
#define A64_FDT_GICR_SIZE (128 * KiB)
#define A64_FDT_GICD_SIZE (64 * KiB)
/* ARM DDI 0487 MPIDR_EL1: Aff3 is [39:32], Aff2..Aff0 [23:0]; cpus.yaml puts only these in reg. */
#define A64_FDT_MPIDR_AFF 0xff00ffffffULL
/* arch/arm64/include/uapi/asm/setup.h: COMMAND_LINE_SIZE, NUL included; longer is cut. */
#define A64_FDT_CMDLINE_MAX 2048

static const struct a64_fdt_desc *a64_fdt_of(const struct dtree_desc *d)
{
	return container_of(d, struct a64_fdt_desc, dt);
}

static u64 a64_fdt_cpu_reg(const struct dtree_desc *d, u32 cpu)
{
	return a64_fdt_of(d)->mpidr[cpu] & A64_FDT_MPIDR_AFF;
}

static void a64_fdt_cpu_props(struct fdtw *w, const struct dtree_desc *d, u32 cpu)
{
	fdtw_string(w, "compatible", "arm,arm-v8");
	fdtw_string(w, "enable-method", "psci");
}

/* interrupts = <GIC_SPI n flags>, the GIC's #interrupt-cells = 3. */
static void a64_fdt_irq(struct fdtw *w, const struct dtree_desc *d, u32 spi, enum dtree_trigger t)
{
	u32 cells[3] = {GIC_SPI, spi,
			t == DTREE_EDGE_RISING ? IRQ_TYPE_EDGE_RISING : IRQ_TYPE_LEVEL_HIGH};

	fdtw_cells(w, "interrupts", cells, ARRAY_SIZE(cells));
}

static const struct dtree_arch a64_fdt_arch = {
    .name = "arm64",
    .cmdline_max = A64_FDT_CMDLINE_MAX,
    .cpu_addr_cells = 2,
    .cpu_reg = a64_fdt_cpu_reg,
    .cpu_props = a64_fdt_cpu_props,
    .irq = a64_fdt_irq,
    .irq_name = "SPI",
    .irq_first = 0,
    .irq_end = A64_FDT_NR_SPI,
};

static int a64_fdt_check(const struct a64_fdt_desc *d)
{
	u32 i, j, seen = 0, nr_cpus = d->dt.nr_cpus;

	if (!nr_cpus || nr_cpus > ARCH_MAX_VCPUS)
		return error_input(-EINVAL, "%u vCPUs: the aarch64 device tree describes 1 to %u",
				   nr_cpus, ARCH_MAX_VCPUS);
	if (!d->mpidr)
		return error_host(-EINVAL, "device tree: no MPIDRs for %u vCPUs", nr_cpus);
	for (i = 0; i < nr_cpus; i++)
		for (j = 0; j < i; j++)
			if (!((d->mpidr[i] ^ d->mpidr[j]) & A64_FDT_MPIDR_AFF))
				return error_host(
				    -EINVAL,
				    "device tree: vCPUs %u and %u have the same MPIDR "
				    "affinity 0x%llx",
				    j, i, (unsigned long long)(d->mpidr[i] & A64_FDT_MPIDR_AFF));
	for (i = 0; i < ARRAY_SIZE(d->timer_ppi); i++) {
		if (d->timer_ppi[i] >= A64_FDT_NR_PPI || seen & (1u << d->timer_ppi[i]))
			return error_host(
			    -EINVAL,
			    "device tree: timer PPIs %u %u %u %u: not 4 distinct PPIs "
			    "below %u",
			    d->timer_ppi[0], d->timer_ppi[1], d->timer_ppi[2], d->timer_ppi[3],
			    A64_FDT_NR_PPI);
		seen |= 1u << d->timer_ppi[i];
	}
	/* Each vCPU finds its redistributor by walking the region (GICR_TYPER.Last). */
	if (d->gicd_size < A64_FDT_GICD_SIZE || d->gicr_size / A64_FDT_GICR_SIZE < nr_cpus)
		return error_host(
		    -EINVAL,
		    "device tree: GIC distributor 0x%llx bytes, redistributors 0x%llx "
		    "bytes: %u vCPUs need 0x%llx and 0x%llx",
		    (unsigned long long)d->gicd_size, (unsigned long long)d->gicr_size, nr_cpus,
		    A64_FDT_GICD_SIZE, nr_cpus * A64_FDT_GICR_SIZE);
	return dtree_check(&d->dt);
}

static void a64_fdt_psci(struct fdtw *w)
{
	/* KVM implements PSCI 1.x through HVC (KVM_ARM_VCPU_PSCI_0_2). */
	fdtw_begin(w, "psci");
	fdtw_strings(w, "compatible", "arm,psci-1.0\0arm,psci-0.2");
	fdtw_string(w, "method", "hvc");
	fdtw_end(w);
}

static void a64_fdt_gic_timer(struct fdtw *w, const struct a64_fdt_desc *d)
{
	u32 timer[4 * 3];
	u32 i;

	fdtw_begin(w, "intc@%llx", (unsigned long long)d->gicd_base);
	fdtw_string(w, "compatible", "arm,gic-v3");
	fdtw_u32(w, "#interrupt-cells", 3);
	fdtw_flag(w, "interrupt-controller");
	/*
	 * An interrupt-map's parent unit address has #address-cells of the
	 * controller; dtc 1.6 warns when that is missing. No ITS children: 0.
	 */
	fdtw_u32(w, "#address-cells", 0);
	fdtw_u32(w, "#redistributor-regions", 1);
	fdtw_reg(w, d->gicd_base, d->gicd_size, d->gicr_base, d->gicr_size, 2);
	fdtw_u32(w, "phandle", A64_FDT_PHANDLE_GIC);
	fdtw_end(w);

	/* Level-low PPIs, as on hardware; the GIC itself only tells level from edge. */
	for (i = 0; i < ARRAY_SIZE(d->timer_ppi); i++) {
		timer[i * 3] = GIC_PPI;
		timer[i * 3 + 1] = d->timer_ppi[i];
		timer[i * 3 + 2] = IRQ_TYPE_LEVEL_LOW;
	}
	fdtw_begin(w, "timer");
	fdtw_string(w, "compatible", "arm,armv8-timer");
	fdtw_cells(w, "interrupts", timer, ARRAY_SIZE(timer));
	/* The counter keeps running in every power state KVM gives a vCPU. */
	fdtw_flag(w, "always-on");
	fdtw_end(w);
}

int a64_fdt_build(const struct a64_fdt_desc *desc, void *buf, size_t size)
{
	struct a64_fdt_desc d = *desc;
	struct fdtw w;
	int ret;

	/* The hooks find d again from d.dt (container_of). */
	d.dt.arch = &a64_fdt_arch;
	ret = a64_fdt_check(&d);
	if (ret < 0)
		return ret;

	fdtw_create(&w, buf, size);
	dtree_root(&w, "linux,dummy-virt");
	fdtw_u32(&w, "interrupt-parent", A64_FDT_PHANDLE_GIC);
	dtree_chosen(&w, &d.dt);
	dtree_topo_memory(&w, &d.dt);
	dtree_cpus(&w, &d.dt);
	a64_fdt_psci(&w);
	a64_fdt_gic_timer(&w, &d);
	dtree_devices(&w, &d.dt);
	return dtree_finish(&w, &d.dt);
}
