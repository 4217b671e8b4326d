// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <unistd.h>

#include "core/vm/conlog.h"
#include "tests/test.h"

static void put(struct conlog *c, const char *s)
{
	conlog_write(c, (const u8 *)s, strlen(s));
}

TEST(console_captures_text)
{
	struct conlog c;
	size_t len;
	char *t;

	ASSERT_EQ(conlog_init(&c, 1024, -1, 0), 0);
	put(&c, "hello ");
	put(&c, "world\r\n");
	t = conlog_text(&c, &len);
	EXPECT_STREQ(t, "hello world\r\n");
	EXPECT_EQ(len, 13);
	EXPECT_EQ(c.dropped, 0);
	free(t);
	conlog_destroy(&c);
}

TEST(console_cap_counts_dropped)
{
	struct conlog c;
	char *t;

	ASSERT_EQ(conlog_init(&c, 8, -1, 0), 0);
	put(&c, "0123456789abcdef");
	t = conlog_text(&c, NULL);
	EXPECT_STREQ(t, "01234567");
	EXPECT_EQ(c.dropped, 8);
	free(t);
	conlog_destroy(&c);
}

TEST(console_milestones)
{
	struct conlog c;

	ASSERT_EQ(conlog_init(&c, 4096, -1, 0), 0);
	put(&c, "[    0.5] Run /init as init pro");
	EXPECT_EQ(c.init_ns, 0); /* only complete lines count */
	put(&c, "cess\n");
	EXPECT_NE(c.init_ns, 0);
	EXPECT_FALSE(c.panic_seen);
	put(&c, "[    1.0] Kernel panic - not syncing: Attempted to kill init!\n");
	EXPECT_TRUE(c.panic_seen);
	EXPECT_TRUE(strstr(c.panic_line, "Attempted to kill init") != NULL);
	conlog_destroy(&c);
}

TEST(console_long_line_bounded)
{
	struct conlog c;
	static char big[CONLOG_LINE_MAX * 3];

	ASSERT_EQ(conlog_init(&c, 64, -1, 0), 0);
	memset(big, 'x', sizeof(big) - 1);
	put(&c, big);
	EXPECT_LT(c.line_len, CONLOG_LINE_MAX);
	conlog_destroy(&c);
}

TEST(console_streams_to_fd)
{
	struct conlog c;
	int p[2];
	char buf[32] = {0};

	ASSERT_EQ(pipe(p), 0);
	ASSERT_EQ(conlog_init(&c, 64, p[1], 0), 0);
	put(&c, "live\n");
	ASSERT_EQ(read(p[0], buf, sizeof(buf) - 1), 5);
	EXPECT_STREQ(buf, "live\n");
	close(p[0]);
	close(p[1]);
	conlog_destroy(&c);
}
