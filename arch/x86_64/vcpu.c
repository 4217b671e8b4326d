// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 vCPU setup: CPUID, local APIC, FPU, and the entry state of the boot
 * CPU. Application processors start in KVM's wait-for-SIPI state and are
 * brought up by the guest itself through the in-kernel LAPIC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/topo.h"
#include "core/vm/arch.h"
#include "core/base/error.h"
#include "core/vm/vm.h"

/* GDT selectors: the 64-bit boot protocol wants __BOOT_CS = 0x10, __BOOT_DS = 0x18. */
#define SEL_CODE32 0x08
#define SEL_CODE64 0x10
#define SEL_DATA   0x18
#define SEL_TSS	   0x20

#define CR0_PE	 (1ULL << 0)
#define CR0_MP	 (1ULL << 1)
#define CR0_ET	 (1ULL << 4)
#define CR0_NE	 (1ULL << 5)
#define CR0_WP	 (1ULL << 16)
#define CR0_PG	 (1ULL << 31)
#define CR4_PAE	 (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

#define PTE_P  (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_PS (1ULL << 7)

/* Local APIC register offsets and delivery modes (Intel SDM 3A 11.5.1). */
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_DM_NMI    (4u << 8)
#define APIC_DM_EXTINT (7u << 8)

/* Flat segment descriptor (Intel SDM 3A 3.4.5). */
static u64 x86_gdt_entry(u16 flags, u32 base, u32 limit)
{
	return ((u64)(base & 0xff000000u) << 32) | ((u64)(flags & 0xf0ff) << 40) |
	       ((u64)(limit & 0x000f0000u) << 32) | ((u64)(base & 0x00ffffffu) << 16) |
	       (u64)(limit & 0x0000ffffu);
}

static void x86_seg(struct kvm_segment *s, u16 sel, u8 type, bool code64, bool db, u32 limit,
		    bool g)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = limit;
	s->type = type;
	s->present = 1;
	s->s = sel != SEL_TSS;
	s->l = code64;
	s->db = db;
	s->g = g;
}

/* GDT and identity page tables for the first 4 GiB (2 MiB pages). */
static void x86_write_boot_tables(struct vm *vm)
{
	u64 gdt[6] = {
	    0,
	    x86_gdt_entry(0xc09b, 0, 0xfffff), /* 0x08: 32-bit code, for PVH */
	    x86_gdt_entry(0xa09b, 0, 0xfffff), /* 0x10: 64-bit code */
	    x86_gdt_entry(0xc093, 0, 0xfffff), /* 0x18: data */
	    x86_gdt_entry(0x008b, 0, 0x67),    /* 0x20: TSS (busy), 16 bytes in long mode */
	    0,
	};
	u64 *pml4 = vm_gpa(vm, X86_PML4_ADDR, 4096);
	u64 *pdpt = vm_gpa(vm, X86_PDPT_ADDR, 4096);
	u64 *pd = vm_gpa(vm, X86_PD_ADDR, 4 * 4096);
	u32 i;

	memcpy(vm_gpa(vm, X86_GDT_ADDR, sizeof(gdt)), gdt, sizeof(gdt));
	memset(vm_gpa(vm, X86_IDT_ADDR, 8), 0, 8);
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = X86_PDPT_ADDR | PTE_P | PTE_RW;
	for (i = 0; i < 4; i++)
		pdpt[i] = (X86_PD_ADDR + i * 4096ULL) | PTE_P | PTE_RW;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((u64)i << 21) | PTE_P | PTE_RW | PTE_PS;
}

static int x86_boot_cpu_state(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_segment data;

	/* Once, by vCPU 0: a raw guest's other vCPUs set up while it may run already. */
	if (vcpu->id == 0)
		x86_write_boot_tables(vm);
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return error_host(-errno, "vcpu %u: KVM_GET_SREGS: %s", vcpu->id, strerror(errno));
	sregs.gdt.base = X86_GDT_ADDR;
	sregs.gdt.limit = 6 * 8 - 1;
	sregs.idt.base = X86_IDT_ADDR;
	sregs.idt.limit = 0;
	x86_seg(&sregs.tr, SEL_TSS, 11, false, false, 0x67, false);
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2; /* bit 1 is reserved as one; IF clear */
	regs.rip = vm->arch.entry_addr;

	if (vm->arch.entry == X86_ENTRY_PVH) {
		/* pvh.pandoc: protected mode, paging off, flat 4 GiB segments, ebx = start info. */
		x86_seg(&sregs.cs, SEL_CODE32, 11, false, true, 0xffffffff, true);
		x86_seg(&data, SEL_DATA, 3, false, true, 0xffffffff, true);
		sregs.cr0 = CR0_PE | CR0_ET;
		sregs.cr4 = 0;
		sregs.efer = 0;
		regs.rbx = vm->arch.boot_info_gpa;
	} else {
		/* boot.rst "64-bit BOOT PROTOCOL": long mode, identity map, rsi = zero page. */
		x86_seg(&sregs.cs, SEL_CODE64, 11, true, false, 0xffffffff, true);
		x86_seg(&data, SEL_DATA, 3, false, true, 0xffffffff, true);
		sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
		sregs.cr3 = X86_PML4_ADDR;
		sregs.cr4 = CR4_PAE;
		sregs.efer = EFER_LME | EFER_LMA;
		regs.rsi = vm->arch.boot_info_gpa;
		regs.rsp = X86_ZERO_PAGE_ADDR + 0x1ff0; /* unused by the kernel; keep it sane */
	}
	if (vm->cfg.raw) {
		/* arch_boot_raw(): index, load address, a page of stack per vCPU. */
		regs.rdi = vcpu->id;
		regs.rsi = vm->arch.entry_addr;
		regs.rsp = vm->arch.entry_addr + 0x20000 - (u64)vcpu->id * 0x1000;
	}
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return error_host(-errno, "vcpu %u: KVM_SET_SREGS: %s", vcpu->id, strerror(errno));
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return error_host(-errno, "vcpu %u: KVM_SET_REGS: %s", vcpu->id, strerror(errno));
	/* A raw guest's APs run at once instead of waiting for INIT/SIPI. */
	if (vcpu->id > 0) {
		struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_RUNNABLE};

		if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0)
			return error_host(-errno, "vcpu %u: KVM_SET_MP_STATE: %s", vcpu->id,
					  strerror(errno));
	}
	return 0;
}

static int x86_lapic_setup(struct vcpu *vcpu)
{
	struct kvm_lapic_state la;
	u32 v;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &la) < 0)
		return error_host(-errno, "vcpu %u: KVM_GET_LAPIC: %s", vcpu->id, strerror(errno));
	/* Virtual-wire mode: the PIC's INTR on LINT0, NMI on LINT1 (MP spec 3.6.2.2). */
	memcpy(&v, la.regs + APIC_LVT_LINT0, 4);
	v = (v & ~0x700u) | APIC_DM_EXTINT;
	memcpy(la.regs + APIC_LVT_LINT0, &v, 4);
	memcpy(&v, la.regs + APIC_LVT_LINT1, 4);
	v = (v & ~0x700u) | APIC_DM_NMI;
	memcpy(la.regs + APIC_LVT_LINT1, &v, 4);
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &la) < 0)
		return error_host(-errno, "vcpu %u: KVM_SET_LAPIC: %s", vcpu->id, strerror(errno));
	return 0;
}

static int x86_fpu_setup(struct vcpu *vcpu)
{
	struct kvm_fpu fpu;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;    /* x87 state after FNINIT */
	fpu.mxcsr = 0x1f80; /* SSE state after reset */
	if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0)
		return error_host(-errno, "vcpu %u: KVM_SET_FPU: %s", vcpu->id, strerror(errno));
	return 0;
}

/*
 * x86 KVM makes the vcpu_id the local APIC's initial xAPIC and fixed x2APIC
 * ID (kvm_lapic_reset(), kvm_apic_set_x2apic_id()), so the ID KVM gets is
 * the topology's APIC ID. vCPU 0 has APIC ID 0, KVM's default BSP.
 */
u32 arch_vcpu_kvm_id(const struct vm *vm, u32 index)
{
	return x86_topo_apic_id(&vm->topo, index);
}

/* CPUID, local APIC, FPU, and the entry state where this vCPU starts at ktvm's entry. */
static int x86_vcpu_setup(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct kvm_cpuid2 *c;
	int ret;

	c = cpuid_dup(vm->arch.cpuid);
	if (!c)
		return error_host(-ENOMEM, "vcpu %u: cannot allocate CPUID", vcpu->id);
	cpuid_for_vcpu(c, &vm->topo, vcpu->id);
	ret = ioctl(vcpu->fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
	free(c);
	if (ret < 0)
		return error_host(ret, "vcpu %u: KVM_SET_CPUID2: %s", vcpu->id, strerror(-ret));
	ret = x86_lapic_setup(vcpu);
	if (ret < 0)
		return ret;
	ret = x86_fpu_setup(vcpu);
	if (ret < 0)
		return ret;
	/* A raw guest (arch_boot_raw()) starts every vCPU at its code. */
	if (vcpu->id == 0 || vm->cfg.raw)
		return x86_boot_cpu_state(vcpu);
	return 0;
}

/*
 * The boot vCPU is set up here; the others on their own threads
 * (arch_vcpu_prepare()) while it already runs: about 0.2 ms each that the
 * boot no longer waits for. An application processor sits in KVM's
 * wait-for-SIPI state until the guest starts it; an INIT or SIPI the guest
 * sends before its setup is done stays pending in its in-kernel local
 * APIC (KVM_SET_LAPIC keeps pending events) and is taken at its first
 * KVM_RUN, which comes after the setup.
 */
int arch_vcpu_init(struct vcpu *vcpu)
{
	int ret = x86_cpuid_collect(vcpu->vm);

	if (ret < 0)
		return ret;
	vcpu->arch.apic_id = x86_topo_apic_id(&vcpu->vm->topo, vcpu->id);
	return vcpu->id == 0 ? x86_vcpu_setup(vcpu) : 0;
}

int arch_vcpu_prepare(struct vcpu *vcpu)
{
	return vcpu->id == 0 ? 0 : x86_vcpu_setup(vcpu);
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
