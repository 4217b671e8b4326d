// SPDX-License-Identifier: GPL-2.0
/*
 * The device tree, written in one pass with libfdt's sequential-write API.
 * Bindings (Linux Documentation/devicetree/bindings/): arm/cpus.yaml,
 * arm/psci.yaml, timer/arm,arch_timer.yaml,
 * interrupt-controller/arm,gic-v3.yaml, serial/8250.yaml, virtio/mmio.yaml;
 * /chosen and /aliases: the Devicetree Specification 0.4, 3.3 and 3.6, and
 * Documentation/arch/arm64/booting.rst. The topology's nodes (cpu-map,
 * caches, NUMA) are written by fdt_topo.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "arch/aarch64/fdt_ctx.h"
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

static void a64_fdt_note(struct a64_fdt_ctx *c, int ret, const char *what)
{
	if (ret < 0 && !c->err) {
		c->err = ret;
		snprintf(c->where, sizeof(c->where), "%s", what);
	}
}

void __printf(2, 3) a64_fdt_begin(struct a64_fdt_ctx *c, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	if (c->err)
		return;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	a64_fdt_note(c, fdt_begin_node(c->fdt, name), name);
}

void a64_fdt_end(struct a64_fdt_ctx *c)
{
	if (!c->err)
		a64_fdt_note(c, fdt_end_node(c->fdt), "end of node");
}

void a64_fdt_prop(struct a64_fdt_ctx *c, const char *name, const void *val, size_t len)
{
	if (!c->err)
		a64_fdt_note(c, fdt_property(c->fdt, name, val, (int)len), name);
}

/* A string list, as a literal with embedded NULs: "a\0b" is <"a", "b">. */
#define a64_fdt_strings(c, name, lit) a64_fdt_prop(c, name, lit, sizeof(lit))

void a64_fdt_string(struct a64_fdt_ctx *c, const char *name, const char *s)
{
	a64_fdt_prop(c, name, s, strlen(s) + 1);
}

void a64_fdt_flag(struct a64_fdt_ctx *c, const char *name)
{
	a64_fdt_prop(c, name, "", 0);
}

void a64_fdt_u32(struct a64_fdt_ctx *c, const char *name, u32 v)
{
	fdt32_t be = cpu_to_fdt32(v);

	a64_fdt_prop(c, name, &be, sizeof(be));
}

void a64_fdt_u64(struct a64_fdt_ctx *c, const char *name, u64 v)
{
	fdt64_t be = cpu_to_fdt64(v);

	a64_fdt_prop(c, name, &be, sizeof(be));
}

void a64_fdt_reg(struct a64_fdt_ctx *c, u64 base0, u64 size0, u64 base1, u64 size1, int nr)
{
	fdt64_t be[4] = {cpu_to_fdt64(base0), cpu_to_fdt64(size0), cpu_to_fdt64(base1),
			 cpu_to_fdt64(size1)};

	a64_fdt_prop(c, "reg", be, nr * 2 * sizeof(be[0]));
}

/* interrupts = <type number flags>... (up to 4), the GIC's #interrupt-cells = 3. */
static void a64_fdt_irqs(struct a64_fdt_ctx *c, const u32 *cells, size_t nr)
{
	fdt32_t be[4 * 3];
	size_t i;

	for (i = 0; i < nr * 3 && i < ARRAY_SIZE(be); i++)
		be[i] = cpu_to_fdt32(cells[i]);
	a64_fdt_prop(c, "interrupts", be, i * sizeof(be[0]));
}

static void a64_fdt_irq(struct a64_fdt_ctx *c, u32 type, u32 nr, u32 flags)
{
	u32 cells[3] = {type, nr, flags};

	a64_fdt_irqs(c, cells, 1);
}

static int a64_fdt_check_spi(const char *what, u32 idx, u32 spi, u8 *used)
{
	if (spi >= A64_FDT_NR_SPI)
		return error_host(-EINVAL, "device tree: %s %u: SPI %u is not below %u", what, idx,
				  spi, A64_FDT_NR_SPI);
	if (used[spi / 8] & (1u << (spi % 8)))
		return error_host(-EINVAL, "device tree: %s %u: SPI %u is used twice", what, idx,
				  spi);
	used[spi / 8] |= (u8)(1u << (spi % 8));
	return 0;
}

static int a64_fdt_check_cpus(const struct a64_fdt_desc *d)
{
	u32 i, j, seen = 0;

	if (!d->nr_cpus || d->nr_cpus > ARCH_MAX_VCPUS)
		return error_input(-EINVAL, "%u vCPUs: the aarch64 device tree describes 1 to %u",
				   d->nr_cpus, ARCH_MAX_VCPUS);
	if (!d->mpidr)
		return error_host(-EINVAL, "device tree: no MPIDRs for %u vCPUs", d->nr_cpus);
	for (i = 0; i < d->nr_cpus; i++)
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
	if (d->gicd_size < A64_FDT_GICD_SIZE || d->gicr_size / A64_FDT_GICR_SIZE < d->nr_cpus)
		return error_host(
		    -EINVAL,
		    "device tree: GIC distributor 0x%llx bytes, redistributors 0x%llx "
		    "bytes: %u vCPUs need 0x%llx and 0x%llx",
		    (unsigned long long)d->gicd_size, (unsigned long long)d->gicr_size, d->nr_cpus,
		    A64_FDT_GICD_SIZE, d->nr_cpus * A64_FDT_GICR_SIZE);
	return 0;
}

static int a64_fdt_check(const struct a64_fdt_desc *d)
{
	u8 spis[(A64_FDT_NR_SPI + 7) / 8] = {0};
	u64 ram_end = d->ram_base + d->ram_size;
	int ret;
	u32 i;

	ret = a64_fdt_check_cpus(d);
	if (ret >= 0)
		ret = a64_fdt_topo_check(d);
	if (ret < 0)
		return ret;
	if (!d->ram_size || ram_end < d->ram_base)
		return error_host(-EINVAL, "device tree: RAM 0x%llx+0x%llx is empty or wraps",
				  (unsigned long long)d->ram_base, (unsigned long long)d->ram_size);
	if ((d->initrd_start || d->initrd_end) &&
	    (d->initrd_start >= d->initrd_end || d->initrd_start < d->ram_base ||
	     d->initrd_end > ram_end))
		return error_host(-EINVAL,
				  "device tree: initrd 0x%llx..0x%llx is not a range in RAM "
				  "0x%llx..0x%llx",
				  (unsigned long long)d->initrd_start,
				  (unsigned long long)d->initrd_end,
				  (unsigned long long)d->ram_base, (unsigned long long)ram_end);
	if (d->bootargs && strlen(d->bootargs) >= A64_FDT_CMDLINE_MAX)
		return error_input(-E2BIG,
				   "kernel command line: %zu bytes, arm64 kernels take at most %u",
				   strlen(d->bootargs), A64_FDT_CMDLINE_MAX - 1);
	if (!d->uart_size)
		return error_host(-EINVAL, "device tree: UART size 0");
	for (i = 0; i < ARRAY_SIZE(d->uart_spi); i++) {
		ret = a64_fdt_check_spi("UART", i, d->uart_spi[i], spis);
		if (ret < 0)
			return ret;
	}
	if (d->nr_virtio && !d->virtio)
		return error_host(-EINVAL, "device tree: no table for %u virtio-mmio devices",
				  d->nr_virtio);
	for (i = 0; i < d->nr_virtio; i++) {
		if (!d->virtio[i].size)
			return error_host(-EINVAL, "device tree: virtio-mmio %u: size 0", i);
		/* Every SPI used at most once also bounds this loop. */
		ret = a64_fdt_check_spi("virtio-mmio", i, d->virtio[i].spi, spis);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void a64_fdt_chosen(struct a64_fdt_ctx *c, const struct a64_fdt_desc *d)
{
	char path[32];
	u32 i;

	/* The UART nodes' paths; stdout-path "serial0:115200n8" goes through these. */
	a64_fdt_begin(c, "aliases");
	for (i = 0; i < ARRAY_SIZE(d->uart_base); i++) {
		snprintf(path, sizeof(path), "/serial@%llx", (unsigned long long)d->uart_base[i]);
		a64_fdt_string(c, i ? "serial1" : "serial0", path);
	}
	a64_fdt_end(c);

	a64_fdt_begin(c, "chosen");
	a64_fdt_string(c, "bootargs", d->bootargs ? d->bootargs : "");
	if (d->stdout_path)
		a64_fdt_string(c, "stdout-path", d->stdout_path);
	/* Linux reads either width: 64 bits cover RAM above 4 GiB. */
	if (d->initrd_end) {
		a64_fdt_u64(c, "linux,initrd-start", d->initrd_start);
		a64_fdt_u64(c, "linux,initrd-end", d->initrd_end);
	}
	a64_fdt_end(c);
}

static void a64_fdt_cpus(struct a64_fdt_ctx *c, const struct a64_fdt_desc *d)
{
	u64 aff;
	u32 i;

	a64_fdt_begin(c, "cpus");
	a64_fdt_u32(c, "#address-cells", 2);
	a64_fdt_u32(c, "#size-cells", 0);
	for (i = 0; i < d->nr_cpus; i++) {
		aff = d->mpidr[i] & A64_FDT_MPIDR_AFF;
		a64_fdt_begin(c, "cpu@%llx", (unsigned long long)aff);
		a64_fdt_string(c, "device_type", "cpu");
		a64_fdt_string(c, "compatible", "arm,arm-v8");
		a64_fdt_string(c, "enable-method", "psci");
		a64_fdt_u64(c, "reg", aff);
		a64_fdt_topo_cpu(c, d, i);
		a64_fdt_end(c);
	}
	a64_fdt_topo_cpus(c, d);
	a64_fdt_end(c);

	/* KVM implements PSCI 1.x through HVC (KVM_ARM_VCPU_PSCI_0_2). */
	a64_fdt_begin(c, "psci");
	a64_fdt_strings(c, "compatible", "arm,psci-1.0\0arm,psci-0.2");
	a64_fdt_string(c, "method", "hvc");
	a64_fdt_end(c);
}

static void a64_fdt_gic_timer(struct a64_fdt_ctx *c, const struct a64_fdt_desc *d)
{
	u32 timer[4 * 3];
	u32 i;

	a64_fdt_begin(c, "intc@%llx", (unsigned long long)d->gicd_base);
	a64_fdt_string(c, "compatible", "arm,gic-v3");
	a64_fdt_u32(c, "#interrupt-cells", 3);
	a64_fdt_flag(c, "interrupt-controller");
	/*
	 * An interrupt-map's parent unit address has #address-cells of the
	 * controller; dtc 1.6 warns when that is missing. No ITS children: 0.
	 */
	a64_fdt_u32(c, "#address-cells", 0);
	a64_fdt_u32(c, "#redistributor-regions", 1);
	a64_fdt_reg(c, d->gicd_base, d->gicd_size, d->gicr_base, d->gicr_size, 2);
	a64_fdt_u32(c, "phandle", A64_FDT_PHANDLE_GIC);
	a64_fdt_end(c);

	/* Level-low PPIs, as on hardware; the GIC itself only tells level from edge. */
	for (i = 0; i < ARRAY_SIZE(d->timer_ppi); i++) {
		timer[i * 3] = GIC_PPI;
		timer[i * 3 + 1] = d->timer_ppi[i];
		timer[i * 3 + 2] = IRQ_TYPE_LEVEL_LOW;
	}
	a64_fdt_begin(c, "timer");
	a64_fdt_string(c, "compatible", "arm,armv8-timer");
	a64_fdt_irqs(c, timer, ARRAY_SIZE(d->timer_ppi));
	/* The counter keeps running in every power state KVM gives a vCPU. */
	a64_fdt_flag(c, "always-on");
	a64_fdt_end(c);
}

static void a64_fdt_devices(struct a64_fdt_ctx *c, const struct a64_fdt_desc *d)
{
	const struct a64_fdt_virtio *v;
	u32 i;

	/* devices/serial.c drives its line as a level. */
	for (i = 0; i < ARRAY_SIZE(d->uart_base); i++) {
		a64_fdt_begin(c, "serial@%llx", (unsigned long long)d->uart_base[i]);
		a64_fdt_string(c, "compatible", "ns16550a");
		a64_fdt_reg(c, d->uart_base[i], d->uart_size, 0, 0, 1);
		a64_fdt_irq(c, GIC_SPI, d->uart_spi[i], IRQ_TYPE_LEVEL_HIGH);
		a64_fdt_u32(c, "clock-frequency", d->uart_clock);
		a64_fdt_u32(c, "reg-shift", 0);
		a64_fdt_u32(c, "reg-io-width", 1);
		a64_fdt_end(c);
	}

	/* The transport signals through an irqfd: a pulse, so edge-triggered. */
	for (i = 0; i < d->nr_virtio; i++) {
		v = &d->virtio[i];
		a64_fdt_begin(c, "virtio_mmio@%llx", (unsigned long long)v->base);
		a64_fdt_string(c, "compatible", "virtio,mmio");
		a64_fdt_reg(c, v->base, v->size, 0, 0, 1);
		a64_fdt_irq(c, GIC_SPI, v->spi, IRQ_TYPE_EDGE_RISING);
		/* The device is the host: it sees guest memory coherently. */
		a64_fdt_flag(c, "dma-coherent");
		a64_fdt_end(c);
	}
}

int a64_fdt_build(const struct a64_fdt_desc *d, void *buf, size_t size)
{
	struct a64_fdt_ctx c = {.fdt = buf};
	int ret;

	ret = a64_fdt_check(d);
	if (ret < 0)
		return ret;

	a64_fdt_note(&c, fdt_create(buf, (int)MIN(size, (size_t)INT_MAX)), "header");
	if (!c.err)
		a64_fdt_note(&c, fdt_finish_reservemap(buf), "memory reservation map");
	a64_fdt_begin(&c, "%s", "");
	a64_fdt_string(&c, "compatible", "linux,dummy-virt");
	a64_fdt_string(&c, "model", "ktvm");
	a64_fdt_u32(&c, "#address-cells", 2);
	a64_fdt_u32(&c, "#size-cells", 2);
	a64_fdt_u32(&c, "interrupt-parent", A64_FDT_PHANDLE_GIC);

	a64_fdt_chosen(&c, d);
	a64_fdt_topo_memory(&c, d);
	a64_fdt_cpus(&c, d);
	a64_fdt_gic_timer(&c, d);
	a64_fdt_devices(&c, d);

	a64_fdt_end(&c);
	if (!c.err)
		a64_fdt_note(&c, fdt_finish(buf), "end of tree");
	if (!c.err)
		a64_fdt_note(&c, fdt_check_header(buf), "header check");

	if (c.err == -FDT_ERR_NOSPACE)
		return error_host(-ENOSPC,
				  "device tree: %u vCPUs and %u virtio-mmio devices do not fit in "
				  "%zu bytes",
				  d->nr_cpus, d->nr_virtio, size);
	if (c.err)
		return error_host(-EIO, "device tree: libfdt: %s (at %s)", fdt_strerror(c.err),
				  c.where);
	return (int)fdt_totalsize(buf);
}
