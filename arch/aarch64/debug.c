// SPDX-License-Identifier: GPL-2.0
/*
 * aarch64 watchpoints and state capture (core/debug/arch.h): DBGWVR/DBGWCR
 * through KVM_SET_GUEST_DEBUG (debugreg.h), stage-1 walks from TTBR0/1 and
 * TCR_EL1 (ptwalk.h), registers for dumps.
 *
 * A watchpoint exception is taken before the store is performed (ARM DDI
 * 0487, D2.10.5: the instruction does not complete). So on a hit the slot is
 * disarmed and the vCPU single-steps that one instruction
 * (KVM_GUESTDBG_SINGLESTEP); at the step exit the store has retired: the
 * slot is re-armed and the hit reported, with the pc of the store. Each
 * store is seen exactly once per slot it writes to and the guest makes
 * progress (the step-over state machine is a64_stepover, debugreg.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "arch/aarch64/debugreg.h"
#include "arch/aarch64/kvm.h"
#include "arch/aarch64/ptwalk.h"
#include "core/debug/arch.h"
#include "core/base/error.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"
#include "core/debug/watch.h"

#define A64_SYSREG_SCTLR ARM64_SYS_REG(3, 0, 1, 0, 0)
#define A64_SYSREG_TTBR0 ARM64_SYS_REG(3, 0, 2, 0, 0)
#define A64_SYSREG_TTBR1 ARM64_SYS_REG(3, 0, 2, 0, 1)
#define A64_SYSREG_TCR	 ARM64_SYS_REG(3, 0, 2, 0, 2)
#define A64_SYSREG_ESR	 ARM64_SYS_REG(3, 0, 5, 2, 0)
#define A64_SYSREG_FAR	 ARM64_SYS_REG(3, 0, 6, 0, 0)
#define A64_SYSREG_VBAR	 ARM64_SYS_REG(3, 0, 12, 0, 0)
#define A64_SYSREG_TPIDR ARM64_SYS_REG(3, 0, 13, 0, 4)

/* Program what the step-over state says: the wanted slots but the stepped one. */
static int a64_watch_program(struct vcpu *vcpu)
{
	struct kvm_guest_debug dbg;
	struct a64_stepover *st = &vcpu->arch.wp_step;

	a64_debugreg_build(&dbg, vcpu->arch.wp_addr, a64_stepover_hw_mask(st),
			   a64_stepover_stepping(st));
	if (ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return error_host(-errno, "KVM_SET_GUEST_DEBUG: %s", strerror(errno));
	return 0;
}

bool arch_debug_supported(void)
{
	return true;
}

unsigned int arch_debug_slots(struct vm *vm)
{
	int n = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_WPS);

	if (n <= 0)
		return 0;
	return n < A64_DEBUGREG_SLOTS ? (unsigned int)n : A64_DEBUGREG_SLOTS;
}

int arch_vcpu_set_watch(struct vcpu *vcpu, const struct watch_hw *hw)
{
	memcpy(vcpu->arch.wp_addr, hw->addr, sizeof(vcpu->arch.wp_addr));
	a64_stepover_set_mask(&vcpu->arch.wp_step, hw->mask);
	return a64_watch_program(vcpu);
}

/*
 * A BRK of the guest's own (BUG, WARN, kprobes): while we debug it KVM
 * traps every debug exception to us (MDCR_EL2.TDE), so take it to the
 * guest's EL1 by hand, as the hardware would have: ESR, ELR and SPSR of
 * EL1, then PC at its vector in VBAR_EL1.
 */
static int a64_watch_reinject(struct vcpu *vcpu, u32 hsr)
{
	u64 pstate, pc, vbar, vector;
	int ret;

	ret = a64_get_reg(vcpu, A64_CORE_REG(regs.pstate), &pstate, "pstate");
	if (ret >= 0)
		ret = a64_get_reg(vcpu, A64_CORE_REG(regs.pc), &pc, "pc");
	if (ret >= 0)
		ret = a64_get_reg(vcpu, A64_SYSREG_VBAR, &vbar, "VBAR_EL1");
	if (ret < 0)
		return ret;
	if (a64_exception_vector(pstate, vbar, &vector) < 0)
		return error_host(-EPROTO, "BRK from PSTATE 0x%llx: not a state to enter EL1 from",
				  (unsigned long long)pstate);
	ret = a64_set_reg(vcpu, A64_SYSREG_ESR, hsr, "ESR_EL1");
	if (ret >= 0)
		ret = a64_set_reg(vcpu, A64_CORE_REG(elr_el1), pc, "ELR_EL1");
	if (ret >= 0)
		ret = a64_set_reg(vcpu, A64_CORE_REG(spsr[KVM_SPSR_EL1]), pstate, "SPSR_EL1");
	if (ret >= 0)
		ret =
		    a64_set_reg(vcpu, A64_CORE_REG(regs.pstate), A64_PSTATE_EL1H_MASKED, "pstate");
	if (ret >= 0)
		ret = a64_set_reg(vcpu, A64_CORE_REG(regs.pc), vector, "pc");
	return ret < 0 ? ret : 0;
}

int arch_vcpu_debug_exit(struct vcpu *vcpu, struct kvm_run *run, struct watch_hw *fired, u64 *pc)
{
	struct a64_stepover *st = &vcpu->arch.wp_step;
	u32 hsr = run->debug.arch.hsr;
	bool attributed, first;
	int s, ret;

	switch (a64_debug_classify(hsr)) {
	case A64_DEBUG_WATCH:
		s = a64_debug_watch_slot(vcpu->arch.wp_addr, a64_stepover_hw_mask(st),
					 run->debug.arch.far);
		/*
		 * A FAR no armed slot explains (with several armed, a DC ZVA or
		 * a pair store may report one below the watched doubleword):
		 * step over it all the same, and report nothing for it.
		 */
		attributed = s >= 0;
		if (s < 0)
			s = __builtin_ctz(a64_stepover_hw_mask(st) | 0x10);
		first = !a64_stepover_stepping(st);
		if (s >= 4 || a64_stepover_on_watch(st, s) < 0)
			break;
		if (first)
			vcpu->arch.wp_report = 0;
		if (attributed)
			vcpu->arch.wp_report |= 1u << s;
		vcpu->arch.wp_fired[s] = vcpu->arch.wp_addr[s];
		/* A second slot of the same store traps at the same pc. */
		ret = first ? a64_get_reg(vcpu, A64_CORE_REG(regs.pc), &vcpu->arch.wp_pc, "pc") : 0;
		if (ret >= 0)
			ret = a64_watch_program(vcpu);
		return ret < 0 ? ret : 0;
	case A64_DEBUG_STEP: {
		u64 now;
		u32 done;

		done = a64_stepover_on_step(st) & vcpu->arch.wp_report;
		ret = a64_get_reg(vcpu, A64_CORE_REG(regs.pc), &now, "pc");
		if (ret >= 0)
			ret = a64_watch_program(vcpu);
		if (ret < 0)
			return ret;
		/*
		 * The store retired only if the step ended on the next
		 * instruction. An interrupt pending at the step is taken first
		 * and the step ends on its vector, the store not done: re-armed,
		 * it traps again when the handler returns to it.
		 */
		if (!done || now != vcpu->arch.wp_pc + 4)
			return 0;
		memset(fired, 0, sizeof(*fired));
		fired->mask = done;
		for (s = 0; s < A64_DEBUGREG_SLOTS; s++)
			if (done & 1u << s)
				fired->addr[s] = vcpu->arch.wp_fired[s];
		*pc = vcpu->arch.wp_pc;
		return 1;
	}
	case A64_DEBUG_BRK:
		return a64_watch_reinject(vcpu, hsr);
	default:
		break;
	}
	return error_host(-EPROTO, "debug exit ktvm did not ask for (ESR 0x%x, FAR 0x%llx)", hsr,
			  (unsigned long long)run->debug.arch.far);
}

int arch_vcpu_gva_to_gpa(struct vcpu *vcpu, u64 gva, u64 *gpa)
{
	struct a64_mmu m;
	struct gva_result out;
	struct gva_reader r = {vm_read_gpa, vcpu->vm};
	int ret;

	ret = a64_get_reg(vcpu, A64_SYSREG_TTBR0, &m.ttbr0, "TTBR0_EL1");
	if (ret >= 0)
		ret = a64_get_reg(vcpu, A64_SYSREG_TTBR1, &m.ttbr1, "TTBR1_EL1");
	if (ret >= 0)
		ret = a64_get_reg(vcpu, A64_SYSREG_TCR, &m.tcr, "TCR_EL1");
	if (ret >= 0)
		ret = a64_get_reg(vcpu, A64_SYSREG_SCTLR, &m.sctlr, "SCTLR_EL1");
	if (ret < 0)
		return ret;
	ret = a64_ptwalk(&m, gva, &r, &out);
	if (ret < 0)
		return ret;
	*gpa = out.gpa;
	return 0;
}

int arch_vcpu_mmu(struct vcpu *vcpu, struct arch_mmu *m, u64 *percpu_offset)
{
	int ret = a64_get_reg(vcpu, A64_SYSREG_TTBR0, &m->reg[0], "TTBR0_EL1");

	if (ret >= 0)
		ret = a64_get_reg(vcpu, A64_SYSREG_TTBR1, &m->reg[1], "TTBR1_EL1");
	if (ret >= 0)
		ret = a64_get_reg(vcpu, A64_SYSREG_TCR, &m->reg[2], "TCR_EL1");
	if (ret >= 0)
		ret = a64_get_reg(vcpu, A64_SYSREG_SCTLR, &m->reg[3], "SCTLR_EL1");
	/* Linux keeps this CPU's per-CPU offset in TPIDR_EL1 (arch/arm64/include/asm/percpu.h). */
	if (ret >= 0)
		ret = a64_get_reg(vcpu, A64_SYSREG_TPIDR, percpu_offset, "TPIDR_EL1");
	m->user = false;
	return ret < 0 ? ret : 0;
}

const char *arch_kernel_pgd_symbol(void)
{
	return "swapper_pg_dir"; /* what TTBR1_EL1 holds in the kernel (arch/arm64/mm/mmu.c) */
}

void arch_mmu_kernel_root(struct arch_mmu *m, u64 root_gpa)
{
	m->reg[1] = root_gpa; /* TTBR1_EL1.BADDR; kernel addresses walk from TTBR1 only */
}

int arch_mmu_gva_to_gpa(const struct arch_mmu *m, u64 gva, const struct gva_reader *r, u64 *gpa)
{
	struct a64_mmu a = {m->reg[0], m->reg[1], m->reg[2], m->reg[3]};
	struct gva_result out;
	int ret = a64_ptwalk(&a, gva, r, &out);

	if (ret < 0)
		return ret;
	*gpa = out.gpa;
	return 0;
}

void arch_vcpu_dump_regs(struct vcpu *vcpu, FILE *f)
{
	static const struct {
		const char *name;
		u64 id;
	} sys[] = {
	    {"sctlr_el1", A64_SYSREG_SCTLR}, {"ttbr0_el1", A64_SYSREG_TTBR0},
	    {"ttbr1_el1", A64_SYSREG_TTBR1}, {"tcr_el1", A64_SYSREG_TCR},
	    {"esr_el1", A64_SYSREG_ESR},     {"far_el1", A64_SYSREG_FAR},
	    {"vbar_el1", A64_SYSREG_VBAR},   {"tpidr_el1", A64_SYSREG_TPIDR},
	};
	u64 v;

	fputc('{', f);
	for (int i = 0; i < 31; i++) {
		if (a64_get_reg(vcpu, A64_CORE_REG(regs.regs[i]), &v, "x") < 0)
			goto fail;
		fprintf(f, "\"x%d\": \"0x%llx\", ", i, (unsigned long long)v);
	}
#define CORE(field, name)                                                                          \
	do {                                                                                       \
		if (a64_get_reg(vcpu, A64_CORE_REG(field), &v, name) < 0)                          \
			goto fail;                                                                 \
		fprintf(f, "\"%s\": \"0x%llx\", ", name, (unsigned long long)v);                   \
	} while (0)
	CORE(regs.sp, "sp_el0");
	CORE(regs.pc, "pc");
	CORE(regs.pstate, "pstate");
	CORE(sp_el1, "sp_el1");
	CORE(elr_el1, "elr_el1");
	CORE(spsr[KVM_SPSR_EL1], "spsr_el1");
#undef CORE
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		if (a64_get_reg(vcpu, sys[i].id, &v, sys[i].name) < 0)
			goto fail;
		fprintf(f, "%s\"%s\": \"0x%llx\"", i ? ", " : "", sys[i].name,
			(unsigned long long)v);
	}
	fprintf(f, ", \"mpidr\": \"0x%llx\"}", (unsigned long long)vcpu->arch.mpidr);
	return;
fail:
	fprintf(f, "\"error\": \"%s\"}", strerror(errno));
}
