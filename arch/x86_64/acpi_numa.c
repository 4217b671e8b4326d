// SPDX-License-Identifier: GPL-2.0
/*
 * The NUMA tables (ACPI 6.5 5.2.16 SRAT, 5.2.17 SLIT) for the guest
 * topology (core/topology.h). The proximity domain of a node is its index.
 *
 * SRAT lists every vCPU, in vCPU order, with its node, then each node's
 * memory. Linux numbers the nodes in the order their proximity domains
 * first appear in the SRAT (acpi_map_pxm_to_node()), so with the nodes with
 * CPUs first and memory-only nodes last, node n is proximity domain n.
 * Node memory is given in RAM offsets (node order from the bottom), and the
 * RAM above X86_MMIO_HOLE is mapped at 4 GiB: a range crossing the hole is
 * split in two. Together the ranges cover all RAM, which Linux requires
 * (numa_meminfo_cover_memory()) before it believes the table.
 */
#include <string.h>

#include "arch/x86_64/acpi_table.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/platform.h"

struct acpi_srat {
	struct acpi_header h;
	u32 reserved1; /* "must be set to 1" for compatibility */
	u64 reserved2;
} __packed;
_Static_assert(sizeof(struct acpi_srat) == 48, "ACPI 6.5 5.2.16");

struct srat_lapic { /* 5.2.16.1, type 0 */
	u8 type, length;
	u8 pxm_lo; /* proximity domain bits 7:0 */
	u8 apic_id;
	u32 flags;
	u8 sapic_eid;
	u8 pxm_hi[3]; /* proximity domain bits 31:8 */
	u32 clock_domain;
} __packed;
_Static_assert(sizeof(struct srat_lapic) == 16, "ACPI 6.5 5.2.16.1");

struct srat_mem { /* 5.2.16.2, type 1 */
	u8 type, length;
	u32 pxm;
	u16 reserved1;
	u64 base;
	u64 length_bytes;
	u32 reserved2;
	u32 flags;
	u64 reserved3;
} __packed;
_Static_assert(sizeof(struct srat_mem) == 40, "ACPI 6.5 5.2.16.2");

#define SRAT_ENABLED 1 /* both entry types: flags bit 0 */

struct acpi_slit {
	struct acpi_header h;
	u64 localities;
	u8 entry[]; /* localities x localities, row i = distances from i */
} __packed;

/* Guest-physical pieces of node n's memory: up to 2 (below and above the hole). */
static u32 acpi_numa_ranges(const struct topology *t, u32 n, u64 base[2], u64 len[2])
{
	u64 start = topology_node_mem_offset(t, n), end = start + t->mem_mib[n] * MiB;
	u32 k = 0;

	if (start < X86_MMIO_HOLE) {
		base[k] = start;
		len[k++] = MIN(end, X86_MMIO_HOLE) - start;
	}
	if (end > X86_MMIO_HOLE) {
		u64 from = MAX(start, X86_MMIO_HOLE);

		base[k] = from - X86_MMIO_HOLE + X86_4G;
		len[k++] = end - from;
	}
	return k;
}

long acpi_numa_srat(struct acpi_ctx *c, const struct x86_platform *p)
{
	const struct topology *t = p->topo;
	u64 base[2], len[2];
	u32 i, k, n, nr_mem = 0;
	struct acpi_srat *s;
	struct topo_cpu where;
	size_t size;
	long off;
	u8 *e;

	for (n = 0; n < t->nr_nodes; n++)
		nr_mem += acpi_numa_ranges(t, n, base, len);
	size =
	    sizeof(*s) + p->nr_cpus * sizeof(struct srat_lapic) + nr_mem * sizeof(struct srat_mem);
	off = acpi_alloc(c, size, 16, "SRAT");
	if (off < 0)
		return off;
	s = (struct acpi_srat *)(c->buf + off);
	acpi_header_init(&s->h, "SRAT", size, 3, "KTVMSRAT");
	s->reserved1 = 1;
	e = (u8 *)(s + 1);

	for (i = 0; i < p->nr_cpus; i++, e += sizeof(struct srat_lapic)) {
		struct srat_lapic *l = (struct srat_lapic *)e;

		topology_cpu(t, i, &where);
		l->type = 0;
		l->length = sizeof(*l);
		l->pxm_lo = (u8)where.node; /* pxm_hi stays 0: at most TOPO_MAX_NODES */
		l->apic_id = (u8)p->apic_id[i];
		l->flags = SRAT_ENABLED;
	}
	for (n = 0; n < t->nr_nodes; n++) {
		u32 nr = acpi_numa_ranges(t, n, base, len);

		for (k = 0; k < nr; k++, e += sizeof(struct srat_mem)) {
			struct srat_mem *m = (struct srat_mem *)e;

			m->type = 1;
			m->length = sizeof(*m);
			m->pxm = n;
			m->base = base[k];
			m->length_bytes = len[k];
			m->flags = SRAT_ENABLED;
		}
	}
	acpi_header_finish(&s->h);
	return off;
}

long acpi_numa_slit(struct acpi_ctx *c, const struct x86_platform *p)
{
	const struct topology *t = p->topo;
	size_t size = sizeof(struct acpi_slit) + (size_t)t->nr_nodes * t->nr_nodes;
	struct acpi_slit *s;
	long off;

	off = acpi_alloc(c, size, 16, "SLIT");
	if (off < 0)
		return off;
	s = (struct acpi_slit *)(c->buf + off);
	acpi_header_init(&s->h, "SLIT", size, 1, "KTVMSLIT");
	s->localities = t->nr_nodes;
	for (u32 i = 0; i < t->nr_nodes; i++)
		memcpy(s->entry + i * t->nr_nodes, t->dist[i], t->nr_nodes);
	acpi_header_finish(&s->h);
	return off;
}
