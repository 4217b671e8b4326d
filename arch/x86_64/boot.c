// SPDX-License-Identifier: GPL-2.0
/*
 * arch_boot_load() for x86_64: kernel (bzImage or PVH ELF), command line,
 * initrd, BIOS data area, MP table, ACPI tables, and the boot information
 * the chosen entry expects.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/mptable.h"
#include "arch/x86_64/platform.h"
#include "arch/x86_64/topo.h"
#include "core/vm/arch.h"
#include "core/base/error.h"
#include "core/vm/vm.h"

/* The boot protocol's default initrd_addr_max; PVH has no such field. */
#define INITRD_ADDR_MAX_DEFAULT 0x37ffffffULL
/* x86 COMMAND_LINE_SIZE: what a PVH-booted kernel keeps of its command line. */
#define PVH_CMDLINE_MAX 2048

static void x86_boot_ram(const struct vm *vm, struct x86_boot_info *bi)
{
	bi->ram_below_4g = x86_ram_below_4g(vm->cfg.mem_size);
	bi->ram_above_4g = vm->cfg.mem_size - bi->ram_below_4g;
	bi->topo = &vm->topo;
}

/* BIOS data area words the kernel reads (EBDA segment, base memory size). */
static void x86_boot_bda(struct vm *vm)
{
	u16 ebda_seg = (u16)(X86_EBDA_ADDR >> 4), base_kib = (u16)(X86_EBDA_ADDR / KiB);
	u8 *bda = vm_gpa(vm, 0x400, 0x100);

	memcpy(bda + 0x0e, &ebda_seg, 2);
	memcpy(bda + 0x13, &base_kib, 2);
}

static int x86_boot_tables(struct vm *vm, struct x86_boot_info *bi)
{
	struct x86_platform *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return error_host(-ENOMEM, "cannot allocate platform description");
	x86_platform_init_topology(p, &vm->topo);
	for (u32 i = 0; i < vm->res.nr_devs && i < X86_MAX_VIRTIO_MMIO; i++) {
		const struct resource_device *d = &vm->res.devs[i];

		if (d->kind != RESOURCE_VIRTIO_MMIO)
			continue;
		p->virtio_mmio[p->nr_virtio_mmio++] =
		    (struct x86_virtio_mmio){.base = d->base, .size = (u32)d->size, .gsi = d->irq};
	}
	ret = mptable_build(vm_gpa(vm, X86_MPTABLE_ADDR, X86_MPTABLE_SIZE), X86_MPTABLE_ADDR,
			    X86_MPTABLE_SIZE, p);
	if (ret >= 0)
		ret = acpi_build(vm_gpa(vm, X86_ACPI_ADDR, X86_ACPI_SIZE), X86_ACPI_ADDR,
				 X86_ACPI_SIZE, p, &bi->rsdp_gpa);
	free(p);
	return ret < 0 ? ret : 0;
}

/* Where the initrd goes: top of low RAM, below addr_max, above the kernel; 0 if it cannot. */
static u64 x86_initrd_addr(const struct x86_boot_info *bi, u64 len, u64 kernel_end, u64 addr_max)
{
	u64 top = MIN(bi->ram_below_4g, addr_max + 1);
	u64 at = top > len ? ALIGN_DOWN(top - len, 4096) : 0;

	return at >= ALIGN_UP(kernel_end, 4096) ? at : 0;
}

static int x86_boot_initrd(struct vm *vm, struct x86_boot_info *bi, u64 kernel_end, u64 addr_max)
{
	u64 at;

	int ret;

	if (!vm->initrd_len)
		return 0;
	at = x86_initrd_addr(bi, vm->initrd_len, kernel_end, addr_max);
	if (!at) /* arch_kernel_check refused this already */
		return error_input(-EFBIG, "initrd %s: does not fit in guest memory",
				   vm_initrd_name(vm));
	ret = vm_load_initrd(vm, at);
	if (ret < 0)
		return error_host(ret, "initrd %s: cannot load: %s", vm_initrd_name(vm),
				  strerror(-ret));
	bi->initrd_gpa = at;
	bi->initrd_size = vm->initrd_len;
	return 0;
}

static int x86_boot_cmdline(struct vm *vm, struct x86_boot_info *bi, size_t max)
{
	size_t n = strlen(vm->cmdline);

	if (n + 1 > max)
		return error_input(-E2BIG, "kernel command line: %zu bytes, this kernel takes %zu",
				   n, max - 1);
	memcpy(vm_gpa(vm, X86_CMDLINE_ADDR, n + 1), vm->cmdline, n + 1);
	bi->cmdline_gpa = X86_CMDLINE_ADDR;
	bi->cmdline_size = (u32)(n + 1);
	return 0;
}

static int x86_boot_bzimage(struct vm *vm, const u8 *img, size_t len, struct x86_boot_info *bi)
{
	const char *name = vm_kernel_name(vm);
	struct bzimage bz;
	u64 need;
	int ret;

	ret = bzimage_parse(&bz, img, len, name);
	if (ret < 0)
		return ret;
	need = bzimage_mem_needed(&bz);
	memcpy(vm_gpa(vm, X86_KERNEL_ADDR, bz.kernel_size), bz.kernel, bz.kernel_size);
	ret = x86_boot_cmdline(vm, bi, MIN((size_t)bz.hdr.cmdline_size + 1, X86_CMDLINE_MAX));
	if (ret < 0)
		return ret;
	ret = x86_boot_initrd(vm, bi, need,
			      bz.hdr.initrd_addr_max ? bz.hdr.initrd_addr_max
						     : INITRD_ADDR_MAX_DEFAULT);
	if (ret < 0)
		return ret;
	ret = x86_boot_tables(vm, bi);
	if (ret < 0)
		return ret;
	bzimage_zero_page(vm_gpa(vm, X86_ZERO_PAGE_ADDR, sizeof(struct boot_params)), &bz, bi);
	vm->arch.entry = X86_ENTRY_BZIMAGE_64;
	/* boot.rst "64-bit BOOT PROTOCOL": the 64-bit entry is 0x200 past the load address. */
	vm->arch.entry_addr = X86_KERNEL_ADDR + 0x200;
	vm->arch.boot_info_gpa = X86_ZERO_PAGE_ADDR;
	return 0;
}

static int x86_boot_pvh(struct vm *vm, const u8 *img, size_t len, struct x86_boot_info *bi)
{
	u64 entry, end;
	int ret;

	ret = pvh_load(vm, img, len, vm_kernel_name(vm), &entry, &end);
	if (ret < 0)
		return ret;
	ret = x86_boot_cmdline(vm, bi, PVH_CMDLINE_MAX);
	if (ret < 0)
		return ret;
	ret = x86_boot_initrd(vm, bi, end, INITRD_ADDR_MAX_DEFAULT);
	if (ret < 0)
		return ret;
	ret = x86_boot_tables(vm, bi);
	if (ret < 0)
		return ret;
	pvh_start_info(vm_gpa(vm, X86_PVH_INFO_ADDR, 4096), 4096, X86_PVH_INFO_ADDR, bi);
	vm->arch.entry = X86_ENTRY_PVH;
	vm->arch.entry_addr = entry;
	vm->arch.boot_info_gpa = X86_PVH_INFO_ADDR;
	return 0;
}

/* Everything about the inputs that can be checked before KVM is touched. */
int arch_kernel_check(struct vm *vm)
{
	struct x86_boot_info bi;
	struct bzimage bz;
	u64 kernel_end, addr_max = INITRD_ADDR_MAX_DEFAULT;
	size_t cmdline_max = PVH_CMDLINE_MAX, n = strlen(vm->cmdline);
	int ret;

	ret = x86_topo_check(&vm->topo);
	if (ret < 0)
		return ret;
	memset(&bi, 0, sizeof(bi));
	x86_boot_ram(vm, &bi);
	if (pvh_is_elf(vm->kernel_img, vm->kernel_len)) {
		u64 entry;

		ret = pvh_check(vm->kernel_img, vm->kernel_len, vm_kernel_name(vm), bi.ram_below_4g,
				&entry, &kernel_end);
		if (ret < 0)
			return ret;
	} else {
		ret = bzimage_parse(&bz, vm->kernel_img, vm->kernel_len, vm_kernel_name(vm));
		if (ret < 0)
			return ret;
		kernel_end = bzimage_mem_needed(&bz);
		if (kernel_end == UINT64_MAX)
			return error_input(-EFBIG,
					   "kernel %s: its header places the kernel at 0x%llx "
					   "(pref_address), beyond any guest memory",
					   vm_kernel_name(vm),
					   (unsigned long long)bz.hdr.pref_address);
		if (kernel_end > bi.ram_below_4g)
			return error_input(
			    -EFBIG,
			    "kernel %s: needs %llu MiB of guest memory to boot, guest "
			    "has %llu MiB below 3 GiB",
			    vm_kernel_name(vm),
			    (unsigned long long)(ALIGN_UP(kernel_end, MiB) / MiB),
			    (unsigned long long)(bi.ram_below_4g / MiB));
		cmdline_max = MIN((size_t)bz.hdr.cmdline_size + 1, X86_CMDLINE_MAX);
		if (bz.hdr.initrd_addr_max)
			addr_max = bz.hdr.initrd_addr_max;
	}
	if (n + 1 > cmdline_max)
		return error_input(-E2BIG, "kernel command line: %zu bytes, %s takes at most %zu",
				   n, vm_kernel_name(vm), cmdline_max - 1);
	if (vm->initrd_len && !x86_initrd_addr(&bi, vm->initrd_len, kernel_end, addr_max))
		return error_input(
		    -EFBIG,
		    "initrd %s: %zu MiB does not fit in guest memory beside the kernel "
		    "(guest has %llu MiB)",
		    vm_initrd_name(vm), vm->initrd_len / (size_t)MiB,
		    (unsigned long long)(vm->cfg.mem_size / MiB));
	return 0;
}

int arch_boot_load(struct vm *vm)
{
	struct x86_boot_info bi;

	memset(&bi, 0, sizeof(bi));
	x86_boot_ram(vm, &bi);
	x86_boot_bda(vm);
	if (pvh_is_elf(vm->kernel_img, vm->kernel_len))
		return x86_boot_pvh(vm, vm->kernel_img, vm->kernel_len, &bi);
	return x86_boot_bzimage(vm, vm->kernel_img, vm->kernel_len, &bi);
}
