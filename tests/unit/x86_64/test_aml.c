// SPDX-License-Identifier: GPL-2.0
/* The AML emitter's encodings (ACPI 6.5 chapter 20), byte for byte. */
#include <errno.h>

#include "arch/x86_64/aml.h"
#include "tests/test.h"

static u8 out[8192];

static struct aml aml_new(size_t size)
{
	memset(out, 0xa5, sizeof(out));
	return (struct aml){.buf = out, .size = size};
}

TEST(pkglength_boundaries)
{
	static const u8 raw[8192];
	/*
	 * Bytes after the PkgLength -> its size (20.2.4): a total up to 63
	 * fits one byte, up to 4095 two, up to 2^20 - 1 three.
	 */
	static const struct {
		size_t body;
		u8 n;
	} cases[] = {{1, 1}, {62, 1}, {63, 2}, {4093, 2}, {4094, 3}};
	struct aml a;
	size_t h, total;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		/* Package (0): the element count byte, then raw filler. */
		a = aml_new(sizeof(out));
		h = aml_package_begin(&a, 0);
		aml_bytes(&a, raw, cases[i].body - 1);
		aml_end(&a, h);
		ASSERT_EQ(a.err, 0);
		EXPECT_EQ(out[0], 0x12);
		ASSERT_EQ(a.len, 1 + cases[i].n + cases[i].body);
		total = cases[i].n + cases[i].body;
		if (cases[i].n == 1) {
			EXPECT_EQ(out[1], total);
		} else {
			EXPECT_EQ(out[1] >> 6, cases[i].n - 1);
			EXPECT_EQ(out[1] & 0x30, 0);
			EXPECT_EQ(out[1] & 0xf, total & 0xf);
			EXPECT_EQ(out[2], (total >> 4) & 0xff);
			if (cases[i].n == 3)
				EXPECT_EQ(out[3], total >> 12);
		}
		EXPECT_EQ(out[1 + cases[i].n], 0); /* NumElements follows the PkgLength */
	}
}

TEST(nested_objects_shrink_in_place)
{
	static const u8 expect[] = {
	    0x10, 0x14, '\\', '_', 'S', 'B',  '_',  /* Scope (\_SB), PkgLength 20 */
	    0x5b, 0x82, 0x0c, 'D', 'E', 'V',  '0',  /* Device (DEV0), PkgLength 12 */
	    0x08, '_',	'U',  'I', 'D', 0x0a, 0x2a, /* Name (_UID, 42) */
	};
	struct aml a = aml_new(sizeof(out));
	size_t scope, dev;

	scope = aml_scope_begin(&a, "\\_SB");
	dev = aml_device_begin(&a, "DEV0");
	aml_name(&a, "_UID");
	aml_integer(&a, 42);
	aml_end(&a, dev);
	aml_end(&a, scope);
	ASSERT_EQ(a.err, 0);
	ASSERT_EQ(a.len, sizeof(expect));
	EXPECT_TRUE(!memcmp(out, expect, sizeof(expect)));
}

TEST(integers_shortest_encoding)
{
	static const struct {
		u64 v;
		u8 len, op;
	} cases[] = {
	    {0, 1, 0x00},	{1, 1, 0x01},	       {2, 2, 0x0a},
	    {0xff, 2, 0x0a},	{0x100, 3, 0x0b},      {0xffff, 3, 0x0b},
	    {0x10000, 5, 0x0c}, {0xffffffff, 5, 0x0c}, {0x100000000ULL, 9, 0x0e},
	};
	struct aml a;
	u64 v;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		a = aml_new(sizeof(out));
		aml_integer(&a, cases[i].v);
		ASSERT_EQ(a.len, cases[i].len);
		EXPECT_EQ(out[0], cases[i].op);
		v = 0;
		memcpy(&v, out + 1, cases[i].len - 1u);
		if (cases[i].len > 1)
			EXPECT_EQ(v, cases[i].v);
	}
}

TEST(names_strings_buffers)
{
	static const u8 data[3] = {7, 8, 9};
	struct aml a = aml_new(sizeof(out));

	aml_namestring(&a, "\\_SB.PCI0.S08");
	ASSERT_EQ(a.len, 1 + 2 + 12);
	EXPECT_EQ(out[0], '\\');
	EXPECT_EQ(out[1], 0x2f); /* MultiNamePrefix */
	EXPECT_EQ(out[2], 3);
	EXPECT_TRUE(!memcmp(out + 3, "_SB_PCI0S08_", 12));

	a = aml_new(sizeof(out));
	aml_namestring(&a, "AB.CD");
	ASSERT_EQ(a.len, 9);
	EXPECT_EQ(out[0], 0x2e); /* DualNamePrefix */
	EXPECT_TRUE(!memcmp(out + 1, "AB__CD__", 8));

	a = aml_new(sizeof(out));
	aml_string(&a, "LNRO0005");
	ASSERT_EQ(a.len, 10);
	EXPECT_EQ(out[0], 0x0d);
	EXPECT_TRUE(!memcmp(out + 1, "LNRO0005", 9));

	a = aml_new(sizeof(out));
	aml_buffer(&a, data, sizeof(data));
	ASSERT_EQ(a.len, 7);
	EXPECT_EQ(out[0], 0x11);
	EXPECT_EQ(out[1], 6);	 /* PkgLength: itself, BufferSize (2 bytes), data */
	EXPECT_EQ(out[2], 0x0a); /* BufferSize as a ByteConst */
	EXPECT_EQ(out[3], 3);
	EXPECT_TRUE(!memcmp(out + 4, data, 3));
}

TEST(crs_mmio_irq_template)
{
	static const u8 expect[] = {
	    0x11, 0x1a, 0x0a, 0x17,			    /* Buffer (23) */
	    0x86, 0x09, 0x00, 0x01,			    /* Memory32Fixed, RW */
	    0x00, 0x10, 0x00, 0xd0, 0x00, 0x02, 0x00, 0x00, /* base, size */
	    0x89, 0x06, 0x00, 0x03, 0x01,		    /* Interrupt, consumer, edge, 1 */
	    0x13, 0x00, 0x00, 0x00,			    /* GSI 19 */
	    0x79, 0x00,					    /* end tag */
	};
	struct aml a = aml_new(sizeof(out));

	aml_crs_mmio_irq(&a, 0xd0001000, 0x200, 19);
	ASSERT_EQ(a.err, 0);
	ASSERT_EQ(a.len, sizeof(expect));
	EXPECT_TRUE(!memcmp(out, expect, sizeof(expect)));
}

TEST(errors_stick)
{
	struct aml a = aml_new(sizeof(out));

	aml_namestring(&a, "lower");
	EXPECT_EQ(a.err, -EINVAL);
	a = aml_new(sizeof(out));
	aml_namestring(&a, "TOOLONG");
	EXPECT_EQ(a.err, -EINVAL);
	a = aml_new(sizeof(out));
	aml_namestring(&a, "\\");
	EXPECT_EQ(a.err, -EINVAL);

	/* Out of room: the first error is kept and nothing more is written. */
	a = aml_new(4);
	aml_integer(&a, 0x123456789ULL);
	EXPECT_EQ(a.err, -ENOSPC);
	EXPECT_EQ(a.len, 1);
	aml_byte(&a, 0);
	aml_namestring(&a, "bad");
	EXPECT_EQ(a.err, -ENOSPC);
	EXPECT_EQ(a.len, 1);
}
