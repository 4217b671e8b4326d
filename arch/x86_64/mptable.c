// SPDX-License-Identifier: GPL-2.0
/*
 * Intel MultiProcessor Specification 1.4, chapter 4: the MP floating pointer
 * structure followed by the MP configuration table, in one buffer the guest
 * sees in the BIOS area. The table describes a virtual-wire platform: one
 * ISA bus, the 8259s' ExtINT on every local APIC's LINT0, NMI on LINT1, and
 * ISA IRQs on the first IOAPIC pins with the PIT's IRQ0 on pin 2, as on a
 * PC-AT. The ACPI MADT says the same. KVM's default GSI routing sends GSI 0
 * to IOAPIC pin 0, so the VM's routing table must send it to pin 2 instead.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86_64/layout.h"
#include "arch/x86_64/mptable.h"
#include "arch/x86_64/platform.h"
#include "core/base/error.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

#define MP_SPEC_REV   4 /* 1.4 */
#define MP_OEM_ID     "KTVM    "
#define MP_PRODUCT_ID "KTVM VM     "
#define MP_APIC_VER   0x14 /* integrated local APIC */
#define MP_IOAPIC_VER 0x11
/* Family 6 model 15 stepping 1; CPUID.1:EDX bits every x86-64 CPU has: FPU TSC MSR CX8 APIC. */
#define MP_CPU_SIGNATURE (6u << 8 | 15u << 4 | 1u)
#define MP_CPU_FEATURES	 (1u << 0 | 1u << 4 | 1u << 5 | 1u << 8 | 1u << 9)
#define MP_ISA_BUS	 0
#define MP_ISA_IRQS	 16
#define MP_ALL_APICS	 0xff

/* 4.1, Table 4-1: MP Floating Pointer Structure */
struct mpf {
	char signature[4]; /* "_MP_" */
	u32 config_addr;
	u8 length; /* in 16-byte paragraphs */
	u8 spec_rev;
	u8 checksum;
	u8 feature1; /* 0: a configuration table is present */
	u8 feature2; /* bit 7 IMCRP clear: virtual wire mode, no IMCR */
	u8 feature3_5[3];
} __packed;
_Static_assert(sizeof(struct mpf) == 16, "MP 1.4 Table 4-1");

/* 4.2, Table 4-2: MP Configuration Table Header */
struct mpc_header {
	char signature[4]; /* "PCMP" */
	u16 length;	   /* base table, header included */
	u8 spec_rev;
	u8 checksum;
	char oem_id[8];
	char product_id[12];
	u32 oem_table;
	u16 oem_table_size;
	u16 entry_count;
	u32 lapic_addr;
	u16 ext_length;
	u8 ext_checksum;
	u8 reserved;
} __packed;
_Static_assert(sizeof(struct mpc_header) == 44, "MP 1.4 Table 4-2");

enum mpc_entry_type {
	MPC_PROCESSOR = 0,
	MPC_BUS = 1,
	MPC_IOAPIC = 2,
	MPC_IO_INTERRUPT = 3,
	MPC_LOCAL_INTERRUPT = 4,
};

/* 4.3.1, Table 4-4 */
struct mpc_processor {
	u8 type, apic_id, apic_ver, cpu_flags;
	u32 signature;
	u32 features;
	u32 reserved[2];
} __packed;
_Static_assert(sizeof(struct mpc_processor) == 20, "MP 1.4 Table 4-4");
#define MPC_CPU_ENABLED 1
#define MPC_CPU_BSP	2

/* 4.3.2, Table 4-7 */
struct mpc_bus {
	u8 type, bus_id;
	char bus_type[6]; /* "ISA   " (Table 4-8) */
} __packed;

/* 4.3.3, Table 4-9 */
struct mpc_ioapic {
	u8 type, id, version, flags;
	u32 address;
} __packed;
#define MPC_IOAPIC_ENABLED 1

/* 4.3.4 and 4.3.5, Tables 4-11 and 4-13: I/O and local interrupt assignments */
struct mpc_interrupt {
	u8 type;
	u8 irq_type;   /* Table 4-12 */
	u16 irq_flags; /* 0: polarity and trigger conform to the bus (edge, high for ISA) */
	u8 src_bus, src_irq;
	u8 dst_apic; /* IOAPIC ID, or a local APIC ID (0xff: all) */
	u8 dst_pin;  /* IOAPIC INTIN#, or LINTIN# */
} __packed;
_Static_assert(sizeof(struct mpc_interrupt) == 8, "MP 1.4 Table 4-11");
#define MP_INT	  0
#define MP_NMI	  1
#define MP_EXTINT 3

static u8 mptable_checksum(const u8 *p, size_t len)
{
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return (u8)(0x100 - sum);
}

/* ISA IRQ n on IOAPIC pin n, except the PIT's IRQ0 on pin 2; IRQ2 is the 8259 cascade. */
static bool mptable_isa_pin(u8 irq, u8 *pin)
{
	if (irq == 2)
		return false;
	*pin = irq == 0 ? 2 : irq;
	return true;
}

static u8 *mptable_interrupt(u8 *e, u8 type, u8 irq_type, u8 src_irq, u8 dst_apic, u8 dst_pin)
{
	struct mpc_interrupt *in = (struct mpc_interrupt *)e;

	in->type = type;
	in->irq_type = irq_type;
	in->irq_flags = 0;
	in->src_bus = MP_ISA_BUS;
	in->src_irq = src_irq;
	in->dst_apic = dst_apic;
	in->dst_pin = dst_pin;
	return e + sizeof(*in);
}

int mptable_build(u8 *buf, u64 buf_gpa, size_t size, const struct x86_platform *p)
{
	size_t nr_io_ints = MP_ISA_IRQS - 1, nr_entries, cfg_len, total;
	struct mpc_processor *cpu;
	struct mpc_header *hdr;
	struct mpc_ioapic *io;
	struct mpc_bus *bus;
	struct mpf *mpf;
	u8 *e, pin;
	int ret;
	u32 i;

	ret = x86_platform_check(p);
	if (ret < 0)
		return ret;
	/* 4.1: the floating pointer sits on a 16-byte boundary; the physical address field has 32 bits. */
	if (buf_gpa % 16 || buf_gpa >= X86_4G || size > X86_4G - buf_gpa)
		return error_host(
		    -EINVAL, "MP table: 0x%zx bytes at 0x%llx: not 16-byte aligned below 4 GiB",
		    size, (unsigned long long)buf_gpa);

	nr_entries = p->nr_cpus + 1 + 1 + nr_io_ints + 2;
	cfg_len = sizeof(*hdr) + p->nr_cpus * sizeof(*cpu) + sizeof(*bus) + sizeof(*io) +
		  (nr_io_ints + 2) * sizeof(struct mpc_interrupt);
	total = sizeof(*mpf) + cfg_len;
	if (total > size || cfg_len > 0xffff)
		return error_host(-ENOSPC,
				  "MP table: %u CPUs need %zu bytes, %zu available at 0x%llx",
				  p->nr_cpus, total, size, (unsigned long long)buf_gpa);
	memset(buf, 0, total);

	/* The configuration table follows the floating pointer directly. */
	mpf = (struct mpf *)buf;
	memcpy(mpf->signature, "_MP_", 4);
	mpf->config_addr = (u32)(buf_gpa + sizeof(*mpf));
	mpf->length = sizeof(*mpf) / 16;
	mpf->spec_rev = MP_SPEC_REV;
	mpf->checksum = mptable_checksum(buf, sizeof(*mpf));

	hdr = (struct mpc_header *)(mpf + 1);
	memcpy(hdr->signature, "PCMP", 4);
	hdr->length = (u16)cfg_len;
	hdr->spec_rev = MP_SPEC_REV;
	memcpy(hdr->oem_id, MP_OEM_ID, sizeof(hdr->oem_id));
	memcpy(hdr->product_id, MP_PRODUCT_ID, sizeof(hdr->product_id));
	hdr->entry_count = (u16)nr_entries;
	hdr->lapic_addr = (u32)X86_LAPIC_ADDR;

	/* 4.3: entries sorted by type; processor 0 is the bootstrap processor. */
	e = (u8 *)(hdr + 1);
	for (i = 0; i < p->nr_cpus; i++, e += sizeof(*cpu)) {
		cpu = (struct mpc_processor *)e;
		cpu->type = MPC_PROCESSOR;
		cpu->apic_id = (u8)p->apic_id[i];
		cpu->apic_ver = MP_APIC_VER;
		cpu->cpu_flags = MPC_CPU_ENABLED | (i == 0 ? MPC_CPU_BSP : 0);
		cpu->signature = MP_CPU_SIGNATURE;
		cpu->features = MP_CPU_FEATURES;
	}

	bus = (struct mpc_bus *)e;
	bus->type = MPC_BUS;
	bus->bus_id = MP_ISA_BUS;
	memcpy(bus->bus_type, "ISA   ", sizeof(bus->bus_type));
	e += sizeof(*bus);

	io = (struct mpc_ioapic *)e;
	io->type = MPC_IOAPIC;
	io->id = p->ioapic_id;
	io->version = MP_IOAPIC_VER;
	io->flags = MPC_IOAPIC_ENABLED;
	io->address = (u32)X86_IOAPIC_ADDR;
	e += sizeof(*io);

	for (i = 0; i < MP_ISA_IRQS; i++)
		if (mptable_isa_pin((u8)i, &pin))
			e = mptable_interrupt(e, MPC_IO_INTERRUPT, MP_INT, (u8)i, p->ioapic_id,
					      pin);

	/* Virtual wire mode (3.6.2.2): the 8259s reach every local APIC through LINT0. */
	e = mptable_interrupt(e, MPC_LOCAL_INTERRUPT, MP_EXTINT, 0, MP_ALL_APICS, 0);
	e = mptable_interrupt(e, MPC_LOCAL_INTERRUPT, MP_NMI, 0, MP_ALL_APICS, 1);

	hdr->checksum = mptable_checksum((const u8 *)hdr, cfg_len);
	return (int)total;
}
