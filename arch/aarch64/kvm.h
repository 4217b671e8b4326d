/* SPDX-License-Identifier: GPL-2.0 */
/* aarch64 VM-level helpers shared by the backend's files. */
#ifndef KTVM_ARCH_AARCH64_KVM_H
#define KTVM_ARCH_AARCH64_KVM_H

struct vm;

/* Initialise the GICv3 once every vCPU is created (KVM_DEV_ARM_VGIC_CTRL_INIT). */
int a64_gic_finish(struct vm *vm);

#endif
