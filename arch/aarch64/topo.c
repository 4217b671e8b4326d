// SPDX-License-Identifier: GPL-2.0
/* MPIDR_EL1 of the guest topology's vCPUs (topo.h). */
#include "arch/aarch64/topo.h"

bool a64_topo_llc_layout(const struct topology *t)
{
	u32 per_llc = t->cores * t->threads;

	/* The last vCPU has the largest id: LLC llcs - 1, Aff0 per_llc - 1. */
	return per_llc <= A64_TOPO_SGI_TARGETS &&
	       (u64)(t->llcs - 1) * A64_TOPO_SGI_TARGETS + per_llc <= A64_TOPO_KVM_IDS;
}

u32 a64_topo_kvm_id(const struct topology *t, u32 cpu)
{
	u32 per_llc = t->cores * t->threads;

	if (!a64_topo_llc_layout(t))
		return cpu;
	/* Aff1 = LLC, Aff0 = the vCPU's index within it (core * THREADS + thread). */
	return (cpu / per_llc) << 4 | cpu % per_llc;
}

u64 a64_topo_mpidr(const struct topology *t, u32 cpu)
{
	return a64_mpidr(a64_topo_kvm_id(t, cpu));
}
