// SPDX-License-Identifier: GPL-2.0
/* core/base/error.c: recording, prefixing (the message prefixed is the old one), clearing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/base/error.h"
#include "tests/test.h"

TEST(prefix_keeps_the_old_message)
{
	EXPECT_EQ(error_host(-ENOENT, "no symbol %s", "foo"), -ENOENT);
	EXPECT_EQ(error_kind(), ERROR_HOST);
	EXPECT_EQ(error_prefix(ERROR_INPUT, -EINVAL, "--watch %s", "foo+4"), -EINVAL);
	EXPECT_STREQ(error_msg(), "--watch foo+4: no symbol foo");
	EXPECT_EQ(error_kind(), ERROR_INPUT);
	/* Twice: each prefix goes in front. */
	error_prefix(ERROR_INPUT, -EINVAL, "kernel %s", "/k");
	EXPECT_STREQ(error_msg(), "kernel /k: --watch foo+4: no symbol foo");
}

/* The message itself may hold '%': it is copied, not formatted again. */
TEST(prefix_of_a_percent_message)
{
	error_input(-EINVAL, "100%% sure: %s", "%s%n");
	error_prefix(ERROR_INPUT, -EINVAL, "opt");
	EXPECT_STREQ(error_msg(), "opt: 100% sure: %s%n");
}

/* Long parts are cut at the buffer's end, never past it. */
TEST(prefix_truncates)
{
	char big[1024];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	error_input(-EINVAL, "%s", big);
	error_prefix(ERROR_INPUT, -EINVAL, "p");
	EXPECT_EQ(strlen(error_msg()), 511u);
	EXPECT_EQ(strncmp(error_msg(), "p: aaa", 6), 0);
	error_input(-EINVAL, "old");
	error_prefix(ERROR_INPUT, -EINVAL, "%s", big);
	EXPECT_EQ(strlen(error_msg()), 511u);
	EXPECT_TRUE(strstr(error_msg(), "old") == NULL);
}

TEST(clear)
{
	error_input(-EINVAL, "x");
	error_clear();
	EXPECT_EQ(error_kind(), ERROR_NONE);
	EXPECT_STREQ(error_msg(), "unknown error");
}

static char warned[2][512];
static int nwarned;

static void warn_capture(const char *msg)
{
	if (nwarned < 2)
		snprintf(warned[nwarned], sizeof(warned[0]), "%s", msg);
	nwarned++;
}

/* Warnings go to the installed handler, formatted, one call each; none without one. */
TEST(warn_goes_to_the_handler)
{
	nwarned = 0;
	error_set_warn_handler(NULL);
	error_warn("dropped %d", 1);
	EXPECT_EQ(nwarned, 0);
	error_set_warn_handler(warn_capture);
	error_input(-EINVAL, "kept");
	error_warn("freeze: %u of %u vCPUs parked", 1u, 2u);
	error_warn("%s", "dump: no room");
	error_set_warn_handler(NULL);
	EXPECT_EQ(nwarned, 2);
	EXPECT_STREQ(warned[0], "freeze: 1 of 2 vCPUs parked");
	EXPECT_STREQ(warned[1], "dump: no room");
	/* A warning leaves the recorded error alone. */
	EXPECT_STREQ(error_msg(), "kept");
}
