// SPDX-License-Identifier: GPL-2.0
/*
 * aarch64 backend: only the parts that need no KVM exist yet. The kernel is
 * checked (so a wrong image is refused as bad input), but running a VM is
 * refused until the backend lands (issue 4: Image loading, FDT, GICv3, PSCI).
 */
#include <errno.h>
#include <string.h>

#include "core/arch.h"
#include "core/error.h"
#include "core/resources.h"
#include "core/vm.h"

/* Documentation/arch/arm64/booting.rst: the 64-byte Image header. */
#define IMAGE_MAGIC_OFF 56
#define IMAGE_MAGIC	"ARM\x64"

const char *arch_name(void)
{
	return "aarch64";
}

u32 arch_max_vcpus(void)
{
	return ARCH_MAX_VCPUS;
}

int arch_kvm_check(int kvm_fd)
{
	(void)kvm_fd;
	return error_host(-ENOSYS, "the aarch64 backend cannot run VMs yet (issue 4)");
}

int arch_kernel_check(struct vm *vm)
{
	u64 image_size;

	if (vm->kernel_len < 64 || memcmp(vm->kernel_img + IMAGE_MAGIC_OFF, IMAGE_MAGIC, 4))
		return error_input(-ENOEXEC, "kernel %s: not an arm64 Image (no ARM\\x64 magic)",
				   vm->cfg.kernel);
	memcpy(&image_size, vm->kernel_img + 16, 8);
	if (image_size > vm->cfg.mem_size)
		return error_input(-EFBIG, "kernel %s: needs %llu MiB, guest has %llu MiB",
				   vm->cfg.kernel, (unsigned long long)(image_size / MiB),
				   (unsigned long long)(vm->cfg.mem_size / MiB));
	vm->arch.image_size = image_size;
	return 0;
}

int arch_vm_memory_layout(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

int arch_vm_init(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

void arch_vm_exit(struct vm *vm)
{
	(void)vm;
}

int arch_devices_init(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

void arch_devices_exit(struct vm *vm)
{
	(void)vm;
}

void arch_cmdline_defaults(struct cmdline *cl)
{
	(void)cl;
}

int arch_boot_load(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

int arch_vcpu_init(struct vcpu *vcpu)
{
	(void)vcpu;
	return -ENOSYS;
}

void arch_vcpu_exit(struct vcpu *vcpu)
{
	(void)vcpu;
}

int arch_vcpu_handle_exit(struct vcpu *vcpu, struct kvm_run *run)
{
	(void)vcpu;
	(void)run;
	return -ENOSYS;
}

void arch_resources_init(struct resources *r)
{
	resources_init(r, 0, 0, 0, 0);
}

int arch_irq_line(struct vm *vm, u32 irq, bool level)
{
	(void)vm;
	(void)irq;
	(void)level;
	return -ENOSYS;
}
