/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame writers shared by the wire unit tests: a valid frame, and a header
 * with arbitrary (possibly invalid) field values.
 */
#ifndef KTVM_TESTS_UNIT_WIRE_FAKE_H
#define KTVM_TESTS_UNIT_WIRE_FAKE_H

#include "core/base/types.h"
#include "tests/test.h"
#include "wire/wire.h"

static inline size_t put_frame(u8 *out, u32 type, const void *payload, size_t len)
{
	ssize_t r = wire_encode(out, WIRE_FRAME_MAX, type, payload, len);

	ASSERT_GT(r, 0);
	return r;
}

/* A header with any field values, valid or not. */
static inline size_t put_hdr(u8 *out, u32 type, u32 length, u32 crc, u32 reserved)
{
	struct wire_hdr h = {.type = type, .length = length, .crc = crc, .reserved = reserved};

	wire_hdr_encode(out, &h);
	return WIRE_HDR_SIZE;
}

#endif
