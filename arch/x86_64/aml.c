// SPDX-License-Identifier: GPL-2.0
/*
 * AML byte emitter (ACPI 6.5 chapter 20). Section numbers below are of that
 * chapter's grammar (20.2) and of the resource descriptors (6.4).
 */
#include <errno.h>
#include <string.h>

#include "arch/x86_64/aml.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "AML is little-endian; so is the host");

#define AML_ZERO_OP	      0x00
#define AML_ONE_OP	      0x01
#define AML_NAME_OP	      0x08
#define AML_BYTE_PREFIX	      0x0a
#define AML_WORD_PREFIX	      0x0b
#define AML_DWORD_PREFIX      0x0c
#define AML_STRING_PREFIX     0x0d
#define AML_QWORD_PREFIX      0x0e
#define AML_SCOPE_OP	      0x10
#define AML_BUFFER_OP	      0x11
#define AML_PACKAGE_OP	      0x12
#define AML_DUAL_NAME_PREFIX  0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_OP_PREFIX     0x5b
#define AML_EXT_DEVICE_OP     0x82
#define AML_ROOT_CHAR	      '\\'
#define AML_PKGLEN_MAX_BYTES  4

static void aml_fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->err)
		return;
	if (n > a->size - a->len) {
		aml_fail(a, -ENOSPC);
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void aml_byte(struct aml *a, u8 b)
{
	aml_bytes(a, &b, 1);
}

/* NameSeg (20.2.2): a lead A-Z or '_', then A-Z, 0-9 or '_'; short names padded with '_'. */
static void aml_nameseg(struct aml *a, const char *s, size_t n)
{
	u8 seg[4] = {'_', '_', '_', '_'};
	size_t i;

	if (!n || n > sizeof(seg)) {
		aml_fail(a, -EINVAL);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (i && s[i] >= '0' && s[i] <= '9'))) {
			aml_fail(a, -EINVAL);
			return;
		}
		seg[i] = (u8)s[i];
	}
	aml_bytes(a, seg, sizeof(seg));
}

/* NameString (20.2.2): an optional root '\', then NameSegs joined by '.'. */
void aml_namestring(struct aml *a, const char *path)
{
	const char *seg, *dot;
	u32 nsegs = 1;

	if (*path == AML_ROOT_CHAR)
		aml_byte(a, *path++);
	for (dot = path; (dot = strchr(dot, '.')); dot++)
		nsegs++;
	if (!*path) {
		aml_fail(a, -EINVAL);
		return;
	}
	if (nsegs == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nsegs > 2) {
		if (nsegs > 0xff) {
			aml_fail(a, -EINVAL);
			return;
		}
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (u8)nsegs);
	}
	for (seg = path; seg; seg = dot ? dot + 1 : NULL) {
		dot = strchr(seg, '.');
		aml_nameseg(a, seg, dot ? (size_t)(dot - seg) : strlen(seg));
	}
}

static u8 *put_le(u8 *p, u64 v, size_t n)
{
	memcpy(p, &v, n); /* little-endian host */
	return p + n;
}

static void aml_le(struct aml *a, u64 v, size_t n)
{
	aml_bytes(a, &v, n); /* little-endian host */
}

/* The shortest encoding of an Integer (20.2.3 ComputationalData, ConstObj). */
void aml_integer(struct aml *a, u64 v)
{
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_le(a, v, 8);
	}
}

/* String (20.2.3): ASCII 0x01-0x7f, NUL-terminated. */
void aml_string(struct aml *a, const char *s)
{
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

/* Name(name, ...): the caller emits the data object that follows. */
void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, name);
}

/* Reserve the longest PkgLength; aml_end() writes and shrinks it. */
static size_t aml_pkg_begin(struct aml *a)
{
	static const u8 zero[AML_PKGLEN_MAX_BYTES];
	size_t at = a->len;

	aml_bytes(a, zero, sizeof(zero));
	return at;
}

/*
 * PkgLength (20.2.4) counts its own bytes and everything after it up to the
 * end of the object. Up to 63 fits bits 0-5 of one byte; otherwise bits 6-7
 * give the number of following bytes (1-3), bits 0-3 the low nibble and the
 * following bytes the rest, least significant first.
 */
void aml_end(struct aml *a, size_t at)
{
	size_t body, total = 0, n;
	u8 *p;

	if (a->err)
		return;
	body = a->len - at - AML_PKGLEN_MAX_BYTES;
	for (n = 1; n <= AML_PKGLEN_MAX_BYTES; n++) {
		total = body + n;
		if (total < (n == 1 ? 0x40u : 1u << (4 + 8 * (n - 1))))
			break;
	}
	if (n > AML_PKGLEN_MAX_BYTES) {
		aml_fail(a, -ENOSPC);
		return;
	}
	p = a->buf + at;
	if (n == 1) {
		p[0] = (u8)total;
	} else {
		p[0] = (u8)((n - 1) << 6 | (total & 0xf));
		for (size_t i = 1; i < n; i++)
			p[i] = (u8)(total >> (4 + 8 * (i - 1)));
	}
	memmove(p + n, p + AML_PKGLEN_MAX_BYTES, body);
	a->len -= AML_PKGLEN_MAX_BYTES - n;
}

/* Scope (path) { ... }: DefScope, 20.2.5.1 */
size_t aml_scope_begin(struct aml *a, const char *path)
{
	size_t pkg;

	aml_byte(a, AML_SCOPE_OP);
	pkg = aml_pkg_begin(a);
	aml_namestring(a, path);
	return pkg;
}

/* Device (name) { ... }: DefDevice, 20.2.5.2 */
size_t aml_device_begin(struct aml *a, const char *name)
{
	size_t pkg;

	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_EXT_DEVICE_OP);
	pkg = aml_pkg_begin(a);
	aml_namestring(a, name);
	return pkg;
}

/* Package (n) { ... }: DefPackage, 20.2.5.4 */
size_t aml_package_begin(struct aml *a, u8 nr_elements)
{
	size_t pkg;

	aml_byte(a, AML_PACKAGE_OP);
	pkg = aml_pkg_begin(a);
	aml_byte(a, nr_elements);
	return pkg;
}

/* Buffer (len) { data }: DefBuffer, 20.2.5.4 */
void aml_buffer(struct aml *a, const u8 *data, size_t len)
{
	size_t pkg;

	aml_byte(a, AML_BUFFER_OP);
	pkg = aml_pkg_begin(a);
	aml_integer(a, len);
	aml_bytes(a, data, len);
	aml_end(a, pkg);
}

/*
 * ResourceTemplate () {
 *	Memory32Fixed (ReadWrite, base, size)
 *	Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { gsi }
 * }
 * Descriptors: ACPI 6.5 6.4.3.4 (type 0x86), 6.4.3.6 (type 0x89), 6.4.2.9
 * (end tag; a zero checksum means "treat as valid").
 */
void aml_crs_mmio_irq(struct aml *a, u32 base, u32 size, u32 gsi)
{
	u8 rt[12 + 9 + 2], *p = rt;

	*p++ = 0x86;
	p = put_le(p, 9, 2); /* length after the 3-byte header */
	*p++ = 1;	     /* read-write */
	p = put_le(p, base, 4);
	p = put_le(p, size, 4);

	*p++ = 0x89;
	p = put_le(p, 6, 2);
	*p++ = 1 << 0 | 1 << 1; /* consumer, edge; active-high, exclusive, not wake */
	*p++ = 1;		/* one interrupt number follows */
	p = put_le(p, gsi, 4);

	*p++ = 0x79;
	*p++ = 0;
	aml_buffer(a, rt, (size_t)(p - rt));
}
