// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "core/base/json.h"
#include "tests/test.h"

static char *escape(const char *s, size_t n)
{
	static char out[1024];
	FILE *f = fmemopen(out, sizeof(out), "w");

	json_string(f, s, n);
	fclose(f);
	return out;
}

TEST(json_plain)
{
	EXPECT_STREQ(escape("abc", 3), "\"abc\"");
}

TEST(json_escapes)
{
	EXPECT_STREQ(escape("a\"b\\c\nd\te\r", 10), "\"a\\\"b\\\\c\\nd\\te\\r\"");
	EXPECT_STREQ(escape("\x01\x1b\x7f", 3), "\"\\u0001\\u001b\\u007f\"");
}

TEST(json_nul_inside)
{
	EXPECT_STREQ(escape("a\0b", 3), "\"a\\u0000b\"");
}

TEST(json_utf8_kept)
{
	EXPECT_STREQ(escape("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9),
		     "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
}

TEST(json_bad_utf8_replaced)
{
	/* lone continuation, overlong, surrogate, cut-off sequence */
	EXPECT_STREQ(escape("\x80", 1), "\"\\ufffd\"");
	EXPECT_STREQ(escape("\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
	EXPECT_STREQ(escape("\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"");
	EXPECT_STREQ(escape("x\xe2\x82", 3), "\"x\\ufffd\\ufffd\"");
}
