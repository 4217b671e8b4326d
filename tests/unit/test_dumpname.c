// SPDX-License-Identifier: GPL-2.0
/* Dump file names from hostile input (core/debug/dumpname.c). */
#include <errno.h>
#include <string.h>

#include "core/debug/dumpname.h"
#include "tests/test.h"

/* Sanitises a C string literal's bytes (sizeof - 1: NULs inside count). */
#define SAN(out, lit) dumpname_sanitize(out, sizeof(out), lit, sizeof(lit) - 1)

TEST(plain_name_kept)
{
	char out[64];

	EXPECT_EQ(SAN(out, "vcpu0-regs_v1.2.bin"), 19);
	EXPECT_STREQ(out, "vcpu0-regs_v1.2.bin");
	EXPECT_EQ(SAN(out, "ABCxyz019"), 9);
	EXPECT_STREQ(out, "ABCxyz019");
}

TEST(path_traversal)
{
	char out[64];

	EXPECT_EQ(SAN(out, "../../etc/passwd"), 16);
	EXPECT_STREQ(out, "_._.._etc_passwd");
	EXPECT_EQ(SAN(out, "/etc/shadow"), 11);
	EXPECT_STREQ(out, "_etc_shadow");
	EXPECT_EQ(SAN(out, "a/../../b"), 9);
	EXPECT_STREQ(out, "a_.._.._b");
	EXPECT_EQ(SAN(out, "..\\..\\x"), 7);
	EXPECT_STREQ(out, "_._.._x");
	EXPECT_EQ(strchr(out, '/'), NULL);
}

TEST(dot_and_dotdot)
{
	char out[8];

	EXPECT_EQ(SAN(out, "."), 1);
	EXPECT_STREQ(out, "_");
	EXPECT_EQ(SAN(out, ".."), 2);
	EXPECT_STREQ(out, "_.");
	EXPECT_EQ(SAN(out, "..."), 3);
	EXPECT_STREQ(out, "_..");
	/* a hidden name is shown */
	EXPECT_EQ(SAN(out, ".bashrc"), 7);
	EXPECT_STREQ(out, "_bashrc");
	/* dots elsewhere are kept */
	EXPECT_EQ(SAN(out, "a..b."), 5);
	EXPECT_STREQ(out, "a..b.");
}

TEST(empty_input)
{
	char out[8] = "xxxxxxx";

	EXPECT_EQ(dumpname_sanitize(out, sizeof(out), "", 0), 1);
	EXPECT_STREQ(out, "_");
	/* no bytes means in is not read */
	EXPECT_EQ(dumpname_sanitize(out, sizeof(out), NULL, 0), 1);
	EXPECT_STREQ(out, "_");
}

TEST(nul_bytes_inside)
{
	char out[16];

	/* the name does not end at a NUL: every byte up to in_len counts */
	EXPECT_EQ(SAN(out, "ab\0cd\0"), 6);
	EXPECT_EQ(memcmp(out, "ab_cd_", 7), 0);
	EXPECT_EQ(SAN(out, "\0"), 1);
	EXPECT_STREQ(out, "_");
	EXPECT_EQ(strlen(out), 1);
}

TEST(control_characters)
{
	char out[32];

	EXPECT_EQ(SAN(out, "a\nb\rc\td\x1b[31m\x7f"), 13);
	EXPECT_STREQ(out, "a_b_c_d__31m_");
}

TEST(shell_and_space_characters)
{
	char out[32];

	EXPECT_EQ(SAN(out, "a b*c?$(x);`y`|z~"), 17);
	EXPECT_STREQ(out, "a_b_c___x___y__z_");
}

TEST(utf8_bytes)
{
	char out[32];

	/* "caf\xc3\xa9" (café): each byte of the two-byte sequence becomes '_' */
	EXPECT_EQ(SAN(out, "caf\xc3\xa9"), 5);
	EXPECT_STREQ(out, "caf__");
	/* bytes 0x80..0xff, never kept */
	EXPECT_EQ(SAN(out, "\x80\xff\xfe"), 3);
	EXPECT_STREQ(out, "___");
}

TEST(every_byte_value)
{
	char out[4];
	int kept = 0;

	for (int c = 0; c < 256; c++) {
		char in = (char)c;

		ASSERT_EQ(dumpname_sanitize(out, sizeof(out), &in, 1), 1);
		/* a lone '.' is a leading one: replaced as well */
		if (out[0] != '_')
			kept++;
		EXPECT_TRUE(out[0] == '_' || out[0] == '-' || (c >= '0' && c <= '9') ||
			    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
		EXPECT_EQ(out[1], '\0');
	}
	/* 26 + 26 + 10 + '-' ('_' maps to itself, '.' is leading) */
	EXPECT_EQ(kept, 63);
}

TEST(long_input_capped_at_128)
{
	char in[1000], out[300];

	memset(in, 'a', sizeof(in));
	EXPECT_EQ(dumpname_sanitize(out, sizeof(out), in, sizeof(in)), DUMPNAME_MAX);
	EXPECT_EQ(DUMPNAME_MAX, 128);
	EXPECT_EQ(strlen(out), 128);
	EXPECT_EQ(out[127], 'a');
}

TEST(truncated_to_buffer)
{
	char out[300];

	memset(out, 'X', sizeof(out));
	EXPECT_EQ(dumpname_sanitize(out, 5, "abcdefgh", 8), 4);
	EXPECT_STREQ(out, "abcd");
	/* nothing written past size */
	EXPECT_EQ(out[5], 'X');

	/* exactly fits */
	EXPECT_EQ(dumpname_sanitize(out, 9, "abcdefgh", 8), 8);
	EXPECT_STREQ(out, "abcdefgh");

	/* room for one character: a leading dot still does not survive */
	EXPECT_EQ(dumpname_sanitize(out, 2, "..", 2), 1);
	EXPECT_STREQ(out, "_");

	/* a long hostile name truncated is still one safe component */
	EXPECT_EQ(dumpname_sanitize(out, 4, "../../../x", 10), 3);
	EXPECT_STREQ(out, "_._");
}

TEST(size_too_small)
{
	char out[4] = "zzz";

	EXPECT_EQ(dumpname_sanitize(out, 0, "abc", 3), -EINVAL);
	EXPECT_EQ(out[0], 'z');
	/* room for the NUL only: terminated, but no name fits */
	EXPECT_EQ(dumpname_sanitize(out, 1, "abc", 3), -EINVAL);
	EXPECT_EQ(out[0], '\0');
	EXPECT_EQ(out[1], 'z');
}
