// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "core/vm/cmdline.h"
#include "core/base/error.h"
#include "tests/test.h"

static void defaults(struct cmdline *d)
{
	cmdline_init(d);
	cmdline_add(d, "console=ttyS0 reboot=k  panic=-1");
}

TEST(cmdline_defaults_only)
{
	struct cmdline d, out;

	defaults(&d);
	ASSERT_EQ(cmdline_build(&out, &d, NULL, 4095), 0);
	EXPECT_STREQ(out.buf, "console=ttyS0 reboot=k panic=-1");
}

TEST(cmdline_user_appended)
{
	struct cmdline d, out;

	defaults(&d);
	ASSERT_EQ(cmdline_build(&out, &d, "quiet  init=/bin/sh", 4095), 0);
	EXPECT_STREQ(out.buf, "console=ttyS0 reboot=k panic=-1 quiet init=/bin/sh");
}

TEST(cmdline_user_overrides_default)
{
	struct cmdline d, out;

	defaults(&d);
	ASSERT_EQ(cmdline_build(&out, &d, "panic=10 console=hvc0", 4095), 0);
	EXPECT_STREQ(out.buf, "reboot=k panic=10 console=hvc0");
}

TEST(cmdline_key_prefix_is_not_a_match)
{
	struct cmdline d, out;

	defaults(&d);
	/* "panic_print" is another parameter than "panic". */
	ASSERT_EQ(cmdline_build(&out, &d, "panic_print=1", 4095), 0);
	EXPECT_STREQ(out.buf, "console=ttyS0 reboot=k panic=-1 panic_print=1");
}

TEST(cmdline_has)
{
	struct cmdline d;

	defaults(&d);
	EXPECT_TRUE(cmdline_has(&d, "console"));
	EXPECT_TRUE(cmdline_has(&d, "panic"));
	EXPECT_FALSE(cmdline_has(&d, "pani"));
	EXPECT_FALSE(cmdline_has(&d, "quiet"));
}

TEST(cmdline_too_long)
{
	struct cmdline d, out;
	static char big[5000];

	defaults(&d);
	memset(big, 'a', sizeof(big) - 1);
	EXPECT_EQ(cmdline_build(&out, &d, big, 4095), -E2BIG);
	EXPECT_EQ(error_kind(), ERROR_INPUT);
	/* The true length: the defaults, a space, the 4999 bytes (not where the buffer filled). */
	{
		char want[80];

		snprintf(want, sizeof(want), "is %zu bytes", d.len + 1 + sizeof(big) - 1);
		EXPECT_TRUE(strstr(error_msg(), want) != NULL);
	}
	/* A line that fits the buffer but not the kernel's limit. */
	EXPECT_EQ(cmdline_build(&out, &d, "quiet", 10), -E2BIG);
}
