// SPDX-License-Identifier: GPL-2.0
/*
 * core/base/file.c: only regular files are opened or mapped, and a FIFO,
 * a directory or a device is refused at once instead of blocking in open()
 * (a FIFO with no writer blocks a plain open forever). Also the readers
 * that open files themselves (ksyms_file.c). An alarm turns a hang into a
 * failed case.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/file.h"
#include "core/image/ksyms_file.h"
#include "tests/test.h"

static const char *make_fifo(void)
{
	const char *p = test_tmp_path("fifo");

	unlink(p);
	ASSERT_EQ(mkfifo(p, 0600), 0);
	return p;
}

TEST(file_open_ro_regular_files_only)
{
	const char *reg = test_tmp_path("reg");
	FILE *f = fopen(reg, "w");
	int fd;

	ASSERT_TRUE(f != NULL);
	fputs("x", f);
	fclose(f);
	alarm(10);
	fd = file_open_ro(reg);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	EXPECT_EQ(file_open_ro(make_fifo()), -EINVAL);
	EXPECT_EQ(file_open_ro(test_tmpdir()), -EINVAL);
	EXPECT_EQ(file_open_ro("/dev/null"), -EINVAL);
	EXPECT_EQ(file_open_ro(test_tmp_path("none")), -ENOENT);
	EXPECT_STREQ(file_open_why(-EINVAL), "not a regular file");
	alarm(0);
}

TEST(file_map_refuses_a_fifo_at_once)
{
	u8 *buf;
	size_t len;

	alarm(10);
	error_clear();
	EXPECT_EQ(file_map(make_fifo(), "kernel", 1 << 20, &buf, &len), -EINVAL);
	EXPECT_TRUE(strstr(error_msg(), "not a regular file") != NULL);
	EXPECT_TRUE(buf == NULL);
	alarm(0);
}

TEST(ksyms_file_refuses_a_fifo_at_once)
{
	u64 addr;

	alarm(10);
	error_clear();
	EXPECT_LT(ksyms_file_lookup(make_fifo(), "jiffies", &addr), 0);
	EXPECT_TRUE(strstr(error_msg(), "not a regular file") != NULL);
	alarm(0);
}
