// SPDX-License-Identifier: GPL-2.0
/* APIC IDs of the guest topology (topo.h). */
#include <errno.h>

#include "arch/x86_64/topo.h"
#include "core/base/error.h"

void x86_topo_init(struct x86_topo *x, const struct topology *t)
{
	x->smt_bits = topology_bits(t->threads);
	x->core_bits = topology_bits(t->cores);
	x->llc_bits = topology_bits(topology_llcs_per_node(t));
	x->llc_shift = x->smt_bits + x->core_bits;
	x->pkg_shift = x->llc_shift + x->llc_bits;
}

u32 x86_topo_apic_id(const struct topology *t, u32 cpu)
{
	struct topo_cpu p;
	struct x86_topo x;

	x86_topo_init(&x, t);
	topology_cpu(t, cpu, &p);
	return p.node << x.pkg_shift | p.llc_in_node << x.llc_shift | p.core << x.smt_bits |
	       p.thread;
}

u32 x86_topo_max_apic_id(const struct topology *t)
{
	return x86_topo_apic_id(t, topology_nr_cpus(t) - 1);
}

int x86_topo_check(const struct topology *t)
{
	u32 max = x86_topo_max_apic_id(t);

	/* The IOAPIC takes max + 1, which must not be the broadcast ID either. */
	if (max + 1 >= X86_APIC_ID_BROADCAST)
		return error_input(-ERANGE,
				   "--topology %u,%u,%u,%u: APIC IDs reach %u (each level is "
				   "rounded up to a power of two); the x86 tables take at most %u",
				   t->nodes, t->llcs, t->cores, t->threads, max,
				   X86_APIC_ID_BROADCAST - 2);
	return 0;
}
