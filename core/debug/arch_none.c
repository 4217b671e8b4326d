// SPDX-License-Identifier: GPL-2.0
/*
 * The debug hooks of an arch without debug support (core/debug/arch.h):
 * built instead of the arch's own when its arch.mk does not set
 * ARCH_HAS_DEBUG := y. Every hook refuses.
 */
#include <errno.h>

#include "core/base/error.h"
#include "core/debug/arch.h"

bool arch_debug_supported(void)
{
	return false;
}

static int arch_none_refuse(void)
{
	return error_host(-ENOTSUP, "watchpoints and state dumps are not supported on %s",
			  arch_name());
}

unsigned int arch_debug_slots(struct vm *vm)
{
	return 0;
}

int arch_vcpu_set_watch(struct vcpu *vcpu, const struct watch_hw *hw)
{
	return arch_none_refuse();
}

int arch_vcpu_debug_exit(struct vcpu *vcpu, struct kvm_run *run, struct watch_hw *fired, u64 *pc)
{
	return arch_none_refuse();
}

int arch_vcpu_gva_to_gpa(struct vcpu *vcpu, u64 gva, u64 *gpa)
{
	return arch_none_refuse();
}

int arch_vcpu_mmu(struct vcpu *vcpu, struct arch_mmu *m, u64 *percpu_offset)
{
	return arch_none_refuse();
}

const char *arch_kernel_pgd_symbol(void)
{
	return NULL;
}

void arch_mmu_kernel_root(struct arch_mmu *m, u64 root_gpa)
{
}

int arch_mmu_gva_to_gpa(const struct arch_mmu *m, u64 gva, const struct gva_reader *r, u64 *gpa)
{
	return -ENOTSUP;
}

void arch_vcpu_dump_regs(struct vcpu *vcpu, FILE *f)
{
	fputs("{\"error\": \"not supported on this arch\"}", f);
}
