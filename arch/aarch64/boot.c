// SPDX-License-Identifier: GPL-2.0
/*
 * aarch64 boot placement (booting.rst): the Image at text_offset from the
 * start of RAM (2 MiB aligned), the device tree in the last 2 MiB block of
 * RAM, the initrd right below it. The device tree describes every device,
 * ktvm's virtio-mmio devices from the resource registry included.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/boot.h"
#include "arch/aarch64/fdt.h"
#include "arch/aarch64/layout.h"
#include "arch/aarch64/topo.h"
#include "core/vm/arch.h"
#include "core/base/error.h"
#include "core/vm/resources.h"
#include "core/vm/vm.h"

static int a64_build_fdt(struct vm *vm, u64 initrd_gpa)
{
	u64 mpidr[ARCH_MAX_VCPUS];
	struct a64_fdt_desc d;
	void *buf;
	int size;

	for (u32 i = 0; i < vm->cfg.nr_cpus; i++)
		mpidr[i] = a64_topo_mpidr(&vm->topo, i);
	memset(&d, 0, sizeof(d));
	d.dt.ram_base = A64_RAM_BASE;
	d.dt.ram_size = vm->cfg.mem_size;
	d.dt.nr_cpus = vm->cfg.nr_cpus;
	d.dt.topo = &vm->topo;
	d.dt.uart_base[0] = A64_UART0_BASE;
	d.dt.uart_base[1] = A64_UART1_BASE;
	d.dt.uart_size = A64_UART_SIZE;
	d.dt.uart_irq[0] = A64_UART0_SPI;
	d.dt.uart_irq[1] = A64_UART1_SPI;
	d.dt.uart_clock = A64_UART_CLOCK;
	/* The registry's irqs are SPI indexes on aarch64, the form the tree takes. */
	d.dt.devs = vm->res.devs;
	d.dt.nr_devs = vm->res.nr_devs;
	d.dt.bootargs = vm->cmdline;
	if (vm->initrd_len) {
		d.dt.initrd_start = initrd_gpa;
		d.dt.initrd_end = initrd_gpa + vm->initrd_len;
	}
	d.dt.stdout_path = "serial0:115200n8";
	d.mpidr = mpidr;
	d.gicd_base = A64_GICD_BASE;
	d.gicd_size = A64_GICD_SIZE;
	d.gicr_base = A64_GICR_BASE;
	d.gicr_size = A64_GICR_STRIDE * vm->cfg.nr_cpus;
	d.timer_ppi[0] = A64_TIMER_PPI_SEC;
	d.timer_ppi[1] = A64_TIMER_PPI_NONSEC;
	d.timer_ppi[2] = A64_TIMER_PPI_VIRT;
	d.timer_ppi[3] = A64_TIMER_PPI_HYP;

	buf = calloc(1, A64_FDT_BUF_SIZE);
	if (!buf)
		return error_host(-ENOMEM, "cannot allocate the device tree");
	size = a64_fdt_build(&d, buf, A64_FDT_BUF_SIZE);
	if (size >= 0) {
		u8 *dst = vm_gpa(vm, vm->arch.fdt_gpa, (u64)size);

		if (dst && (u64)size <= A64_FDT_MAX)
			memcpy(dst, buf, (size_t)size);
		else
			size = error_host(-ENOSPC, "device tree of %d bytes does not fit", size);
	}
	free(buf);
	return size < 0 ? size : 0;
}

int a64_place(u64 mem_size, const struct a64_image *im, u64 initrd_len, struct a64_placement *p)
{
	u64 ram_end = A64_RAM_BASE + mem_size;

	memset(p, 0, sizeof(*p));
	p->kernel = A64_RAM_BASE + im->text_offset;
	/* Checked before the sum: a header's size must not wrap it. */
	if (im->image_size > mem_size || im->text_offset > mem_size)
		return -EFBIG;
	p->kernel_end = p->kernel + im->image_size;
	if (mem_size < A64_FDT_MAX)
		return -EFBIG;
	p->fdt = (ram_end - A64_FDT_MAX) & ~(A64_FDT_MAX - 1);
	if (p->fdt < p->kernel_end)
		return -EFBIG;
	if (!initrd_len)
		return 0;
	if (initrd_len > p->fdt - p->kernel_end)
		return -E2BIG;
	p->initrd = (p->fdt - initrd_len) & ~4095ULL;
	return p->initrd < p->kernel_end ? -E2BIG : 0;
}

int arch_boot_load(struct vm *vm)
{
	struct a64_image im = {.text_offset = vm->arch.text_offset,
			       .image_size = vm->arch.image_size};
	struct a64_placement p;
	int ret;

	/* arch_kernel_check() placed the same inputs already. */
	if (a64_place(vm->cfg.mem_size, &im, vm->initrd_len, &p) < 0)
		return error_input(-EFBIG, "kernel and initrd do not fit in guest memory");
	vm->arch.fdt_gpa = p.fdt;
	vm->arch.entry = p.kernel;
	ret = vm_load_kernel(vm, p.kernel, 0, vm->kernel_len, vm->kernel_len);
	if (ret == -EFAULT)
		return error_host(-EFAULT, "kernel does not fit in guest RAM");
	if (ret < 0)
		return error_host(ret, "kernel %s: cannot load: %s", vm_kernel_name(vm),
				  strerror(-ret));
	if (vm->initrd_len) {
		ret = vm_load_initrd(vm, p.initrd);
		if (ret == -EFAULT)
			return error_host(-EFAULT, "initrd does not fit in guest RAM");
		if (ret < 0)
			return error_host(ret, "initrd %s: cannot load: %s", vm_initrd_name(vm),
					  strerror(-ret));
	}
	return a64_build_fdt(vm, p.initrd);
}
