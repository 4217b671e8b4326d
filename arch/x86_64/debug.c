// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 watchpoints and state capture (core/debug/arch.h): DR0-DR3 and DR7
 * through KVM_SET_GUEST_DEBUG (debugreg.h), the fired slot from DR6, page
 * walks from CR3 (ptwalk.h), registers for dumps.
 *
 * A data breakpoint is a trap (Intel SDM 3B 18.2.5): the write has
 * completed when KVM_EXIT_DEBUG arrives, and run->debug.arch.pc is the
 * instruction after the store.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "arch/x86_64/debugreg.h"
#include "arch/x86_64/ptwalk.h"
#include "core/debug/arch.h"
#include "core/base/error.h"
#include "core/vm/vcpu.h"
#include "core/vm/vm.h"
#include "core/debug/watch.h"

bool arch_debug_supported(void)
{
	return true;
}

unsigned int arch_debug_slots(struct vm *vm)
{
	return 4; /* DR0-DR3 */
}

int arch_vcpu_set_watch(struct vcpu *vcpu, const struct watch_hw *hw)
{
	struct kvm_guest_debug dbg;

	x86_debugreg_build(&dbg, hw->addr, hw->mask);
	if (ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return error_host(-errno, "KVM_SET_GUEST_DEBUG: %s", strerror(errno));
	memcpy(vcpu->arch.dr_addr, hw->addr, sizeof(vcpu->arch.dr_addr));
	vcpu->arch.dr_mask = hw->mask;
	return 0;
}

/*
 * A #DB that is the guest's own (its single-step, e.g. a uprobe or a
 * debugger in the guest): with KVM_GUESTDBG_USE_HW_BP every #DB comes to
 * us, so give it back with the DR6 that says why (KVM_SET_DEBUGREGS) and
 * KVM_GUESTDBG_INJECT_DB.
 */
static int x86_watch_reinject(struct vcpu *vcpu, u64 dr6)
{
	struct kvm_guest_debug dbg;
	struct kvm_debugregs d;

	if (ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &d) < 0)
		return error_host(-errno, "KVM_GET_DEBUGREGS: %s", strerror(errno));
	d.dr6 = dr6;
	if (ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d) < 0)
		return error_host(-errno, "KVM_SET_DEBUGREGS: %s", strerror(errno));
	x86_debugreg_build(&dbg, vcpu->arch.dr_addr, vcpu->arch.dr_mask);
	dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB;
	if (ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return error_host(-errno, "KVM_SET_GUEST_DEBUG (inject #DB): %s", strerror(errno));
	return 0;
}

int arch_vcpu_debug_exit(struct vcpu *vcpu, struct kvm_run *run, struct watch_hw *fired, u64 *pc)
{
	u32 mask = x86_debugreg_fired_mask(run->debug.arch.dr6, vcpu->arch.dr_mask);

	if (!mask) {
		if (run->debug.arch.exception == 1) /* #DB */
			return x86_watch_reinject(vcpu, run->debug.arch.dr6);
		return error_host(-EPROTO,
				  "debug exit ktvm did not ask for (exception %u, dr6 0x%llx, pc "
				  "0x%llx)",
				  run->debug.arch.exception,
				  (unsigned long long)run->debug.arch.dr6,
				  (unsigned long long)run->debug.arch.pc);
	}
	/* Every B bit: a store covering two watched words sets both (SDM 3B 18.2.3). */
	memset(fired, 0, sizeof(*fired));
	fired->mask = mask;
	for (u32 s = 0; s < WATCH_SLOTS; s++)
		if (mask & 1u << s)
			fired->addr[s] = vcpu->arch.dr_addr[s];
	*pc = run->debug.arch.pc;
	return 1;
}

int arch_vcpu_gva_to_gpa(struct vcpu *vcpu, u64 gva, u64 *gpa)
{
	struct kvm_sregs sregs;
	struct x86_mmu m;
	struct gva_reader r = {vm_read_gpa, vcpu->vm};
	struct gva_result out;
	int ret;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	m.cr0 = sregs.cr0;
	m.cr3 = sregs.cr3;
	m.cr4 = sregs.cr4;
	m.efer = sregs.efer;
	ret = x86_ptwalk(&m, gva, &r, &out);
	if (ret < 0)
		return ret;
	*gpa = out.gpa;
	return 0;
}

/* IA32_KERNEL_GS_BASE (Intel SDM 4, table 2-2): the kernel's GS base while in user mode. */
#define X86_MSR_KERNEL_GS_BASE 0xc0000102
/* With PTI the user page tables are the kernel's plus 4 KiB (arch/x86/include/asm/pgtable.h). */
#define X86_PTI_USER_PGD_BIT (1ULL << 12)

int arch_vcpu_mmu(struct vcpu *vcpu, struct arch_mmu *m, u64 *percpu_offset)
{
	struct kvm_sregs sregs;
	/* struct kvm_msrs and one entry (its flexible array), 8-byte aligned. */
	u64 buf[(sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry) + 7) / 8] = {0};
	struct kvm_msrs *msrs = (struct kvm_msrs *)buf;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return error_host(-errno, "vcpu %u: KVM_GET_SREGS: %s", vcpu->id, strerror(errno));
	m->reg[0] = sregs.cr0;
	m->reg[1] = sregs.cr3;
	m->reg[2] = sregs.cr4;
	m->reg[3] = sregs.efer;
	/* CPL is CS.RPL in long mode; in user mode the kernel's GS base waits in the MSR (swapgs). */
	m->user = (sregs.cs.selector & 3) != 0;
	if (!m->user) {
		*percpu_offset = sregs.gs.base;
		return 0;
	}
	msrs->nmsrs = 1;
	msrs->entries[0].index = X86_MSR_KERNEL_GS_BASE;
	if (ioctl(vcpu->fd, KVM_GET_MSRS, msrs) != 1)
		return error_host(-EIO, "vcpu %u: KVM_GET_MSRS(KERNEL_GS_BASE) failed", vcpu->id);
	*percpu_offset = msrs->entries[0].data;
	return 0;
}

const char *arch_kernel_pgd_symbol(void)
{
	return "init_top_pgt"; /* arch/x86/kernel/head_64.S; swapper_pg_dir is its alias */
}

void arch_mmu_kernel_root(struct arch_mmu *m, u64 root_gpa)
{
	m->reg[1] = root_gpa; /* CR3: no PCID bits, no PTI user half */
	m->user = false;
}

int arch_mmu_gva_to_gpa(const struct arch_mmu *m, u64 gva, const struct gva_reader *r, u64 *gpa)
{
	struct x86_mmu x = {m->reg[0], m->reg[1], m->reg[2], m->reg[3]};
	struct gva_result out;
	int ret = x86_ptwalk(&x, gva, r, &out);

	/* Taken in user mode under PTI: the user tables map little of the kernel; try its own. */
	if (ret == -ENOENT && m->user && (x.cr3 & X86_PTI_USER_PGD_BIT)) {
		x.cr3 &= ~X86_PTI_USER_PGD_BIT;
		ret = x86_ptwalk(&x, gva, r, &out);
	}
	if (ret < 0)
		return ret;
	*gpa = out.gpa;
	return 0;
}

static void x86_dump_seg(FILE *f, const char *name, const struct kvm_segment *s)
{
	fprintf(f, ", \"%s\": {\"selector\": \"0x%x\", \"base\": \"0x%llx\", \"limit\": \"0x%x\"}",
		name, s->selector, (unsigned long long)s->base, s->limit);
}

void arch_vcpu_dump_regs(struct vcpu *vcpu, FILE *f)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_debugregs d;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 || ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &d) < 0) {
		fprintf(f, "{\"error\": \"%s\"}", strerror(errno));
		return;
	}
#define R(name) fprintf(f, "\"" #name "\": \"0x%llx\", ", (unsigned long long)r.name)
	fputc('{', f);
	R(rip);
	R(rflags);
	R(rsp);
	R(rbp);
	R(rax);
	R(rbx);
	R(rcx);
	R(rdx);
	R(rsi);
	R(rdi);
	R(r8);
	R(r9);
	R(r10);
	R(r11);
	R(r12);
	R(r13);
	R(r14);
	R(r15);
#undef R
	fprintf(f,
		"\"cr0\": \"0x%llx\", \"cr2\": \"0x%llx\", \"cr3\": \"0x%llx\", "
		"\"cr4\": \"0x%llx\", \"efer\": \"0x%llx\", \"apic_base\": \"0x%llx\"",
		(unsigned long long)s.cr0, (unsigned long long)s.cr2, (unsigned long long)s.cr3,
		(unsigned long long)s.cr4, (unsigned long long)s.efer,
		(unsigned long long)s.apic_base);
	x86_dump_seg(f, "cs", &s.cs);
	x86_dump_seg(f, "ss", &s.ss);
	x86_dump_seg(f, "gs", &s.gs);
	fprintf(f,
		", \"dr0\": \"0x%llx\", \"dr1\": \"0x%llx\", \"dr2\": \"0x%llx\", "
		"\"dr3\": \"0x%llx\", \"dr6\": \"0x%llx\", \"dr7\": \"0x%llx\"}",
		(unsigned long long)d.db[0], (unsigned long long)d.db[1],
		(unsigned long long)d.db[2], (unsigned long long)d.db[3], (unsigned long long)d.dr6,
		(unsigned long long)d.dr7);
}
