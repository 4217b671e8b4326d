/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake guest-physical memory for the page-table walker tests: 1 MiB of
 * "RAM" at gpa 0, plus a 256 KiB window a test may place at any 64
 * KiB-aligned gpa (for tables above 4 GiB or 2^48), and a gva_reader over
 * them that refuses what lies outside (as the real reader refuses what is
 * not RAM) or covers one chosen address, and counts its reads.
 */
#ifndef KTVM_TESTS_UNIT_GVA_FAKE_H
#define KTVM_TESTS_UNIT_GVA_FAKE_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/debug/gva.h"

#define GVA_FAKE_SIZE	   0x100000
#define GVA_FAKE_HIGH_SIZE 0x40000

struct gva_fake {
	u8 mem[GVA_FAKE_SIZE];
	u8 high[GVA_FAKE_HIGH_SIZE];
	u64 high_base;	  /* gpa of high[] */
	bool high_placed; /* high[] is readable only once placed */
	u64 fail_gpa;	  /* a read covering it fails; ~0 for none */
	unsigned int reads;
};

static struct gva_fake gva_fake;

/* The fake memory holding gpa .. gpa + len - 1, or NULL. */
static inline u8 *gva_fake_at(struct gva_fake *f, u64 gpa, size_t len)
{
	u64 off = gpa - f->high_base;

	if (gpa < GVA_FAKE_SIZE && len <= GVA_FAKE_SIZE - gpa)
		return f->mem + gpa;
	if (f->high_placed && gpa >= f->high_base && off < GVA_FAKE_HIGH_SIZE &&
	    len <= GVA_FAKE_HIGH_SIZE - off)
		return f->high + off;
	return NULL;
}

static inline int gva_fake_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	struct gva_fake *f = ctx;
	u8 *p;

	f->reads++;
	p = gva_fake_at(f, gpa, len);
	if (!p)
		return -EFAULT;
	if (f->fail_gpa >= gpa && f->fail_gpa - gpa < len)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static const struct gva_reader gva_fake_reader = {gva_fake_read, &gva_fake};

/* Empty memory, the high window not placed, no failing address, no reads. */
static inline void gva_fake_reset(void)
{
	memset(gva_fake.mem, 0, sizeof(gva_fake.mem));
	memset(gva_fake.high, 0, sizeof(gva_fake.high));
	gva_fake.high_base = 0;
	gva_fake.high_placed = false;
	gva_fake.fail_gpa = ~0ULL;
	gva_fake.reads = 0;
}

/* Makes the high window readable at gpa (64 KiB aligned, past the 1 MiB at 0). */
static inline void gva_fake_place_high(u64 gpa)
{
	if (gpa & 0xffff || gpa < GVA_FAKE_SIZE)
		abort(); /* a broken test, not a test failure */
	gva_fake.high_base = gpa;
	gva_fake.high_placed = true;
}

/* Stores the 8-byte entry v at gpa, in the given byte order. */
static inline void gva_fake_put(u64 gpa, u64 v, bool big_endian)
{
	u8 *p = gva_fake_at(&gva_fake, gpa, 8);

	if (!p)
		abort(); /* a broken test, not a test failure */
	for (int i = 0; i < 8; i++)
		p[i] = (u8)(v >> (big_endian ? 8 * (7 - i) : 8 * i));
}

#endif
