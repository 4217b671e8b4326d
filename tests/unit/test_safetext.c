// SPDX-License-Identifier: GPL-2.0
/*
 * core/base/safetext.c: guest text in ktvm's messages, control characters
 * escaped, lines kept where asked, never past the buffer.
 */
#include <stdlib.h>

#include "core/base/safetext.h"
#include "tests/test.h"

TEST(line_escapes_controls)
{
	char buf[64];
	const char *in = "bad\nktvm: forged\x1b[2J\x7f ok";

	EXPECT_STREQ(safetext_line(buf, sizeof(buf), in, strlen(in)),
		     "bad\\x0aktvm: forged\\x1b[2J\\x7f ok");
}

TEST(backslash_escaped_so_escapes_are_ours)
{
	char buf[64];
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	/* The guest's literal "\x0a" and a real newline must not read alike. */
	const char *in = "a\\x0a|b\n";

	EXPECT_STREQ(safetext_line(buf, sizeof(buf), in, strlen(in)), "a\\x5cx0a|b\\x0a");
	ASSERT_TRUE(f != NULL);
	safetext_write(f, in, strlen(in));
	fclose(f);
	EXPECT_STREQ(out, "a\\x5cx0a|b\n");
	free(out);
}

TEST(line_keeps_utf8_and_stops_at_len_or_nul)
{
	char buf[64];

	EXPECT_STREQ(safetext_line(buf, sizeof(buf), "caf\xc3\xa9 x", 6), "caf\xc3\xa9 ");
	EXPECT_STREQ(safetext_line(buf, sizeof(buf), "ab\0cd", 5), "ab");
}

TEST(line_cut_short_never_splits_an_escape)
{
	char buf[8];

	/* 7 bytes of room: "ab", then "\x01" needs 4 more: it fits (2 + 4 = 6), "\x02" does not. */
	EXPECT_STREQ(safetext_line(buf, sizeof(buf), "ab\x01\x02", 4), "ab\\x01");
	EXPECT_STREQ(safetext_line(buf, 1, "abc", 3), "");
	EXPECT_STREQ(safetext_line(buf, 3, "abc", 3), "ab");
}

TEST(write_keeps_lines_drops_cr)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	const char *in = "one\r\ntwo\t\x1b]0;title\x07\nthree";

	ASSERT_TRUE(f != NULL);
	safetext_write(f, in, strlen(in));
	fclose(f);
	EXPECT_STREQ(out, "one\ntwo\t\\x1b]0;title\\x07\nthree");
	free(out);
}

TEST(c1_controls_and_stray_bytes_escaped)
{
	char buf[64];
	/* U+009B (CSI) in UTF-8, a raw 0x9b, a cut-off sequence; U+00E9 and U+20AC pass. */
	const char *in = "a\xc2\x9b"
			 "b\x9b"
			 "c\xc3\xa9\xe2\x82\xac\xe2\x82";

	EXPECT_STREQ(safetext_line(buf, sizeof(buf), in, strlen(in)),
		     "a\\xc2\\x9bb\\x9bc\xc3\xa9\xe2\x82\xac\\xe2\\x82");
}

TEST(line_never_splits_a_character)
{
	char buf[5];

	/* "ab" and the 3 bytes of U+20AC need 6 with the NUL: the character is left out whole. */
	EXPECT_STREQ(safetext_line(buf, sizeof(buf), "ab\xe2\x82\xac", 5), "ab");
}
