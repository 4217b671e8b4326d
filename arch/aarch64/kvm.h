/* SPDX-License-Identifier: GPL-2.0 */
/* aarch64 VM-level helpers shared by the backend's files. */
#ifndef KTVM_ARCH_AARCH64_KVM_H
#define KTVM_ARCH_AARCH64_KVM_H

#include <stddef.h>

#include <linux/kvm.h>

#include "core/base/types.h"

struct vm;

/* Drive SPI irq (layout.h), level-style: 1 asserts, 0 deasserts. 0 or -errno. */
int a64_irq_line(struct vm *vm, u32 irq, bool level);
/* Initialise the GICv3 once every vCPU is created (KVM_DEV_ARM_VGIC_CTRL_INIT). */
int a64_gic_finish(struct vm *vm);

struct vcpu;
/* KVM_REG_ARM_CORE id of a struct kvm_regs field (64-bit ones). */
#define A64_CORE_REG(field)                                                                        \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |                                     \
	 (offsetof(struct kvm_regs, field) / sizeof(__u32)))
/* KVM_{SET,GET}_ONE_REG of a 64-bit register; what names it in the error. */
int a64_set_reg(struct vcpu *vcpu, u64 id, u64 val, const char *what);
int a64_get_reg(struct vcpu *vcpu, u64 id, u64 *val, const char *what);

#endif
