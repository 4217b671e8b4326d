// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables and PM registers. The tables are decoded here from the spec's
 * byte offsets (ACPI 6.5 chapter 5), not from acpi.c's structures, and the
 * DSDT by a small AML reader of its own (chapter 20), so a layout mistake in
 * the builder cannot hide behind the same mistake in the test.
 */
#include <errno.h>
#include <stdlib.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/platform.h"
#include "core/base/error.h"
#include "tests/test.h"
#include "tests/unit/x86_64/acpi_fixture.h"

static void platform(struct x86_platform *p, u32 nr_cpus, u32 nr_virtio)
{
	u32 i;

	x86_platform_init(p, nr_cpus);
	for (i = 0; i < nr_virtio; i++) {
		p->virtio_mmio[i].base = 0xd0000000ULL + i * 0x200;
		p->virtio_mmio[i].size = 0x200;
		p->virtio_mmio[i].gsi = 16 + i % 8;
	}
	p->nr_virtio_mmio = nr_virtio;
}

TEST(checksum_rule)
{
	u8 t[5] = {1, 2, 3, 4, 0};

	t[4] = acpi_checksum(t, 4);
	EXPECT_EQ(sum(t, 5), 0);
	EXPECT_EQ(acpi_checksum(t, 5), 0);
}

TEST(rsdp_revision2_checksums)
{
	struct x86_platform p;
	struct tables t;

	platform(&p, 1, 0);
	build(&t, &p);
	EXPECT_EQ(t.rsdp, buf); /* first, where the BIOS-area scan starts */
	EXPECT_TRUE(!memcmp(t.rsdp, "RSD PTR ", 8));
	EXPECT_EQ(sum(t.rsdp, 20), 0);
	EXPECT_EQ(t.rsdp[15], 2);
	EXPECT_EQ(rd32(t.rsdp + 20), 36);
	EXPECT_EQ(sum(t.rsdp, 36), 0);
	EXPECT_TRUE(!memcmp(t.rsdp + 9, "KTVM  ", 6));
}

TEST(fadt_fixed_hardware_and_reset)
{
	struct x86_platform p;
	struct tables t;
	const u8 *f;

	platform(&p, 4, 0);
	build(&t, &p);
	f = t.fadt;
	EXPECT_EQ(rd32(f + 4), 276);
	EXPECT_EQ(f[8], 6);
	EXPECT_EQ(f[131], 5);
	/* X_DSDT, and the 32-bit DSDT field agrees with it. */
	EXPECT_EQ(rd64(f + 140), X86_ACPI_ADDR + (u64)(t.dsdt - buf));
	EXPECT_EQ(rd32(f + 40), rd64(f + 140));
	EXPECT_EQ(rd16(f + 46), X86_ACPI_SCI_IRQ);
	EXPECT_EQ(rd32(f + 48), 0); /* SMI_CMD: always in ACPI mode */
	EXPECT_EQ(rd32(f + 56), X86_ACPI_PM1A_EVT);
	EXPECT_EQ(rd32(f + 64), X86_ACPI_PM1A_CNT);
	EXPECT_EQ(f[88], 4);
	EXPECT_EQ(f[89], 2);
	/* X_PM1a_EVT_BLK / X_PM1a_CNT_BLK: system I/O, widths matching the legacy lengths. */
	EXPECT_EQ(f[148], 1);
	EXPECT_EQ(f[149], 32);
	EXPECT_EQ(rd64(f + 152), X86_ACPI_PM1A_EVT);
	EXPECT_EQ(f[172], 1);
	EXPECT_EQ(f[173], 16);
	EXPECT_EQ(rd64(f + 176), X86_ACPI_PM1A_CNT);
	/* Flags: RESET_REG_SUP, not HW_REDUCED_ACPI. */
	EXPECT_TRUE(rd32(f + 112) & (1u << 10));
	EXPECT_FALSE(rd32(f + 112) & (1u << 20));
	/* RESET_REG: system I/O, 8 bits at offset 0, byte access, then RESET_VALUE. */
	EXPECT_EQ(f[116], 1);
	EXPECT_EQ(f[117], 8);
	EXPECT_EQ(f[118], 0);
	EXPECT_EQ(f[119], 1);
	EXPECT_EQ(rd64(f + 120), X86_ACPI_RESET);
	EXPECT_EQ(f[128], X86_ACPI_RESET_VAL);
	/* IAPC_BOOT_ARCH: legacy devices, no 8042, no VGA, CMOS RTC present. */
	EXPECT_EQ(rd16(f + 109), 0x0005);
}

TEST(facs_aligned_and_referenced)
{
	struct x86_platform p;
	struct tables t;

	platform(&p, 1, 0);
	build(&t, &p);
	EXPECT_EQ((X86_ACPI_ADDR + (u64)(t.facs - buf)) % 64, 0);
	EXPECT_TRUE(!memcmp(t.facs, "FACS", 4));
	EXPECT_EQ(rd32(t.facs + 4), 64);
	EXPECT_EQ(rd64(t.fadt + 132), 0); /* X_FIRMWARE_CTRL: 0 when FIRMWARE_CTRL is set */
}

static void check_madt(u32 nr_cpus)
{
	struct x86_platform p;
	struct tables t;
	const u8 *m, *e, *end;
	u32 lapics = 0, ioapics = 0, isos = 0, nmis = 0;

	platform(&p, nr_cpus, 0);
	build(&t, &p);
	m = t.madt;
	EXPECT_EQ(rd32(m + 36), X86_LAPIC_ADDR);
	EXPECT_EQ(rd32(m + 40), 1); /* PCAT_COMPAT */
	end = m + rd32(m + 4);
	for (e = m + 44; e < end; e += e[1]) {
		ASSERT_GE(e[1], 2);
		ASSERT_LE(e + e[1], end);
		switch (e[0]) {
		case 0:
			EXPECT_EQ(e[1], 8);
			EXPECT_EQ(e[2], lapics); /* ACPI processor UID */
			EXPECT_EQ(e[3], p.apic_id[lapics]);
			EXPECT_EQ(rd32(e + 4), 1); /* enabled */
			lapics++;
			break;
		case 1:
			EXPECT_EQ(e[1], 12);
			EXPECT_EQ(e[2], p.ioapic_id);
			EXPECT_EQ(rd32(e + 4), X86_IOAPIC_ADDR);
			EXPECT_EQ(rd32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			EXPECT_EQ(e[1], 10);
			EXPECT_EQ(e[2], 0);
			if (e[3] == 0) {
				EXPECT_EQ(rd32(e + 4), 2);
				EXPECT_EQ(rd16(e + 8), 0x5); /* edge, active high */
			} else {
				EXPECT_EQ(e[3], X86_ACPI_SCI_IRQ);
				EXPECT_EQ(rd32(e + 4), X86_ACPI_SCI_IRQ);
				EXPECT_EQ(rd16(e + 8), 0xf); /* level, active low */
			}
			isos++;
			break;
		case 4:
			EXPECT_EQ(e[1], 6);
			EXPECT_EQ(e[2], 0xff);
			EXPECT_EQ(e[5], 1); /* LINT1 */
			nmis++;
			break;
		default:
			EXPECT_EQ(e[0], 0xff); /* no other structure types */
		}
	}
	EXPECT_EQ(e, end);
	EXPECT_EQ(lapics, nr_cpus);
	EXPECT_EQ(ioapics, 1);
	EXPECT_EQ(isos, 2);
	EXPECT_EQ(nmis, 1);
	EXPECT_GT(p.ioapic_id, p.apic_id[nr_cpus - 1]);
	EXPECT_LT(p.ioapic_id, 255);
}

TEST(madt_1_cpu)
{
	check_madt(1);
}

TEST(madt_4_cpus)
{
	check_madt(4);
}

TEST(madt_240_cpus)
{
	check_madt(ARCH_MAX_VCPUS);
}

TEST(madt_custom_apic_ids)
{
	struct x86_platform p;
	struct tables t;
	u32 i;

	platform(&p, 3, 0);
	p.apic_id[0] = 0;
	p.apic_id[1] = 2;
	p.apic_id[2] = 4;
	p.ioapic_id = 8;
	build(&t, &p);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(t.madt[44 + 8 * i + 3], p.apic_id[i]);
}

/*
 * The AML reader: Name, Scope and Device in term lists; Integer, String,
 * Buffer and Package (of integers) as data. Anything else is a failure.
 */
struct aml_obj {
	char path[40]; /* e.g. "\_SB_.VR00._HID" */
	char kind;     /* 'I'nteger, 'S'tring, 'B'uffer, 'P'ackage */
	u64 val[8];    /* the integer, or a package's elements */
	u32 nr;	       /* package elements */
	char str[16];
	const u8 *data; /* buffer contents */
	u32 len;
};

struct aml_rd {
	const u8 *p;
	size_t pos;
	bool bad;
	struct aml_obj objs[256];
	u32 nr_objs, nr_devices;
};

static struct aml_rd rd;

static u8 rd_byte(struct aml_rd *r, size_t end)
{
	if (r->pos >= end) {
		r->bad = true;
		return 0;
	}
	return r->p[r->pos++];
}

/* PkgLength (20.2.4): returns where the object ends. */
static size_t rd_pkglen(struct aml_rd *r, size_t end)
{
	size_t start = r->pos, len;
	u8 lead = rd_byte(r, end), n = lead >> 6;

	if (!n)
		return start + (lead & 0x3f);
	if (lead & 0x30)
		r->bad = true;
	len = lead & 0xf;
	for (u8 i = 0; i < n; i++)
		len |= (size_t)rd_byte(r, end) << (4 + 8 * i);
	if (start + len > end)
		r->bad = true;
	return MIN(start + len, end);
}

static void rd_namestring(struct aml_rd *r, size_t end, char *out, size_t out_len)
{
	u8 nsegs = 1, c = r->p[r->pos];
	size_t o = 0;

	if (c == '\\') {
		out[o++] = '\\';
		c = r->p[++r->pos];
	}
	if (c == 0x2e) {
		nsegs = 2;
		r->pos++;
	} else if (c == 0x2f) {
		r->pos++;
		nsegs = rd_byte(r, end);
	}
	for (u8 s = 0; s < nsegs && !r->bad; s++) {
		if (s)
			out[o++] = '.';
		for (int i = 0; i < 4; i++) {
			c = rd_byte(r, end);
			if (!(c == '_' || (c >= 'A' && c <= 'Z') || (i && c >= '0' && c <= '9')))
				r->bad = true;
			if (o + 1 < out_len)
				out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

/* ZeroOp, OneOp, or a Byte/Word/DWord/QWord prefix and its value (20.2.3). */
static u64 rd_integer(struct aml_rd *r, size_t end)
{
	static const u8 prefix_len[0x0f] = {[0x0a] = 1, [0x0b] = 2, [0x0c] = 4, [0x0e] = 8};
	u8 op = rd_byte(r, end), n;
	u64 v = 0;

	if (op <= 1)
		return op;
	n = op < sizeof(prefix_len) ? prefix_len[op] : 0;
	if (!n)
		r->bad = true;
	for (u8 i = 0; i < n; i++)
		v |= (u64)rd_byte(r, end) << (8 * i);
	return v;
}

static void rd_data(struct aml_rd *r, size_t end, struct aml_obj *o)
{
	size_t obj_end, i;

	switch (r->p[r->pos]) {
	case 0x0d:
		o->kind = 'S';
		r->pos++;
		for (i = 0; r->p[r->pos] && !r->bad; i++) {
			u8 c = rd_byte(r, end);
			if (i + 1 < sizeof(o->str))
				o->str[i] = (char)c;
		}
		rd_byte(r, end);
		break;
	case 0x11:
		o->kind = 'B';
		r->pos++;
		obj_end = rd_pkglen(r, end);
		o->len = (u32)rd_integer(r, obj_end);
		o->data = r->p + r->pos;
		if (r->pos + o->len != obj_end)
			r->bad = true;
		r->pos = obj_end;
		break;
	case 0x12:
		o->kind = 'P';
		r->pos++;
		obj_end = rd_pkglen(r, end);
		o->nr = rd_byte(r, obj_end);
		for (i = 0; i < o->nr && i < ARRAY_SIZE(o->val); i++)
			o->val[i] = rd_integer(r, obj_end);
		if (r->pos != obj_end)
			r->bad = true;
		r->pos = obj_end;
		break;
	default:
		o->kind = 'I';
		o->val[0] = rd_integer(r, end);
	}
}

static void rd_path(char *out, const char *scope, const char *name)
{
	if (name[0] == '\\')
		snprintf(out, 40, "%s", name);
	else
		snprintf(out, 40, "%s%s%s", scope, strcmp(scope, "\\") ? "." : "", name);
}

static void rd_termlist(struct aml_rd *r, size_t end, const char *scope)
{
	char name[40], path[40];
	size_t obj_end;
	struct aml_obj *o;

	while (r->pos < end && !r->bad) {
		switch (rd_byte(r, end)) {
		case 0x08: /* Name */
			if (r->nr_objs == ARRAY_SIZE(r->objs)) {
				r->bad = true;
				return;
			}
			o = &r->objs[r->nr_objs++];
			rd_namestring(r, end, name, sizeof(name));
			rd_path(o->path, scope, name);
			rd_data(r, end, o);
			break;
		case 0x10: /* Scope */
			obj_end = rd_pkglen(r, end);
			rd_namestring(r, obj_end, name, sizeof(name));
			rd_path(path, scope, name);
			rd_termlist(r, obj_end, path);
			break;
		case 0x5b: /* Device */
			if (rd_byte(r, end) != 0x82) {
				r->bad = true;
				return;
			}
			obj_end = rd_pkglen(r, end);
			rd_namestring(r, obj_end, name, sizeof(name));
			rd_path(path, scope, name);
			r->nr_devices++;
			rd_termlist(r, obj_end, path);
			break;
		default:
			r->bad = true;
		}
	}
	if (r->pos != end)
		r->bad = true;
}

static const struct aml_obj *rd_find(const char *path)
{
	for (u32 i = 0; i < rd.nr_objs; i++)
		if (!strcmp(rd.objs[i].path, path))
			return &rd.objs[i];
	return NULL;
}

static void read_dsdt(const u8 *dsdt)
{
	memset(&rd, 0, sizeof(rd));
	rd.p = dsdt;
	rd.pos = 36;
	rd_termlist(&rd, rd32(dsdt + 4), "\\");
	ASSERT_FALSE(rd.bad);
}

TEST(dsdt_s5_package)
{
	const struct aml_obj *s5;
	struct x86_platform p;
	struct tables t;

	platform(&p, 1, 0);
	build(&t, &p);
	EXPECT_EQ(t.dsdt[8], 2); /* 64-bit integers */
	read_dsdt(t.dsdt);
	s5 = rd_find("\\_S5_");
	ASSERT_TRUE(s5);
	ASSERT_EQ(s5->kind, 'P');
	ASSERT_EQ(s5->nr, 4);
	EXPECT_EQ(s5->val[0], ACPI_S5_SLP_TYP);
	EXPECT_EQ(s5->val[1], ACPI_S5_SLP_TYP);
	EXPECT_EQ(s5->val[2], 0);
	EXPECT_EQ(s5->val[3], 0);
	EXPECT_EQ(rd.nr_devices, 0);
}

static void check_virtio_device(u32 idx, const struct x86_virtio_mmio *d)
{
	static const char hex[] = "0123456789ABCDEF";
	const struct aml_obj *hid, *uid, *crs;
	char path[40];
	const u8 *b;

	snprintf(path, sizeof(path), "\\_SB_.VR%c%c._HID", hex[idx >> 4], hex[idx & 15]);
	hid = rd_find(path);
	memcpy(path + 11, "_UID", 4);
	uid = rd_find(path);
	memcpy(path + 11, "_CRS", 4);
	crs = rd_find(path);
	ASSERT_TRUE(hid && uid && crs);
	EXPECT_STREQ(hid->str, "LNRO0005");
	EXPECT_EQ(uid->kind, 'I');
	EXPECT_EQ(uid->val[0], idx);
	ASSERT_EQ(crs->kind, 'B');
	ASSERT_EQ(crs->len, 12 + 9 + 2);
	b = crs->data;
	/* Memory32Fixed: tag 0x86, length 9, read-write, base, size. */
	EXPECT_EQ(b[0], 0x86);
	EXPECT_EQ(rd16(b + 1), 9);
	EXPECT_EQ(b[3], 1);
	EXPECT_EQ(rd32(b + 4), d->base);
	EXPECT_EQ(rd32(b + 8), d->size);
	/* Extended Interrupt: tag 0x89, length 6, consumer + edge, one GSI. */
	EXPECT_EQ(b[12], 0x89);
	EXPECT_EQ(rd16(b + 13), 6);
	EXPECT_EQ(b[15], 0x03);
	EXPECT_EQ(b[16], 1);
	EXPECT_EQ(rd32(b + 17), d->gsi);
	EXPECT_EQ(b[21], 0x79); /* end tag */
}

TEST(dsdt_virtio_mmio_devices)
{
	struct x86_platform p;
	struct tables t;
	u32 i;

	platform(&p, 2, 3);
	build(&t, &p);
	read_dsdt(t.dsdt);
	EXPECT_EQ(rd.nr_devices, 3);
	for (i = 0; i < 3; i++)
		check_virtio_device(i, &p.virtio_mmio[i]);
	EXPECT_TRUE(rd_find("\\_S5_"));
}

TEST(dsdt_many_devices_long_pkglength)
{
	struct x86_platform p;
	struct tables t;

	/* \_SB's body passes 63 bytes and then 4095: two-byte PkgLength. */
	platform(&p, ARCH_MAX_VCPUS, X86_MAX_VIRTIO_MMIO);
	build(&t, &p);
	read_dsdt(t.dsdt);
	EXPECT_EQ(rd.nr_devices, X86_MAX_VIRTIO_MMIO);
	check_virtio_device(X86_MAX_VIRTIO_MMIO - 1, &p.virtio_mmio[X86_MAX_VIRTIO_MMIO - 1]);
}

TEST(enospc_when_short)
{
	static u8 small[X86_ACPI_SIZE];
	struct x86_platform p;
	u64 rsdp = 0;
	int used, ret;

	platform(&p, ARCH_MAX_VCPUS, 4);
	used = acpi_build(small, X86_ACPI_ADDR, sizeof(small), &p, &rsdp);
	ASSERT_GT(used, 0);
	/* Every size short of what is needed fails cleanly, whatever table runs out. */
	for (int size = 0; size < used; size += 7) {
		error_clear();
		ret = acpi_build(small, X86_ACPI_ADDR, (size_t)size, &p, &rsdp);
		EXPECT_EQ(ret, -ENOSPC);
		EXPECT_EQ(error_kind(), ERROR_HOST);
	}
	EXPECT_EQ(acpi_build(small, X86_ACPI_ADDR, (size_t)used, &p, &rsdp), used);
}

TEST(refuses_bad_platform)
{
	struct x86_platform p;
	u64 rsdp;

	platform(&p, 1, 0);
	p.nr_cpus = ARCH_MAX_VCPUS + 1;
	EXPECT_EQ(acpi_build(buf, X86_ACPI_ADDR, sizeof(buf), &p, &rsdp), -EINVAL);
	platform(&p, 2, 0);
	p.apic_id[1] = 0;
	EXPECT_EQ(acpi_build(buf, X86_ACPI_ADDR, sizeof(buf), &p, &rsdp), -EINVAL);
	platform(&p, 1, 1);
	p.virtio_mmio[0].gsi = 24;
	EXPECT_EQ(acpi_build(buf, X86_ACPI_ADDR, sizeof(buf), &p, &rsdp), -EINVAL);
	platform(&p, 1, 1);
	p.virtio_mmio[0].base = X86_4G;
	EXPECT_EQ(acpi_build(buf, X86_ACPI_ADDR, sizeof(buf), &p, &rsdp), -EINVAL);
	platform(&p, 1, 0);
	EXPECT_EQ(acpi_build(buf, X86_ACPI_ADDR + 8, sizeof(buf), &p, &rsdp), -EINVAL);
}
