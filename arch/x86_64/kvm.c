// SPDX-License-Identifier: GPL-2.0
/* x86_64 VM-level setup: host check, memory layout, in-kernel irqchip and PIT. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "arch/x86_64/acpi_numa.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/platform.h"
#include "arch/x86_64/topo.h"
#include "core/vm/arch.h"
#include "core/vm/cmdline.h"
#include "core/base/error.h"
#include "core/vm/resources.h"
#include "core/vm/vm.h"

const char *arch_name(void)
{
	return "x86_64";
}

u32 arch_max_vcpus(void)
{
	return ARCH_MAX_VCPUS;
}

/* The HMAT (acpi_numa.c) must give every latency and bandwidth exactly. */
int arch_topology_check(const struct topology *t)
{
	u32 unit;

	if (t->lat_rows && x86_hmat_unit(t->lat_ns, t->nodes, t->nr_nodes, &unit) < 0)
		return error_input(
		    -ERANGE,
		    "--numa-latency: the values do not fit the HMAT's 16-bit entries: "
		    "the largest may be at most %u times their greatest common divisor",
		    HMAT_MAX_ENTRY);
	if (t->bw_rows && x86_hmat_unit(t->bw_mbs, t->nodes, t->nr_nodes, &unit) < 0)
		return error_input(
		    -ERANGE,
		    "--numa-bandwidth: the values do not fit the HMAT's 16-bit entries: "
		    "the largest may be at most %u times their greatest common divisor",
		    HMAT_MAX_ENTRY);
	return 0;
}

/* Does /proc/cpuinfo list vmx or svm? -1 if it cannot be read. */
static int x86_cpu_has_virt(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "re");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		if (strstr(line, " vmx") || strstr(line, " svm"))
			found = 1;
		break;
	}
	fclose(f);
	return found;
}

int arch_kvm_check(int kvm_fd)
{
	const char *force = getenv("KTVM_ALLOW_PVM");

	(void)kvm_fd;
	if (force && !strcmp(force, "1"))
		return 0;
	/*
	 * A paravirtual KVM (kvm_pvm) answers the KVM API on CPUs without
	 * VT-x/AMD-V, but stock kernels die early under it. Say so instead of
	 * booting into a hang (see shared/notes/nested-kvm.md).
	 */
	/*
	 * A loaded kvm_intel or kvm_amd module (initstate: a module, not
	 * built in) loaded only on a CPU with VT-x or AMD-V: no /proc/cpuinfo
	 * to read.
	 */
	if (access("/sys/module/kvm_pvm", F_OK) < 0 &&
	    (access("/sys/module/kvm_intel/initstate", F_OK) == 0 ||
	     access("/sys/module/kvm_amd/initstate", F_OK) == 0))
		return 0;
	if (access("/sys/module/kvm_pvm", F_OK) == 0 || x86_cpu_has_virt() == 0)
		return error_host(-ENOTSUP,
				  "/dev/kvm here has no hardware virtualization (no vmx/svm in "
				  "/proc/cpuinfo%s) and cannot run stock kernels; use the nested "
				  "harness (tests/harness/run.sh --exec) or a host with VT-x/AMD-V",
				  access("/sys/module/kvm_pvm", F_OK) == 0 ? ", kvm_pvm loaded"
									   : "");
	return 0;
}

/* The CPUID KVM supports, with the TSC deadline timer where KVM emulates it. */
static int x86_cpuid_fetch(int kvm_fd, struct kvm_cpuid2 **out)
{
	int ret = cpuid_get_supported(kvm_fd, out);

	if (ret >= 0 && ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0)
		cpuid_set_tsc_deadline(*out);
	return ret;
}

void arch_kvm_prefetch(struct vm *vm, int kvm_fd)
{
	if (x86_cpuid_fetch(kvm_fd, &vm->arch.cpuid) < 0) {
		error_clear(); /* asked again, and said, by vCPU 0's arch_vcpu_init() */
		vm->arch.cpuid = NULL;
	}
}

void arch_kvm_prefetch_end(struct vm *vm)
{
	free(vm->arch.cpuid);
	vm->arch.cpuid = NULL;
}

int x86_cpuid_collect(struct vm *vm)
{
	return vm->arch.cpuid ? 0 : x86_cpuid_fetch(vm->kvm_fd, &vm->arch.cpuid);
}

int arch_vm_memory_layout(struct vm *vm)
{
	u64 below = x86_ram_below_4g(vm->cfg.mem_size);
	int ret;

	ret = vm_mem_add(vm, 0, below);
	if (ret < 0 || vm->cfg.mem_size == below)
		return ret;
	return vm_mem_add(vm, X86_4G, vm->cfg.mem_size - below);
}

/*
 * GSI routing that matches the MADT and MP table: ISA IRQs 0-15 go to the
 * PICs, and to the IOAPIC pin of the same number except IRQ0 (the PIT),
 * which the tables' interrupt source override puts on pin 2 (ACPI 6.5
 * 5.2.12.5). KVM's default routing sends GSI 0 to IOAPIC pin 0.
 */
static int x86_gsi_routing(struct vm *vm)
{
	struct kvm_irq_routing *r;
	u32 gsi, n = 0;
	int ret = 0;

	r = calloc(1, sizeof(*r) + 40 * sizeof(r->entries[0]));
	if (!r)
		return error_host(-ENOMEM, "cannot allocate GSI routing");
	for (gsi = 0; gsi < 16; gsi++) {
		if (gsi == 2)
			continue; /* the slave PIC's cascade */
		r->entries[n].gsi = gsi;
		r->entries[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		r->entries[n].u.irqchip.irqchip =
		    gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
		r->entries[n].u.irqchip.pin = gsi % 8;
		n++;
	}
	for (gsi = 0; gsi < 24; gsi++) {
		if (gsi == 2)
			continue;
		r->entries[n].gsi = gsi;
		r->entries[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		r->entries[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		r->entries[n].u.irqchip.pin = gsi == 0 ? 2 : gsi;
		n++;
	}
	r->nr = n;
	if (ioctl(vm->fd, KVM_SET_GSI_ROUTING, r) < 0)
		ret = error_host(-errno, "KVM_SET_GSI_ROUTING: %s", strerror(errno));
	free(r);
	return ret;
}

int arch_vm_init(struct vm *vm)
{
	struct kvm_pit_config pit;
	u64 identity = X86_IDENTITY_MAP_ADDR;
	u32 max_id = x86_topo_max_apic_id(&vm->topo);
	int ret;

	/* vcpu_id = APIC ID (arch_vcpu_kvm_id()) must stay below KVM's limit (api.rst 4.7). */
	ret = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	if (ret > 0 && max_id >= (u32)ret)
		return error_host(-ERANGE,
				  "the topology's APIC IDs reach %u; KVM takes vcpu ids "
				  "below %d (KVM_CAP_MAX_VCPU_ID)",
				  max_id, ret);

	/* VMX needs a TSS and an identity-map page in guest space; SVM ignores them. */
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)X86_TSS_ADDR) < 0)
		return error_host(-errno, "KVM_SET_TSS_ADDR: %s", strerror(errno));
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
	    ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
		return error_host(-errno, "KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return error_host(-errno, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	ret = x86_gsi_routing(vm);
	if (ret < 0)
		return ret;
	memset(&pit, 0, sizeof(pit));
	pit.flags = KVM_PIT_SPEAKER_DUMMY;
	if (ioctl(vm->fd, KVM_CREATE_PIT2, &pit) < 0)
		return error_host(-errno, "KVM_CREATE_PIT2: %s", strerror(errno));
	return 0;
}

void arch_vm_exit(struct vm *vm)
{
	(void)vm; /* the irqchip and PIT go away with the VM fd */
}

void arch_resources_init(struct resources *r)
{
	resources_init(r, X86_VIRTIO_MMIO_BASE, X86_VIRTIO_MMIO_SIZE, X86_VIRTIO_GSI_FIRST,
		       X86_VIRTIO_GSI_COUNT);
}

int x86_irq_line(struct vm *vm, u32 irq, bool level)
{
	struct kvm_irq_level l = {.irq = irq, .level = level ? 1 : 0};

	if (ioctl(vm->fd, KVM_IRQ_LINE, &l) < 0)
		return -errno;
	return 0;
}

void arch_cmdline_defaults(struct cmdline *cl, const struct resources *r)
{
	/*
	 * console on COM1; reboot through the i8042 reset line, which ends the
	 * run; reboot at once on panic so a crash never waits for the timeout.
	 */
	cmdline_add(cl, "console=ttyS0 reboot=k panic=-1");
	/* Kernels with CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES find the devices here; Debian's in the DSDT. */
	resources_virtio_cmdline(r, cl);
}
