/* SPDX-License-Identifier: GPL-2.0 */
/* aarch64 state embedded in the core's struct vm and struct vcpu. */
#ifndef KTVM_ARCH_AARCH64_H
#define KTVM_ARCH_AARCH64_H

#include "core/types.h"

/* GICv3 redistributors are 128 KiB each; 512 fits the usual layouts. */
#define ARCH_MAX_VCPUS 512

struct arch_vm {
	u64 image_size; /* from the Image header */
};

struct arch_vcpu {
	u64 mpidr;
};

#endif
