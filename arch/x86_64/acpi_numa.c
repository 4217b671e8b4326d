// SPDX-License-Identifier: GPL-2.0
/*
 * The NUMA tables (ACPI 6.5 5.2.16 SRAT, 5.2.17 SLIT, 5.2.28 HMAT) for the
 * guest topology (core/vm/topology.h). The proximity domain of a node is its
 * index.
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
#include <errno.h>
#include <string.h>

#include "arch/x86_64/acpi_numa.h"
#include "arch/x86_64/acpi_table.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/platform.h"
#include "core/base/error.h"

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

/*
 * HMAT, revision 2 (ACPI 6.3 on). Linux 6.1 and 6.12
 * (drivers/acpi/numa/hmat.c) take a memory node's access figures from the
 * initiator its Memory Proximity Domain Attributes structure names, and
 * show them in nodeN/access0/initiators/; so there is one such structure
 * per node, naming topology_perf_initiator(), then a System Locality
 * Latency and Bandwidth Information structure per figure given: initiators
 * = the nodes with CPUs, targets = every node, an entry per pair.
 */
struct acpi_hmat {
	struct acpi_header h;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct acpi_hmat) == 40, "ACPI 6.5 5.2.28");

struct hmat_domain { /* 5.2.28.4, type 0 */
	u16 type, reserved1;
	u32 length;
	u16 flags;
	u16 reserved2;
	u32 initiator_pd, memory_pd;
	u32 reserved3;
	u64 reserved4, reserved5;
} __packed;
_Static_assert(sizeof(struct hmat_domain) == 40, "ACPI 6.5 5.2.28.4");

#define HMAT_INITIATOR_VALID 1 /* hmat_domain.flags bit 0 */

struct hmat_locality { /* 5.2.28.5, type 1 */
	u16 type, reserved1;
	u32 length;
	u8 flags; /* bits 3:0 memory hierarchy, 0: the memory itself */
	u8 data_type;
	u8 min_transfer_size;
	u8 reserved2;
	u32 nr_initiators, nr_targets;
	u32 reserved3;
	u64 base_unit;
	/* u32 initiators[], u32 targets[], u16 entries[initiators][targets] */
} __packed;
_Static_assert(sizeof(struct hmat_locality) == 32, "ACPI 6.5 5.2.28.5");

static u32 hmat_gcd(u32 a, u32 b)
{
	while (b) {
		u32 r = a % b;

		a = b;
		b = r;
	}
	return a;
}

int x86_hmat_unit(const u32 m[TOPO_MAX_NODES][TOPO_MAX_NODES], u32 rows, u32 cols, u32 *unit)
{
	u32 g = 0, max = 0;

	for (u32 i = 0; i < rows; i++)
		for (u32 j = 0; j < cols; j++) {
			g = hmat_gcd(m[i][j], g);
			max = MAX(max, m[i][j]);
		}
	if (!g || max / g > HMAT_MAX_ENTRY)
		return -ERANGE;
	*unit = g;
	return 0;
}

static size_t hmat_locality_size(const struct topology *t)
{
	size_t n = sizeof(struct hmat_locality) + 4 * (t->nodes + t->nr_nodes) +
		   2 * (size_t)t->nodes * t->nr_nodes;

	return (n + 3) & ~(size_t)3;
}

/* One type 1 structure at e for matrix m (0 or 3: latency or bandwidth). */
static int hmat_locality(u8 *e, const struct topology *t, u8 data_type,
			 const u32 m[TOPO_MAX_NODES][TOPO_MAX_NODES])
{
	struct hmat_locality *l = (struct hmat_locality *)e;
	u8 *list = e + sizeof(*l);
	u32 unit, i, j;

	if (x86_hmat_unit(m, t->nodes, t->nr_nodes, &unit) < 0)
		return error_input(-ERANGE,
				   "--numa-%s: the values do not fit the HMAT's 16-bit entries "
				   "(at most %u times their greatest common divisor)",
				   data_type == HMAT_ACCESS_LATENCY ? "latency" : "bandwidth",
				   HMAT_MAX_ENTRY);
	l->type = 1;
	l->length = (u32)hmat_locality_size(t);
	l->data_type = data_type;
	l->nr_initiators = t->nodes;
	l->nr_targets = t->nr_nodes;
	/* Revision 2 latencies are in picoseconds; bandwidths in MB/s. */
	l->base_unit = data_type == HMAT_ACCESS_LATENCY ? (u64)unit * 1000 : unit;
	for (i = 0; i < t->nodes; i++, list += 4)
		memcpy(list, &i, 4); /* little-endian */
	for (j = 0; j < t->nr_nodes; j++, list += 4)
		memcpy(list, &j, 4);
	for (i = 0; i < t->nodes; i++)
		for (j = 0; j < t->nr_nodes; j++, list += 2) {
			u16 v = (u16)(m[i][j] / unit);

			memcpy(list, &v, 2);
		}
	return 0;
}

long acpi_numa_hmat(struct acpi_ctx *c, const struct x86_platform *p)
{
	const struct topology *t = p->topo;
	size_t size = sizeof(struct acpi_hmat) + t->nr_nodes * sizeof(struct hmat_domain);
	struct acpi_hmat *h;
	long off;
	u8 *e;
	int ret;

	if (t->lat_rows)
		size += hmat_locality_size(t);
	if (t->bw_rows)
		size += hmat_locality_size(t);
	off = acpi_alloc(c, size, 16, "HMAT");
	if (off < 0)
		return off;
	h = (struct acpi_hmat *)(c->buf + off);
	acpi_header_init(&h->h, "HMAT", size, 2, "KTVMHMAT");
	e = (u8 *)(h + 1);
	for (u32 n = 0; n < t->nr_nodes; n++, e += sizeof(struct hmat_domain)) {
		struct hmat_domain *d = (struct hmat_domain *)e;

		d->type = 0;
		d->length = sizeof(*d);
		d->flags = HMAT_INITIATOR_VALID;
		d->initiator_pd = topology_perf_initiator(t, n);
		d->memory_pd = n;
	}
	if (t->lat_rows) {
		ret = hmat_locality(e, t, HMAT_ACCESS_LATENCY, t->lat_ns);
		if (ret < 0)
			return ret;
		e += hmat_locality_size(t);
	}
	if (t->bw_rows) {
		ret = hmat_locality(e, t, HMAT_ACCESS_BANDWIDTH, t->bw_mbs);
		if (ret < 0)
			return ret;
	}
	acpi_header_finish(&h->h);
	return off;
}
