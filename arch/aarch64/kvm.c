// SPDX-License-Identifier: GPL-2.0
/* aarch64 VM-level setup: memory, the in-kernel GICv3, interrupt lines. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "arch/aarch64/kvm.h"
#include "arch/aarch64/layout.h"
#include "arch/aarch64/topo.h"
#include "core/vm/arch.h"
#include "core/vm/cmdline.h"
#include "core/base/error.h"
#include "core/vm/resources.h"
#include "core/vm/vm.h"

const char *arch_name(void)
{
	return "aarch64";
}

u32 arch_max_vcpus(void)
{
	return ARCH_MAX_VCPUS;
}

/*
 * Memory latency and bandwidth have no device-tree binding (Linux reads
 * them only from ACPI's HMAT), so a guest could not see them.
 */
int arch_topology_check(const struct topology *t)
{
	if (topology_has_perf(t))
		return error_input(
		    -ENOTSUP,
		    "--numa-%s: not on aarch64: the device tree has no binding for "
		    "memory latency or bandwidth (Linux reads them only from ACPI HMAT)",
		    t->lat_rows ? "latency" : "bandwidth");
	return 0;
}

int arch_kvm_check(int kvm_fd)
{
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PSCI_0_2) <= 0)
		return error_host(-ENOTSUP, "/dev/kvm has no PSCI 0.2 (KVM_CAP_ARM_PSCI_0_2)");
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD) <= 0)
		return error_host(-ENOTSUP, "/dev/kvm has no irqfd (KVM_CAP_IRQFD)");
	return 0;
}

/* Nothing slow to ask ahead: the GIC and vCPU queries are quick. */
void arch_kvm_prefetch(struct vm *vm, int kvm_fd)
{
	(void)vm;
	(void)kvm_fd;
}

void arch_kvm_prefetch_end(struct vm *vm)
{
	(void)vm;
}

int arch_vm_memory_layout(struct vm *vm)
{
	return vm_mem_add(vm, A64_RAM_BASE, vm->cfg.mem_size);
}

static int a64_gic_attr(int fd, u32 group, u64 attr, const void *addr, const char *what)
{
	struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (u64)(unsigned long)addr};

	if (ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0)
		return error_host(-errno, "GICv3: %s: %s", what, strerror(errno));
	return 0;
}

/*
 * The vcpu_ids that give the topology's MPIDRs (topo.h) must be below
 * KVM's limit, which the vGICv3 sets (api.rst 4.7; KVM_CAP_MAX_VCPU_ID
 * answers for the VM once its GIC exists).
 */
static int a64_kvm_check_ids(struct vm *vm)
{
	u32 max_id = a64_topo_kvm_id(&vm->topo, topology_nr_cpus(&vm->topo) - 1);
	int ret = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);

	if (ret > 0 && max_id >= (u32)ret)
		return error_host(-ERANGE,
				  "the topology's MPIDRs need KVM vcpu ids up to %u; KVM takes "
				  "ids below %d (KVM_CAP_MAX_VCPU_ID)",
				  max_id, ret);
	return 0;
}

/*
 * The GICv3 distributor and one redistributor per vCPU. It is initialised
 * (a64_gic_finish()) only once every vCPU exists.
 */
int arch_vm_init(struct vm *vm)
{
	struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
	u64 dist = A64_GICD_BASE, redist = A64_GICR_BASE;
	int ret;

	u32 nr_cpus = topology_nr_cpus(&vm->topo); /* on the build thread: not vm->cfg */

	vm->arch.gic_fd = -1;
	if (nr_cpus > A64_GICR_MAX_VCPUS)
		return error_input(-EINVAL, "--cpus %u: the GICv3 layout has room for %llu vCPUs",
				   nr_cpus, (unsigned long long)A64_GICR_MAX_VCPUS);
	if (ioctl(vm->fd, KVM_CREATE_DEVICE, &cd) < 0)
		return error_host(-errno, "KVM_CREATE_DEVICE (GICv3): %s%s", strerror(errno),
				  errno == ENODEV ? " (the host has no GICv3 support in KVM)" : "");
	vm->arch.gic_fd = (int)cd.fd;
	ret = a64_kvm_check_ids(vm);
	if (ret >= 0)
		ret = a64_gic_attr(vm->arch.gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
				   KVM_VGIC_V3_ADDR_TYPE_DIST, &dist, "distributor address");
	if (ret >= 0)
		ret = a64_gic_attr(vm->arch.gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
				   KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist, "redistributor address");
	if (ret < 0) {
		close(vm->arch.gic_fd);
		vm->arch.gic_fd = -1;
	}
	return ret;
}

int a64_gic_finish(struct vm *vm)
{
	u32 nr_irqs = 32 + A64_DEVICES_SPI + A64_DEVICES_SPI_NR; /* a multiple of 32 */

	int ret = a64_gic_attr(vm->arch.gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs,
			       "number of interrupts");
	if (ret < 0)
		return ret;
	return a64_gic_attr(vm->arch.gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
			    NULL, "init");
}

void arch_vm_exit(struct vm *vm)
{
	if (vm->arch.gic_fd >= 0)
		close(vm->arch.gic_fd);
	vm->arch.gic_fd = -1;
}

void arch_resources_init(struct resources *r)
{
	resources_init(r, A64_DEVICES_BASE, A64_DEVICES_SIZE, A64_DEVICES_SPI, A64_DEVICES_SPI_NR);
}

/* irq is an SPI index (layout.h); KVM_IRQ_LINE wants type and INTID. */
int a64_irq_line(struct vm *vm, u32 irq, bool level)
{
	struct kvm_irq_level l = {
	    .irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | A64_SPI_INTID(irq),
	    .level = level ? 1 : 0,
	};

	if (ioctl(vm->fd, KVM_IRQ_LINE, &l) < 0)
		return -errno;
	return 0;
}

void arch_cmdline_defaults(struct cmdline *cl, const struct resources *r)
{
	/*
	 * console on UART 0 (the device tree's serial0); PSCI SYSTEM_RESET and
	 * SYSTEM_OFF end the run; reboot at once on panic.
	 */
	cmdline_add(cl, "console=ttyS0 panic=-1");
}
