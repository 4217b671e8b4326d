/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small AML byte emitter (ACPI 6.5 chapter 20) for the DSDT: names,
 * integers, strings, buffers, packages, scopes and devices, and the one
 * resource template ktvm's devices need.
 *
 * Emission stops at the first error, kept in a->err (-ENOSPC when buf is
 * full, -EINVAL for a malformed name); check it once at the end. Objects
 * that carry a PkgLength are opened by a *_begin() call, which returns a
 * handle, and closed by aml_end(handle), innermost first:
 *
 *	size_t dev = aml_device_begin(a, "VR00");
 *	aml_name(a, "_HID");
 *	aml_string(a, "LNRO0005");
 *	aml_end(a, dev);
 */
#ifndef KTVM_ARCH_X86_64_AML_H
#define KTVM_ARCH_X86_64_AML_H

#include "core/base/types.h"

struct aml {
	u8 *buf;
	size_t size; /* bytes available at buf */
	size_t len;  /* bytes emitted so far */
	int err;
};

/* Raw bytes, e.g. an opcode the helpers below do not cover. */
void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_byte(struct aml *a, u8 b);
/* NameString: an optional leading '\', then NameSegs of 1-4 chars joined by '.'. */
void aml_namestring(struct aml *a, const char *path);
/* The shortest Integer encoding: ZeroOp, OneOp, or a Byte/Word/DWord/QWord prefix. */
void aml_integer(struct aml *a, u64 v);
void aml_string(struct aml *a, const char *s);
/* Name (name, ...): the data object that follows is the caller's next emit. */
void aml_name(struct aml *a, const char *name);
void aml_buffer(struct aml *a, const u8 *data, size_t len);

size_t aml_scope_begin(struct aml *a, const char *path);
size_t aml_device_begin(struct aml *a, const char *name);
/* The caller emits exactly nr_elements data objects before aml_end(). */
size_t aml_package_begin(struct aml *a, u8 nr_elements);
void aml_end(struct aml *a, size_t handle);

/*
 * ResourceTemplate () {
 *	Memory32Fixed (ReadWrite, base, size)
 *	Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { gsi }
 * }
 * as a Buffer: a _CRS for an MMIO device with one interrupt.
 */
void aml_crs_mmio_irq(struct aml *a, u32 base, u32 size, u32 gsi);

#endif
