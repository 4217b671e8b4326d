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
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/*
 * A file cut short while mapped: the next access past its new end raises
 * SIGBUS; with file_sigbus_install() the process ends with one line and
 * the status given. A SIGBUS in a mapping file_map() did not make still
 * kills (default action). In children, so the test runner survives.
 */
static int sigbus_child(bool tracked, int err_fd)
{
	const char *p = test_tmp_path(tracked ? "cut-tracked" : "cut-untracked");
	static u8 block[64 * 1024];
	FILE *f = fopen(p, "w");
	u8 *m = NULL;
	size_t len = 0;
	volatile u8 x;
	int fd;

	if (!f)
		return 10;
	for (int i = 0; i < 16; i++)
		fwrite(block, 1, sizeof(block), f);
	fclose(f);
	dup2(err_fd, STDERR_FILENO);
	file_sigbus_install(2);
	if (tracked) {
		if (file_map(p, "kernel", 1 << 30, &m, &len) < 0)
			return 11;
	} else {
		fd = open(p, O_RDONLY);
		m = mmap(NULL, 16 * sizeof(block), PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED)
			return 12;
	}
	if (truncate(p, 4096) < 0)
		return 13;
	x = m[8 * sizeof(block)];
	(void)x;
	return 14; /* not reached: the page is gone */
}

TEST(file_sigbus_one_line_and_status)
{
	const char *runner = getenv("KTVM_TEST_RUNNER");

	/* qemu-user takes the host SIGBUS of a guest access itself and hangs. */
	if (runner && *runner)
		SKIP("under user-mode emulation (%s), which hangs on a SIGBUS in a file mapping",
		     runner);
	for (int tracked = 1; tracked >= 0; tracked--) {
		int pfd[2], st = 0;
		char buf[256] = "";
		ssize_t n;
		pid_t pid;

		ASSERT_EQ(pipe(pfd), 0);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			close(pfd[0]);
			_exit(sigbus_child(tracked, pfd[1]));
		}
		close(pfd[1]);
		n = read(pfd[0], buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(pfd[0]);
		ASSERT_EQ(waitpid(pid, &st, 0), pid);
		if (tracked) {
			EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 2);
			EXPECT_TRUE(strstr(buf, "ktvm: kernel ") == buf);
			EXPECT_TRUE(strstr(buf, "changed while being read") != NULL);
			EXPECT_EQ(strchr(buf, '\n') - buf, (long)strlen(buf) - 1); /* one line */
		} else {
			EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
		}
	}
}
