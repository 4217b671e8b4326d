/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake guest-physical memory for the page-table walker tests: 1 MiB of
 * "RAM" at gpa 0 and a gva_reader over it that refuses what lies outside
 * (as the real reader refuses what is not RAM) or covers one chosen
 * address, and counts its reads.
 */
#ifndef KTVM_TESTS_UNIT_GVA_FAKE_H
#define KTVM_TESTS_UNIT_GVA_FAKE_H

#include <errno.h>
#include <string.h>

#include "core/gva.h"

#define GVA_FAKE_SIZE 0x100000

struct gva_fake {
	u8 mem[GVA_FAKE_SIZE];
	u64 fail_gpa; /* a read covering it fails; ~0 for none */
	unsigned int reads;
};

static struct gva_fake gva_fake;

static inline int gva_fake_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	struct gva_fake *f = ctx;

	f->reads++;
	if (gpa >= GVA_FAKE_SIZE || len > GVA_FAKE_SIZE - gpa)
		return -EFAULT;
	if (f->fail_gpa >= gpa && f->fail_gpa - gpa < len)
		return -EFAULT;
	memcpy(buf, f->mem + gpa, len);
	return 0;
}

static const struct gva_reader gva_fake_reader = {gva_fake_read, &gva_fake};

/* Empty memory, no failing address, no reads. */
static inline void gva_fake_reset(void)
{
	memset(gva_fake.mem, 0, sizeof(gva_fake.mem));
	gva_fake.fail_gpa = ~0ULL;
	gva_fake.reads = 0;
}

/* Stores the 8-byte entry v at gpa, in the given byte order. */
static inline void gva_fake_put(u64 gpa, u64 v, bool big_endian)
{
	for (int i = 0; i < 8; i++)
		gva_fake.mem[gpa + i] = (u8)(v >> (big_endian ? 8 * (7 - i) : 8 * i));
}

#endif
