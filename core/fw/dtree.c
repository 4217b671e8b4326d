// SPDX-License-Identifier: GPL-2.0
/*
 * The arch-neutral nodes of the device tree (dtree.h). Bindings (Linux
 * Documentation/devicetree/bindings/): cpu/cpu-topology.txt and the
 * Devicetree Specification 0.4, 3.7 and 3.8 for /cpus; serial/8250.yaml;
 * virtio/mmio.yaml. /chosen and /aliases: the Devicetree Specification 0.4,
 * 3.3 and 3.6. The topology's nodes (cpu-map, caches, NUMA) are written by
 * dtree_topo.c; interrupt specifiers and the cpu nodes' arch properties by
 * the arch's hooks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/base/error.h"
#include "core/fw/dtree.h"
#include "core/fw/dtree_topo.h"

static bool dtree_is_virtio(const struct resource_device *r)
{
	return r->kind == RESOURCE_VIRTIO_MMIO;
}

static u32 dtree_nr_virtio(const struct dtree_desc *d)
{
	u32 n = 0;

	for (u32 i = 0; i < d->nr_devs; i++)
		n += dtree_is_virtio(&d->devs[i]);
	return n;
}

static int dtree_check_irq(const struct dtree_desc *d, const char *what, u32 idx, u32 irq, u8 *used)
{
	const struct dtree_arch *a = d->arch;

	if (irq < a->irq_first || irq >= a->irq_end) {
		if (a->irq_first)
			return error_host(-EINVAL, "device tree: %s %u: %s %u is not in %u..%u",
					  what, idx, a->irq_name, irq, a->irq_first,
					  a->irq_end - 1);
		return error_host(-EINVAL, "device tree: %s %u: %s %u is not below %u", what, idx,
				  a->irq_name, irq, a->irq_end);
	}
	if (used[irq / 8] & (1u << (irq % 8)))
		return error_host(-EINVAL, "device tree: %s %u: %s %u is used twice", what, idx,
				  a->irq_name, irq);
	used[irq / 8] |= (u8)(1u << (irq % 8));
	return 0;
}

static int dtree_check_devices(const struct dtree_desc *d)
{
	u8 used[DTREE_MAX_IRQS / 8] = {0};
	int ret;
	u32 i;

	if (!d->uart_size)
		return error_host(-EINVAL, "device tree: UART size 0");
	for (i = 0; i < DTREE_NR_UARTS; i++) {
		ret = dtree_check_irq(d, "UART", i, d->uart_irq[i], used);
		if (ret < 0)
			return ret;
	}
	if (d->nr_devs && !d->devs)
		return error_host(-EINVAL, "device tree: no table for %u virtio-mmio devices",
				  d->nr_devs);
	for (i = 0; i < d->nr_devs; i++) {
		if (!dtree_is_virtio(&d->devs[i]))
			continue;
		if (!d->devs[i].size)
			return error_host(-EINVAL, "device tree: virtio-mmio %u: size 0", i);
		/* Every line used at most once also bounds this loop. */
		ret = dtree_check_irq(d, "virtio-mmio", i, d->devs[i].irq, used);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int dtree_check(const struct dtree_desc *d)
{
	const struct dtree_arch *a = d->arch;
	u64 ram_end = d->ram_base + d->ram_size;
	int ret;

	if (!a || !a->cpu_reg || !a->cpu_props || !a->irq || !a->irq_name ||
	    a->irq_end > DTREE_MAX_IRQS || a->irq_first >= a->irq_end ||
	    (a->cpu_addr_cells != 1 && a->cpu_addr_cells != 2))
		return error_host(-EINVAL, "device tree: no or an incomplete arch description");
	if (d->nr_cpus > DTREE_MAX_CPUS)
		return error_host(-EINVAL, "device tree: %u vCPUs, phandles leave room for %u",
				  d->nr_cpus, DTREE_MAX_CPUS);
	ret = dtree_topo_check(d);
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
	if (d->bootargs && strlen(d->bootargs) >= a->cmdline_max)
		return error_input(-E2BIG,
				   "kernel command line: %zu bytes, %s kernels take at most %u",
				   strlen(d->bootargs), a->name, a->cmdline_max - 1);
	return dtree_check_devices(d);
}

void dtree_root(struct fdtw *w, const char *compatible)
{
	fdtw_string(w, "compatible", compatible);
	fdtw_string(w, "model", "ktvm");
	fdtw_u32(w, "#address-cells", 2);
	fdtw_u32(w, "#size-cells", 2);
}

void dtree_chosen(struct fdtw *w, const struct dtree_desc *d)
{
	char path[32];
	u32 i;

	/* The UART nodes' paths; stdout-path "serial0:115200n8" goes through these. */
	fdtw_begin(w, "aliases");
	for (i = 0; i < DTREE_NR_UARTS; i++) {
		snprintf(path, sizeof(path), "/serial@%llx", (unsigned long long)d->uart_base[i]);
		fdtw_string(w, i ? "serial1" : "serial0", path);
	}
	fdtw_end(w);

	fdtw_begin(w, "chosen");
	fdtw_string(w, "bootargs", d->bootargs ? d->bootargs : "");
	if (d->stdout_path)
		fdtw_string(w, "stdout-path", d->stdout_path);
	/* Linux reads either width: 64 bits cover RAM above 4 GiB. */
	if (d->initrd_end) {
		fdtw_u64(w, "linux,initrd-start", d->initrd_start);
		fdtw_u64(w, "linux,initrd-end", d->initrd_end);
	}
	fdtw_end(w);
}

void dtree_cpus(struct fdtw *w, const struct dtree_desc *d)
{
	const struct dtree_arch *a = d->arch;
	u64 reg;
	u32 i;

	fdtw_begin(w, "cpus");
	fdtw_u32(w, "#address-cells", a->cpu_addr_cells);
	fdtw_u32(w, "#size-cells", 0);
	if (a->cpus_props)
		a->cpus_props(w, d);
	for (i = 0; i < d->nr_cpus; i++) {
		reg = a->cpu_reg(d, i);
		fdtw_begin(w, "cpu@%llx", (unsigned long long)reg);
		fdtw_string(w, "device_type", "cpu");
		a->cpu_props(w, d, i);
		if (a->cpu_addr_cells == 2)
			fdtw_u64(w, "reg", reg);
		else
			fdtw_u32(w, "reg", (u32)reg);
		dtree_topo_cpu(w, d, i);
		fdtw_end(w);
	}
	dtree_topo_cpus(w, d);
	fdtw_end(w);
}

void dtree_devices(struct fdtw *w, const struct dtree_desc *d)
{
	const struct resource_device *r;
	u32 i;

	/* devices/serial.c drives its line as a level. */
	for (i = 0; i < DTREE_NR_UARTS; i++) {
		fdtw_begin(w, "serial@%llx", (unsigned long long)d->uart_base[i]);
		fdtw_string(w, "compatible", "ns16550a");
		fdtw_reg(w, d->uart_base[i], d->uart_size, 0, 0, 1);
		d->arch->irq(w, d, d->uart_irq[i], DTREE_LEVEL_HIGH);
		fdtw_u32(w, "clock-frequency", d->uart_clock);
		fdtw_u32(w, "reg-shift", 0);
		fdtw_u32(w, "reg-io-width", 1);
		fdtw_end(w);
	}

	/* The transport signals through an irqfd: a pulse, so edge-triggered. */
	for (i = 0; i < d->nr_devs; i++) {
		r = &d->devs[i];
		if (!dtree_is_virtio(r))
			continue;
		fdtw_begin(w, "virtio_mmio@%llx", (unsigned long long)r->base);
		fdtw_string(w, "compatible", "virtio,mmio");
		fdtw_reg(w, r->base, r->size, 0, 0, 1);
		d->arch->irq(w, d, r->irq, DTREE_EDGE_RISING);
		/* The device is the host: it sees guest memory coherently. */
		fdtw_flag(w, "dma-coherent");
		fdtw_end(w);
	}
}

int dtree_finish(struct fdtw *w, const struct dtree_desc *d)
{
	int ret = fdtw_finish(w);

	if (ret == -ENOSPC)
		return error_host(-ENOSPC,
				  "device tree: %u vCPUs and %u virtio-mmio devices do not fit in "
				  "%zu bytes",
				  d->nr_cpus, dtree_nr_virtio(d), w->size);
	return ret;
}
