// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables for x86_64 guests (ACPI 6.5 chapter 5): RSDP, XSDT and RSDT,
 * FADT, FACS, DSDT and MADT, and for a guest of several NUMA nodes SRAT and
 * SLIT, and HMAT when memory latencies or bandwidths are given (acpi_numa.c), written into one buffer the guest sees in the BIOS
 * area, RSDP first.
 *
 * A full fixed-hardware FADT, not HW_REDUCED_ACPI: Linux takes a reduced
 * hardware FADT on x86 to mean "no PC-AT legacy devices" and installs
 * null_legacy_pic and skips the PIT setup (acpi_generic_reduced_hw_init() in
 * arch/x86/kernel/acpi/boot.c). ktvm does give the guest KVM's 8259 pair,
 * PIT and IOAPIC, so the tables describe the platform they belong to, the
 * same one the MP table describes to an acpi=off kernel. The fixed hardware
 * this needs is small (struct acpi_pm, acpi_pm.c): PM1a event and control
 * blocks, SCI on ISA IRQ 9, no SMI_CMD (so OSPM finds the platform already in
 * ACPI mode; SCI_EN reads as set), no PM timer (optional since ACPI 5.0A; the
 * kernel has kvm-clock and the TSC), no GPE blocks. \_S5 with SLP_EN powers
 * off; the FADT RESET_REG resets.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/acpi_table.h"
#include "arch/x86_64/aml.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/platform.h"
#include "core/base/error.h"

#define ACPI_OEM_ID	 "KTVM  "
#define ACPI_CREATOR_ID	 "KTVM"
#define ACPI_OEM_REV	 1
#define ACPI_CREATOR_REV 1

/* ACPI 6.5 5.2.5.3 Root System Description Pointer, revision 2 */
struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	u8 checksum;	   /* over the ACPI 1.0 part: the first 20 bytes */
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 extended_checksum; /* over all 36 bytes */
	u8 reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_rsdp) == 36, "ACPI 6.5 5.2.5.3");
#define ACPI_RSDP_V1_LEN 20

/* ACPI 6.5 5.2.3.2 Generic Address Structure */
struct acpi_gas {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __packed;
#define ACPI_GAS_SYSTEM_IO   1
#define ACPI_GAS_ACCESS_BYTE 1
#define ACPI_GAS_ACCESS_WORD 2

/* ACPI 6.5 5.2.9 Fixed ACPI Description Table, revision 6 */
struct acpi_fadt {
	struct acpi_header h;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	u32 pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	u32 pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	u8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	u8 gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	u16 p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	u8 duty_offset, duty_width, day_alrm, mon_alrm, century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	u64 hypervisor_vendor_id;
} __packed;
_Static_assert(offsetof(struct acpi_fadt, sci_int) == 46, "ACPI 6.5 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, pm1a_evt_blk) == 56, "ACPI 6.5 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, pm1_evt_len) == 88, "ACPI 6.5 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "ACPI 6.5 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "ACPI 6.5 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "ACPI 6.5 5.2.9");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244, "ACPI 6.5 5.2.9");
_Static_assert(sizeof(struct acpi_fadt) == 276, "ACPI 6.5 5.2.9");

/* FADT Fixed Feature Flags, ACPI 6.5 5.2.9 */
#define FADT_WBINVD	   (1u << 0)
#define FADT_PROC_C1	   (1u << 2)
#define FADT_PWR_BUTTON	   (1u << 4) /* set: no fixed-feature power button */
#define FADT_SLP_BUTTON	   (1u << 5) /* set: no fixed-feature sleep button */
#define FADT_RESET_REG_SUP (1u << 10)
/* IA-PC Boot Architecture Flags, ACPI 6.5 5.2.9.3 */
#define FADT_BOOT_LEGACY_DEVICES  (1u << 0) /* ISA devices: the 16550s, the RTC */
#define FADT_BOOT_8042		  (1u << 1) /* left clear: Linux then skips i8042 */
#define FADT_BOOT_VGA_NOT_PRESENT (1u << 2)
/* 5.2.9 P_LVL2_LAT/P_LVL3_LAT: above 100 and 1000 us mean "no C2/C3". */
#define FADT_NO_C2_LAT 101
#define FADT_NO_C3_LAT 1001

/* ACPI 6.5 5.2.10 Firmware ACPI Control Structure */
struct acpi_facs {
	char signature[4];
	u32 length;
	u32 hardware_signature;
	u32 firmware_waking_vector;
	u32 global_lock;
	u32 flags;
	u64 x_firmware_waking_vector;
	u8 version;
	u8 reserved0[3];
	u32 ospm_flags;
	u8 reserved1[24];
} __packed;
_Static_assert(sizeof(struct acpi_facs) == 64, "ACPI 6.5 5.2.10");

/* ACPI 6.5 5.2.12 Multiple APIC Description Table and its structures */
struct acpi_madt {
	struct acpi_header h;
	u32 lapic_addr;
	u32 flags;
} __packed;
#define MADT_PCAT_COMPAT 1 /* dual 8259s present: OSPM masks them */

struct madt_lapic { /* 5.2.12.2, type 0 */
	u8 type, length, uid, apic_id;
	u32 flags;
} __packed;
#define MADT_LAPIC_ENABLED 1

struct madt_ioapic { /* 5.2.12.3, type 1 */
	u8 type, length, id, reserved;
	u32 address;
	u32 gsi_base;
} __packed;

struct madt_iso { /* 5.2.12.5, type 2 */
	u8 type, length, bus, source;
	u32 gsi;
	u16 flags;
} __packed;

struct madt_lapic_nmi { /* 5.2.12.7, type 4 */
	u8 type, length, uid;
	u16 flags;
	u8 lint;
} __packed;

/* MPS INTI flags, ACPI 6.5 5.2.12.5 */
#define MPS_INTI_POLARITY_HIGH (1u << 0)
#define MPS_INTI_POLARITY_LOW  (3u << 0)
#define MPS_INTI_TRIGGER_EDGE  (1u << 2)
#define MPS_INTI_TRIGGER_LEVEL (3u << 2)
#define MADT_ALL_PROCESSORS    0xff

u8 acpi_checksum(const u8 *data, size_t len)
{
	u8 sum = 0;

	while (len--)
		sum += *data++;
	return (u8)(0x100 - sum);
}

long acpi_alloc(struct acpi_ctx *c, size_t len, u64 align, const char *what)
{
	u64 at = ALIGN_UP(c->gpa + c->used, align) - c->gpa;

	if (at > c->size || len > c->size - at)
		return error_host(-ENOSPC,
				  "ACPI tables: the %s does not fit in %zu bytes at 0x%llx", what,
				  c->size, (unsigned long long)c->gpa);
	memset(c->buf + at, 0, len);
	c->used = at + len;
	return (long)at;
}

void acpi_header_init(struct acpi_header *h, const char *sig, size_t len, u8 rev,
		      const char *table_id)
{
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = (u32)len;
	h->revision = rev;
	memcpy(h->oem_id, ACPI_OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, table_id, sizeof(h->oem_table_id));
	h->oem_revision = ACPI_OEM_REV;
	memcpy(h->creator_id, ACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = ACPI_CREATOR_REV;
}

void acpi_header_finish(struct acpi_header *h)
{
	h->checksum = 0;
	h->checksum = acpi_checksum((const u8 *)h, h->length);
}

/* Device (VRxx) { _HID "LNRO0005", _UID idx, _CRS }: Linux's virtio_mmio ACPI match. */
static void acpi_dsdt_virtio_mmio(struct aml *a, u32 idx, const struct x86_virtio_mmio *d)
{
	static const char hex[] = "0123456789ABCDEF";
	char name[5] = {'V', 'R', hex[(idx >> 4) & 0xf], hex[idx & 0xf], '\0'};
	size_t dev;

	dev = aml_device_begin(a, name);
	aml_name(a, "_HID");
	aml_string(a, "LNRO0005");
	aml_name(a, "_UID");
	aml_integer(a, idx);
	aml_name(a, "_CRS");
	aml_crs_mmio_irq(a, (u32)d->base, d->size, d->gsi);
	aml_end(a, dev);
}

/*
 * DefinitionBlock ("", "DSDT", 2, "KTVM  ", "KTVMDSDT", 1) {
 *	Name (_S5, Package () { 5, 5, 0, 0 })	// SLP_TYPa, SLP_TYPb (7.4.2)
 *	Scope (\_SB) { Device (VR00) { ... } ... }
 * }
 * Revision 2: integers are 64 bits (5.2.11.1).
 */
static long acpi_dsdt(struct acpi_ctx *c, const struct x86_platform *p)
{
	struct aml a;
	size_t pkg;
	long off;
	u32 i;

	off = acpi_alloc(c, sizeof(struct acpi_header), 16, "DSDT");
	if (off < 0)
		return off;
	a = (struct aml){
	    .buf = c->buf + off, .size = c->size - off, .len = sizeof(struct acpi_header)};

	aml_name(&a, "_S5");
	pkg = aml_package_begin(&a, 4);
	aml_integer(&a, ACPI_S5_SLP_TYP);
	aml_integer(&a, ACPI_S5_SLP_TYP);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a, pkg);

	pkg = aml_scope_begin(&a, "\\_SB");
	for (i = 0; i < p->nr_virtio_mmio; i++)
		acpi_dsdt_virtio_mmio(&a, i, &p->virtio_mmio[i]);
	aml_end(&a, pkg);

	if (a.err)
		return error_host(a.err, "ACPI tables: cannot emit the DSDT (%s)",
				  a.err == -ENOSPC ? "out of room" : "bad AML name");
	c->used = off + a.len;
	acpi_header_init((struct acpi_header *)a.buf, "DSDT", a.len, 2, "KTVMDSDT");
	acpi_header_finish((struct acpi_header *)a.buf);
	return off;
}

/* 5.2.10: 64-byte aligned; only the waking vector and Global Lock live here. */
static long acpi_facs(struct acpi_ctx *c)
{
	struct acpi_facs *f;
	long off;

	off = acpi_alloc(c, sizeof(*f), 64, "FACS");
	if (off < 0)
		return off;
	f = (struct acpi_facs *)(c->buf + off);
	memcpy(f->signature, "FACS", 4);
	f->length = sizeof(*f);
	f->version = 2;
	return off;
}

static void acpi_gas_io(struct acpi_gas *g, u16 port, u8 bytes, u8 access_size)
{
	g->space_id = ACPI_GAS_SYSTEM_IO;
	g->bit_width = (u8)(bytes * 8);
	g->bit_offset = 0;
	g->access_size = access_size;
	g->address = port;
}

static long acpi_fadt(struct acpi_ctx *c, u64 facs_gpa, u64 dsdt_gpa)
{
	struct acpi_fadt *f;
	u64 vendor = 0;
	long off;

	off = acpi_alloc(c, sizeof(*f), 16, "FADT");
	if (off < 0)
		return off;
	f = (struct acpi_fadt *)(c->buf + off);
	acpi_header_init(&f->h, "FACP", sizeof(*f), 6, "KTVMFACP");
	/* X_FIRMWARE_CTRL "must be zero" when FIRMWARE_CTRL is set; X_DSDT wins over DSDT. */
	f->firmware_ctrl = (u32)facs_gpa;
	f->dsdt = (u32)dsdt_gpa;
	f->x_dsdt = dsdt_gpa;
	f->sci_int = X86_ACPI_SCI_IRQ;
	/* smi_cmd, acpi_enable, acpi_disable stay 0: no SMM, always in ACPI mode. */
	f->pm1a_evt_blk = X86_ACPI_PM1A_EVT;
	f->pm1a_cnt_blk = X86_ACPI_PM1A_CNT;
	f->pm1_evt_len = 4;
	f->pm1_cnt_len = 2;
	acpi_gas_io(&f->x_pm1a_evt_blk, X86_ACPI_PM1A_EVT, 4, ACPI_GAS_ACCESS_WORD);
	acpi_gas_io(&f->x_pm1a_cnt_blk, X86_ACPI_PM1A_CNT, 2, ACPI_GAS_ACCESS_WORD);
	f->p_lvl2_lat = FADT_NO_C2_LAT;
	f->p_lvl3_lat = FADT_NO_C3_LAT;
	/* century stays 0: the RTC model does not promise a century register. */
	f->iapc_boot_arch = FADT_BOOT_LEGACY_DEVICES | FADT_BOOT_VGA_NOT_PRESENT;
	f->flags =
	    FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_RESET_REG_SUP;
	acpi_gas_io(&f->reset_reg, X86_ACPI_RESET, 1, ACPI_GAS_ACCESS_BYTE);
	f->reset_value = X86_ACPI_RESET_VAL;
	f->minor_version = 5; /* FADT 6.5 */
	memcpy(&vendor, "KTVM", 4);
	f->hypervisor_vendor_id = vendor;
	acpi_header_finish(&f->h);
	return off;
}

static u8 *madt_iso(u8 *e, u8 irq, u32 gsi, u16 flags)
{
	struct madt_iso *iso = (struct madt_iso *)e;

	iso->type = 2;
	iso->length = sizeof(*iso);
	iso->bus = 0; /* ISA */
	iso->source = irq;
	iso->gsi = gsi;
	iso->flags = flags;
	return e + sizeof(*iso);
}

static long acpi_madt(struct acpi_ctx *c, const struct x86_platform *p)
{
	size_t len = sizeof(struct acpi_madt) + p->nr_cpus * sizeof(struct madt_lapic) +
		     sizeof(struct madt_ioapic) + 2 * sizeof(struct madt_iso) +
		     sizeof(struct madt_lapic_nmi);
	struct madt_lapic_nmi *nmi;
	struct madt_ioapic *io;
	struct madt_lapic *l;
	struct acpi_madt *m;
	long off;
	u8 *e;
	u32 i;

	off = acpi_alloc(c, len, 16, "MADT");
	if (off < 0)
		return off;
	m = (struct acpi_madt *)(c->buf + off);
	/* Revision 5 (ACPI 6.3+): Online Capable is defined; it must be 0 when Enabled is set. */
	acpi_header_init(&m->h, "APIC", len, 5, "KTVMAPIC");
	m->lapic_addr = (u32)X86_LAPIC_ADDR;
	m->flags = MADT_PCAT_COMPAT;
	e = (u8 *)(m + 1);

	/* 5.2.12.1: the boot processor first. UID = index, for processor Devices a DSDT may add. */
	for (i = 0; i < p->nr_cpus; i++, e += sizeof(*l)) {
		l = (struct madt_lapic *)e;
		l->type = 0;
		l->length = sizeof(*l);
		l->uid = (u8)i;
		l->apic_id = (u8)p->apic_id[i];
		l->flags = MADT_LAPIC_ENABLED;
	}

	io = (struct madt_ioapic *)e;
	io->type = 1;
	io->length = sizeof(*io);
	io->id = p->ioapic_id;
	io->address = (u32)X86_IOAPIC_ADDR;
	io->gsi_base = 0;
	e += sizeof(*io);

	/* The PIT's IRQ0 is on IOAPIC pin 2, as on PC-AT boards; the SCI is level, active low. */
	e = madt_iso(e, 0, 2, MPS_INTI_POLARITY_HIGH | MPS_INTI_TRIGGER_EDGE);
	e = madt_iso(e, X86_ACPI_SCI_IRQ, X86_ACPI_SCI_IRQ,
		     MPS_INTI_POLARITY_LOW | MPS_INTI_TRIGGER_LEVEL);

	nmi = (struct madt_lapic_nmi *)e;
	nmi->type = 4;
	nmi->length = sizeof(*nmi);
	nmi->uid = MADT_ALL_PROCESSORS;
	nmi->flags = 0; /* conforms to the bus */
	nmi->lint = 1;

	acpi_header_finish(&m->h);
	return off;
}

/* XSDT (5.2.8, 64-bit entries) or RSDT (5.2.7, 32-bit entries). */
static long acpi_sdt(struct acpi_ctx *c, const char *sig, size_t entry, const u64 *tables, u32 n)
{
	size_t len = sizeof(struct acpi_header) + n * entry;
	char table_id[9] = "KTVM";
	struct acpi_header *h;
	long off;
	u32 i;

	off = acpi_alloc(c, len, 16, sig);
	if (off < 0)
		return off;
	h = (struct acpi_header *)(c->buf + off);
	memcpy(table_id + 4, sig, 4);
	acpi_header_init(h, sig, len, 1, table_id);
	for (i = 0; i < n; i++)
		memcpy((u8 *)(h + 1) + i * entry, &tables[i], entry); /* little-endian */
	acpi_header_finish(h);
	return off;
}

static void acpi_rsdp(struct acpi_rsdp *r, u64 rsdt_gpa, u64 xsdt_gpa)
{
	memcpy(r->signature, "RSD PTR ", sizeof(r->signature));
	memcpy(r->oem_id, ACPI_OEM_ID, sizeof(r->oem_id));
	r->revision = 2;
	r->rsdt_address = (u32)rsdt_gpa;
	r->length = sizeof(*r);
	r->xsdt_address = xsdt_gpa;
	r->checksum = acpi_checksum((const u8 *)r, ACPI_RSDP_V1_LEN);
	r->extended_checksum = acpi_checksum((const u8 *)r, sizeof(*r));
}

int acpi_build(u8 *buf, u64 buf_gpa, size_t size, const struct x86_platform *p, u64 *rsdp_gpa)
{
	struct acpi_ctx c = {.buf = buf, .gpa = buf_gpa, .size = size};
	long rsdp, facs, dsdt, fadt, madt, srat, slit, hmat, xsdt, rsdt;
	u64 tables[5];
	u32 n = 0;
	int ret;

	ret = x86_platform_check(p);
	if (ret < 0)
		return ret;
	/* RSDT, FADT.DSDT and FIRMWARE_CTRL hold 32-bit addresses. */
	if (buf_gpa % 16 || buf_gpa >= X86_4G || size > X86_4G - buf_gpa || size > INT32_MAX)
		return error_host(
		    -EINVAL, "ACPI tables: 0x%zx bytes at 0x%llx: not 16-byte aligned below 4 GiB",
		    size, (unsigned long long)buf_gpa);

	/* First, on a 16-byte boundary, where the kernel's BIOS-area scan looks (5.2.5.1). */
	rsdp = acpi_alloc(&c, sizeof(struct acpi_rsdp), 16, "RSDP");
	if (rsdp < 0)
		return (int)rsdp;
	facs = acpi_facs(&c);
	if (facs < 0)
		return (int)facs;
	dsdt = acpi_dsdt(&c, p);
	if (dsdt < 0)
		return (int)dsdt;
	fadt = acpi_fadt(&c, buf_gpa + facs, buf_gpa + dsdt);
	if (fadt < 0)
		return (int)fadt;
	madt = acpi_madt(&c, p);
	if (madt < 0)
		return (int)madt;
	tables[n++] = buf_gpa + fadt;
	tables[n++] = buf_gpa + madt;
	/*
	 * One node is what a guest without SRAT assumes: leave the tables as
	 * they were, unless an HMAT (which names SRAT's domains) is wanted.
	 */
	if (p->topo && (p->topo->nr_nodes > 1 || topology_has_perf(p->topo))) {
		srat = acpi_numa_srat(&c, p);
		if (srat < 0)
			return (int)srat;
		slit = acpi_numa_slit(&c, p);
		if (slit < 0)
			return (int)slit;
		tables[n++] = buf_gpa + srat;
		tables[n++] = buf_gpa + slit;
	}
	if (p->topo && topology_has_perf(p->topo)) {
		hmat = acpi_numa_hmat(&c, p);
		if (hmat < 0)
			return (int)hmat;
		tables[n++] = buf_gpa + hmat;
	}

	xsdt = acpi_sdt(&c, "XSDT", sizeof(u64), tables, n);
	if (xsdt < 0)
		return (int)xsdt;
	rsdt = acpi_sdt(&c, "RSDT", sizeof(u32), tables, n);
	if (rsdt < 0)
		return (int)rsdt;

	acpi_rsdp((struct acpi_rsdp *)(buf + rsdp), buf_gpa + rsdt, buf_gpa + xsdt);
	*rsdp_gpa = buf_gpa + rsdp;
	return (int)c.used;
}
