// SPDX-License-Identifier: GPL-2.0
/*
 * aarch64 vCPU setup (Documentation/virt/kvm/api.rst, KVM_ARM_VCPU_INIT):
 * the host's preferred target with PSCI 0.2; every vCPU but the boot one
 * starts powered off and is brought up by the guest with PSCI CPU_ON, which
 * KVM handles. The boot vCPU enters the Image in EL1h with interrupts
 * masked, x0 = the device tree (booting.rst section 4).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "arch/aarch64/boot.h"
#include "arch/aarch64/kvm.h"
#include "arch/aarch64/topo.h"
#include "core/vm/arch.h"
#include "core/base/error.h"
#include "core/vm/vm.h"

/* MPIDR_EL1: op0 3, op1 0, CRn 0, CRm 0, op2 5 (ARM DDI 0487, MPIDR_EL1) */
#define A64_REG_MPIDR ARM64_SYS_REG(3, 0, 0, 0, 5)
/* Aff3 [39:32], Aff2..Aff0 [23:0]; the rest (RES1 [31], U [30], MT [24]) stays KVM's. */
#define A64_MPIDR_AFF_MASK 0xff00ffffffULL
/* CLIDR_EL1: op0 3, op1 1, CRn 0, CRm 0, op2 1 */
#define A64_REG_CLIDR ARM64_SYS_REG(3, 1, 0, 0, 1)
/* PSTATE: EL1h, D, A, I, F masked */
#define A64_PSTATE_BOOT 0x3c5ULL

int a64_set_reg(struct vcpu *vcpu, u64 id, u64 val, const char *what)
{
	struct kvm_one_reg r = {.id = id, .addr = (u64)(unsigned long)&val};

	if (ioctl(vcpu->fd, KVM_SET_ONE_REG, &r) < 0)
		return error_host(-errno, "vcpu %u: set %s: %s", vcpu->id, what, strerror(errno));
	return 0;
}

int a64_get_reg(struct vcpu *vcpu, u64 id, u64 *val, const char *what)
{
	struct kvm_one_reg r = {.id = id, .addr = (u64)(unsigned long)val};

	if (ioctl(vcpu->fd, KVM_GET_ONE_REG, &r) < 0)
		return error_host(-errno, "vcpu %u: get %s: %s", vcpu->id, what, strerror(errno));
	return 0;
}

static int a64_boot_regs(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	/* booting.rst: x0 = the device tree; a raw guest (arch_boot_raw()): index, load address. */
	u64 x[4] = {vm->arch.fdt_gpa, 0, 0, 0};
	int ret;

	if (vm->cfg.raw) {
		x[0] = vcpu->id;
		x[1] = vm->arch.entry;
	}
	ret = a64_set_reg(vcpu, A64_CORE_REG(regs.pstate), A64_PSTATE_BOOT, "pstate");
	for (int i = 0; i < 4 && ret >= 0; i++)
		ret = a64_set_reg(vcpu, A64_CORE_REG(regs.regs[i]), x[i], "x0-x3");
	if (ret >= 0)
		ret = a64_set_reg(vcpu, A64_CORE_REG(regs.pc), vm->arch.entry, "pc");
	return ret;
}

/*
 * arm64 KVM derives MPIDR_EL1 from the vcpu_id, at VCPU_INIT and at every
 * reset (PSCI CPU_ON included): the id is the one whose MPIDR is the
 * topology's (topo.h).
 */
u32 arch_vcpu_kvm_id(const struct vm *vm, u32 index)
{
	return a64_topo_kvm_id(&vm->topo, index);
}

/*
 * Give the vCPU the MPIDR the device tree's cpu node and PSCI name
 * (a64_topo_mpidr()), before it first runs and before the vGIC is
 * initialised (the redistributors' GICR_TYPER.Affinity is the vCPU's
 * MPIDR). KVM's reset value is already this one (arch_vcpu_kvm_id());
 * writing it states the layout rather than relying on KVM's formula, and
 * the read-back catches a KVM that ignores the write.
 */
static int a64_vcpu_mpidr(struct vcpu *vcpu)
{
	u64 want = a64_topo_mpidr(&vcpu->vm->topo, vcpu->id), mpidr;
	int ret;

	ret = a64_get_reg(vcpu, A64_REG_MPIDR, &mpidr, "MPIDR_EL1");
	if (ret < 0)
		return ret;
	ret = a64_set_reg(vcpu, A64_REG_MPIDR, (mpidr & ~A64_MPIDR_AFF_MASK) | want, "MPIDR_EL1");
	if (ret >= 0)
		ret = a64_get_reg(vcpu, A64_REG_MPIDR, &mpidr, "MPIDR_EL1");
	if (ret < 0)
		return ret;
	vcpu->arch.mpidr = mpidr & A64_MPIDR_AFF_MASK;
	if (vcpu->arch.mpidr != want)
		return error_host(-EPROTO,
				  "vcpu %u: MPIDR_EL1 reads 0x%llx after KVM_SET_ONE_REG of 0x%llx "
				  "(the device tree's); KVM did not take it",
				  vcpu->id, (unsigned long long)vcpu->arch.mpidr,
				  (unsigned long long)want);
	return 0;
}

/*
 * The cache levels the device tree describes (topo.h A64_TOPO_CLIDR). A
 * KVM before Linux 6.3 refuses (EINVAL: CLIDR is the host's there, and
 * names real caches, which Linux matches to the device tree's nodes).
 * KVM 6.3 to 6.9 takes the value but resets CLIDR at every vCPU reset, so
 * a secondary vCPU loses it at PSCI CPU_ON (6.10 resets it only once) and
 * the CPUs would disagree about their caches. So vCPU 0 tries: it sets
 * CLIDR, resets itself the way CPU_ON does (KVM_ARM_VCPU_INIT again), and
 * reads it back; only if it survived does every vCPU get it.
 */
static int a64_vcpu_clidr(struct vcpu *vcpu, const struct kvm_vcpu_init *init)
{
	struct vm *vm = vcpu->vm;
	u64 v;
	int ret;

	if (vcpu->id > 0)
		return vm->arch.clidr_set
			   ? a64_set_reg(vcpu, A64_REG_CLIDR, A64_TOPO_CLIDR, "CLIDR_EL1")
			   : 0;
	vm->arch.clidr_set = false;
	ret = a64_set_reg(vcpu, A64_REG_CLIDR, A64_TOPO_CLIDR, "CLIDR_EL1");
	if (ret == -EINVAL) {
		error_clear();
		return 0;
	}
	if (ret < 0)
		return ret;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, init) < 0)
		return error_host(-errno, "vcpu 0: KVM_ARM_VCPU_INIT (reset): %s", strerror(errno));
	ret = a64_get_reg(vcpu, A64_REG_CLIDR, &v, "CLIDR_EL1");
	if (ret < 0)
		return ret;
	if (v == A64_TOPO_CLIDR)
		vm->arch.clidr_set = true;
	else
		error_warn("note: this KVM resets CLIDR_EL1 when a vCPU starts (Linux 6.3-6.9): "
			   "the guest's cache levels are KVM's, not the device tree's");
	return 0;
}

int arch_vcpu_init(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct kvm_vcpu_init init;
	int ret;

	memset(&init, 0, sizeof(init));
	if (ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return error_host(-errno, "KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	/* A raw guest (arch_boot_raw()) starts every vCPU at its code. */
	if (vcpu->id > 0 && !vm->cfg.raw)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		return error_host(-errno, "vcpu %u: KVM_ARM_VCPU_INIT: %s", vcpu->id,
				  strerror(errno));
	/* CLIDR first: vCPU 0's check resets it, MPIDR included. */
	ret = a64_vcpu_clidr(vcpu, &init);
	if (ret >= 0)
		ret = a64_vcpu_mpidr(vcpu);
	if (ret < 0)
		return ret;
	a64_stepover_init(&vcpu->arch.wp_step, 0);
	if (vcpu->id == 0 || vm->cfg.raw) {
		ret = a64_boot_regs(vcpu);
		if (ret < 0)
			return ret;
	}
	/* The GIC can be initialised only once every vCPU exists. */
	if (vcpu->id == vm->cfg.nr_cpus - 1)
		return a64_gic_finish(vm);
	return 0;
}

/*
 * Every vCPU is set up in arch_vcpu_init(): the GIC ("attach") is
 * initialised only once all of them have done KVM_ARM_VCPU_INIT.
 */
int arch_vcpu_prepare(struct vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}

void arch_vcpu_exit(struct vcpu *vcpu)
{
	(void)vcpu;
}

int arch_vcpu_handle_exit(struct vcpu *vcpu, struct kvm_run *run)
{
	(void)vcpu;
	(void)run;
	return -ENOTSUP;
}
